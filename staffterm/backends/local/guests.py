"""Guest visits of the local site: who is expected, registration, check-in and check-out.

A visit is linked either to a meeting (an external attendee with ``visit_expected``) or to a
visitor booking (``type="visitor"``, asset = the guest's email, user = the host), as on PlaceOS.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from staffterm.backends.local import bookings as local_bookings
from staffterm.backends.local.places import zone_and_descendants
from staffterm.backends.local.records import find_booking, find_visit, visit_from_row, write_visit
from staffterm.backends.local.store import Session, find_user, find_zone, new_id
from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import Attendee, BookingDraft, BookingPatch, Guest, GuestDraft, GuestPatch
from staffterm.rules import VISITOR_BOOKING_TYPE, check_in_refusal
from staffterm.times import require_aware, to_epoch


def require_guest(s: Session, guest_id: str) -> Guest:
    visit = find_visit(s.conn, guest_id) if isinstance(guest_id, str) else None
    if visit is None:
        raise NotFoundError(f"no guest visit with id {guest_id!r}")
    return visit


def _require_host(s: Session, email: str) -> tuple[str, str]:
    text = email.strip().lower()
    if "@" not in text:
        raise InvalidInputError(f"{email!r} is not an email address", field="host_email")
    user = find_user(s.conn, text)
    if user is None:
        # A field of the registration, named so a form can show the error beside it (as PlaceOS's
        # backend and the reception service do): bad input, not a missing item.
        raise InvalidInputError(
            f"no host {text} in the directory", field="host_email", hint="Pick the host from the people directory."
        )
    return user.email, user.name


def _check_zones(s: Session, zone_ids: list[str]) -> None:
    for zone_id in zone_ids:
        if find_zone(s.conn, zone_id) is None:
            raise NotFoundError(f"no zone with id {zone_id!r}")


def query_guests(
    s: Session, start: datetime | None, end: datetime | None, zone_id: str | None, query: str | None
) -> list[Guest]:
    sql = "SELECT * FROM guest_visits WHERE visit_expected = 1"
    args: list[Any] = []
    if start is not None:
        require_aware(start, "start")
        sql += " AND visit_end_ts > ?"
        args.append(to_epoch(start))
    if end is not None:
        require_aware(end, "end")
        sql += " AND visit_start_ts < ?"
        args.append(to_epoch(end))
    if start is not None and end is not None and end <= start:
        raise InvalidInputError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})", field="end")
    within: set[str] | None = None
    if zone_id is not None:
        if find_zone(s.conn, zone_id) is None:
            raise NotFoundError(f"no zone with id {zone_id!r}")
        # A zone holds everything beneath it: a level's guests are filed under its building.
        within = zone_and_descendants(s, zone_id)
    text = (query or "").strip().lower()
    guests = []
    for row in s.conn.execute(sql, args):
        guest = visit_from_row(row)
        if within is not None and not within.intersection(guest.zone_ids):
            continue
        if text and not (text in guest.name.lower() or text in guest.email or text in guest.organisation.lower()):
            continue
        guests.append(guest)
    guests.sort(key=lambda g: (g.visit_start or s.now, g.name.lower(), g.id))
    return guests


def create_guest(s: Session, draft: GuestDraft, idempotency_key: str | None) -> Guest:
    earlier = s.remembered("guest", idempotency_key)
    if earlier is not None:
        return require_guest(s, earlier)
    host_email, host_name = _require_host(s, draft.host_email)
    _check_zones(s, draft.zone_ids)
    booking = local_bookings.create_booking(
        s,
        BookingDraft(
            type=VISITOR_BOOKING_TYPE,
            asset_ids=[draft.email],
            start=draft.visit_start,
            end=draft.visit_end,
            user_email=host_email,
            user_name=host_name,
            zones=list(draft.zone_ids),
            title=f"Visit: {draft.name}",
            description=draft.notes,
            approved=True,
            attendees=[
                Attendee(
                    email=draft.email,
                    name=draft.name,
                    visit_expected=True,
                    organisation=draft.organisation,
                    phone=draft.phone,
                )
            ],
            extension_data={"asset_name": draft.name, "organisation": draft.organisation, "phone": draft.phone},
        ),
        booked_by=host_email,
        idempotency_key=None,
        limit_override=None,
    )
    guest = Guest(
        id=new_id("gst"),
        email=draft.email,
        name=draft.name,
        phone=draft.phone,
        organisation=draft.organisation,
        notes=draft.notes,
        host_email=host_email,
        host_name=host_name,
        visit_start=draft.visit_start,
        visit_end=draft.visit_end,
        zone_ids=list(draft.zone_ids),
        booking_id=booking.id,
        extension_data=dict(draft.extension_data),
    )
    write_visit(s.conn, guest, insert=True, now=s.now)
    s.remember("guest", idempotency_key, guest.id)
    s.audit("guest", guest.id, "registered", f"{guest.name} for {host_email}")
    return require_guest(s, guest.id)


def update_guest(s: Session, guest_id: str, patch: GuestPatch) -> Guest:
    visit = require_guest(s, guest_id)
    changes: dict[str, Any] = {}
    for name in ("name", "phone", "organisation", "notes"):
        value = getattr(patch, name)
        if value is not None:
            changes[name] = value.strip()
    if patch.name is not None and not changes["name"]:
        raise InvalidInputError("a guest needs a name", field="name")
    if patch.host_email is not None:
        changes["host_email"], changes["host_name"] = _require_host(s, patch.host_email)
    start = patch.visit_start or visit.visit_start
    end = patch.visit_end or visit.visit_end
    if start is not None and end is not None and end <= start:
        raise InvalidInputError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})", field="visit_end")
    changes.update(visit_start=start, visit_end=end)
    if patch.extension_data is not None:
        changes["extension_data"] = {**visit.extension_data, **patch.extension_data}
    booking = find_booking(s.conn, visit.booking_id, s.now) if visit.booking_id else None
    if booking is not None and not booking.deleted and (
        start != booking.start or end != booking.end or changes.get("host_email", booking.user_email) != booking.user_email
    ):
        local_bookings.update_booking(
            s,
            booking.id,
            BookingPatch(start=start, end=end, user_email=changes.get("host_email")),
        )
    write_visit(s.conn, visit.model_copy(update=changes), insert=False, now=s.now)
    s.audit("guest", visit.id, "updated")
    return require_guest(s, visit.id)


def check_in_guest(s: Session, guest_id: str, state: bool) -> Guest:
    visit = require_guest(s, guest_id)
    who = f"{visit.name or visit.email}'s visit"
    if not visit.visit_expected:
        raise InvalidInputError(f"{who} was cancelled; there is nothing to check in or out")
    if state:
        if visit.checked_in:
            return visit
        if visit.visit_start is not None and visit.visit_end is not None:
            reason = check_in_refusal(
                what=who,
                start=visit.visit_start,
                end=visit.visit_end,
                now=s.now,
                early_seconds=s.config.early_checkin_seconds,
                checked_out_at=visit.checked_out_at,
                tz_name=_visit_timezone(s, visit),
            )
        elif visit.checked_out_at is not None:
            reason = f"{who} was already checked out; it cannot be checked in again"
        else:
            reason = None
        if reason:
            raise InvalidInputError(reason, field="state")
        updated = visit.model_copy(update={"checked_in": True, "checked_in_at": s.now})
    else:
        if not visit.checked_in:
            raise InvalidInputError(f"{who} is not checked in, so it cannot be checked out", field="state")
        updated = visit.model_copy(update={"checked_in": False, "checked_out_at": s.now})
    booking = find_booking(s.conn, visit.booking_id, s.now) if visit.booking_id else None
    if booking is not None and not booking.deleted and booking.checked_in != state:
        local_bookings.check_in_booking(s, booking.id, state, by_guest=True)
    if visit.event_id:
        s.conn.execute(
            "UPDATE event_attendees SET checked_in = ? WHERE event_id = ? AND email = ?",
            (int(state), visit.event_id, visit.email),
        )
    write_visit(s.conn, updated, insert=False, now=s.now)
    s.audit("guest", visit.id, "checked_in" if state else "checked_out", visit.email)
    return require_guest(s, visit.id)


def _visit_timezone(s: Session, visit: Guest) -> str | None:
    for zone_id in visit.zone_ids:
        zone = find_zone(s.conn, zone_id)
        if zone is not None and zone.timezone:
            return zone.timezone
    return None
