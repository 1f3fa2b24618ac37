"""Bookings of the local site (desks, parking, lockers, visitors, rooms, free-text types).

Rules follow PlaceOS's Staff API: clashes on shared assets, per-type concurrent limits,
check-in windows, approvals, soft delete, and a history of state changes.

What a booking may not do (clash, go over a limit, take its asset early) is in ``booking_clashes``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from staffterm.backends.local.booking_clashes import refuse_booking_clashes, refuse_early_clash, refuse_over_limit
from staffterm.backends.local.places import require_room, zone_and_descendants
from staffterm.backends.local.records import (
    booking_from_row,
    find_booking,
    visits_linked_to,
    write_booking,
    write_visit,
)
from staffterm.backends.local.store import Session, find_asset, find_user, find_zone, new_id
from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import Booking, BookingDraft, BookingPatch, BookingQuery, HistoryEntry
from staffterm.rules import (
    ASSET_BOOKING_TYPES,
    ROOM_BOOKING_TYPE,
    VISITOR_BOOKING_TYPE,
    check_in_refusal,
)
from staffterm.times import to_epoch

HISTORY_SOURCE = "staffterm"


def _history(b: Booking, state: str, now: datetime, by: str | None = None) -> list[HistoryEntry]:
    return [*b.history, HistoryEntry(state=state, time=now, source=HISTORY_SOURCE, by=by or None)]


def require_booking(s: Session, booking_id: str) -> Booking:
    booking = find_booking(s.conn, booking_id, s.now) if isinstance(booking_id, str) else None
    if booking is None:
        raise NotFoundError(f"no booking with id {booking_id!r}")
    return booking


def _writable(s: Session, booking_id: str) -> Booking:
    booking = require_booking(s, booking_id)
    if booking.deleted:
        raise InvalidInputError(f"booking {booking.id} was deleted; it cannot be changed")
    return booking


def _save(s: Session, booking: Booking, action: str, detail: str = "") -> Booking:
    write_booking(s.conn, booking.model_copy(update={"updated": s.now}), insert=False)
    s.audit("booking", booking.id, action, detail)
    return require_booking(s, booking.id)


# --------------------------------------------------------------------------- checks


def _assets_and_zones(s: Session, booking_type: str, asset_ids: list[str]) -> tuple[list[str], list[str]]:
    """Validate the assets of a booking; returns (normalised asset ids, zones they are in)."""
    zones: list[str] = []
    ids: list[str] = []
    for raw in asset_ids:
        asset_id = raw.strip() if isinstance(raw, str) else ""
        if not asset_id:
            raise InvalidInputError("an asset id is empty", field="asset_ids")
        if booking_type in ASSET_BOOKING_TYPES:
            asset = find_asset(s.conn, asset_id)
            if asset is None:
                raise NotFoundError(f"no {booking_type} with id {asset_id!r}", hint="")
            if asset.type != booking_type:
                raise InvalidInputError(
                    f"{asset.name} ({asset.id}) is not {ASSET_BOOKING_TYPES[booking_type]}", field="asset_ids"
                )
            found_zones = list(asset.zone_ids)
        elif booking_type == ROOM_BOOKING_TYPE:
            room = require_room(s, asset_id)
            if not room.bookable:
                raise InvalidInputError(f"{room.name} ({room.id}) cannot be booked", field="asset_ids")
            asset_id, found_zones = room.id, list(room.zone_ids)
        elif booking_type == VISITOR_BOOKING_TYPE:
            asset_id = asset_id.lower()
            if "@" not in asset_id or asset_id.startswith("@") or asset_id.endswith("@"):
                raise InvalidInputError(
                    f"a visitor booking's asset is the visitor's email; {raw!r} is not one", field="asset_ids"
                )
            found_zones = []
        else:
            found_zones = list(asset.zone_ids) if (asset := find_asset(s.conn, asset_id)) else []
        if asset_id in ids:
            raise InvalidInputError(f"{asset_id} is listed twice", field="asset_ids")
        ids.append(asset_id)
        zones.extend(z for z in found_zones if z not in zones)
    return ids, zones


def _check_zones(s: Session, zones: list[str]) -> None:
    for zone_id in zones:
        if find_zone(s.conn, zone_id) is None:
            raise NotFoundError(f"no zone with id {zone_id!r}")


def _timezone_of(s: Session, zones: list[str]) -> str | None:
    for zone_id in zones:
        zone = find_zone(s.conn, zone_id)
        if zone is not None and zone.timezone:
            return zone.timezone
    return None


def _person_name(s: Session, email: str) -> str:
    user = find_user(s.conn, email) if email else None
    return user.name if user else ""


# --------------------------------------------------------------------------- reading


def query_bookings(s: Session, q: BookingQuery) -> list[Booking]:
    sql = "SELECT * FROM bookings WHERE start_ts < ? AND end_ts > ?"
    args: list[Any] = [to_epoch(q.end), to_epoch(q.start)]
    if q.type:
        sql += " AND type = ?"
        args.append(q.type)
    if q.user_email:
        sql += " AND user_email = ?"
        args.append(q.user_email.strip().lower())
    if not q.include_deleted:
        sql += " AND deleted = 0"
    if not q.include_checked_out:
        sql += " AND checked_out_ts IS NULL"
    rows = s.conn.execute(sql + " ORDER BY start_ts, id", args)
    # A zone holds everything beneath it: asking for a building finds bookings filed under its levels.
    wanted_zones: set[str] = set()
    for zone_id in q.zone_ids:
        wanted_zones |= zone_and_descendants(s, zone_id)
    wanted_assets = set(q.asset_ids)
    out: list[Booking] = []
    for row in rows:
        b = booking_from_row(row, s.now)
        if wanted_zones and not wanted_zones & set(b.zones):
            continue
        if wanted_assets and not wanted_assets & set(b.asset_ids):
            continue
        if q.approved is not None and b.approved != q.approved:
            continue
        if q.rejected is not None and b.rejected != q.rejected:
            continue
        if q.checked_in is not None and b.checked_in != q.checked_in:
            continue
        out.append(b)
    return out


# --------------------------------------------------------------------------- writing


def create_booking(
    s: Session,
    draft: BookingDraft,
    booked_by: str | None,
    idempotency_key: str | None,
    limit_override: int | None,
) -> Booking:
    earlier = s.remembered("booking", idempotency_key)
    if earlier is not None:
        return require_booking(s, earlier)
    if limit_override is not None and (isinstance(limit_override, bool) or not isinstance(limit_override, int) or limit_override < 0):
        raise InvalidInputError(f"limit_override must be a whole number, got {limit_override!r}", field="limit_override")
    asset_ids, asset_zones = _assets_and_zones(s, draft.type, list(draft.asset_ids))
    zones = list(draft.zones) or asset_zones
    _check_zones(s, zones)
    booker = (booked_by or "").strip().lower()
    user_email = draft.user_email.strip().lower() or booker
    if not user_email:
        raise InvalidInputError("a booking needs the person it is for (user_email)", field="user_email")
    booker = booker or user_email
    refuse_booking_clashes(s, draft.type, asset_ids, draft.start, draft.end, None)
    refuse_over_limit(s, draft.type, user_email, zones, draft.start, draft.end, limit_override, None)
    booking = Booking(
        id=new_id("bk"),
        type=draft.type,
        asset_ids=asset_ids,
        zones=zones,
        user_email=user_email,
        user_name=draft.user_name or _person_name(s, user_email),
        booked_by_email=booker,
        booked_by_name=_person_name(s, booker) or (draft.user_name if booker == user_email else ""),
        start=draft.start,
        end=draft.end,
        timezone=draft.timezone or _timezone_of(s, zones),
        title=draft.title,
        description=draft.description,
        all_day=draft.all_day,
        approved=draft.approved,
        approved_at=s.now if draft.approved else None,
        approver_email=booker if draft.approved else None,
        attendees=list(draft.attendees),
        history=[HistoryEntry(state="reserved", time=s.now, source=HISTORY_SOURCE, by=booker)],
        extension_data=dict(draft.extension_data),
        created=s.now,
        updated=s.now,
    )
    write_booking(s.conn, booking, insert=True)
    s.remember("booking", idempotency_key, booking.id)
    s.audit("booking", booking.id, "created", f"{booking.type} {', '.join(asset_ids)}")
    return require_booking(s, booking.id)


def update_booking(s: Session, booking_id: str, patch: BookingPatch, limit_override: int | None = None) -> Booking:
    b = _writable(s, booking_id)
    changes: dict[str, Any] = {}
    asset_ids, zones = b.asset_ids, b.zones
    if patch.asset_ids is not None:
        if not patch.asset_ids:
            raise InvalidInputError("a booking needs at least one asset", field="asset_ids")
        asset_ids, asset_zones = _assets_and_zones(s, b.type, list(patch.asset_ids))
        zones = asset_zones or zones
    if patch.zones is not None:
        zones = list(patch.zones)
    _check_zones(s, zones)
    start = patch.start or b.start
    end = patch.end or b.end
    if end <= start:
        raise InvalidInputError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})", field="end")
    user_email = patch.user_email.strip().lower() if patch.user_email else b.user_email
    moved = set(asset_ids) != set(b.asset_ids) or start < b.start or end > b.end
    if moved or start != b.start or end != b.end:
        refuse_booking_clashes(s, b.type, asset_ids, start, end, b.id)
    if moved or user_email != b.user_email or zones != b.zones:
        refuse_over_limit(s, b.type, user_email, zones, start, end, limit_override, b.id)
    changes.update(asset_ids=asset_ids, zones=zones, start=start, end=end, user_email=user_email)
    if patch.user_email is not None and user_email != b.user_email:
        changes["user_name"] = patch.user_name or _person_name(s, user_email)
    elif patch.user_name is not None:
        changes["user_name"] = patch.user_name
    for name in ("title", "description", "attendees"):
        value = getattr(patch, name)
        if value is not None:
            changes[name] = value
    if patch.extension_data is not None:
        changes["extension_data"] = {**b.extension_data, **patch.extension_data}
    if moved:
        # A different asset or a wider window is a new reservation: approval and check-in start over.
        changes.update(
            checked_in=False,
            checked_in_at=None,
            approved=False,
            approved_at=None,
            rejected=False,
            rejected_at=None,
            history=_history(b, "reserved", s.now),
        )
    updated = _save(s, b.model_copy(update=changes), "updated", "moved" if moved else "edited")
    for visit in visits_linked_to(s.conn, booking_id=b.id):
        write_visit(
            s.conn,
            visit.model_copy(update={"visit_start": start, "visit_end": end, "host_email": user_email,
                                     "host_name": updated.user_name}),
            insert=False,
            now=s.now,
        )
    return updated


def approve_booking(s: Session, booking_id: str, approver: str | None) -> Booking:
    b = _writable(s, booking_id)
    if b.approved:
        return b
    refuse_booking_clashes(s, b.type, b.asset_ids, b.start, b.end, b.id)
    changes: dict[str, Any] = {
        "approved": True,
        "approved_at": s.now,
        "rejected": False,
        "rejected_at": None,
        "approver_email": (approver or "").strip().lower() or None,
    }
    if b.rejected:
        changes["history"] = _history(b, "reserved", s.now, approver)
    return _save(s, b.model_copy(update=changes), "approved", approver or "")


def reject_booking(s: Session, booking_id: str, approver: str | None) -> Booking:
    b = _writable(s, booking_id)
    if b.rejected:
        return b
    changes = {
        "rejected": True,
        "rejected_at": s.now,
        "approved": False,
        "approved_at": None,
        "approver_email": (approver or "").strip().lower() or None,
        "history": _history(b, "rejected", s.now, approver),
    }
    saved = _save(s, b.model_copy(update=changes), "rejected", approver or "")
    _withdraw_visits(s, b.id)
    return saved


def delete_booking(s: Session, booking_id: str) -> None:
    b = _writable(s, booking_id)
    changes = {"deleted": True, "deleted_at": s.now, "history": _history(b, "cancelled", s.now)}
    _save(s, b.model_copy(update=changes), "deleted")
    _withdraw_visits(s, b.id)


def set_booking_state(s: Session, booking_id: str, state: str) -> Booking:
    text = state.strip() if isinstance(state, str) else ""
    if not text:
        raise InvalidInputError("the workflow state must not be empty", field="state")
    b = _writable(s, booking_id)
    return _save(s, b.model_copy(update={"process_state": text}), "process_state", text)


def check_in_booking(s: Session, booking_id: str, state: bool, *, by_guest: bool = False) -> Booking:
    b = _writable(s, booking_id)
    if b.rejected:
        raise InvalidInputError(f"booking {b.id} was rejected; it cannot be checked in or out")
    if state:
        if b.checked_in:
            return b
        reason = check_in_refusal(
            what=f"booking {b.id}",
            start=b.start,
            end=b.end,
            now=s.now,
            early_seconds=s.config.early_checkin_seconds,
            checked_out_at=b.checked_out_at,
            tz_name=b.timezone,
        )
        if reason:
            raise InvalidInputError(reason, field="state")
        if s.now < b.start and b.type != VISITOR_BOOKING_TYPE:
            refuse_early_clash(s, b)
        attendees = b.attendees
        if len(attendees) == 1:
            attendees = [attendees[0].model_copy(update={"checked_in": True})]
        changes: dict[str, Any] = {
            "checked_in": True,
            "checked_in_at": s.now,
            "attendees": attendees,
            "history": _history(b, "checked_in", s.now),
        }
        saved = _save(s, b.model_copy(update=changes), "checked_in")
    else:
        if not b.checked_in:
            raise InvalidInputError(f"booking {b.id} is not checked in, so it cannot be checked out", field="state")
        changes = {"checked_in": False, "checked_out_at": s.now, "history": _history(b, "checked_out", s.now)}
        saved = _save(s, b.model_copy(update=changes), "checked_out")
    if not by_guest:
        for visit in visits_linked_to(s.conn, booking_id=b.id):
            if state and not visit.checked_in and visit.checked_out_at is None:
                visit = visit.model_copy(update={"checked_in": True, "checked_in_at": s.now})
            elif not state and visit.checked_in:
                visit = visit.model_copy(update={"checked_in": False, "checked_out_at": s.now})
            else:
                continue
            write_visit(s.conn, visit, insert=False, now=s.now)
    return saved


def _withdraw_visits(s: Session, booking_id: str) -> None:
    for visit in visits_linked_to(s.conn, booking_id=booking_id):
        if visit.visit_expected and not visit.checked_in:
            write_visit(s.conn, visit.model_copy(update={"visit_expected": False}), insert=False, now=s.now)
