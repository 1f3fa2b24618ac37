"""Staff API /bookings: listing, create/update/delete with clash and limit rules, approval and check-in."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.fakes.placeos import booking_model as bm
from tests.fakes.placeos.booking_query import linked_metadata_id, query_bookings
from tests.fakes.placeos.routing import STAFF, Router
from tests.fakes.placeos.state import add_attendee_row, upsert_guest
from tests.fakes.placeos.wire import (
    ApiError,
    Ctx,
    bad_request,
    empty_response,
    forbidden,
    invalid,
    json_response,
    not_found,
    paged,
    unprocessable,
)

router = Router(STAFF)


def _render(ctx: Ctx, b: dict[str, Any]) -> dict[str, Any]:
    return bm.render_booking(ctx.state, b, ctx.now)


def _find(ctx: Ctx, booking_id: str) -> dict[str, Any]:
    booking = ctx.state.bookings.get(int(booking_id)) if booking_id.isdigit() else None
    if booking is None:
        raise not_found(f"booking {booking_id} not found")
    return booking


def _not_deleted(b: dict[str, Any]) -> None:
    if b["deleted"]:
        raise ApiError(405, "booking has been deleted")


def _check_access(ctx: Ctx, b: dict[str, Any]) -> None:
    """Support/admin, the booking's owner or booker, or manage/admin rights in one of its zones."""
    p = ctx.principal
    assert p is not None
    if p.privileged or p.user_id in (b.get("user_id"), b.get("booked_by_id")) or p.email.lower() == b.get("user_email"):
        return
    groups = set(ctx.state.users.get(p.user_id, {}).get("groups", []))
    for zone in b.get("zones") or []:
        rules = ctx.state.metadata.get(zone, {}).get("permissions", {}).get("details") or {}
        if groups & set(rules.get("deny", [])):
            break
        if groups & (set(rules.get("manage", [])) | set(rules.get("admin", []))):
            return
    raise forbidden()


def _limit(ctx: Ctx, booking_type: str) -> int | None:
    override = ctx.int_q("limit_override", minimum=0)
    return override if override is not None else ctx.fake.booking_limits.get(booking_type)


def _enforce_rules(ctx: Ctx, b: dict[str, Any]) -> None:
    clashes = bm.clashing(ctx.state, b)
    if clashes:
        raise ApiError(409, "Conflicting booking", bookings=[_render(ctx, c) for c in clashes])
    limit = _limit(ctx, b["booking_type"])
    if limit is not None and bm._holds_slot(b):
        held = bm.concurrent(ctx.state, b)
        if len(held) >= limit:
            raise ApiError(410, "Booking limit reached", limit=limit, bookings=[_render(ctx, c) for c in held])


def _set_user(ctx: Ctx, b: dict[str, Any], body: dict[str, Any]) -> None:
    """user_* default to the booker; a given user_email is resolved in the directory for id and name."""
    booker = ctx.state.users[ctx.principal.user_id]  # type: ignore[union-attr]
    if not b.get("user_email"):
        b.update(user_email=booker["email"].lower(), user_id=b.get("user_id") or booker["id"],
                 user_name=b.get("user_name") or booker["name"])
        return
    person = ctx.state.user_by_email(b["user_email"])
    if "user_id" not in body or not body.get("user_id"):
        b["user_id"] = person["id"] if person else None
    if not body.get("user_name"):
        b["user_name"] = person["name"] if person else booker["name"]


def _attendee_list(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    raw = body.get("attendees")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(a, dict) and str(a.get("email") or "").strip() for a in raw):
        raise invalid([("attendees", "each attendee needs an email")])
    return raw


def _add_attendees(ctx: Ctx, b: dict[str, Any], attendees: list[dict[str, Any]], action: str) -> None:
    present = {ctx.state.guests[r["guest_id"]]["email"] for r in ctx.state.attendee_rows(booking_id=b["id"])
               if r["guest_id"] in ctx.state.guests}
    for attendee in attendees:
        email = str(attendee["email"]).strip().lower()
        if email in present:
            continue
        guest = upsert_guest(ctx.state, attendee, ctx.now)
        visit = attendee.get("visit_expected", True) is not False
        add_attendee_row(ctx.state, guest, booking_id=b["id"], visit_expected=visit,
                         checked_in=bool(attendee.get("checked_in", False)))
        present.add(email)
        if visit:
            ctx.state.signal("staff/guest/attending", {
                "action": action, "id": guest["id"], "booking_id": b["id"], "resource_id": b["asset_id"],
                "resource_ids": list(b["asset_ids"]), "host": b.get("user_email"), "event_title": b.get("title"),
                "event_starting": b["booking_start"], "attendee_name": guest.get("name"),
                "attendee_email": email, "zones": list(b.get("zones") or [])})


