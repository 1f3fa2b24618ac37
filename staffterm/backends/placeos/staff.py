"""The PlaceOS Staff API (``/api/staff/v1``): people, guests, calendar events, free/busy.

Bookings (desks, parking, visitors …) live in ``staff_bookings.py`` and calendar events in
``staff_events.py``; both are mixed in here, so ``StaffAPI`` is the one client. Names follow the Staff API driver; replies are raw JSON with
epoch seconds. Times may be given as epoch seconds or timezone-aware datetimes.

A 206 from ``/events`` or ``/calendars/free_busy`` means some calendars could not be read: the
rows that were read are returned and ``on_partial`` gets a warning naming the calendars.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import httpx

from staffterm.backends.placeos.engine import (
    as_dict,
    as_json,
    as_list,
    fetch_all_pages,
    id_list,
    json_body,
    seg,
)
from staffterm.backends.placeos.staff_bookings import BookingsMixin
from staffterm.backends.placeos.staff_common import (
    REQUEST_ID_KEY,
    STAFF,
    epoch,
    utc_now,
)
from staffterm.backends.placeos.staff_events import EventsMixin
from staffterm.backends.placeos.wire_errors import partial_failure
from staffterm.errors import InvalidInputError
from staffterm.http.client import HttpClient

log = logging.getLogger("staffterm.placeos")

__all__ = ["REQUEST_ID_KEY", "STAFF", "StaffAPI"]


class StaffAPI(EventsMixin, BookingsMixin):
    def __init__(
        self,
        http: HttpClient,
        *,
        on_partial: Callable[[str], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.http = http
        self.on_partial = on_partial
        self.clock = clock

    def _partial(self, response: httpx.Response) -> None:
        if response.status_code != 206:
            return
        message = partial_failure(response)
        if message:
            log.warning("PlaceOS %s: %s", response.request.url.path, message)
            if self.on_partial is not None:
                self.on_partial(message)

    def _period(self, period_start: Any, period_end: Any) -> tuple[int, int]:
        start, end = epoch(period_start, "period_start"), epoch(period_end, "period_end")
        if end <= start:
            raise InvalidInputError("the period must end after it starts", field="period_end")
        return start, end

    # ----------------------------------------------------------------- health

    async def health(self) -> dict:
        """``{commit, build_time}``; needs no sign-in (used to tell a wrong URL from wrong credentials)."""
        return as_dict(await self.http.request("GET", STAFF, use_auth=False))

    # ----------------------------------------------------------------- people and groups

    async def staff_details(self, email: str) -> dict:
        return as_dict(await self.http.request("GET", f"{STAFF}/people/{seg(email, 'email')}"))

    async def people(self, q: str | None = None, filter: str | None = None) -> list[dict]:
        """Directory search; follows the ``Link`` next page (Graph / Google page tokens)."""
        return await fetch_all_pages(self.http, f"{STAFF}/people", {"q": q or None, "filter": filter or None})

    async def person_groups(self, id: str) -> list[dict]:
        return as_list(await self.http.request("GET", f"{STAFF}/people/{seg(id, 'email')}/groups"))

    async def person_manager(self, id: str) -> dict:
        return as_dict(await self.http.request("GET", f"{STAFF}/people/{seg(id, 'email')}/manager"))

    async def person_calendars(self, id: str) -> list[dict]:
        return as_list(await self.http.request("GET", f"{STAFF}/people/{seg(id, 'email')}/calendars"))

    async def calendars(self) -> list[dict]:
        return as_list(await self.http.request("GET", f"{STAFF}/calendars"))

    async def groups(self, q: str | None = None) -> list[dict]:
        return as_list(await self.http.request("GET", f"{STAFF}/groups", params={"q": q or None}))

    async def group(self, id: str) -> dict:
        return as_dict(await self.http.request("GET", f"{STAFF}/groups/{seg(id, 'group id')}"))

    async def group_members(self, id: str) -> list[dict]:
        return as_list(await self.http.request("GET", f"{STAFF}/groups/{seg(id, 'group id')}/members"))

    # ----------------------------------------------------------------- guests

    async def guest_details(self, guest_id: str) -> dict:
        return as_dict(await self.http.request("GET", f"{STAFF}/guests/{seg(guest_id, 'guest id')}"))

    async def create_guest(self, guest: dict, *, idempotency_key: str | None = None) -> dict:
        body = json_body(guest, "guest")
        email = str(body.get("email") or "").strip()
        if not email:
            raise InvalidInputError("a guest needs an email address", field="email")
        find_existing = None
        if idempotency_key:
            body = {**body, "extension_data": {**(body.get("extension_data") or {}), REQUEST_ID_KEY: idempotency_key}}

            async def find_existing() -> httpx.Response | None:
                found = await self.http.request("GET", f"{STAFF}/guests/{seg(email, 'email')}", allow_status=(404,))
                if found.status_code == 200:
                    row = as_json(found)
                    if isinstance(row, dict) and (row.get("extension_data") or {}).get(REQUEST_ID_KEY) == idempotency_key:
                        return httpx.Response(201, json=row, request=found.request)
                return None

        response = await self.http.request(
            "POST", f"{STAFF}/guests", json=body, idempotency_key=idempotency_key, find_existing=find_existing
        )
        return as_dict(response)

    async def update_guest(self, id: str, body_json: dict | str) -> dict:
        body = json_body(body_json)
        return as_json(await self.http.request("PATCH", f"{STAFF}/guests/{seg(id, 'guest id')}", json=body)) or {}

    async def delete_guest(self, id: str) -> None:
        await self.http.request("DELETE", f"{STAFF}/guests/{seg(id, 'guest id')}")

    async def query_guests(
        self,
        period_start: Any = None,
        period_end: Any = None,
        zones: str | Iterable[str] | None = None,
        q: str | None = None,
    ) -> list[dict]:
        """Guests expected in the window (with ``checked_in`` / ``booking`` / ``event``), or a name search.

        ``zones`` go out as ``zone_ids``, as the driver sends them: staff-api's guests ``index``
        takes meeting guests only from the room calendars of ``zone_ids`` (or ``system_ids``) and
        narrows bookings by ``zones`` ∪ ``zone_ids``; with ``zones=`` alone no meeting visitor
        would come back (staff-api src/controllers/guests.cr, index). No zone: every booking in
        the window, and no meeting guests at all.
        """
        if (period_start is None) != (period_end is None):
            raise InvalidInputError("give both period_start and period_end, or neither", field="period_end")
        start, end = self._period(period_start, period_end) if period_start is not None else (None, None)
        params = {"period_start": start, "period_end": end, "zone_ids": id_list(zones), "q": q or None}
        return as_list(await self.http.request("GET", f"{STAFF}/guests", params=params))

    async def guest_bookings(self, id: str, include_past: bool | None = None, limit: int | None = None) -> list[dict]:
        params = {"include_past": include_past, "limit": limit}
        return as_list(await self.http.request("GET", f"{STAFF}/guests/{seg(id, 'guest id')}/bookings", params=params))

    async def guest_meetings(self, id: str, include_past: bool | None = None, limit: int | None = None) -> list[dict]:
        params = {"include_past": include_past, "limit": limit}
        return as_list(await self.http.request("GET", f"{STAFF}/guests/{seg(id, 'guest id')}/meetings", params=params))

    # ----------------------------------------------------------------- free/busy

    def _calendar_params(self, period_start, period_end, zones, systems, calendars, capacity, features, bookable) -> dict:
        start, end = self._period(period_start, period_end)
        return {
            "period_start": start, "period_end": end, "zone_ids": id_list(zones), "system_ids": id_list(systems),
            "calendars": id_list(calendars), "capacity": capacity, "features": id_list(features), "bookable": bookable,
        }

    async def free_busy(self, period_start: Any, period_end: Any, *, zones=None, systems=None, calendars=None,
                        capacity: int | None = None, features=None, bookable: bool | None = None) -> list[dict]:
        """Busy/free intervals per room calendar: one call covers every room of the zones given."""
        params = self._calendar_params(period_start, period_end, zones, systems, calendars, capacity, features, bookable)
        response = await self.http.request("GET", f"{STAFF}/calendars/free_busy", params=params)
        self._partial(response)
        return as_list(response)

    async def availability(self, period_start: Any, period_end: Any, *, zones=None, systems=None, calendars=None,
                           capacity: int | None = None, features=None, bookable: bool | None = None) -> list[dict]:
        """Only the calendars completely free for the window (204 when no calendar matched -> [])."""
        params = self._calendar_params(period_start, period_end, zones, systems, calendars, capacity, features, bookable)
        response = await self.http.request("GET", f"{STAFF}/calendars/availability", params=params)
        self._partial(response)
        return as_list(response)

    # ----------------------------------------------------------------- tenant settings

    async def current_limits(self) -> dict:
        """``{booking_type: max concurrent}`` for this site's tenant."""
        return as_json(await self.http.request("GET", f"{STAFF}/tenants/current_limits")) or {}

    async def current_early_checkin(self) -> int:
        """Seconds before a booking's start that check-in opens."""
        value = as_json(await self.http.request("GET", f"{STAFF}/tenants/current_early_checkin"))
        try:
            return int(value)
        except (TypeError, ValueError):
            return 3600  # the Staff API's default

