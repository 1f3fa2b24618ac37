"""Calendar events as the fake keeps them, and how staff-api presents them.

One stored record per meeting; it shows up on every calendar that is the host's or an attendee's
(rooms are resource attendees), like a meeting in Exchange does. Staff-api's side-car EventMetadata
(``extension_data``, setup/breakdown padding) is kept per (event, room).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tests.fakes.placeos.state import (
    TENANT_ID,
    FakeState,
    add_attendee_row,
    upsert_guest,
)
from tests.fakes.placeos.wire import ApiError, bad_request, not_found, overlaps

if TYPE_CHECKING:
    from tests.fakes.placeos.wire import Ctx

RESPONSES = ("needsAction", "accepted", "tentative", "declined")
GUEST_EXTRA = ("preferred_name", "phone", "organisation", "photo", "notes", "banned", "dangerous")


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def room_attendee(system: dict[str, Any], response: str) -> dict[str, Any]:
    return {"name": system["name"], "email": system["email"], "response_status": response,
            "resource": True, "organizer": False}


def normalise_attendee(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not str(raw.get("email") or "").strip():
        raise bad_request("each attendee needs an email")
    response = raw.get("response_status") or "needsAction"
    if response not in RESPONSES:
        raise bad_request(f"invalid attendee response_status {response!r}")
    return {"name": raw.get("name") or raw["email"], "email": str(raw["email"]).strip().lower(),
            "response_status": response, "resource": bool(raw.get("resource", False)),
            "organizer": bool(raw.get("organizer", False))}


def system_from_body(state: FakeState, body: dict[str, Any]) -> dict[str, Any] | None:
    system_id = body.get("system_id") or (body.get("system") or {}).get("id")
    if not system_id:
        return None
    system = fetch_system(state, system_id)
    if not system.get("email"):
        raise bad_request(f"system {system_id} has no resource mailbox", "system_id")
    return system


def room_response(system: dict[str, Any]) -> str:
    # Rooms that need approval leave the invite pending until someone approves on their behalf.
    return "needsAction" if system.get("approval") else "accepted"


def build_event(state: FakeState, body: dict[str, Any], *, host: dict[str, Any], creator: str,
                now: int, default_tz: str) -> dict[str, Any]:
    """A new event from a POST /events body (also used by the seed)."""
    start, end = _times(body)
    system = system_from_body(state, body)
    attendees = [normalise_attendee(a) for a in body.get("attendees") or []]
    host_email = host["email"].lower()
    emails = [a["email"] for a in attendees]
    if host_email in emails:
        hosted = attendees[emails.index(host_email)]
        hosted.update(response_status="accepted", organizer=True)
    else:
        attendees.insert(0, {"name": host["name"], "email": host_email, "response_status": "accepted",
                             "resource": False, "organizer": True})
    if system is not None and system["email"] not in [a["email"] for a in attendees]:
        attendees.append(room_attendee(system, room_response(system)))
    private = bool(body.get("private", False))
    event_id = state.new_event_id()
    return {
        "id": event_id,
        "ical_uid": f"{event_id}-{state.next_id('ical', 1000)}@{host_email.split('@')[-1]}",
        "recurring_event_id": None,
        "event_start": start,
        "event_end": end,
        "host": host_email,
        "creator": creator.lower(),
        "title": body.get("title"),
        "body": body.get("body"),
        "location": body.get("location") or (system["name"] if system else None),
        "attendees": attendees,
        "hide_attendees": bool(body.get("hide_attendees", False)),
        "private": private,
        "all_day": bool(body.get("all_day", False)),
        "timezone": body.get("timezone") or default_tz,
        "recurring": False,
        "recurrence": None,
        "status": "confirmed",
        "visibility": "private" if private else "normal",
        "online_meeting_provider": body.get("online_meeting_provider"),
        "online_meeting_url": body.get("online_meeting_url"),
        "system_id": system["id"] if system else None,
        "created": iso(now),
        "updated": iso(now),
    }


def _times(body: dict[str, Any]) -> tuple[int, int]:
    start, end = body.get("event_start"), body.get("event_end")
    if not isinstance(start, int) or isinstance(start, bool):
        raise bad_request("event_start is required (epoch seconds)", "event_start")
    if not isinstance(end, int) or isinstance(end, bool):
        raise bad_request("event_end is required (epoch seconds)", "event_end")
    if end <= start:
        raise bad_request("event_end must be after event_start", "event_end")
    return start, end


def add_visitors(state: FakeState, event: dict[str, Any], raw_attendees: list[Any], now: int,
                 action: str) -> None:
    """Attendees sent with visit_expected become Guest + Attendee rows and a staff/guest/attending signal."""
    known = {state.guests[r["guest_id"]]["email"] for r in state.attendee_rows(event_id=event["id"])
             if r["guest_id"] in state.guests}
    for raw in raw_attendees:
        if not isinstance(raw, dict) or not raw.get("visit_expected"):
            continue
        email = str(raw.get("email", "")).strip().lower()
        if not email or email in known or email == event["host"]:
            continue
        guest = upsert_guest(state, raw, now)
        add_attendee_row(state, guest, event_ref=event["id"], system_id=event.get("system_id"))
        known.add(email)
        announce_visitor(state, event, guest, action)


def announce_visitor(state: FakeState, event: dict[str, Any], guest: dict[str, Any], action: str) -> None:
    state.signal("staff/guest/attending", {
        "action": action, "id": guest["id"], "system_id": event.get("system_id"), "event_id": event["id"],
        "event_ical_uid": event["ical_uid"], "host": event["host"], "resource": _room_email(state, event),
        "event_title": event.get("title"), "event_starting": event["event_start"],
        "attendee_name": guest.get("name"), "attendee_email": guest["email"], "zones": event_zones(state, event)})


def _room_email(state: FakeState, event: dict[str, Any]) -> str | None:
    system = state.systems.get(event.get("system_id") or "")
    return system.get("email") if system else None


def event_zones(state: FakeState, event: dict[str, Any]) -> list[str]:
    system = state.systems.get(event.get("system_id") or "")
    return list(system.get("zones", [])) if system else []


def on_calendar(event: dict[str, Any], calendar: str) -> bool:
    calendar = calendar.lower()
    if calendar in event.get("removed_from", ()):
        return False  # deleted from this mailbox only (an attendee deleting its copy)
    return event["host"] == calendar or any(a["email"] == calendar for a in event["attendees"])


def status_for(event: dict[str, Any], calendar: str) -> str:
    """As Graph reports it: a mailbox that declined sees the meeting as cancelled."""
    if event["status"] == "cancelled":
        return "cancelled"
    for attendee in event["attendees"]:
        if attendee["email"] == calendar.lower() and attendee["response_status"] == "declined":
            return "cancelled"
    return event["status"]


def events_on(state: FakeState, calendar: str, start: int, end: int, *,
              include_cancelled: bool = False) -> list[dict[str, Any]]:
    return events_on_calendars(state, [calendar], start, end, include_cancelled=include_cancelled)[calendar]


def events_on_calendars(state: FakeState, calendars: list[str], start: int, end: int, *,
                        include_cancelled: bool = False) -> dict[str, list[dict[str, Any]]]:
    """``events_on`` for many calendars in one pass over the events: a free/busy for a zone of
    1,000 rooms would otherwise scan every event once per room (the benchmark's bottleneck)."""
    wanted = {c.lower(): c for c in calendars}
    found: dict[str, list[dict[str, Any]]] = {c: [] for c in calendars}
    for event in state.events.values():
        if not overlaps(start, end, event["event_start"], event["event_end"]):
            continue
        mailboxes = {event["host"], *(a["email"] for a in event["attendees"])}
        for mailbox in mailboxes & wanted.keys():
            calendar = wanted[mailbox]
            if on_calendar(event, calendar) and (include_cancelled or status_for(event, calendar) != "cancelled"):
                found[calendar].append(event)
    for events in found.values():
        events.sort(key=lambda e: (e["event_start"], e["id"]))
    return found


def metadata_for(state: FakeState, event: dict[str, Any], system_id: str | None, now: int, *,
                 create: bool = False) -> dict[str, Any] | None:
    key = (event["id"], system_id)
    meta = state.event_metadata.get(key)
    if meta is None and create:
        meta = {"id": state.next_id("metadata", 9000), "tenant_id": TENANT_ID, "system_id": system_id,
                "event_id": event["id"], "ical_uid": event["ical_uid"], "host_email": event["host"],
                "resource_calendar": _room_email(state, event), "event_start": event["event_start"],
                "event_end": event["event_end"], "cancelled": False, "ext_data": {}, "setup_time": 0,
                "breakdown_time": 0, "setup_event_id": None, "breakdown_event_id": None,
                "permission": "PRIVATE", "created_at": now, "updated_at": now}
        state.event_metadata[key] = meta
    return meta


def render_attendee(state: FakeState, event: dict[str, Any], attendee: dict[str, Any]) -> dict[str, Any]:
    out = {**attendee, "checked_in": False, "visit_expected": False, "extension_data": {}}
    out.update({key: None for key in GUEST_EXTRA})
    for row in state.attendee_rows(event_id=event["id"]):
        guest = state.guests.get(row["guest_id"])
        if guest and guest["email"] == attendee["email"]:
            out.update(checked_in=row["checked_in"], visit_expected=row["visit_expected"],
                       extension_data=dict(guest.get("extension_data") or {}))
            out.update({key: guest.get(key) for key in GUEST_EXTRA})
            if guest.get("name"):
                out["name"] = guest["name"]
    return out


def render_event(state: FakeState, event: dict[str, Any], calendar: str | None,
                 render_booking: Any = None) -> dict[str, Any]:
    """The Event JSON staff-api returns, read from ``calendar``'s point of view."""
    out = {key: value for key, value in event.items() if key not in ("system_id", "removed_from")}
    out["attendees"] = [render_attendee(state, event, a) for a in event["attendees"]]
    out["status"] = status_for(event, calendar) if calendar else event["status"]
    out["calendar"] = out["mailbox"] = calendar
    system = state.systems.get(event.get("system_id") or "")
    out["system_id"] = system["id"] if system else None
    out["system"] = dict(system) if system else None
    meta = state.event_metadata.get((event["id"], event.get("system_id")))
    out["extension_data"] = dict(meta["ext_data"]) if meta else {}
    for key in ("setup_time", "breakdown_time", "setup_event_id", "breakdown_event_id", "permission"):
        out[key] = meta.get(key) if meta else None
    linked = []
    if meta and render_booking is not None:
        linked = [render_booking(b) for b in state.bookings.values() if b.get("event_id") == meta["id"]]
    out["linked_bookings"] = linked
    return out


# -- calendar resolution (zone_ids / system_ids / calendars -> mailboxes) --------------------------

def resolve_calendars(ctx: Ctx, *, zone_params: tuple[str, ...] = ("zone_ids",),
                      default_own: bool = False) -> list[tuple[str, dict[str, Any] | None]]:
    """Staff-api's resolution: zones -> systems in that zone (filtered) -> their mailboxes; then systems; then calendars."""
    state = ctx.state
    capacity = ctx.int_q("capacity")
    bookable = ctx.bool_q("bookable")
    features = ctx.list_q("features")
    out: list[tuple[str, dict[str, Any] | None]] = []
    seen: set[str] = set()

    def add(email: str, system: dict[str, Any] | None) -> None:
        if email.lower() not in seen:
            seen.add(email.lower())
            out.append((email.lower(), system))

    for zone_id in ctx.list_q(*zone_params):
        if zone_id not in state.zones:
            raise not_found(f"zone {zone_id} not found")
        for system in sorted(state.systems.values(), key=lambda s: s["name"]):
            if zone_id not in system["zones"] or not system.get("email"):
                continue
            if capacity is not None and system["capacity"] < capacity:
                continue
            if bookable is not None and system["bookable"] != bookable:
                continue
            if not set(features) <= set(system["features"]):
                continue
            add(system["email"], system)
    for system_id in ctx.list_q("system_ids"):
        system = fetch_system(state, system_id)
        if system.get("email"):
            add(system["email"], system)
    for email in ctx.list_q("calendars"):
        add(email, state.system_by_email(email))
    if not out and default_own and ctx.principal is not None:
        add(ctx.principal.email, None)
    return out


def system_not_found(system_id: str) -> ApiError:
    """How staff-api answers when ``placeos_client.systems.fetch`` fails: the engine's 404 becomes a
    ``PlaceOS::Client::API::Error`` ("<status message>\\n<engine body>", PlaceOS/crystal-client
    api/error.cr), rendered 404 by ``handled_generic_error`` (staff-api controllers/application.cr);
    the engine's own body is PgORM's ``find!`` message (rest-api controllers/systems.cr)."""
    return not_found("Not Found\n" + json.dumps({"error": f"Key not present: {system_id}"}))


def fetch_system(state: FakeState, system_id: str) -> dict[str, Any]:
    system = state.systems.get(system_id)
    if system is None:
        raise system_not_found(system_id)
    return system


def room_calendars(ctx: Ctx) -> list[tuple[str, dict[str, Any]]]:
    """The room calendars of guests.cr ``index``: ``matching_calendar_ids(calendars, zone_ids,
    system_ids)`` (staff-api controllers/utilities/placeos-helpers.cr) with no capacity/feature
    filters, keeping only the calendars that came with a system (index skips the others).
    A zone is a systems *search*, so an unknown zone finds nothing; a system id is a *fetch*, so
    an unknown one is the engine's 404."""
    state = ctx.state
    found: dict[str, dict[str, Any]] = {}
    for zone_id in ctx.list_q("zone_ids"):
        for system in sorted(state.systems.values(), key=lambda s: s["id"]):
            if zone_id in system["zones"] and system.get("email"):
                found[system["email"].lower()] = system
    for system_id in ctx.list_q("system_ids"):
        system = fetch_system(state, system_id)
        if system.get("email"):
            found[system["email"].lower()] = system
    return list(found.items())


RAW_ATTENDEE_KEYS = ("name", "email", "response_status", "resource", "organizer")
AUGMENTED_KEYS = ("system_id", "system", "calendar", "extension_data", "linked_bookings", "setup_time",
                  "breakdown_time", "setup_event_id", "breakdown_event_id", "permission", "recurring_master_id")


def calendar_event(state: FakeState, event: dict[str, Any], calendar: str) -> dict[str, Any]:
    """The event as the calendar client lists it, before ``StaffApi::Event.augment``: no system,
    no metadata, attendees without visitor fields (guests.cr ``index`` hands this to Guest#to_h)."""
    out = render_event(state, event, calendar)
    for key in AUGMENTED_KEYS:
        out.pop(key, None)
    out["attendees"] = [{k: a.get(k) for k in RAW_ATTENDEE_KEYS} for a in event["attendees"]]
    return out


def split_partial(ctx: Ctx, calendars: list[tuple[str, Any]]) -> tuple[list[tuple[str, Any]], list[str], list[str]]:
    """Drop the calendars the test marked as failing; returns (readable, rate-limited, other failures)."""
    failing = {k.lower(): v for k, v in ctx.fake.partial_calendars.items()}
    ok = [(c, s) for c, s in calendars if c not in failing]
    limited = [c for c, _ in calendars if failing.get(c) == "limit"]
    issues = [c for c, _ in calendars if c in failing and failing[c] != "limit"]
    return ok, limited, issues


def partial_headers(limited: list[str], issues: list[str]) -> dict[str, str]:
    headers = {"X-Calendar-Errors": str(len(limited) + len(issues))}
    if limited:
        headers["X-Calendar-Limit"] = ",".join(limited)
    if issues:
        headers["X-Calendar-Issue"] = ",".join(issues)
    return headers


# How each events.cr route words "no such event" (all 404 ``{error}``; an unknown system_id is the
# engine's 404 from ``systems.fetch`` before any of them, see ``system_not_found``).
SEARCHING = "failed to find event {event_id} searching on {calendar} as {user}"  # update, cancel_event, guest_checkin
ON_SYSTEM = "event {event_id} not found on system calendar {calendar}"  # show / guest_list with system_id
ON_CALENDAR = "event {event_id} not found on calendar {calendar}"  # show without system_id


def find_event(ctx: Ctx, event_id: str, *, system_param: str = "system_id",
               missing: str = SEARCHING) -> tuple[dict[str, Any], str]:
    """The event and the calendar it is read from: ?system_id= (room), ?calendar=, else the caller's."""
    state = ctx.state
    system_id = ctx.q(system_param)
    user = ctx.principal.email.lower() if ctx.principal else ""
    calendar = (ctx.q("calendar") or "").lower()
    if system_id:
        system = fetch_system(state, system_id)
        if not system.get("email") and not calendar:
            raise bad_request(f"system '{system['name']}' ({system_id}) does not have a resource email address "
                              "specified", "system_id")
        calendar = calendar or system["email"].lower()
    elif missing == ON_SYSTEM:
        missing = ON_CALENDAR
    calendar = calendar or user
    event = state.events.get(event_id)
    if event is None or not calendar or not on_calendar(event, calendar):
        raise not_found(missing.format(event_id=event_id, calendar=calendar or "(none)", user=user))
    return event, calendar


def require_editor(ctx: Ctx, event: dict[str, Any], calendar: str) -> None:
    principal = ctx.principal
    if principal is None:
        raise ApiError(401, "authentication required")
    if principal.privileged or principal.email.lower() in (event["host"], calendar):
        return
    raise ApiError(403)

