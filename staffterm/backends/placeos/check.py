"""Trying a PlaceOS tenant, step by step: the seed's "test configuration" (server, sign-in,
zones, the Staff API tenant), then the extras the console can do without.

Each step is separate so ``staffterm config check`` can say what works and what is missing:
a PlaceOS without an optional route (the booking limits, the levels' desk lists) is still a
usable tenant. The needed steps fail in plain words: a wrong URL (``ConfigError`` naming
base_url), an unreachable host (``UnavailableError``), a refused key or password
(``AuthError``), a domain with no Staff API tenant (``ConfigError``, HTTP 501).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from staffterm.backends.base import CheckStep
from staffterm.backends.placeos.backend_core import gather_all
from staffterm.errors import NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from staffterm.backends.placeos.backend import PlaceOSBackend


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def check_steps(backend: PlaceOSBackend) -> list[CheckStep]:
    found: dict[str, list[Any]] = {}

    async def server() -> list[str]:
        return [await backend._check_server()]

    async def sign_in() -> list[str]:
        try:
            me = await backend.engine.current_user()
        except (PermissionDeniedError, NotFoundError):
            # A service key may not read an account of its own, and an engine without
            # /users/current has none to read: the zone listing proves the credentials.
            found["buildings"] = await backend.engine.all_zones(tags="building")
            return [f"signed in with the {backend.auth_kind}"]
        name = str(me.get("name") or "").strip() if isinstance(me, dict) else ""
        email = str(me.get("email") or "").strip() if isinstance(me, dict) else ""
        who = f"{name} <{email}>" if name and email else (name or email or "an unnamed account")
        return [f"signed in as {who} ({backend.auth_kind})"]

    async def buildings() -> list[str]:
        if "buildings" not in found:
            found["buildings"] = await backend.engine.all_zones(tags="building")
        return []

    async def staff_tenant() -> list[str]:
        # Every Staff API route that reads the tenant answers 501 for a domain without one
        # (PlaceOS/staff-api src/controllers/utilities/multi_tenant.cr, current_tenant); the
        # bookings index is the route the console's Bookings screen reads.
        await backend.staff.query_bookings("desk", limit=20)
        return ["Staff API tenant configured"]

    async def limits() -> list[str]:
        # PlaceOS/staff-api src/controllers/tenants.cr, current_limits: {type: count}, may be empty.
        answer = await backend.staff.current_limits()
        if isinstance(answer, dict) and answer:
            return ["booking limits: " + ", ".join(f"{k} {v}" for k, v in sorted(answer.items()))]
        return ["no booking limits"]

    async def desk_lists() -> list[str]:
        ids = [str(b["id"]) for b in found.get("buildings") or [] if isinstance(b, dict) and b.get("id")]
        if not ids:
            return []
        # What the Bookings screen reads for desk names: each building's levels' desks metadata.
        per_building = await gather_all(*(backend.list_assets(type="desk", zone_id=zone_id) for zone_id in ids))
        desks = {desk.id for listed in per_building for desk in listed}
        return [f"desk lists readable ({_plural(len(desks), 'desk')})"]

    async def rooms() -> list[str]:
        count = len(await backend.list_rooms())
        return [f"{_plural(len(found.get('buildings') or []), 'building')}, {_plural(count, 'room')}"]

    return [
        CheckStep("the PlaceOS server", server),
        CheckStep("sign-in", sign_in),
        CheckStep("the building list", buildings),
        CheckStep("the Staff API tenant", staff_tenant),
        CheckStep("booking limits", limits, needed=False,
                  without="limits are not shown before booking (PlaceOS still enforces them)"),
        CheckStep("desk lists", desk_lists, needed=False, without="the console shows desk ids instead of names"),
        CheckStep("rooms", rooms),
    ]
