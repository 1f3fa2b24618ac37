"""Pure rules of the local site: computed booking states, check-in windows, local days."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from staffterm.errors import InvalidInputError
from staffterm.models import BookingState, Room
from staffterm.rules import booking_state, check_in_refusal, overlaps, room_requires_approval
from staffterm.times import from_epoch, local_day_window, local_moment, require_window, to_epoch

START = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)
END = START + timedelta(hours=8)


def state(now: datetime, **facts) -> BookingState:
    base = dict(
        start=START,
        end=END,
        now=now,
        checked_in=False,
        checked_in_at=None,
        checked_out_at=None,
        rejected=False,
        deleted=False,
        deleted_at=None,
    )
    base.update(facts)
    return booking_state(**base)


def test_reserved_before_and_during_until_someone_checks_in():
    assert state(START - timedelta(hours=1)) == BookingState.RESERVED
    assert state(START + timedelta(hours=1)) == BookingState.RESERVED


def test_checked_in_then_ended_when_never_checked_out():
    arrived = START + timedelta(minutes=5)
    assert state(START + timedelta(hours=1), checked_in=True, checked_in_at=arrived) == BookingState.CHECKED_IN
    assert state(END + timedelta(minutes=1), checked_in=True, checked_in_at=arrived) == BookingState.ENDED


def test_no_show_when_it_ends_without_a_check_in():
    assert state(END) == BookingState.NO_SHOW


def test_checked_out_before_the_end():
    facts = dict(checked_in=False, checked_in_at=START, checked_out_at=START + timedelta(hours=2))
    assert state(START + timedelta(hours=3), **facts) == BookingState.CHECKED_OUT
    assert state(END + timedelta(hours=3), **facts) == BookingState.CHECKED_OUT


def test_rejected_wins_over_time():
    assert state(START - timedelta(hours=1), rejected=True) == BookingState.REJECTED
    assert state(END + timedelta(hours=1), rejected=True) == BookingState.REJECTED


def test_deleted_before_start_is_cancelled_after_start_is_no_show():
    assert state(END, deleted=True, deleted_at=START - timedelta(minutes=1)) == BookingState.CANCELLED
    assert state(END, deleted=True, deleted_at=START + timedelta(minutes=30)) == BookingState.NO_SHOW
    during = dict(deleted=True, deleted_at=START + timedelta(hours=1), checked_in_at=START)
    assert state(END, **during) == BookingState.CANCELLED


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (START - timedelta(minutes=61), False),
        (START - timedelta(minutes=60), True),
        (START + timedelta(hours=7, minutes=59), True),
        (END, False),
    ],
)
def test_check_in_window(now, allowed):
    reason = check_in_refusal(
        what="booking b1", start=START, end=END, now=now, early_seconds=3600, checked_out_at=None, tz_name="Europe/London"
    )
    assert (reason is None) is allowed


def test_check_in_refusals_say_why_in_local_time():
    too_early = check_in_refusal(
        what="booking b1", start=START, end=END, now=START - timedelta(hours=3), early_seconds=3600,
        checked_out_at=None, tz_name="Europe/London",
    )
    assert too_early is not None and "too early" in too_early and "09:00 Europe/London" in too_early
    after = check_in_refusal(
        what="booking b1", start=START, end=END, now=START, early_seconds=3600,
        checked_out_at=START - timedelta(minutes=1), tz_name=None,
    )
    assert after is not None and "already checked out" in after
    ended = check_in_refusal(
        what="booking b1", start=START, end=END, now=END + timedelta(hours=1), early_seconds=0,
        checked_out_at=None, tz_name="Europe/London",
    )
    assert ended is not None and "ended" in ended


def test_overlap_is_half_open():
    assert overlaps(START, END, END - timedelta(seconds=1), END + timedelta(hours=1))
    assert not overlaps(START, END, END, END + timedelta(hours=1))


def test_approval_rooms():
    plain = Room(id="r", email="r@x.example", name="R", features=["screen"])
    flagged = Room(id="r", email="r@x.example", name="R", features=["Approval"])
    assert not room_requires_approval(plain)
    assert room_requires_approval(plain, flagged=True)
    assert room_requires_approval(flagged)


def test_london_day_is_23_hours_on_the_spring_change_and_25_in_autumn():
    start, end = local_day_window(date(2026, 3, 29), "Europe/London")
    assert start == datetime(2026, 3, 29, 0, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 3, 29, 23, 0, tzinfo=timezone.utc)
    assert end - start == timedelta(hours=23)
    start, end = local_day_window(date(2026, 10, 25), "Europe/London")
    assert end - start == timedelta(hours=25)


def test_nine_local_maps_to_the_right_utc_instant_either_side_of_the_change():
    from datetime import time

    assert local_moment(date(2026, 3, 28), time(9, 0), "Europe/London") == datetime(2026, 3, 28, 9, tzinfo=timezone.utc)
    assert local_moment(date(2026, 3, 30), time(9, 0), "Europe/London") == datetime(2026, 3, 30, 8, tzinfo=timezone.utc)


def test_epoch_round_trip_and_window_validation():
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    assert from_epoch(to_epoch(moment)) == moment
    with pytest.raises(InvalidInputError, match="no time zone"):
        require_window(datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=timezone.utc))
    with pytest.raises(InvalidInputError, match="must be after start"):
        require_window(END, START)