def _changed(ctx: Ctx, b: dict[str, Any], action: str, **extra: Any) -> None:
    ctx.state.signal("staff/booking/changed", bm.changed_payload(b, action, **extra))


# -- listing ---------------------------------------------------------------------------------------

@router.get("/bookings", auth=True)
def list_bookings(ctx: Ctx) -> httpx.Response:
    return paged(ctx, query_bookings(ctx), table="bookings", render=lambda b: _render(ctx, b))


@router.get("/bookings/booked")
def booked(ctx: Ctx) -> Any:
    limit = ctx.int_q("limit", 100_000, minimum=0) or 0
    assets: list[str] = []
    for b in query_bookings(ctx, for_booked=True):
        for asset in b["asset_ids"]:
            if asset not in assets:
                assets.append(asset)
    return assets[:limit]


@router.post("/bookings/clashing-assets")
def clashing_assets(ctx: Ctx) -> Any:
    return_available = bool(ctx.bool_q("return_available", False))
    include_time = bool(ctx.bool_q("include_clash_time", False))
    if return_available and include_time:
        raise bad_request("return_available and include_clash_time are mutually exclusive", "include_clash_time")
    body = ctx.body_object()
    missing = [k for k in ("booking_start", "booking_end", "booking_type") if body.get(k) in (None, "")]
    if missing:
        raise unprocessable(f"missing {', '.join(missing)}", missing[0])
    start, end = body["booking_start"], body["booking_end"]
    if not isinstance(start, int) or not isinstance(end, int) or end <= start:
        raise unprocessable("booking_end must be after booking_start", "booking_end")
    wanted = [str(a) for a in body.get("asset_ids") or ([body["asset_id"]] if body.get("asset_id") else [])]
    probe = bm.blank_booking(-1, ctx.now)
    probe.update(booking_type=body["booking_type"], booking_start=start, booking_end=end,
                 asset_ids=wanted or ["*"], id=body.get("id"))
    clashes: list[dict[str, Any]] = []
    if str(body["booking_type"]).lower() != "visitor":
        for other in ctx.state.bookings.values():
            if other["id"] == body.get("id") or other["booking_type"] != body["booking_type"]:
                continue
            if not bm._holds_slot(other) or not (start < other["booking_end"] and end > other["booking_start"]):
                continue
            for asset in other["asset_ids"]:
                if not wanted or asset in wanted:
                    clashes.append({"asset_id": asset, "booking_start": other["booking_start"],
                                    "booking_end": other["booking_end"]})
    ids = list(dict.fromkeys(c["asset_id"] for c in clashes))
    if include_time:
        return clashes
    if return_available:
        return [a for a in wanted if a not in ids]
    return ids


# -- create / read / update / delete ---------------------------------------------------------------

@router.post("/bookings")
def create_booking(ctx: Ctx) -> httpx.Response:
    body = ctx.body_object()
    principal = ctx.principal
    assert principal is not None
    booker = ctx.state.users[principal.user_id]
    b = bm.blank_booking(0, ctx.now)
    bm.apply_fields(b, body, bm.INPUT_KEYS)
    if not isinstance(b.get("extension_data"), dict):
        raise invalid([("extension_data", "must be an object")])
    b["extension_data"] = dict(b["extension_data"])
    attendees = _attendee_list(body)
    failures = bm.validate(b)
    if failures:
        raise invalid(failures)
    _set_user(ctx, b, body)
    utm = ctx.q("utm_source")
    b.update(booked_by_id=booker["id"], booked_by_email=booker["email"].lower(), booked_by_name=booker["name"],
             booked_from=utm, history=[], event_id=linked_metadata_id(ctx))
    if b["checked_in"]:
        b["checked_in_at"] = ctx.now
    if b["approved"]:
        b.update(approved_at=ctx.now, approver_id=booker["id"], approver_name=booker["name"],
                 approver_email=booker["email"].lower())
    _enforce_rules(ctx, b)
    b["id"] = ctx.state.next_id("booking", 1001)
    bm.save(b, ctx.now, utm)
    ctx.state.bookings[b["id"]] = b
    if attendees:
        _add_attendees(ctx, b, attendees, "booking_created")
    _changed(ctx, b, "create")
    return json_response(_render(ctx, b), 201, {"Location": f"{STAFF}/bookings/{b['id']}"})


