"""Naming busy blocks from a room's calendar.

Free/busy says when a room is taken, not by what: PlaceOS's never carries a title, and every
provider clips blocks to the window asked. Where a screen says what is in the way (a clash, the
meeting under the timeline's cursor, a room's day beside the zones list), the room's calendar
names each block and gives its whole span: one calendar read per room, made only when asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from staffterm.backends.base import Backend
from staffterm.capabilities import Capability
from staffterm.errors import StafftermError
from staffterm.models import BusyBlock, BusyStatus, Room


def needs_names(blocks: Iterable[BusyBlock]) -> bool:
    """Whether any block in the way is untitled and may be named (a private one never is)."""
    return any(b.status != BusyStatus.FREE and b.title is None and not b.private for b in blocks)


async def name_blocks(
    backend: Backend, room: Room, blocks: list[BusyBlock], start: datetime, end: datetime
) -> list[BusyBlock]:
    """``blocks`` in the same order, each matched to the meeting in ``room``'s calendar between
    ``start`` and ``end`` (by event id, else by overlap) taking its span, title and id. A private
    meeting keeps no title, whatever the calendar says. Naming is a courtesy: when the calendar
    cannot be read the blocks come back as they were."""
    if not blocks or not backend.supports(Capability.EVENTS):
        return blocks
    try:
        events = await backend.list_events(room.email, start, end)
    except StafftermError:
        return blocks
    named: list[BusyBlock] = []
    for block in blocks:
        match = next((e for e in events if block.event_id is not None and e.id == block.event_id), None)
        if match is None and block.event_id is None:
            match = next((e for e in events if e.start < block.end and block.start < e.end), None)
        if match is not None:
            private = block.private or match.private
            block = block.model_copy(
                update={
                    "start": match.start,
                    "end": match.end,
                    "title": None if private else (block.title if block.title is not None else (match.title or None)),
                    "event_id": match.id,
                    "private": private,
                }
            )
        named.append(block)
    return named
