"""Calendar items: building an event from a create body, the copies Exchange keeps in attendees'
and rooms' mailboxes, and the room's automatic reply.

Rules and where they come from:
- Properties and defaults: api-reference/v1.0/resources/event.md (allowNewTimeProposals and
  responseRequested default true; location and locations kept in step; at most 500 attendees).
- Rooms: user-post-events.md, "Setting the location in an event": invite the room as an attendee
  of type ``resource``; "on behalf of the resource, the server accepts or rejects the meeting
  request based on the free/busy schedule of the resource", and an accepted meeting is put in the
  resource's calendar. Exchange answers asynchronously in reality; ``FakeGraph.defer_room_replies``
  holds the answer back until ``process_room_replies()`` so clients can be tested polling for it.
- Organizer vs attendee copies share one ``iCalUId``; an attendee copy starts ``notResponded``,
  the organizer's ``organizer`` (responseStatus in the user-post-events.md samples).
- Online meetings: event.md ``isOnlineMeeting``/``onlineMeetingProvider``; a Teams meeting gets
  ``onlineMeeting`` with ``joinUrl``, ``conferenceId`` and ``tollNumber`` as in the sample of
  user-post-events.md ("Create and enable an event as an online meeting"; onlinemeetinginfo.md),
  while ``onlineMeetingUrl`` stays null (it is for Skype-era providers). The seeded calendars
  allow only ``teamsForBusiness``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from tests.fakes.graph.state import GraphState
from tests.fakes.graph.times import format_dtz, iso_utc, parse_dtz
from tests.fakes.graph.wire import bad_request, fold

EVENT_TYPE = "Microsoft.OutlookServices.Event"
# Every property of event.md (plus transactionId, documented on newer revisions of the page).
EVENT_PROPERTIES = [
    "allowNewTimeProposals", "attendees", "body", "bodyPreview", "categories", "changeKey", "createdDateTime", "end",
    "hasAttachments", "hideAttendees", "iCalUId", "id", "importance", "isAllDay", "isCancelled", "isDraft",
    "isOnlineMeeting", "isOrganizer", "isReminderOn", "lastModifiedDateTime", "location", "locations",
    "onlineMeeting", "onlineMeetingProvider", "onlineMeetingUrl", "organizer", "originalEndTimeZone",
    "originalStart", "originalStartTimeZone", "recurrence", "reminderMinutesBeforeStart", "responseRequested",
    "responseStatus", "sensitivity", "seriesMasterId", "showAs", "start", "subject", "transactionId", "type",
    "webLink", "attachments", "calendar", "extensions", "instances", "multiValueExtendedProperties",
    "singleValueExtendedProperties",
]
WRITABLE = {"allowNewTimeProposals", "attendees", "body", "categories", "end", "hideAttendees", "importance",
            "isAllDay", "isOnlineMeeting", "isReminderOn", "location", "locations", "onlineMeetingProvider",
            "reminderMinutesBeforeStart", "responseRequested", "sensitivity", "showAs", "start", "subject",
            "transactionId"}
ENUMS = {
    "importance": ("low", "normal", "high"),
    "sensitivity": ("normal", "personal", "private", "confidential"),
    "showAs": ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown"),
    "onlineMeetingProvider": ("unknown", "teamsForBusiness", "skypeForBusiness", "skypeForConsumer"),
}
ATTENDEE_TYPES = ("required", "optional", "resource")
MAX_ATTENDEES = 500  # event.md
NEVER = "0001-01-01T00:00:00Z"  # responseStatus.time before any response, as in the samples


def parse_event_body(data: dict[str, Any]) -> dict[str, Any]:
    """The writable fields of a create/update body, validated; unknown names are 400 RequestBodyRead
    and read-only ones (id, createdDateTime...) are ignored like the service does."""
    folded = fold(data, EVENT_PROPERTIES, EVENT_TYPE)
    out: dict[str, Any] = {}
    for name, value in folded.items():
        if name not in WRITABLE:
            continue
        if name in ("start", "end"):
            out[name] = parse_dtz(value, name)
            out[f"_{name}_tz"] = value.get("timeZone") or value.get("timezone") or value.get("TimeZone")
        elif name in ENUMS:
            out[name] = _enum(name, value)
        elif name == "attendees":
            out[name] = _attendees(value)
        elif name in ("location",):
            out[name] = _location(value)
        elif name == "locations":
            if not isinstance(value, list):
                raise bad_request("RequestBodyRead", "An unexpected 'StartObject' node was found for 'locations'.")
            out[name] = [_location(v) for v in value]
        elif name == "body":
            out[name] = _body(value)
        else:
            out[name] = value
    return out


def _enum(name: str, value: Any) -> str:
    for allowed in ENUMS[name]:
        if isinstance(value, str) and value.lower() == allowed.lower():
            return allowed
    raise bad_request("RequestBodyRead", f"Cannot convert the literal '{value}' to the expected type "
                      f"'microsoft.graph.{name}'.")


def _email(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise bad_request("RequestBodyRead", "emailAddress must be an object.")
    folded = fold(value, ["address", "name"], "Microsoft.OutlookServices.EmailAddress")
    return {"name": str(folded.get("name") or folded.get("address") or ""), "address": str(folded.get("address") or "")}


def _attendees(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise bad_request("RequestBodyRead", "An unexpected 'StartObject' node was found for 'attendees'.")
    if len(value) > MAX_ATTENDEES:
        # event.md: at most 500 attendees. The error code is not documented; ours names the rule.
        raise bad_request("ErrorInvalidRequest", f"An event can have at most {MAX_ATTENDEES} attendees.")
    out = []
    for raw in value:
        if not isinstance(raw, dict):
            raise bad_request("RequestBodyRead", "Each attendee must be an object.")
        folded = fold(raw, ["emailAddress", "type", "status", "proposedNewTime"], "Microsoft.OutlookServices.Attendee")
        kind = folded.get("type", "required")
        if not isinstance(kind, str) or kind.lower() not in ATTENDEE_TYPES:
            raise bad_request("RequestBodyRead", f"Cannot convert the literal '{kind}' to the expected type "
                              "'microsoft.graph.attendeeType'.")
        email = _email(folded.get("emailAddress"))
        if not email["address"]:
            raise bad_request("ErrorInvalidRecipients", "At least one recipient isn't valid., A message can't be "
                              "sent because it contains no recipients.")
        out.append({"type": kind.lower(), "status": {"response": "none", "time": NEVER}, "emailAddress": email})
    return out


def _location(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request("RequestBodyRead", "location must be an object.")
    folded = fold(value, ["displayName", "locationEmailAddress", "locationType", "locationUri", "uniqueId",
                          "uniqueIdType", "address", "coordinates"], "Microsoft.OutlookServices.Location")
    name = str(folded.get("displayName") or "")
    return {"displayName": name, "locationType": folded.get("locationType", "default"),
            "uniqueId": folded.get("uniqueId", name), "uniqueIdType": folded.get("uniqueIdType", "private"),
            **({"locationEmailAddress": folded["locationEmailAddress"]} if folded.get("locationEmailAddress") else {}),
            **({"address": folded["address"]} if "address" in folded else {})}


def _body(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise bad_request("RequestBodyRead", "body must be an itemBody object.")
    folded = fold(value, ["contentType", "content"], "Microsoft.OutlookServices.ItemBody")
    kind = str(folded.get("contentType", "text")).lower()
    if kind not in ("text", "html"):
        raise bad_request("RequestBodyRead", f"Cannot convert the literal '{kind}' to the expected type "
                          "'microsoft.graph.bodyType'.")
    return {"contentType": kind, "content": str(folded.get("content") or "")}


def sync_locations(event: dict[str, Any], changes: dict[str, Any]) -> None:
    """event.md: location and locations always correspond; setting location replaces locations."""
    if "location" in changes:
        event["location"] = changes["location"]
        event["locations"] = [changes["location"]] if changes["location"]["displayName"] else []
    elif "locations" in changes:
        event["locations"] = changes["locations"]
        names = [loc["displayName"] for loc in changes["locations"]]
        event["location"] = {"displayName": "; ".join(names), "locationType": "default",
                             "uniqueId": "; ".join(names), "uniqueIdType": "private"}


def join_url(event_id: str) -> str:
    return (f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{event_id[6:30]}%40thread.v2/0?context="
            "%7b%22Tid%22%3a%22fake%22%7d")


TOLL_NUMBER = "+1 425 555 0123"  # the sample's (user-post-events.md)


def conference_id(event_id: str) -> str:
    """Nine digits, like the sample's "177513992", stable for the meeting."""
    return str(int(hashlib.sha1(event_id.encode()).hexdigest(), 16) % 900_000_000 + 100_000_000)