@router.get("/bookings/{booking_id}")
def get_booking(ctx: Ctx, booking_id: str) -> Any:
    return _render(ctx, _find(ctx, booking_id))


def _update(ctx: Ctx, booking_id: str) -> Any:
    b = _find(ctx, booking_id)
    _check_access(ctx, b)
    _not_deleted(b)
    body = ctx.body_object()
    if b.get("parent_id") is not None and any(k in body for k in ("booking_start", "booking_end")):
        raise ApiError(405, "booking times can only be changed on the parent booking")
    draft = copy.deepcopy(b)
    bm.apply_fields(draft, body, bm.UPDATABLE + ("user_email", "user_name"))
    if "extension_data" in body:
        if not isinstance(body["extension_data"], dict):
            raise invalid([("extension_data", "must be an object")])
        draft["extension_data"] = {**b.get("extension_data", {}), **body["extension_data"]}
    attendees = _attendee_list(body)
    failures = bm.validate(draft)
    if failures:
        raise invalid(failures)
    host_changed = draft.get("user_email") != b.get("user_email")
    if host_changed:
        person = ctx.state.user_by_email(draft["user_email"])
        draft["user_id"] = person["id"] if person else None
        draft["user_name"] = body.get("user_name") or (person["name"] if person else draft["user_email"])
    # Moving to other assets or widening the window needs a fresh approval and check-in.
    reset = set(draft["asset_ids"]) != set(b["asset_ids"]) or draft["booking_start"] < b["booking_start"] \
        or draft["booking_end"] > b["booking_end"]
    if reset:
        booker = ctx.state.users[ctx.principal.user_id]  # type: ignore[union-attr]
        draft.update(checked_in=False, checked_in_at=None, checked_out_at=None, approved=False, approved_at=None,
                     rejected=False, rejected_at=None, approver_id=None, approver_name=None, approver_email=None,
                     booked_by_id=booker["id"], booked_by_email=booker["email"].lower(),
                     booked_by_name=booker["name"], last_changed=ctx.now)
        draft["history"] = [*draft["history"], {"state": "reserved", "time": ctx.now, "source": ctx.q("utm_source")}]
    _enforce_rules(ctx, draft)
    old_host = b.get("user_email")
    previous = {"previous_booking_start": b["booking_start"], "previous_booking_end": b["booking_end"],
                "previous_zones": list(b.get("zones") or [])}
    b.clear()
    b.update(draft)
    bm.save(b, ctx.now, ctx.q("utm_source"))
    if attendees is not None:
        emails = {str(a["email"]).strip().lower() for a in attendees}
        ctx.state.attendees[:] = [r for r in ctx.state.attendees if r.get("booking_id") != b["id"]
                                  or ctx.state.guests.get(r["guest_id"], {}).get("email") in emails]
        _add_attendees(ctx, b, attendees, "booking_updated")
    if host_changed:
        ctx.state.signal("staff/booking/host_changed", {
            "action": "host_changed", "booking_id": b["id"], "resource_id": b["asset_id"],
            "resource_ids": list(b["asset_ids"]), "event_title": b.get("title"),
            "event_summary": b.get("description"), "event_starting": b["booking_start"],
            "previous_host_email": old_host, "new_host_email": b["user_email"],
            "zones": list(b.get("zones") or [])})
    _changed(ctx, b, "changed" if reset else "metadata_changed", **previous)
    return _render(ctx, b)


@router.patch("/bookings/{booking_id}")
def patch_booking(ctx: Ctx, booking_id: str) -> Any:
    return _update(ctx, booking_id)


@router.put("/bookings/{booking_id}")
def put_booking(ctx: Ctx, booking_id: str) -> Any:
    return _update(ctx, booking_id)


@router.delete("/bookings/{booking_id}")
def delete_booking(ctx: Ctx, booking_id: str) -> httpx.Response:
    b = _find(ctx, booking_id)
    _check_access(ctx, b)
    _not_deleted(b)
    b.update(deleted=True, deleted_at=ctx.now)
    bm.save(b, ctx.now, ctx.q("utm_source"))
    principal = ctx.principal
    _changed(ctx, b, "cancelled", approver_name=principal.name, approver_email=principal.email.lower())  # type: ignore[union-attr]
    return empty_response(202)
