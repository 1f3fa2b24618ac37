"""Messages the free/busy timeline posts: handled as ``on_free_busy_timeline_cursor_moved`` /
``on_free_busy_timeline_range_chosen``, or ``@on(FreeBusyTimeline.RangeChosen, "#id")``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from staffterm.models import BusyBlock
    from staffterm.ui.widgets.timeline import FreeBusyTimeline


class CursorMoved(Message, namespace="free_busy_timeline"):
    """The cursor is on ``room_id`` at ``at``; ``block`` is the meeting there, if any."""

    def __init__(self, timeline: FreeBusyTimeline, room_id: str, at: datetime, block: BusyBlock | None) -> None:
        super().__init__()
        self.timeline = timeline
        self.room_id = room_id
        self.at = at
        self.block = block

    @property
    def control(self) -> FreeBusyTimeline:
        return self.timeline


class RangeChosen(Message, namespace="free_busy_timeline"):
    """Enter on a range: ``[start, end)`` in ``room_id``, with every block it clashes with.

    A clash is reported, not refused: the screen shows it. ``error`` is set when the room's
    free/busy is unknown, so ``clashes`` being empty proves nothing.
    """

    def __init__(
        self,
        timeline: FreeBusyTimeline,
        room_id: str,
        start: datetime,
        end: datetime,
        clashes: list[BusyBlock],
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.timeline = timeline
        self.room_id = room_id
        self.start = start
        self.end = end
        self.clashes = clashes
        self.error = error

    @property
    def control(self) -> FreeBusyTimeline:
        return self.timeline
