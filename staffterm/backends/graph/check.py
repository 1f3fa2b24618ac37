"""Trying a Microsoft 365 tenant, step by step: sign-in (AADSTS failures in plain words, with
what to do in the Azure portal), the Places API, free/busy, the directory, mail."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from staffterm.backends.base import CheckStep

if TYPE_CHECKING:
    from staffterm.backends.graph.backend import GraphBackend


def check_steps(backend: GraphBackend) -> list[CheckStep]:
    async def sign_in() -> list[str]:
        await backend.open()
        auth = backend.auth
        if hasattr(auth, "token"):
            await auth.token(backend.http)
        else:
            await auth.headers(backend.http)
        how = {"app": "app-only (client credentials)", "device_code": "device code",
               "token_command": "token_command"}.get(getattr(auth, "kind", ""), "")
        return [f"signed in to {backend.settings.tenant_id} at {backend.settings.authority_host} ({how})"]

    async def places() -> list[str]:
        zones, rooms = await backend.estate(refresh=True)
        bookable = sum(1 for r in rooms.values() if r.bookable)
        return [f"{len(zones)} zones, {len(rooms)} rooms ({bookable} bookable) from the Places API"]

    async def free_busy() -> list[str]:
        _, rooms = await backend.estate()
        if not rooms:
            return ["no rooms to read free/busy of"]
        now = backend.clock.now()
        first = next(iter(rooms))
        await backend.free_busy(now, now + timedelta(hours=1), room_ids=[first])
        return ["free/busy readable (getSchedule)"]

    async def directory() -> list[str]:
        users = await backend.list_users(limit=1)
        return [f"directory readable ({'a user' if users else 'no users'} found)"]

    return [
        CheckStep("sign-in", sign_in),
        CheckStep("rooms (Places API)", places),
        CheckStep("free/busy", free_busy),
        CheckStep("the directory", directory, needed=False,
                  without="people search, hosts and groups are not shown (User.Read.All missing)"),
    ]
