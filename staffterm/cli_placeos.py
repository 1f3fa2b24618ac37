"""``staffterm placeos …``: the PlaceOS Staff API driver's commands on a PlaceOS tenant.

Each command calls the raw client method of the same name and prints what PlaceOS answered
(JSON, epoch seconds as PlaceOS sends them), so integrators can script exactly what the
Backoffice driver does.
"""

from __future__ import annotations

import json
from typing import Any

from staffterm.backends.placeos.commands import BY_NAME, COMMANDS
from staffterm.cli_context import CommandContext
from staffterm.cli_output import emit_block, emit_json, emit_line, emit_table
from staffterm.cli_placeos_args import call_arguments
from staffterm.errors import InvalidInputError


def list_commands(ctx: CommandContext) -> int:
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
    command = BY_NAME[ctx.args.driver_spec]
    kwargs = call_arguments(ctx.args, command)
    name, settings = ctx.config.tenant(ctx.requested_tenant)
    if settings.provider != "placeos":
        raise InvalidInputError(
            f"tenant {name!r} uses the {settings.provider} provider; `staffterm placeos` needs a PlaceOS tenant",
            field="tenant",
            hint="Pick one with --tenant NAME (see `staffterm tenant list`).",
        )
    async with ctx.backend() as backend:
        api: Any = getattr(backend, command.api)
        result = await getattr(api, command.method)(**kwargs)
    _print(ctx, result)
    return 0


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
