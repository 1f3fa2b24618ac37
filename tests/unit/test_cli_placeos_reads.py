"""The CLI's commands in-process against the fake PlaceOS (through httpx.MockTransport): what
each command reads to do its work, counted at the fake, and how it reads times typed without
an offset (in the building's zone, said on stderr).

The fake's seed day is Sunday 22 Nov 2026 in Sydney (10:00 there); the fake has Sydney HQ and
London Office, and these tests add a New York building where one is needed.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from staffterm.backends.placeos.backend import PlaceOSBackend
from staffterm.backends.registry import PROVIDERS
from staffterm.cli.main import main
from tests.fakes.placeos.seed import _zone
from tests.fakes.placeos.server import FakePlaceOS

NOW = datetime(2026, 11, 21, 23, 0, tzinfo=timezone.utc)
NEW_YORK = ZoneInfo("America/New_York")


class WiredPlaceOS(PlaceOSBackend):
    """The PlaceOS backend the CLI builds from the config, wired to the test's fake."""

    fake: FakePlaceOS

    def __init__(self, tenant_name: str, settings: Any, **kwargs: Any) -> None:
        async def no_sleep(_seconds: float) -> None:
            return None

        super().__init__(tenant_name, settings, transport=self.fake.transport(), sleep=no_sleep, **kwargs)


@pytest.fixture
def fake(monkeypatch, tmp_path) -> FakePlaceOS:
    fake = FakePlaceOS(now=NOW)
    # New York, for a building whose zone is neither this computer's nor UTC.
    _zone(fake.state, "zone-nyc", "New York", ["building"], "zone-acme", "America/New_York", fake.now_epoch())
    _zone(fake.state, "zone-nyc-l2", "Level 2", ["level"], "zone-nyc", None, fake.now_epoch())
    monkeypatch.setattr(WiredPlaceOS, "fake", fake, raising=False)
    monkeypatch.setitem(PROVIDERS, "placeos", dataclasses.replace(PROVIDERS["placeos"], backend=f"{__name__}:WiredPlaceOS"))
    config = tmp_path / "config.toml"
    config.write_text(f'[tenants.acme]\nprovider = "placeos"\nbase_url = "{fake.base_url}"\napi_key = {{ env = "ACME_KEY" }}\n')
    monkeypatch.setenv("ACME_KEY", FakePlaceOS.API_KEY)
    monkeypatch.setenv("STAFFTERM_CONFIG", str(config))
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", NOW.isoformat())
    return fake


class Run:
    def __init__(self, rc: int, out: str, err: str, requests: Counter[str]) -> None:
        self.rc, self.out, self.err, self.requests = rc, out, err, requests

    def json(self) -> Any:
        return json.loads(self.out)


def run(fake: FakePlaceOS, capsys, *argv: str) -> Run:
    capsys.readouterr()
    before = len(fake.requests)
    rc = main(list(argv))
    out, err = capsys.readouterr()
    sent = Counter(f"{r.method} {r.url.path}" for r in fake.requests[before:])
    return Run(rc, out, err, sent)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def new_bookings(fake: FakePlaceOS, before: set[int]) -> list[dict]:
    return [b for key, b in fake.state.bookings.items() if key not in before]


# --------------------------------------------------------------------------- times without an offset


def test_placeos_create_booking_reads_a_time_without_an_offset_in_the_buildings_zone(fake, capsys):
    before = set(fake.state.bookings)
    done = run(fake, capsys, "placeos", "create_booking", "--booking_type", "desk", "--asset_id", "desk-nyc-2-01",
               "--zones", "zone-nyc-l2", "--user_email", "ada.lovelace@acme.example",
               "--booking_start", "2026-12-04T09:00", "--booking_end", "2026-12-04T10:00", "--json")
    assert done.rc == 0, done.err
    [made] = new_bookings(fake, before)
    assert made["booking_start"] == epoch(datetime(2026, 12, 4, 9, tzinfo=NEW_YORK))  # 14:00 UTC, not 09:00
    assert made["booking_end"] == epoch(datetime(2026, 12, 4, 10, tzinfo=NEW_YORK))
    assert "read in America/New_York, the zone of zone-nyc-l2" in done.err
    assert done.json()["booking_start"] == made["booking_start"]  # stdout stays PlaceOS's answer


def test_placeos_times_with_an_offset_or_epoch_are_taken_as_given_and_nothing_is_said(fake, capsys):
    before = set(fake.state.bookings)
    done = run(fake, capsys, "placeos", "create_booking", "--booking_type", "desk", "--asset_id", "desk-nyc-2-02",
               "--zones", "zone-nyc-l2", "--booking_start", "2026-12-04T09:00Z", "--booking_end", "1796389200")
    assert done.rc == 0, done.err
    [made] = new_bookings(fake, before)
    assert made["booking_start"] == epoch(datetime(2026, 12, 4, 9, tzinfo=timezone.utc))
    assert made["booking_end"] == 1796389200
    assert "note" not in done.err
    assert not any(k.startswith("GET /api/engine/v2/zones") for k in done.requests)  # no zone was needed


