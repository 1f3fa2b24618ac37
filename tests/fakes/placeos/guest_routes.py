"""Staff API /guests: visitor records, expected visitors for a period, a guest's bookings and meetings."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.fakes.placeos import booking_model as bm
from tests.fakes.placeos.event_model import (
    ON_SYSTEM,
    calendar_event,
    event_zones,
    events_on_calendars,
    find_event,
    metadata_for,
    render_event,
    room_calendars,
    status_for,
)
from tests.fakes.placeos.guest_model import (
    attendances,
    end_of,
    event_calendar,
    render_guest,
    start_of,
)
from tests.fakes.placeos.routing import STAFF, Router
from tests.fakes.placeos.state import DEFAULT_TIMEZONE, GUEST_FIELDS, add_attendee_row, new_guest, upsert_guest
from tests.fakes.placeos.wire import (
    Ctx,
    bad_request,
    empty_response,
    invalid,
    json_response,
    not_found,
    overlaps,
    prefix_match,
)

router = Router(STAFF)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _booking(ctx: Ctx, booking: dict[str, Any]) -> dict[str, Any]:
    return bm.render_booking(ctx.state, booking, ctx.now, with_links=False)


def _event(ctx: Ctx, event: dict[str, Any]) -> dict[str, Any]:
    return render_event(ctx.state, event, event_calendar(ctx.state, event),
                        lambda b: bm.render_booking(ctx.state, b, ctx.now, with_links=False))


def _attending(ctx: Ctx, item: tuple[dict[str, Any], Any, Any], guest: dict[str, Any]) -> dict[str, Any]:
    row, booking, event = item
    return render_guest(guest, row, booking=_booking(ctx, booking) if booking else None,
                        event=_event(ctx, event) if event else None)


def _guest(ctx: Ctx, ref: str) -> dict[str, Any]:
    guest = ctx.state.guest_by_ref(ref)
    if guest is None:
        raise not_found(f"guest {ref} not found")
    return guest


@router.get("/guests")
def list_guests(ctx: Ctx) -> Any:
    start, end = ctx.epoch_q("period_start"), ctx.epoch_q("period_end")
    if start is None or end is None:
        query = ctx.q("q")
        guests = [g for g in ctx.state.guests.values()
                  if query is None or (g.get("searchable", True) and prefix_match(
                      query, g.get("name"), g.get("preferred_name"), g["email"], g.get("organisation")))]
        return [render_guest(g) for g in sorted(guests, key=lambda g: (g.get("name") or "", g["email"]))[:1500]]
    return _expected_guests(ctx, start, end)


def _expected_guests(ctx: Ctx, start: int, end: int) -> list[dict[str, Any]]:
    """PlaceOS/staff-api src/controllers/guests.cr, ``index`` with a period, step by step:

    * bookings overlapping the period (deleted and rejected ones too: the query does not filter
      them), narrowed by ``zones`` ∪ ``zone_ids`` when either is given, else every booking;
    * meeting guests only from the room calendars ``matching_calendar_ids(calendars, zone_ids,
      system_ids)`` names (utilities/placeos-helpers.cr): ``zones`` never adds a calendar, and an
      event read through ``calendars`` has no system, so it adds no guests either;
    * one entry per guest email (a Hash keyed by email; booking attendees are written last and
      win), meeting guests carrying the raw calendar event, booking guests their booking.
    """
    state = ctx.state
    booking_zones = ctx.list_q("zones", "zone_ids")
    bookings = [b for b in sorted(state.bookings.values(), key=lambda b: (b.get("created", 0), b["id"]))
                if overlaps(start, end, b["booking_start"], b["booking_end"])
                and (not booking_zones or set(booking_zones) & set(b.get("zones") or []))]
    rooms = room_calendars(ctx)
    if not rooms and not bookings:
        return []
    by_calendar = events_on_calendars(state, [c for c, _ in rooms], start, end)
    meetings: dict[str, tuple[dict[str, Any], str]] = {}
    for calendar, _system in rooms:
        for event in by_calendar[calendar]:
            meetings.setdefault(event["id"], (event, calendar))
    attending: dict[str, tuple[dict[str, Any], dict[str, Any], Any, Any]] = {}
    for row in state.attendees:  # the SQL join: attendees of the found events' metadata
        found = meetings.get(row.get("event_ref") or "")
        guest = state.guests.get(row["guest_id"])
        if found is not None and guest is not None:
            attending[guest["email"]] = (guest, row, None, found)
    booking_ids = {b["id"]: b for b in bookings}
    for row in state.attendees:  # Attendee.by_bookings; a Hash keeps a re-assigned key's place
        booking = booking_ids.get(row.get("booking_id"))
        guest = state.guests.get(row["guest_id"])
        if booking is not None and guest is not None:
            attending[guest["email"]] = (guest, row, booking, None)
    out = []
    for guest, row, booking, meeting in attending.values():
        if booking is not None:
            out.append(render_guest(guest, row, booking=_booking(ctx, booking)))
        else:
            event, calendar = meeting
            out.append(render_guest(guest, row, event=calendar_event(state, event, calendar)))
    return out


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    allowed = GUEST_FIELDS + ("email", "banned", "dangerous", "searchable", "extension_data")
    return {k: v for k, v in body.items() if k in allowed}


@router.post("/guests")
def create_guest(ctx: Ctx) -> httpx.Response:
    body = _clean(ctx.body_object())
    email = str(body.get("email") or "").strip().lower()
    if not _EMAIL.match(email):
        raise invalid([("email", "is invalid" if email else "is required")])
    if ctx.state.guest_by_ref(email) is not None:
        raise invalid([("email", "has already been taken")])
    if "extension_data" in body and not isinstance(body["extension_data"], dict):
        raise invalid([("extension_data", "must be an object")])
    guest = new_guest(ctx.state, {**body, "email": email}, ctx.now)
    return json_response(render_guest(guest), 201)


def _today(ctx: Ctx) -> tuple[int, int]:
    tz = ZoneInfo(ctx.q("timezone", DEFAULT_TIMEZONE) or DEFAULT_TIMEZONE)
    midnight = datetime.combine(ctx.now_dt.astimezone(tz).date(), time(0), tz)
    return int(midnight.timestamp()), int((midnight + timedelta(days=1)).timestamp())


@router.get("/guests/{ref}")
def get_guest(ctx: Ctx, ref: str) -> Any:
    guest = _guest(ctx, ref)
    start, end = _today(ctx)
    today = [i for i in attendances(ctx.state, guest["id"]) if overlaps(start, end, start_of(i), end_of(i))]
    upcoming = [i for i in today if end_of(i) > ctx.now] or today
    if upcoming:
        return _attending(ctx, upcoming[0], guest)
    return render_guest(guest)


def _update_guest(ctx: Ctx, ref: str) -> Any:
    guest = _guest(ctx, ref)
    body = _clean(ctx.body_object())
    if "email" in body:
        email = str(body["email"] or "").strip().lower()
        other = ctx.state.guest_by_ref(email) if email else None
        if not _EMAIL.match(email) or (other is not None and other["id"] != guest["id"]):
            raise invalid([("email", "is invalid or already taken")])
        body["email"] = email
    if "extension_data" in body:
        if not isinstance(body["extension_data"], dict):
            raise invalid([("extension_data", "must be an object")])
        body["extension_data"] = {**guest.get("extension_data", {}), **body["extension_data"]}
    guest.update(body)
    guest["updated_at"] = ctx.now
    return render_guest(guest)


@router.patch("/guests/{ref}")
def patch_guest(ctx: Ctx, ref: str) -> Any:
    return _update_guest(ctx, ref)


@router.put("/guests/{ref}")
def put_guest(ctx: Ctx, ref: str) -> Any:
    return _update_guest(ctx, ref)


@router.delete("/guests/{ref}")
def delete_guest(ctx: Ctx, ref: str) -> httpx.Response:
    guest = _guest(ctx, ref)
    del ctx.state.guests[guest["id"]]
    ctx.state.attendees[:] = [r for r in ctx.state.attendees if r["guest_id"] != guest["id"]]
    return empty_response(202)


def _upcoming(ctx: Ctx, ref: str, kind: str) -> list[dict[str, Any]]:
    guest = _guest(ctx, ref)
    include_past = bool(ctx.bool_q("include_past", False))
    limit = ctx.int_q("limit", 10, minimum=0) or 0
    items = [booking if kind == "booking" else event for _r, booking, event in attendances(ctx.state, guest["id"])
             if (include_past or end_of((_r, booking, event)) > ctx.now)
             and (booking if kind == "booking" else event) is not None]
    return items[:limit] if limit else items


@router.get("/guests/{ref}/bookings")
def guest_bookings(ctx: Ctx, ref: str) -> Any:
    return [_booking(ctx, b) for b in _upcoming(ctx, ref, "booking")]


@router.get("/guests/{ref}/meetings", calendar=True)
def guest_meetings(ctx: Ctx, ref: str) -> Any:
    return [_event(ctx, e) for e in _upcoming(ctx, ref, "event")]


# -- a meeting's guests (staff-api events.cr guest_list / guest_checkin) ---------------------------

@router.get("/events/{event_id}/guests", calendar=True)
def event_guests(ctx: Ctx, event_id: str) -> Any:
    """events.cr ``guest_list``: the visitors recorded against the event's metadata on that room."""
    ctx.required("system_id")
    event, _calendar = find_event(ctx, event_id, missing=ON_SYSTEM)
    out = []
    for row in ctx.state.attendee_rows(event_id=event["id"]):
        guest = ctx.state.guests.get(row["guest_id"])
        if guest is not None:
            out.append(render_guest(guest, row))
    return out


