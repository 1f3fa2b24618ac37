"""Staff API calendar routes: /calendars/free_busy, /calendars/availability and /events."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.placeos import booking_model as bm
from tests.fakes.placeos.event_model import (
    add_visitors,
    build_event,
    event_zones,
    events_on,
    events_on_calendars,
    find_event,
    iso,
    metadata_for,
    normalise_attendee,
    on_calendar,
    partial_headers,
    render_event,
    require_editor,
    resolve_calendars,
    room_attendee,
    room_response,
    split_partial,
    status_for,
    system_from_body,
)
from tests.fakes.placeos.guest_model import render_guest
from tests.fakes.placeos.routing import STAFF, Router
from tests.fakes.placeos.state import DEFAULT_TIMEZONE, add_attendee_row, upsert_guest
from tests.fakes.placeos.wire import (
    ApiError,
    Ctx,
    bad_request,
    empty_response,
    json_response,
    not_found,
    overlaps,
    unprocessable,
)

router = Router(STAFF)


def _period(ctx: Ctx) -> tuple[int, int]:
    start = ctx.epoch_q("period_start", required=True)
    end = ctx.epoch_q("period_end", required=True)
    assert start is not None and end is not None
    if end <= start:
        raise bad_request("period_end must be after period_start", "period_end")
    return start, end


def _renderer(ctx: Ctx) -> Any:
    return lambda b: bm.render_booking(ctx.state, b, ctx.now, with_links=False)


def _render(ctx: Ctx, event: dict[str, Any], calendar: str | None) -> dict[str, Any]:
    return render_event(ctx.state, event, calendar, _renderer(ctx))


def _event_signal(ctx: Ctx, event: dict[str, Any], action: str, **extra: Any) -> None:
    system = ctx.state.systems.get(event.get("system_id") or "")
    ctx.state.signal("staff/event/changed", {
        "action": action, "system_id": event.get("system_id"), "event_id": event["id"],
        "event_ical_uid": event["ical_uid"], "host": event["host"], "resource": system.get("email") if system else None,
        "title": event.get("title"), "event_start": event["event_start"], "event_end": event["event_end"],
        "zones": event_zones(ctx.state, event), **extra})


# -- free/busy -------------------------------------------------------------------------------------

def _busy(ctx: Ctx, start: int, end: int) -> tuple[list[tuple[str, Any, list[dict[str, Any]]]], dict[str, str]]:
    if end - start < 300:
        raise bad_request("the period must be at least 5 minutes long", "period_end")
    calendars = resolve_calendars(ctx)
    readable, limited, issues = split_partial(ctx, calendars)
    by_calendar = events_on_calendars(ctx.state, [c for c, _ in readable], start, end)
    out = [(calendar, system, by_calendar[calendar]) for calendar, system in readable]
    return out, (partial_headers(limited, issues) if limited or issues else {})


@router.get("/calendars/free_busy", calendar=True)
def free_busy(ctx: Ctx) -> httpx.Response:
    start, end = _period(ctx)
    tz = ctx.q("timezone", DEFAULT_TIMEZONE)
    found, headers = _busy(ctx, start, end)
    body = []
    for calendar, system, events in found:
        entry: dict[str, Any] = {"id": calendar}
        if system is not None:
            entry["system"] = dict(system)
        entry["availability"] = [{"status": "busy", "starts_at": e["event_start"], "ends_at": e["event_end"],
                                  "timezone": tz} for e in events]
        body.append(entry)
    return json_response(body, 206 if headers else 200, headers)


@router.get("/calendars/availability", calendar=True)
def availability(ctx: Ctx) -> httpx.Response:
    start, end = _period(ctx)
    found, headers = _busy(ctx, start, end)
    if not found and not headers:
        return empty_response(204)  # staff-api: no calendars matched (a 204 carries no body on the wire)
    body = []
    for calendar, system, events in found:
        if not events:
            body.append({"id": calendar, **({"system": dict(system)} if system is not None else {})})
    return json_response(body, 206 if headers else 200, headers)


# -- events ----------------------------------------------------------------------------------------

@router.get("/events", calendar=True)
def list_events(ctx: Ctx) -> httpx.Response:
    start, end = _period(ctx)
    include_cancelled = bool(ctx.bool_q("include_cancelled", False))
    ical_uid = ctx.q("ical_uid")
    calendars = resolve_calendars(ctx, default_own=True)
    readable, limited, issues = split_partial(ctx, calendars)
    strict = (ctx.q("strict") or "notify").lower()
    if strict == "limit" and limited:
        raise ApiError(429, f"calendar rate limited: {', '.join(limited)}", headers={"Retry-After": "1"})
    if strict == "all" and (limited or issues):
        raise ApiError(500, f"failed to read calendars: {', '.join(limited + issues)}")
    body = []
    by_calendar = events_on_calendars(ctx.state, [c for c, _ in readable], start, end,
                                      include_cancelled=include_cancelled)
    for calendar, _system in readable:
        for event in by_calendar[calendar]:
            if ical_uid is None or event["ical_uid"] == ical_uid:
                body.append(_render(ctx, event, calendar))
    headers = partial_headers(limited, issues) if limited or issues else {}
    return json_response(body, 206 if headers else 200, headers)


@router.post("/events", calendar=True)
def create_event(ctx: Ctx) -> httpx.Response:
    body = ctx.body_object()
    principal = ctx.principal
    assert principal is not None
    host_email = str(body.get("host") or principal.email).strip().lower()
    if host_email != principal.email.lower() and not principal.privileged:
        raise ApiError(403)  # no write access to someone else's calendar
    host = ctx.state.user_by_email(host_email) or {"email": host_email, "name": host_email}
    tz = body.get("timezone") or ctx.q("timezone") or DEFAULT_TIMEZONE
    event = build_event(ctx.state, body, host=host, creator=principal.email, now=ctx.now, default_tz=tz)
    system_id = event.get("system_id")
    if system_id:
        room = ctx.state.systems[system_id]["email"]
        clashes = [e["id"] for e in events_on(ctx.state, room, event["event_start"], event["event_end"])]
        if clashes:  # calendars accept double bookings; remember it so tests can see it happened
            ctx.state.double_bookings.append((system_id, event["id"], clashes))
    ctx.state.events[event["id"]] = event
    meta = metadata_for(ctx.state, event, system_id, ctx.now, create=True)
    if meta is not None and isinstance(body.get("extension_data"), dict):
        meta["ext_data"] = dict(body["extension_data"])
    add_visitors(ctx.state, event, body.get("attendees") or [], ctx.now, "meeting_created")
    _event_signal(ctx, event, "create")
    return json_response(_render(ctx, event, host_email), 201)


@router.get("/events/{event_id}", calendar=True)
def get_event(ctx: Ctx, event_id: str) -> Any:
    event, calendar = find_event(ctx, event_id)
    return _render(ctx, event, calendar)


def _update_event(ctx: Ctx, event_id: str) -> Any:
    event, calendar = find_event(ctx, event_id)
    require_editor(ctx, event, calendar)
    body = ctx.body_object()
    previous = {"previous_event_start": event["event_start"], "previous_event_end": event["event_end"],
                "previous_system_id": event.get("system_id"), "previous_host_email": event["host"]}
    start = body.get("event_start", event["event_start"])
    end = body.get("event_end", event["event_end"])
    if not isinstance(start, int) or not isinstance(end, int) or end <= start:
        raise bad_request("event_end must be after event_start (epoch seconds)", "event_end")
    for key in ("title", "body", "location", "private", "all_day", "hide_attendees", "timezone",
                "online_meeting_url", "online_meeting_provider"):
        if key in body:
            event[key] = body[key]
    event["visibility"] = "private" if event.get("private") else "normal"
    event.update(event_start=start, event_end=end)
    if "attendees" in body:
        _replace_attendees(ctx, event, body["attendees"] or [])
    new_system = system_from_body(ctx.state, body) if (body.get("system_id") or body.get("system")) else None
    if new_system is not None and new_system["id"] != event.get("system_id"):
        if calendar == (ctx.state.systems.get(event.get("system_id") or "") or {}).get("email"):
            calendar = new_system["email"]  # read back from the new room, as the move did
        _move_room(ctx, event, new_system)
    if body.get("host") and str(body["host"]).lower() != event["host"]:
        _transfer_host(ctx, event, str(body["host"]).lower())
    meta = metadata_for(ctx.state, event, event.get("system_id"), ctx.now, create=bool(event.get("system_id")))
    if meta is not None:
        meta.update(event_start=start, event_end=end, updated_at=ctx.now)
        if isinstance(body.get("extension_data"), dict):
            meta["ext_data"] = {**meta["ext_data"], **body["extension_data"]}  # merged, not replaced
    event["updated"] = iso(ctx.now)
    _event_signal(ctx, event, "update", **previous)
    return _render(ctx, event, calendar if on_calendar(event, calendar) else event["host"])


def _replace_attendees(ctx: Ctx, event: dict[str, Any], raw: list[Any]) -> None:
    wanted = [normalise_attendee(a) for a in raw]
    keep = [a for a in event["attendees"] if a["organizer"] or a["resource"]]
    emails = {a["email"] for a in keep}
    event["attendees"] = keep + [a for a in wanted if a["email"] not in emails]
    present = {a["email"] for a in event["attendees"]}
    ctx.state.attendees[:] = [r for r in ctx.state.attendees if r.get("event_ref") != event["id"]
                              or ctx.state.guests.get(r["guest_id"], {}).get("email") in present]
    add_visitors(ctx.state, event, raw, ctx.now, "meeting_updated")


def _move_room(ctx: Ctx, event: dict[str, Any], system: dict[str, Any]) -> None:
    """Query system_id = the old room, body system_id = the new one: swap the resource attendee."""
    old_id = event.get("system_id")
    old = ctx.state.systems.get(old_id or "")
    event["attendees"] = [a for a in event["attendees"] if not (old and a["email"] == old["email"])]
    event["attendees"].append(room_attendee(system, room_response(system)))
    event["system_id"] = system["id"]
    event["location"] = system["name"]
    meta = ctx.state.event_metadata.pop((event["id"], old_id), None)
    if meta is not None:
        meta.update(system_id=system["id"], resource_calendar=system["email"])
        ctx.state.event_metadata[(event["id"], system["id"])] = meta
    for row in ctx.state.attendee_rows(event_id=event["id"]):
        row["system_id"] = system["id"]


def _transfer_host(ctx: Ctx, event: dict[str, Any], new_host: str) -> None:
    """O365 hands a meeting over by cancelling and recreating it: new id and iCalUId."""
    user = ctx.state.user_by_email(new_host) or {"email": new_host, "name": new_host}
    old_id = event["id"]
    for attendee in event["attendees"]:
        attendee["organizer"] = False
    event["attendees"] = [a for a in event["attendees"] if a["email"] != new_host]
    event["attendees"].insert(0, {"name": user["name"], "email": new_host, "response_status": "accepted",
                                  "resource": False, "organizer": True})
    event["host"] = new_host
    new_id = ctx.state.new_event_id()
    event["id"] = new_id
    event["ical_uid"] = f"{new_id}-{ctx.state.next_id('ical', 1000)}@{new_host.split('@')[-1]}"
    ctx.state.events[new_id] = ctx.state.events.pop(old_id)
    for (eid, sid), meta in list(ctx.state.event_metadata.items()):
        if eid == old_id:
            del ctx.state.event_metadata[(eid, sid)]
            meta.update(event_id=new_id, ical_uid=event["ical_uid"], host_email=new_host)
            ctx.state.event_metadata[(new_id, sid)] = meta
    for row in ctx.state.attendees:
        if row.get("event_ref") == old_id:
            row["event_ref"] = new_id


@router.patch("/events/{event_id}", calendar=True)
def patch_event(ctx: Ctx, event_id: str) -> Any:
    return _update_event(ctx, event_id)


@router.put("/events/{event_id}", calendar=True)
def put_event(ctx: Ctx, event_id: str) -> Any:
    return _update_event(ctx, event_id)


@router.delete("/events/{event_id}", calendar=True)
def delete_event(ctx: Ctx, event_id: str) -> httpx.Response:
    event, calendar = find_event(ctx, event_id)
    require_editor(ctx, event, calendar)
    if calendar == event["host"]:
        del ctx.state.events[event["id"]]  # the organiser deleting cancels the meeting everywhere
        cancelled = [m for (eid, _), m in ctx.state.event_metadata.items() if eid == event["id"]]
    else:
        # An attendee mailbox (a room) deleting only drops its own copy, as in Exchange.
        event.setdefault("removed_from", []).append(calendar)
        system = ctx.state.system_by_email(calendar)
        meta = ctx.state.event_metadata.get((event["id"], system["id"])) if system else None
        cancelled = [meta] if meta else []
    for meta in cancelled:
        meta["cancelled"] = True
    _event_signal(ctx, event, "cancelled", reason="deleted")
    return empty_response(202)


@router.post("/events/{event_id}/decline", calendar=True)
def decline_event(ctx: Ctx, event_id: str) -> httpx.Response:
    event, calendar = find_event(ctx, event_id)
    require_editor(ctx, event, calendar)
    if calendar == event["host"]:
        event["status"] = "cancelled"  # the organiser declining cancels the meeting for everyone
    for attendee in event["attendees"]:
        if attendee["email"] == calendar:
            attendee["response_status"] = "declined"
    _event_signal(ctx, event, "cancelled", reason="declined")
    return empty_response(202)


def _room_decision(ctx: Ctx, event_id: str, response: str) -> Any:
    system_id = ctx.required("system_id")
    event, calendar = find_event(ctx, event_id)
    if ctx.principal is None or not ctx.principal.privileged:
        raise ApiError(403)
    changed = False
    for attendee in event["attendees"]:
        if attendee["email"] == calendar and attendee["resource"]:
            attendee["response_status"] = response
            changed = True
    if not changed:
        raise not_found(f"system {system_id} is not a resource on event {event_id}")
    if response == "declined":
        _event_signal(ctx, event, "cancelled", reason="rejected")
    return True


@router.post("/events/{event_id}/approve", calendar=True)
def approve_event(ctx: Ctx, event_id: str) -> Any:
    return _room_decision(ctx, event_id, "accepted")


@router.post("/events/{event_id}/reject", calendar=True)
def reject_event(ctx: Ctx, event_id: str) -> Any:
    return _room_decision(ctx, event_id, "declined")


# -- metadata, guests, clashes ---------------------------------------------------------------------

def _event_on_system(ctx: Ctx, event_id: str, system_id: str) -> dict[str, Any]:
    system = ctx.state.systems.get(system_id)
    event = ctx.state.events.get(event_id)
    if system is None or event is None or not system.get("email") or not on_calendar(event, system["email"]):
        raise not_found(f"event {event_id} not found on system {system_id}")
    return event


@router.get("/events/{event_id}/metadata/{system_id}")
def get_event_metadata(ctx: Ctx, event_id: str, system_id: str) -> Any:
    event = _event_on_system(ctx, event_id, system_id)
    meta = metadata_for(ctx.state, event, system_id, ctx.now)
    return dict(meta["ext_data"]) if meta else {}


def _write_event_metadata(ctx: Ctx, event_id: str, system_id: str, merge: bool) -> Any:
    event = _event_on_system(ctx, event_id, system_id)
    require_editor(ctx, event, ctx.state.systems[system_id]["email"])
    data = ctx.body_object()
    meta = metadata_for(ctx.state, event, system_id, ctx.now, create=True)
    assert meta is not None
    meta["ext_data"] = {**meta["ext_data"], **data} if merge else dict(data)
    for key in ("setup_time", "breakdown_time"):
        value = ctx.int_q(key, minimum=0)
        if value is not None:
            meta[key] = value
    for key in ("setup_event_id", "breakdown_event_id"):
        if ctx.q(key):
            meta[key] = ctx.q(key)
    meta["updated_at"] = ctx.now
    if merge:
        _event_signal(ctx, event, "update", ext_data=dict(meta["ext_data"]))
    return dict(meta["ext_data"])


@router.put("/events/{event_id}/metadata/{system_id}")
def put_event_metadata(ctx: Ctx, event_id: str, system_id: str) -> Any:
    return _write_event_metadata(ctx, event_id, system_id, merge=False)


@router.patch("/events/{event_id}/metadata/{system_id}")
def patch_event_metadata(ctx: Ctx, event_id: str, system_id: str) -> Any:
    return _write_event_metadata(ctx, event_id, system_id, merge=True)


@router.get("/events/{event_id}/guests", calendar=True)
def event_guests(ctx: Ctx, event_id: str) -> Any:
    ctx.required("system_id")
    event, _calendar = find_event(ctx, event_id)
    out = []
    for row in ctx.state.attendee_rows(event_id=event["id"]):
        guest = ctx.state.guests.get(row["guest_id"])
        if guest is not None:
            out.append(render_guest(guest, row))
    return out


def _guest_check_in(ctx: Ctx, event_id: str, guest_ref: str) -> Any:
    event, calendar = find_event(ctx, event_id)
    if status_for(event, calendar) == "cancelled":
        raise not_found(f"event {event_id} is cancelled")
    state = bool(ctx.bool_q("state", True))
    email = guest_ref.strip().lower()
    guest = ctx.state.guest_by_ref(guest_ref)
    if guest is not None:
        email = guest["email"]
    if not any(a["email"] == email for a in event["attendees"]):
        raise not_found(f"{guest_ref} is not an attendee of event {event_id}")
    if guest is None:
        attendee = next(a for a in event["attendees"] if a["email"] == email)
        guest = upsert_guest(ctx.state, {"email": email, "name": attendee["name"]}, ctx.now)
    row = next((r for r in ctx.state.attendee_rows(event_id=event["id"]) if r["guest_id"] == guest["id"]), None)
    if row is None:
        row = add_attendee_row(ctx.state, guest, event_ref=event["id"], system_id=event.get("system_id"))
    row["checked_in"] = state
    system = ctx.state.systems.get(event.get("system_id") or "")
    ctx.state.signal("staff/guest/checkin", {
        "action": "checkin", "id": guest["id"], "checkin": state, "system_id": event.get("system_id"),
        "event_id": event["id"], "host": event["host"], "resource": system.get("email") if system else None,
        "event_title": event.get("title"), "event_starting": event["event_start"],
        "attendee_name": guest.get("name"), "attendee_email": guest["email"], "zones": event_zones(ctx.state, event)})
    return render_guest(guest, row)


@router.post("/events/{event_id}/guests/{guest_ref}/check_in", calendar=True)
def event_guest_check_in(ctx: Ctx, event_id: str, guest_ref: str) -> Any:
    return _guest_check_in(ctx, event_id, guest_ref)


@router.post("/events/{event_id}/guests/{guest_ref}/checkin", calendar=True)
def event_guest_checkin_alias(ctx: Ctx, event_id: str, guest_ref: str) -> Any:
    return _guest_check_in(ctx, event_id, guest_ref)


@router.post("/events/clashing-assets")
def event_clashing_assets(ctx: Ctx) -> Any:
    return_available = bool(ctx.bool_q("return_available", False))
    include_time = bool(ctx.bool_q("include_clash_time", False))
    if return_available and include_time:
        raise bad_request("return_available and include_clash_time are mutually exclusive", "include_clash_time")
    body = ctx.body_object()
    start, end = body.get("event_start"), body.get("event_end")
    if not isinstance(start, int) or not isinstance(end, int):
        raise unprocessable("event_start and event_end are required", "event_start")
    if end <= start:
        raise unprocessable("event_end must be after event_start", "event_end")
    wanted = body.get("system_ids") or ([body["system_id"]] if body.get("system_id") else None)
    candidates = [s for s in ctx.state.systems.values() if s.get("email") and (wanted is None or s["id"] in wanted)]
    clashes: list[dict[str, Any]] = []
    for system in sorted(candidates, key=lambda s: s["id"]):
        for event in events_on(ctx.state, system["email"], start, end):
            if overlaps(start, end, event["event_start"], event["event_end"]) and event["id"] != body.get("id"):
                clashes.append({"system_id": system["id"], "event_start": event["event_start"],
                                "event_end": event["event_end"]})
    clashing_ids = list(dict.fromkeys(c["system_id"] for c in clashes))
    if include_time:
        return clashes
    if return_available:
        return [s["id"] for s in sorted(candidates, key=lambda s: s["id"]) if s["id"] not in clashing_ids]
    return clashing_ids
