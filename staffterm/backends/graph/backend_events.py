"""Calendar events on Graph: calendarView (both bounds, every page, times in UTC), one event,
create with a transactionId and the room's answer read back, update, delete, cancel, decline,
accept (api-reference/v1.0/api/user-list-calendarview.md, user-post-events.md, event-update.md,
event-delete.md, event-cancel.md, event-decline.md, event-accept.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote

from staffterm.backends.coerce import require_text
from staffterm.backends.graph.backend_core import GraphCore
from staffterm.backends.graph.convert import iso_utc
from staffterm.backends.graph.convert_events import event_from_wire, event_to_wire
from staffterm.errors import InvalidInputError
from staffterm.models import Event, EventDraft, EventPatch, ResponseStatus

UTC_PREFER = 'outlook.timezone="UTC"'
PAGE = 100  # calendarView pages 10 events by default; ask for more, follow nextLink whatever comes


def _user(mailbox: str) -> str:
    return f"/users/{quote(mailbox, safe='@.')}"


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

    async def list_events(self, calendar_id: str, start: datetime, end: datetime, *,
                          include_cancelled: bool = False) -> list[Event]:
        mailbox = await self._mailbox(calendar_id)
        if end <= start:
            raise InvalidInputError("end must be after start", field="end")
        # Both bounds are required; their offset is honoured and Prefer only sets the zone of the
        # returned start/end (user-list-calendarview.md).
        rows = await self.all_pages(f"{_user(mailbox)}/calendarView",
                                    {"startDateTime": iso_utc(start), "endDateTime": iso_utc(end), "$top": PAGE},
                                    headers={"Prefer": UTC_PREFER})
        rooms = await self._room_emails()
        events = self.convert_rows(rows, lambda r: event_from_wire(r, mailbox, rooms), "event")
        if not include_cancelled:
            events = [e for e in events if e.status.value != "cancelled"]
        return sorted(events, key=lambda e: (e.start, e.end, e.id))

    async def get_event(self, calendar_id: str, event_id: str) -> Event:
        mailbox = await self._mailbox(calendar_id)
        data = await self.get_json(f"{_user(mailbox)}/events/{quote(require_text(event_id, 'event_id'), safe='')}",
                                   headers={"Prefer": UTC_PREFER})
        return event_from_wire(data, mailbox, await self._room_emails())

    async def create_event(self, calendar_id: str, draft: EventDraft, *, idempotency_key: str | None = None) -> Event:
        """On the organiser's calendar (``calendar_id`` a person), or the service account's when
        ``calendar_id`` is a room; the room is a resource attendee. The room's calendar attendant
        answers on its own: its reply is read back and a decline is said plainly."""
        from staffterm.http.client import decode_json

        mailbox = await self._mailbox(calendar_id)
        rooms_index = await self._room_emails()
        room_keys = list(draft.room_ids)
        if mailbox in rooms_index:
            room_keys.insert(0, mailbox)
            mailbox = (draft.host or self.settings.calendar_service_account or "").lower()
            if not mailbox:
                raise InvalidInputError("a meeting in a room needs an organiser: give the host, or set "
                                        "calendar_service_account in the tenant's settings", field="host")
        rooms = [await self.require_room(k, "room_ids") for k in dict.fromkeys(room_keys)]
        body = event_to_wire(draft, [(r.email, r.name) for r in rooms], idempotency_key or str(uuid.uuid4()))
        # transactionId makes the POST safe to send again: Outlook answers with the first event.
        response = await self.http.request("POST", f"{_user(mailbox)}/events", json=body, idempotent=True,
                                           headers={"Prefer": UTC_PREFER})
        event = event_from_wire(decode_json(response, provider=self.http.provider), mailbox, rooms_index)
        self._say_declines(event)
        return event

    def _say_declines(self, event: Event) -> None:
        for attendee in event.attendees:
            if attendee.resource and attendee.response == ResponseStatus.DECLINED:
                self.warn(f"the room {attendee.email} declined “{event.title}”: the room is NOT booked")

    async def update_event(self, calendar_id: str, event_id: str, patch: EventPatch, *, notify: bool = True) -> Event:
        from staffterm.backends.graph.convert import to_dtz
        from staffterm.http.client import decode_json

        mailbox = await self._mailbox(calendar_id)
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
        if not body:
            raise InvalidInputError("nothing to change")
        # PATCH sets absolute values: sending it twice lands the same.
        response = await self.http.request("PATCH", f"{_user(mailbox)}/events/{quote(event_id, safe='')}", json=body,
                                           idempotent=True, headers={"Prefer": UTC_PREFER})
        event = event_from_wire(decode_json(response, provider=self.http.provider), mailbox, await self._room_emails())
        self._say_declines(event)
        return event

    async def delete_event(self, calendar_id: str, event_id: str, *, notify: bool = True,
                           comment: str | None = None) -> None:
        """With a comment: cancel (organiser only, the attendees get it; 202). Else delete (204)."""
        mailbox = await self._mailbox(calendar_id)
        path = f"{_user(mailbox)}/events/{quote(require_text(event_id, 'event_id'), safe='')}"
        if comment:
            await self.http.request("POST", f"{path}/cancel", json={"comment": comment})
        else:
            await self.http.request("DELETE", path)

    async def _respond(self, action: str, calendar_id: str, event_id: str, notify: bool, comment: str | None) -> None:
        mailbox = await self._mailbox(calendar_id)
        path = f"{_user(mailbox)}/events/{quote(require_text(event_id, 'event_id'), safe='')}/{action}"
        body: dict[str, Any] = {"sendResponse": bool(notify)}
        if comment:
            body["comment"] = comment
        await self.http.request("POST", path, json=body, idempotent=True)

    async def decline_event(self, calendar_id: str, event_id: str, *, notify: bool = True,
                            comment: str | None = None) -> None:
        await self._respond("decline", calendar_id, event_id, notify, comment)

    async def accept_event(self, calendar_id: str, event_id: str, *, notify: bool = True,
                           comment: str | None = None) -> None:
        await self._respond("accept", calendar_id, event_id, notify, comment)
