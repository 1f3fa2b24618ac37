"""The room panel's reads and writes, on any backend: load the room's day, book now, check in,
end early, extend, and release a meeting nobody came to.

What a backend cannot do is reported by ``PanelDay`` (``knows_events``, ``can_write``) so the
panel hides it. A failed load keeps the last known day and says the panel is offline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from staffterm.backends.base import Backend, Capability
from staffterm.clock import Clock
from staffterm.errors import (
    InvalidInputError,
    NotFoundError,
    StafftermError,
    UnavailableError,
)
from staffterm.models import EventPatch, Room
from staffterm.services.booking import BookingService
from staffterm.services.estate import Estate
from staffterm.services.room_panel import (
    CHECKED_IN_KEY,
    PanelDay,
    PanelMeeting,
    PanelRules,
    PanelStatus,
    meetings_from_blocks,
    meetings_from_events,
    panel_status,
)
from staffterm.services.zones import local_day_window, timezone_for

if TYPE_CHECKING:
    from staffterm.services.kiosk_memory import KioskMemory

log = logging.getLogger(__name__)

BOOK_NOW_TITLE = "Ad hoc meeting"
RELEASE_COMMENT = "Released by the room panel: nobody checked in within {minutes} minutes of the start."
OFFLINE_MESSAGE = "The room's calendar cannot be reached just now, so this cannot be done here. Please try again shortly."


@dataclass
class PanelView:
    """The day the panel shows, whether it is live, and the status at ``status.at``."""

    day: PanelDay
    status: PanelStatus
    offline: bool = False
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


class RoomPanelService:
    @classmethod
    def for_session(cls, session: Any, room_id: str, rules: PanelRules, **kwargs: Any) -> RoomPanelService:
        """The panel of ``room_id`` on an open session's backend, estate and booking service."""
        return cls(session.backend, session.clock, room_id, rules, estate=session.estate, booking=session.booking,
                   **kwargs)

    def __init__(
        self, backend: Backend, clock: Clock, room_id: str, rules: PanelRules,
        *, estate: Estate | None = None, booking: BookingService | None = None, memory: KioskMemory | None = None,
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.room_id = room_id
        self.rules = rules
        self.estate = estate or Estate(backend)
        self.booking = booking or BookingService(backend, clock, self.estate)
        # The day as last read, kept on disk so a panel restarted during an outage still shows it.
        self.memory = memory
        self.last_day: PanelDay | None = None
        self.offline = False
        self.last_error: str | None = None

    # ----------------------------------------------------------------- reading

    async def _room(self) -> tuple[Room, dict]:
        zones = {z.id: z for z in await self.estate.zones()} if self.backend.supports(Capability.ZONES) else {}
        try:
            room = await self.backend.get_room(self.room_id)
        except NotFoundError:
            raise NotFoundError(f"no room {self.room_id!r} on this site", hint="Pick the panel's room from the room list.") from None
        return room, zones

    async def load_day(self, day: date | None = None) -> PanelDay:
        room, zones = await self._room()
        tz = timezone_for(room, zones)
        now = self.clock.now()
        start, end = local_day_window(day or now.astimezone(tz).date(), tz)
        knows_events = self.backend.supports(Capability.EVENTS)
        can_write = self.backend.supports(Capability.EVENT_WRITE)
        if knows_events:
            events = await self.backend.list_events(room.email, start, end)
            meetings = meetings_from_events(events, room)
        else:
            found = await self.backend.free_busy(start, end, room_ids=[room.id])
            mine = next((a for a in found if a.room_id == room.id or a.email.lower() == room.email.lower()), None)
            if mine is None or mine.error:
                raise UnavailableError(f"no free/busy for {room.name}: {mine.error if mine else 'no answer'}")
            meetings = meetings_from_blocks(mine.blocks)
        return PanelDay(room, tz, start, end, meetings, now, knows_events=knows_events, can_write=can_write)

    async def refresh(self) -> PanelView:
        """Read the day again; on failure show the last known day (from memory, or from disk
        after a restart) as offline. A bad room id (``NotFoundError``) is not an outage and is raised."""
        try:
            day = await self.load_day()
        except NotFoundError:
            raise
        except StafftermError as exc:
            self.offline, self.last_error = True, str(exc)
            if self.last_day is None and self.memory is not None:
                self.last_day = await self.memory.load_panel_day(self.room_id, self.clock.now())
            if self.last_day is None:
                raise
            log.warning("room panel offline: %s", exc)
            return PanelView(self.last_day, panel_status(self.last_day, self.clock.now(), self.rules, offline=True), True, str(exc))
        self.last_day, self.offline, self.last_error = day, False, None
        if self.memory is not None:
            await self.memory.save_panel_day(self.room_id, day, self.rules.privacy)
        return PanelView(day, panel_status(day, self.clock.now(), self.rules))

    async def tick(self) -> PanelView:
        """Refresh, then release a meeting nobody checked in to (the organiser is told by the
        cancellation notice), and show the day after it."""
        view = await self.refresh()
        if view.offline or view.status.to_release is None:
            return view
        meeting = view.status.to_release
        try:
            await self.release(meeting)
        except StafftermError as exc:
            view.warnings.append(f"could not release the unattended meeting: {exc}")
            return view
        after = await self.refresh()
        after.warnings.extend(view.warnings)
        after.warnings.append("A meeting nobody checked in to was released; the room is free.")
        return after

    # ----------------------------------------------------------------- writing

    def _require_online(self) -> None:
        if self.offline:
            raise UnavailableError(OFFLINE_MESSAGE)

    def _status(self) -> PanelStatus:
        if self.last_day is None:
            raise UnavailableError(OFFLINE_MESSAGE)
        return panel_status(self.last_day, self.clock.now(), self.rules)

    async def book_now(self, minutes: int) -> tuple[str, list[str]]:
        """Book the room from now for ``minutes`` (one of the options offered). The meeting
        starts checked in: whoever books at the door is there."""
        self._require_online()
        status = self._status()
        if minutes not in status.book_options:
            offered = ", ".join(str(m) for m in status.book_options) or "none"
            raise InvalidInputError(f"the room can be booked now for {offered} minutes, not {minutes}", field="minutes")
        room = self.last_day.room  # type: ignore[union-attr]
        event = await self.booking.book_room_now(room.id, minutes, title=BOOK_NOW_TITLE)
        warnings: list[str] = []
        try:
            await self._mark_checked_in(room, event.id)
        except StafftermError as exc:
            warnings.append(f"booked, but the check-in was not recorded: {exc}")
        return event.id, warnings

    async def _mark_checked_in(self, room: Room, event_id: str) -> None:
        stamp = self.clock.now().isoformat()
        await self.backend.update_event(room.email, event_id, EventPatch(extension_data={CHECKED_IN_KEY: stamp}), notify=False)

    async def check_in(self) -> PanelMeeting:
        """Check in to the meeting whose window is open now."""
        self._require_online()
        status = self._status()
        meeting = status.pending
        if meeting is None or meeting.event_id is None:
            raise InvalidInputError("there is no meeting to check in to just now", field="event_id",
                                    hint="Check-in opens a few minutes before a meeting starts.")
        await self._mark_checked_in(self.last_day.room, meeting.event_id)  # type: ignore[union-attr]
        return meeting

    async def end_early(self) -> None:
        self._require_online()
        status = self._status()
        if not status.can_end or status.current is None or status.current.event_id is None:
            raise InvalidInputError("there is no meeting in progress to end", field="event_id")
        await self.booking.end_meeting_now(self.last_day.room.email, status.current.event_id)  # type: ignore[union-attr]

    async def extend(self, minutes: int) -> None:
        self._require_online()
        status = self._status()
        if status.current is None or status.current.event_id is None or minutes not in status.extend_options:
            raise InvalidInputError(f"the meeting cannot be extended by {minutes} minutes", field="minutes",
                                    hint="The next meeting starts too soon.")
        room = self.last_day.room  # type: ignore[union-attr]
        await self.booking.extend_meeting(room.email, status.current.event_id, minutes, room_id=room.id)

    async def release(self, meeting: PanelMeeting) -> None:
        """Free the room of a no-show meeting, telling its organiser: cancel the meeting (the local
        site mails its people; PlaceOS and Google send their cancellation notices), or, where the
        backend says so (Microsoft 365), the room declines it with the same comment. A meeting
        already gone counts as released."""
        if meeting.event_id is None or self.last_day is None:
            return
        minutes = int(self.rules.auto_release.total_seconds() // 60) if self.rules.auto_release else 0
        comment = RELEASE_COMMENT.format(minutes=minutes)
        room = self.last_day.room
        try:
            if self.backend.room_release == "decline":
                await self.backend.decline_event(room.email, meeting.event_id, notify=True, comment=comment)
            else:
                await self.backend.delete_event(room.email, meeting.event_id, notify=True, comment=comment)
        except NotFoundError:
            log.info("meeting %s was already gone when the panel released it", meeting.event_id)
