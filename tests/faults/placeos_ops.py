"""PlaceOS under faults: the backend signed in with a password (so the token endpoint is in the
path), talking to the in-repo fake through the faulty hop; operations a desk makes all day.

Each write carries a marker the fake's state can be searched for, so a run counts how many
times it took effect without asking through the faulty hop.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from staffterm.backends.placeos.backend import PlaceOSBackend
from staffterm.backends.placeos.staff_common import REQUEST_ID_KEY
from staffterm.clock import FrozenClock
from staffterm.config.providers import PlaceOSSettings
from staffterm.models import BookingDraft, BookingPatch, BookingQuery, EventDraft
from tests.fakes.placeos.server import FakePlaceOS
from tests.faults.proxy import FaultPlan, FaultyTransport
from tests.faults.soak import Operation

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ROOMS = ["sys-ada", "sys-babbage", "sys-curie", "sys-darwin", "sys-hopper", "sys-kelvin", "sys-newton"]
TOKEN_PATH = "/auth/oauth/token"


def classify(request: httpx.Request) -> str:
    if request.url.path == TOKEN_PATH:
        return "token endpoint"
    query = parse_qs(request.url.query.decode())
    if query.get("next_page") or any(v != ["0"] for k, v in query.items() if k == "offset"):
        return "later page"
    return ""


async def _no_sleep(_seconds: float) -> None:
    return None


class PlaceOSTarget:
    """``async with PlaceOSTarget(plan, tmp) as target``: a fresh fake and a signed-in backend."""

    def __init__(self, plan: FaultPlan, token_dir: Path) -> None:
        self.fake = FakePlaceOS(now=NOW)
        self.fake.people_page_size = 4  # several pages per directory listing
        plan.classify = classify
        self.transport = FaultyTransport(self.fake.transport(), plan)
        settings = PlaceOSSettings.model_validate({
            "provider": "placeos", "base_url": self.fake.base_url, "username": FakePlaceOS.USERNAME,
            "password": FakePlaceOS.PASSWORD, "client_id": FakePlaceOS.CLIENT_ID,
        })
        self.backend = PlaceOSBackend("soak", settings, clock=FrozenClock(NOW), transport=self.transport,
                                      token_dir=token_dir, sleep=_no_sleep)
        self.made: list[str] = []  # markers of bookings this run asked for
        self.events: list[tuple[str, str]] = []  # (room, marker) of events this run asked for
        self.serial = 0

    async def __aenter__(self) -> PlaceOSTarget:
        await self.backend.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.backend.close()

    # ----------------------------------------------------------------- ground truth

    def _bookings_with(self, marker: str) -> list[dict[str, Any]]:
        return [b for b in self.fake.state.bookings.values()
                if (b.get("extension_data") or {}).get(REQUEST_ID_KEY) == marker]

    def _events_with(self, marker: str) -> list[str]:
        # The fake keeps an event's extension_data in its metadata record, as staff-api does
        # (PlaceOS/staff-api src/controllers/events.cr, create: EventMetadata ext_data).
        return [event_id for (event_id, _system), meta in self.fake.state.event_metadata.items()
                if (meta.get("ext_data") or {}).get(REQUEST_ID_KEY) == marker and event_id in self.fake.state.events]

    # ----------------------------------------------------------------- operations

    def next_operation(self, rng: random.Random, index: int) -> Operation:
        if index % 12 == 11:
            # Tokens revoked server-side: the next call meets a 401 and signs in again.
            self.fake.state.access_tokens.clear()
        self.serial += 1
        live = [m for m in self.made if any(not b["deleted"] for b in self._bookings_with(m))]
        choices = ["create_booking"] * 4 + ["create_event"] * 2 + ["read"] * 4
        if live:
            choices += ["delete_booking"] * 2 + ["retitle_booking"] * 2
        kind = rng.choice(choices)
        if kind == "create_booking":
            return self._create_booking(rng)
        if kind == "create_event":
            return self._create_event(rng)
        if kind == "delete_booking":
            return self._delete_booking(rng.choice(live))
        if kind == "retitle_booking":
            return self._retitle_booking(rng.choice(live))
        return self._read(rng)

    def _create_booking(self, rng: random.Random) -> Operation:
        marker = f"soak-b-{self.serial}"
        day = NOW + timedelta(days=1 + self.serial // 40)
        start = day.replace(hour=1) + timedelta(minutes=15 * (self.serial % 40))
        draft = BookingDraft(type="parking", asset_ids=[f"bay-{self.serial:04d}"], start=start,
                             end=start + timedelta(minutes=30), user_email="ada.lovelace@acme.example",
                             zones=["zone-syd"], title=f"Bay {self.serial}")
        self.made.append(marker)

        async def run() -> None:
            await self.backend.create_booking(draft, idempotency_key=marker)

        return Operation(f"create booking {marker}", run, lambda: len(self._bookings_with(marker)))

    def _delete_booking(self, marker: str) -> Operation:
        booking_id = str(next(b["id"] for b in self._bookings_with(marker) if not b["deleted"]))

        async def run() -> None:
            await self.backend.delete_booking(booking_id)

        def effects() -> int:
            return int(all(b["deleted"] for b in self._bookings_with(marker)))

        return Operation(f"delete booking {booking_id}", run, effects)

    def _retitle_booking(self, marker: str) -> Operation:
        booking_id = str(next(b["id"] for b in self._bookings_with(marker) if not b["deleted"]))
        title = f"Renamed {self.serial}"

        async def run() -> None:
            await self.backend.update_booking(booking_id, BookingPatch(title=title))

        def effects() -> int:
            return int(any(b.get("title") == title for b in self._bookings_with(marker)))

        return Operation(f"retitle booking {booking_id}", run, effects)

    def _create_event(self, rng: random.Random) -> Operation:
        marker = f"soak-e-{self.serial}"
        room = rng.choice(ROOMS)
        start = NOW + timedelta(days=20 + self.serial // 30, minutes=30 * (self.serial % 30))
        draft = EventDraft(title=f"Soak {self.serial}", start=start, end=start + timedelta(minutes=25),
                           host="reception@acme.example", room_ids=[room])
        self.events.append((room, marker))

        async def run() -> None:
            await self.backend.create_event(room, draft, idempotency_key=marker)

        return Operation(f"create event {marker}", run, lambda: len(self._events_with(marker)))

    def _read(self, rng: random.Random) -> Operation:
        which = rng.choice(["zones", "rooms", "people", "bookings", "free_busy"])

        async def run() -> None:
            if which == "zones":
                await self.backend.list_zones()
            elif which == "rooms":
                await self.backend.list_rooms()
            elif which == "people":
                await self.backend.list_users()
            elif which == "bookings":
                await self.backend.query_bookings(BookingQuery(type="parking", start=NOW, end=NOW + timedelta(days=14)))
            else:
                await self.backend.free_busy(NOW, NOW + timedelta(hours=8), room_ids=ROOMS[:3])

        return Operation(f"read {which}", run)
