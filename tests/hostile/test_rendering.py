"""Hostile titles on the way out: tables, fields and plain lines show control characters as
escapes (one row per booking, whatever the title holds); --json gives the exact title back."""

from __future__ import annotations

import io
import json

from hypothesis import given
from hypothesis import strategies as st

from staffterm.cli.output import emit_json, emit_line, render_table, shorten, visible
from tests.hostile.conftest import RAW_CONTROL, run_cli

EVIL = "Board\x1b]0;pwned\x07 \x1b[2J\x9b31m\u202eevil\nFAKE  desk  forged\r\t\udcff"


def test_control_characters_are_shown_as_escapes_and_printable_text_is_kept():
    assert visible("a\x1b[31mb") == "a\\x1b[31mb"
    assert visible("title\x1b]0;x\x07") == "title\\x1b]0;x\\x07"
    assert visible("one\ntwo\rthree\tfour") == "one\\ntwo\\rthree\\tfour"
    assert visible("\x9b\x7f\x00") == "\\x9b\\x7f\\x00"
    assert visible("\u202eevil\u2066\u2028") == "\\u202eevil\\u2066\\u2028"
    assert visible("\udcff") == "\\udcff"
    kept = "Café 会议室 غرفة \U0001F468\u200d\U0001F469\u200d\U0001F467 naïve \\x1b"
    assert visible(kept) == kept


@given(st.text())
def test_visible_text_is_one_line_with_nothing_a_terminal_acts_on(text):
    shown = visible(text)
    assert not RAW_CONTROL.search(shown) and "\n" not in shown


BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]).filter(lambda c: c not in BIDI)))
def test_printable_text_is_unchanged(text):
    assert visible(text) == text


@given(st.text())
def test_json_gives_any_text_back_exactly_and_sends_no_raw_control(text):
    out = io.StringIO()
    emit_json({"title": text}, out)
    assert json.loads(out.getvalue()) == {"title": text}
    assert not RAW_CONTROL.search(out.getvalue())


def test_json_on_an_ascii_stream_escapes_instead_of_failing():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict", write_through=True)
    emit_json({"title": "Café \U0001F600"}, stream)
    assert json.loads(raw.getvalue().decode("ascii")) == {"title": "Café \U0001F600"}


def test_a_newline_in_a_cell_cannot_forge_a_row():
    table = render_table(("ID", "TITLE"), [("bk-1", "x\nbk-2  forged"), ("bk-3", "ok")])
    assert len(table.splitlines()) == 4


def test_plain_lines_and_long_messages():
    out = io.StringIO()
    emit_line("Saved \x1b[2J\nfake", out)
    assert out.getvalue() == "Saved \\x1b[2J\\nfake\n"
    long = shorten("x" * 120_000)
    assert len(long) <= 500 and "characters left out" in long


def plant_title(site, table: str, item_id: str, title: str) -> None:
    """A hostile title as a remote calendar could hand it over: the desk's own writes refuse control
    characters in titles (services/booking_rules.py), so it is written into the site directly."""
    import sqlite3

    (path,) = site.data.glob("*.sqlite3")
    with sqlite3.connect(path) as db:
        assert db.execute(f"UPDATE {table} SET title = ? WHERE id = ?", (title, item_id)).rowcount == 1


def test_the_desk_refuses_a_title_with_control_characters(site):
    refused = run_cli(
        ["bookings", "create", "--type", "desk", "--asset", "desk-lon-2-01", "--user", "ada.lovelace@acme.example",
         "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:00", "--title", EVIL.replace("\udcff", "")]
    )
    assert refused.rc == 1 and "control characters" in refused.err and not RAW_CONTROL.search(refused.err)


def test_a_hostile_title_reaches_the_terminal_escaped_in_every_view_and_exact_in_json(site):
    created = run_cli(
        ["bookings", "create", "--type", "desk", "--asset", "desk-lon-2-01", "--user", "ada.lovelace@acme.example",
         "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:00", "--title", "Board", "--json"]
    )
    assert created.rc == 0, created.err
    booking = json.loads(created.out)
    plant_title(site, "bookings", booking["id"], EVIL.replace("\udcff", ""))

    listing = run_cli(["bookings", "--start", "2026-11-23"])
    assert listing.rc == 0 and not RAW_CONTROL.search(listing.out)
    rows = [line for line in listing.out.splitlines() if booking["id"] in line]
    assert len(rows) == 1 and "FAKE  desk  forged" in rows[0] and "\\x1b]0;pwned\\x07" in rows[0]
    assert not any(line.startswith("FAKE") for line in listing.out.splitlines())

    shown = run_cli(["bookings", "show", booking["id"]])
    assert shown.rc == 0 and not RAW_CONTROL.search(shown.out)
    assert "title:" in shown.out and "\\u202eevil\\nFAKE" in shown.out

    exact = run_cli(["bookings", "show", booking["id"], "--json"])
    assert json.loads(exact.out)["title"] == EVIL.replace("\udcff", "")
    run_cli(["bookings", "delete", booking["id"]])


def test_a_hostile_event_title_is_escaped_in_the_listing(site):
    created = run_cli(
        ["events", "create", "--room", "rm-lon-1-01", "--title", "Sync",
         "--start", "2026-11-22T09:00", "--end", "2026-11-22T09:30", "--json"]
    )
    assert created.rc == 0, created.err
    plant_title(site, "events", json.loads(created.out)["id"], "Sync\x1b]8;;http://x\x07link\nforged")
    listing = run_cli(["events", "--calendar", "rm-lon-1-01", "--start", "2026-11-22"])
    assert listing.rc == 0 and not RAW_CONTROL.search(listing.out)
    assert "Sync\\x1b]8;;http://x\\x07link\\nforged" in listing.out
