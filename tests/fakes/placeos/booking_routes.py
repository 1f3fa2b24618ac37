"""Staff API /bookings: listing, create/update/delete with clash and limit rules, approval and check-in."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.fakes.placeos import booking_model as bm
from tests.fakes.placeos.booking_query import linked_metadata_id, query_bookings
from tests.fakes.placeos.routing import STAFF, Router
from tests.fakes.placeos.state import add_attendee_row, person_from_user, upsert_guest
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


def _instance(ctx: Ctx, from_path: str | None) -> int | None:
    """The occurrence a request names: the route's `:instance`, else `?instance=` (find_booking's param)."""
    raw = from_path if from_path is not None else ctx.q("instance")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"invalid value for instance: {raw!r}", "instance") from None


def _find(ctx: Ctx, booking_id: str, instance: str | None = None) -> dict[str, Any]:
    """The booking (the stored record itself) or, when an occurrence is named, a hydrated copy of it
    (PlaceOS/staff-api src/controllers/bookings.cr, find_booking). Persist changes with `_persist`."""
    booking = ctx.state.bookings.get(int(booking_id)) if booking_id.isdigit() else None
    if booking is None:
        raise not_found(f"could not find booking with id: {booking_id}")
    occurrence = _instance(ctx, instance)
    return booking if occurrence is None else bm.occurrence(ctx.state, booking, occurrence)


def _persist(ctx: Ctx, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Store `after`: the series in place, or only the occurrence's row (Booking#save! on an instance)."""
    if after.get("instance") is None:
        stored = ctx.state.bookings[after["id"]]
        if stored is not after:
            stored.clear()
            stored.update(after)
    else:
        bm.save_occurrence(ctx.state, before, after)


def _not_deleted(b: dict[str, Any]) -> None:
    """approve, reject, check_in, guest check-in and the attendee routes answer a deleted booking with a
    bare 405 (PlaceOS/staff-api src/controllers/bookings.cr, check_deleted: `head :method_not_allowed`)."""
    if b["deleted"]:
        raise ApiError(405)


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
    _enforce_limit(ctx, b)


def _enforce_limit(ctx: Ctx, b: dict[str, Any]) -> None:
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
    # booked runs index's query with its limit and offset, then lists the rows' assets.
    limit = ctx.int_q("limit", 100_000, minimum=0) or 0
    offset = ctx.int_q("offset", 0, minimum=0) or 0
    assets: list[str] = []
    for b in query_bookings(ctx, for_booked=True)[offset:offset + limit]:
        for asset in b["asset_ids"]:
            if asset not in assets:
                assets.append(asset)
    return assets


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


