"""Booking use-cases: find a free room, book it, extend/end/move/cancel a meeting, and book
desks, parking and other assets.

Every write is checked before it is sent (times, room, clashes) so bad input changes nothing,
and carries an idempotency key so a retried create never makes a second meeting.

The checks every write shares (window, room, clashes) are ``booking_checks.py``; reading and
acting on existing bookings is ``bookings.py``, meetings as calendars show them ``meetings.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from staffterm.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    invalid_input_from,
)
from staffterm.models import (
    Attendee,
    Booking,
    BookingDraft,
    BusyBlock,
    Event,
    EventDraft,
    EventPatch,
    ResponseStatus,
    Room,
)
from staffterm.services.booking_checks import (
    BookingChecks,
    as_attendee,
    check_description,
    check_minutes,
    check_title,
    describe_block,
)
from staffterm.services.booking_rules import (
    check_aware,
    check_email,
)
from staffterm.services.room_board import (
    BuildingWindow,
    fetch_availability,
    filter_rooms,
    format_clock,
    zone_hints,
)
from staffterm.services.zones import room_in_zone, timezone_for


class BookingService(BookingChecks):
    # ----------------------------------------------------------------- rooms

    async def find_free_rooms(
        self,
        minutes: int,
        *,
        zone_id: str | None = None,
        capacity: int | None = None,
        features: Sequence[str] = (),
        start: datetime | None = None,
        accessible: bool | None = None,
    ) -> list[Room]:
        """Bookable rooms free from ``start`` (now, to the minute) for ``minutes``, smallest first."""
        length = check_minutes(minutes)
        begin = check_aware(start, "start") if start is not None else self.now_minute()
        # Before any arithmetic on it: a start at the end of the calendar would overflow.
        self._horizon.check_lengthened(begin, length, "start", self.clock.now())
        end = begin + length
        index = await self.estate.index()
        all_rooms, zones = index.rooms, index.zones_by_id
        if zone_id is not None and zone_id not in zones:
            raise NotFoundError(f"no zone {zone_id!r} on this site", hint="Pick a building or level from the zone list.")
        in_zone = [r for r in all_rooms if zone_id is None or room_in_zone(r, zone_id, zones)]
        candidates = filter_rooms(in_zone, capacity=capacity, features=features, accessible=accessible, bookable=True)
        groups = index.group_by_building(candidates)
        windows = [
            BuildingWindow(zones.get(bid) if bid else None, timezone_for(group[0], zones), begin, end, group)
            for bid, group in groups.items()
        ]
        availability, _ = await fetch_availability(
            self.backend, windows, zone_hint=zone_hints(zone_id, groups, all_rooms, zones)
        )
        free = [
            r for r in candidates
            if (a := availability.get(r.id)) is not None and not a.error and a.is_free(begin, end)
        ]
        return sorted(free, key=lambda r: (r.capacity, r.name.lower(), r.id))

    async def book_room(
        self,
        room_id: str,
        start: datetime,
        end: datetime,
        *,
        title: str,
        host: str,
        attendees: Sequence[str | Attendee] | None = (),
        body: str = "",
        private: bool = False,
        idempotency_key: str | None = None,
    ) -> Event:
        """Check and create a meeting in the room's calendar; a clash raises ``ConflictError``
        naming the meetings in the way, and nothing is created."""
        self._check_period(start, end)
        title = check_title(title)
        body = check_description(body, "body")
        host_email = check_email(host, "host", "host")
        guests = [as_attendee(a) for a in attendees or ()]
        room = await self._bookable_room(room_id)
        tz = await self._room_tz(room)
        # A room booking itself (book-now on a panel) has no person as host.
        room_is_host = host_email == room.email.lower()
        people: dict[str, Attendee] = {}
        if not room_is_host:
            people[host_email] = Attendee(email=host_email, organizer=True, response=ResponseStatus.ACCEPTED)
        for guest in guests:
            people.setdefault(guest.email, guest)
        people[room.email.lower()] = Attendee(
            email=room.email, name=room.name, resource=True, response=ResponseStatus.ACCEPTED
        )
        try:
            draft = EventDraft(
                title=(title or "").strip() or "Meeting",
                start=start,
                end=end,
                host="" if room_is_host else host_email,
                attendees=list(people.values()),
                room_ids=[room.id],
                body=body,
                location=room.name,
                timezone=getattr(tz, "key", None),
                private=private,
            )
        except ValidationError as exc:
            raise invalid_input_from(exc, what="meeting") from None
        clashes = await self._clashes(room, start, end)
        if clashes:
            if idempotency_key is not None:
                earlier = await self._retried_create(room, draft, idempotency_key, clashes)
                if earlier is not None:
                    return earlier
            raise await self._conflict(room, clashes, "then")
        return await self.backend.create_event(
            room.email, draft, idempotency_key=idempotency_key or f"staffterm-{uuid.uuid4().hex}"
        )

    async def _retried_create(
        self, room: Room, draft: EventDraft, idempotency_key: str, clashes: list[BusyBlock]
    ) -> Event | None:
        """A retry of a create that already happened shows up as a clash with itself: the one
        clash has exactly this meeting's span. The backend answers a known key with the earlier
        meeting; anything else means it was not a retry, and what it made is taken back."""
        if len(clashes) != 1:
            return None
        block = clashes[0]
        if block.event_id is None or (block.start, block.end) != (draft.start, draft.end):
            return None
        try:
            event = await self.backend.create_event(room.email, draft, idempotency_key=idempotency_key)
        except ConflictError:
            return None
        if event.id == block.event_id:
            return event
        await self.backend.delete_event(event.calendar_id, event.id, notify=False)
        return None

    async def book_room_now(
        self,
        room_id: str,
        minutes: int,
        *,
        title: str = "Ad hoc meeting",
        host: str | None = None,
        idempotency_key: str | None = None,
    ) -> Event:
        """Book from now (to the minute) for ``minutes``; with no host the room books itself."""
        length = check_minutes(minutes)
        start = self.now_minute()
        if host is None:
            host = (await self._room(room_id)).email
        return await self.book_room(room_id, start, start + length, title=title, host=host, idempotency_key=idempotency_key)

    # ----------------------------------------------------------------- meetings

    async def extend_meeting(self, calendar_id: str, event_id: str, minutes: int, *, room_id: str | None = None) -> Event:
        """Move the end later by ``minutes``, refusing a clash with whatever comes next."""
        length = check_minutes(minutes)
        event = await self.backend.get_event(calendar_id, event_id)
        if event.end <= self.clock.now():
            raise InvalidInputError(f"'{event.display_title()}' has already ended", field="event_id")
        self._horizon.check_lengthened(event.end, length, "minutes", self.clock.now())
        new_end = event.end + length
        room = await self._event_room(event, calendar_id, room_id)
        if room is not None:
            clashes = await self._clashes(room, event.end, new_end, ignore_event=event.id)
            if clashes:
                tz = await self._room_tz(room)
                nxt = clashes[0]
                raise ConflictError(
                    f"cannot extend to {format_clock(new_end, tz)}: the next meeting in {room.name} is "
                    f"{describe_block(nxt, tz)}",
                    clashes=clashes,
                    hint=f"Extend by at most {int((nxt.start - event.end).total_seconds() // 60)} minutes, or move the meeting.",
                )
        return await self.backend.update_event(calendar_id, event_id, EventPatch(end=new_end))

    async def end_meeting_now(self, calendar_id: str, event_id: str) -> Event | None:
        """End a running meeting now; a meeting that has not started is cancelled (returns None)."""
        event = await self.backend.get_event(calendar_id, event_id)
        now = self.clock.now()
        if event.end <= now:
            raise InvalidInputError(f"'{event.display_title()}' has already ended", field="event_id")
        if event.start >= now:
            await self.backend.delete_event(calendar_id, event_id, notify=True, comment="Ended early at the front desk")
            return None
        end = self.now_minute()
        if end <= event.start:
            end = now
        return await self.backend.update_event(calendar_id, event_id, EventPatch(end=end))

    async def move_meeting(
        self, calendar_id: str, event_id: str, new_room_id: str, *, from_room_id: str | None = None
    ) -> Event:
        """Swap the meeting's room for ``new_room_id`` when that room is free for the meeting's
        whole span (the record covers the part already held, so backends check all of it)."""
        event = await self.backend.get_event(calendar_id, event_id)
        now = self.clock.now()
        if event.end <= now:
            raise InvalidInputError(f"'{event.display_title()}' has already ended", field="event_id")
        old_room = await self._event_room(event, calendar_id, from_room_id)
        new_room = await self._bookable_room(new_room_id)
        if old_room is not None and old_room.id == new_room.id:
            raise InvalidInputError(f"the meeting is already in {new_room.name}", field="new_room_id")
        clashes = await self._clashes(new_room, event.start, event.end, ignore_event=event.id)
        if clashes:
            raise await self._conflict(new_room, clashes, "for this meeting")
        old_keys = {old_room.id, old_room.email.lower()} if old_room is not None else set()
        room_ids = [r for r in event.room_ids if r not in old_keys and r != new_room.id] + [new_room.id]
        attendees = [a for a in event.attendees if not (a.resource and a.email in old_keys) and a.email != new_room.email.lower()]
        attendees.append(Attendee(email=new_room.email, name=new_room.name, resource=True, response=ResponseStatus.ACCEPTED))
        patch = EventPatch(room_ids=room_ids, attendees=attendees, location=new_room.name)
        return await self.backend.update_event(calendar_id, event_id, patch)

    async def cancel_meeting(
        self, calendar_id: str, event_id: str, *, notify: bool = True, comment: str | None = None
    ) -> None:
        await self.backend.delete_event(calendar_id, event_id, notify=notify, comment=comment)

    # ----------------------------------------------------------------- bookings

    async def create_booking(
        self,
        type: str,
        asset_id: str,
        user_email: str,
        start: datetime,
        end: datetime,
        *,
        title: str = "",
        booked_by: str | None = None,
        zones: Sequence[str] | None = None,
        user_name: str = "",
        description: str = "",
        attendees: Sequence[str | Attendee] | None = (),
        timezone: str | None = None,
        extension_data: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        limit_override: int | None = None,
    ) -> Booking:
        """Check and create a desk/parking/visitor/… booking. The backend's own refusals
        (``ConflictError``, ``LimitReachedError``) pass through unchanged."""
        self._check_period(start, end)
        title = check_title(title)
        description = check_description(description, "description")
        if not (asset_id or "").strip():
            raise InvalidInputError("a booking needs an asset (desk, bay, room …)", field="asset_id")
        user = check_email(user_email, "user_email", "user")
        by = check_email(booked_by, "booked_by", "booked-by") if booked_by else None
        zone_ids = list(zones or [])
        if timezone is None and zone_ids:
            known = await self._zones()
            if known:
                missing = [z for z in zone_ids if z not in known]
                if missing:
                    raise NotFoundError(f"no zone {missing[0]!r} on this site", hint="Pick a building or level from the zone list.")
                timezone = getattr(timezone_for(zone_ids, known), "key", None)
        try:
            draft = BookingDraft(
                type=type,
                asset_ids=[asset_id.strip()],
                start=start,
                end=end,
                user_email=user,
                user_name=user_name,
                zones=zone_ids,
                timezone=timezone,
                title=title or "",
                description=description or "",
                attendees=[as_attendee(a) for a in attendees or ()],
                extension_data=dict(extension_data or {}),
            )
        except ValidationError as exc:
            raise invalid_input_from(exc, what="booking") from None
        return await self.backend.create_booking(
            draft,
            booked_by=by,
            idempotency_key=idempotency_key or f"staffterm-{uuid.uuid4().hex}",
            limit_override=limit_override,
        )
