"""What the free/busy timeline draws: one row per room, one state per slot, and the day's grid.

No Textual here: rows are built in workers (off the event loop) and handed to the widget, and
the grid arithmetic is shared by the widget, its tests and its benchmark.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from staffterm.errors import InvalidInputError

if TYPE_CHECKING:
    from staffterm.models import BusyBlock, BusyStatus, Room, RoomAvailability

# Mirrors room_board.STATUS_RANK by value (BusyStatus is a StrEnum), so the widget module does
# not pull pydantic in when it is imported; a test keeps the two in step.
STATE_RANK: dict[str, int] = {"free": 0, "elsewhere": 1, "tentative": 2, "oof": 3, "busy": 4}


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One room's line: its label, capacity and one state per slot (``BusyStatus`` values).

    ``error`` is set when the room's free/busy is unknown (its call failed): the row is drawn as
    unknown rather than free, since "free" would be a lie the desk acts on.
    """

    room_id: str
    label: str
    capacity: int
    states: tuple[BusyStatus, ...]
    blocks: tuple[BusyBlock, ...] = ()
    error: str | None = None


def rows_from_snapshot(
    rooms: Iterable[Room],
    availability: Mapping[str, RoomAvailability],
    day_start: datetime,
    slot_minutes: int,
    slots: int,
) -> list[TimelineRow]:
    """One :class:`TimelineRow` per room, in the order given, bucketed with ``slot_states``."""
    from staffterm.models import BusyStatus
    from staffterm.services.room_board import slot_states

    check_grid(day_start, slot_minutes, slots)
    # In UTC so the slot arithmetic is absolute: two datetimes sharing one ZoneInfo subtract as
    # wall-clock times, which is an hour out after a DST change.
    start_utc = day_start.astimezone(timezone.utc)
    free = (BusyStatus.FREE,) * slots
    rows: list[TimelineRow] = []
    for room in rooms:
        found = availability.get(room.id)
        if found is None or found.error:
            error = found.error if found is not None else "no free/busy for this room"
            rows.append(TimelineRow(room.id, room.name, room.capacity, free, (), error))
            continue
        states = tuple(slot_states(found, start_utc, slot_minutes, slots))
        blocks = tuple(sorted((b for b in found.blocks if b.status != BusyStatus.FREE), key=lambda b: (b.start, b.end)))
        rows.append(TimelineRow(room.id, room.name, room.capacity, states, blocks))
    return rows


def check_grid(day_start: datetime, slot_minutes: int, slots: int) -> None:
    if not isinstance(day_start, datetime) or day_start.tzinfo is None or day_start.utcoffset() is None:
        raise InvalidInputError(
            f"the timeline's day start must include a time zone, not {day_start!r}", field="day_start"
        )
    if not isinstance(slot_minutes, int) or slot_minutes <= 0 or slot_minutes > 24 * 60:
        raise InvalidInputError(
            f"a timeline slot must last 1 to 1440 minutes, not {slot_minutes!r}", field="slot_minutes"
        )
    if not isinstance(slots, int) or slots < 1 or slots > 10_000:
        raise InvalidInputError(f"the timeline needs 1 to 10000 slots, not {slots!r}", field="slots")