def _guest_check_in(ctx: Ctx, event_id: str, guest_ref: str) -> Any:
    """events.cr ``guest_checkin``, in its order: system_id required (400), a numeric guest id must
    exist (404), the room (engine 404) and the event on it (404), the guest must be an attendee
    (404); then the Guest / Attendee rows are written -- and only *then* is a cancelled event
    refused (404), so the write has happened even then."""
    system_id = ctx.q("system_id")
    if not system_id:
        raise bad_request("system_id param is required except for guest scope", "system_id")
    ref = guest_ref.strip().lower()
    if "@" not in ref:
        known = ctx.state.guest_by_ref(ref) if ref.isdigit() else None
        if known is None:
            raise not_found(f"Key not present: {guest_ref}")
        ref = known["email"]
    event, calendar = find_event(ctx, event_id)
    attendee = next((a for a in event["attendees"] if a["email"] == ref), None)
    if attendee is None:
        raise not_found(f"guest {ref} is not an attendee on the event")
    state = bool(ctx.bool_q("state", True))
    guest = ctx.state.guest_by_ref(ref) or upsert_guest(ctx.state, {"email": ref, "name": attendee["name"]}, ctx.now)
    metadata_for(ctx.state, event, system_id, ctx.now, create=True)
    row = next((r for r in ctx.state.attendee_rows(event_id=event["id"]) if r["guest_id"] == guest["id"]), None)
    if row is None:
        row = add_attendee_row(ctx.state, guest, event_ref=event["id"], system_id=system_id)
    row["checked_in"] = state
    if status_for(event, calendar) == "cancelled":
        raise not_found(f"the event {event_id} in the hosts calendar {event['host']} is cancelled")
    system = ctx.state.systems.get(system_id) or {}
    ctx.state.signal("staff/guest/checkin", {
        "action": "checkin", "id": guest["id"], "checkin": state, "system_id": system_id,
        "event_id": event["id"], "host": event["host"], "resource": system.get("email"),
        "event_title": event.get("title"), "event_starting": event["event_start"],
        "attendee_name": guest.get("name"), "attendee_email": guest["email"], "zones": event_zones(ctx.state, event)})
    return render_guest(guest, row, event=calendar_event(ctx.state, event, calendar))


@router.post("/events/{event_id}/guests/{guest_ref}/check_in", calendar=True)
def event_guest_check_in(ctx: Ctx, event_id: str, guest_ref: str) -> Any:
    return _guest_check_in(ctx, event_id, guest_ref)


@router.post("/events/{event_id}/guests/{guest_ref}/checkin", calendar=True)
def event_guest_checkin_alias(ctx: Ctx, event_id: str, guest_ref: str) -> Any:
    return _guest_check_in(ctx, event_id, guest_ref)
