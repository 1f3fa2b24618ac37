"""PlaceOS calendar events (``/events``) — the room-calendar half of ``StaffAPI``.

Names follow the Staff API driver: list, read, create, update, delete and decline events, answer
for a room that needs approval, event metadata and an event's guests. A create with an
``idempotency_key`` carries it so a retry after a lost reply finds the event the first attempt
made. A 206 from ``/events`` means some calendars could not be read (``StaffAPI._partial``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpx

from staffterm.backends.placeos.engine import (
    as_dict,
    as_json,
    as_list,
    id_list,
    json_body,
    seg,
)
from staffterm.backends.placeos.staff_common import (
    REQUEST_ID_KEY,
    STAFF,
    clash_params,
    epoch,
    epoch_or_none,
    is_whole_event,
    required,
    whole_event,
)
from staffterm.backends.placeos.wire_errors import event_not_found, placeos_error
from staffterm.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from staffterm.http.client import HttpClient


class EventsMixin:
    http: HttpClient

    if TYPE_CHECKING:
        # StaffAPI's: reports the calendars a 206 reply could not read.
        def _partial(self, response: httpx.Response) -> None: ...

        # StaffAPI's: a period in epoch seconds, refused unless it ends after it starts.
        def _period(self, period_start: Any, period_end: Any) -> tuple[int, int]: ...

    # ----------------------------------------------------------------- events (room calendars)

    async def query_events(
        self,
        period_start: Any,
        period_end: Any,
        zones: str | Iterable[str] | None = None,
        systems: str | Iterable[str] | None = None,
        capacity: int | None = None,
        features: str | Iterable[str] | None = None,
        bookable: bool | None = None,
        include_cancelled: bool | None = None,
        calendars: str | Iterable[str] | None = None,
        ical_uid: str | None = None,
    ) -> list[dict]:
        start, end = self._period(period_start, period_end)
        params = {
            "period_start": start, "period_end": end, "zone_ids": id_list(zones), "system_ids": id_list(systems),
            "calendars": id_list(calendars), "capacity": capacity, "features": id_list(features), "bookable": bookable,
            "include_cancelled": include_cancelled, "ical_uid": ical_uid or None,
        }
        response = await self.http.request("GET", f"{STAFF}/events", params=params)
        self._partial(response)
        return as_list(response)

    async def get_event(self, event_id: str, system_id: str | None = None, calendar: str | None = None) -> dict:
        params = {"system_id": system_id or None, "calendar": calendar or None}
        return as_dict(await self.http.request("GET", f"{STAFF}/events/{seg(event_id, 'event id')}", params=params))

    async def create_event(self, event: dict, *, idempotency_key: str | None = None) -> dict:
        """POST /events (201). With a key, a retry after a lost reply finds the first event instead."""
        body = json_body(event, "event")
        start = epoch(body.get("event_start"), "event_start")
        end = epoch_or_none(body.get("event_end"), "event_end")
        if end is not None and end <= start:
            raise InvalidInputError("the meeting must end after it starts", field="event_end")
        find_existing = None
        if idempotency_key:
            body = {**body, "extension_data": {**(body.get("extension_data") or {}), REQUEST_ID_KEY: idempotency_key}}
            system = body.get("system_id") or (body.get("system") or {}).get("id")
            host = body.get("host")

            async def find_existing() -> httpx.Response | None:
                params = {
                    "period_start": start, "period_end": end if end is not None else start + 60,
                    "system_ids": system or None, "calendars": None if system else (host or None),
                }
                found = await self.http.request("GET", f"{STAFF}/events", params=params)
                for row in as_list(found):
                    if isinstance(row, dict) and (row.get("extension_data") or {}).get(REQUEST_ID_KEY) == idempotency_key:
                        return httpx.Response(201, json=row, request=found.request)
                return None

        response = await self.http.request(
            "POST", f"{STAFF}/events", json=body, idempotency_key=idempotency_key, find_existing=find_existing
        )
        return as_dict(response)

    async def update_event(
        self,
        system_id: str | None,
        event: dict,
        *,
        calendar: str | None = None,
        event_id: str | None = None,
        notify_existing_attendees: bool | None = None,
    ) -> dict:
        """PATCH an event; ``system_id`` is the room it is in now (a new room goes in the body).

        Staff-api parses the body as a whole PlaceCalendar::Event, so a partial one is a 400 there
        (staff-api src/controllers/events.cr, update). A body without every required part is
        completed from the event as read now (one GET through the same room or calendar), as the
        service's own specs send the whole event back with the change in it.
        """
        body = json_body(event, "event")
        target = event_id or body.get("id")
        params = {"system_id": system_id or None, "calendar": calendar or None,
                  "notify_existing_attendees": notify_existing_attendees}
        if not is_whole_event(body):
            current = await self.get_event(target, system_id=system_id, calendar=calendar)
            body = whole_event(current, body)
        # The whole event, absolute: landing twice leaves the same meeting (at worst attendees are
        # told of the update twice), so a lost reply is re-sent rather than left in doubt.
        response = await self.http.request("PATCH", f"{STAFF}/events/{seg(target, 'event id')}", params=params,
                                           json=body, idempotent=True)
        return as_dict(response)

    async def delete_event(self, system_id: str | None, event_id: str, *, calendar: str | None = None,
                           notify: bool | None = None) -> None:
        """Remove the event (202).

        Staff-api answers 404 for two different things (staff-api src/controllers/events.cr,
        ``destroy`` -> ``cancel_event``): the room (``systems.fetch`` fails: the engine's 404,
        passed on as ``"Not Found\\n<engine body>"``), or the event on that calendar (``"failed
        to find event …"``). Only the second, and only when our own retry of a lost reply gets
        it, means our first attempt deleted the event: that is done. Anything else is an error
        naming what was not found, so a wrong room id never reads as "deleted".
        """
        params = {"system_id": system_id or None, "calendar": calendar or None, "notify": notify}
        url = f"{STAFF}/events/{seg(event_id, 'event id')}"
        retried_after_lost_reply = False

        async def note_lost_reply() -> None:
            # Called by the HTTP layer before it re-sends a write whose outcome it does not know.
            nonlocal retried_after_lost_reply
            retried_after_lost_reply = True
            return None

        response = await self.http.request("DELETE", url, params=params, allow_status=(404,),
                                           find_existing=note_lost_reply)
        if response.status_code != 404:
            return
        if event_not_found(response):
            if retried_after_lost_reply:
                return
            where = f"the calendar of room {system_id}" if system_id else f"the calendar {calendar or 'of this account'}"
            raise NotFoundError(f"PlaceOS has no meeting {event_id!r} in {where}",
                                hint="It may have been cancelled already, or the id belongs to another calendar.")
        if system_id:
            raise NotFoundError(f"PlaceOS has no room {system_id!r}", hint="Check the room id (staffterm rooms).")
        raise placeos_error(response) or NotFoundError(f"PlaceOS could not find meeting {event_id!r}")

    async def decline_event(self, event_id: str, *, system_id: str | None = None, calendar: str | None = None,
                            notify: bool | None = None, comment: str | None = None) -> None:
        """Decline (the event stays, cancelled); the raw body is the decline comment. Declining twice is harmless."""
        params = {"system_id": system_id or None, "calendar": calendar or None, "notify": notify}
        await self.http.request("POST", f"{STAFF}/events/{seg(event_id, 'event id')}/decline", params=params,
                                content=comment or None, idempotent=True)

    async def _room_answer(self, action: str, event_id: str, system_id: str) -> bool:
        response = await self.http.request(
            "POST", f"{STAFF}/events/{seg(event_id, 'event id')}/{action}",
            params={"system_id": required(system_id, "system_id")}, idempotent=True,
        )
        return bool(as_json(response))

    async def approve_event(self, event_id: str, system_id: str) -> bool:
        """The room mailbox accepts the invite."""
        return await self._room_answer("approve", event_id, system_id)

    async def reject_event(self, event_id: str, system_id: str) -> bool:
        """The room mailbox declines the invite."""
        return await self._room_answer("reject", event_id, system_id)

    def _metadata_params(self, ical_uid, setup_time, breakdown_time, setup_event_id, breakdown_event_id, calendar):
        return {
            "ical_uid": ical_uid or None, "setup_time": setup_time, "breakdown_time": breakdown_time,
            "setup_event_id": setup_event_id or None, "breakdown_event_id": breakdown_event_id or None,
            "calendar": calendar or None,
        }

    async def _write_event_metadata(self, method: str, system_id, event_id, metadata, params) -> dict:
        body = json_body(metadata, "metadata")
        url = f"{STAFF}/events/{seg(event_id, 'event id')}/metadata/{seg(system_id, 'system id')}"
        # PUT replaces and PATCH merges: either way sending it twice ends in the same state.
        return as_json(await self.http.request(method, url, params=params, json=body, idempotent=True)) or {}

    async def patch_event_metadata(self, system_id: str, event_id: str, metadata: dict | str, ical_uid: str | None = None,
                                   setup_time: int | None = None, breakdown_time: int | None = None, *,
                                   setup_event_id: str | None = None, breakdown_event_id: str | None = None,
                                   calendar: str | None = None) -> dict:
        params = self._metadata_params(ical_uid, setup_time, breakdown_time, setup_event_id, breakdown_event_id, calendar)
        return await self._write_event_metadata("PATCH", system_id, event_id, metadata, params)

    async def replace_event_metadata(self, system_id: str, event_id: str, metadata: dict | str, ical_uid: str | None = None,
                                     setup_time: int | None = None, breakdown_time: int | None = None, *,
                                     setup_event_id: str | None = None, breakdown_event_id: str | None = None,
                                     calendar: str | None = None) -> dict:
        params = self._metadata_params(ical_uid, setup_time, breakdown_time, setup_event_id, breakdown_event_id, calendar)
        return await self._write_event_metadata("PUT", system_id, event_id, metadata, params)

    async def event_metadata(self, system_id: str, event_id: str, ical_uid: str | None = None) -> dict:
        url = f"{STAFF}/events/{seg(event_id, 'event id')}/metadata/{seg(system_id, 'system id')}"
        return as_json(await self.http.request("GET", url, params={"ical_uid": ical_uid or None})) or {}

    async def query_metadata(self, system_id: str | None = None, field_name: str | None = None,
                             value: str | None = None, period_start: Any = None, period_end: Any = None,
                             event_ref: str | Iterable[str] | None = None) -> list[dict]:
        """Stored event metadata (``GET /events/extension_metadata[/system_id]``): by room, period,
        event ids / iCal UIDs, or one ``extension_data`` field; staff-api needs at least one."""
        if field_name and value is None:
            raise InvalidInputError("give a value to match field_name against", field="value")
        params = {
            "field_name": field_name or None, "value": value if field_name else None,
            "period_start": epoch_or_none(period_start, "period_start"),
            "period_end": epoch_or_none(period_end, "period_end"), "event_ref": id_list(event_ref),
        }
        if not system_id and not any(v is not None for v in params.values()):
            raise InvalidInputError("give a room, a period, event ids or a field and value to search by")
        url = f"{STAFF}/events/extension_metadata" + (f"/{seg(system_id, 'system id')}" if system_id else "")
        return as_list(await self.http.request("GET", url, params=params))

    async def event_guests(self, event_id: str, system_id: str) -> list[dict]:
        params = {"system_id": required(system_id, "system_id")}
        return as_list(await self.http.request("GET", f"{STAFF}/events/{seg(event_id, 'event id')}/guests", params=params))

    async def event_guest_check_in(self, event_id: str, guest_id: str, *, system_id: str | None = None,
                                   state: bool = True, calendar: str | None = None) -> dict:
        """Check a meeting guest in (``state=False``: out). Setting the same state twice is harmless."""
        url = f"{STAFF}/events/{seg(event_id, 'event id')}/guests/{seg(guest_id, 'guest id')}/check_in"
        params = {"system_id": system_id or None, "calendar": calendar or None, "state": bool(state)}
        return as_dict(await self.http.request("POST", url, params=params, idempotent=True))

    async def clashing_event_assets(self, event: dict, return_available: bool = False,
                                    include_clash_time: bool = False) -> list:
        """Rooms whose stored meetings clash with ``event`` (a read, sent as POST, so safe to retry)."""
        params = clash_params(return_available, include_clash_time)
        body = json_body(event, "event")
        response = await self.http.request("POST", f"{STAFF}/events/clashing-assets", params=params, json=body, idempotent=True)
        return as_list(response)
