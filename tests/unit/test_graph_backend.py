"""The Graph backend against the in-repo fake Microsoft 365 tenant (in-process)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from staffterm.backends.graph.backend import GraphBackend
from staffterm.config.providers import GraphSettings
from staffterm.errors import InvalidInputError
from staffterm.models import BusyStatus, EventDraft, ZoneKind
from tests.fakes.graph import FakeGraph

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


class _Clock:
    def now(self) -> datetime:
        return NOW


def settings(fake: FakeGraph, monkeypatch, **extra) -> GraphSettings:
    monkeypatch.setenv("FAKE_GRAPH_TOKEN", fake.issue_app_token())
    return GraphSettings(provider="graph", tenant_id=fake.TENANT, client_id=fake.CLIENT_ID,
                         token_command={"env": "FAKE_GRAPH_TOKEN"}, authority_host=f"https://{fake.host}",
                         graph_url=f"https://{fake.host}", rate_limit=0, **extra)


@pytest.fixture
def fake():
    fake = FakeGraph(now=NOW)
    yield fake
    assert fake.server_errors == []


@pytest.fixture
async def backend(fake, monkeypatch, tmp_path):
    fake.page_caps.update({"places": 3, "events": 2, "directory": 2})  # every list takes several pages
    async with GraphBackend("m365", settings(fake, monkeypatch, calendar_service_account="reception@acme.example",
                                             mailer_from="reception@acme.example"),
                            transport=fake.transport(), token_dir=tmp_path, clock=_Clock()) as backend:
        yield backend


async def test_zones_are_buildings_floors_and_room_lists_and_every_page_is_followed(backend, fake):
    zones = await backend.list_zones()
    kinds = {z.name: z.kind for z in zones}
    assert kinds["Sydney HQ"] == ZoneKind.BUILDING and kinds["Level 1"] == ZoneKind.LEVEL
    assert [z.kind for z in zones].count(ZoneKind.AREA) == 2  # room lists beside the buildings
    rooms = await backend.list_rooms()
    assert len(rooms) == 10  # 10 rooms at 3 a page: four pages followed
    assert len(fake.requests_to("GET", "/v1.0/places/microsoft.graph.room")) >= 4
    gauss = await backend.get_room("room.gauss@acme.example")
    assert gauss.bookable is False  # bookingType reserved
    curie = await backend.get_room("ROOM.CURIE@acme.example")
    assert curie.accessible and curie.capacity == 12 and {"audio", "video", "display"} <= set(curie.features)
    level2 = next(z for z in zones if z.name == "Level 2")
    assert {r.email.split("@")[0] for r in await backend.list_rooms(zone_id=level2.id)} == {
        "room.euler", "room.faraday", "room.gauss"}
    london = next(z for z in zones if z.name == "London Office" and z.kind == ZoneKind.BUILDING)
    assert len(await backend.list_rooms(zone_id=london.id)) == 3


async def test_doc_sample_spellings_are_read(backend, fake):
    fake.doc_sample_quirks = True  # capacity as a string, displayDevice, isWheelchairAccessible
    room = await backend.get_room("room.euler@acme.example")
    assert room.capacity == 20 and room.accessible and "display" in room.features


async def test_free_busy_shows_the_seeded_meetings_and_never_unknown_as_free(backend, fake):
    start = NOW - timedelta(hours=2)
    found = await backend.free_busy(start, start + timedelta(days=1), room_ids=["room.euler@acme.example",
                                                                                "room.babbage@acme.example"])
    euler, babbage = found
    assert [b.title for b in euler.blocks] == ["Sprint planning"] and euler.blocks[0].status == BusyStatus.BUSY
    assert babbage.blocks == [] and babbage.error is None
    from staffterm.backends.graph.convert import availability_from_schedule

    odd = availability_from_schedule({"scheduleId": "r@x", "availabilityView": "0902", "scheduleItems": []},
                                     "r@x", start, start + timedelta(hours=1), 15)
    assert [(b.status, b.title) for b in odd.blocks] == [(BusyStatus.BUSY, "status unknown"),
                                                         (BusyStatus.BUSY, None)]


async def test_free_busy_retries_a_throttled_inner_request_after_its_own_retry_after(backend, fake):
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    backend._sleep = sleep
    fake.fail_next("POST", "/v1.0/users/room.ada@acme.example/calendar/getSchedule", 429,
                   headers={"Retry-After": "7"})
    found = await backend.free_busy(NOW, NOW + timedelta(hours=8))
    assert all(a.error is None for a in found) and len(found) == 10
    assert 7.0 in slept
    assert fake.requests_to("POST", "/v1.0/$batch")


async def test_free_busy_refuses_a_backwards_or_too_long_window(backend):
    with pytest.raises(InvalidInputError):
        await backend.free_busy(NOW, NOW - timedelta(hours=1))
    with pytest.raises(InvalidInputError):
        await backend.free_busy(NOW, NOW + timedelta(days=62))


async def test_events_paged_and_create_with_a_transaction_id_is_made_once(backend, fake):
    events = await backend.list_events("grace.hopper@acme.example", NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert [e.title for e in events] == ["Sprint planning"] and events[0].room_ids == ["room.euler@acme.example"]
    assert all("startDateTime" in str(r.url) for r in fake.requests_to("GET", "/v1.0/users/*") if "calendarView" in str(r.url))
    draft = EventDraft(title="Walk-in", start=NOW + timedelta(hours=30), end=NOW + timedelta(hours=31),
                       host="reception@acme.example", room_ids=["room.kelvin@acme.example"])
    first = await backend.create_event("room.kelvin@acme.example", draft, idempotency_key="tx-1")
    again = await backend.create_event("room.kelvin@acme.example", draft, idempotency_key="tx-1")
    # Asked in the room, the room's copy comes back; the meeting is the organiser's.
    assert first.id == again.id and first.calendar_id == "room.kelvin@acme.example"
    assert first.host == "reception@acme.example"
    assert len([e for e in fake.state.events.values() if e.get("transactionId") == "tx-1"]) == 1
    room = next(a for a in first.attendees if a.resource)
    assert room.email == "room.kelvin@acme.example"
    await backend.delete_event("room.kelvin@acme.example", first.id)
    # Deleting in the room's calendar removes the meeting: the organiser's copy goes.
    assert fake.requests_to("DELETE", "/v1.0/users/reception@acme.example/events/*")
    assert not [e for e in fake.state.events.values() if e.get("transactionId") == "tx-1"]


async def test_a_room_that_has_not_answered_yet_gives_the_organisers_copy(backend, fake):
    fake.defer_room_replies = True  # Exchange's attendant answers after the create returns
    draft = EventDraft(title="Walk-in", start=NOW + timedelta(hours=30), end=NOW + timedelta(hours=31),
                       host="reception@acme.example")
    made = await backend.create_event("room.kelvin@acme.example", draft)
    assert made.calendar_id == "reception@acme.example" and made.room_ids == ["room.kelvin@acme.example"]
    assert (await backend.get_event("reception@acme.example", made.id)).title == "Walk-in"


async def test_extending_a_meeting_in_a_room_into_the_next_is_a_conflict_and_changes_nothing(backend, fake):
    from staffterm.errors import ConflictError
    from staffterm.models import EventPatch

    syd = ZoneInfo("Australia/Sydney")
    day = NOW.astimezone(syd).date()
    start, end = datetime.combine(day, time(0), syd), datetime.combine(day, time(23), syd)
    design, = [e for e in await backend.list_events("room.ada@acme.example", start, end)]
    before = design.end
    # The room's own calendar gets a second meeting at 12:00-12:30 (Sydney), right after.
    lunch = await backend.create_event("room.ada@acme.example", EventDraft(
        title="Lunch talk", start=design.end, end=design.end + timedelta(minutes=30), host="grace.hopper@acme.example"))
    with pytest.raises(ConflictError) as caught:
        await backend.update_event("room.ada@acme.example", design.id, EventPatch(end=before + timedelta(minutes=15)))
    assert lunch.id in {c.id for c in caught.value.clashes}
    assert (await backend.get_event("room.ada@acme.example", design.id)).end == before
    # Ending it early is fine, and lands on the organiser's copy.
    ended = await backend.update_event("room.ada@acme.example", design.id, EventPatch(end=before - timedelta(minutes=30)))
    assert ended.id == design.id and ended.end == before - timedelta(minutes=30)
    assert fake.requests_to("PATCH", "/v1.0/users/ada.lovelace@acme.example/events/*")


async def test_buildings_take_the_time_zone_of_their_rooms_working_hours_else_the_setting(fake, monkeypatch, tmp_path):
    from staffterm.backends.graph.windows_zones import iana_zone

    assert iana_zone("AUS Eastern Standard Time") == "Australia/Sydney" and iana_zone("Europe/Oslo") == "Europe/Oslo"
    assert iana_zone("Atlantis Standard Time") is None
    for alias in ("room.hopper", "room.kelvin", "room.newton"):  # London's rooms say nothing readable
        fake.state.mailbox_zones[f"{alias}@acme.example"] = "Atlantis Standard Time"
    for extra, london_zone in (({}, None), ({"time_zone": "Europe/Dublin"}, "Europe/Dublin")):
        async with GraphBackend("m365", settings(fake, monkeypatch, **extra), transport=fake.transport(),
                                token_dir=tmp_path, clock=_Clock()) as backend:
            zones = {z.name: z for z in await backend.list_zones()}
            assert zones["Sydney HQ"].timezone == "Australia/Sydney" and zones["Level 2"].timezone == "Australia/Sydney"
            assert zones["First floor"].timezone == london_zone
            assert any("no time zone" in w for w in backend.warnings) == (london_zone is None)
    with pytest.raises(ValueError):
        settings(fake, monkeypatch, time_zone="Mars/Olympus")


async def test_directory_search_sends_consistency_level_on_every_page(backend, fake):
    users = await backend.list_users(query="a", limit=50)
    assert len(users) > 2
    searched = [r for r in fake.requests if r.url.path == "/v1.0/users" and "search" in str(r.url)]
    assert len(searched) >= 2 and all(r.headers.get("consistencylevel") == "eventual" for r in searched)
    ada = await backend.get_user("ada.lovelace@acme.example")
    assert ada.department == "Engineering"  # not a default property: asked for with $select
    assert (await backend.user_manager(ada.id)).name == "Grace Hopper"
    assert {g.name for g in await backend.user_groups(ada.id)} == {"Engineering"}
    assert (await backend.user_manager("margaret.hamilton@acme.example")) is None
    calendars = await backend.list_calendars("ada.lovelace@acme.example")
    assert calendars and calendars[0].primary


async def test_send_mail_with_the_qr_pass_attached(backend, fake):
    from staffterm.models import MailMessage

    await backend.send_mail(MailMessage(to=["ada.lovelace@acme.example"], subject="Your guest arrived",
                                        text="Jane is at reception"), attachments=[("pass.png", "image/png", b"PNG")])
    sent = fake.state.sent_mail[-1]["message"]
    assert sent["subject"] == "Your guest arrived" and sent["attachments"][0]["name"] == "pass.png"
