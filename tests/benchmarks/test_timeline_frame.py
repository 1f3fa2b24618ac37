"""Free/busy timeline budget (design.md): 1,000 rooms × 96 slots ≤ 5 ms per painted frame.

Run: .venv/bin/python -m pytest tests/benchmarks/test_timeline_frame.py -n 0 -s -p no:cacheprovider

Measured on demand, never in the normal run: timings are printed (ms per frame and the ratio
to the 5 ms budget), not asserted. A frame is every visible line of the widget in a 160×48 app:
- cold: scrolled to rooms never drawn before, so every row strip is built;
- cached: the same frame again (line cache hits);
- scrolled sideways: every line repainted for the new window (rows' runs cached);
- after a theme change: the palette rebuilt from the component classes, every line redrawn;
- through Textual: ``render_lines`` after a ``refresh`` (the compositor's path).
``set_data`` for 1,000 rows and building the rows from availability are measured too.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from textual.app import App, ComposeResult
from textual.geometry import Region

from staffterm.models import BusyBlock, BusyStatus, Room, RoomAvailability
from staffterm.ui.widgets.timeline import FreeBusyTimeline, rows_from_snapshot

BUDGET_MS = 5.0
ROOMS = 1000
SLOTS = 96
LONDON = ZoneInfo("Europe/London")
DAY_START = datetime(2026, 11, 21, 0, 0, tzinfo=LONDON)
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)


class BenchApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {
            "fb-free": "#2e7d32",
            "fb-busy": "#c62828",
            "fb-tentative": "#f9a825",
            "fb-oof": "#6a1b9a",
            "checkin-ok": "#2e7d32",
        }

    def compose(self) -> ComposeResult:
        yield FreeBusyTimeline()


def _estate(seed: int = 7) -> tuple[list[Room], dict[str, RoomAvailability]]:
    rnd = random.Random(seed)
    rooms: list[Room] = []
    availability: dict[str, RoomAvailability] = {}
    end = DAY_START + timedelta(days=1)
    statuses = [BusyStatus.BUSY] * 5 + [BusyStatus.TENTATIVE, BusyStatus.OOF, BusyStatus.ELSEWHERE]
    for index in range(ROOMS):
        room = Room(id=f"room-{index}", email=f"room{index}@example.com", name=f"Room {index:04d} L{index % 12}",
                    capacity=rnd.choice([4, 6, 8, 12, 20]))
        blocks = []
        for _ in range(rnd.randrange(2, 9)):
            start = DAY_START + timedelta(minutes=15 * rnd.randrange(24, 80))
            blocks.append(BusyBlock(start=start, end=start + timedelta(minutes=15 * rnd.randrange(1, 9)),
                                    status=rnd.choice(statuses)))
        rooms.append(room)
        availability[room.id] = RoomAvailability(room_id=room.id, email=room.email, start=DAY_START, end=end,
                                                 blocks=blocks)
    return rooms, availability


def _report(label: str, samples: list[float], budget: float | None = BUDGET_MS) -> None:
    best, median = min(samples) * 1000, statistics.median(samples) * 1000
    ratio = f"  ratio to budget {median / budget:.2f}" if budget else ""
    print(f"{label:<44} best {best:7.3f} ms  median {median:7.3f} ms{ratio}")


def _frame(timeline: FreeBusyTimeline, height: int) -> float:
    t0 = time.perf_counter()
    for y in range(height):
        timeline.render_line(y)
    return time.perf_counter() - t0


async def test_timeline_frame_budget() -> None:
    rooms, availability = _estate()
    t0 = time.perf_counter()
    rows = rows_from_snapshot(rooms, availability, DAY_START, 15, SLOTS)
    build_rows = time.perf_counter() - t0

    app = BenchApp()
    async with app.run_test(size=(160, 48)) as pilot:
        timeline = app.query_one(FreeBusyTimeline)
        timeline.now = NOW
        set_data: list[float] = []
        for _ in range(20):
            t0 = time.perf_counter()
            timeline.set_data(rows, day_start=DAY_START, slot_minutes=15, slots=SLOTS, tz=LONDON)
            set_data.append(time.perf_counter() - t0)
        await pilot.pause()
        height = timeline.scrollable_content_region.height

        cold: list[float] = []
        cached: list[float] = []
        sideways: list[float] = []
        restyled: list[float] = []
        pipeline: list[float] = []
        page = height - 1
        for step in range(1, 18):
            # Measured before the compositor gets a turn, so these rows really are drawn cold.
            timeline.scroll_to(x=0, y=step * page, animate=False)
            cold.append(_frame(timeline, height))
            cached.append(_frame(timeline, height))
            timeline.notify_style_update()  # what a theme change does: new palette, every line redrawn
            restyled.append(_frame(timeline, height))
            await pilot.pause()
            timeline.scroll_to(x=(step % 5 + 1) * 7, animate=False)
            sideways.append(_frame(timeline, height))
            await pilot.pause()
            timeline.refresh()
            region = Region(0, 0, timeline.size.width, timeline.size.height)
            t0 = time.perf_counter()
            timeline.render_lines(region)
            pipeline.append(time.perf_counter() - t0)
        assert timeline.row_count == ROOMS and not timeline.children

    print()
    print(f"timeline: {ROOMS} rooms × {SLOTS} slots, frame = {height} lines at 160×48, budget {BUDGET_MS} ms")
    _report("frame, cold (rows never drawn)", cold)
    _report("frame, cached", cached)
    _report("frame, scrolled sideways (lines repainted)", sideways)
    _report("frame, after a theme change (new palette)", restyled)
    _report("frame, render_lines through Textual", pipeline)
    _report("set_data, 1,000 rows", set_data, budget=None)
    _report("rows_from_snapshot, 1,000 rooms (once)", [build_rows], budget=None)
