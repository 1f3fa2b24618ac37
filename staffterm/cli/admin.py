"""Admin commands: ``qr``, ``config``, ``tenant``, ``demo``, ``site``."""

from __future__ import annotations

import asyncio
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from staffterm.cli.context import CommandContext
from staffterm.cli.output import can_encode, emit_json, emit_line, emit_table, message
from staffterm.cli.parser import UsageError
from staffterm.errors import InvalidInputError, NotSupportedError

# --------------------------------------------------------------------------- qr


def qr(ctx: CommandContext) -> int:
    from staffterm.services import qr as qr_codes

    args = ctx.args
    if args.size is not None and not args.png:
        raise UsageError("qr: --size only applies with --png FILE", prog="staffterm qr")
    if args.svg or args.png:
        kind = "svg" if args.svg else "png"
        target = Path(args.svg or args.png).expanduser()
        try:
            if kind == "svg":
                written = qr_codes.save_svg(args.text, target)
            else:
                written = qr_codes.save_png(args.text, target, **({"size": args.size} if args.size else {}))
        except OSError as exc:
            raise InvalidInputError(
                f"cannot write {target}: {exc.strerror or exc}", field=kind, hint="Check the folder exists and is writable."
            ) from None
        if ctx.json:
            emit_json({"text": args.text, "format": kind, "path": str(written)})
        else:
            emit_line(f"Saved the QR code as {written}")
        return 0
    if not ctx.json and not can_encode(qr_codes.UPPER_HALF_BLOCK, sys.stdout):
        # Drawn in an ASCII terminal the code would come out as escapes no scanner can read.
        raise InvalidInputError(
            f"this terminal's encoding ({getattr(sys.stdout, 'encoding', None) or 'unknown'}) cannot draw a QR code",
            field="text",
            hint="Save it with --svg FILE or --png FILE, or run in a UTF-8 terminal.",
        )
    code = qr_codes.qr_ansi(args.text)
    if ctx.json:
        emit_json({"text": args.text, "ansi": code})
    else:
        sys.stdout.write(code)
    return 0


# --------------------------------------------------------------------------- config


def config_path(ctx: CommandContext) -> int:
    path = ctx.config_path
    if ctx.json:
        emit_json({"path": str(path), "exists": path.exists()})
    else:
        emit_line(path)
    return 0


def config_show(ctx: CommandContext) -> int:
    from staffterm.config import config_to_display_dict

    shown = config_to_display_dict(ctx.config)
    if ctx.json:
        emit_json(shown)
        return 0
    source = shown.pop("source", None)
    emit_line(f"# {source}" if source else f"# no config file at {ctx.config_path}: the built-in demo site")
    for line in _display_lines(shown):
        emit_line(line)
    return 0


def _display_lines(data: dict[str, Any], prefix: str = "") -> Iterable[str]:
    """TOML-shaped lines: plain keys first, then one ``[section]`` per table."""
    plain = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    for key, value in plain.items():
        yield f"{key} = {_display_value(value)}"
    for key, value in tables.items():
        name = f"{prefix}{key}"
        if any(not isinstance(v, dict) for v in value.values()):
            yield ""
            yield f"[{name}]"
        yield from _display_lines(value, prefix=f"{name}.")


