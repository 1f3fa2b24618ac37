"""Changing a meeting's rooms or attendees on Microsoft 365 (the in-process fake tenant).

A meeting's rooms are resource attendees of the organiser's event; moving it is a PATCH of the
organiser's ``attendees`` and ``location`` (api-reference/v1.0/api/event-update.md), after which
the old room's calendar attendant drops its copy and the new room answers the request like a
create (user-post-events.md, "Setting the location in an event").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from staffterm.backends.graph.backend import GraphBackend
from staffterm.errors import ConflictError
from staffterm.models import Attendee, EventDraft, EventPatch, ResponseStatus
from tests.fakes.graph import FakeGraph
from tests.unit.test_graph_backend import _Clock, settings

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
ADA, BABBAGE, KELVIN = "room.ada@acme.example", "room.babbage@acme.example", "room.kelvin@acme.example"


@pytest.fixture
def fake():
    fake = FakeGraph(now=NOW)
    yield fake
    assert fake.server_errors == []


@pytest.fixture
async def backend(fake, monkeypatch, tmp_path):
    async with GraphBackend("m365", settings(fake, monkeypatch, calendar_service_account="reception@acme.example"),
                            transport=fake.transport(), token_dir=tmp_path, clock=_Clock()) as backend:
        yield backend


def _draft(title: str = "Walk-in", hours: int = 30, **extra) -> EventDraft:
    extra.setdefault("host", "reception@acme.example")
    return EventDraft(title=title, start=NOW + timedelta(hours=hours), end=NOW + timedelta(hours=hours + 1), **extra)


def _patch_bodies(fake: FakeGraph) -> list[dict]:
    return [json.loads(r.content) for r in fake.requests_to("PATCH", "/v1.0/users/reception@acme.example/events/*")]


async def test_moving_a_meeting_patches_the_organisers_attendees_and_location(backend, fake):
    made = await backend.create_event(KELVIN, _draft(attendees=[Attendee(email="ada.lovelace@acme.example")]))
    moved = await backend.update_event(KELVIN, made.id, EventPatch(room_ids=[BABBAGE]))
    body, = _patch_bodies(fake)
    resources = [a["emailAddress"]["address"] for a in body["attendees"] if a["type"] == "resource"]
    people = [a["emailAddress"]["address"] for a in body["attendees"] if a["type"] != "resource"]
    assert resources == [BABBAGE] and people == ["ada.lovelace@acme.example"]
    assert body["location"]["locationEmailAddress"] == BABBAGE
    # The desk gets the meeting as the new room's calendar names it: the id it can use from now on.
    assert moved.calendar_id == BABBAGE and moved.room_ids == [BABBAGE]
    assert moved.id in {e.id for e in await backend.list_events(BABBAGE, NOW, NOW + timedelta(days=2))}
    assert made.id not in {e.id for e in await backend.list_events(KELVIN, NOW, NOW + timedelta(days=2))}
    babbage = next(a for a in moved.attendees if a.email == BABBAGE)
    assert babbage.response == ResponseStatus.ACCEPTED


async def test_changing_only_the_people_keeps_the_room_and_its_answer(backend, fake):
    made = await backend.create_event(KELVIN, _draft(attendees=[Attendee(email="ada.lovelace@acme.example")]))
    changed = await backend.update_event(KELVIN, made.id, EventPatch(attendees=[
        Attendee(email="grace.hopper@acme.example", name="Grace Hopper")]))
    body, = _patch_bodies(fake)
    assert [(a["emailAddress"]["address"], a["type"]) for a in body["attendees"]] == [
        ("grace.hopper@acme.example", "required"), (KELVIN, "resource")]
    assert "location" not in body  # the room did not change
    assert changed.id == made.id and changed.calendar_id == KELVIN
    assert {a.email for a in changed.attendees if not a.resource} >= {"grace.hopper@acme.example"}
    assert "ada.lovelace@acme.example" not in {a.email for a in changed.attendees}


async def test_moving_onto_a_booked_room_is_refused_before_any_write(backend, fake):
    await backend.create_event(BABBAGE, _draft("Already there"))
    mine = await backend.create_event(KELVIN, _draft("Mine"))
    with pytest.raises(ConflictError):
        await backend.update_event(KELVIN, mine.id, EventPatch(room_ids=[BABBAGE]))
    assert _patch_bodies(fake) == []


async def test_a_room_that_declines_the_move_is_said_plainly_and_the_move_is_still_done(backend, fake, monkeypatch):
    from staffterm.backends.graph import backend_events
    from tests.fakes.graph.events_store import create_event as book_in_fake

    mine = await backend.create_event(KELVIN, _draft("Mine"))
    checked = backend_events.clashes_in

    async def another_desk_books_right_after_the_check(*args, **kwargs):
        found = await checked(*args, **kwargs)
        # Another desk's booking lands between the clash check and the PATCH: the room declines.
        book_in_fake(fake.state, "grace.hopper@acme.example", {
            "subject": "Sneaked in", "attendees": [{"emailAddress": {"address": BABBAGE}, "type": "resource"}],
            "start": {"dateTime": mine.start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            "end": {"dateTime": mine.end.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}}, NOW, defer_rooms=False)
        return found

    monkeypatch.setattr(backend_events, "clashes_in", another_desk_books_right_after_the_check)
    warnings: list[str] = []
    monkeypatch.setattr(backend, "warn", warnings.append)
    moved = await backend.update_event(KELVIN, mine.id, EventPatch(room_ids=[BABBAGE]))
    assert len(_patch_bodies(fake)) == 1  # the PATCH was accepted: the move is done, not an error
    room = next(a for a in moved.attendees if a.email == BABBAGE)
    assert room.response == ResponseStatus.DECLINED
    assert any("declined" in w and "NOT booked" in w for w in warnings)


async def test_a_teams_meeting_carries_its_join_link_conference_id_and_dial_in_number(backend, fake):
    made = await backend.create_event(KELVIN, _draft("Call", online_meeting_provider="teamsForBusiness"))
    raw = next(e for e in fake.state.events.values() if e.get("subject") == "Call" and e["isOrganizer"])
    assert raw["onlineMeeting"]["joinUrl"] and raw["onlineMeeting"]["conferenceId"].isdigit()
    assert made.online_meeting_provider == "teamsForBusiness"
    assert made.online_meeting_url == raw["onlineMeeting"]["joinUrl"]
    assert made.online_meeting_id == raw["onlineMeeting"]["conferenceId"]
    assert made.online_meeting_phones == ["+1 425 555 0123"]
    plain = await backend.create_event(KELVIN, _draft("In person", hours=40))
    assert (plain.online_meeting_url, plain.online_meeting_id, plain.online_meeting_phones) == (None, None, [])


def test_every_dial_in_number_of_an_online_meeting_info_is_read_once():
    from staffterm.backends.graph.convert_events import dial_in_numbers

    assert dial_in_numbers({"quickDial": "+1 425 555 0123,,177513992#", "tollNumber": "+1 425 555 0123",
                            "tollFreeNumbers": ["+1 800 555 0100", "+1 425 555 0123"],
                            "phones": [{"number": "+44 20 7946 0000", "type": "business"}, {"type": "home"}]}) == [
        "+1 425 555 0123,,177513992#", "+1 425 555 0123", "+1 800 555 0100", "+44 20 7946 0000"]
    assert dial_in_numbers({}) == []
