"""``staffterm serve``: the console or a kiosk in a web browser (a tablet by a door), through
textual-serve.

textual-serve starts one process per browser session from a shell command line
(``textual_serve.app_service.AppService._open_app_process`` runs it with
``asyncio.create_subprocess_shell`` and sets ``TEXTUAL_DRIVER`` to Textual's web driver). That
command is ours: ``python -m staffterm kiosk panel --room …`` (or ``kiosk lobby``, or the
console), with ``--config`` and ``--tenant`` passed through, so a browser kiosk is locked down
exactly like a terminal one and every session gets its own App.

Bound to 127.0.0.1 unless told otherwise: textual-serve has no login of its own, and the console
served to anyone who reaches the port would be the desk's console.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from pathlib import Path
from typing import Any

from staffterm.cli.context import CommandContext
from staffterm.errors import InvalidInputError, StafftermError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
PROXY_WARNING = (
    "serving on {host}, which other machines can reach: textual-serve has no login of its own, so put it "
    "behind a reverse proxy that authenticates (and serves https), and give that address with --public-url"
)


def is_loopback(host: str) -> bool:
    """True when only this machine can reach ``host``."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def session_command(ctx: CommandContext) -> list[str]:
    """The command line textual-serve runs for each browser session."""
    args = ctx.args
    command = [sys.executable, "-m", "staffterm"]
    kiosk = getattr(args, "kiosk", None)
    if kiosk == "panel":
        room = args.room or ctx.config.kiosk.room
        if not room:
            raise InvalidInputError("say which room the served panel shows: --room ROOM (or kiosk.room in the config)", field="room")
        command += ["kiosk", "panel", "--room", room]
    elif kiosk == "lobby":
        config = ctx.config
        building = args.building or config.kiosk.building or config.ui.building
        if not building:
            raise InvalidInputError("say which building the served kiosk stands in: --building ZONE (or kiosk.building in the config)",
                                    field="building")
        command += ["kiosk", "lobby", "--building", building]
        if args.name:
            command += ["--name", args.name]
    elif args.room or args.building or args.name:
        raise InvalidInputError("--room, --building and --name go with --kiosk panel or --kiosk lobby", field="kiosk")
    config_arg = getattr(args, "config", None)
    if config_arg:
        # Absolute: the session's process must read the same file wherever it starts.
        command += ["--config", str(Path(config_arg).expanduser().resolve())]
    if ctx.requested_tenant:
        command += ["--tenant", ctx.requested_tenant]
    return command


def serve(ctx: CommandContext) -> int:
    args = ctx.args
    host: str = args.host
    port: int = args.port
    command = session_command(ctx)
    if not is_loopback(host):
        ctx.warn(PROXY_WARNING.format(host=host))
    try:
        from textual_serve.server import Server
    except ModuleNotFoundError as exc:
        raise StafftermError("serving in a browser needs the textual-serve package",
                             hint="Install it: pip install textual-serve") from exc
    title = {"panel": "Room panel", "lobby": "Visitor check-in"}.get(args.kiosk or "", "staffterm")
    public_url = args.public_url or None
    server: Any = Server(shlex.join(command), host=host, port=port, title=title, public_url=public_url)
    # Blocks until SIGINT/SIGTERM: textual-serve runs its own aiohttp event loop.
    server.serve()
    return 0
