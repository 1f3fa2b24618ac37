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
from staffterm.config.providers import PlaceOSSettings
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


# --------------------------------------------------------------------------- 2. a whole event


def _patches(fake: FakePlaceOS) -> list[httpx.Request]:
    return [r for r in fake.requests if r.method in ("PATCH", "PUT") and r.url.path.startswith(f"{STAFF}/events/")]


def _client_visit(fake: FakePlaceOS) -> dict:
    return next(e for e in fake.state.events.values() if e["title"] == "Client visit")


async def _sent_whole_event(fake: FakePlaceOS) -> dict:
    import json

    body = json.loads(_patches(fake)[-1].content)
    assert {"event_start", "event_end", "attendees", "private", "all_day"} <= set(body)
    # only visitors carry visit_expected back: anyone else sent with it would get a guest record
    assert [a["email"] for a in body["attendees"] if "visit_expected" in a] == ["sam.client@partner.example"]
    return body


@pytest.mark.parametrize("change", ["extend", "end now", "move", "retitle"])
async def test_meeting_changes_send_the_whole_event_and_keep_the_rest(backend, fake, change):
    from staffterm.models import EventPatch

    event = _client_visit(fake)
    sam = fake.state.guest_by_ref("sam.client@partner.example")
    sam["extension_data"] = {"badge": "B7"}
    guests_before = len(fake.state.guests)
    patch = {
        "extend": EventPatch(end=syd("15:30")),
        "end now": EventPatch(end=syd("14:20")),  # ended early, as the desk's "end now" does mid-meeting
        "move": EventPatch(room_ids=["sys-babbage"]),
        "retitle": EventPatch(title="Client visit (moved up)"),
    }[change]
    updated = await backend.update_event("sys-ada", event["id"], patch)
    body = await _sent_whole_event(fake)
    assert body["title"] == ("Client visit (moved up)" if change == "retitle" else "Client visit")
    assert updated.title == body["title"] and updated.body == "Client visit agenda"
    stored = fake.state.events[event["id"]]
    assert stored["body"] == "Client visit agenda" and stored["location"]  # not cleared by the update
    emails = {a["email"] for a in stored["attendees"]}
    assert {"grace.hopper@acme.example", "sam.client@partner.example"} <= emails
    room = "babbage.room@acme.example" if change == "move" else "ada.room@acme.example"
    assert room in emails and (change != "move" or "ada.room@acme.example" not in emails)
    assert sam["extension_data"] == {"badge": "B7"}  # the visitor's record is not wiped
    assert len(fake.state.guests) == guests_before  # and nobody else became a guest
    if change == "extend":
        assert stored["event_end"] == int(syd("15:30").timestamp()) and updated.end == syd("15:30")
    if change == "end now":
        assert stored["event_end"] == int(syd("14:20").timestamp())


async def test_a_partial_body_is_refused_like_the_real_service(fake):
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url,
                                 headers={"X-API-Key": fake.API_KEY}) as client:
        event = _client_visit(fake)
        reply = await client.patch(f"{STAFF}/events/{event['id']}", params={"system_id": "sys-ada"},
                                   json={"title": "Renamed"})
        assert reply.status_code == 400
        assert reply.json()["error"].startswith("Missing JSON attribute: event_start\n  parsing PlaceCalendar::Event")
        whole = (await client.get(f"{STAFF}/events/{event['id']}", params={"system_id": "sys-ada"})).json()
        no_end = await client.patch(f"{STAFF}/events/{event['id']}", params={"system_id": "sys-ada"},
                                    json={**whole, "event_end": None})
        assert no_end.status_code == 400 and no_end.json() == {"error": "event_end must be present"}
        wrong_type = await client.patch(f"{STAFF}/events/{event['id']}", params={"system_id": "sys-ada"},
                                        json={**whole, "private": "no"})
        assert wrong_type.status_code == 400 and "Expected Bool but was String" in wrong_type.json()["error"]
        nameless = await client.patch(f"{STAFF}/events/{event['id']}", params={"system_id": "sys-ada"},
                                      json={**whole, "attendees": [{"email": "x@y.example"}]})
        assert nameless.status_code == 400 and "Missing JSON attribute: name" in nameless.json()["error"]
        assert fake.state.events[event["id"]]["title"] == "Client visit"  # nothing changed


async def test_the_raw_client_completes_a_partial_body_from_the_event_as_read(backend, fake):
    event = _client_visit(fake)
    done = await backend.staff.update_event("sys-ada", {"title": "Renamed"}, event_id=event["id"])
    assert done["title"] == "Renamed" and done["body"] == "Client visit agenda"
    body = await _sent_whole_event(fake)
    assert body["title"] == "Renamed" and body["system_id"] == "sys-ada"


# --------------------------------------------------------------------------- 6. DELETE /events/{id}


class LoseFirstDeleteReply(httpx.AsyncBaseTransport):
    """The first DELETE reaches the server and is done there, but its reply never comes back."""

    def __init__(self, fake: FakePlaceOS) -> None:
        self.inner = fake.transport()
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "DELETE" and not self.lost:
            self.lost += 1
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