def apply_online_meeting(event: dict[str, Any]) -> None:
    if event.get("isOnlineMeeting"):
        provider = event.get("onlineMeetingProvider") or "teamsForBusiness"
        event["onlineMeetingProvider"] = provider
        # Only Teams is in the seeded calendars' allowedOnlineMeetingProviders: others get no link.
        event["onlineMeeting"] = {
            "joinUrl": join_url(event["id"]), "conferenceId": conference_id(event["id"]),
            "tollNumber": TOLL_NUMBER} if provider == "teamsForBusiness" else None
    else:
        event["onlineMeeting"] = None
        event["onlineMeetingProvider"] = "unknown"


def render(event: dict[str, Any], tz_name: str | None) -> dict[str, Any]:
    out = {k: v for k, v in event.items() if not k.startswith("_")}
    out["@odata.etag"] = f'W/"{event["changeKey"]}"'
    out["start"] = format_dtz(event["_start"], tz_name)
    out["end"] = format_dtz(event["_end"], tz_name)
    if not event.get("transactionId"):
        out.pop("transactionId", None)  # event.md: returned only if an app has set it
    return out


def overlaps(event: dict[str, Any], start: datetime, end: datetime) -> bool:
    return event["_start"] < end and event["_end"] > start


def set_attendee_status(state: GraphState, ical_uid: str, address: str, response: str, now: datetime) -> None:
    for copy in state.copies(ical_uid):
        for attendee in copy["attendees"]:
            if attendee["emailAddress"]["address"].lower() == address.lower():
                attendee["status"] = {"response": response, "time": iso_utc(now)}


