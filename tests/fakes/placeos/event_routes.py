"""Staff API calendar routes: /calendars/free_busy, /calendars/availability and /events."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.placeos import booking_model as bm
from tests.fakes.placeos import event_metadata_routes
from tests.fakes.placeos.event_metadata_routes import event_signal
from tests.fakes.placeos.event_model import (
    ON_SYSTEM,
    add_visitors,
    announce_visitor,
    build_event,
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
    system_from_body,
)
from tests.fakes.placeos.event_parse import parse_calendar_event
from tests.fakes.placeos.routing import STAFF, Router
from tests.fakes.placeos.state import DEFAULT_TIMEZONE, add_attendee_row, upsert_guest
from tests.fakes.placeos.wire import (
    ApiError,
    Ctx,
    bad_request,
    empty_response,
    json_response,
    not_found,
)

router = Router(STAFF)
# First, so "/events/clashing-assets" is never taken for an event id.
router.routes.extend(event_metadata_routes.router.routes)


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
    event_signal(ctx, event, "create")
    return json_response(_render(ctx, event, host_email), 201)


@router.get("/events/{event_id}", calendar=True)
def get_event(ctx: Ctx, event_id: str) -> Any:
    event, calendar = find_event(ctx, event_id, missing=ON_SYSTEM)
    return _render(ctx, event, calendar)


def _update_event(ctx: Ctx, event_id: str) -> Any:
    """staff-api src/controllers/events.cr ``update``: the body is a whole PlaceCalendar::Event
    (400 otherwise), and what it says *is* the event afterwards: its title, body, location,
    flags and attendee list replace the old ones (the calendar client sends them on)."""
    changes = parse_calendar_event(ctx.body())
    event, calendar = find_event(ctx, event_id)
    require_editor(ctx, event, calendar)
    if changes.get("event_end") is None:
        raise bad_request("event_end must be present")
    start, end = changes["event_start"], changes["event_end"]
    if end <= start:
        raise bad_request("event_end must be after event_start (epoch seconds)", "event_end")
    previous = {"previous_event_start": event["event_start"], "previous_event_end": event["event_end"],
                "previous_system_id": event.get("system_id"), "previous_host_email": event["host"]}
    for key in ("title", "body", "location"):
        event[key] = changes.get(key)
    event.update(private=changes["private"], all_day=changes["all_day"],
                 hide_attendees=bool(changes.get("hide_attendees") or False))
    for key in ("timezone", "online_meeting_url", "online_meeting_provider"):
        if changes.get(key) is not None:
            event[key] = changes[key]
    event["visibility"] = "private" if event.get("private") else "normal"
    event.update(event_start=start, event_end=end)
    system = ctx.state.systems.get(ctx.q("system_id") or "") or ctx.state.systems.get(event.get("system_id") or "")
    _replace_attendees(ctx, event, changes["attendees"], system)
    new_system = system_from_body(ctx.state, changes) if changes.get("system_id") else None
    if new_system is not None and new_system["id"] != event.get("system_id"):
        if calendar == (ctx.state.systems.get(event.get("system_id") or "") or {}).get("email"):
            calendar = new_system["email"]  # read back from the new room, as the move did
        _move_room(ctx, event, new_system)
    if changes.get("host") and str(changes["host"]).lower() != event["host"]:
        _transfer_host(ctx, event, str(changes["host"]).lower())
    meta = metadata_for(ctx.state, event, event.get("system_id"), ctx.now, create=bool(event.get("system_id")))
    if meta is not None:
        meta.update(event_start=start, event_end=end, updated_at=ctx.now)
        if isinstance(changes.get("extension_data"), dict):
            meta["ext_data"] = {**meta["ext_data"], **changes["extension_data"]}  # merged, not replaced
        _record_visitors(ctx, event, changes["attendees"])
    event["updated"] = iso(ctx.now)
    event_signal(ctx, event, "update", **previous)
    return _render(ctx, event, calendar if on_calendar(event, calendar) else event["host"])


def _replace_attendees(ctx: Ctx, event: dict[str, Any], raw: list[Any], system: dict[str, Any] | None) -> None:
    """The sent list becomes the attendee list; the host is put back if missing (accepted), and so
    is the room the event is addressed through (events.cr update). People already invited keep
    their response, as the calendar keeps it."""
    existing = {a["email"]: a for a in event["attendees"]}
    wanted: list[dict[str, Any]] = []
    for attendee in (normalise_attendee(a) for a in raw):
        if attendee["email"] not in {w["email"] for w in wanted}:
            wanted.append(existing.get(attendee["email"], attendee))
    emails = {a["email"] for a in wanted}
    if event["host"] not in emails:
        wanted.insert(0, existing.get(event["host"]) or {"name": event["host"], "email": event["host"],
                                                        "response_status": "accepted", "resource": False,
                                                        "organizer": True})
    if system is not None and system.get("email") and system["email"] not in emails:
        wanted.append(existing.get(system["email"]) or room_attendee(system, room_response(system)))
    event["attendees"] = wanted
    present = {a["email"] for a in wanted}
    ctx.state.attendees[:] = [r for r in ctx.state.attendees if r.get("event_ref") != event["id"]
                              or ctx.state.guests.get(r["guest_id"], {}).get("email") in present]


def _record_visitors(ctx: Ctx, event: dict[str, Any], raw: list[Any]) -> None:
    """events.cr update, for an event with a system: every attendee sent with ``visit_expected``
    (true or false) gets a Guest (its ``extension_data`` replaced by the attendee's, ``{}`` when
    none was sent) and an Attendee row; only someone newly visiting is announced."""
    rows = {ctx.state.guests[r["guest_id"]]["email"]: r for r in ctx.state.attendee_rows(event_id=event["id"])
            if r["guest_id"] in ctx.state.guests}
    for attendee in raw:
        if attendee.get("visit_expected") is None:
            continue
        email = str(attendee["email"]).strip().lower()
        guest = upsert_guest(ctx.state, {**attendee, "email": email}, ctx.now)
        guest["extension_data"] = dict(attendee.get("extension_data") or {})
        row = rows.get(email)
        was_visiting = bool(row and row["visit_expected"])
        if row is None:
            row = add_attendee_row(ctx.state, guest, event_ref=event["id"], system_id=event.get("system_id"),
                                   visit_expected=bool(attendee["visit_expected"]))
        row["visit_expected"] = bool(attendee["visit_expected"])
        if row["visit_expected"] and not was_visiting:
            announce_visitor(ctx.state, event, guest, "meeting_update")


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
    event_signal(ctx, event, "cancelled", reason="deleted")
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
    event_signal(ctx, event, "cancelled", reason="declined")
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
        event_signal(ctx, event, "cancelled", reason="rejected")
    return True


@router.post("/events/{event_id}/approve", calendar=True)
def approve_event(ctx: Ctx, event_id: str) -> Any:
    return _room_decision(ctx, event_id, "accepted")


@router.post("/events/{event_id}/reject", calendar=True)
def reject_event(ctx: Ctx, event_id: str) -> Any:
    return _room_decision(ctx, event_id, "declined")