def _display_value(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(not set)"
    if isinstance(value, list):
        return "[" + ", ".join(_display_value(v) for v in value) + "]"
    return str(value)


async def config_check(ctx: CommandContext) -> int:
    from staffterm.config import check_config

    config = ctx.config
    problems = check_config(config)
    names = [ctx.tenant_name] if ctx.requested_tenant else list(config.tenants)
    results = await asyncio.gather(*(_check_tenant(ctx, name) for name in names))
    failed = [r for r in results if not r["ok"]]
    errors = [p for p in problems if p.severity == "error"]
    if ctx.json:
        emit_json({"path": str(ctx.config_path), "problems": problems, "tenants": results, "ok": not failed and not errors})
    else:
        source = config.source or f"{ctx.config_path} (not found: the built-in demo site)"
        emit_line(f"config: {source}")
        for problem in problems:
            emit_line(f"{problem.severity}: {problem}")
        for result in results:
            if result["ok"]:
                detail = "; ".join(result["lines"])
                emit_line(f"{result['tenant']} ({result['provider']}): ok" + (f" - {detail}" if detail else ""))
            else:
                emit_line(f"{result['tenant']} ({result['provider']}): failed - {result['message']}")
                if result["lines"]:
                    emit_line(f"  works: {'; '.join(result['lines'])}")
            for missing in result.get("missing", []):
                emit_line(f"  missing: {missing}")
    if failed or errors:
        what = [f"{len(failed)} of {len(results)} tenants failed ({', '.join(r['tenant'] for r in failed)})"] if failed else []
        what += [f"{len(errors)} config errors"] if errors else []
        sys.stderr.write(f"staffterm: config check failed: {message('; '.join(what))}\n")
        return 1
    return 0


async def _check_tenant(ctx: CommandContext, name: str) -> dict[str, Any]:
    from staffterm.services.tenant_check import check_tenant

    return (await check_tenant(ctx.config, name, clock=ctx.clock)).to_json_dict()


# --------------------------------------------------------------------------- tenants


def tenant_list(ctx: CommandContext) -> int:
    from staffterm.config import config_to_display_dict

    config = ctx.config
    shown = config_to_display_dict(config).get("tenants", {})
    entries = [
        {
            "name": name,
            "provider": settings.provider,
            "default": name == config.default_tenant,
            "settings": shown.get(name, {}),
        }
        for name, settings in config.tenants.items()
    ]
    if ctx.json:
        emit_json(entries)
        return 0
    from staffterm.services.tenant_check import tenant_location

    rows = [
        (e["name"], e["provider"], "yes" if e["default"] else "", tenant_location(config.tenants[e["name"]]))
        for e in entries
    ]
    emit_table(("NAME", "PROVIDER", "DEFAULT", "WHERE"), rows, empty="No tenants.")
    return 0


def setting_value(text: str) -> Any:
    """A ``--set`` value: any TOML value (``true``, ``30``, ``{ env = "NAME" }``), else a plain string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:  # tomllib recurses per nesting level; no setting nests this deep
        raise UsageError("tenant add: a --set value is nested too deeply", prog="staffterm tenant add") from None


def tenant_add(ctx: CommandContext) -> int:
    from staffterm.config import add_tenant

    args = ctx.args
    settings: dict[str, Any] = {}
    for key, raw in args.settings:
        if key in settings:
            raise UsageError(f"tenant add: --set {key}=… is given twice", prog="staffterm tenant add")
        settings[key] = setting_value(raw)
    config = add_tenant(ctx.config_path, args.name, args.provider, settings)
    if ctx.json:
        emit_json({"name": args.name, "provider": args.provider, "path": str(ctx.config_path), "tenants": list(config.tenants)})
    else:
        emit_line(f"Added tenant {args.name} ({args.provider}) to {ctx.config_path}.")
        emit_line(f"Try it with: staffterm --tenant {args.name} config check")
    return 0


def tenant_remove(ctx: CommandContext) -> int:
    from staffterm.config import remove_tenant

    name = ctx.args.name
    config = remove_tenant(ctx.config_path, name)
    if ctx.json:
        emit_json({"name": name, "removed": True, "path": str(ctx.config_path), "tenants": list(config.tenants)})
    else:
        emit_line(f"Removed tenant {name} from {ctx.config_path}.")
    return 0


async def tenant_sign_in(ctx: CommandContext) -> int:
    """Device-code sign-in: the code and the page to enter it on go to stderr (also with --json)."""
    name = ctx.args.name
    backend: Any = ctx.backend(name)
    if not callable(getattr(backend, "sign_in", None)):
        provider = ctx.config.tenant(name)[1].provider
        raise NotSupportedError(f"tenant {name!r} ({provider}) has no interactive sign-in", capability="sign_in")

    def show(code: str, url: str, text: str) -> None:
        print(message(text or f"Open {url} and enter the code {code}"), file=sys.stderr, flush=True)

    async with backend:
        account = await backend.sign_in(show)
    if ctx.json:
        emit_json({"tenant": name, "signed_in": True, "account": account})
    else:
        emit_line(f"Signed in to tenant {name} as {account}.")
    return 0


# --------------------------------------------------------------------------- demo


def _local_tenant(ctx: CommandContext, command: str) -> tuple[str, Any]:
    name, settings = ctx.config.tenant(ctx.requested_tenant)
    if settings.provider != "local":
        # Refused before opening anything: a remote tenant's data is never "reset".
        raise NotSupportedError(
            f"{command} only works on a local tenant; tenant {name!r} uses the {settings.provider} provider",
            capability="demo",
            hint="Pick a local tenant with --tenant NAME (see `staffterm tenant list`).",
        )
    return name, settings


async def demo_reset(ctx: CommandContext) -> int:
    name, settings = _local_tenant(ctx, "demo reset")
    if not settings.demo:
        # A real office's bookings, rooms and people are never wiped by a demo command; the
        # explicit, confirmed `site reset` is the way to start a real site over.
        raise NotSupportedError(
            f"tenant {name!r} is not a demo site (its config does not say demo = true); "
            "demo reset would wipe its real bookings, rooms and people, so nothing was changed",
            capability="demo",
            hint=f"To start this site over, run `staffterm site reset --tenant {name} --confirm {name}` "
            "(a backup of the file is kept).",
        )
    backend: Any = ctx.backend()
    async with backend:
        await backend.reset_demo()
        rooms = await backend.list_rooms()
    if ctx.json:
        emit_json({"tenant": name, "reset": True, "rooms": len(rooms)})
    else:
        emit_line(f"Reset the demo site of tenant {name}: {len(rooms)} rooms, today's meetings and guests restored.")
    return 0


# --------------------------------------------------------------------------- site


async def site_reset(ctx: CommandContext) -> int:
    """Start a local site over: every row deleted after a backup; needs the tenant named twice."""
    prog = "staffterm site reset"
    if not ctx.requested_tenant:
        raise UsageError("name the site to reset with --tenant NAME (the default tenant is never assumed)", prog=prog)
    confirm = ctx.args.confirm
    if confirm is None:
        raise UsageError(f"confirm with --confirm {ctx.requested_tenant} (the tenant's name again); nothing was changed", prog=prog)
    if confirm != ctx.requested_tenant:
        raise UsageError(
            f"--confirm {confirm!r} does not match the tenant {ctx.requested_tenant!r}; nothing was changed", prog=prog
        )
    name, settings = _local_tenant(ctx, "site reset")
    backend: Any = ctx.backend()
    async with backend:
        backup = await backend.reset_site()
        rooms = await backend.list_rooms()
    if ctx.json:
        emit_json({"tenant": name, "reset": True, "demo": bool(settings.demo), "backup": str(backup), "rooms": len(rooms)})
    else:
        after = f"the demo site was seeded again ({len(rooms)} rooms)" if settings.demo else "the site is now empty"
        emit_line(f"Reset the local site of tenant {name}: every row deleted, {after}.")
        emit_line(f"backup: {backup}")
    return 0