async def test_the_fake_says_which_404_a_delete_is(fake):
    event = _client_visit(fake)
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url,
                                 headers={"X-API-Key": fake.API_KEY}) as client:
        no_room = await client.delete(f"{STAFF}/events/{event['id']}", params={"system_id": "sys-nope"})
        assert no_room.status_code == 404
        assert no_room.json()["error"] == 'Not Found\n{"error": "Key not present: sys-nope"}'
        no_event = await client.delete(f"{STAFF}/events/ev-nope", params={"system_id": "sys-ada"})
        assert no_event.status_code == 404
        assert no_event.json()["error"].startswith("failed to find event ev-nope searching on ada.room@acme.example as ")
    assert event["id"] in fake.state.events


async def test_deleting_with_a_wrong_room_is_not_found_naming_the_room(backend, fake):
    from staffterm.errors import NotFoundError

    event = _client_visit(fake)
    with pytest.raises(NotFoundError, match="room 'sys-nope'"):
        await backend.staff.delete_event("sys-nope", event["id"])
    with pytest.raises(NotFoundError, match="no meeting 'ev-nope' in the calendar of room sys-ada"):
        await backend.staff.delete_event("sys-ada", "ev-nope")
    assert "ada.room@acme.example" not in fake.state.events[event["id"]].get("removed_from", [])


async def test_a_delete_whose_reply_was_lost_is_done_when_the_retry_finds_it_gone(fake, tmp_path):
    settings = PlaceOSSettings.model_validate(
        {"provider": "placeos", "base_url": "https://placeos.test", "api_key": FakePlaceOS.API_KEY})
    transport = LoseFirstDeleteReply(fake)
    event = _client_visit(fake)
    async with PlaceOSBackend("acme", settings, clock=FrozenClock(NOW), transport=transport,
                              token_dir=tmp_path / "tokens", sleep=_no_sleep) as backend:
        await backend.staff.delete_event(None, event["id"], calendar="grace.hopper@acme.example")
    deletes = [r for r in fake.requests if r.method == "DELETE"]
    assert transport.lost == 1 and len(deletes) == 2  # the retry met "failed to find event": ours went through
    assert event["id"] not in fake.state.events


# --------------------------------------------------------------------------- 3. check-in/out write first


async def _sam(backend) -> object:
    guests = await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")
    return next(g for g in guests if g.email == "sam.client@partner.example")


async def test_a_check_out_placeos_accepted_is_done_when_the_read_back_fails(backend, fake):
    sam = await _sam(backend)
    fake.state.attendees[:] = [{**r, "checked_in": True} if r.get("event_ref") == sam.event_id else r
                               for r in fake.state.attendees]
    fake.fail_next("GET", f"{STAFF}/events/{sam.event_id}", 404, body={"error": "event not found on system calendar"})
    out = await backend.check_out_guest(sam.id)
    assert out.id == sam.id and not out.checked_in and out.email == sam.email
    row = next(r for r in fake.state.attendees if r.get("event_ref") == sam.event_id)
    assert row["checked_in"] is False
    assert any("checked out" in w and "reading the visit back failed" in w for w in backend.test_warnings)


async def test_a_visitor_booking_check_out_is_done_when_its_booking_cannot_be_read(backend, fake):
    jane = next(g for g in await backend.query_guests(start=DAY_START, end=DAY_END, zone_id="zone-syd")
                if g.email == "jane.visitor@example.com")
    await backend.check_in_guest(jane.id)
    fake.fail_next("GET", f"{STAFF}/bookings/{jane.booking_id}", 503, times=10)
    out = await backend.check_out_guest(jane.id)
    assert not out.checked_in and backend.test_warnings


async def test_reception_checks_in_even_when_the_read_before_fails(fake, tmp_path):
    from staffterm.services.session import Session

    settings = PlaceOSSettings.model_validate(
        {"provider": "placeos", "base_url": "https://placeos.test", "api_key": FakePlaceOS.API_KEY})
    backend = PlaceOSBackend("acme", settings, clock=FrozenClock(NOW), transport=fake.transport(),
                             token_dir=tmp_path / "tokens", sleep=_no_sleep)
    async with Session(backend, clock=FrozenClock(NOW), tenant_name="acme", provider="placeos") as session:
        sam = await _sam(backend)
        # the read before the write, and the one after it, both fail
        fake.fail_next("GET", f"{STAFF}/events/{sam.event_id}", 404, body={"error": "event not found"}, times=2)
        result = await session.reception.check_in(sam.id)
    assert result.guest.checked_in and result.guest.id == sam.id
    assert fake.state.signals_on("staff/guest/checkin")[-1]["attendee_email"] == "sam.client@partner.example"