def state_runs(states: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(first, end, state)`` for each run of equal states; ``end`` is exclusive."""
    runs: list[tuple[int, int, str]] = []
    if not states:
        return runs
    first, current = 0, states[0]
    for index, state in enumerate(states):
        if state != current:
            runs.append((first, index, current))
            first, current = index, state
    runs.append((first, len(states), current))
    return runs


def worst_block(blocks: Iterable[BusyBlock], start: datetime, end: datetime) -> BusyBlock | None:
    """The block over ``[start, end)`` that decides the slot's state: the worst, then the earliest."""
    best: BusyBlock | None = None
    for block in blocks:
        if block.status == "free" or not (block.start < end and start < block.end):
            continue
        if best is None or STATE_RANK[block.status] > STATE_RANK[best.status]:
            best = block
    return best


def clashing_blocks(blocks: Iterable[BusyBlock], start: datetime, end: datetime) -> list[BusyBlock]:
    """Every not-free block that overlaps ``[start, end)``, earliest first."""
    return sorted(
        (b for b in blocks if b.status != "free" and b.start < end and start < b.end),
        key=lambda b: (b.start, b.end),
    )


@dataclass(frozen=True)
class DayGrid:
    """The slots of the day shown: where each starts (absolute), and the building's hours."""

    day_start: datetime
    slot_minutes: int
    slots: int
    tz: tzinfo
    starts_utc: tuple[datetime, ...] = field(repr=False)
    # Per slot: the local hour whose start falls inside it, or None.
    hour_marks: tuple[int | None, ...] = field(repr=False)
    hour_slots: tuple[int, ...] = field(repr=False)

    @classmethod
    def build(cls, day_start: datetime, slot_minutes: int, slots: int, tz: tzinfo) -> DayGrid:
        check_grid(day_start, slot_minutes, slots)
        if not isinstance(tz, tzinfo):
            raise InvalidInputError(f"the timeline's time zone must be a tzinfo, not {tz!r}", field="tz")
        step = timedelta(minutes=slot_minutes)
        first = day_start.astimezone(timezone.utc)
        starts = tuple(first + step * index for index in range(slots + 1))
        marks: list[int | None] = []
        for index in range(slots):
            local_start = starts[index].astimezone(tz)
            # The first local hour boundary at or after the slot's start, if inside the slot.
            if local_start.minute == 0 and local_start.second == 0 and local_start.microsecond == 0:
                marks.append(local_start.hour)
                continue
            to_boundary = timedelta(minutes=60 - local_start.minute) - timedelta(
                seconds=local_start.second, microseconds=local_start.microsecond
            )
            boundary = starts[index] + to_boundary
            marks.append(boundary.astimezone(tz).hour if boundary < starts[index + 1] else None)
        hour_slots = tuple(index for index, mark in enumerate(marks) if mark is not None)
        return cls(day_start, slot_minutes, slots, tz, starts, tuple(marks), hour_slots)

    def slot_start(self, index: int) -> datetime:
        """The start of slot ``index`` in the building's zone (``index == slots`` is the day's end)."""
        return self.starts_utc[index].astimezone(self.tz)

    def slot_of(self, moment: datetime) -> int | None:
        """The slot holding ``moment``, or None when it falls outside the day shown."""
        utc = moment.astimezone(timezone.utc)
        if utc < self.starts_utc[0] or utc >= self.starts_utc[-1]:
            return None
        return bisect_right(self.starts_utc, utc) - 1

    def fraction_into(self, index: int, moment: datetime) -> float:
        """How far through slot ``index`` the moment is, 0 ≤ f < 1."""
        span = (self.starts_utc[index + 1] - self.starts_utc[index]).total_seconds()
        into = (moment.astimezone(timezone.utc) - self.starts_utc[index]).total_seconds()
        return min(max(into / span, 0.0), 0.999999)

    def previous_hour(self, index: int) -> int:
        """The last slot holding an hour's start before ``index`` (0 when none)."""
        position = bisect_right(self.hour_slots, index - 1) - 1
        return self.hour_slots[position] if position >= 0 else 0

    def next_hour(self, index: int) -> int:
        """The first slot holding an hour's start after ``index`` (the last slot when none)."""
        position = bisect_right(self.hour_slots, index)
        return self.hour_slots[position] if position < len(self.hour_slots) else self.slots - 1

    def describe(self) -> str:
        first, last = self.slot_start(0), self.slot_start(self.slots)
        return f"{first:%a %d %b %H:%M}–{last:%H:%M}"


def ensure_rows(rows: Any, slots: int) -> tuple[TimelineRow, ...]:
    """Validate rows for a grid of ``slots`` without looking at each state (cheap for 10k rows)."""
    out = tuple(rows)
    seen: set[str] = set()
    for row in out:
        if not isinstance(row, TimelineRow):
            raise InvalidInputError(f"timeline rows must be TimelineRow, not {type(row).__name__}", field="rows")
        if len(row.states) != slots:
            raise InvalidInputError(
                f"room {row.label!r} has {len(row.states)} slot states but the day has {slots} slots",
                field="rows",
            )
        if row.room_id in seen:
            raise InvalidInputError(f"room {row.room_id!r} appears twice in the timeline", field="rows")
        seen.add(row.room_id)
    return out
