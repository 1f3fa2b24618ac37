"""Staff API booking actions: approve, reject, check in/out, process state, induction, ext_data, guests."""

from __future__ import annotations

from typing import Any

from tests.fakes.placeos import booking_model as bm
from tests.fakes.placeos.booking_routes import (
    _changed,
    _check_access,
    _find,
    _not_deleted,
    _render,
)
from tests.fakes.placeos.guest_model import render_guest
from tests.fakes.placeos.routing import STAFF, Router
from tests.fakes.placeos.wire import ApiError, Ctx, not_found, unprocessable

router = Router(STAFF)


def _approver(ctx: Ctx, b: dict[str, Any], approved: bool) -> None:
    p = ctx.principal
    assert p is not None
    b.update(approver_id=p.user_id, approver_email=p.email.lower(), approver_name=p.name,
             approved=approved, rejected=not approved)


@router.post("/bookings/{booking_id}/approve")
def approve(ctx: Ctx, booking_id: str) -> Any:
    # staff-api does not check ownership here: managers approve their reports' bookings.
    b = _find(ctx, booking_id)
    _not_deleted(b)
    # Re-checked as if approved: a rejected booking being approved takes its slot back.
    clashes = bm.clashing(ctx.state, {**b, "rejected": False})
    if clashes:
        raise ApiError(409, "Conflicting booking", bookings=[_render(ctx, c) for c in clashes])
    _approver(ctx, b, True)
    b.update(approved_at=ctx.now, rejected_at=None)
    bm.save(b, ctx.now, ctx.q("utm_source"))
    _changed(ctx, b, "approved")
    return _render(ctx, b)


@router.post("/bookings/{booking_id}/reject")
def reject(ctx: Ctx, booking_id: str) -> Any:
    b = _find(ctx, booking_id)
    _not_deleted(b)
    _approver(ctx, b, False)
    b.update(rejected_at=ctx.now, approved_at=None)
    bm.save(b, ctx.now, ctx.q("utm_source"))
    _changed(ctx, b, "rejected")
    return _render(ctx, b)


def _guest_checkin_signal(ctx: Ctx, b: dict[str, Any], guest: dict[str, Any], state: bool) -> None:
    ctx.state.signal("staff/guest/checkin", {
        "action": "checkin", "id": guest["id"], "checkin": state, "booking_id": b["id"],
        "host": (b.get("extension_data") or {}).get("host_override") or b.get("user_email"),
        "resource": b["asset_id"], "event_title": b.get("title"), "event_starting": b["booking_start"],
        "attendee_name": guest.get("name"), "attendee_email": guest["email"], "zones": list(b.get("zones") or [])})


def _check_in(ctx: Ctx, booking_id: str) -> Any:
    b = _find(ctx, booking_id)
    _check_access(ctx, b)
    _not_deleted(b)
    state = bool(ctx.bool_q("state", True))
    now = ctx.now
    if state:
        if now > b["booking_end"]:
            raise ApiError(405, "check-in refused: the booking has already ended")
        if b.get("checked_out_at"):
            raise ApiError(405, "check-in refused: the booking has already been checked out")
        early = int(ctx.fake.early_checkin)
        if now < b["booking_start"] - early:
            raise ApiError(405, f"check-in refused: too early, check-in opens {early // 60} minutes before the start")
        if now < b["booking_start"] and b["booking_type"].lower() != "visitor":
            # Checking in early takes the asset from now: someone else may still hold it before the start.
            before = bm.clashing(ctx.state, b, start=now, end=b["booking_start"])
            if before:
                raise ApiError(409, "Conflicting booking", bookings=[_render(ctx, c) for c in before])
        b.update(checked_in=True, checked_in_at=now)
    else:
        b.update(checked_in=False, checked_out_at=now)
    bm.save(b, now, ctx.q("utm_source"))
    rows = ctx.state.attendee_rows(booking_id=b["id"])
    if len(rows) == 1 and rows[0]["guest_id"] in ctx.state.guests:  # a lone visitor arrives with the booking
        rows[0]["checked_in"] = state
        _guest_checkin_signal(ctx, b, ctx.state.guests[rows[0]["guest_id"]], state)
    _changed(ctx, b, "checked_in")
    return _render(ctx, b)


@router.post("/bookings/{booking_id}/check_in")
def check_in(ctx: Ctx, booking_id: str) -> Any:
    return _check_in(ctx, booking_id)