@pytest.fixture
def cli_site(fake, tmp_path, monkeypatch):
    from tests.fakes.placeos.loopback import serve_on_loopback

    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STAFFTERM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ACME_KEY", FakePlaceOS.API_KEY)
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", NOW.isoformat())
    with serve_on_loopback(fake) as url:
        config = tmp_path / "config.toml"
        config.write_text(f'default_tenant = "acme"\n\n[tenants.acme]\nprovider = "placeos"\n'
                          f'base_url = "{url}"\napi_key = {{ env = "ACME_KEY" }}\n')
        yield config


def _cli(config, *argv: str) -> int:
    from staffterm.cli.main import main

    return main(["--config", str(config), *argv])


def test_cli_lists_meeting_visitors_and_checks_in_and_out_despite_failing_reads(cli_site, fake, capsys):
    import json

    assert _cli(cli_site, "guests", "--zone", "zone-syd", "--json") == 0
    listed = {g["email"]: g for g in json.loads(capsys.readouterr().out)}
    assert {"sam.client@partner.example", "jane.visitor@example.com"} <= set(listed)
    sam = listed["sam.client@partner.example"]
    fake.fail_next("GET", f"{STAFF}/events/{sam['event_id']}", 404, body={"error": "event not found"}, times=2)
    assert _cli(cli_site, "guests", "check-in", sam["id"]) == 0
    captured = capsys.readouterr()
    assert "Checked in Sam Client" in captured.out and "warning" in captured.err
    fake.fail_next("GET", f"{STAFF}/events/{sam['event_id']}", 404, body={"error": "event not found"})
    assert _cli(cli_site, "guests", "check-out", sam["id"]) == 0
    captured = capsys.readouterr()
    assert "Checked out" in captured.out and "reading the visit back failed" in captured.err
    row = next(r for r in fake.state.attendees if r.get("event_ref") == sam["event_id"])
    assert row["checked_in"] is False


# --------------------------------------------------------------------------- 7. 405 in plain words


def _405(body, path: str, state: str | None = None) -> httpx.Response:
    params = {"state": state} if state is not None else {}
    request = httpx.Request("POST", httpx.URL("https://placeos.test" + path, params=params))
    return httpx.Response(405, request=request, **({"json": body} if body is not None else {}))


@pytest.mark.parametrize(("body", "path", "state", "says", "never"), [
    # staff-api bookings.cr check_deleted: head :method_not_allowed (no body), on a check-out too
    (None, "/bookings/7/check_in", "false", "refused to check out a booking: the booking was deleted", "check-in"),
    (None, "/bookings/7/guests/a@b.example/check_in", "false",
     "refused to check out a guest of a booking: the booking was deleted", "check-in opens"),
    (None, "/bookings/7/approve", None, "refused to approve a booking: the booking was deleted", "check-in"),
    ({"error": "The booking has ended"}, "/bookings/7/check_in", None,
     "refused to check in a booking: the booking has already ended", "deleted"),
    ({"error": "Can only check in an 1.0 hour before the booking start"}, "/bookings/7/check_in", None,
     "it is too early; check-in opens 1 hour before the start", "deleted"),
    ({"error": "a checked out booking cannot be checked back in"}, "/bookings/7/check_in", None,
     "the booking was already checked out", "deleted"),
    ({"error": "editing booking times is allowed on parent bookings only."}, "/bookings/7", None,
     "can only be changed on the whole series", "check-in"),
])
def test_405_refusals_say_the_real_reason(body, path, state, says, never):
    from staffterm.backends.placeos.wire_errors import placeos_error
    from staffterm.errors import ConflictError, InvalidInputError

    error = placeos_error(_405(body, STAFF + path, state))
    # A deleted booking is a conflict with what happened to it; a refusal of its own state (ended,
    # too early, checked out) is invalid input on its state, as the local site says it.
    assert isinstance(error, ConflictError if "deleted" in says else InvalidInputError)
    text = f"{error.message} {error.hint or ''}"
    assert says in error.message and never not in text


# --------------------------------------------------------------------------- the driver's query_metadata


async def test_query_metadata_finds_stored_metadata_by_room_field_and_event(backend, fake):
    event = _client_visit(fake)
    by_room = await backend.staff.query_metadata("sys-ada")
    assert event["id"] in [m["event_id"] for m in by_room]
    catering = await backend.staff.query_metadata(field_name="catering", value="true")
    assert [m["event_id"] for m in catering] == [event["id"]]
    by_ref = await backend.staff.query_metadata(event_ref=[event["ical_uid"]], period_start=syd("13:00"),
                                                period_end=syd("16:00"))
    assert [m["system_id"] for m in by_ref] == ["sys-ada"]
    assert [r.url.path for r in fake.requests[-3:]] == [f"{STAFF}/events/extension_metadata/sys-ada"] + [
        f"{STAFF}/events/extension_metadata"] * 2
    async with httpx.AsyncClient(transport=fake.transport(), base_url=fake.base_url,
                                 headers={"X-API-Key": fake.API_KEY}) as client:
        unfiltered = await client.get(f"{STAFF}/events/extension_metadata")
        assert unfiltered.status_code == 400 and unfiltered.json()["error"].startswith("must provide one of")
