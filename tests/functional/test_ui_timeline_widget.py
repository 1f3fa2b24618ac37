"""The free/busy timeline widget, driven headless in a tiny app with Pilot and a frozen "now"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time as wallclock
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.style import Style
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.theme import Theme
from textual.widgets import Input

from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import BusyBlock, BusyStatus
from staffterm.ui.widgets.timeline import FreeBusyTimeline, TimelineRow, rows_from_snapshot
from staffterm.ui.widgets.timeline_data import STATE_RANK, DayGrid

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# 10:00 in London on the day the demo is generated for.
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
DAY_START = datetime(2026, 11, 21, 7, 0, tzinfo=LONDON)
SLOTS = 48  # 07:00–19:00 in 15-minute slots
FB = {"fb-free": "#2e7d32", "fb-busy": "#c62828", "fb-tentative": "#f9a825", "fb-oof": "#6a1b9a"}

# One letter per status keeps the rows below readable.
F, B, T, O, E = (BusyStatus.FREE, BusyStatus.BUSY, BusyStatus.TENTATIVE, BusyStatus.OOF, BusyStatus.ELSEWHERE)  # noqa: E741


class TimelineApp(App[None]):
    """The smallest host: the timeline, the fb-* theme variables, and a record of its messages."""

    BINDINGS = [Binding("escape", "screen_back", "Back", id="test-back")]

    def __init__(self, now: datetime | None = NOW, **timeline_options: object) -> None:
        super().__init__()
        self._now = now
        self._options = timeline_options
        self.chosen: list[FreeBusyTimeline.RangeChosen] = []
        self.moved: list[FreeBusyTimeline.CursorMoved] = []
        self.went_back = 0

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**FB, "checkin-ok": "#2e7d32"}

    def now(self) -> datetime | None:
        return self._now

    def compose(self) -> ComposeResult:
        yield FreeBusyTimeline(id="timeline", **self._options)  # type: ignore[arg-type]

    def on_free_busy_timeline_range_chosen(self, message: FreeBusyTimeline.RangeChosen) -> None:
        self.chosen.append(message)

    def on_free_busy_timeline_cursor_moved(self, message: FreeBusyTimeline.CursorMoved) -> None:
        self.moved.append(message)

    def action_screen_back(self) -> None:
        self.went_back += 1


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 21, hour, minute, tzinfo=LONDON)


def block(start: datetime, end: datetime, status: BusyStatus = B, title: str = "Meeting") -> BusyBlock:
    return BusyBlock(start=start, end=end, status=status, title=title)


def states_for(*spans: tuple[int, int, BusyStatus]) -> tuple[BusyStatus, ...]:
    out = [F] * SLOTS
    for first, end, status in spans:
        out[first:end] = [status] * (end - first)
    return tuple(out)


def sample_rows(count: int = 3) -> list[TimelineRow]:
    """Room A busy 10:00–11:00 (slots 12–15) and tentative 12:00–12:30; others free."""
    busy = block(at(10), at(11), B, "Board meeting")
    tentative = block(at(12), at(12, 30), T, "Maybe")
    rows = [
        TimelineRow("room-a", "Room A", 8, states_for((12, 16, B), (20, 22, T)), (busy, tentative)),
        TimelineRow("room-b", "Room B", 12, states_for((4, 6, O), (30, 34, E)),
                    (block(at(8), at(8, 30), O), block(at(14, 30), at(15, 30), E))),
    ]
    rows += [TimelineRow(f"room-{i}", f"Room {i}", 4, states_for()) for i in range(count - 2)]
    return rows[:count]


async def mounted(app: TimelineApp, pilot, rows: list[TimelineRow], **grid: object) -> FreeBusyTimeline:
    timeline = app.query_one(FreeBusyTimeline)
    options = {"day_start": DAY_START, "slot_minutes": 15, "slots": SLOTS, "tz": LONDON, **grid}
    timeline.set_data(rows, **options)  # type: ignore[arg-type]
    timeline.focus()
    await pilot.pause()
    return timeline


def cell(strip, column: int) -> tuple[str, Style]:
    """The character and style at ``column`` of a strip."""
    position = 0
    for segment in strip:
        length = len(segment.text)
        if position + length > column:
            return segment.text[column - position], segment.style
        position += length
    raise AssertionError(f"column {column} is past the strip ({position} cells)")


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return Color.parse(hex_colour).rgb


def triplet(colour) -> tuple[int, int, int]:
    return tuple(colour.triplet) if colour is not None else None  # type: ignore[return-value]


# --------------------------------------------------------------------------- drawing


async def test_each_state_has_its_own_glyph_and_colour_one_segment_per_run():
    app = TimelineApp(now=None)
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = await mounted(app, pilot, sample_rows())
        assert timeline.now is None
        width = timeline.cell_width
        room_a, room_b = timeline.row_strip(0, timeline._plain), timeline.row_strip(1)

        # Glyphs alone tell the states apart (no colour needed).
        glyph = {name: cell(strip, slot * width)[0] for name, strip, slot in [
            ("free", room_a, 1), ("busy", room_a, 12), ("tentative", room_a, 20),
            ("oof", room_b, 4), ("elsewhere", room_b, 30)]}
        assert glyph["busy"] == "█" and glyph["tentative"] == "░"
        assert glyph["free"] in "·╎" and len(set(glyph.values())) == 5
        # An hour's start is ticked in free cells (slot 0 is 07:00, slot 4 is 08:00).
        assert cell(room_a, 4 * width)[0] == "╎" and cell(room_a, 5 * width)[0] == "·"

        busy_style = cell(room_a, 12 * width)[1]
        assert triplet(busy_style.color) == rgb(FB["fb-busy"]) == triplet(busy_style.bgcolor)
        assert triplet(cell(room_a, 20 * width)[1].color) == rgb(FB["fb-tentative"])
        assert triplet(cell(room_b, 4 * width)[1].color) == rgb(FB["fb-oof"])
        assert triplet(cell(room_a, 1 * width)[1].color) == rgb(FB["fb-free"])

        # Run-length encoded: room A (cursor on it at slot 0) is free|busy|free|tentative|free
        # plus the cursor cut; room B has no cursor: exactly one segment per run.
        assert len(list(room_b)) == 5
        assert room_b.cell_length == SLOTS * width
        # The cells scroll under the gutter: the painted line is the window, not the whole day.
        assert timeline.render_line(2).cell_length == timeline.scrollable_content_region.width


async def test_header_shows_the_buildings_hours_and_the_gutter_the_rooms():
    app = TimelineApp()
    async with app.run_test(size=(160, 48)) as pilot:
        # 06:00 UTC on 1 July is 07:00 in London (BST): labels are local, not UTC.
        summer = datetime(2026, 7, 1, 6, 0, tzinfo=timezone.utc)
        rows = [TimelineRow("x", "Boardroom [b]Top[/b] with a very long name indeed", 120, states_for()),
                TimelineRow("y", "Pod", 0, states_for())]
        timeline = await mounted(app, pilot, rows, day_start=summer, tz=LONDON)
        gutter = timeline.gutter_width
        header = timeline.render_line(0).text
        assert header.startswith("Wed 01 Jul") and header[:gutter].rstrip().endswith("07:00")  # cursor time
        assert header[gutter : gutter + 5] == "07:00"
        assert header[gutter + 8 : gutter + 13] == "08:00"
        first = timeline.render_line(1).text[:gutter]
        assert first.startswith("Boardroom [b]Top[/b]") and "…" in first and first.rstrip().endswith("120")
        assert timeline.render_line(2).text[:gutter].rstrip() == "Pod"

        # The same moment shown for New York reads 02:00, every hour labelled.
        timeline.set_data(rows, day_start=summer, slot_minutes=15, slots=SLOTS, tz=NEW_YORK)
        await pilot.pause()
        header = timeline.render_line(0).text
        assert header[gutter : gutter + 5] == "02:00" and "03:00" in header


async def test_a_scrolled_line_is_exactly_the_window_of_the_whole_row():
    app = TimelineApp(now=datetime(2026, 11, 21, 10, 8, tzinfo=timezone.utc))
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = await mounted(app, pilot, sample_rows(30))
        await pilot.press("space", "right", "right")  # a cursor, a selection and the now column on row 0
        gutter = timeline.gutter_width
        shown = timeline.scrollable_content_region.width - gutter
        for scroll_x in (0, 1, 7, 23, timeline.max_scroll_x):
            timeline.scroll_to(x=scroll_x, animate=False)
            await pilot.pause()
            assert timeline.scroll_offset.x == scroll_x
            for row in (0, 1, 2):
                whole = timeline.row_strip(row)
                line = timeline.render_line(1 + row)
                assert line.cell_length == timeline.scrollable_content_region.width
                assert line.text[gutter:] == whole.text[scroll_x : scroll_x + shown]
                for column in range(0, shown, 3):
                    assert cell(line, gutter + column) == cell(whole, scroll_x + column), (scroll_x, row, column)


async def test_half_hour_slots_and_narrow_cells_label_hours_without_overlap():
    app = TimelineApp(cell_width=1)
    async with app.run_test(size=(80, 24)) as pilot:
        rows = [TimelineRow("a", "A", 1, (F,) * 24)]
        timeline = await mounted(app, pilot, rows, slot_minutes=30, slots=24)
        header = timeline.render_line(0).text[timeline.gutter_width :]
        # Two columns per hour: "07" fits but would touch "08", so every other hour is shown.
        assert header.startswith("07  09  11")
        assert timeline.virtual_size.width == timeline.gutter_width + 24
        assert timeline.grid is not None and timeline.grid.slot_start(24) == at(19)


async def test_now_column_is_drawn_and_the_past_is_dimmed():
    app = TimelineApp(now=datetime(2026, 11, 21, 10, 7, tzinfo=timezone.utc))
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = await mounted(app, pilot, sample_rows())
        width = timeline.cell_width
        # The widget took "now" from the app (frozen), not from a clock of its own.
        assert timeline.now == app.now()
        free_row = timeline.row_strip(2)
        # 10:07 is in slot 12 (10:00–10:15), in its first half: the mark is the cell's first column.
        mark, now_style = cell(free_row, 12 * width)
        assert mark == "│" and now_style.bold
        past_char, past_style = cell(free_row, 5 * width)
        future_char, future_style = cell(free_row, 21 * width)
        assert past_char == future_char == "·"
        assert past_style.bgcolor != future_style.bgcolor and past_style.color != future_style.color
        # Over a busy slot the now column keeps the block glyph but takes the now colour.
        busy_now_char, busy_now = cell(timeline.row_strip(0), 12 * width)
        assert busy_now_char == "█" and busy_now.bold and triplet(busy_now.color) != rgb(FB["fb-busy"])
        # The header marks the now slot as well.
        header_now = cell(timeline.render_line(0), timeline.gutter_width + 12 * width)[1]
        assert header_now.underline and not cell(timeline.render_line(0), timeline.gutter_width + 16 * width)[1].underline
        # Moving "now" on moves the line.
        timeline.now = datetime(2026, 11, 21, 12, 8, tzinfo=timezone.utc)
        await pilot.pause()
        assert cell(timeline.row_strip(2), 20 * width + 1)[0] == "│"
        assert cell(timeline.row_strip(2), 12 * width)[0] in "·╎"
        with pytest.raises(InvalidInputError):
            timeline.now = datetime(2026, 11, 21, 12, 0)  # naive


async def test_theme_change_redraws_with_the_new_colours():
    app = TimelineApp()
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = await mounted(app, pilot, sample_rows())
        width = timeline.cell_width
        before = cell(timeline.row_strip(0), 13 * width)[1]
        header_before = cell(timeline.render_line(0), 0)[1]
        assert triplet(before.color) == rgb(FB["fb-busy"])
        app.register_theme(Theme(name="contrast-test", primary="#ffffff", background="#000000", panel="#202020",
                                 dark=True, variables={"fb-busy": "#0000ff"}))
        app.theme = "contrast-test"
        await pilot.pause()
        await pilot.pause()
        after = cell(timeline.row_strip(0), 13 * width)[1]
        assert triplet(after.color) == rgb("#0000ff")
        assert cell(timeline.render_line(0), 0)[1] != header_before


# --------------------------------------------------------------------------- cursor


async def test_cursor_keys_move_and_keep_the_cursor_in_view_at_80x24():
    app = TimelineApp()
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = await mounted(app, pilot, sample_rows(200))
        assert timeline.cursor == (0, 0)
        await pilot.press(*["down"] * 30)
        await pilot.pause()
        row, _ = timeline.cursor
        visible_rows = timeline.scrollable_content_region.height - 1
        assert row == 30 and timeline.scroll_offset.y <= 30 < timeline.scroll_offset.y + visible_rows
        assert timeline.render_line(30 - timeline.scroll_offset.y + 1).text.startswith("Room 28")
        await pilot.press("end")
        await pilot.pause()
        assert timeline.cursor == (30, SLOTS - 1) and timeline.scroll_offset.x == timeline.max_scroll_x > 0
        assert timeline.cursor_time == at(18, 45)
        await pilot.press("home")
        await pilot.pause()
        assert timeline.cursor == (30, 0) and timeline.scroll_offset.x == 0
        await pilot.press("right_square_bracket", "right_square_bracket", "right")
        assert timeline.cursor_time == at(9, 15)
        await pilot.press("left_square_bracket")
        assert timeline.cursor_time == at(9)
        await pilot.press("pagedown")
        assert timeline.cursor[0] == 30 + visible_rows
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert timeline.cursor[0] == 199 and timeline.scroll_offset.y == timeline.max_scroll_y
        assert timeline.render_line(timeline.scrollable_content_region.height - 1).text.startswith("Room 197")
        await pilot.press("ctrl+home", "up", "left")
        assert timeline.cursor == (0, 7)
        await pilot.press("t")
        assert timeline.cursor_time == at(10)


async def test_cursor_moves_repaint_only_the_lines_they_touch():
    app = TimelineApp()
    async with app.run_test(size=(120, 40)) as pilot:
        timeline = await mounted(app, pilot, sample_rows(20))
        painted: list[object] = []
        original = timeline.refresh

        def spy(*regions, **kwargs):
            painted.append(regions)
            return original(*regions, **kwargs)

        timeline.refresh = spy  # type: ignore[method-assign]
        await pilot.press("down")
        await pilot.pause()
        regions = [r for call in painted for r in call]
        assert painted and all(call for call in painted), "a whole-widget refresh was asked for"
        assert {r.y for r in regions} <= {0, 1, 2} and all(r.height == 1 for r in regions)


class TwoWidgetApp(TimelineApp):
    """The timeline beside another focusable widget, handling its messages with ``@on`` selectors."""

    def __init__(self) -> None:
        super().__init__()
        self.by_selector: list[str] = []

    def compose(self) -> ComposeResult:
        yield FreeBusyTimeline(id="timeline")
        yield Input(id="search")

    @on(FreeBusyTimeline.RangeChosen, "#timeline")
    def _chosen_here(self, message: FreeBusyTimeline.RangeChosen) -> None:
        self.by_selector.append(message.room_id)


async def test_cursor_is_drawn_blurred_when_focus_is_elsewhere_and_messages_carry_their_control():
    app = TwoWidgetApp()
    async with app.run_test(size=(100, 30)) as pilot:
        timeline = await mounted(app, pilot, sample_rows())
        focused = cell(timeline.render_line(1), timeline.gutter_width)[1]
        app.query_one(Input).focus()
        await pilot.pause()
        blurred = cell(timeline.render_line(1), timeline.gutter_width)[1]
        assert focused != blurred and focused.bold and not blurred.bold
        timeline.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.by_selector == ["room-a"] and app.chosen[-1].control is timeline


async def test_cursor_moved_reports_the_meeting_under_the_cursor():
    app = TimelineApp()
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = await mounted(app, pilot, sample_rows())
        app.moved.clear()
        timeline.move_cursor_to_time(at(10, 20))
        await pilot.pause()
        message = app.moved[-1]
        assert message.room_id == "room-a" and message.at == at(10, 15)
        assert message.block is not None and message.block.title == "Board meeting"
        assert timeline.block_at(0, 13) == message.block and timeline.block_at(0, 11) is None
        await pilot.press("down")
        await pilot.pause()
        assert app.moved[-1].room_id == "room-b" and app.moved[-1].block is None
        timeline.select_room("room-a")
        await pilot.pause()
        assert timeline.cursor_room_id == "room-a" and app.moved[-1].room_id == "room-a"


async def test_clicking_a_cell_moves_the_cursor_there():
    app = TimelineApp()
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = await mounted(app, pilot, sample_rows(6))
        gutter = timeline.gutter_width
        await pilot.click(FreeBusyTimeline, offset=(gutter + 2 * 10 + 1, 1 + 3))
        await pilot.pause()
        assert timeline.cursor == (3, 10) and timeline.cursor_time == at(9, 30)
        await pilot.click(FreeBusyTimeline, offset=(gutter + 2 * 12, 1 + 3), shift=True)
        await pilot.pause()
        assert timeline.selection == (10, 12)


# --------------------------------------------------------------------------- selection


async def test_shift_selection_and_enter_post_the_range_with_its_clashes():
    app = TimelineApp()
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = await mounted(app, pilot, sample_rows())
        timeline.move_cursor_to_time(at(9, 30))
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert timeline.selection == (10, 13)
        await pilot.press("enter")
        await pilot.pause()
        chosen = app.chosen[-1]
        assert chosen.room_id == "room-a"
        assert chosen.start == at(9, 30) and chosen.end == at(10, 30)
        assert chosen.start.tzinfo is not None and chosen.start.utcoffset() == timedelta(0)
        assert [b.title for b in chosen.clashes] == ["Board meeting"] and chosen.error is None
        # Selected cells stay readable: a clash keeps its block glyph under the selection.
        assert cell(timeline.row_strip(0), 12 * timeline.cell_width)[0] == "█"
        # A plain arrow drops a shift-selection.
        await pilot.press("right")
        assert timeline.selection is None
        await pilot.press("enter")
        await pilot.pause()
        assert (app.chosen[-1].start, app.chosen[-1].end) == (at(10, 30), at(10, 45))


async def test_space_anchors_a_range_that_plain_arrows_extend_and_escape_clears():
    app = TimelineApp()
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = await mounted(app, pilot, sample_rows())
        timeline.move_cursor_to_time(at(11))
        await pilot.press("space", "right", "right", "right")
        assert timeline.selection == (16, 19)
        # The range follows the cursor to another room; its clashes are that room's.
        await pilot.press("down", "enter")
        await pilot.pause()
        chosen = app.chosen[-1]
        assert chosen.room_id == "room-b" and (chosen.start, chosen.end) == (at(11), at(12)) and chosen.clashes == []
        await pilot.press("up", "right", "enter")
        await pilot.pause()
        assert app.chosen[-1].room_id == "room-a" and [b.title for b in app.chosen[-1].clashes] == ["Maybe"]
        assert app.went_back == 0
        await pilot.press("escape")
        assert timeline.selection is None and app.went_back == 0
        # With nothing selected, escape is the screen's (back), not swallowed by the widget.
        await pilot.press("escape")
        assert app.went_back == 1


async def test_unknown_free_busy_is_drawn_as_unknown_and_flagged_when_chosen():
    app = TimelineApp()
    async with app.run_test(size=(120, 30)) as pilot:
        rows = [TimelineRow("z", "Room Z", 6, (F,) * SLOTS, (), "the calendar service is unavailable")]
        timeline = await mounted(app, pilot, rows)
        assert cell(timeline.row_strip(0), 5 * timeline.cell_width)[0] == "?"
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen[-1].error == "the calendar service is unavailable"


# --------------------------------------------------------------------------- data


async def test_a_thousand_rooms_mount_at_once_without_a_widget_per_row():
    rows = [TimelineRow(f"r{i}", f"Room {i:04d}", 8, states_for((i % 40, i % 40 + 4, B))) for i in range(1000)]
    app = TimelineApp()
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = app.query_one(FreeBusyTimeline)
        started = wallclock.perf_counter()
        timeline.set_data(rows, day_start=DAY_START, slot_minutes=15, slots=SLOTS, tz=LONDON)
        elapsed = wallclock.perf_counter() - started
        await pilot.pause()
        assert len(timeline.children) == 0 and timeline.row_count == 1000
        assert timeline.virtual_size.height == 1001
        # Not a timing assertion: a generous bound that only a per-row build would break.
        assert elapsed < 1.0
        await pilot.press("ctrl+end")
        await pilot.pause()
        last = timeline.render_line(timeline.scrollable_content_region.height - 1).text
        assert last.startswith("Room 0999")


async def test_new_data_keeps_the_cursor_on_its_room_and_time():
    app = TimelineApp()
    async with app.run_test(size=(120, 30)) as pilot:
        rows = sample_rows(5)
        timeline = await mounted(app, pilot, rows)
        timeline.select_room("room-1")
        timeline.move_cursor_to_time(at(14))
        await pilot.press("shift+right")
        timeline.set_data(list(reversed(rows)), day_start=DAY_START, slot_minutes=15, slots=SLOTS, tz=LONDON)
        await pilot.pause()
        assert timeline.cursor_room_id == "room-1" and timeline.cursor_time == at(14, 15)
        assert timeline.cursor[0] == 1 and timeline.selection == (28, 29)
        # The room gone: the cursor stays in range and the selection is dropped.
        timeline.set_data(rows[:2], day_start=DAY_START, slot_minutes=15, slots=SLOTS, tz=LONDON)
        await pilot.pause()
        assert timeline.cursor[0] <= 1 and timeline.selection is None


async def test_no_rooms_shows_one_line_saying_so():
    app = TimelineApp()
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = await mounted(app, pilot, [])
        assert timeline.render_line(0).text.startswith("No rooms match.")
        assert timeline.render_line(1).text.strip() == ""
        assert timeline.cursor_room_id is None and timeline.selected_range() is None
        await pilot.press("down", "enter", "space")
        assert app.chosen == []


async def test_bad_input_is_refused_and_changes_nothing():
    app = TimelineApp()
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = await mounted(app, pilot, sample_rows())
        version = timeline.row_count, timeline.grid
        with pytest.raises(InvalidInputError, match="slot states"):
            timeline.set_data([TimelineRow("q", "Q", 1, (F,) * 3)], day_start=DAY_START, slot_minutes=15,
                              slots=SLOTS, tz=LONDON)
        with pytest.raises(InvalidInputError, match="time zone"):
            timeline.set_data(sample_rows(), day_start=datetime(2026, 11, 21, 7), slot_minutes=15, slots=SLOTS,
                              tz=LONDON)
        with pytest.raises(InvalidInputError, match="minutes"):
            timeline.set_data(sample_rows(), day_start=DAY_START, slot_minutes=0, slots=SLOTS, tz=LONDON)
        with pytest.raises(InvalidInputError, match="twice"):
            timeline.set_data(sample_rows() + sample_rows()[:1], day_start=DAY_START, slot_minutes=15,
                              slots=SLOTS, tz=LONDON)
        assert (timeline.row_count, timeline.grid) == version
        with pytest.raises(InvalidInputError, match="outside the day shown"):
            timeline.move_cursor_to_time(at(20))
        timeline.move_cursor_to_time(at(20), clamp=True)
        assert timeline.cursor[1] == SLOTS - 1
        with pytest.raises(InvalidInputError):
            timeline.move_cursor_to_time(datetime(2026, 11, 21, 9))
        with pytest.raises(NotFoundError):
            timeline.select_room("nowhere")
        with pytest.raises(InvalidInputError):
            timeline.block_at(7, 0)
        with pytest.raises(InvalidInputError):
            FreeBusyTimeline(cell_width=0)


def test_day_grid_counts_absolute_time_across_a_clock_change():
    # 25 Oct 2026: London clocks go back, so the local day has 25 hours (100 quarter hours).
    start = datetime(2026, 10, 25, 0, 0, tzinfo=LONDON)
    grid = DayGrid.build(start, 15, 100, LONDON)
    assert grid.slot_start(100) == datetime(2026, 10, 26, 0, 0, tzinfo=LONDON)
    assert [grid.hour_marks[i] for i in (0, 4, 8, 12)] == [0, 1, 1, 2]
    assert grid.slot_of(datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)) == 10
    assert grid.slot_of(start - timedelta(minutes=1)) is None


def test_state_rank_matches_the_room_board():
    from staffterm.services.room_board import STATUS_RANK

    assert {str(k): v for k, v in STATUS_RANK.items()} == STATE_RANK


# --------------------------------------------------------------------------- the demo site


async def test_demo_site_rooms_drawn_from_the_room_board(tmp_path):
    from staffterm.backends.local.backend import LocalBackend
    from staffterm.clock import FrozenClock
    from staffterm.services.room_board import room_status
    from staffterm.services.session import Session
    from staffterm.services.zones import timezone_for

    clock = FrozenClock(NOW)
    backend = LocalBackend("demo", database=tmp_path / "d.sqlite3", clock=clock)
    async with Session.for_backend(backend, clock=clock) as session:
        buildings = await backend.list_zones(kind="building")
        london = next(b for b in buildings if "London" in b.name)
        snapshot = await session.board.load(london.id, hours=(time(7), time(19)))
        tz = timezone_for(london.id, snapshot.zones)
        day_start = datetime.combine(NOW.astimezone(tz).date(), time(7), tzinfo=tz)
        rows = rows_from_snapshot(snapshot.rooms, snapshot.availability, day_start, 15, SLOTS)
        assert [r.room_id for r in rows] == [r.id for r in snapshot.rooms]

        app = TimelineApp()
        async with app.run_test(size=(80, 24)) as pilot:
            timeline = await mounted(app, pilot, rows, day_start=day_start, tz=tz)
            now_slot = (NOW - day_start).seconds // 900
            for index, room in enumerate(snapshot.rooms):
                status = room_status(room, snapshot.availability[room.id], NOW)
                glyph = cell(timeline.row_strip(index), now_slot * timeline.cell_width)[0]
                if status.state == "busy":
                    assert glyph in "█░▚~", (room.name, glyph)
                    timeline.select_room(room.id)
                    timeline.move_cursor_to_time(NOW)
                    await pilot.pause()
                    assert app.moved[-1].block is not None and app.moved[-1].block.start <= NOW
                else:
                    assert glyph == "│", (room.name, glyph)
            assert any(room_status(r, snapshot.availability[r.id], NOW).state == "busy" for r in snapshot.rooms)


def test_importing_the_widget_pulls_in_no_models_services_or_http():
    """Screens import the widget at start-up; pydantic and the services load only in workers."""
    code = (
        "import sys, json\n"
        "import staffterm.ui.widgets.timeline\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root,
                         env={**os.environ, "PYTHONPATH": str(root)}).stdout
    modules = set(json.loads(out.strip().splitlines()[-1]))
    tops = {m.split(".")[0] for m in modules}
    assert not {"pydantic", "httpx", "msal", "google"} & tops
    assert not {m for m in modules if m.startswith(("staffterm.backends", "staffterm.services", "staffterm.models"))}