def test_placeos_a_bare_date_is_the_buildings_midnight(fake, capsys):
    done = run(fake, capsys, "placeos", "query_bookings", "--type", "desk", "--zones", "zone-syd",
               "--period_start", "2026-11-22", "--period_end", "2026-11-23", "--json")
    assert done.rc == 0, done.err
    [query] = [r for r in fake.requests if r.url.path == "/api/staff/v1/bookings"][-1:]
    sydney = ZoneInfo("Australia/Sydney")
    assert int(query.url.params["period_start"]) == epoch(datetime(2026, 11, 22, tzinfo=sydney))
    assert int(query.url.params["period_end"]) == epoch(datetime(2026, 11, 23, tzinfo=sydney))
    assert {b["id"] for b in done.json()} >= {1001, 1002}


def test_placeos_update_booking_reads_the_new_time_in_the_bookings_own_zone(fake, capsys):
    done = run(fake, capsys, "placeos", "update_booking", "--booking_id", "1001",
               "--booking_start", "2026-11-22T08:00", "--booking_end", "2026-11-22T12:00")
    assert done.rc == 0, done.err
    sydney = ZoneInfo("Australia/Sydney")
    assert fake.state.bookings[1001]["booking_start"] == epoch(datetime(2026, 11, 22, 8, tzinfo=sydney))
    assert "read in Australia/Sydney, the zone of booking 1001" in done.err


def test_bookings_create_over_placeos_reads_the_time_in_the_new_york_building(fake, capsys):
    before = set(fake.state.bookings)
    done = run(fake, capsys, "bookings", "create", "--type", "desk", "--asset", "desk-nyc-2-03", "--zone", "zone-nyc-l2",
               "--user", "ada.lovelace@acme.example", "--start", "2026-12-04T09:00", "--end", "2026-12-04T10:00")
    assert done.rc == 0, done.err
    [made] = new_bookings(fake, before)
    assert made["booking_start"] == epoch(datetime(2026, 12, 4, 9, tzinfo=NEW_YORK))
    assert "2026-12-04 09:00-10:00 EST" in done.out
    assert "read in America/New_York" in done.err


# --------------------------------------------------------------------------- what each command reads


ZONE_LISTING = "GET /api/engine/v2/zones"


def zone_reads(done: Run) -> dict[str, int]:
    return {k: n for k, n in done.requests.items() if k.startswith(ZONE_LISTING)}


@pytest.mark.parametrize(
    ("argv", "zones_read"),
    [
        (("bookings", "--zone", "zone-syd", "--json"), {"zone-syd"}),
        (("bookings", "--zone", "zone-syd-l1"), {"zone-syd-l1", "zone-syd"}),
        (("guests", "--zone", "zone-syd", "--json"), {"zone-syd"}),
        (("freebusy", "--zone", "zone-syd-l1", "--json"), {"zone-syd-l1", "zone-syd"}),
        # The table shows each room in its own building's zone: a room's zones start with the
        # org zone, read once to learn it names no time zone.
        (("freebusy", "--zone", "zone-syd-l1"), {"zone-syd-l1", "zone-syd", "zone-acme"}),
        (("bookings", "create", "--type", "desk", "--asset", "desk-l1-05", "--zone", "zone-syd-l1",
          "--user", "barbara.liskov@acme.example", "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:00"),
         {"zone-syd-l1", "zone-syd"}),
    ],
)
def test_a_command_reads_its_buildings_zone_once_not_every_zone_level(fake, capsys, argv, zones_read):
    """A building's time zone is the zone named and its parents, read once each; the whole
    zone list (on PlaceOS one request per level: org, region, building, level) is not read."""
    done = run(fake, capsys, *argv)
    assert done.rc == 0, done.err
    assert zone_reads(done) == {f"{ZONE_LISTING}/{zone_id}": 1 for zone_id in zones_read}


def test_events_create_reads_zones_and_rooms_once_for_the_command_and_the_booking_service(fake, capsys):
    done = run(fake, capsys, "events", "create", "--room", "sys-ada", "--title", "Planning",
               "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:00", "--json")
    assert done.rc == 0, done.err
    # One read of the zone list (one request per zone level the list is made of) and of the rooms.
    from staffterm.backends.placeos.backend import HIERARCHY_TAGS

    assert zone_reads(done) == {ZONE_LISTING: len(HIERARCHY_TAGS)}
    assert done.requests["GET /api/engine/v2/systems"] == 1
    assert done.requests["POST /api/staff/v1/events"] == 1
    assert "read in Australia/Sydney" in done.err


# --------------------------------------------------------------------------- follow-up reads after a write


def test_a_failed_follow_up_read_after_a_write_is_a_warning_and_exit_0(fake, capsys):
    fake.state.bookings[1002]["timezone"] = None  # the zone must be read to show the times
    fake.fail_next("GET", "/api/engine/v2/zones/*", 503, body={"error": "maintenance"}, times=100)
    done = run(fake, capsys, "bookings", "approve", "1002")
    assert done.rc == 0, done.err
    assert fake.state.bookings[1002]["approved"] is True  # the write stands
    assert done.out.startswith("Approved booking 1002")
    assert "warning: done, but the booking's time zone could not be read" in done.err
    assert "times are shown in UTC" in done.err


def test_json_output_of_a_write_needs_no_follow_up_read(fake, capsys):
    fake.state.bookings[1002]["timezone"] = None
    done = run(fake, capsys, "bookings", "approve", "1002", "--json")
    assert done.rc == 0, done.err
    assert done.json()["approved"] is True
    assert zone_reads(done) == {}
