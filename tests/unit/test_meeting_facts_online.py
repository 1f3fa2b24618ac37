"""The meeting detail pane shows how to join an online meeting: the link (its QR is drawn
beside), the conference id and the dial-in numbers the provider gave; nothing of it when private."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from staffterm.models import Event, Room
from staffterm.ui.screens.room_day.meetings import meeting_facts

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOM = Room(id="room.ada@acme.example", name="Ada", email="room.ada@acme.example", zone_ids=[])


def _event(**extra) -> Event:
    return Event(id="e1", calendar_id=ROOM.id, title="Call", host="grace.hopper@acme.example",
                 start=NOW + timedelta(hours=1), end=NOW + timedelta(hours=2), **extra)


def test_conference_id_and_dial_in_numbers_are_shown_with_the_link():
    event = _event(online_meeting_url="https://teams.microsoft.com/l/meetup-join/x", online_meeting_provider="teamsForBusiness",
                   online_meeting_id="177513992", online_meeting_phones=["+1 425 555 0123", "+1 800 555 0100"])
    pane = str(meeting_facts(event, ROOM, UTC, NOW, None))
    assert "Online meeting (teamsForBusiness)" in pane and "https://teams.microsoft.com/l/meetup-join/x" in pane
    assert "Conference ID  177513992" in pane
    assert "Dial-in  +1 425 555 0123" in pane and "Dial-in  +1 800 555 0100" in pane
    assert "PIN" not in pane and "SIP" not in pane  # not given: not shown


def test_a_private_meeting_shows_no_way_to_join_and_a_plain_one_no_online_section():
    private = _event(private=True, online_meeting_url="https://teams.microsoft.com/l/meetup-join/x",
                     online_meeting_id="177513992", online_meeting_phones=["+1 425 555 0123"])
    pane = str(meeting_facts(private, ROOM, UTC, NOW, None))
    assert "177513992" not in pane and "+1 425" not in pane and "teams.microsoft.com" not in pane
    assert "Online meeting" not in str(meeting_facts(_event(), ROOM, UTC, NOW, None))
