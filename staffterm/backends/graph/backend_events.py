"""Calendar events on Graph: calendarView (both bounds, every page, times in UTC), one event,
create with a transactionId and the room's answer read back, update, delete, cancel, decline,
accept (api-reference/v1.0/api/user-list-calendarview.md, user-post-events.md, event-update.md,
event-delete.md, event-cancel.md, event-decline.md, event-accept.md).

Ids are those of the calendar asked: a room's calendar names the room's copy of a meeting;
changes go to the organiser's copy (see ``meeting_copies``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from staffterm.backends.coerce import require_text
from staffterm.backends.graph.backend_core import GraphCore
from staffterm.backends.graph.convert import to_dtz
from staffterm.backends.graph.convert_events import event_from_wire, event_to_wire
from staffterm.backends.graph.meeting_copies import (
    UTC_PREFER,
    as_model,
    calendar_view,
    clashes_in,
    conflict,
    copy_in,
    event_path,
    organiser_copy,
    read_raw,
    user_path,
)
from staffterm.errors import (
    InvalidInputError,
    NotFoundError,
    ReplyLostError,
    StafftermError,
    UnavailableError,
)
from staffterm.models import Event, EventDraft, EventPatch, ResponseStatus, Room

log = logging.getLogger("staffterm.graph")


class EventsMixin(GraphCore):
    async def _mailbox(self, calendar_id: Any) -> str:
        key = require_text(calendar_id, "calendar_id").lower()
        if "@" in key:
            return key
        room = await self.require_room(key, "calendar_id")
        return room.email

    async def _room_emails(self) -> set[str]:
        _, rooms = await self.estate()
        return set(rooms)

    async def _bookable(self, keys: list[str]) -> list[Room]:
        rooms = [await self.require_room(k, "room_ids") for k in dict.fromkeys(keys)]
        for room in rooms:
            if not room.bookable:
                # bookingType "reserved": first come, first served, not reservable (resources/room.md).
                raise InvalidInputError(f"{room.name} cannot be booked: it is a first-come, first-served room",
                                        field="room_ids")
        return rooms

    async def list_events(self, calendar_id: str, start: datetime, end: datetime, *,
                          include_cancelled: bool = False) -> list[Event]:
        mailbox = await self._mailbox(calendar_id)
        if end <= start:
            raise InvalidInputError("end must be after start", field="end")
        rows = await calendar_view(self, mailbox, start, end)
        rooms = await self._room_emails()
        events = self.convert_rows(rows, lambda r: event_from_wire(r, mailbox, rooms), "event")
        if not include_cancelled:
            events = [e for e in events if e.status.value != "cancelled"]
        return sorted(events, key=lambda e: (e.start, e.end, e.id))

    async def get_event(self, calendar_id: str, event_id: str) -> Event:
        mailbox = await self._mailbox(calendar_id)
        raw = await read_raw(self, mailbox, require_text(event_id, "event_id"))
        return event_from_wire(raw, mailbox, await self._room_emails())

    async def create_event(self, calendar_id: str, draft: EventDraft, *, idempotency_key: str | None = None) -> Event:
        """On the organiser's calendar (``calendar_id`` a person), or — ``calendar_id`` a room —
        the host's or the service account's, with the room a resource attendee. A room already
        booked then is a ConflictError naming the meeting; the room's own answer is read back and
        a decline said plainly. Asked in a room, the room's copy is returned once it has one."""
        from staffterm.http.client import decode_json

        draft = as_model(EventDraft, draft, "meeting")
        mailbox = await self._mailbox(calendar_id)
        rooms_index = await self._room_emails()
        room_keys = list(draft.room_ids)
        in_room = mailbox if mailbox in rooms_index else None
        if in_room:
            room_keys.insert(0, mailbox)
            mailbox = (draft.host or self.settings.calendar_service_account or "").lower()
            if not mailbox:
                raise InvalidInputError("a meeting in a room needs an organiser: give the host, or set "
                                        "calendar_service_account in the tenant's settings", field="host")
        rooms = await self._bookable(room_keys)
        key = idempotency_key or str(uuid.uuid4())
        clashes = await clashes_in(self, rooms, draft.start, draft.end, organiser=mailbox, transaction_id=key)
        if clashes:
            raise conflict(rooms, clashes)
        body = event_to_wire(draft, [(r.email, r.name) for r in rooms], key)
        # transactionId makes the POST safe to send again: Outlook answers with the first event.
        response = await self.http.request("POST", f"{user_path(mailbox)}/events", json=body, idempotent=True,
                                           headers={"Prefer": UTC_PREFER})
        raw = decode_json(response, provider=self.http.provider)
        event = event_from_wire(raw, mailbox, rooms_index)
        self._say_declines(event)
        if in_room:
            try:
                copy = await copy_in(self, in_room, raw)
            except StafftermError as exc:  # the meeting is made: a failing read-back is a warning
                self.warn(f"the meeting was made, but the room's calendar could not be read back: {exc.message}")
                copy = None
            if copy is not None:
                return event_from_wire(copy, in_room, rooms_index)
        return event

    def _say_declines(self, event: Event) -> None:
        for attendee in event.attendees:
            if attendee.resource and attendee.response == ResponseStatus.DECLINED:
                self.warn(f"the room {attendee.email} declined “{event.title}”: the room is NOT booked")

    async def update_event(self, calendar_id: str, event_id: str, patch: EventPatch, *, notify: bool = True) -> Event:
        from staffterm.http.client import decode_json

        patch = as_model(EventPatch, patch, "meeting change")
        mailbox = await self._mailbox(calendar_id)
        event_id = require_text(event_id, "event_id")
        rooms_index = await self._room_emails()
        raw = await read_raw(self, mailbox, event_id)
        if patch.extension_data is not None:
            # staffterm's own data: an open extension on the copy asked (see event_data).
            from staffterm.backends.graph.event_data import merge_into

            raw = await merge_into(self, mailbox, raw, patch.extension_data)
            if all(getattr(patch, name) is None for name in type(patch).model_fields if name != "extension_data"):
                return event_from_wire(raw, mailbox, rooms_index)
        current = event_from_wire(raw, mailbox, rooms_index)
        start, end = patch.start or current.start, patch.end or current.end
        if end <= start:
            raise InvalidInputError(f"the meeting must end after it starts ({start:%H:%M} UTC)", field="end")
        organiser, target = await organiser_copy(self, mailbox, raw)
        body: dict[str, Any] = {}
        if patch.title is not None:
            body["subject"] = patch.title
        if patch.body is not None:
            body["body"] = {"contentType": "text", "content": patch.body}
        if patch.start is not None:
            body["start"] = to_dtz(patch.start)
        if patch.end is not None:
            body["end"] = to_dtz(patch.end)
        if patch.location is not None:
            body["location"] = {"displayName": patch.location}
        if patch.private is not None:
            body["sensitivity"] = "private" if patch.private else "normal"
        room_ids = [r for r in current.room_ids if r in rooms_index]
        if patch.room_ids is not None or patch.attendees is not None:
            rooms = await self._bookable(patch.room_ids) if patch.room_ids is not None else [
                await self.require_room(r) for r in room_ids]
            people = ([{"emailAddress": {"address": a.email, **({"name": a.name} if a.name else {})},
                        "type": "required"}
                       for a in patch.attendees if not a.resource and not a.organizer]
                      if patch.attendees is not None else
                      [{"emailAddress": a["emailAddress"], "type": a.get("type") or "required"}
                       for a in target.get("attendees") or [] if isinstance(a, dict)
                       and str(a.get("type")).lower() != "resource"
                       and str((a.get("emailAddress") or {}).get("address") or "").lower() not in rooms_index])
            body["attendees"] = people + [{"emailAddress": {"address": r.email, "name": r.name}, "type": "resource"}
                                          for r in rooms]
            if patch.room_ids is not None and patch.location is None:
                # Setting location replaces locations (resources/event.md): the old room's goes.
                body["location"] = ({"displayName": rooms[0].name, "locationEmailAddress": rooms[0].email,
                                     "locationType": "conferenceRoom"} if rooms else {"displayName": ""})
        else:
            rooms = [await self.require_room(r) for r in room_ids]
        if not body:
            raise InvalidInputError("nothing to change")
        if rooms and ("start" in body or "end" in body or patch.room_ids is not None):
            clashes = await clashes_in(self, rooms, start, end, ignore_uid=raw.get("iCalUId"))
            if clashes:
                raise conflict(rooms, clashes)
        # PATCH sets absolute values: sending it twice lands the same.
        response = await self.http.request("PATCH", event_path(organiser, str(target["id"])), json=body,
                                           idempotent=True, headers={"Prefer": UTC_PREFER})
        written = decode_json(response, provider=self.http.provider)
        event = event_from_wire(written, organiser, rooms_index)
        self._say_declines(event)
        if organiser != mailbox and mailbox in {a.email for a in event.attendees}:
            # The same meeting, named as the calendar it was asked in names it.
            return event.model_copy(update={"id": event_id, "calendar_id": mailbox})
        if mailbox in rooms_index and event.room_ids:
            return await self._as_moved(written, event, rooms_index)
        return event

    async def _as_moved(self, written: dict[str, Any], event: Event, rooms_index: set[str]) -> Event:
        """A meeting moved out of the room it was asked in: its copy in the new room, whose id is
        the one the desk can use from now on. Each mailbox holds its own item with its own ``id``;
        only ``iCalUId`` is shared "across calendars" (resources/event.md), so the old room's id
        is gone with the old room's copy. No copy yet (the room has not answered, or declined):
        the organiser's event, which keeps its id."""
        new_room = event.room_ids[0]
        try:
            copy = await copy_in(self, new_room, written)
        except StafftermError as exc:  # the move is made: a failing read-back is a warning
            self.warn(f"the meeting was moved, but {new_room}'s calendar could not be read back: {exc.message}")
            return event
        return event_from_wire(copy, new_room, rooms_index) if copy is not None else event

    async def delete_event(self, calendar_id: str, event_id: str, *, notify: bool = True,
                           comment: str | None = None) -> None:
        """With a comment: cancel (organiser only, the attendees get it; 202). Else delete (204),
        which on the organiser's calendar cancels the meeting for everyone (event-delete.md).
        Asked in a room's calendar, it is the meeting that goes: the organiser's copy."""
        mailbox = await self._mailbox(calendar_id)
        event_id = require_text(event_id, "event_id")
        raw = await read_raw(self, mailbox, event_id)
        if mailbox in await self._room_emails():
            mailbox, raw = await organiser_copy(self, mailbox, raw)
        path = event_path(mailbox, str(raw["id"]))
        try:
            if comment and raw.get("isOrganizer", True):
                # Safe to send again: a cancelled meeting is gone from the organiser's calendar
                # (event-cancel.md), so a second cancel finds nothing rather than cancelling twice.
                await self.http.request("POST", f"{path}/cancel", json={"comment": comment}, idempotent=True)
            else:
                await self.http.request("DELETE", path)
        except NotFoundError as exc:
            if not exc.details.get("after_lost_reply"):
                raise  # never there: no reply was lost, the id is wrong
            # The first attempt's reply was lost and the re-sent one found no such item: the
            # meeting is gone, which is what was asked (event-delete.md: 204 on success; a
            # deleted item is 404 ErrorItemNotFound).
            log.info("Graph: %s is gone after a lost reply; the %s is done", path, "cancel" if comment else "delete")
        except ReplyLostError as exc:
            if exc.applied:
                return
            await self._settle_lost_delete(mailbox, str(raw["id"]), exc)

    async def _settle_lost_delete(self, mailbox: str, event_id: str, doubt: ReplyLostError) -> None:
        """After a delete or cancel whose answer never came: gone (404) means done; still there
        means it did not happen; a lookup that fails too leaves the doubt as it was said."""
        try:
            await read_raw(self, mailbox, event_id)
        except NotFoundError:
            return
        except StafftermError:
            raise doubt from None
        raise UnavailableError("Microsoft Graph did not answer, and the meeting is still there: it was not removed",
                               hint="Try again.")

    async def _respond(self, action: str, calendar_id: str, event_id: str, notify: bool, comment: str | None) -> None:
        mailbox = await self._mailbox(calendar_id)
        body: dict[str, Any] = {"sendResponse": bool(notify)}
        if comment:
            body["comment"] = comment
        await self.http.request("POST", f"{event_path(mailbox, require_text(event_id, 'event_id'))}/{action}",
                                json=body, idempotent=True)

    async def decline_event(self, calendar_id: str, event_id: str, *, notify: bool = True,
                            comment: str | None = None) -> None:
        await self._respond("decline", calendar_id, event_id, notify, comment)

    async def accept_event(self, calendar_id: str, event_id: str, *, notify: bool = True,
                           comment: str | None = None) -> None:
        await self._respond("accept", calendar_id, event_id, notify, comment)
