"""Time arguments: syntax checked at parse time, zone attached once the building is known."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from staffterm.cli.times import TimeArg, parse_time_arg, resolve_end, resolve_start, resolve_window

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 21, 15, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21T09:00:00+01:00", datetime(2026, 11, 21, 9, tzinfo=timezone(timedelta(hours=1)))),
        ("2026-11-21T09:00Z", datetime(2026, 11, 21, 9, tzinfo=timezone.utc)),
        ("2026-11-21T09:30", datetime(2026, 11, 21, 9, 30)),
        ("2026-11-21 09:30", datetime(2026, 11, 21, 9, 30)),
        ("2026-11-21", date(2026, 11, 21)),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_time_arg(text).value == expected


@pytest.mark.parametrize("text", ["tomorrow", "21/11/2026", "2026-13-01", "2026-11-21T25:00", "", "9am"])
def test_rejected_forms_say_what_is_expected(text):
    with pytest.raises(argparse.ArgumentTypeError, match="ISO 8601"):
        parse_time_arg(text)


def test_naive_time_is_read_in_the_buildings_zone():
    moment = resolve_start(parse_time_arg("2026-07-01T09:00"), NEW_YORK)
    assert moment.utcoffset() == timedelta(hours=-4)
    assert moment.astimezone(timezone.utc).hour == 13


def test_naive_time_without_a_building_uses_the_local_system_zone():
    moment = resolve_start(parse_time_arg("2026-07-01T09:00"), None)
    assert moment.tzinfo is not None
    assert moment.replace(tzinfo=None) == datetime(2026, 7, 1, 9, 0)


def test_explicit_offset_wins_over_the_building():
    moment = resolve_start(parse_time_arg("2026-07-01T09:00Z"), NEW_YORK)
    assert moment == datetime(2026, 7, 1, 9, tzinfo=timezone.utc)


def test_bare_dates_cover_whole_local_days_inclusive():
    start = resolve_start(parse_time_arg("2026-11-21"), NEW_YORK)
    end = resolve_end(parse_time_arg("2026-11-22"), NEW_YORK)
    assert start == datetime(2026, 11, 21, tzinfo=NEW_YORK)
    assert end == datetime(2026, 11, 23, tzinfo=NEW_YORK)


def test_default_window_is_the_buildings_local_day():
    start, end = resolve_window(None, None, NEW_YORK, NOW)
    assert start == datetime(2026, 11, 21, tzinfo=NEW_YORK)
    assert end == datetime(2026, 11, 22, tzinfo=NEW_YORK)


def test_default_window_without_a_building_is_the_utc_day():
    late = datetime(2026, 11, 21, 23, 30, tzinfo=timezone.utc)
    assert resolve_window(None, None, None, late) == (
        datetime(2026, 11, 21, tzinfo=timezone.utc),
        datetime(2026, 11, 22, tzinfo=timezone.utc),
    )


def test_default_day_follows_the_building_not_utc():
    # 03:00 UTC on the 22nd is still the 21st in New York.
    early = datetime(2026, 11, 22, 3, tzinfo=timezone.utc)
    start, _ = resolve_window(None, None, NEW_YORK, early)
    assert start == datetime(2026, 11, 21, tzinfo=NEW_YORK)


def test_dst_change_day_is_25_hours_long():
    start, end = resolve_window(TimeArg("2026-10-25", date(2026, 10, 25)), None, LONDON, NOW)
    assert end - start == timedelta(hours=25)


def test_only_a_start_runs_to_the_end_of_its_day():
    start, end = resolve_window(parse_time_arg("2026-11-21T14:00"), None, LONDON, NOW)
    assert start == datetime(2026, 11, 21, 14, tzinfo=LONDON)
    assert end == datetime(2026, 11, 22, tzinfo=LONDON)


def test_only_an_end_starts_at_the_beginning_of_its_day():
    start, end = resolve_window(None, parse_time_arg("2026-11-21T14:00"), LONDON, NOW)
    assert (start, end) == (datetime(2026, 11, 21, tzinfo=LONDON), datetime(2026, 11, 21, 14, tzinfo=LONDON))


def test_an_end_at_midnight_closes_the_previous_day():
    start, end = resolve_window(None, parse_time_arg("2026-11-22T00:00"), LONDON, NOW)
    assert start == datetime(2026, 11, 21, tzinfo=LONDON)
    assert end == datetime(2026, 11, 22, tzinfo=LONDON)


# --------------------------------------------------------------------------- daylight-saving changes


def test_a_time_the_clocks_skip_is_refused_with_the_gap_named():
    from staffterm.errors import InvalidInputError

    with pytest.raises(InvalidInputError) as refused:
        resolve_start(parse_time_arg("2026-03-29T01:30"), LONDON)
    assert refused.value.field == "start"
    assert "--start 2026-03-29T01:30 does not exist in Europe/London" in str(refused.value)
    assert "from 01:00 straight to 02:00" in str(refused.value) and "2026-03-29T01:30+00:00" in str(refused.value)
    with pytest.raises(InvalidInputError, match="--end 2026-03-08T02:15 does not exist in America/New_York"):
        resolve_end(parse_time_arg("2026-03-08T02:15"), NEW_YORK)


def test_the_edges_of_a_gap_are_real_times():
    assert resolve_start(parse_time_arg("2026-03-29T00:59"), LONDON).utcoffset() == timedelta(0)
    assert resolve_start(parse_time_arg("2026-03-29T02:00"), LONDON).utcoffset() == timedelta(hours=1)


def test_a_time_that_happens_twice_is_the_first_and_a_note_says_so():
    notes: list[str] = []
    moment = resolve_start(parse_time_arg("2026-11-01T01:30"), NEW_YORK, notes)
    assert moment == datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc)  # 01:30 EDT, the first
    [note] = notes
    assert "2026-11-01T01:30 happens twice in America/New_York" in note
    assert "01:30 EDT (-04:00), was used" in note and "2026-11-01T01:30-05:00" in note


def test_an_ordinary_time_adds_no_note():
    notes: list[str] = []
    resolve_window(parse_time_arg("2026-11-21T09:00"), parse_time_arg("2026-11-21T10:00"), LONDON, NOW, notes)
    assert notes == []


def test_without_a_building_the_computers_own_zone_is_a_named_zone(monkeypatch):
    from staffterm.cli.times import computer_zone, zone_name

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert zone_name(computer_zone()) == "Asia/Tokyo"
    moment = resolve_start(parse_time_arg("2026-07-01T09:00"), None)
    assert moment == datetime(2026, 7, 1, 0, tzinfo=timezone.utc)
    # A time the computer's clocks skip is refused the same way as a building's.
    monkeypatch.setenv("TZ", "Europe/London")
    from staffterm.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="does not exist in Europe/London"):
        resolve_start(parse_time_arg("2026-03-29T01:30"), None)
