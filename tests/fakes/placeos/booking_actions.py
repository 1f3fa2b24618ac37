"""Staff API booking actions: approve, reject, check in/out, process state, induction, ext_data, guests."""

from __future__ import annotations

import copy
from typing import Any

from tests.fakes.placeos import booking_model as bm
from tests.fakes.placeos.booking_routes import (
    _changed,
    _check_access,
    _find,
    _not_deleted,
    _persist,
    _render,
)
from tests.fakes.placeos.guest_model import render_guest
from tests.fakes.placeos.routing import STAFF, Router
from tests.fakes.placeos.state import add_attendee_row, new_guest
from tests.fakes.placeos.wire import ApiError, Ctx, bad_request, empty_response, not_found

router = Router(STAFF)


def _approver(ctx: Ctx, b: dict[str, Any], approved: bool) -> None:
    """PlaceOS/staff-api src/controllers/bookings.cr, set_approver (which saves at once)."""
    p = ctx.principal
    assert p is not None
    b.update(approver_id=p.user_id, approver_email=p.email.lower(), approver_name=p.name,
             approved=approved, rejected=not approved)
    if approved:
        b.update(approved_at=ctx.now, rejected_at=None)
    else:
        b.update(approved_at=None, rejected_at=ctx.now)


def _action(ctx: Ctx, booking_id: str, instance: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    b = _find(ctx, booking_id, instance)
    return b, copy.deepcopy(b)


def _store(ctx: Ctx, before: dict[str, Any], b: dict[str, Any], action: str | None) -> None:
    bm.save(b, ctx.now, ctx.q("utm_source"))
    _persist(ctx, before, b)
    if action:
        _changed(ctx, b, action)


def _approve(ctx: Ctx, booking_id: str, instance: str | None = None) -> Any:
    # No ownership check here (approve is not in confirm_access's list): managers approve others' bookings.
    b, before = _action(ctx, booking_id, instance)
    _not_deleted(b)
    # set_approver saves the approval *before* the clash check, and approve is not wrapped in a
    # transaction: a 409 from approve leaves the booking approved.
    _approver(ctx, b, True)
    _store(ctx, before, b, None)
    clashes = bm.clashing(ctx.state, b)
    if clashes:
        raise ApiError(409, "Conflicting booking", bookings=[_render(ctx, c) for c in clashes])
    _changed(ctx, b, "approved")
    return _render(ctx, b)


def _reject(ctx: Ctx, booking_id: str, instance: str | None = None) -> Any:
    b, before = _action(ctx, booking_id, instance)
    _not_deleted(b)
    _approver(ctx, b, False)
    _store(ctx, before, b, "rejected")
    return _render(ctx, b)


@router.post("/bookings/{booking_id}/approve")
def approve(ctx: Ctx, booking_id: str) -> Any:
    return _approve(ctx, booking_id)


@router.post("/bookings/{booking_id}/approve/{instance}")
def approve_occurrence(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _approve(ctx, booking_id, instance)


@router.post("/bookings/{booking_id}/reject")
def reject(ctx: Ctx, booking_id: str) -> Any:
    return _reject(ctx, booking_id)


@router.post("/bookings/{booking_id}/reject/{instance}")
def reject_occurrence(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _reject(ctx, booking_id, instance)


def _guest_checkin_signal(ctx: Ctx, b: dict[str, Any], guest: dict[str, Any], state: bool) -> None:
    ctx.state.signal("staff/guest/checkin", {
        "action": "checkin", "id": guest["id"], "checkin": state, "booking_id": b["id"],
        "host": (b.get("extension_data") or {}).get("host_override") or b.get("user_email"),
        "resource": b["asset_id"], "event_title": b.get("title"), "event_starting": b["booking_start"],
        "attendee_name": guest.get("name"), "attendee_email": guest["email"], "zones": list(b.get("zones") or [])})


def early_checkin_refusal(seconds: int) -> str:
    """The 405 text for a check-in before the window opens. PlaceOS/staff-api src/controllers/bookings.cr,
    check_in: "Can only check in an #{early_checkin.seconds.total_hours} hour before the booking start" --
    total_hours is a Float64, so 3600 s reads "1.0" and 5400 s "1.5" (Crystal prints floats like Python)."""
    return f"Can only check in an {seconds / 3600} hour before the booking start"


def _check_in(ctx: Ctx, booking_id: str, instance: str | None = None) -> Any:
    """PlaceOS/staff-api src/controllers/bookings.cr, check_in, rule for rule and in its order."""
    b, before = _action(ctx, booking_id, instance)
    _check_access(ctx, b)
    _not_deleted(b)
    state = bool(ctx.bool_q("state", True))
    now = ctx.now
    already_checked_out = bm.current_state(b, now) == "checked_out"
    if state:
        if already_checked_out:
            raise ApiError(405, "a checked out booking cannot be checked back in")
        if b["booking_end"] <= now:
            raise ApiError(405, "The booking has ended")
        early = int(ctx.fake.early_checkin)
        if b["booking_start"] - now > early:
            raise ApiError(405, early_checkin_refusal(early))
        if b["booking_start"] > now and b["booking_type"].lower() != "visitor":
            # check_in_clashing: someone else may still hold the asset between now and the start.
            assets = set(b["asset_ids"]) | {b["asset_id"]}
            before_start = [o for o in sorted(ctx.state.bookings.values(), key=lambda o: o["id"])
                            if o["id"] != b["id"] and o["booking_type"] == b["booking_type"]
                            and o["booking_start"] < b["booking_start"] and o["booking_end"] > now
                            and assets & set(o["asset_ids"]) and not o["rejected"] and not o["deleted"]
                            and o.get("checked_out_at") is None]
            if before_start:
                raise ApiError(409, "Conflicting booking", bookings=[_render(ctx, c) for c in before_start])
        b.update(checked_in=True, checked_in_at=now)
    else:
        if already_checked_out:
            return _render(ctx, b)  # "don't allow double checkouts, but might as well return a success response"
        b.update(checked_in=False, checked_out_at=now)
    rows = ctx.state.attendee_rows(booking_id=b["id"])
    if state and len(rows) == 1 and rows[0]["guest_id"] in ctx.state.guests:  # a lone visitor arrives with it
        rows[0]["checked_in"] = True
        _guest_checkin_signal(ctx, b, ctx.state.guests[rows[0]["guest_id"]], True)
    _store(ctx, before, b, "checked_in")
    return _render(ctx, b)


@router.post("/bookings/{booking_id}/check_in")
def check_in(ctx: Ctx, booking_id: str) -> Any:
    return _check_in(ctx, booking_id)


@router.post("/bookings/{booking_id}/checkin")
def check_in_alias(ctx: Ctx, booking_id: str) -> Any:
    return _check_in(ctx, booking_id)


@router.post("/bookings/{booking_id}/check_in/{instance}")
def check_in_occurrence(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _check_in(ctx, booking_id, instance)


@router.post("/bookings/{booking_id}/checkin/{instance}")
def check_in_occurrence_alias(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _check_in(ctx, booking_id, instance)


def _update_state(ctx: Ctx, booking_id: str, instance: str | None = None) -> Any:
    b, before = _action(ctx, booking_id, instance)
    _check_access(ctx, b)
    b["process_state"] = ctx.required("state")
    _store(ctx, before, b, "process_state")
    return _render(ctx, b)


@router.post("/bookings/{booking_id}/update_state")
def update_state(ctx: Ctx, booking_id: str) -> Any:
    return _update_state(ctx, booking_id)


@router.post("/bookings/{booking_id}/update_state/{instance}")
def update_state_occurrence(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _update_state(ctx, booking_id, instance)


def _update_induction(ctx: Ctx, booking_id: str, instance: str | None = None) -> Any:
    b, before = _action(ctx, booking_id, instance)
    _check_access(ctx, b)
    induction = ctx.required("induction").lower()
    if induction not in bm.INDUCTIONS:
        raise bad_request(f"invalid value for induction: {induction!r}", "induction")
    b["induction"] = induction
    _store(ctx, before, b, "induction")
    if induction != "tentative":
        for row in ctx.state.attendee_rows(booking_id=b["id"])[:1]:  # the first attendee's guest only
            guest = ctx.state.guests.get(row["guest_id"])
            if guest:
                ctx.state.signal(f"staff/guest/induction_{induction}", {
                    "action": f"induction_{induction}", "id": guest["id"], "booking_id": b["id"],
                    "induction": induction, "attendee_email": guest["email"], "zones": list(b.get("zones") or [])})
    return _render(ctx, b)


@router.post("/bookings/{booking_id}/update_induction")
def update_induction(ctx: Ctx, booking_id: str) -> Any:
    return _update_induction(ctx, booking_id)


@router.post("/bookings/{booking_id}/update_induction/{instance}")
def update_induction_occurrence(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _update_induction(ctx, booking_id, instance)


def _ext_data(ctx: Ctx, booking_id: str, instance: str | None = None) -> Any:
    """PATCH only (there is no POST route): PlaceOS/staff-api src/controllers/bookings.cr, patch_extdata."""
    b, before = _action(ctx, booking_id, instance)
    _check_access(ctx, b)
    changes = ctx.body_object()
    if not changes:
        return _render(ctx, b)
    b["extension_data"] = {**(b.get("extension_data") or {}), **changes}
    _store(ctx, before, b, "extdata_changed" if ctx.bool_q("signal_changes", False) else None)
    return _render(ctx, b)


@router.patch("/bookings/{booking_id}/ext_data")
def patch_ext_data(ctx: Ctx, booking_id: str) -> Any:
    return _ext_data(ctx, booking_id)


@router.patch("/bookings/{booking_id}/ext_data/{instance}")
def patch_ext_data_occurrence(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _ext_data(ctx, booking_id, instance)


@router.get("/bookings/{booking_id}/guests")
def booking_guests(ctx: Ctx, booking_id: str) -> Any:
    b = _find(ctx, booking_id)
    rendered = bm.render_booking(ctx.state, b, ctx.now, with_links=False)
    return [render_guest(ctx.state.guests[r["guest_id"]], r, booking=rendered)
            for r in ctx.state.attendee_rows(booking_id=b["id"]) if r["guest_id"] in ctx.state.guests]


def _guest_check_in(ctx: Ctx, booking_id: str, guest_ref: str) -> Any:
    b = _find(ctx, booking_id)
    _not_deleted(b)
    # guest_checkin looks the guest up by email only (Guest.find_by(email: ...)).
    guest = None if guest_ref.strip().isdigit() else ctx.state.guest_by_ref(guest_ref)
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


# -- attendees (PlaceOS/staff-api src/controllers/bookings.cr, add_attendee / destroy_attendee) -------

def _may_join(ctx: Ctx, b: dict[str, Any]) -> None:
    """confirm_access_for_add_attendee: public bookings admit anyone, open ones anyone of the tenant."""
    if b.get("permission") in ("public", "open"):
        return
    _check_access(ctx, b)


@router.post("/bookings/{booking_id}/attendee")
def add_attendee(ctx: Ctx, booking_id: str) -> Any:
    b = _find(ctx, booking_id)
    _not_deleted(b)
    _may_join(ctx, b)
    body = ctx.body_object()
    email = str(body.get("email") or "").strip().lower()
    if not email:
        raise bad_request("attendee email is required", "email")
    present = [r for r in ctx.state.attendee_rows(booking_id=b["id"])
               if ctx.state.guests.get(r["guest_id"], {}).get("email") == email]
    if present:
        raise bad_request("Attendee already exists in this booking")
    guest = ctx.state.guest_by_ref(email) or new_guest(ctx.state, {**body, "email": email}, ctx.now)
    if isinstance(body.get("extension_data"), dict):
        guest["extension_data"] = dict(body["extension_data"])
    row = add_attendee_row(ctx.state, guest, booking_id=b["id"], visit_expected=True, checked_in=False)
    ctx.state.signal("staff/guest/attending", {
        "action": "booking_updated", "id": guest["id"], "booking_id": b["id"], "resource_id": b["asset_id"],
        "resource_ids": list(b["asset_ids"]), "event_title": b.get("title"),
        "event_summary": b.get("description") or b.get("title"), "event_starting": b["booking_start"],
        "attendee_name": body.get("name"), "attendee_email": body.get("email"), "host": b.get("user_email"),
        "zones": list(b.get("zones") or [])})
    return bm.render_attendee_row(ctx.state, row)


@router.delete("/bookings/{booking_id}/attendee/{attendee_email}")
def destroy_attendee(ctx: Ctx, booking_id: str, attendee_email: str) -> Any:
    b = _find(ctx, booking_id)
    _not_deleted(b)
    _may_join(ctx, b)
    email = attendee_email.strip().lower()
    rows = [r for r in ctx.state.attendee_rows(booking_id=b["id"])
            if ctx.state.guests.get(r["guest_id"], {}).get("email") == email]
    if not rows:
        raise bad_request("Attendee not found in this booking")
    # The controller deletes the guest record along with the attendance ("Is this really the right way").
    ctx.state.guests.pop(rows[0]["guest_id"], None)
    ctx.state.attendees.remove(rows[0])
    return empty_response(202)
