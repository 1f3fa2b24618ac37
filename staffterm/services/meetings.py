"""Meetings as a calendar shows them: a room's day, any calendar's events, and the answers a
room gives on its calendar (approve, reject, decline).

Moving, extending, ending and cancelling a meeting is ``booking.py``.
"""

from __future__ import annotations

from datetime import datetime

from staffterm.backends.base import Backend
from staffterm.models import Event, Room


class MeetingsService:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def room(self, room_id: str) -> Room:
        return await self.backend.get_room(room_id)

    async def events(self, calendar_id: str, start: datetime, end: datetime, *,
                     include_cancelled: bool = False) -> list[Event]:
        """The events of a calendar (a room's email, a person's, any calendar id) in a window."""
        if include_cancelled:
            return await self.backend.list_events(calendar_id, start, end, include_cancelled=True)
        return await self.backend.list_events(calendar_id, start, end)

    async def approve(self, room: Room, event_id: str) -> Event:
        return await self.backend.approve_event(room.id, event_id)

    async def reject(self, room: Room, event_id: str) -> Event:
        return await self.backend.reject_event(room.id, event_id)

    async def decline(self, room: Room, event_id: str, *, notify: bool, comment: str | None = None) -> None:
        """The room declines the meeting and is released; ``notify`` tells the attendees."""
        await self.backend.decline_event(room.email, event_id, notify=notify, comment=comment)
