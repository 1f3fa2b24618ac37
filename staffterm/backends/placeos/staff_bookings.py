"""PlaceOS bookings (desks, parking, lockers, visitors …) — the ``/bookings`` half of ``StaffAPI``.

Names and defaults follow the Staff API driver: ``create_booking`` without times books the
whole of today in ``time_zone`` (UTC when none), ``query_bookings`` looks from now to now + 30
minutes and follows every ``Link: rel=next`` page. A create with an ``idempotency_key`` writes
the key into ``extension_data.staffterm_request_id`` so a retry after a lost reply finds the
booking the first attempt made instead of booking the desk twice. Approve, reject, state and
check-in calls end in the same state however often they are sent, so they are retried freely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from staffterm.backends.placeos.booking_rules import (
    OCCURRENCE_FIELDS,
    BookingFilter,
    refuse_dropped_update_fields,
)
from staffterm.backends.placeos.engine import (
    as_dict,
    as_json,
    as_list,
    fetch_all_pages,
    id_list,
    json_body,
    seg,
)
from staffterm.backends.placeos.staff_common import (
    REQUEST_ID_KEY,
    STAFF,
    clash_params,
    epoch_or_none,
    extension_data_filter,
    required,
)
from staffterm.backends.placeos.write_outcomes import booking_gone, confirmed_delete
from staffterm.errors import InvalidInputError

if TYPE_CHECKING:
    from staffterm.http.client import HttpClient

DEFAULT_QUERY_MINUTES = 30  # the driver's default window for query_bookings
DEFAULT_PAGE_SIZE = 100  # the driver's query_limit


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(f"unknown time zone {name!r}", field="time_zone", hint="Use an IANA name such as Europe/London") from None


def _id_values(value: str | Iterable[str] | None) -> list[str] | None:
    joined = id_list(value)
    return joined.split(",") if joined else None


class BookingsMixin:
    http: HttpClient
    clock: Callable[[], datetime]

    def _now(self) -> datetime:
        return self.clock()

    def _day_window(self, time_zone: str | None, start: int | None, end: int | None) -> tuple[int, int]:
        """The driver's default: the whole day (00:00 to 23:59:59) in ``time_zone``.

        With only one end given, the other end is that time's day, so a start of 15:00 tomorrow
        does not get today's 23:59 as its end.
        """
        tz = _zone(time_zone)
        anchor = self._now()
        if start is not None:
            anchor = datetime.fromtimestamp(start, tz)
        elif end is not None:
            anchor = datetime.fromtimestamp(end - 1, tz)
        day = anchor.astimezone(tz).date()
        day_start = int(datetime.combine(day, time(0, 0), tz).timestamp())
        day_end = int(datetime.combine(day, time(23, 59, 59), tz).timestamp())
        return (start if start is not None else day_start, end if end is not None else day_end)

    # ----------------------------------------------------------------- create / change

    async def create_booking(
        self,
        booking_type: str,
        asset_id: str | None = None,
        user_id: str | None = None,
        user_email: str | None = None,
        user_name: str | None = None,
        zones: str | Iterable[str] | None = None,
        booking_start: Any = None,
        booking_end: Any = None,
        checked_in: bool = False,
        approved: bool | None = None,
        title: str | None = None,
        description: str | None = None,
        time_zone: str | None = None,
        extension_data: dict | str | None = None,
        utm_source: str | None = None,
        limit_override: int | None = None,
        *,
        asset_ids: str | Iterable[str] | None = None,
        asset_name: str | None = None,
        attendees: list[dict] | None = None,
        all_day: bool | None = None,
        event_id: str | None = None,
        ical_uid: str | None = None,
        process_state: str | None = None,
        permission: str | None = None,
        department: str | None = None,
        recurrence_type: str | None = None,
        recurrence_days: int | None = None,
        recurrence_nth_of_month: int | None = None,
        recurrence_interval: int | None = None,
        recurrence_end: Any = None,
        idempotency_key: str | None = None,
    ) -> dict:
        kind = required(booking_type, "booking_type")
        assets = _id_values(asset_ids) or ([] if not asset_id else [str(asset_id).strip()])
        if asset_id and assets and str(asset_id).strip() != assets[0]:
            assets = [str(asset_id).strip(), *[a for a in assets if a != str(asset_id).strip()]]
        if not assets:
            raise InvalidInputError("a booking needs an asset (asset_id or asset_ids)", field="asset_id")
        start, end = self._day_window(
            time_zone, epoch_or_none(booking_start, "booking_start"), epoch_or_none(booking_end, "booking_end")
        )
        if end <= start:
            raise InvalidInputError("the booking must end after it starts", field="booking_end")
        ext = json_body(extension_data, "extension_data") if extension_data not in (None, "") else {}
        if idempotency_key:
            ext = {**ext, REQUEST_ID_KEY: idempotency_key}
        body: dict[str, Any] = {
            "booking_start": start, "booking_end": end, "booking_type": kind, "asset_id": assets[0],
            "asset_ids": assets, "asset_name": asset_name, "user_id": user_id or None, "user_email": user_email or None,
            "user_name": user_name or None, "zones": _id_values(zones) or [], "checked_in": bool(checked_in),
            "checked_in_at": int(self._now().timestamp()) if checked_in else None, "approved": approved,
            "title": title, "description": description, "timezone": time_zone or None, "extension_data": ext,
            "attendees": attendees, "all_day": all_day, "process_state": process_state, "permission": permission,
            "department": department, "recurrence_type": recurrence_type, "recurrence_days": recurrence_days,
            "recurrence_nth_of_month": recurrence_nth_of_month, "recurrence_interval": recurrence_interval,
            "recurrence_end": epoch_or_none(recurrence_end, "recurrence_end"),
        }
        body = {k: v for k, v in body.items() if v is not None}
        params = {"utm_source": utm_source or None, "limit_override": limit_override, "event_id": event_id or None,
                  "ical_uid": ical_uid or None}
        find_existing = None
        if idempotency_key:
            lookup = {"type": kind, "period_start": start, "period_end": end,
                      "extension_data": extension_data_filter({REQUEST_ID_KEY: idempotency_key}),
                      "zones": id_list(zones), "email": None if id_list(zones) else (user_email or None)}

            async def find_existing() -> httpx.Response | None:
                found = await self.http.request("GET", f"{STAFF}/bookings", params=lookup)
                for row in as_list(found):
                    if isinstance(row, dict) and (row.get("extension_data") or {}).get(REQUEST_ID_KEY) == idempotency_key:
                        return httpx.Response(201, json=row, request=found.request)
                return None

        response = await self.http.request(
            "POST", f"{STAFF}/bookings", params=params, json=body, idempotency_key=idempotency_key,
            find_existing=find_existing,
        )
        return as_dict(response)

    async def update_booking(
        self,
        booking_id: str | int,
        booking_start: Any = None,
        booking_end: Any = None,
        asset_id: str | None = None,
        title: str | None = None,
        description: str | None = None,
        timezone: str | None = None,
        extension_data: dict | str | None = None,
        approved: bool | None = None,
        checked_in: bool | None = None,
        limit_override: int | None = None,
        *,
        asset_ids: str | Iterable[str] | None = None,
        zones: str | Iterable[str] | None = None,
        user_email: str | None = None,
        user_name: str | None = None,
        attendees: list[dict] | None = None,
        all_day: bool | None = None,
        permission: str | None = None,
        instance: int | None = None,
        recurrence_end: Any = None,
    ) -> dict:
        """PATCH only the fields given (extension_data is merged by the server).

        PlaceOS copies a fixed list of keys from the body and silently drops the rest
        (PlaceOS/staff-api src/controllers/bookings.cr, update), so the keywords the driver offers
        but the server ignores (``approved``, ``checked_in``, ``timezone``, ``user_name``) are refused
        here, before anything is sent, with the action that does change them. ``instance`` goes in
        the query, where the server reads it (find_booking); an occurrence keeps only its times,
        assets and extension data (PlaceOS/models booking.cr, as_instance), so other fields with
        ``instance`` are refused too rather than accepted and lost.
        """
        refuse_dropped_update_fields(approved, checked_in, timezone, user_name)
        start = epoch_or_none(booking_start, "booking_start")
        end = epoch_or_none(booking_end, "booking_end")
        if start is not None and end is not None and end <= start:
            raise InvalidInputError("the booking must end after it starts", field="booking_end")
        body: dict[str, Any] = {
            "booking_start": start, "booking_end": end, "asset_id": asset_id or None,
            "asset_ids": _id_values(asset_ids), "zones": _id_values(zones), "title": title, "description": description,
            "user_email": user_email or None, "attendees": attendees, "all_day": all_day, "permission": permission,
            "recurrence_end": epoch_or_none(recurrence_end, "recurrence_end"),
            "extension_data": json_body(extension_data, "extension_data") if extension_data not in (None, "") else None,
        }
        body = {k: v for k, v in body.items() if v is not None}
        if not body:
            raise InvalidInputError("nothing to change: give at least one field to update")
        if instance is not None:
            series_only = sorted(set(body) - OCCURRENCE_FIELDS)
            if series_only:
                raise InvalidInputError(
                    f"one occurrence keeps only its times, assets and extension_data; PlaceOS would drop "
                    f"{', '.join(series_only)} (change the series: leave out instance)",
                    field=series_only[0],
                )
        url = f"{STAFF}/bookings/{seg(booking_id, 'booking id')}"
        params = {"limit_override": limit_override, "instance": instance}
        # Absolute values: landing twice leaves the same booking (bookings.cr update copies the
        # fields given; the second time the slot is unchanged, so no clash/limit check, no reset),
        # so a lost reply is re-sent rather than left as "may have happened".
        response = await self.http.request("PATCH", url, params=params, json=body, idempotent=True)
        return as_dict(response)

    async def _booking_action(self, booking_id: str | int, action: str, params: dict[str, Any]) -> dict:
        url = f"{STAFF}/bookings/{seg(booking_id, 'booking id')}/{action}"
        return as_json(await self.http.request("POST", url, params=params, idempotent=True)) or {}

    async def approve(self, booking_id: str | int, utm_source: str | None = None, instance: int | None = None) -> dict:
        return await self._booking_action(booking_id, "approve", {"utm_source": utm_source or None, "instance": instance})

    async def reject(self, booking_id: str | int, utm_source: str | None = None, instance: int | None = None) -> dict:
        return await self._booking_action(booking_id, "reject", {"utm_source": utm_source or None, "instance": instance})

    async def booking_state(self, booking_id: str | int, state: str, instance: int | None = None,
                            utm_source: str | None = None) -> dict:
        """Set the free-text ``process_state``."""
        params = {"state": required(state, "state"), "instance": instance, "utm_source": utm_source or None}
        return await self._booking_action(booking_id, "update_state", params)

    async def booking_check_in(self, booking_id: str | int, state: bool = True, utm_source: str | None = None,
                               instance: int | None = None) -> dict:
        """Check in (``state=False``: check out). 405 explains a refusal (too early, ended, checked out)."""
        params = {"state": bool(state), "utm_source": utm_source or None, "instance": instance}
        return await self._booking_action(booking_id, "check_in", params)

    async def booking_delete(self, booking_id: str | int, utm_source: str | None = None,
                             instance: int | None = None) -> None:
        """Soft delete (202). A first reply lost and the re-sent delete refused is done when the
        booking is gone (write_outcomes.confirmed_delete)."""
        url = f"{STAFF}/bookings/{seg(booking_id, 'booking id')}"
        key = str(booking_id)
        await confirmed_delete(
            lambda: self.http.request("DELETE", url, params={"utm_source": utm_source or None, "instance": instance}),
            lambda: booking_gone(self, key), what=f"booking {key}", check=f"`staffterm bookings show {key}`")

    async def booking_extension_data(self, booking_id: str | int, extension_data: dict | str,
                                     signal_changes: bool | None = None) -> dict:
        """Merge keys into the booking's extension_data (same keys twice: same result)."""
        body = json_body(extension_data, "extension_data")
        url = f"{STAFF}/bookings/{seg(booking_id, 'booking id')}/ext_data"
        response = await self.http.request("PATCH", url, params={"signal_changes": signal_changes}, json=body, idempotent=True)
        return as_dict(response)

    async def booking_guest_check_in(self, booking_id: str | int, guest_id: str, state: bool = True,
                                     instance: int | None = None) -> dict:
        url = f"{STAFF}/bookings/{seg(booking_id, 'booking id')}/guests/{seg(guest_id, 'guest id')}/check_in"
        response = await self.http.request("POST", url, params={"state": bool(state), "instance": instance}, idempotent=True)
        return as_dict(response)

    async def booking_guests(self, booking_id: str | int) -> list[dict]:
        return as_list(await self.http.request("GET", f"{STAFF}/bookings/{seg(booking_id, 'booking id')}/guests"))

    # ----------------------------------------------------------------- read

    async def get_booking(self, booking_id: str | int, instance: int | None = None) -> dict:
        url = f"{STAFF}/bookings/{seg(booking_id, 'booking id')}"
        return as_dict(await self.http.request("GET", url, params={"instance": instance}))

    def _query_params(self, type, period_start, period_end, event_id, ical_uid) -> dict[str, Any]:
        if not (type and str(type).strip()) and not event_id and not ical_uid:
            raise InvalidInputError("a booking type is required (desk, parking, visitor …)", field="type")
        now = self._now()
        start = epoch_or_none(period_start, "period_start")
        end = epoch_or_none(period_end, "period_end")
        start = int(now.timestamp()) if start is None else start
        end = int((now + timedelta(minutes=DEFAULT_QUERY_MINUTES)).timestamp()) if end is None else end
        if end <= start:
            raise InvalidInputError("the period must end after it starts", field="period_end")
        return {"type": str(type).strip() if type else None, "period_start": start, "period_end": end,
                "event_id": event_id or None, "ical_uid": ical_uid or None}

    async def query_bookings(
        self,
        type: str | None,
        period_start: Any = None,
        period_end: Any = None,
        zones: str | Iterable[str] | None = None,
        user: str | None = None,
        email: str | None = None,
        state: str | None = None,
        created_before: Any = None,
        created_after: Any = None,
        approved: bool | None = None,
        rejected: bool | None = None,
        checked_in: bool | None = None,
        *,
        include_checked_out: bool | None = None,
        include_deleted: bool | None = None,
        deleted: bool | None = None,
        checked_out: bool | None = None,
        include_booked_by: bool | None = None,
        department: str | None = None,
        extension_data: dict | str | None = None,
        event_id: str | None = None,
        ical_uid: str | None = None,
        permission: str | None = None,
        asset_id: str | None = None,
        limit: int | None = None,
    ) -> list[dict]:
        """Every matching booking (all pages). ``limit`` is the page size, as in the driver.

        The filters mean what they say, which is not always what the Staff API does with them
        (PlaceOS/staff-api src/controllers/bookings.cr, index; PlaceOS/models booking.cr scopes):
        ``checked_in=False`` is "not checked in" (the server's ``checked_in=false`` means checked
        out), ``asset_id`` filters (the server has no such parameter and answers unfiltered), and
        ``created_before``/``created_after`` compare the creation time (the server compares
        ``last_changed``, which a move re-stamps). Those are applied here, on every page read;
        ``checked_out`` and ``deleted`` are applied here too, because the server ignores them once
        ``include_checked_out`` / ``include_deleted`` is set.
        """
        params = self._query_params(type, period_start, period_end, event_id, ical_uid)
        created_before_at = epoch_or_none(created_before, "created_before")
        created_after_at = epoch_or_none(created_after, "created_after")
        params.update({
            "zones": id_list(zones), "user": user or None, "email": email or None, "state": state or None,
            "approved": approved, "rejected": rejected, "checked_in": True if checked_in is True else None,
            "checked_out": checked_out, "include_checked_out": include_checked_out,
            "include_deleted": include_deleted, "deleted": deleted, "include_booked_by": include_booked_by,
            "department": department or None, "extension_data": extension_data_filter(extension_data),
            "permission": permission or None, "limit": limit or DEFAULT_PAGE_SIZE,
        })
        rows = await fetch_all_pages(self.http, f"{STAFF}/bookings", params)
        wanted = BookingFilter(checked_in=checked_in, checked_out=checked_out, deleted=deleted,
                               asset_id=(asset_id or "").strip() or None,
                               created_before=created_before_at, created_after=created_after_at)
        return [row for row in rows if wanted.matches(row)]

    async def booked(self, type: str | None, period_start: Any = None, period_end: Any = None,
                     zones: str | Iterable[str] | None = None, *, event_id: str | None = None,
                     ical_uid: str | None = None, **filters: Any) -> list[str]:
        """Asset ids booked in the window (not checked out, deleted or rejected).

        ``asset_id`` narrows the answer to that asset. A filter the server would misread
        (``checked_in=False``, ``created_before``/``created_after``, see ``query_bookings``) is
        answered from the bookings themselves instead of ``/bookings/booked``.
        """
        asset = str(filters.pop("asset_id", None) or "").strip() or None
        if filters.get("checked_in") is False or any(filters.get(k) is not None for k in ("created_before", "created_after")):
            for ignored in ("offset", "include_checked_out", "include_deleted", "deleted", "checked_out", "rejected"):
                filters.pop(ignored, None)  # booked forces these: nothing deleted, checked out or rejected
            rows = await self.query_bookings(type, period_start, period_end, zones, event_id=event_id, ical_uid=ical_uid,
                                             rejected=False, **filters)
            assets = [str(a) for row in rows if not row.get("checked_out_at") and not row.get("deleted")
                      for a in (row.get("asset_ids") or [row.get("asset_id")]) if a]
        else:
            params = self._query_params(type, period_start, period_end, event_id, ical_uid)
            params["zones"] = id_list(zones)
            if "extension_data" in filters:
                filters["extension_data"] = extension_data_filter(filters["extension_data"])
            params.update(filters)
            assets = [str(a) for a in as_list(await self.http.request("GET", f"{STAFF}/bookings/booked", params=params))]
        unique = list(dict.fromkeys(assets))
        return [a for a in unique if asset is None or a == asset]

    async def clashing_assets(self, booking: dict, return_available: bool = False,
                              include_clash_time: bool = False) -> list:
        """Assets already booked over ``booking``'s time (a read sent as POST: safe to retry)."""
        body = json_body(booking, "booking")
        params = clash_params(return_available, include_clash_time)
        url = f"{STAFF}/bookings/clashing-assets"
        return as_list(await self.http.request("POST", url, params=params, json=body, idempotent=True))
