"""JSON and table rendering."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from staffterm.cli.output import describe_clash, emit_json, emit_table, format_period, render_table, to_jsonable
from staffterm.models import Booking, BusyBlock

LONDON = ZoneInfo("Europe/London")


def _booking() -> Booking:
    return Booking(
        id="bk-1",
        type="desk",
        asset_ids=["desk-lon-2-01"],
        user_email="ada.lovelace@acme.example",
        start=datetime(2026, 11, 21, 9, tzinfo=timezone.utc),
        end=datetime(2026, 11, 21, 17, tzinfo=timezone.utc),
    )


def test_models_serialise_with_their_field_names_and_iso_times():
    out = io.StringIO()
    emit_json([_booking()], out)
    data = json.loads(out.getvalue())
    assert isinstance(data, list) and data[0]["id"] == "bk-1"
    assert set(data[0]) == set(Booking.model_fields)
    assert datetime.fromisoformat(data[0]["start"]) == datetime(2026, 11, 21, 9, tzinfo=timezone.utc)


def test_dataclasses_holding_models_serialise_too():
    @dataclass
    class Result:
        booking: Booking
        note: str | None

    data = to_jsonable(Result(_booking(), None))
    assert data["booking"]["asset_ids"] == ["desk-lon-2-01"] and data["note"] is None


def test_table_columns_line_up():
    text = render_table(("ID", "NAME"), [("rm-1", "Ada"), ("rm-long-id", "Babbage")])
    lines = text.splitlines()
    assert lines[0].index("NAME") == lines[2].index("Ada") == lines[3].index("Babbage")
    assert lines[1].startswith("----------  ----")


def test_an_empty_table_says_so():
    out = io.StringIO()
    emit_table(("ID",), [], empty="No rooms match.", stream=out)
    assert out.getvalue() == "No rooms match.\n"


def test_periods_show_in_the_buildings_zone():
    start = datetime(2026, 7, 1, 8, tzinfo=timezone.utc)
    end = datetime(2026, 7, 1, 9, tzinfo=timezone.utc)
    assert format_period(start, end, LONDON) == "2026-07-01 09:00-10:00 BST"
    assert format_period(start, end.replace(day=2), LONDON) == "2026-07-01 09:00 - 2026-07-02 10:00 BST"


def test_clash_lines_name_id_asset_times_and_who():
    line = describe_clash(_booking(), LONDON)
    assert line.split("  ")[:2] == ["bk-1", "desk-lon-2-01"]
    assert "2026-11-21 09:00-17:00 GMT" in line and "ada.lovelace@acme.example" in line


def test_clash_lines_for_busy_blocks_show_times_and_title():
    block = BusyBlock(
        start=datetime(2026, 11, 21, 9, tzinfo=timezone.utc),
        end=datetime(2026, 11, 21, 10, tzinfo=timezone.utc),
        event_id="ev-9",
        title="Board meeting",
    )
    assert describe_clash(block, LONDON) == "ev-9  2026-11-21 09:00-10:00 GMT  Board meeting"

