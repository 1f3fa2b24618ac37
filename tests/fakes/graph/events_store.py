"""Writes to calendars: create (with transactionId de-duplication), update, delete, cancel and the
meeting responses, keeping the organizer's, attendees' and rooms' copies of a meeting in step.

- transactionId (event.md): "a custom identifier specified by a client app for the server to
  avoid redundant POST operations in case of client retries to create the same event"; it cannot
  be changed by a later update. The page does not say what the retried POST returns; the fake
  answers 201 with the event the first POST created (same id), so a retry never makes a second
  meeting. Ambiguous in the docs; recorded in the report.
- delete (event-delete.md): deleting on the organizer's calendar sends cancellations; cancel
  (event-cancel.md) is organizer-only, takes a ``comment``, moves the event to Deleted Items and
  answers 202; an attendee gets 400 "Your request can't be completed. You need to be an organizer
  to cancel a meeting.".
- accept/tentativelyAccept/decline (event-accept.md, event-decline.md): 202; ``proposedNewTime``
  on decline is a 400 when the organizer disallows new time proposals or ``sendResponse`` is false.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

from tests.fakes.graph.events_model import (
    NEVER,
    answer_room,
    apply_online_meeting,
    parse_event_body,
    set_attendee_status,
    sync_locations,
)
from tests.fakes.graph.state import GraphState
from tests.fakes.graph.times import iso_utc
from tests.fakes.graph.wire import GraphError, bad_request

SHARED_FIELDS = ("subject", "body", "bodyPreview", "_start", "_end", "isAllDay", "location", "locations",
                 "attendees", "organizer", "isOnlineMeeting", "onlineMeetingProvider", "onlineMeeting",
                 "onlineMeetingUrl", "importance", "sensitivity", "allowNewTimeProposals", "originalStartTimeZone",
                 "originalEndTimeZone", "categories", "hideAttendees")


def _change_key(event: dict[str, Any]) -> str:
    seed = f"{event['id']}:{event['lastModifiedDateTime']}:{event.get('_version', 0)}".encode()
    return base64.b64encode(hashlib.sha1(seed).digest()[:12]).decode()


def _touch(event: dict[str, Any], now: datetime) -> None:
    event["_version"] = event.get("_version", 0) + 1
    event["lastModifiedDateTime"] = iso_utc(now)
    event["changeKey"] = _change_key(event)


def _preview(body: dict[str, str]) -> str:
    import re

    return re.sub(r"<[^>]+>", "", body.get("content", "")).strip()[:255]


def create_event(state: GraphState, mailbox: str, data: dict[str, Any], now: datetime, *,
                 defer_rooms: bool) -> tuple[dict[str, Any], bool]:
    """The organizer's event; returns (event, created). A known transactionId returns the first one."""
    fields = parse_event_body(data)
    tx = fields.get("transactionId")
    if tx:
        for event in state.events_of(mailbox):
            if event.get("transactionId") == tx:
                return event, False
    if "recurrence" in {k for k in data}:
        raise bad_request("ErrorInvalidRequest", "recurring events are not modelled by this fake")
    if "start" not in fields or "end" not in fields:
        # The reference pages do not document the error for a missing start/end; ours is explicit.
        raise bad_request("ErrorInvalidRequest", "An event needs both start and end.")
    if fields["end"] < fields["start"]:
        raise bad_request("ErrorInvalidRequest", "The end of the event must not be before its start.")
    owner = state.display_name_of(mailbox)
    event_id = state.new_event_id()
    body = fields.get("body", {"contentType": "html", "content": ""})
    event: dict[str, Any] = {
        "id": event_id, "_mailbox": mailbox, "_start": fields["start"], "_end": fields["end"],
        "createdDateTime": iso_utc(now), "lastModifiedDateTime": iso_utc(now), "changeKey": "",
        "iCalUId": "040000008200E00074C5B7101A82E008" + hashlib.sha1(event_id.encode()).hexdigest().upper(),
        "subject": fields.get("subject", ""), "body": body, "bodyPreview": _preview(body),
        "importance": fields.get("importance", "normal"), "sensitivity": fields.get("sensitivity", "normal"),
        "showAs": fields.get("showAs", "busy"), "isAllDay": bool(fields.get("isAllDay", False)),
        "isCancelled": False, "isOrganizer": True, "isReminderOn": fields.get("isReminderOn", True),
        "reminderMinutesBeforeStart": fields.get("reminderMinutesBeforeStart", 15),
        "responseRequested": fields.get("responseRequested", True),
        "allowNewTimeProposals": fields.get("allowNewTimeProposals", True),
        "hideAttendees": bool(fields.get("hideAttendees", False)),
        "categories": list(fields.get("categories", [])), "hasAttachments": False,
        "originalStartTimeZone": fields.get("_start_tz") or "UTC",
        "originalEndTimeZone": fields.get("_end_tz") or "UTC",
        "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"}, "locations": [],
        "attendees": fields.get("attendees", []),
        "organizer": {"emailAddress": {"name": owner, "address": mailbox}},
        "responseStatus": {"response": "organizer", "time": NEVER},
        "isOnlineMeeting": bool(fields.get("isOnlineMeeting", False)),
        "onlineMeetingProvider": fields.get("onlineMeetingProvider"), "onlineMeeting": None,
        "onlineMeetingUrl": None, "type": "singleInstance", "seriesMasterId": None, "recurrence": None,
        "webLink": f"https://outlook.office365.com/owa/?itemid={event_id}&exvsurl=1&path=/calendar/item",
        "transactionId": tx,
    }
    sync_locations(event, fields)
    apply_online_meeting(event)
    _touch(event, now)
    state.events[event_id] = event
    _fan_out(state, event, now, defer_rooms=defer_rooms)
    return event, True


