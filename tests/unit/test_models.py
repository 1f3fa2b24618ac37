from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from staffterm.errors import ConflictError, InvalidInputError, invalid_input_from
from staffterm.models import (
    Attendee,
    Booking,
    BookingDraft,
    BusyBlock,
    BusyStatus,
    Event,
    GuestDraft,
    Room,
    RoomAvailability,
    Zone,
    ZoneKind,
)

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


def test_zone_validates_iana_timezone():
    assert Zone(id="b", name="B", kind="building", timezone="Europe/London").kind is ZoneKind.BUILDING
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        Zone(id="b", name="B", timezone="Mars/Olympus")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValidationError):
        BusyBlock(start=datetime(2026, 1, 1, 9), end=datetime(2026, 1, 1, 10))


def test_end_must_follow_start_everywhere():
    for model, extra in (
        (BusyBlock, {}),
        (Event, {"id": "e", "calendar_id": "c"}),
        (BookingDraft, {"type": "desk", "asset_ids": ["d1"]}),
    ):
        with pytest.raises(ValidationError, match="must be after start"):
            model(start=T0, end=T0, **extra)


def test_booking_draft_refuses_duplicate_assets_and_blank_type():
    with pytest.raises(ValidationError, match="unique"):
        BookingDraft(type="desk", asset_ids=["d1", "d1"], start=T0, end=T0 + timedelta(hours=1))
    with pytest.raises(ValidationError, match="must not be empty"):
        BookingDraft(type="  ", asset_ids=["d1"], start=T0, end=T0 + timedelta(hours=1))


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError, match="extra"):
        Room(id="r", email="r@x", name="R", colour="blue")


def test_json_form_uses_field_names_and_iso_offsets():
    booking = Booking(id="1", type="desk", asset_ids=["d1"], start=T0, end=T0 + timedelta(hours=1))
    data = booking.to_json_dict()
    assert data["start"] == "2026-11-21T09:00:00Z" or data["start"].endswith("+00:00")
    assert data["asset_ids"] == ["d1"] and data["state"] == "reserved"
    json.dumps(data)  # fully serialisable


def test_attendee_and_guest_emails_normalised_and_checked():
    assert Attendee(email="  Ann@Acme.Example ").email == "ann@acme.example"
    with pytest.raises(ValidationError, match="not an email"):
        GuestDraft(email="nobody", name="N", host_email="h@x.example", visit_start=T0, visit_end=T0 + timedelta(hours=1))


def test_room_availability_busy_and_free_checks():
    block = BusyBlock(start=T0, end=T0 + timedelta(hours=1), status=BusyStatus.BUSY)
    avail = RoomAvailability(room_id="r", start=T0, end=T0 + timedelta(hours=8), blocks=[block])
    assert avail.busy_at(T0 + timedelta(minutes=30)) is block
    assert avail.busy_at(T0 + timedelta(hours=1)) is None
    assert not avail.is_free(T0 + timedelta(minutes=59), T0 + timedelta(hours=2))
    assert avail.is_free(T0 + timedelta(hours=1), T0 + timedelta(hours=2))


def test_private_event_title_masked():
    ev = Event(id="e", calendar_id="c", title="Layoffs", private=True, start=T0, end=T0 + timedelta(hours=1))
    assert ev.display_title(masked=True) == "Private meeting"
    assert ev.display_title() == "Layoffs"


def test_validation_error_becomes_readable_invalid_input():
    try:
        BookingDraft(type="desk", asset_ids=["d1"], start=T0, end=T0 - timedelta(minutes=5))
    except ValidationError as exc:
        err = invalid_input_from(exc, what="booking")
    assert isinstance(err, InvalidInputError)
    assert "invalid booking" in err.message and "must be after start" in err.message
    assert "pydantic" not in str(err)


def test_conflict_error_carries_clashes_into_json():
    ev = Event(id="e1", calendar_id="c", title="Standup", start=T0, end=T0 + timedelta(minutes=15))
    err = ConflictError("room is taken", clashes=[ev])
    data = err.to_json_dict()
    assert data["error"] == "conflict" and data["clashes"][0]["id"] == "e1"
