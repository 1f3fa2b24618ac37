"""The Timeline screen's day and filters: the working hours shown, cut into slots, and which
rooms pass the level / seats / features filters. No Textual here, so it is cheap to test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from staffterm.errors import InvalidInputError
from staffterm.services.zones import local_hours_window

DEFAULT_DAY_START = time(7, 0)
DEFAULT_DAY_END = time(19, 0)
SLOT_MINUTES = 15


def working_hours(config: Any) -> tuple[time, time]:
    """``ui.day_start``/``ui.day_end`` from the config, 07:00–19:00 when it has none."""
    ui = getattr(config, "ui", None)
    start = getattr(ui, "day_start", None) or DEFAULT_DAY_START
    end = getattr(ui, "day_end", None) or DEFAULT_DAY_END
    if not isinstance(start, time) or not isinstance(end, time) or end <= start:
        return DEFAULT_DAY_START, DEFAULT_DAY_END
    return start, end


@dataclass(frozen=True)
class WorkingDay:
    """The part of ``day`` the timeline shows, in the building's zone, as whole slots."""

    day: date
    tz: tzinfo
    start: datetime
    slot_minutes: int
    slots: int

    @classmethod
    def build(
        cls, day: date, tz: tzinfo, opens: time, closes: time, slot_minutes: int = SLOT_MINUTES
    ) -> WorkingDay:
        if not isinstance(slot_minutes, int) or slot_minutes <= 0:
            raise InvalidInputError(f"a slot must last 1 minute or more, not {slot_minutes!r}", field="slot_minutes")
        start_utc, end_utc = local_hours_window(day, tz, opens, closes)
        # Real minutes (UTC), so a clock change that day gives the right number of slots; a
        # closing time off the slot grid still gets its last part-slot.
        minutes = int((end_utc - start_utc).total_seconds() // 60)
        slots = -(-minutes // slot_minutes)
        return cls(day, tz, start_utc.astimezone(tz), slot_minutes, slots)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.slot_minutes * self.slots)

    def at(self, clock: time) -> datetime:
        """``clock`` on this day in the building's zone."""
        return datetime.combine(self.day, clock, tzinfo=self.tz)


@dataclass(frozen=True)
class TimelineFilter:
    """Which rooms the timeline shows: a level of the building, a minimum of seats, features."""

    level_id: str | None = None
    capacity: int = 0
    features: tuple[str, ...] = ()

    def accepts(self, room: Any) -> bool:
        return (
            (self.level_id is None or self.level_id in room.zone_ids)
            and room.capacity >= self.capacity
            and room.has_features(list(self.features))
        )

    @classmethod
    def parse(cls, level_id: str | None, capacity: str, features: str) -> TimelineFilter:
        """From the filter bar's fields; seats that are not a whole number are refused."""
        text = (capacity or "").strip()
        if text and not text.isdigit():
            raise InvalidInputError(f"seats must be a whole number, not {text!r}", field="capacity")
        return cls(level_id or None, int(text) if text else 0, split_features(features))


def split_features(text: str) -> tuple[str, ...]:
    """``"screen, VC"`` -> ``("screen", "vc")``."""
    return tuple(f.strip().lower() for f in (text or "").split(",") if f.strip())


def level_order(levels: list[Any]) -> dict[str, int]:
    """Level id -> its position in the building (as the catalog sorts them)."""
    return {level.id: index for index, level in enumerate(levels)}


def room_level(room: Any, levels: list[Any]) -> Any | None:
    return next((level for level in levels if level.id in room.zone_ids), None)


def sort_rooms(rooms: list[Any], levels: list[Any]) -> list[Any]:
    """Level by level (as the building lists them), then by name: the order a desk walks."""
    order = level_order(levels)

    def key(room: Any) -> tuple[int, str, str]:
        level = room_level(room, levels)
        return (order.get(level.id, len(order)) if level is not None else len(order), room.name.lower(), room.id)

    return sorted(rooms, key=key)
