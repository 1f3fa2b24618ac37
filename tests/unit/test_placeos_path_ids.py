"""An id is one path segment, whatever it holds: a hostile id never reaches another route.

``--booking_id ../../../engine/v2/zones`` must ask for a booking of that (odd) id, or be
refused; it must never list zones, read the Staff API's build info or another item's guests.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from staffterm.backends.placeos.auth import ApiKeyAuth
from staffterm.backends.placeos.engine import EngineAPI, seg
from staffterm.backends.placeos.staff import StaffAPI
from staffterm.backends.placeos.wire_errors import placeos_error
from staffterm.errors import InvalidInputError, StafftermError
from staffterm.http.client import HttpClient, RetryPolicy
from tests.fakes.placeos.server import FakePlaceOS

HOSTILE = [
    "../../../engine/v2/zones", "..", ".", "../guests", "./..", "1/../../events", "1?system_id=x", "1#frag",
    "%2e%2e", "..%2F..%2Fengine", "a b", "\u2025", "1;x=2", "\\..\\..",
]


@pytest.fixture
def fake() -> FakePlaceOS:
    return FakePlaceOS(now=datetime(2025, 3, 10, tzinfo=UTC))


def clients(fake: FakePlaceOS) -> tuple[EngineAPI, StaffAPI]:
    async def no_sleep(_s: float) -> None:
        return None

    http = HttpClient(base_url=fake.base_url, provider="PlaceOS", auth=ApiKeyAuth(FakePlaceOS.API_KEY),
                      error_mapper=placeos_error, transport=fake.transport(), retry=RetryPolicy(max_attempts=1),
                      sleep=no_sleep)
    return EngineAPI(http), StaffAPI(http, clock=fake.now)


# (what it calls, the path it must stay on, how many segments that path has)
CALLS = [
    (lambda e, s, i: s.get_booking(i), "/api/staff/v1/bookings/", 5),
    (lambda e, s, i: s.booking_delete(i), "/api/staff/v1/bookings/", 5),
    (lambda e, s, i: s.booking_guests(i), "/api/staff/v1/bookings/", 6),
    (lambda e, s, i: s.approve(i), "/api/staff/v1/bookings/", 6),
    (lambda e, s, i: s.booking_guest_check_in("1", i), "/api/staff/v1/bookings/1/guests/", 8),
    (lambda e, s, i: s.get_event(i, system_id="sys-1"), "/api/staff/v1/events/", 5),
    (lambda e, s, i: s.delete_event("sys-1", i), "/api/staff/v1/events/", 5),
    (lambda e, s, i: s.guest_details(i), "/api/staff/v1/guests/", 5),
    (lambda e, s, i: s.delete_guest(i), "/api/staff/v1/guests/", 5),
    (lambda e, s, i: s.group_members(i), "/api/staff/v1/groups/", 6),
    (lambda e, s, i: e.get_system(i), "/api/engine/v2/systems/", 5),
    (lambda e, s, i: e.zone(i), "/api/engine/v2/zones/", 5),
    (lambda e, s, i: e.metadata(i), "/api/engine/v2/metadata/", 5),
    (lambda e, s, i: e.delete_user(i), "/api/engine/v2/users/", 5),
]


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_a_hostile_id_never_reaches_another_route_of_the_fake(fake: FakePlaceOS, hostile: str) -> None:
    engine, staff = clients(fake)
    for call, prefix, segments in CALLS:
        before = len(fake.requests)
        try:
            await call(engine, staff, hostile)
        except InvalidInputError:
            assert len(fake.requests) == before, "an id refused as invalid must send nothing"
            continue
        except StafftermError:
            pass  # "no such booking" is the right answer; what matters is where it was asked
        for request in fake.requests[before:]:
            raw = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
            assert raw.startswith(prefix), f"{hostile!r} sent {request.method} {raw}, off {prefix}"
            assert raw.count("/") == segments, f"{hostile!r} changed the route: {request.method} {raw}"
    assert fake.server_errors == []


def test_an_id_of_only_dots_is_refused_as_a_path_segment() -> None:
    for dots in (".", "..", " .. ", "..."[:2]):
        with pytest.raises(InvalidInputError):
            seg(dots, "booking id")


def test_ordinary_ids_are_kept_readable() -> None:
    assert seg("zone-abc_1") == "zone-abc_1"
    assert seg("ada@example.com") == "ada@example.com"
    assert seg(42) == "42"
    assert seg("AAMkAGI2T=") == "AAMkAGI2T%3D"
    assert httpx.URL("https://p.test/x/" + seg("a/b")).raw_path == b"/x/a%2Fb"