def room_is_free(state: GraphState, room: str, event: dict[str, Any]) -> bool:
    for other in state.events_of(room):
        if other["iCalUId"] == event["iCalUId"] or other.get("isCancelled") or other.get("showAs") == "free":
            continue
        if overlaps(other, event["_start"], event["_end"]):
            return False
    return True


def answer_room(state: GraphState, organizer_event: dict[str, Any], room: str, now: datetime) -> None:
    """The room's calendar attendant: accept (and hold the slot) when free, else decline."""
    from tests.fakes.graph.events_store import copy_for

    existing = [c for c in state.copies(organizer_event["iCalUId"]) if c["_mailbox"] == room]
    if room_is_free(state, room, organizer_event):
        if not existing:
            copy_for(state, organizer_event, room, now)
        set_attendee_status(state, organizer_event["iCalUId"], room, "accepted", now)
        for copy in state.copies(organizer_event["iCalUId"]):
            if copy["_mailbox"] == room:
                copy["responseStatus"] = {"response": "accepted", "time": iso_utc(now)}
    else:
        for copy in existing:
            del state.events[copy["id"]]
        set_attendee_status(state, organizer_event["iCalUId"], room, "declined", now)
    organizer_event["_room_pending"] = [r for r in organizer_event.get("_room_pending", []) if r != room]


def answer_pending_rooms(state: GraphState, now: datetime) -> None:
    for event in list(state.events.values()):
        for room in list(event.get("_room_pending", [])):
            if event["id"] in state.events:
                answer_room(state, event, room, now)
