"""Each command's arguments: one short function per command of ``staffterm``, in the order
``--help`` lists them, and one ``staffterm <provider> COMMAND`` per provider that declares raw
commands. ``parser`` builds the grammar from ``all_commands()``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Protocol

from staffterm.cli.arg_types import (
    QR_MAX_PNG_SIZE,
    identifier,
    non_negative_int,
    png_size,
    positive_int,
    time_arg,
)


class Builder(Protocol):
    """What a command's function needs of the parser's builder (``parser.Builder``): a subcommand
    that shares the global options and the error style."""

    def sub(self, subparsers: Any, name: str, handler: str | None, help: str, **kwargs: Any) -> argparse.ArgumentParser: ...

ZONE_KINDS = ("org", "region", "building", "level", "area", "other")

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


def _window(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument("--start", type=time_arg, required=required, metavar="ISO", help="start (ISO 8601 or a date)")
    parser.add_argument("--end", type=time_arg, required=required, metavar="ISO", help="end (ISO 8601 or a date; a date includes that day)")


def _zones(b: Builder, commands: Any) -> None:
    zones = b.sub(commands, "zones", "places:zones", "list zones (buildings, levels)")
    zones.add_argument("--kind", choices=ZONE_KINDS, help="only zones of this kind")
    zones.add_argument("--parent", metavar="ID", type=identifier, help="only zones inside this zone")


def _rooms(b: Builder, commands: Any) -> None:
    rooms = b.sub(commands, "rooms", "places:rooms", "list rooms")
    rooms.add_argument("--zone", metavar="ID", type=identifier, help="only rooms in this building or level")
    rooms.add_argument("--capacity", type=non_negative_int, metavar="N", help="only rooms seating at least N")
    rooms.add_argument("--features", type=feature_list, default=[], metavar="A,B", help="only rooms with all these features")
    rooms.add_argument("--query", metavar="Q", help="only rooms whose name or email matches")


def _freebusy(b: Builder, commands: Any) -> None:
    freebusy = b.sub(commands, "freebusy", "places:freebusy", "busy times of rooms")
    which = freebusy.add_mutually_exclusive_group(required=True)
    which.add_argument("--zone", metavar="ID", type=identifier, help="every room in this building or level")
    which.add_argument("--room", metavar="ID", type=identifier, action="append", dest="rooms", help="a room (repeat for more)")
    _window(freebusy)


def _events(b: Builder, commands: Any) -> None:
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


def _bookings(b: Builder, commands: Any) -> None:
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


def _guests(b: Builder, commands: Any) -> None:
    guests = b.sub(commands, "guests", "bookings:list_guests", "expected visitors; check in and out")
    _window(guests)
    guests.add_argument("--zone", metavar="ID", type=identifier, help="only guests visiting this building")
    guests.add_argument("--query", metavar="Q", help="only guests whose name, email or company matches")
    actions = guests.add_subparsers(dest="action", metavar="ACTION")
    check_in = b.sub(actions, "check-in", "bookings:check_in_guest", "check a guest in and tell the host")
    check_in.add_argument("guest_id", metavar="ID", type=identifier)
    check_out = b.sub(actions, "check-out", "bookings:check_out_guest", "check a guest out")
    check_out.add_argument("guest_id", metavar="ID", type=identifier)


def _users(b: Builder, commands: Any) -> None:
    users = b.sub(commands, "users", "directory:list_users", "people in the directory")
    users.add_argument("--query", metavar="Q")
    user_actions = users.add_subparsers(dest="action", metavar="ACTION")
    show = b.sub(user_actions, "show", "directory:show_user", "one person: manager, groups, calendars")
    show.add_argument("user_id", metavar="ID", type=identifier)


def _groups(b: Builder, commands: Any) -> None:
    groups = b.sub(commands, "groups", "directory:list_groups", "directory groups")
    groups.add_argument("--query", metavar="Q")
    group_actions = groups.add_subparsers(dest="action", metavar="ACTION")
    members = b.sub(group_actions, "members", "directory:group_members", "a group's members")
    members.add_argument("group_id", metavar="ID", type=identifier)


def _mail(b: Builder, commands: Any) -> None:
    mail = b.sub(commands, "mail", None, "mail the site sent")
    mail_actions = mail.add_subparsers(dest="action", metavar="ACTION", required=True)
    outbox = b.sub(mail_actions, "outbox", "directory:mail_outbox", "mail recorded in the outbox, newest first")
    outbox.add_argument("--limit", type=positive_int, default=20, metavar="N")


def _qr(b: Builder, commands: Any) -> None:
    qr = b.sub(commands, "qr", "admin:qr", "draw a QR code, or save it as SVG/PNG")
    qr.add_argument("text", metavar="TEXT")
    out = qr.add_mutually_exclusive_group()
    out.add_argument("--svg", metavar="FILE", help="save as SVG")
    out.add_argument("--png", metavar="FILE", help="save as PNG")
    qr.add_argument("--size", type=png_size, metavar="N", help=f"PNG width in pixels, at most {QR_MAX_PNG_SIZE} (with --png)")


def _config(b: Builder, commands: Any) -> None:
    config = b.sub(commands, "config", None, "where the config is, what it says, whether it works")
    config_actions = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    b.sub(config_actions, "path", "admin:config_path", "print the config file's path")
    b.sub(config_actions, "show", "admin:config_show", "print the config (secrets hidden)")
    b.sub(config_actions, "check", "admin:config_check", "check the config and try each tenant")


def _tenant(b: Builder, commands: Any) -> None:
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


def _demo(b: Builder, commands: Any) -> None:
    demo = b.sub(commands, "demo", None, "the embedded demo site")
    demo_actions = demo.add_subparsers(dest="action", metavar="ACTION", required=True)
    b.sub(demo_actions, "reset", "admin:demo_reset", "restore the demo site's data (demo tenants only)")


def _site(b: Builder, commands: Any) -> None:
    site = b.sub(commands, "site", None, "a local site's file")
    site_actions = site.add_subparsers(dest="action", metavar="ACTION", required=True)
    reset = b.sub(
        site_actions, "reset", "admin:site_reset",
        "delete every row of a local site, after a backup (--tenant NAME --confirm NAME)",
    )
    reset.add_argument("--confirm", metavar="NAME", help="the tenant's name again, to confirm")


def _kiosk(b: Builder, commands: Any) -> None:
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


def _serve(b: Builder, commands: Any) -> None:
    serve = b.sub(commands, "serve", "serve:serve", "serve the console or a kiosk to a web browser (textual-serve)")
    serve.add_argument("--kiosk", choices=("lobby", "panel"), help="serve a locked-down kiosk instead of the console")
    serve.add_argument("--room", metavar="ROOM", help="--kiosk panel: the room's id or email (default: kiosk.room)")
    serve.add_argument("--building", metavar="ZONE", help="--kiosk lobby: the building zone (default: kiosk.building)")
    serve.add_argument("--name", metavar="TEXT", default="", help="--kiosk lobby: the building's name, shown on the welcome screen")
    serve.add_argument("--host", metavar="HOST", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", metavar="PORT", type=tcp_port, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--public-url", metavar="URL", help="the address browsers use, when behind a proxy (e.g. https://panel.example)")


def _provider_commands(name: str) -> Callable[[Builder, Any], None]:
    """``staffterm <provider> COMMAND``, built from the provider's declared raw commands."""

    def add(b: Builder, commands: Any) -> None:
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
COMMANDS: dict[str, Callable[[Builder, Any], None]] = {
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


def all_commands() -> dict[str, Callable[[Builder, Any], None]]:
    """The fixed commands, then one per provider that declares raw commands (the registry says which)."""
    from staffterm.backends.registry import providers_with_commands

    return {**COMMANDS, **{name: _provider_commands(name) for name in providers_with_commands()}}