def copy_for(state: GraphState, organizer_event: dict[str, Any], mailbox: str, now: datetime) -> dict[str, Any]:
    """An attendee's (or room's) copy of a meeting: same iCalUId, its own id, not the organizer."""
    copy = {k: v for k, v in organizer_event.items() if not k.startswith("_room")}
    copy.update({"id": state.new_event_id(), "_mailbox": mailbox, "isOrganizer": False, "transactionId": None,
                 "responseStatus": {"response": "notResponded", "time": NEVER}, "createdDateTime": iso_utc(now)})
    copy["attendees"] = [dict(a, status=dict(a["status"])) for a in organizer_event["attendees"]]
    _touch(copy, now)
    state.events[copy["id"]] = copy
    return copy


def _fan_out(state: GraphState, event: dict[str, Any], now: datetime, *, defer_rooms: bool) -> None:
    """Invitations: a copy for each internal attendee, and the room attendant's answer."""
    organizer = event["_mailbox"]
    invited = {a["emailAddress"]["address"].lower() for a in event["attendees"]}
    for copy in state.copies(event["iCalUId"]):
        if copy["_mailbox"] != organizer and copy["_mailbox"] not in invited:
            del state.events[copy["id"]]  # removed from the meeting
    pending = []
    for address in sorted(invited - {organizer}):
        if state.room(address) is not None:
            pending.append(address)
        elif state.user(address) is not None:
            if not any(c["_mailbox"] == address for c in state.copies(event["iCalUId"])):
                copy_for(state, event, address, now)
    event["_room_pending"] = pending
    if not defer_rooms:
        for room in pending:
            answer_room(state, event, room, now)