@router.get("/bookings/{booking_id}/instance/{instance}")
def get_occurrence(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _render(ctx, _find(ctx, booking_id, instance))


def _resolve_host(ctx: Ctx, draft: dict[str, Any]) -> None:
    """A changed user_email takes the new host's id and name from the directory; an unknown person is
    404 (PlaceOS/staff-api src/controllers/bookings.cr, update: client.get_user_by_email)."""
    person = ctx.state.user_by_email(draft["user_email"])
    if person is None:
        raise not_found(f"user {draft['user_email']} not found")
    entry = person_from_user(person)
    draft["user_id"] = entry["id"] or draft["user_email"]
    draft["user_name"] = entry["name"] or draft["user_email"]


def _update(ctx: Ctx, booking_id: str, instance: str | None = None) -> Any:
    """PlaceOS/staff-api src/controllers/bookings.cr, update: no deleted check, exactly UPDATABLE copied."""
    b = _find(ctx, booking_id, instance)
    _check_access(ctx, b)
    body = ctx.body_object()
    draft = copy.deepcopy(b)
    bm.apply_fields(draft, body, bm.UPDATABLE)
    if isinstance(body.get("extension_data"), dict) and body["extension_data"]:
        draft["extension_data"] = {**(b.get("extension_data") or {}), **body["extension_data"]}
    elif "extension_data" in body and not isinstance(body["extension_data"], (dict, type(None))):
        raise invalid([("extension_data", "must be an object")])
    attendees = _attendee_list(body)
    failures = bm.validate(draft)
    if failures:
        raise invalid(failures)
    host_changed = draft.get("user_email") != b.get("user_email")
    if host_changed and draft.get("user_email"):
        _resolve_host(ctx, draft)
    reset = False
    if draft["asset_ids"] != b["asset_ids"]:
        first = (b["asset_ids"] or [""])[0]
        reset = bool(first) and not first.startswith("unallocated")
    if (draft["booking_start"], draft["booking_end"]) != (b["booking_start"], b["booking_end"]):
        if b.get("parent_id") is not None:
            raise ApiError(405, "editing booking times is allowed on parent bookings only.")
        reset = reset or draft["booking_start"] < b["booking_start"] or draft["booking_end"] > b["booking_end"]
    if reset:
        # Moved or widened: a fresh approval and check-in are needed. booked_by and the *_at stamps
        # are left as they were, as the controller does ("We should never change the booked_by fields").
        draft.update(checked_in=False, rejected=False, approved=False, last_changed=ctx.now)
        principal = ctx.principal
        assert principal is not None
        draft["history"] = [*draft["history"], {"state": "reserved", "time": ctx.now,
                                                "source": f"updated by {principal.email}"}]
    if any(draft.get(k) != b.get(k) for k in bm.SLOT_KEYS):
        clashes = bm.clashing(ctx.state, draft)
        if clashes:
            raise ApiError(409, "Conflicting booking", bookings=[_render(ctx, c) for c in clashes])
    if reset:
        _enforce_limit(ctx, draft)
    old_host = b.get("user_email")
    previous = {"previous_booking_start": b["booking_start"], "previous_booking_end": b["booking_end"],
                "previous_zones": list(b.get("zones") or [])}
    before = copy.deepcopy(b)
    bm.save(draft, ctx.now, ctx.q("utm_source"))
    _persist(ctx, before, draft)
    # An occurrence fails the model's `instance must not be set` validation, so the controller's
    # `if existing_booking.valid?` skips its attendee changes.
    if attendees is not None and draft.get("instance") is None:
        emails = {str(a["email"]).strip().lower() for a in attendees}
        ctx.state.attendees[:] = [r for r in ctx.state.attendees if r.get("booking_id") != draft["id"]
                                  or ctx.state.guests.get(r["guest_id"], {}).get("email") in emails]
        _add_attendees(ctx, draft, attendees, "booking_updated")
    if host_changed:
        ctx.state.signal("staff/booking/host_changed", {
            "action": "host_changed", "booking_id": draft["id"], "resource_id": draft["asset_id"],
            "resource_ids": list(draft["asset_ids"]), "event_title": draft.get("title"),
            "event_summary": draft.get("description") or draft.get("title"), "event_starting": draft["booking_start"],
            "previous_host_email": old_host, "new_host_email": draft["user_email"],
            "zones": list(draft.get("zones") or [])})
    _changed(ctx, draft, "changed" if reset else "metadata_changed", **previous)
    # The reply is the booking as changed in memory: on an occurrence it shows fields (title, zones ...)
    # that were never stored, as the real controller's reply does.
    return _render(ctx, draft)


@router.patch("/bookings/{booking_id}")
def patch_booking(ctx: Ctx, booking_id: str) -> Any:
    return _update(ctx, booking_id)


@router.put("/bookings/{booking_id}")
def put_booking(ctx: Ctx, booking_id: str) -> Any:
    return _update(ctx, booking_id)


@router.patch("/bookings/{booking_id}/instance/{instance}")
def patch_occurrence(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _update(ctx, booking_id, instance)


@router.put("/bookings/{booking_id}/instance/{instance}")
def put_occurrence(ctx: Ctx, booking_id: str, instance: str) -> Any:
    return _update(ctx, booking_id, instance)


def _delete(ctx: Ctx, booking_id: str, instance: str | None = None) -> httpx.Response:
    """PlaceOS/staff-api src/controllers/bookings.cr, destroy: soft delete, no deleted check (202 again)."""
    b = _find(ctx, booking_id, instance)
    _check_access(ctx, b)
    before = copy.deepcopy(b)
    b.update(deleted=True, deleted_at=ctx.now)
    bm.save(b, ctx.now, ctx.q("utm_source"))
    _persist(ctx, before, b)
    principal = ctx.principal
    _changed(ctx, b, "cancelled", approver_name=principal.name, approver_email=principal.email.lower())  # type: ignore[union-attr]
    return empty_response(202)


@router.delete("/bookings/{booking_id}")
def delete_booking(ctx: Ctx, booking_id: str) -> httpx.Response:
    return _delete(ctx, booking_id)


@router.delete("/bookings/{booking_id}/instance/{instance}")
def delete_occurrence(ctx: Ctx, booking_id: str, instance: str) -> httpx.Response:
    return _delete(ctx, booking_id, instance)
