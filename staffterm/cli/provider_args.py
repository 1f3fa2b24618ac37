"""Arguments of ``staffterm <provider> COMMAND``: one option per driver parameter, parsed by kind.

Options take the driver's parameter names (``--zone_id``) and the dashed spelling
(``--zone-id``). Times accept epoch seconds (what PlaceOS speaks) or ISO 8601 (without an offset:
the building's local time); JSON parameters accept JSON text or ``@file``.
"""

from __future__ import annotations

import argparse
import json
import keyword
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from staffterm.backends.commands import BOOL, INT, JSON, LIST, TIME, DriverCommand, Param
from staffterm.cli.times import TimeArg, parse_time_arg

_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not true or false")


def parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def parse_epoch(text: str) -> int | TimeArg:
    """Epoch seconds, or an ISO 8601 time/date. A time with an offset becomes epoch seconds
    here; one without (or a bare date: its midnight) means the building's local time, so it is
    kept as typed until the command knows the building (``provider.resolve_times``)."""
    raw = text.strip()
    if raw.lstrip("-").isdigit():
        return int(raw)
    try:
        arg = parse_time_arg(raw)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not epoch seconds or an ISO 8601 time") from None
    if isinstance(arg.value, datetime) and arg.value.tzinfo is not None:
        return int(arg.value.timestamp())
    return arg


def parse_json(text: str) -> Any:
    source = text
    if text.startswith("@"):
        # Read with a byte cap: ``@/dev/zero`` is refused after 1 MiB, not read until memory runs out.
        from staffterm.cli.arg_types import read_argument_file

        source = read_argument_file(text[1:])
    try:
        return json.loads(source)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None


def parse_list(text: str) -> list[str]:
    items = [part.strip() for part in text.split(",") if part.strip()]
    if not items:
        raise argparse.ArgumentTypeError("give at least one value (comma-separated)")
    return items


PARSERS: dict[str, Callable[[str], Any]] = {BOOL: parse_bool, INT: parse_int, TIME: parse_epoch, JSON: parse_json, LIST: parse_list}
METAVARS = {BOOL: "true|false", INT: "N", TIME: "EPOCH|ISO", JSON: "JSON|@FILE", LIST: "A,B"}


def _flags(param: Param) -> list[str]:
    names = [param.name, *param.aliases]
    flags: list[str] = []
    for name in names:
        for spelling in (name, name.replace("_", "-")):
            flag = f"--{spelling}"
            if flag not in flags:
                flags.append(flag)
    return flags


def add_params(parser: argparse.ArgumentParser, command: DriverCommand) -> None:
    for param in command.params:
        parser.add_argument(
            *_flags(param),
            dest=f"p_{param.name}",
            type=PARSERS.get(param.kind, str),
            required=param.required,
            metavar=METAVARS.get(param.kind, "TEXT"),
            help=param.help or None,
        )


def add_driver_commands(
    commands: Iterable[DriverCommand], add: Callable[[str, str, list[str]], argparse.ArgumentParser]
) -> None:
    for command in commands:
        dashed = command.name.replace("_", "-")
        parser = add(command.name, command.help, [dashed] if dashed != command.name else [])
        parser.set_defaults(driver_spec=command.name)
        add_params(parser, command)


def call_arguments(args: argparse.Namespace, command: DriverCommand) -> dict[str, Any]:
    """The keyword arguments for the client method: only the options that were given. A
    parameter named with a Python keyword (the Graph API driver's ``from``) is passed as
    ``from_``."""
    given: dict[str, Any] = {}
    for param in command.params:
        value = getattr(args, f"p_{param.name}", None)
        if value is not None:
            given[f"{param.name}_" if keyword.iskeyword(param.name) else param.name] = value
    return given
