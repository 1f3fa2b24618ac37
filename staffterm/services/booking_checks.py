"""The checks every booking write shares (``BookingService`` builds on them): times and lengths,
titles and descriptions, the room (known, bookable), its clashes named from its calendar, and
the room a meeting is in. Nothing here writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from staffterm.backends.base import Backend
from staffterm.clock import Clock
from staffterm.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    NotSupportedError,
    UnavailableError,
)
from staffterm.models import Attendee, BusyBlock, BusyStatus, Event, Room, Zone
from staffterm.services.block_names import name_blocks
from staffterm.services.booking_rules import (
    DEFAULT_HORIZON_DAYS,
    DESCRIPTION_MAX_CHARS,
    TITLE_MAX_CHARS,
    Horizon,
    check_email,
    check_text,
)
from staffterm.services.estate import Estate
from staffterm.services.room_board import format_clock
from staffterm.services.zones import timezone_for

#: The longest single meeting or booking the services will make.
MAX_LENGTH = timedelta(days=14)


def check_minutes(minutes: int, field: str = "minutes") -> timedelta:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise InvalidInputError(f"minutes must be a whole number above 0, not {minutes!r}", field=field)
    length = timedelta(minutes=minutes)
    if length > MAX_LENGTH:
        raise InvalidInputError(f"{minutes} minutes is longer than the {MAX_LENGTH.days}-day limit", field=field)
    return length


def check_title(value: str | None) -> str:
    return check_text(value, "title", "title", limit=TITLE_MAX_CHARS)


def check_description(value: str | None, field: str) -> str:
    return check_text(value, field, "description", limit=DESCRIPTION_MAX_CHARS, multiline=True)


def describe_block(block: BusyBlock, tz: tzinfo, *, clock_24h: bool = True) -> str:
    """``'Weekly sync' 10:00–11:00`` in ``tz``; private meetings are not named."""
    if block.private:
        name = "a private meeting"
    elif block.title:
        name = f"'{block.title}'"
    else:
        name = "a meeting" if block.status == BusyStatus.BUSY else f"a {block.status.value} booking"
    return f"{name} {format_clock(block.start, tz, clock_24h=clock_24h)}–{format_clock(block.end, tz, clock_24h=clock_24h)}"


def as_attendee(value: str | Attendee) -> Attendee:
    if isinstance(value, Attendee):
        return value
    return Attendee(email=check_email(value, "attendees", "attendee"))


class BookingChecks:
    """What every booking write checks before it is sent: the period against the horizon, the
    room (known, bookable), its clashes (named from its calendar), the meeting's room."""

    def __init__(
        self, backend: Backend, clock: Clock, estate: Estate | None = None, *, horizon_days: int = DEFAULT_HORIZON_DAYS
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.estate = estate or Estate(backend)
        # How far ahead bookings may reach: the config's [booking] horizon_days.
        self._horizon = Horizon(horizon_days)

    @property
    def horizon(self) -> timedelta:
        return self._horizon.span

    # ----------------------------------------------------------------- helpers

    def now_minute(self) -> datetime:
        return self.clock.now().replace(second=0, microsecond=0)

    def _check_period(self, start: datetime, end: datetime) -> None:
        self._horizon.check_period(start, end, self.clock.now(), max_length=MAX_LENGTH)

    async def _zones(self) -> dict[str, Zone]:
        return {z.id: z for z in await self.estate.zones()}

    async def _room(self, room_id: str) -> Room:
        try:
            return await self.backend.get_room(room_id)
        except NotFoundError:
            raise NotFoundError(f"no room {room_id!r} on this site", hint="Pick a room from the room list.") from None

    async def _bookable_room(self, room_id: str) -> Room:
        room = await self._room(room_id)
        if not room.bookable:
            raise InvalidInputError(f"{room.name} is not bookable", field="room_id", hint="Pick another room.")
        return room

    async def _clashes(
        self, room: Room, start: datetime, end: datetime, *, ignore_event: str | None = None
    ) -> list[BusyBlock]:
        """Busy blocks of ``room`` overlapping ``[start, end)``, named from the room's calendar
        when free/busy alone does not say what they are."""
        results = await self.backend.free_busy(start, end, room_ids=[room.id])
        availability = next((a for a in results if a.room_id == room.id or a.email.lower() == room.email.lower()), None)
        if availability is None or availability.error:
            reason = availability.error if availability is not None else "no answer for this room"
            raise UnavailableError(f"could not check whether {room.name} is free: {reason}")
        clashes = [
            b for b in availability.blocks
            if b.status != BusyStatus.FREE and b.start < end and start < b.end
            and not (ignore_event is not None and b.event_id == ignore_event)
        ]
        if clashes:
            clashes = await self.complete_blocks(room, clashes, start, end)
        return sorted(clashes, key=lambda b: b.start)

    async def complete_blocks(self, room: Room, blocks: list[BusyBlock], start: datetime, end: datetime) -> list[BusyBlock]:
        """Free/busy blocks are clipped to the window asked and often untitled; the room's
        calendar gives each clash its whole span, title and id where the backend can tell."""
        return await name_blocks(self.backend, room, blocks, start, end)

    async def _room_tz(self, room: Room) -> tzinfo:
        return timezone_for(room, await self._zones())

    async def _conflict(self, room: Room, clashes: list[BusyBlock], what: str) -> ConflictError:
        tz = await self._room_tz(room)
        described = "; ".join(describe_block(b, tz) for b in clashes)
        return ConflictError(f"{room.name} is not free {what}: {described}", clashes=clashes, hint="Pick another time or room.")

    async def _event_room(self, event: Event, calendar_id: str, room_id: str | None = None) -> Room | None:
        """The room a meeting is in: the one named, the calendar itself when it is a room's, or
        the meeting's only room."""
        if room_id is not None:
            return await self._room(room_id)
        candidates = list(event.room_ids)
        try:
            rooms = await self.estate.rooms()
        except NotSupportedError:
            rooms = []
        by_key = {r.id: r for r in rooms} | {r.email.lower(): r for r in rooms}
        calendar_room = by_key.get(calendar_id) or by_key.get(calendar_id.lower())
        if calendar_room is not None:
            return calendar_room
        if len(candidates) == 1:
            return by_key.get(candidates[0]) or await self._room(candidates[0])
        if not candidates:
            return None
        raise InvalidInputError("this meeting books several rooms; say which room to change", field="room_id")