def update_event(state: GraphState, event: dict[str, Any], data: dict[str, Any], now: datetime, *,
                 defer_rooms: bool) -> dict[str, Any]:
    fields = parse_event_body(data)
    if "transactionId" in fields and fields["transactionId"] != event.get("transactionId"):
        # event.md: "After you set transactionId when creating an event, you can't change transactionId
        # in a subsequent update." The error code is not documented.
        raise bad_request("ErrorInvalidRequest", "transactionId cannot be changed after the event is created.")
    start, end = fields.get("start", event["_start"]), fields.get("end", event["_end"])
    if end < start:
        raise bad_request("ErrorInvalidRequest", "The end of the event must not be before its start.")
    before = {a["emailAddress"]["address"].lower(): a["status"] for a in event["attendees"]}
    times_changed = (start, end) != (event["_start"], event["_end"])
    event["_start"], event["_end"] = start, end
    for name in ("subject", "importance", "sensitivity", "showAs", "isAllDay", "isReminderOn",
                 "reminderMinutesBeforeStart", "responseRequested", "allowNewTimeProposals", "categories",
                 "isOnlineMeeting", "onlineMeetingProvider", "hideAttendees"):
        if name in fields:
            event[name] = fields[name]
    if "body" in fields:
        event["body"], event["bodyPreview"] = fields["body"], _preview(fields["body"])
    if "attendees" in fields:
        for attendee in fields["attendees"]:
            kept = before.get(attendee["emailAddress"]["address"].lower())
            if kept is not None and not times_changed:
                attendee["status"] = kept
        event["attendees"] = fields["attendees"]
    sync_locations(event, fields)
    if "isOnlineMeeting" in fields or "onlineMeetingProvider" in fields:
        apply_online_meeting(event)
    _touch(event, now)
    if event["isOrganizer"]:
        if times_changed:  # a new time is a new request: responses start over
            for attendee in event["attendees"]:
                attendee["status"] = {"response": "none", "time": NEVER}
        _propagate(state, event, now)
        _fan_out(state, event, now, defer_rooms=defer_rooms)
    return event


def _propagate(state: GraphState, event: dict[str, Any], now: datetime) -> None:
    for copy in state.copies(event["iCalUId"]):
        if copy["id"] == event["id"]:
            continue
        for name in SHARED_FIELDS:
            copy[name] = event[name] if not isinstance(event[name], list) else [
                dict(a) if isinstance(a, dict) else a for a in event[name]]
        _touch(copy, now)


def remove_event(state: GraphState, event: dict[str, Any], now: datetime, comment: str | None = None) -> None:
    """Delete (or cancel): the organizer's removal cancels the meeting everywhere; rooms free the slot."""
    del state.events[event["id"]]
    if not event["isOrganizer"]:
        return
    for copy in state.copies(event["iCalUId"]):
        if state.room(copy["_mailbox"]) is not None:
            del state.events[copy["id"]]
        else:
            copy["isCancelled"] = True
            copy["subject"] = f"Canceled: {copy['subject']}"
            copy["_cancel_comment"] = comment
            _touch(copy, now)


def cancel_event(state: GraphState, event: dict[str, Any], comment: str | None, now: datetime) -> None:
    if not event["isOrganizer"]:
        # event-cancel.md quotes this message; the code is not given there.
        raise GraphError(400, "ErrorInvalidRequest",
                         "Your request can't be completed. You need to be an organizer to cancel a meeting.")
    remove_event(state, event, now, comment)


RESPONSES = {"accept": "accepted", "tentativelyAccept": "tentativelyAccepted", "decline": "declined"}


def respond(state: GraphState, event: dict[str, Any], action: str, body: dict[str, Any], now: datetime) -> None:
    if event["isOrganizer"]:
        # Not in the reference pages: the organizer has no invitation to answer. Wording is ours.
        raise GraphError(400, "ErrorInvalidRequest", "Your request can't be completed. You can't respond to a "
                         "meeting you organized.")
    if body.get("proposedNewTime") is not None:
        if action == "accept":
            raise bad_request("RequestBodyRead", "The parameter 'proposedNewTime' in the request payload is not a "
                              "valid parameter for the operation 'accept'.")
        if not event.get("allowNewTimeProposals", True) or body.get("sendResponse") is False:
            raise bad_request("ErrorInvalidRequest", "Your request can't be completed. The organizer doesn't "
                              "allow new time proposals, or a proposal was sent with sendResponse false.")
    response = RESPONSES[action]
    event["responseStatus"] = {"response": response, "time": iso_utc(now)}
    if response == "declined":
        # Declined meetings no longer block the attendee's time. (Outlook also moves them to Deleted
        # Items by default; the reference pages do not say, so the fake keeps the item, marked.)
        event["showAs"] = "free"
    _touch(event, now)
    if body.get("sendResponse", True) is not False:
        set_attendee_status(state, event["iCalUId"], event["_mailbox"], response, now)
    if state.room(event["_mailbox"]) is not None and response == "declined":
        del state.events[event["id"]]  # a room that declines releases the slot
