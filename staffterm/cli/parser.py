"""The command line's grammar (argparse only).

Every subcommand names its handler as ``"module:function"`` inside ``staffterm.cli.<module>``
so ``main`` imports only the code of the command being run. Global options are accepted both
before and after the subcommand: each parser level declares them with ``SUPPRESS`` defaults so
a level that did not see the option cannot overwrite the value another level did see.

Each command's own arguments are in ``commands``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from staffterm import __version__
from staffterm.cli.arg_types import (
    ARGUMENT_FILE_LIMIT,
    LARGEST_NUMBER,
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


def _global_options() -> argparse.ArgumentParser:
    default: Any = argparse.SUPPRESS
    parent = ArgumentParser(add_help=False, allow_abbrev=False)
    group = parent.add_argument_group("global options")
    group.add_argument("--config", metavar="PATH", default=default, help="config file (default: STAFFTERM_CONFIG or the user config dir)")
    group.add_argument("--tenant", metavar="NAME", type=identifier, default=default,
                       help="which configured tenant to use (default: the config's default)")
    group.add_argument("--json", action="store_true", default=default, help="machine-readable output with stable keys")
    return parent


class Builder:
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


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full grammar; given ``argv`` naming a known command, only that command's subtree
    (building all of them is most of the parser's start-up cost, and help and errors for an
    unknown command still get the full list)."""
    b = Builder()
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
    from staffterm.cli.commands import all_commands  # not needed by the console's first paint

    chosen = command_named_in(argv) if argv is not None else None
    for name, add in all_commands().items():
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
            from staffterm.cli.commands import all_commands

            return token if token in all_commands() else None
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


