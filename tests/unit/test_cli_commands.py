"""Every data subcommand run in-process against the demo site (local backend, temp dirs, a
frozen clock): JSON shapes, tables, exit codes, and that a refused write changes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from staffterm.cli.main import main

FROZEN = "2026-11-21T07:00:00+00:00"  # a quarter to the London working day; before the demo meetings
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


@dataclass
class Result:
    rc: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *argv: str) -> Result:
        self.capsys.readouterr()
        rc = main(list(argv))
        captured = self.capsys.readouterr()
        return Result(rc, captured.out, captured.err)

    def json(self, *argv: str) -> Any:
        result = self(*argv, "--json")
        assert result.rc == 0, result.err
        return result.json()


@pytest.fixture
def cli(capsys, monkeypatch) -> Cli:
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", FROZEN)
    return Cli(capsys)


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --------------------------------------------------------------------------- zones and rooms


def test_zones_json_lists_buildings_and_levels(cli):
    zones = cli.json("zones")
    by_id = {z["id"]: z for z in zones}
    assert by_id["bld-lon"]["kind"] == "building" and by_id["bld-lon"]["timezone"] == "Europe/London"
    assert by_id["lvl-lon-1"]["parent_id"] == "bld-lon"
    assert set(zones[0]) >= {"id", "name", "kind", "parent_id", "timezone", "tags", "description"}


def test_zones_filters_by_kind_and_parent(cli):
    assert {z["kind"] for z in cli.json("zones", "--kind", "building")} == {"building"}
    levels = cli.json("zones", "--parent", "bld-lon")
    assert levels and all(z["parent_id"] == "bld-lon" for z in levels)


def test_zones_table(cli):
    result = cli("zones", "--kind", "building")
    assert result.rc == 0
    header, rule, *rows = result.out.splitlines()
    assert header.split() == ["ID", "NAME", "KIND", "PARENT", "TIME", "ZONE"]
    assert any(r.startswith("bld-nyc") and "America/New_York" in r for r in rows)


def test_rooms_json_has_zones_capacity_and_features(cli):
    rooms = cli.json("rooms")
    assert len(rooms) >= 10
    thames = next(r for r in rooms if r["id"] == "rm-lon-1-01")
    assert thames["zone_ids"] and thames["capacity"] > 0 and isinstance(thames["features"], list)


def test_rooms_filters(cli):
    big = cli.json("rooms", "--capacity", "10")
    assert big and all(r["capacity"] >= 10 for r in big)
    with_vc = cli.json("rooms", "--features", "vc,whiteboard")
    assert with_vc and all({"vc", "whiteboard"} <= {f.lower() for f in r["features"]} for r in with_vc)
    nyc = cli.json("rooms", "--zone", "bld-nyc")
    assert nyc and all(r["id"].startswith("rm-nyc") for r in nyc)


def test_rooms_table_names_building_and_level(cli):
    result = cli("rooms", "--zone", "lvl-lon-1")
    assert result.rc == 0
    row = next(line for line in result.out.splitlines() if line.startswith("rm-lon-1-01"))
    assert "London" in row and "Level 1" in row


# --------------------------------------------------------------------------- free/busy


def test_freebusy_of_a_building_defaults_to_its_local_day(cli):
    found = cli.json("freebusy", "--zone", "bld-nyc")
    assert found and all(a["room_id"].startswith("rm-nyc") for a in found)
    # 07:00 UTC is still the 21st in New York: the window is New York's 21st, midnight to midnight.
    assert _t(found[0]["start"]) == datetime(2026, 11, 21, tzinfo=NEW_YORK)
    assert _t(found[0]["end"]) == datetime(2026, 11, 22, tzinfo=NEW_YORK)


def test_freebusy_of_rooms_reads_naive_times_in_the_rooms_zone(cli):
    found = cli.json(
        "freebusy", "--room", "rm-lon-1-01", "--room", "rm-lon-1-02", "--start", "2026-07-01T09:00", "--end", "2026-07-01T17:00"
    )
    assert {a["room_id"] for a in found} == {"rm-lon-1-01", "rm-lon-1-02"}
    assert _t(found[0]["start"]) == datetime(2026, 7, 1, 8, tzinfo=ZoneInfo("UTC"))  # 09:00 BST


def test_freebusy_table_shows_busy_blocks(cli):
    result = cli("freebusy", "--room", "rm-lon-1-01")
    assert result.rc == 0
    assert "GMT" in result.out and "busy" in result.out


def test_unknown_room_exits_1_and_says_which(cli):
    result = cli("freebusy", "--room", "rm-nowhere")
    assert result.rc == 1
    assert "rm-nowhere" in result.err and "Traceback" not in result.err
    assert result.out == ""


def test_failure_with_json_also_prints_an_error_object(cli):
    result = cli("freebusy", "--room", "rm-nowhere", "--json")
    assert result.rc == 1
    error = result.json()
    assert error["error"] == "not_found" and "rm-nowhere" in error["message"]


# --------------------------------------------------------------------------- events


def _events(cli: Cli, calendar: str, *extra: str) -> list[dict[str, Any]]:
    return cli.json("events", "--calendar", calendar, *extra)


def test_events_of_a_room_calendar(cli):
    events = _events(cli, "rm-lon-1-01")
    assert events and all("rm-lon-1-01" in e["room_ids"] for e in events)
    assert all(datetime(2026, 11, 21, tzinfo=LONDON) <= _t(e["start"]) < datetime(2026, 11, 22, tzinfo=LONDON) for e in events)


def test_events_table_marks_private_meetings(cli):
    events = _events(cli, "rm-lon-4-01")
    private = [e for e in events if e["private"]]
    result = cli("events", "--calendar", "rm-lon-4-01")
    assert result.rc == 0
    for event in private:
        row = next(line for line in result.out.splitlines() if line.startswith(event["id"]))
        assert "(private)" in row


def test_create_event_in_a_free_slot(cli):
    created = cli.json(
        "events", "create", "--room", "rm-lon-1-02", "--title", "Walk-in", "--start", "2026-11-21T18:00",
        "--end", "2026-11-21T18:30", "--attendee", "guest@fabrikam.example",
    )
    assert created["title"] == "Walk-in" and created["room_ids"] == ["rm-lon-1-02"]
    assert _t(created["start"]) == datetime(2026, 11, 21, 18, tzinfo=LONDON)
    assert "guest@fabrikam.example" in {a["email"] for a in created["attendees"]}
    assert created["id"] in {e["id"] for e in _events(cli, "rm-lon-1-02")}


def test_create_event_that_clashes_names_the_clash_and_changes_nothing(cli):
    before = _events(cli, "rm-lon-1-01")
    busy = before[0]
    start = _t(busy["start"]).astimezone(LONDON)
    result = cli(
        "events", "create", "--room", "rm-lon-1-01", "--title", "Clash", "--start", start.isoformat(),
        "--end", (start + timedelta(minutes=15)).isoformat(),
    )
    assert result.rc == 1
    assert "not free" in result.err and busy["id"] in result.err and "rm-lon-1-01" in result.err
    assert _events(cli, "rm-lon-1-01") == before


def test_create_event_in_an_unknown_room_exits_1(cli):
    result = cli("events", "create", "--room", "rm-nowhere", "--title", "T", "--start", "2026-11-21T18:00", "--end", "2026-11-21T19:00")
    assert result.rc == 1 and "rm-nowhere" in result.err


def test_create_event_ending_before_it_starts_exits_1(cli):
    result = cli("events", "create", "--room", "rm-lon-1-02", "--title", "T", "--start", "2026-11-21T18:00", "--end", "2026-11-21T17:00")
    assert result.rc == 1 and "after" in result.err


def test_delete_event_cancels_it(cli):
    event = _events(cli, "rm-lon-1-01")[-1]
    result = cli("events", "delete", "--calendar", "rm-lon-1-01", event["id"], "--comment", "room closed")
    assert result.rc == 0 and event["id"] in result.out
    assert event["id"] not in {e["id"] for e in _events(cli, "rm-lon-1-01")}


def test_decline_records_the_persons_answer(cli):
    person = "grace.kim@acme.example"
    invited = next(
        e for e in _events(cli, person) if e["host"] != person and person in {a["email"] for a in e["attendees"]}
    )
    result = cli("events", "decline", "--calendar", person, invited["id"], "--comment", "clash")
    assert result.rc == 0 and "declined" in result.out
    again = next(e for e in _events(cli, person, "--include-cancelled") if e["id"] == invited["id"])
    assert next(a["response"] for a in again["attendees"] if a["email"] == person) == "declined"


def test_delete_unknown_event_exits_1(cli):
    result = cli("events", "delete", "--calendar", "rm-lon-1-01", "evt-nope")
    assert result.rc == 1 and "evt-nope" in result.err


def test_approve_and_reject_a_pending_room_event(cli):
    def book(hour: int) -> dict[str, Any]:
        return cli.json(
            "events", "create", "--room", "rm-lon-4-01", "--title", f"Review {hour}", "--host", "ada.lovelace@acme.example",
            "--start", f"2026-11-21T{hour}:00", "--end", f"2026-11-21T{hour}:30",
        )

    def room_response(event: dict[str, Any]) -> str:
        return next(a["response"] for a in event["attendees"] if a["resource"])

    first, second = book(17), book(18)
    assert room_response(first) == "tentative"
    assert room_response(cli.json("events", "approve", "--room", "rm-lon-4-01", first["id"])) == "accepted"
    rejected = cli("events", "reject", "--room", "rm-lon-4-01", second["id"])
    assert rejected.rc == 0 and "Rejected" in rejected.out


# --------------------------------------------------------------------------- bookings


def _bookings(cli: Cli, *extra: str) -> list[dict[str, Any]]:
    return cli.json("bookings", *extra)


def test_bookings_json_and_filters(cli):
    everything = _bookings(cli)
    assert everything and {"id", "type", "asset_ids", "user_email", "start", "end", "state"} <= set(everything[0])
    desks = _bookings(cli, "--type", "desk", "--zone", "bld-lon")
    assert desks and all(b["type"] == "desk" and "bld-lon" in b["zones"] for b in desks)
    someone = desks[0]["user_email"]
    assert all(b["user_email"] == someone for b in _bookings(cli, "--user", someone))


def test_bookings_table_shows_times_in_each_buildings_zone(cli):
    result = cli("bookings", "--type", "desk")
    assert result.rc == 0
    lines = result.out.splitlines()
    assert any("GMT" in line and "desk-lon" in line for line in lines)
    assert any("EST" in line and "desk-nyc" in line for line in lines)


def test_booking_lifecycle(cli):
    created = cli.json(
        "bookings", "create", "--type", "desk", "--asset", "desk-lon-2-01", "--user", "ada.lovelace@acme.example",
        "--start", "2026-11-22", "--end", "2026-11-22", "--zone", "bld-lon", "--title", "Sunday desk",
    )
    booking_id = created["id"]
    assert _t(created["start"]) == datetime(2026, 11, 22, tzinfo=LONDON)
    assert _t(created["end"]) == datetime(2026, 11, 23, tzinfo=LONDON)
    assert cli.json("bookings", "show", booking_id)["title"] == "Sunday desk"

    assert cli.json("bookings", "approve", booking_id)["approved"] is True
    shown = cli("bookings", "show", booking_id)
    assert shown.rc == 0 and "approved" in shown.out and "ada.lovelace@acme.example" in shown.out

    deleted = cli("bookings", "delete", booking_id)
    assert deleted.rc == 0 and booking_id in deleted.out
    assert booking_id not in {b["id"] for b in _bookings(cli, "--start", "2026-11-22", "--end", "2026-11-22")}
    assert booking_id in {b["id"] for b in _bookings(cli, "--start", "2026-11-22", "--end", "2026-11-22", "--include-deleted")}


def test_reject_a_pending_booking(cli):
    pending = next(b for b in _bookings(cli) if not b["approved"] and not b["rejected"])
    rejected = cli.json("bookings", "reject", pending["id"])
    assert rejected["rejected"] is True


def test_check_in_and_out_of_a_booking(cli, monkeypatch):
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", "2026-11-21T09:00:00+00:00")
    desk = next(b for b in _bookings(cli, "--type", "desk", "--zone", "bld-lon") if b["approved"])
    assert cli.json("bookings", "check-in", desk["id"])["checked_in"] is True
    out = cli.json("bookings", "check-out", desk["id"])
    assert out["checked_out_at"] is not None


def test_clashing_booking_exits_1_names_the_clash_and_changes_nothing(cli):
    taken = next(b for b in _bookings(cli, "--type", "desk", "--zone", "bld-lon"))
    start = _t(taken["start"]).astimezone(LONDON)
    before = _bookings(cli, "--include-deleted")

    result = cli(
        "bookings", "create", "--type", "desk", "--asset", taken["asset_ids"][0], "--user", "ada.lovelace@acme.example",
        "--start", (start + timedelta(hours=1)).isoformat(), "--end", (start + timedelta(hours=2)).isoformat(),
        "--zone", "bld-lon", "--json",
    )

    assert result.rc == 1
    assert taken["id"] in result.err and taken["asset_ids"][0] in result.err and taken["user_email"] in result.err
    error = result.json()
    assert error["error"] == "conflict" and [c["id"] for c in error["clashes"]] == [taken["id"]]
    assert _bookings(cli, "--include-deleted") == before


def test_a_desk_booked_without_an_offset_lands_at_that_hour_in_its_new_york_building(cli):
    """No --zone: the desk's own building says which zone 09:00 is in (not UTC, not this computer's)."""
    result = cli(
        "bookings", "create", "--type", "desk", "--asset", "desk-nyc-2-01", "--user", "ada.lovelace@acme.example",
        "--start", "2026-12-04T09:00", "--end", "2026-12-04T10:00", "--json",
    )
    assert result.rc == 0, result.err
    made = result.json()
    assert _t(made["start"]) == datetime(2026, 12, 4, 9, tzinfo=NEW_YORK)
    assert _t(made["end"]) == datetime(2026, 12, 4, 10, tzinfo=NEW_YORK)
    assert made["timezone"] == "America/New_York"
    assert "times without an offset were read in America/New_York, the building of desk desk-nyc-2-01" in result.err

    table = cli("bookings", "create", "--type", "desk", "--asset", "desk-nyc-2-02", "--user", "ada.lovelace@acme.example",
                "--start", "2026-12-04T09:00", "--end", "2026-12-04T10:00")
    assert table.rc == 0 and "2026-12-04 09:00-10:00 EST" in table.out


def test_a_time_the_clocks_skip_is_refused_and_nothing_is_booked(cli):
    before = _bookings(cli, "--start", "2027-03-28", "--end", "2027-03-28", "--include-deleted")
    result = cli(
        "bookings", "create", "--type", "desk", "--asset", "desk-lon-2-01", "--user", "ada.lovelace@acme.example",
        "--start", "2027-03-28T01:30", "--end", "2027-03-28T03:00",
    )
    assert result.rc == 1
    assert "--start 2027-03-28T01:30 does not exist in Europe/London" in result.err
    assert "from 01:00 straight to 02:00" in result.err and "Traceback" not in result.err
    assert _bookings(cli, "--start", "2027-03-28", "--end", "2027-03-28", "--include-deleted") == before


def test_a_time_that_happens_twice_is_the_first_and_the_command_says_so(cli):
    result = cli(
        "bookings", "create", "--type", "desk", "--asset", "desk-lon-2-01", "--user", "ada.lovelace@acme.example",
        "--start", "2027-10-31T01:30", "--end", "2027-10-31T03:00", "--json",
    )
    assert result.rc == 0, result.err
    assert _t(result.json()["start"]) == datetime(2027, 10, 31, 0, 30, tzinfo=timezone.utc)  # 01:30 BST
    assert "2027-10-31T01:30 happens twice in Europe/London" in result.err
    assert "the first, 01:30 BST (+01:00), was used" in result.err and "2027-10-31T01:30+00:00" in result.err


def test_a_window_typed_with_offsets_says_nothing_about_zones(cli):
    result = cli("bookings", "--zone", "bld-nyc", "--start", "2026-11-21T00:00-05:00", "--end", "2026-11-22T00:00-05:00")
    assert result.rc == 0 and result.err == ""
    typed = cli("bookings", "--zone", "bld-nyc", "--start", "2026-11-21")
    assert "read in America/New_York, the zone of bld-nyc" in typed.err


def test_unknown_zone_is_an_error_not_an_empty_list(cli):
    for command in ("bookings", "guests", "rooms", "freebusy"):
        result = cli(command, "--zone", "bld-atlantis")
        assert result.rc == 1 and "bld-atlantis" in result.err, command


def test_a_window_ending_before_it_starts_exits_1_quoting_what_was_typed(cli):
    result = cli("bookings", "--start", "2026-11-22", "--end", "2026-11-21")
    assert result.rc == 1
    assert "--start 2026-11-22 --end 2026-11-21" in result.err and "Traceback" not in result.err


def test_unknown_booking_exits_1(cli):
    result = cli("bookings", "show", "bk-nope")
    assert result.rc == 1 and "bk-nope" in result.err


# --------------------------------------------------------------------------- guests


def test_guests_of_a_building_today(cli):
    guests = cli.json("guests", "--zone", "bld-lon")
    assert guests and all("bld-lon" in g["zone_ids"] for g in guests)
    table = cli("guests", "--zone", "bld-lon")
    assert table.rc == 0 and guests[0]["name"] in table.out and "expected" in table.out


def test_guest_check_in_tells_the_host_and_check_out(cli, monkeypatch):
    guest = min(cli.json("guests", "--zone", "bld-lon"), key=lambda g: g["visit_start"])
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", guest["visit_start"])

    result = cli.json("guests", "check-in", guest["id"])
    assert result["guest"]["checked_in"] is True and result["notification_error"] is None
    assert result["notification"]["to"] == [guest["host_email"]]
    assert result["qr_payload"].startswith("VISIT:")

    outbox = cli.json("mail", "outbox", "--limit", "5")
    assert outbox[0]["id"] == result["notification"]["id"]

    left = cli("guests", "check-out", guest["id"])
    assert left.rc == 0 and "Checked out" in left.out
    assert next(g for g in cli.json("guests", "--zone", "bld-lon") if g["id"] == guest["id"])["checked_out_at"]


def test_repeated_guest_check_in_says_so_and_mails_the_host_once(cli, monkeypatch):
    guest = min(cli.json("guests", "--zone", "bld-lon"), key=lambda g: g["visit_start"])
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", guest["visit_start"])
    first = cli("guests", "check-in", guest["id"])
    again = cli("guests", "check-in", guest["id"])
    assert first.rc == 0 and "Checked in" in first.out
    assert again.rc == 0 and "was already checked in" in again.out
    mails = [m for m in cli.json("mail", "outbox") if m["to"] == [guest["host_email"]]]
    assert len(mails) == 1


def test_guest_check_in_too_early_exits_1_and_changes_nothing(cli):
    guest = max(cli.json("guests", "--zone", "bld-lon"), key=lambda g: g["visit_start"])
    result = cli("guests", "check-in", guest["id"])
    assert result.rc == 1 and "too early" in result.err
    assert next(g for g in cli.json("guests", "--zone", "bld-lon") if g["id"] == guest["id"])["checked_in"] is False


# --------------------------------------------------------------------------- directory and mail


def test_users_search_and_details(cli):
    found = cli.json("users", "--query", "grace")
    assert found and all("grace" in (u["name"] + u["email"]).lower() for u in found)
    details = cli.json("users", "show", found[0]["email"])
    assert details["user"]["email"] == found[0]["email"]
    assert {"manager", "groups", "calendars", "unsupported"} <= set(details)
    table = cli("users", "show", found[0]["email"])
    assert table.rc == 0 and "manager:" in table.out and "calendars:" in table.out


def test_unknown_user_exits_1(cli):
    result = cli("users", "show", "nobody@acme.example")
    assert result.rc == 1 and "nobody@acme.example" in result.err


def test_groups_and_members(cli):
    groups = cli.json("groups")
    assert groups and {"id", "name", "email", "description"} <= set(groups[0])
    members = [cli.json("groups", "members", g["id"]) for g in groups]
    assert any(members) and all("@" in m["email"] for group in members for m in group)
    assert cli("groups").out.splitlines()[0].split()[:2] == ["ID", "NAME"]


def test_empty_outbox_says_so(cli):
    result = cli("mail", "outbox")
    assert result.rc == 0 and result.out.strip() == "The outbox is empty."
    assert cli.json("mail", "outbox") == []