@router.post("/bookings/{booking_id}/checkin")
def check_in_alias(ctx: Ctx, booking_id: str) -> Any:
    return _check_in(ctx, booking_id)


@router.post("/bookings/{booking_id}/update_state")
def update_state(ctx: Ctx, booking_id: str) -> Any:
    b = _find(ctx, booking_id)
    _check_access(ctx, b)
    _not_deleted(b)
    b["process_state"] = ctx.required("state")
    bm.save(b, ctx.now, ctx.q("utm_source"))
    _changed(ctx, b, "process_state")
    return _render(ctx, b)


@router.post("/bookings/{booking_id}/update_induction")
def update_induction(ctx: Ctx, booking_id: str) -> Any:
    b = _find(ctx, booking_id)
    _not_deleted(b)
    induction = ctx.required("induction").lower()
    if induction not in bm.INDUCTIONS:
        raise unprocessable(f"induction must be one of {', '.join(bm.INDUCTIONS)}", "induction")
    b["induction"] = induction
    bm.save(b, ctx.now, ctx.q("utm_source"))
    _changed(ctx, b, "induction")
    if induction != "tentative":
        for row in ctx.state.attendee_rows(booking_id=b["id"]):
            guest = ctx.state.guests.get(row["guest_id"])
            if guest:
                ctx.state.signal(f"staff/guest/induction_{induction}", {
                    "action": f"induction_{induction}", "id": guest["id"], "booking_id": b["id"],
                    "induction": induction, "attendee_email": guest["email"], "zones": list(b.get("zones") or [])})
    return _render(ctx, b)


def _ext_data(ctx: Ctx, booking_id: str) -> Any:
    b = _find(ctx, booking_id)
    _check_access(ctx, b)
    _not_deleted(b)
    b["extension_data"] = {**(b.get("extension_data") or {}), **ctx.body_object()}
    bm.save(b, ctx.now)
    if ctx.bool_q("signal_changes", False):
        _changed(ctx, b, "extdata_changed")
    return _render(ctx, b)


@router.patch("/bookings/{booking_id}/ext_data")
def patch_ext_data(ctx: Ctx, booking_id: str) -> Any:
    return _ext_data(ctx, booking_id)


@router.post("/bookings/{booking_id}/ext_data")
def post_ext_data(ctx: Ctx, booking_id: str) -> Any:
    return _ext_data(ctx, booking_id)


@router.get("/bookings/{booking_id}/guests")
def booking_guests(ctx: Ctx, booking_id: str) -> Any:
    b = _find(ctx, booking_id)
    rendered = bm.render_booking(ctx.state, b, ctx.now, with_links=False)
    return [render_guest(ctx.state.guests[r["guest_id"]], r, booking=rendered)
            for r in ctx.state.attendee_rows(booking_id=b["id"]) if r["guest_id"] in ctx.state.guests]


def _guest_check_in(ctx: Ctx, booking_id: str, guest_ref: str) -> Any:
    b = _find(ctx, booking_id)
    _not_deleted(b)
    guest = ctx.state.guest_by_ref(guest_ref)
    row = None
    if guest is not None:
        row = next((r for r in ctx.state.attendee_rows(booking_id=b["id"]) if r["guest_id"] == guest["id"]), None)
    if guest is None or row is None:
        raise not_found(f"{guest_ref} is not a guest of booking {booking_id}")
    state = bool(ctx.bool_q("state", True))
    row["checked_in"] = state
    if state and not b["checked_in"]:  # an attendee checking in flags the booking checked in
        b.update(checked_in=True, checked_in_at=ctx.now)
        bm.save(b, ctx.now)
        _changed(ctx, b, "checked_in")
    _guest_checkin_signal(ctx, b, guest, state)
    return render_guest(guest, row, booking=bm.render_booking(ctx.state, b, ctx.now, with_links=False))


@router.post("/bookings/{booking_id}/guests/{guest_ref}/check_in")
def guest_check_in(ctx: Ctx, booking_id: str, guest_ref: str) -> Any:
    return _guest_check_in(ctx, booking_id, guest_ref)


@router.post("/bookings/{booking_id}/guests/{guest_ref}/checkin")
def guest_check_in_alias(ctx: Ctx, booking_id: str, guest_ref: str) -> Any:
    return _guest_check_in(ctx, booking_id, guest_ref)
