"""``staffterm <provider> …``: a provider's raw commands (its declared ``COMMANDS``, see
``backends/registry.py``) on a tenant of that provider — today ``staffterm placeos …``, the
PlaceOS Staff API driver's commands.

Each command calls the raw client method it names and prints what the provider answered (JSON,
epoch seconds as PlaceOS sends them), so integrators can script exactly what the provider's own
driver does. Times typed without an offset are read in the building's zone, found from the
parameters the drivers name places with (``zone_id``/``zones``, ``system_id``/``systems``,
``booking_id``, ``time_zone``).
"""

from __future__ import annotations

import inspect
import json
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from staffterm.backends.commands import DriverCommand
from staffterm.backends.registry import command_table, provider_label
from staffterm.cli.context import CommandContext, Places
from staffterm.cli.output import emit_block, emit_json, emit_line, emit_table
from staffterm.cli.provider_args import call_arguments
from staffterm.cli.times import TimeArg
from staffterm.errors import InvalidInputError

if TYPE_CHECKING:
    from staffterm.backends.base import Backend


def _command(provider: str, name: str) -> DriverCommand:
    return next(command for command in command_table(provider) if command.name == name)


def list_commands(ctx: CommandContext) -> int:
    COMMANDS = command_table(ctx.args.command_provider)
    if ctx.json:
        emit_json(
            [
                {
                    "name": c.name, "api": c.api, "help": c.help, "writes": c.writes, "in_seed_driver": c.in_seed,
                    "params": [{"name": p.name, "kind": p.kind, "required": p.required} for p in c.params],
                }
                for c in COMMANDS
            ]
        )
        return 0
    rows = [
        (c.name, c.api.rpartition(":")[2], c.help, " ".join(f"--{p.name}" + ("" if p.required else "?") for p in c.params))
        for c in COMMANDS
    ]
    emit_table(("COMMAND", "API", "WHAT", "PARAMETERS (? = optional)"), rows, empty="No commands.")
    return 0


async def run_command(ctx: CommandContext) -> int:
    provider = ctx.args.command_provider
    command = _command(provider, ctx.args.driver_spec)
    kwargs = call_arguments(ctx.args, command)
    name, settings = ctx.config.tenant(ctx.requested_tenant)
    if settings.provider != provider:
        raise InvalidInputError(
            f"tenant {name!r} uses the {settings.provider} provider; `staffterm {provider}` needs a "
            f"{provider_label(provider)} tenant",
            field="tenant",
            hint="Pick one with --tenant NAME (see `staffterm tenant list`).",
        )
    async with ctx.backend() as backend:
        kwargs = await resolve_times(ctx, backend, kwargs, command)
        result = getattr(_api(ctx, backend, command), command.method)(**kwargs)
        if inspect.isawaitable(result):
            result = await result
    if command.warning:
        ctx.warn(command.warning)
    _print(ctx, result)
    return 0


def _api(ctx: CommandContext, backend: Backend, command: DriverCommand) -> Any:
    """The object serving the command: the backend's raw client it names, or — ``module:factory``
    — one built above the backend (the project's QR and mail-template code) from it and the config."""
    module_name, colon, factory = command.api.partition(":")
    if not colon:
        return getattr(backend, command.api)
    import importlib

    return getattr(importlib.import_module(module_name), factory)(backend, ctx.config)


async def resolve_times(
    ctx: CommandContext, backend: Backend, kwargs: dict[str, Any], command: DriverCommand | None = None
) -> dict[str, Any]:
    """Times typed without an offset (or as a bare date: its midnight) in epoch seconds, read in
    the building's zone as the README promises; what was read where is said on stderr."""
    typed = {name: value for name, value in kwargs.items() if isinstance(value, TimeArg)}
    if not typed:
        return kwargs
    from staffterm.cli.times import resolve_start

    tz, where = await _command_tz(backend, _places_named(command, kwargs))
    notes: list[str] = []
    resolved = {name: int(resolve_start(arg, tz, notes).timestamp()) for name, arg in typed.items()}
    ctx.say_zone(tz, where, *typed.values())
    for line in notes:
        ctx.note(line)
    return {**kwargs, **resolved}


# What place a parameter names when its command's table does not say (``Param.place``): the
# names the PlaceOS driver gives them.
PLACE_BY_NAME = {"time_zone": "time_zone", "timezone": "time_zone", "zones": "zone", "zone_id": "zone",
                 "systems": "room", "system_id": "room", "booking_id": "booking"}


def _places_named(command: DriverCommand | None, kwargs: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """The values given for parameters that name a place, by kind, in the table's order:
    {"zone": [("zone_id", "zone-1")], "room": [...], ...}."""
    declared = {p.name: p.place for p in command.params} if command is not None else {}
    found: dict[str, list[tuple[str, str]]] = {}
    for name, value in kwargs.items():
        kind = declared.get(name) or PLACE_BY_NAME.get(name)
        if not kind or value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip():
                found.setdefault(kind, []).append((name, item.strip()))
    return found


async def _command_tz(backend: Backend, named: dict[str, list[tuple[str, str]]]) -> tuple[tzinfo | None, str | None]:
    """The building a driver command is about: the time zone it names, else its zones, zone,
    rooms (a room's mailbox among them; a person's is passed over) or booking, else the site's
    only time zone, else the tenant's own ``time_zone``; ``None`` when none of these."""
    for param, value in named.get("time_zone", [])[:1]:
        from zoneinfo import ZoneInfo

        try:
            return ZoneInfo(value), f"as --{param} says"
        except (ValueError, OSError):
            raise InvalidInputError(
                f"{value!r} is not an IANA time zone", field=param, hint="Use a name such as Europe/London."
            ) from None
    places = Places(backend)
    zones = [value for _, value in named.get("zone", [])]
    if zones:
        tz = await places.tz_for_zones(zones)
        if tz is not None:
            return tz, f"the zone of {', '.join(zones)}"
    for _, value in named.get("room", []):
        room = await places.find_room(value)
        if room is not None:
            tz = await places.tz_for_room(room)
            if tz is not None:
                return tz, f"the building of {value}"
    for _, value in named.get("booking", [])[:1]:
        booking = await backend.get_booking(value)
        tz = await _booking_zone(places, booking)
        if tz is not None:
            return tz, f"the zone of booking {booking.id}"
    tz = await places.site_tz()
    if tz is not None:
        return tz, "the time zone of every building on this site"
    return _tenant_tz(backend)


def _tenant_tz(backend: Backend) -> tuple[tzinfo | None, str | None]:
    """The tenant's own ``time_zone`` setting (the buildings' zone where their rooms say none)."""
    name = getattr(getattr(backend, "settings", None), "time_zone", None)
    if not isinstance(name, str) or not name:
        return None, None
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name), "the tenant's time_zone setting"
    except (ValueError, OSError):
        return None, None


async def _booking_zone(places: Places, booking: Any) -> tzinfo | None:
    if booking.timezone:
        from zoneinfo import ZoneInfo

        try:
            return ZoneInfo(booking.timezone)
        except (ValueError, OSError):
            pass
    return await places.tz_for_zones(booking.zones)


def _print(ctx: CommandContext, result: Any) -> None:
    if ctx.json:
        emit_json(result)
        return
    if result is None:
        emit_line("done")
    elif isinstance(result, str):
        emit_line(result)
    else:
        emit_block(json.dumps(result, indent=2, ensure_ascii=False, sort_keys=True))
