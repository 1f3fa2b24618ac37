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
        (c.name, c.api, c.help, " ".join(f"--{p.name}" + ("" if p.required else "?") for p in c.params)) for c in COMMANDS
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
        kwargs = await resolve_times(ctx, backend, kwargs)
        api: Any = getattr(backend, command.api)
        result = await getattr(api, command.method)(**kwargs)
    _print(ctx, result)
    return 0


async def resolve_times(ctx: CommandContext, backend: Backend, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Times typed without an offset (or as a bare date: its midnight) in epoch seconds, read in
    the building's zone as the README promises; what was read where is said on stderr."""
    typed = {name: value for name, value in kwargs.items() if isinstance(value, TimeArg)}
    if not typed:
        return kwargs
    from staffterm.cli.times import resolve_start

    tz, where = await _command_tz(backend, kwargs)
    notes: list[str] = []
    resolved = {name: int(resolve_start(arg, tz, notes).timestamp()) for name, arg in typed.items()}
    ctx.say_zone(tz, where, *typed.values())
    for line in notes:
        ctx.note(line)
    return {**kwargs, **resolved}


async def _command_tz(backend: Backend, kwargs: dict[str, Any]) -> tuple[tzinfo | None, str | None]:
    """The building a driver command is about: the time zone it names, else its zones, zone,
    rooms (systems) or booking, else the site's only time zone; ``None`` when none of these."""
    named = kwargs.get("time_zone") or kwargs.get("timezone")
    if isinstance(named, str) and named.strip():
        from zoneinfo import ZoneInfo

        try:
            return ZoneInfo(named.strip()), "as --time_zone says"
        except (ValueError, OSError):
            raise InvalidInputError(
                f"{named!r} is not an IANA time zone", field="time_zone", hint="Use a name such as Europe/London."
            ) from None
    places = Places(backend)
    zones = list(kwargs.get("zones") or []) + ([kwargs["zone_id"]] if kwargs.get("zone_id") else [])
    if zones:
        tz = await places.tz_for_zones(zones)
        if tz is not None:
            return tz, f"the zone of {', '.join(zones)}"
    systems = list(kwargs.get("systems") or []) + ([kwargs["system_id"]] if kwargs.get("system_id") else [])
    if systems:
        tz = await places.tz_for_rooms(systems)
        if tz is not None:
            return tz, f"the building of {systems[0]}"
    if kwargs.get("booking_id"):
        booking = await backend.get_booking(str(kwargs["booking_id"]))
        tz = await _booking_zone(places, booking)
        if tz is not None:
            return tz, f"the zone of booking {booking.id}"
    tz = await places.site_tz()
    return (tz, "the time zone of every building on this site") if tz is not None else (None, None)


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
