"""The PlaceOS backend and client against the fake made as strict as the real Staff API on events
and guests: the guests index's parameters, a whole-event PATCH, the two 404s of DELETE /events,
check-in/out that write first, and 405 refusals in plain words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from staffterm.backends.placeos.backend import PlaceOSBackend
from staffterm.clock import FrozenClock
from staffterm.config.models import PlaceOSSettings
from tests.fakes.placeos.server import FakePlaceOS

SYD = ZoneInfo("Australia/Sydney")
NOW = datetime(2026, 3, 2, 9, 45, tzinfo=SYD).astimezone(UTC)
STAFF = "/api/staff/v1"


def syd(hhmm: str, day: int = 0) -> datetime:
    h, m = (int(p) for p in hhmm.split(":"))
    return datetime(2026, 3, 2 + day, h, m, tzinfo=SYD).astimezone(UTC)


DAY_START, DAY_END = syd("00:00"), syd("00:00", 1)


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def fake() -> FakePlaceOS:
    return FakePlaceOS(now=NOW)


@pytest.fixture
async def backend(fake, tmp_path):
    settings = PlaceOSSettings.model_validate(
        {"provider": "placeos", "base_url": "https://placeos.test", "api_key": FakePlaceOS.API_KEY})
    b = PlaceOSBackend("acme", settings, clock=FrozenClock(NOW), transport=fake.transport(),
                       token_dir=tmp_path / "tokens", sleep=_no_sleep)
    warnings: list[str] = []
    b.warning_sink = warnings.append
    async with b:
        b.test_warnings = warnings  # type: ignore[attr-defined]
        yield b
    assert not fake.server_errors, fake.server_errors


def guests_requests(fake: FakePlaceOS) -> list[httpx.Request]:
    return [r for r in fake.requests if r.url.path == f"{STAFF}/guests" and r.method == "GET"]


# --------------------------------------------------------------------------- 1. expected guests


async def test_a_building_lists_its_meeting_visitors_and_visitor_bookings(backend, fake):
    guests = {g.email: g for g in await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")}
    assert {"sam.client@partner.example", "jane.visitor@example.com"} <= set(guests)
    sam = guests["sam.client@partner.example"]
    # The index hands back the raw calendar event (no system): the room comes from its attendees.
    assert sam.id.startswith("event:sys-ada:") and sam.host_email == "grace.hopper@acme.example"
    assert "zone-syd" in sam.zone_ids
    [asked] = guests_requests(fake)
    assert asked.url.params["zone_ids"] == "zone-syd" and "zones" not in asked.url.params


async def test_the_whole_site_lists_meeting_visitors_and_every_visitor_booking(backend, fake):
    fake.state.bookings[1004]["zones"] = []  # a visitor booking filed under no zone still shows
    guests = {g.email: g for g in await backend.query_guests(start=DAY_START, end=DAY_END)}
    assert {"sam.client@partner.example", "jane.visitor@example.com", "omar.guest@example.org",
            "li.wei@example.net"} <= set(guests)
    assert guests["jane.visitor@example.com"].booking_id == "1004"


async def test_a_cancelled_visitor_booking_is_not_expected(backend, fake):
    # The index does not filter deleted bookings out (guests.cr index): the backend must.
    fake.state.bookings[1004]["deleted"] = True
    guests = {g.email for g in await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")}
    assert "jane.visitor@example.com" not in guests and "omar.guest@example.org" in guests
