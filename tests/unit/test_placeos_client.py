"""The raw PlaceOS client on the wire: parameter names, epoch times, paging, idempotent writes,
206 partial results and the error messages an operator sees. Runs against MockTransport handlers."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from staffterm.backends.placeos.auth import ApiKeyAuth
from staffterm.backends.placeos.engine import EngineAPI, fetch_all_pages
from staffterm.backends.placeos.staff import StaffAPI
from staffterm.backends.placeos.wire_errors import (
    describe_request,
    partial_failure,
    placeos_error,
)
from staffterm.errors import (
    AuthError,
    ConfigError,
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    NotSupportedError,
    PermissionDeniedError,
    UnavailableError,
)
from staffterm.http.client import HttpClient, RetryPolicy
from staffterm.models import Booking

BASE = "https://placeos.example.com"
KEY = "k-secret-123456"
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
T0 = int(NOW.timestamp())


class Recorder:
    """Records requests; answers from a list of (method, path) -> response makers or one function."""

    def __init__(self, handler=None) -> None:
        self.requests: list[httpx.Request] = []
        self.handler = handler or (lambda request: httpx.Response(200, json={}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def params(self, index: int = -1) -> dict[str, str]:
        return dict(self.requests[index].url.params)

    def body(self, index: int = -1):
        return json.loads(self.requests[index].content)


def make(handler=None, *, on_partial=None, attempts: int = 4):
    recorder = handler if isinstance(handler, Recorder) else Recorder(handler)

    async def no_sleep(_s: float) -> None:
        return None

    http = HttpClient(
        base_url=BASE, provider="PlaceOS", auth=ApiKeyAuth(KEY), error_mapper=placeos_error,
        transport=httpx.MockTransport(recorder), retry=RetryPolicy(max_attempts=attempts), sleep=no_sleep,
    )
    return recorder, EngineAPI(http), StaffAPI(http, on_partial=on_partial, clock=lambda: NOW)


def booking_wire(id_: int = 1, **extra) -> dict:
    data = {
        "id": id_, "booking_type": "desk", "booking_start": T0, "booking_end": T0 + 3600, "asset_id": "desk-1",
        "asset_ids": ["desk-1"], "zones": ["zone-level"], "user_email": "ann@example.com", "user_name": "Ann",
        "extension_data": {},
    }
    data.update(extra)
    return data


# --------------------------------------------------------------------------- query parameters


async def test_query_events_maps_zones_and_systems_and_encodes_values():
    rec, _, staff = make(lambda r: httpx.Response(200, json=[{"id": "e1"}]))
    rows = await staff.query_events(
        NOW, NOW + timedelta(hours=1), zones=["zone-a", "zone-b"], systems="sys-1, sys-2", capacity=4,
        features=["vc", "whiteboard"], bookable=True, include_cancelled=False, ical_uid="uid-1",
    )
    assert rows == [{"id": "e1"}]
    assert rec.last.url.path == "/api/staff/v1/events"
    assert rec.params() == {
        "period_start": str(T0), "period_end": str(T0 + 3600), "zone_ids": "zone-a,zone-b", "system_ids": "sys-1,sys-2",
        "capacity": "4", "features": "vc,whiteboard", "bookable": "true", "include_cancelled": "false", "ical_uid": "uid-1",
    }
    assert rec.last.headers["x-api-key"] == KEY


async def test_naive_datetimes_and_backwards_periods_are_refused_before_any_request():
    rec, _, staff = make()
    with pytest.raises(InvalidInputError) as caught:
        await staff.query_events(datetime(2025, 3, 10, 9), datetime(2025, 3, 10, 10))
    assert caught.value.field == "period_start"
    with pytest.raises(InvalidInputError, match="end after it starts"):
        await staff.free_busy(T0, T0)
    with pytest.raises(InvalidInputError):
        await staff.query_events("tomorrow", T0)
    assert rec.requests == []


async def test_free_busy_and_availability_use_the_calendar_routes():
    rec, _, staff = make(lambda r: httpx.Response(204) if "availability" in r.url.path else httpx.Response(200, json=[]))
    await staff.free_busy(T0, T0 + 1800, zones="zone-l1", capacity=6, bookable=True)
    assert rec.last.url.path == "/api/staff/v1/calendars/free_busy"
    assert rec.params() == {"period_start": str(T0), "period_end": str(T0 + 1800), "zone_ids": "zone-l1",
                            "capacity": "6", "bookable": "true"}
    assert await staff.availability(T0, T0 + 1800, systems=["sys-1"], calendars=["a@x.com"]) == []
    assert rec.params() == {"period_start": str(T0), "period_end": str(T0 + 1800), "system_ids": "sys-1",
                            "calendars": "a@x.com"}


async def test_guests_ask_by_zone_ids_and_a_search_needs_no_period():
    # zone_ids, as the driver sends them: the guests index reads meeting visitors only from the
    # room calendars of zone_ids/system_ids; ``zones=`` alone would bring visitor bookings only.
    rec, _, staff = make(lambda r: httpx.Response(200, json=[]))
    await staff.query_guests(T0, T0 + 3600, zones=["zone-bld"])
    assert rec.params() == {"period_start": str(T0), "period_end": str(T0 + 3600), "zone_ids": "zone-bld"}
    await staff.query_guests(q="ann")
    assert rec.params() == {"q": "ann"}
    with pytest.raises(InvalidInputError):
        await staff.query_guests(T0, None)


async def test_zones_and_systems_follow_driver_names():
    rec, engine, _ = make(lambda r: httpx.Response(200, json={"id": "sys-1"} if r.url.path.endswith("sys-1") else []))
    await engine.zones(q="lvl", parent="zone-bld", tags=["level"])
    assert rec.last.url.path == "/api/engine/v2/zones"
    assert rec.params() == {"q": "lvl", "parent_id": "zone-bld", "tags": "level", "limit": "1000", "offset": "0"}
    await engine.systems(zone_id="zone-l1", capacity=2, bookable=False, features="vc")
    assert rec.params() == {"zone_id": "zone-l1", "capacity": "2", "bookable": "false", "features": "vc",
                            "limit": "1000", "offset": "0"}
    await engine.get_system("sys-1", complete=True)
    assert rec.last.url.path == "/api/engine/v2/systems/sys-1" and rec.params() == {"complete": "true"}


async def test_ids_in_paths_are_escaped_and_required():
    rec, engine, staff = make(lambda r: httpx.Response(200, json={"id": "x"}))
    await staff.get_booking("12/../../admin")
    assert rec.last.url.raw_path.startswith(b"/api/staff/v1/bookings/12%2F..%2F..%2Fadmin")
    await staff.staff_details("ann@example.com")
    assert rec.last.url.path == "/api/staff/v1/people/ann@example.com"
    with pytest.raises(InvalidInputError):
        await engine.zone("")
    with pytest.raises(InvalidInputError):
        await staff.approve_event("evt", "")


async def test_query_bookings_defaults_to_the_next_30_minutes_and_encodes_filters():
    rec, _, staff = make(lambda r: httpx.Response(200, json=[booking_wire(checked_in=True)]))
    rows = await staff.query_bookings(
        "desk", zones=["zone-l1"], email="ann@example.com", approved=True, checked_in=True,
        extension_data={"team": "ops", "vip": True}, include_checked_out=True,
    )
    assert rows == [booking_wire(checked_in=True)]
    assert rec.params() == {
        "type": "desk", "period_start": str(T0), "period_end": str(T0 + 1800), "zones": "zone-l1",
        "email": "ann@example.com", "approved": "true", "checked_in": "true",
        "extension_data": "{team:ops,vip:true}", "include_checked_out": "true", "limit": "100",
    }
    with pytest.raises(InvalidInputError) as caught:
        await staff.query_bookings(None)
    assert caught.value.field == "type"
    await staff.query_bookings(None, event_id="evt-1")  # type not needed with event_id
    assert rec.params()["event_id"] == "evt-1" and "type" not in rec.params()


# --------------------------------------------------------------------------- paging


def paged(total: int, page: int = 3, absolute: bool = False):
    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        limit = int(request.url.params.get("limit", page))
        rows = [booking_wire(i) for i in range(offset, min(total, offset + limit))]
        headers = {"X-Total-Count": str(total)}
        if offset + limit < total:
            link = f"/api/staff/v1/bookings?type=desk&offset={offset + limit}&limit={limit}"
            headers["Link"] = f'<{BASE + link if absolute else link}>; rel="next"'
        return httpx.Response(200, json=rows, headers=headers)

    return handler


async def test_query_bookings_follows_link_pages():
    rec, _, staff = make(paged(8))
    rows = await staff.query_bookings("desk", limit=3)
    assert [r["id"] for r in rows] == list(range(8))
    assert [r.url.params.get("offset") for r in rec.requests] == [None, "3", "6"]


async def test_paging_stops_on_an_empty_page_and_a_repeated_link():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(200, json=[1, 2], headers={"Link": '</api/engine/v2/zones?offset=2>; rel="next"'})
        return httpx.Response(200, json=[], headers={"Link": '</api/engine/v2/zones?offset=4>; rel="next"'})

    _, engine, _ = make(handler)
    assert await engine.all_zones(tags="building") == [1, 2]
    assert len(calls) == 2

    loop = Recorder(lambda r: httpx.Response(200, json=[1], headers={"Link": '</api/engine/v2/zones?offset=1>; rel="next"'}))
    _, engine, _ = make(loop)
    assert await engine.all_zones() == [1, 1]
    assert len(loop.requests) == 2


async def test_paging_is_capped_with_a_warning(caplog):
    rec, _, staff = make(paged(50, page=10))
    with caplog.at_level(logging.WARNING, logger="staffterm.placeos"):
        rows = await fetch_all_pages(staff.http, "/api/staff/v1/bookings", {"type": "desk", "limit": 10}, max_items=25)
    assert len(rows) == 25
    assert len(rec.requests) == 3
    assert "capped" in caplog.text


async def test_a_next_link_to_another_host_is_not_followed(caplog):
    rec = Recorder(lambda r: httpx.Response(200, json=[1], headers={"Link": '<https://evil.example.net/steal>; rel="next"'}))
    _, engine, _ = make(rec)
    with caplog.at_level(logging.WARNING, logger="staffterm.placeos"):
        assert await engine.all_systems() == [1]
    assert len(rec.requests) == 1
    assert "another server" in caplog.text


async def test_absolute_same_host_links_are_followed():
    _rec, _, staff = make(paged(5, page=2, absolute=True))
    assert len(await staff.query_bookings("desk", limit=2)) == 5


async def test_systems_in_building_walks_levels_and_keeps_ids_unique():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/zones"):
            assert request.url.params["tags"] == "level" and request.url.params["parent_id"] == "zone-bld"
            return httpx.Response(200, json=[{"id": "lvl-1"}, {"id": "lvl-2"}])
        level = request.url.params["zone_id"]
        rows = {"lvl-1": [{"id": "sys-a"}, {"id": "sys-b"}], "lvl-2": [{"id": "sys-b"}, {"id": "sys-c"}]}[level]
        return httpx.Response(200, json=rows)

    _, engine, _ = make(handler)
    assert await engine.systems_in_building("zone-bld") == ["sys-a", "sys-b", "sys-c"]
    full = await engine.systems_in_building("zone-bld", ids_only=False)
    assert [s["id"] for s in full] == ["sys-a", "sys-b", "sys-c"]


# --------------------------------------------------------------------------- bookings


async def test_create_booking_defaults_to_today_in_the_time_zone_and_sends_every_field():
    rec, _, staff = make(lambda r: httpx.Response(201, json=booking_wire(7)))
    result = await staff.create_booking(
        "desk", "desk-9", "user-1", "ann@example.com", "Ann", ["zone-bld", "zone-l1"], checked_in=True, approved=False,
        title="Focus", description="quiet", time_zone="Australia/Sydney", extension_data='{"team": "ops"}',
        utm_source="kiosk", limit_override=3,
    )
    assert result["id"] == 7
    sydney = ZoneInfo("Australia/Sydney")
    day = NOW.astimezone(sydney).date()
    start = int(datetime(day.year, day.month, day.day, 0, 0, tzinfo=sydney).timestamp())
    end = int(datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=sydney).timestamp())
    assert rec.last.method == "POST" and rec.last.url.path == "/api/staff/v1/bookings"
    assert rec.params() == {"utm_source": "kiosk", "limit_override": "3"}
    assert rec.body() == {
        "booking_start": start, "booking_end": end, "booking_type": "desk", "asset_id": "desk-9", "asset_ids": ["desk-9"],
        "user_id": "user-1", "user_email": "ann@example.com", "user_name": "Ann", "zones": ["zone-bld", "zone-l1"],
        "checked_in": True, "checked_in_at": T0, "approved": False, "title": "Focus", "description": "quiet",
        "timezone": "Australia/Sydney", "extension_data": {"team": "ops"},
    }


async def test_create_booking_validates_before_sending():
    rec, _, staff = make()
    with pytest.raises(InvalidInputError, match="asset"):
        await staff.create_booking("desk")
    with pytest.raises(InvalidInputError, match="time zone"):
        await staff.create_booking("desk", "d1", time_zone="Mars/Olympus")
    with pytest.raises(InvalidInputError, match="end after"):
        await staff.create_booking("desk", "d1", booking_start=T0, booking_end=T0 - 60)
    with pytest.raises(InvalidInputError):
        await staff.create_booking("desk", "d1", extension_data="{broken")
    assert rec.requests == []


async def test_create_booking_with_only_a_start_ends_that_day_and_links_an_event():
    rec, _, staff = make(lambda r: httpx.Response(201, json=booking_wire()))
    tomorrow_15 = datetime(2025, 3, 11, 15, 0, tzinfo=UTC)
    await staff.create_booking("visitor", asset_ids=["v@x.com"], booking_start=tomorrow_15, event_id="evt-1",
                               ical_uid="uid-1", attendees=[{"email": "v@x.com", "name": "V"}], all_day=False)
    body = rec.body()
    assert body["booking_start"] == int(tomorrow_15.timestamp())
    assert body["booking_end"] == int(datetime(2025, 3, 11, 23, 59, 59, tzinfo=UTC).timestamp())
    assert body["asset_id"] == "v@x.com" and body["attendees"] == [{"email": "v@x.com", "name": "V"}]
    assert rec.params() == {"event_id": "evt-1", "ical_uid": "uid-1"}


async def test_a_retried_create_booking_finds_the_first_booking_instead_of_booking_twice():
    created: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(request.content)
            created.append({**booking_wire(len(created) + 1), "extension_data": body["extension_data"]})
            raise httpx.ReadTimeout("reply lost", request=request)  # the booking exists, the reply never came
        assert request.url.params["extension_data"] == "{staffterm_request_id:req-42}"
        assert request.url.params["type"] == "desk" and request.url.params["zones"] == "zone-l1"
        return httpx.Response(200, json=[dict(b) for b in created])

    rec, _, staff = make(handler)
    result = await staff.create_booking("desk", "desk-1", zones=["zone-l1"], booking_start=T0, booking_end=T0 + 3600,
                                        idempotency_key="req-42")
    assert result["id"] == 1
    assert len(created) == 1
    posts = [r for r in rec.requests if r.method == "POST"]
    assert len(posts) == 1
    assert posts[0].headers["idempotency-key"] == "req-42"
    assert json.loads(posts[0].content)["extension_data"] == {"staffterm_request_id": "req-42"}


async def test_a_create_booking_without_a_key_is_not_retried():
    rec, _, staff = make(lambda r: httpx.Response(503, json={"error": "busy"}))
    with pytest.raises(UnavailableError):
        await staff.create_booking("desk", "desk-1", booking_start=T0, booking_end=T0 + 60)
    assert len(rec.requests) == 1


async def test_naturally_idempotent_actions_are_retried_after_a_503():
    answers = iter([httpx.Response(503), httpx.Response(200, json=booking_wire(approved=True))])
    rec, _, staff = make(lambda r: next(answers))
    assert (await staff.approve(5))["approved"] is True
    assert [r.url.path for r in rec.requests] == ["/api/staff/v1/bookings/5/approve"] * 2

    for call, path, params in [
        (lambda s: s.reject(5, utm_source="desk"), "/api/staff/v1/bookings/5/reject", {"utm_source": "desk"}),
        (lambda s: s.booking_state(5, "arrived"), "/api/staff/v1/bookings/5/update_state", {"state": "arrived"}),
        (lambda s: s.booking_check_in(5, False, "kiosk"), "/api/staff/v1/bookings/5/check_in",
         {"state": "false", "utm_source": "kiosk"}),
        (lambda s: s.booking_guest_check_in(5, "v@x.com"), "/api/staff/v1/bookings/5/guests/v@x.com/check_in",
         {"state": "true"}),
        (lambda s: s.event_guest_check_in("e1", "v@x.com", system_id="sys-1"),
         "/api/staff/v1/events/e1/guests/v@x.com/check_in", {"system_id": "sys-1", "state": "true"}),
        (lambda s: s.approve_event("e1", "sys-1"), "/api/staff/v1/events/e1/approve", {"system_id": "sys-1"}),
        (lambda s: s.reject_event("e1", "sys-1"), "/api/staff/v1/events/e1/reject", {"system_id": "sys-1"}),
    ]:
        answers = iter([httpx.Response(503), httpx.Response(200, json=True if "event" in path and "guests" not in path else {})])
        rec, _, staff = make(lambda r, a=answers: next(a))
        await call(staff)
        assert [r.url.path for r in rec.requests] == [path, path], path
        assert rec.params() == params


async def test_a_signal_is_not_retried():
    rec, engine, _ = make(lambda r: httpx.Response(503))
    with pytest.raises(UnavailableError):
        await engine.signal("staff/booking/changed", {"id": 1})
    assert len(rec.requests) == 1


async def test_update_booking_sends_only_what_changes():
    rec, _, staff = make(lambda r: httpx.Response(200, json=booking_wire()))
    await staff.update_booking(9, booking_end=T0 + 7200, title="New", limit_override=2)
    assert rec.last.method == "PATCH" and rec.last.url.path == "/api/staff/v1/bookings/9"
    assert rec.params() == {"limit_override": "2"}
    assert rec.body() == {"booking_end": T0 + 7200, "title": "New"}
    with pytest.raises(InvalidInputError, match="nothing to change"):
        await staff.update_booking(9)


async def test_booking_delete_and_reads():
    rec, _, staff = make(lambda r: httpx.Response(202) if r.method == "DELETE" else httpx.Response(200, json=["d1"]))
    assert await staff.booking_delete(3, utm_source="desk") is None
    assert rec.last.method == "DELETE" and rec.params() == {"utm_source": "desk"}
    assert await staff.booked("desk", T0, T0 + 60, zones=["z1"]) == ["d1"]
    assert rec.last.url.path == "/api/staff/v1/bookings/booked"


async def test_clashing_assets_flags_are_exclusive():
    rec, _, staff = make(lambda r: httpx.Response(200, json=["desk-2"]))
    assert await staff.clashing_assets({"booking_type": "desk", "booking_start": T0, "booking_end": T0 + 60},
                                       return_available=True) == ["desk-2"]
    assert rec.params() == {"return_available": "true"}
    with pytest.raises(InvalidInputError):
        await staff.clashing_event_assets({"event_start": T0}, return_available=True, include_clash_time=True)


# --------------------------------------------------------------------------- events


async def test_create_event_retry_finds_the_event_by_its_request_id():
    made: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            made.append({"id": "evt-1", **json.loads(request.content)})
            raise httpx.ConnectError("connection reset", request=request)
        assert request.url.params["system_ids"] == "sys-1"
        return httpx.Response(200, json=made)

    rec, _, staff = make(handler)
    event = {"event_start": T0, "event_end": T0 + 1800, "system_id": "sys-1", "title": "Sync"}
    result = await staff.create_event(event, idempotency_key="ev-key")
    assert result["id"] == "evt-1" and result["extension_data"] == {"staffterm_request_id": "ev-key"}
    assert sum(r.method == "POST" for r in rec.requests) == 1
    assert "extension_data" not in event  # the caller's dict is not changed


async def test_events_206_warns_and_returns_the_rows():
    warnings: list[str] = []
    headers = {"X-Calendar-Errors": "2", "X-Calendar-Limit": "a@x.com", "X-Calendar-Issue": "b@x.com"}
    _, _, staff = make(lambda r: httpx.Response(206, json=[{"id": "e1"}], headers=headers), on_partial=warnings.append)
    assert await staff.query_events(T0, T0 + 60, zones="z") == [{"id": "e1"}]
    assert await staff.free_busy(T0, T0 + 600, zones="z") == [{"id": "e1"}]
    assert warnings == ["2 calendars could not be read: rate-limited: a@x.com; failed: b@x.com"] * 2


async def test_update_delete_decline_and_metadata_routes():
    rec, _, staff = make(lambda r: httpx.Response(404, json={"error": "gone"}) if r.method == "DELETE"
                         else httpx.Response(200, json={"id": "e1"}))
    await staff.update_event("sys-old", {"id": "e1", "system_id": "sys-new", "title": "T"}, notify_existing_attendees=False)
    assert rec.last.method == "PATCH" and rec.last.url.path == "/api/staff/v1/events/e1"
    assert rec.params() == {"system_id": "sys-old", "notify_existing_attendees": "false"}
    # A 404 is "not found", whichever it is: only after our own retry of a lost reply is it done.
    with pytest.raises(NotFoundError, match="room 'sys-1'"):
        await staff.delete_event("sys-1", "e1")  # {"error": "gone"} is not staff-api's event wording
    await staff.decline_event("e1", system_id="sys-1", comment="room closed")
    assert rec.last.content == b"room closed"
    await staff.patch_event_metadata("sys-1", "e1", {"catering": True}, ical_uid="uid", setup_time=10, breakdown_time=5)
    assert rec.last.method == "PATCH" and rec.last.url.path == "/api/staff/v1/events/e1/metadata/sys-1"
    assert rec.params() == {"ical_uid": "uid", "setup_time": "10", "breakdown_time": "5"}
    await staff.replace_event_metadata("sys-1", "e1", '{"a": 1}')
    assert rec.last.method == "PUT" and rec.body() == {"a": 1}


# --------------------------------------------------------------------------- engine writes


async def test_metadata_writes_build_the_engine_body():
    rec, engine, _ = make(lambda r: httpx.Response(200, json={"desks": {}}))
    await engine.write_metadata("zone-l1", "desks", '[{"id": "d1"}]', "desk list")
    assert rec.last.method == "PUT" and rec.last.url.path == "/api/engine/v2/metadata/zone-l1"
    assert rec.body() == {"name": "desks", "description": "desk list", "details": [{"id": "d1"}], "parent_id": "zone-l1"}
    await engine.merge_metadata("zone-l1", "settings", {"tz": "UTC"})
    assert rec.last.method == "PATCH" and rec.body()["details"] == {"tz": "UTC"}
    await engine.metadata("zone-l1", "desks")
    assert rec.last.method == "GET" and rec.params() == {"name": "desks"}


async def test_user_commands():
    rec, engine, _ = make(lambda r: httpx.Response(200, json=[] if r.url.path.endswith("/users") and r.method == "GET"
                                                   else {"id": "u1"}))
    await engine.create_user('{"name": "Ann", "email": "ann@x.com"}')
    assert rec.last.method == "POST" and rec.body() == {"name": "Ann", "email": "ann@x.com"}
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        await engine.update_user("u1", "{nope")
    with pytest.raises(InvalidInputError, match="JSON object"):
        await engine.create_user("[1, 2]")
    await engine.delete_user("u1", force_removal=True)
    assert rec.last.method == "DELETE" and rec.params() == {"force_removal": "true"}
    await engine.query_users(q="ann", include_deleted=True)
    assert rec.params() == {"q": "ann", "limit": "20", "offset": "0", "include_deleted": "true"}


async def test_the_resource_token_is_registered_as_a_secret():
    _rec, engine, _ = make(lambda r: httpx.Response(200, json={"token": "graph-token-abc", "expires": 1}))
    assert (await engine.resource_token())["token"] == "graph-token-abc"
    assert engine.http.redact("x graph-token-abc y") == "x *** y"


# --------------------------------------------------------------------------- error mapping


def reply(status: int, body=None, *, method="POST", path="/api/staff/v1/bookings", headers=None, auth=("X-API-Key", KEY)):
    request = httpx.Request(method, BASE + path, headers=dict([auth]) if auth else {})
    if body is None:
        return httpx.Response(status, request=request, headers=headers)
    return httpx.Response(status, json=body, request=request, headers=headers)


def test_401_says_which_credential_to_fix_and_never_its_value():
    error = placeos_error(reply(401, {"error": "unknown X-API-Key"}))
    assert isinstance(error, AuthError)
    assert error.message == "PlaceOS refused the API key for placeos.example.com"
    assert error.hint == "Check api_key in the tenant's settings (staffterm config show)"
    assert KEY not in str(error)
    bearer = placeos_error(reply(401, {"error": "expired"}, auth=("Authorization", "Bearer tok-1")))
    assert "session expired or was refused" in bearer.message and "tok-1" not in str(bearer)
    domain = placeos_error(reply(401, {"error": "domain does not match token's"}, auth=("Authorization", "Bearer t")))
    assert "another domain" in domain.message and "base_url" in domain.hint


def test_403_names_the_action_in_plain_words():
    error = placeos_error(reply(403, method="POST", path="/api/staff/v1/bookings/12/check_in"))
    assert isinstance(error, PermissionDeniedError)
    assert error.message.startswith("this PlaceOS account is not allowed to check in a booking")
    assert "POST /api/staff/v1/bookings/12/check_in" in error.message


def test_405_is_a_refusal_in_the_words_of_the_servers_reason():
    error = placeos_error(reply(405, {"error": "check-in refused: too early"}, path="/api/staff/v1/bookings/3/check_in"))
    assert isinstance(error, InvalidInputError) and error.field == "state"  # the booking's state, not a clash
    assert "refused to check in a booking: it is too early" in error.message
    other = placeos_error(reply(405, {"error": "some new rule"}, path="/api/staff/v1/bookings/3/check_in"))
    assert other.message == "PlaceOS refused to check in a booking: some new rule"


def test_409_lists_the_clashing_bookings_converted():
    error = placeos_error(reply(409, {"error": "Conflicting booking", "bookings": [booking_wire(4), booking_wire(5)]}))
    assert isinstance(error, ConflictError)
    assert "clashes with 2 booking(s)" in error.message and "desk-1 (ann@example.com)" in error.message
    assert [type(c) for c in error.clashes] == [Booking, Booking]
    assert error.clashes[0].id == "4"


def test_409_keeps_raw_clashes_when_they_cannot_be_converted(monkeypatch):
    from staffterm.backends.placeos import convert

    def boom(data):
        raise ValueError("nope")

    monkeypatch.setattr(convert, "booking_from_wire", boom)
    error = placeos_error(reply(409, {"error": "Conflicting booking", "bookings": [{"id": 1, "asset_id": "d"}]}))
    assert error.clashes == [{"id": 1, "asset_id": "d"}]


def test_410_carries_the_limit_and_the_existing_bookings():
    error = placeos_error(reply(410, {"error": "Booking limit reached", "limit": 2, "bookings": [booking_wire(1)]}))
    assert isinstance(error, LimitReachedError)
    assert error.limit == 2 and len(error.items) == 1
    # Worded as the demo site words it: who holds what, and the limit.
    assert error.message == "booking limit reached: ann@example.com already holds 1 desk booking(s) at that time; the limit is 2"
    assert "limit_override" in error.hint
    bare = placeos_error(reply(410, {"error": "Booking limit reached"}))
    assert isinstance(bare, LimitReachedError) and bare.limit is None and bare.items == []
    assert bare.message == "booking limit reached: this person may hold no more bookings of this type at that time"


def test_501_and_511():
    no_tenant = placeos_error(reply(501, {"error": "domain does not have a tenant configured"}))
    assert isinstance(no_tenant, ConfigError)
    assert no_tenant.message.startswith("this domain has no tenant configured in PlaceOS")
    assert "tenants admin" in no_tenant.hint
    platform = placeos_error(reply(501, {"error": "not available on google"}, method="GET", path="/api/staff/v1/groups"))
    assert isinstance(platform, NotSupportedError)
    delegated = placeos_error(reply(511, {"error": "no resource token"}))
    assert isinstance(delegated, AuthError)
    assert delegated.message == "delegated tenant: no user token"
    assert delegated.hint == "sign in with a user account (username/password), not an API key"


def test_400_and_422_name_the_parameter():
    missing = placeos_error(reply(422, {"error": "missing required param", "parameter": "type"}, method="GET"))
    assert isinstance(missing, InvalidInputError) and missing.field == "type"
    failures = placeos_error(reply(422, {"error": "validation failed",
                                         "failures": [{"field": "booking_end", "reason": "must be after start"}]}))
    assert failures.field == "booking_end" and "must be after start" in failures.message
    gone = placeos_error(reply(404, {"error": "not found"}, method="GET", path="/api/staff/v1/bookings/99"))
    assert isinstance(gone, NotFoundError) and "read this booking" in gone.message
    assert placeos_error(reply(429, {"error": "slow down"})) is None
    assert placeos_error(reply(500, {"error": "boom"})) is None


async def test_mapped_errors_reach_the_caller_through_the_client():
    _, _, staff = make(lambda r: httpx.Response(409, json={"error": "Conflicting booking", "bookings": [booking_wire(8)]}))
    with pytest.raises(ConflictError) as caught:
        await staff.create_booking("desk", "desk-1", booking_start=T0, booking_end=T0 + 60)
    assert caught.value.clashes[0].id == "8"


def test_partial_failure_text():
    assert partial_failure(reply(200, [])) is None
    assert partial_failure(reply(206, [], headers={"X-Calendar-Errors": "1", "X-Calendar-Issue": "r@x.com"})) == (
        "1 calendar could not be read: failed: r@x.com"
    )
    assert partial_failure(reply(206, [], headers={"X-Calendar-Errors": "3"})) == "3 calendars could not be read"
    assert "incomplete" in partial_failure(reply(206, []))


@pytest.mark.parametrize(
    ("method", "path", "words"),
    [
        ("GET", "/api/staff/v1/bookings", "list bookings"),
        ("POST", "/api/staff/v1/bookings", "create a booking"),
        ("PATCH", "/api/staff/v1/bookings/4", "change this booking"),
        ("POST", "/api/staff/v1/bookings/4/approve", "approve a booking"),
        ("POST", "/api/staff/v1/events/e/guests/a@b/check_in", "check in a guest of a meeting"),
        ("GET", "/api/staff/v1/calendars/free_busy", "read room free/busy"),
        ("PUT", "/api/engine/v2/metadata/zone-1", "change this metadata entry"),
        ("POST", "/api/engine/v2/users/resource_token", "get a calendar token for this account"),
        ("DELETE", "/api/engine/v2/users/u1", "delete this user"),
    ],
)
def test_describe_request(method, path, words):
    assert describe_request(method, path) == words


async def test_health_needs_no_credentials():
    rec, _, staff = make(lambda r: httpx.Response(200, json={"commit": "abc", "build_time": "now"}))
    assert (await staff.health())["commit"] == "abc"
    assert "x-api-key" not in rec.last.headers
    assert rec.last.url.path == "/api/staff/v1"


async def test_current_limits_and_early_checkin():
    _rec, _, staff = make(lambda r: httpx.Response(200, json={"desk": 1}) if "limits" in r.url.path
                         else httpx.Response(200, json=1800))
    assert await staff.current_limits() == {"desk": 1}
    assert await staff.current_early_checkin() == 1800

