"""Calendar events on PlaceOS: room calendars through ``system_id``, people's through ``calendar``.

PlaceOS books a room by ``system_id`` (it adds the room's mailbox as a resource attendee); more
rooms travel as resource attendees. Moving a meeting to another room is a PATCH with the *old*
room in the query and the new one in the body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from staffterm.backends.clashes import room_clash_error
from staffterm.backends.coerce import as_model, require_text
from staffterm.backends.placeos.backend_core import (
    CalendarRef,
    PlaceOSCore,
)
from staffterm.backends.placeos.convert import event_from_wire, event_to_wire
from staffterm.backends.placeos.staff_common import REQUEST_ID_KEY, whole_event
from staffterm.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    UnavailableError,
)
from staffterm.models import Event, EventDraft, EventPatch, EventStatus, ResponseStatus, Room
from staffterm.times import require_window


class EventsMixin(PlaceOSCore):
    def _event(self, data: Any, ref: CalendarRef) -> Event:
        return event_from_wire(data, calendar_id=ref.email, rooms_by_email=self._rooms_by_email)

    async def _read_raw_event(self, ref: CalendarRef, event_id: str) -> dict[str, Any]:
        event_id = require_text(event_id, "event_id")
        await self.room_index()
        try:
            data = await self.staff.get_event(event_id, **ref.query)
        except NotFoundError:
            raise NotFoundError(f"no meeting {event_id!r} in the calendar {ref.email}") from None
        return data

    async def _read_event(self, ref: CalendarRef, event_id: str) -> Event:
        return self._event(await self._read_raw_event(ref, event_id), ref)

    # ----------------------------------------------------------------- reading

    async def list_events(
        self, calendar_id: str, start: datetime, end: datetime, *, include_cancelled: bool = False
    ) -> list[Event]:
        start, end = require_window(start, end)
        ref = await self.resolve_calendar(calendar_id)
        await self.room_index()
        if ref.room is not None:
            rows = await self.staff.query_events(start, end, systems=[ref.room.id], include_cancelled=include_cancelled or None)
        else:
            rows = await self.staff.query_events(start, end, calendars=[ref.email], include_cancelled=include_cancelled or None)
        events = self.convert_rows(rows, lambda row: self._event(row, ref), "meeting")
        if not include_cancelled:
            events = [e for e in events if e.status != EventStatus.CANCELLED]
        unique = {e.id: e for e in events}
        return sorted(unique.values(), key=lambda e: (e.start, e.end, e.id))

    async def get_event(self, calendar_id: str, event_id: str) -> Event:
        return await self._read_event(await self.resolve_calendar(calendar_id), event_id)

    # ----------------------------------------------------------------- writing

    async def _bookable(self, rooms: list[Room], *, already: set[str] = frozenset()) -> list[Room]:
        for room in rooms:
            if not room.bookable and room.id not in already:
                raise InvalidInputError(f"{room.name} ({room.id}) cannot be booked", field="room_ids")
        return rooms

    async def _refuse_room_clashes(self, rooms: list[Room], start: datetime, end: datetime,
                                   *, moving: str | None = None) -> None:
        """Staff-api books the room without a clash check (PlaceOS/staff-api src/controllers/
        events.cr, create and update: the event goes to the host's calendar with the room as an
        attendee; whether the room keeps it is the room mailbox's own policy, later). A desk must
        not double-book a room on that promise: each room's calendar is read for the window first,
        and a live meeting in the way (not cancelled, not declined by the room, not the meeting
        being moved) is refused as on every other backend."""
        found = []
        for room in rooms:
            ref = CalendarRef(email=room.email, room=room)
            rows = await self.staff.query_events(start, end, systems=[room.id])
            events = self.convert_rows(rows, lambda row, ref=ref: self._event(row, ref), "meeting")
            in_way = {
                e.id: e for e in events
                if e.status != EventStatus.CANCELLED and e.id != moving and e.start < end and e.end > start
                and not any(a.email == room.email and a.response == ResponseStatus.DECLINED for a in e.attendees)
            }
            if in_way:
                found.append((room, await self.room_timezone(room), sorted(in_way.values(), key=lambda e: e.start)))
        refusal = room_clash_error(found)
        if refusal is not None:
            raise refusal

    async def create_event(self, calendar_id: str, draft: EventDraft, *, idempotency_key: str | None = None) -> Event:
        draft = as_model(EventDraft, draft, "meeting")
        ref = await self.resolve_calendar(calendar_id)
        rooms = await self.rooms_for(draft.room_ids)
        if ref.room is not None:
            rooms = [ref.room] + [r for r in rooms if r.id != ref.room.id]
        await self._bookable(rooms)
        host = draft.host.strip().lower() or ("" if ref.room is not None else ref.email)
        # Without a zone PlaceOS would file the meeting in its server default (Sydney): use the room's.
        tz = draft.timezone or (await self.room_timezone(rooms[0]) if rooms else None)
        body = event_to_wire(
            draft,
            system_id=rooms[0].id if rooms else None,
            host=host or None,
            resources=rooms[1:],
            timezone_name=tz,
        )
        if ref.room is None and ref.email != host:
            # Booked into someone's calendar on their behalf: they attend it.
            emails = {a.get("email") for a in body.get("attendees", [])}
            if ref.email not in emails:
                body.setdefault("attendees", []).insert(0, {"name": "", "email": ref.email, "response_status": "accepted"})
        if idempotency_key:
            earlier = await self._event_made_with(idempotency_key, draft, body, ref)
            if earlier is not None:
                return earlier
        await self._refuse_room_clashes(rooms, draft.start, draft.end)
        data = await self.staff.create_event(body, idempotency_key=idempotency_key)
        return self._event(data, ref)

    async def _event_made_with(self, key: str, draft: EventDraft, body: dict[str, Any], ref: CalendarRef) -> Event | None:
        """The meeting an earlier call with this idempotency key made (the key is stored in its
        extension_data), so a create retried by the caller does not book the room twice."""
        await self.room_index()
        system = body.get("system_id")
        owner = body.get("host") or ref.email
        if system:
            rows = await self.staff.query_events(draft.start, draft.end, systems=[system])
        elif owner:
            rows = await self.staff.query_events(draft.start, draft.end, calendars=[owner])
        else:
            return None
        for row in rows:
            if isinstance(row, dict) and (row.get("extension_data") or {}).get(REQUEST_ID_KEY) == key:
                return self._event(row, ref)
        return None

    async def update_event(self, calendar_id: str, event_id: str, patch: EventPatch, *, notify: bool = True) -> Event:
        patch = as_model(EventPatch, patch, "meeting change")
        ref = await self.resolve_calendar(calendar_id)
        # Staff-api takes only a whole event (a partial body is a 400: staff-api
        # src/controllers/events.cr, update): the change is laid over the event as read.
        raw = await self._read_raw_event(ref, event_id)
        current = self._event(raw, ref)
        if current.status == EventStatus.CANCELLED:
            raise InvalidInputError(f"the meeting {current.title or current.id!r} was cancelled; it cannot be changed")
        start = patch.start or current.start
        end = patch.end or current.end
        if end <= start:
            raise InvalidInputError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})", field="end")
        old_system = ref.room.id if ref.room is not None else (current.room_ids[0] if current.room_ids else None)
        new_system = old_system
        resources: list[Room] = []
        sent = patch
        if patch.room_ids is not None:
            rooms = await self.rooms_for(patch.room_ids)
            await self._bookable(rooms, already=set(current.room_ids))
            new_system = rooms[0].id if rooms else None
            resources = rooms[1:]
            if patch.attendees is None:
                # New rooms rewrite the resource attendees: send the people unchanged with them.
                room_emails = set(self._rooms_by_email)
                people = [a for a in current.attendees if not a.resource and a.email not in room_emails]
                sent = patch.model_copy(update={"attendees": people})
        elif patch.attendees is not None:
            # New attendees replace the list: keep the meeting's other rooms in it.
            resources = [r for r in (self._rooms.get(i) for i in current.room_ids[1:]) if r is not None]
        # Only a window that grows, or new rooms, can meet a meeting that was not in the way before.
        if start < current.start or end > current.end or patch.room_ids is not None:
            await self.room_index()
            booked = await self.rooms_for(patch.room_ids) if patch.room_ids is not None else [
                r for r in (self._rooms.get(i) for i in current.room_ids) if r is not None]
            await self._refuse_room_clashes(booked, start, end, moving=current.id)
        body = event_to_wire(sent, resources=resources)
        moving = new_system != old_system
        if new_system and (moving or ref.room is not None):
            body["system_id"] = new_system
        body = whole_event(raw, body)
        # A person's calendar is addressed by ``calendar=``; the room goes in the query only to
        # say which room a meeting is moving out of (providers give each mailbox its own ids).
        query_system = old_system if ref.room is not None or moving else None
        data = await self.staff.update_event(
            query_system,
            body,
            calendar=ref.query["calendar"],
            event_id=current.id,
            notify_existing_attendees=None if notify else False,
        )
        if ref.room is not None and new_system != ref.room.id:
            # Moved out of the room whose calendar was asked: it now lives in the new room's.
            ref = await self._moved_ref(new_system, current)
        if isinstance(data, dict) and data.get("id"):
            return self._event(data, ref)
        return await self._read_event(ref, current.id)

    async def _moved_ref(self, system_id: str | None, current: Event) -> CalendarRef:
        if not system_id:
            return CalendarRef(email=current.host or current.calendar_id)
        room = await self.require_room(system_id)
        return CalendarRef(email=room.email, room=room)

    async def delete_event(
        self, calendar_id: str, event_id: str, *, notify: bool = True, comment: str | None = None
    ) -> None:
        """Cancel the meeting. Through a room's calendar it is the organiser's meeting that goes:
        a DELETE on the room's mailbox only drops the room's copy (staff-api deletes "on the
        calendar specified"), so the host would keep the meeting and nobody would be told."""
        ref = await self.resolve_calendar(calendar_id)
        event_id = require_text(event_id, "event_id")
        query, host = ref.query, None
        if ref.room is not None:
            # Read through the room: staff-api answers with the host's copy (and its id).
            event = await self._read_event(ref, event_id)
            organiser = (event.host or "").lower()
            if organiser and organiser != ref.email and organiser not in self._rooms_by_email:
                query, host, event_id = {"system_id": None, "calendar": organiser}, organiser, event.id
        text = (comment or "").strip()
        try:
            if text and notify:
                # PlaceOS takes a message only on a decline, which from the organiser's calendar
                # cancels the meeting for everyone: the desk's comment reaches the attendees.
                await self.staff.decline_event(event_id, notify=True, comment=text, **query)
            else:
                await self.staff.delete_event(query["system_id"], event_id, calendar=query["calendar"], notify=notify)
        except (PermissionDeniedError, InvalidInputError) as exc:
            if host is None or (isinstance(exc, InvalidInputError) and exc.field != "calendar"):
                raise
            raise PermissionDeniedError(
                f"PlaceOS does not let this account cancel meetings in {host}'s calendar",
                hint=f"Decline the meeting for {ref.room.name} instead: the room is released and the host is told.",
            ) from None

    async def decline_event(
        self, calendar_id: str, event_id: str, *, notify: bool = True, comment: str | None = None
    ) -> None:
        ref = await self.resolve_calendar(calendar_id)
        event_id = require_text(event_id, "event_id")
        await self.staff.decline_event(event_id, notify=notify, comment=comment or None, **ref.query)

    async def _room_answer(self, room_id: str, event_id: str, approve: bool) -> Event:
        room = await self.require_room(room_id)
        event_id = require_text(event_id, "event_id")
        ref = CalendarRef(email=room.email, room=room)
        call = self.staff.approve_event if approve else self.staff.reject_event
        try:
            done = await call(event_id, room.id)
        except NotFoundError:
            raise NotFoundError(f"no meeting {event_id!r} in the calendar of {room.name}") from None
        if not done:
            verb = "accept" if approve else "decline"
            raise UnavailableError(
                f"PlaceOS could not {verb} the meeting for {room.name}",
                hint="The room's mailbox may not allow it; try again or check the meeting in the calendar.",
            )
        return await self._read_event(ref, event_id)

    async def approve_event(self, room_id: str, event_id: str) -> Event:
        return await self._room_answer(room_id, event_id, True)

    async def reject_event(self, room_id: str, event_id: str) -> Event:
        return await self._room_answer(room_id, event_id, False)
