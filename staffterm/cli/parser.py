"""The command line's grammar (argparse only).

Every subcommand names its handler as ``"module:function"`` inside ``staffterm.cli.<module>``
so ``main`` imports only the code of the command being run. Global options are accepted both
before and after the subcommand: each parser level declares them with ``SUPPRESS`` defaults so
a level that did not see the option cannot overwrite the value another level did see.

Over 400 lines on purpose: the whole grammar in one place, one short function per command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from staffterm import __version__
from staffterm.cli.arg_types import (
    ARGUMENT_FILE_LIMIT,
    LARGEST_NUMBER,
    QR_MAX_PNG_SIZE,
    identifier,
    non_negative_int,
    png_size,
    positive_int,
    read_argument_file,
    time_arg,
)

__all__ = [
    "ARGUMENT_FILE_LIMIT", "LARGEST_NUMBER", "PROG", "ArgumentParser", "UsageError", "build_parser",
    "identifier", "non_negative_int", "png_size", "positive_int", "read_argument_file", "time_arg",
]

PROG = "staffterm"

ZONE_KINDS = ("org", "region", "building", "level", "area", "other")

EPILOG = """\
Times: ISO 8601 with an offset (2026-11-21T09:00+01:00), Z, or naive (read in the building's
time zone when a zone or room is given, else this computer's zone); a bare date (2026-11-21)
means the whole day. A missing --start/--end means today.

Limits: whole numbers up to 2147483647, dates from 0001-01-03 to 9999-12-29, @file arguments
up to 1 MiB, qr --size up to 4096 px. Control characters in output are shown as escapes (\\x1b,
\\n); --json gives the exact text.

Exit codes: 0 ok (also when a change was saved but its confirmation could not be printed),
1 the operation failed (nothing changed), 2 bad usage.
Environment: STAFFTERM_CONFIG (config file), STAFFTERM_DATA_DIR, STAFFTERM_CONFIG_DIR,
STAFFTERM_DEBUG=1 (tracebacks for unexpected errors), STAFFTERM_FROZEN_NOW=<ISO time>
(testing aid: freeze the clock the commands see).
"""


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose error line is safe to print: an unrecognised argument holding a terminal
    escape or a newline is shown escaped, and a 120 KB one is not echoed whole."""

    def error(self, message: str) -> NoReturn:
        from staffterm.cli.output import message as one_line

        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


class UsageError(Exception):
    """Bad usage found after parsing (a missing option that depends on another): exit 2."""

    def __init__(self, message: str, *, prog: str = PROG) -> None:
        super().__init__(message)
        self.prog = prog


def feature_list(text: str) -> list[str]:
    features = [part.strip() for part in text.split(",") if part.strip()]
    if not features:
        raise argparse.ArgumentTypeError("give at least one feature, e.g. --features video,whiteboard")
    return features


def key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not key=value")
    return key.strip(), value


def _global_options() -> argparse.ArgumentParser:
    default: Any = argparse.SUPPRESS
    parent = ArgumentParser(add_help=False, allow_abbrev=False)
    group = parent.add_argument_group("global options")
    group.add_argument("--config", metavar="PATH", default=default, help="config file (default: STAFFTERM_CONFIG or the user config dir)")
    group.add_argument("--tenant", metavar="NAME", type=identifier, default=default,
                       help="which configured tenant to use (default: the config's default)")
    group.add_argument("--json", action="store_true", default=default, help="machine-readable output with stable keys")
    return parent


class _Builder:
    """Adds subcommands that all share the global options and the same error style."""

    def __init__(self) -> None:
        self.globals = _global_options()

    def sub(self, subparsers: Any, name: str, handler: str | None, help: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(
            name,
            help=help,
            description=help,
            parents=[self.globals],
            allow_abbrev=False,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kwargs,
        )
        if handler is not None:
            parser.set_defaults(handler=handler)
        return parser


def _window(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument("--start", type=time_arg, required=required, metavar="ISO", help="start (ISO 8601 or a date)")
    parser.add_argument("--end", type=time_arg, required=required, metavar="ISO", help="end (ISO 8601 or a date; a date includes that day)")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full grammar; given ``argv`` naming a known command, only that command's subtree
    (building all of them is most of the parser's start-up cost, and help and errors for an
    unknown command still get the full list)."""
    b = _Builder()
    parser = ArgumentParser(
        prog=PROG,
        description="A front-desk console for rooms, bookings and guests. With no command, opens the console.",
        epilog=EPILOG,
        parents=[b.globals],
        allow_abbrev=False,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    if argv is not None and opens_console(argv):
        return parser  # the console needs no subcommand grammar: keep its start-up lean
    chosen = command_named_in(argv) if argv is not None else None
    for name, add in _all_commands().items():
        if chosen is None or name == chosen:
            add(b, commands)
    return parser


# Handlers that change something (a booking, an event, the config, a file): when their
# confirmation cannot be printed, the change is still done and the CLI says so (exit 0).
WRITE_HANDLERS = frozenset(
    {
        "places:create_event", "places:delete_event", "places:decline_event", "places:approve_event",
        "places:reject_event", "bookings:create_booking", "bookings:approve_booking",
        "bookings:reject_booking", "bookings:check_in_booking", "bookings:check_out_booking",
        "bookings:delete_booking", "bookings:check_in_guest", "bookings:check_out_guest",
        "admin:tenant_add", "admin:tenant_remove", "admin:demo_reset",
    }
)


def command_writes(args: argparse.Namespace) -> bool:
    """Whether the parsed command changes something (and so has done so once it prints)."""
    handler = getattr(args, "handler", None)
    if handler == "admin:qr":
        return bool(getattr(args, "svg", None) or getattr(args, "png", None))
    if handler == "provider:run_command":
        from staffterm.backends.registry import command_table

        return next(c.writes for c in command_table(args.command_provider) if c.name == args.driver_spec)
    return handler in WRITE_HANDLERS


_GLOBAL_WITH_VALUE = ("--config", "--tenant")


def command_named_in(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` runs, if it is a known one; ``None`` for help, errors, the console."""
    tokens = iter(argv)
    for token in tokens:
        if token in _GLOBAL_WITH_VALUE:
            next(tokens, None)
        elif token == "--json" or token.startswith(tuple(f"{opt}=" for opt in _GLOBAL_WITH_VALUE)):
            continue
        elif token.startswith("-"):
            return None
        else:
            return token if token in _all_commands() else None
    return None


def opens_console(argv: Sequence[str]) -> bool:
    """True when ``argv`` holds only global options (``--config``, ``--tenant``): the console."""
    tokens = iter(argv)
    for token in tokens:
        if token in _GLOBAL_WITH_VALUE:
            if next(tokens, None) is None:
                return False
        elif not token.startswith(tuple(f"{opt}=" for opt in _GLOBAL_WITH_VALUE)):
            return False
    return True


def _zones(b: _Builder, commands: Any) -> None:
    zones = b.sub(commands, "zones", "places:zones", "list zones (buildings, levels)")
    zones.add_argument("--kind", choices=ZONE_KINDS, help="only zones of this kind")
    zones.add_argument("--parent", metavar="ID", type=identifier, help="only zones inside this zone")


def _rooms(b: _Builder, commands: Any) -> None:
    rooms = b.sub(commands, "rooms", "places:rooms", "list rooms")
    rooms.add_argument("--zone", metavar="ID", type=identifier, help="only rooms in this building or level")
    rooms.add_argument("--capacity", type=non_negative_int, metavar="N", help="only rooms seating at least N")
    rooms.add_argument("--features", type=feature_list, default=[], metavar="A,B", help="only rooms with all these features")
    rooms.add_argument("--query", metavar="Q", help="only rooms whose name or email matches")


def _freebusy(b: _Builder, commands: Any) -> None:
    freebusy = b.sub(commands, "freebusy", "places:freebusy", "busy times of rooms")
    which = freebusy.add_mutually_exclusive_group(required=True)
    which.add_argument("--zone", metavar="ID", type=identifier, help="every room in this building or level")
    which.add_argument("--room", metavar="ID", type=identifier, action="append", dest="rooms", help="a room (repeat for more)")
    _window(freebusy)


def _events(b: _Builder, commands: Any) -> None:
    events = b.sub(commands, "events", "places:list_events", "a calendar's events; create, cancel, decline, approve")
    events.add_argument("--calendar", metavar="ID", type=identifier, help="calendar id, mailbox or room id")
    _window(events)
    events.add_argument("--include-cancelled", action="store_true", help="also list cancelled events")
    actions = events.add_subparsers(dest="action", metavar="ACTION")

    create = b.sub(actions, "create", "places:create_event", "create an event")
    target = create.add_mutually_exclusive_group(required=True)
    target.add_argument("--calendar", metavar="ID", type=identifier, help="calendar to create it in")
    target.add_argument("--room", metavar="ID", type=identifier, help="book this room (its calendar)")
    create.add_argument("--title", required=True, metavar="T")
    _window(create, required=True)
    create.add_argument("--host", metavar="EMAIL", help="organiser")
    create.add_argument("--attendee", metavar="EMAIL", action="append", default=[], dest="attendees", help="attendee (repeat for more)")
    create.add_argument("--private", action="store_true", help="hide the title from other people")

    delete = b.sub(actions, "delete", "places:delete_event", "cancel an event")
    delete.add_argument("--calendar", metavar="ID", type=identifier, required=True)
    delete.add_argument("event_id", metavar="EVENT_ID", type=identifier)
    delete.add_argument("--no-notify", action="store_true", help="do not tell the attendees")
    delete.add_argument("--comment", metavar="C")

    decline = b.sub(actions, "decline", "places:decline_event", "decline an event")
    decline.add_argument("--calendar", metavar="ID", type=identifier, required=True)
    decline.add_argument("event_id", metavar="EVENT_ID", type=identifier)
    decline.add_argument("--comment", metavar="C")

    for name, verb in (("approve", "approve"), ("reject", "reject")):
        p = b.sub(actions, name, f"places:{verb}_event", f"{verb} a room's pending event")
        p.add_argument("--room", metavar="ID", type=identifier, required=True)
        p.add_argument("event_id", metavar="EVENT_ID", type=identifier)


def _bookings(b: _Builder, commands: Any) -> None:
    bookings = b.sub(commands, "bookings", "bookings:list_bookings", "desk, parking, visitor and room bookings")
    bookings.add_argument("--type", metavar="T", help="desk, parking, visitor, room, …")
    bookings.add_argument("--zone", metavar="ID", type=identifier, help="only bookings in this building or level")
    bookings.add_argument("--user", metavar="EMAIL", help="only this person's bookings")
    _window(bookings)
    bookings.add_argument("--include-deleted", action="store_true")
    actions = bookings.add_subparsers(dest="action", metavar="ACTION")

    create = b.sub(actions, "create", "bookings:create_booking", "book a desk, a parking space, a room, …")
    create.add_argument("--type", required=True, metavar="T")
    create.add_argument("--asset", required=True, metavar="ID", type=identifier, help="desk, space or room id")
    create.add_argument("--user", required=True, metavar="EMAIL", help="who the booking is for")
    _window(create, required=True)
    create.add_argument("--title", metavar="T", default="")
    create.add_argument("--zone", metavar="ID", type=identifier, action="append", default=[], dest="zones", help="zone (repeat for more)")

    for name, handler, help in (
        ("show", "show_booking", "one booking in full"),
        ("approve", "approve_booking", "approve a pending booking"),
        ("reject", "reject_booking", "reject a pending booking"),
        ("check-in", "check_in_booking", "check a booking in"),
        ("check-out", "check_out_booking", "check a booking out"),
        ("delete", "delete_booking", "delete a booking"),
    ):
        p = b.sub(actions, name, f"bookings:{handler}", help)
        p.add_argument("booking_id", metavar="ID", type=identifier)


def _guests(b: _Builder, commands: Any) -> None:
    guests = b.sub(commands, "guests", "bookings:list_guests", "expected visitors; check in and out")
    _window(guests)
    guests.add_argument("--zone", metavar="ID", type=identifier, help="only guests visiting this building")
    guests.add_argument("--query", metavar="Q", help="only guests whose name, email or company matches")
    actions = guests.add_subparsers(dest="action", metavar="ACTION")
    check_in = b.sub(actions, "check-in", "bookings:check_in_guest", "check a guest in and tell the host")
    check_in.add_argument("guest_id", metavar="ID", type=identifier)
    check_out = b.sub(actions, "check-out", "bookings:check_out_guest", "check a guest out")
    check_out.add_argument("guest_id", metavar="ID", type=identifier)


def _users(b: _Builder, commands: Any) -> None:
    users = b.sub(commands, "users", "directory:list_users", "people in the directory")
    users.add_argument("--query", metavar="Q")
    user_actions = users.add_subparsers(dest="action", metavar="ACTION")
    show = b.sub(user_actions, "show", "directory:show_user", "one person: manager, groups, calendars")
    show.add_argument("user_id", metavar="ID", type=identifier)


def _groups(b: _Builder, commands: Any) -> None:
    groups = b.sub(commands, "groups", "directory:list_groups", "directory groups")
    groups.add_argument("--query", metavar="Q")
    group_actions = groups.add_subparsers(dest="action", metavar="ACTION")
    members = b.sub(group_actions, "members", "directory:group_members", "a group's members")
    members.add_argument("group_id", metavar="ID", type=identifier)


def _mail(b: _Builder, commands: Any) -> None:
    mail = b.sub(commands, "mail", None, "mail the site sent")
    mail_actions = mail.add_subparsers(dest="action", metavar="ACTION", required=True)
    outbox = b.sub(mail_actions, "outbox", "directory:mail_outbox", "mail recorded in the outbox, newest first")
    outbox.add_argument("--limit", type=positive_int, default=20, metavar="N")


def _qr(b: _Builder, commands: Any) -> None:
    qr = b.sub(commands, "qr", "admin:qr", "draw a QR code, or save it as SVG/PNG")
    qr.add_argument("text", metavar="TEXT")
    out = qr.add_mutually_exclusive_group()
    out.add_argument("--svg", metavar="FILE", help="save as SVG")
    out.add_argument("--png", metavar="FILE", help="save as PNG")
    qr.add_argument("--size", type=png_size, metavar="N", help=f"PNG width in pixels, at most {QR_MAX_PNG_SIZE} (with --png)")


def _config(b: _Builder, commands: Any) -> None:
    config = b.sub(commands, "config", None, "where the config is, what it says, whether it works")
    config_actions = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    b.sub(config_actions, "path", "admin:config_path", "print the config file's path")
    b.sub(config_actions, "show", "admin:config_show", "print the config (secrets hidden)")
    b.sub(config_actions, "check", "admin:config_check", "check the config and try each tenant")


def _tenant(b: _Builder, commands: Any) -> None:
    tenant = b.sub(commands, "tenant", None, "configured tenants")
    tenant_actions = tenant.add_subparsers(dest="action", metavar="ACTION", required=True)
    b.sub(tenant_actions, "list", "admin:tenant_list", "list tenants")
    add = b.sub(tenant_actions, "add", "admin:tenant_add", "add a tenant")
    add.add_argument("name", metavar="NAME", type=identifier)
    from staffterm.backends.registry import PROVIDER_NAMES

    add.add_argument("--provider", required=True, choices=PROVIDER_NAMES)
    add.add_argument("--set", metavar="KEY=VALUE", type=key_value, action="append", default=[], dest="settings",
                     help="a setting (repeat for more)")
    remove = b.sub(tenant_actions, "remove", "admin:tenant_remove", "remove a tenant")
    remove.add_argument("name", metavar="NAME", type=identifier)
    sign_in = b.sub(tenant_actions, "sign-in", "admin:tenant_sign_in", "sign in as yourself (device code)")
    sign_in.add_argument("name", metavar="NAME", type=identifier)


def _demo(b: _Builder, commands: Any) -> None:
    demo = b.sub(commands, "demo", None, "the embedded demo site")
    demo_actions = demo.add_subparsers(dest="action", metavar="ACTION", required=True)
    b.sub(demo_actions, "reset", "admin:demo_reset", "restore the demo site's data (demo tenants only)")


def _site(b: _Builder, commands: Any) -> None:
    site = b.sub(commands, "site", None, "a local site's file")
    site_actions = site.add_subparsers(dest="action", metavar="ACTION", required=True)
    reset = b.sub(
        site_actions, "reset", "admin:site_reset",
        "delete every row of a local site, after a backup (--tenant NAME --confirm NAME)",
    )
    reset.add_argument("--confirm", metavar="NAME", help="the tenant's name again, to confirm")


def _kiosk(b: _Builder, commands: Any) -> None:
    kiosk = b.sub(commands, "kiosk", None, "run a locked-down lobby kiosk or room panel, or set its admin PIN")
    actions = kiosk.add_subparsers(dest="action", metavar="ACTION", required=True)
    lobby = b.sub(actions, "lobby", "kiosk:lobby", "the lobby's visitor self check-in")
    lobby.add_argument("--building", metavar="ZONE", help="the building zone the kiosk stands in (default: kiosk.building)")
    lobby.add_argument("--name", metavar="TEXT", default="", help="the building's name, shown on the welcome screen")
    panel = b.sub(actions, "panel", "kiosk:panel", "the panel beside a room's door")
    panel.add_argument("--room", metavar="ROOM", help="the room's id or email (default: kiosk.room)")
    pin = b.sub(actions, "set-pin", "kiosk:set_pin", "set the kiosk's admin PIN (stored as a salted scrypt hash)")
    pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input instead of asking")


def tcp_port(text: str) -> int:
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port: give 1 to 65535")
    return value


def _serve(b: _Builder, commands: Any) -> None:
    serve = b.sub(commands, "serve", "serve:serve", "serve the console or a kiosk to a web browser (textual-serve)")
    serve.add_argument("--kiosk", choices=("lobby", "panel"), help="serve a locked-down kiosk instead of the console")
    serve.add_argument("--room", metavar="ROOM", help="--kiosk panel: the room's id or email (default: kiosk.room)")
    serve.add_argument("--building", metavar="ZONE", help="--kiosk lobby: the building zone (default: kiosk.building)")
    serve.add_argument("--name", metavar="TEXT", default="", help="--kiosk lobby: the building's name, shown on the welcome screen")
    serve.add_argument("--host", metavar="HOST", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", metavar="PORT", type=tcp_port, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--public-url", metavar="URL", help="the address browsers use, when behind a proxy (e.g. https://panel.example)")


def _provider_commands(name: str) -> Callable[[_Builder, Any], None]:
    """``staffterm <provider> COMMAND``, built from the provider's declared raw commands."""

    def add(b: _Builder, commands: Any) -> None:
        from staffterm.backends.registry import command_table, provider_label
        from staffterm.cli.provider_args import add_driver_commands

        label = provider_label(name)
        top = b.sub(commands, name, None, PROVIDER_COMMAND_HELP.get(name, f"{label}'s raw commands on a {label} tenant"))
        top.set_defaults(command_provider=name)
        driver = top.add_subparsers(dest="driver_command", metavar="COMMAND", required=True)
        b.sub(driver, "commands", "provider:list_commands", "list every driver command and its parameters")
        add_driver_commands(
            command_table(name), lambda cmd, help, aliases: b.sub(driver, cmd, "provider:run_command", help, aliases=aliases)
        )

    return add


PROVIDER_COMMAND_HELP = {
    "placeos": "the PlaceOS Staff API driver's commands (metadata, users, signal, resource token, ...) on a PlaceOS tenant",
}


# In the order ``--help`` lists them.
COMMANDS: dict[str, Callable[[_Builder, Any], None]] = {
    "zones": _zones,
    "rooms": _rooms,
    "freebusy": _freebusy,
    "events": _events,
    "bookings": _bookings,
    "guests": _guests,
    "users": _users,
    "groups": _groups,
    "mail": _mail,
    "qr": _qr,
    "config": _config,
    "tenant": _tenant,
    "demo": _demo,
    "site": _site,
    "kiosk": _kiosk,
    "serve": _serve,
}


def _all_commands() -> dict[str, Callable[[_Builder, Any], None]]:
    """The fixed commands, then one per provider that declares raw commands (the registry says which)."""
    from staffterm.backends.registry import providers_with_commands

    return {**COMMANDS, **{name: _provider_commands(name) for name in providers_with_commands()}}
