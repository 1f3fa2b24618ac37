"""Graph events (resources/event.md) to and from staffterm's Event models."""

from __future__ import annotations

from typing import Any

from staffterm.backends.graph.convert import parse_dtz, to_dtz
from staffterm.backends.graph.event_data import data_from_wire
from staffterm.errors import UnavailableError
from staffterm.models import Attendee, Event, EventDraft, EventStatus, ResponseStatus

# responseStatus.response values (resources/responsestatus.md; the resource page capitalises them).
RESPONSES = {"accepted": ResponseStatus.ACCEPTED, "organizer": ResponseStatus.ACCEPTED,
             "tentativelyaccepted": ResponseStatus.TENTATIVE, "declined": ResponseStatus.DECLINED}


def _address(recipient: Any) -> tuple[str, str]:
    email = recipient.get("emailAddress") if isinstance(recipient, dict) else None
    if not isinstance(email, dict):
        return "", ""
    return str(email.get("address") or "").strip().lower(), str(email.get("name") or "").strip()


def dial_in_numbers(online: dict[str, Any]) -> list[str]:
    """The phone numbers of an onlineMeetingInfo (resources/onlinemeetinginfo.md): ``quickDial``
    ("the pre-formatted quickdial for this call", number and conference id in one) first, then
    ``tollNumber``, ``tollFreeNumbers`` and each of ``phones`` (resources/phone.md, ``number``).
    Graph has no PIN or SIP address for an event's meeting: those stay empty."""
    numbers = [online.get("quickDial"), online.get("tollNumber"), *(online.get("tollFreeNumbers") or [])]
    numbers += [p.get("number") for p in online.get("phones") or [] if isinstance(p, dict)]
    return list(dict.fromkeys(str(n).strip() for n in numbers if isinstance(n, str) and n.strip()))


def event_from_wire(data: Any, calendar_id: str, rooms: set[str]) -> Event:
    if not isinstance(data, dict) or not data.get("id"):
        raise UnavailableError(f"Microsoft Graph sent an event without an id: {str(data)[:200]}")
    host, host_name = _address(data.get("organizer"))
    attendees: list[Attendee] = []
    room_ids: list[str] = []
    for item in data.get("attendees") or []:
        email, name = _address(item)
        if not email:
            continue
        response = str((item.get("status") or {}).get("response") or "none").lower()
        resource = str(item.get("type") or "").lower() == "resource" or email in rooms
        attendees.append(Attendee(email=email, name=name, resource=resource, organizer=email == host,
                                  response=RESPONSES.get(response, ResponseStatus.NEEDS_ACTION)))
        if resource:
            room_ids.append(email)
    if host and all(a.email != host for a in attendees):
        attendees.insert(0, Attendee(email=host, name=host_name, organizer=True, response=ResponseStatus.ACCEPTED))
    location = data.get("location") if isinstance(data.get("location"), dict) else {}
    online = data.get("onlineMeeting") if isinstance(data.get("onlineMeeting"), dict) else {}
    body = data.get("body") if isinstance(data.get("body"), dict) else {}
    text = str(data.get("bodyPreview") or "") or (str(body.get("content") or "") if body.get("contentType") == "text" else "")
    return Event(
        id=str(data["id"]), calendar_id=calendar_id, ical_uid=str(data.get("iCalUId") or ""),
        title=str(data.get("subject") or ""), body=text, host=host, attendees=attendees,
        location=str(location.get("displayName") or ""), room_ids=list(dict.fromkeys(room_ids)),
        start=parse_dtz(data.get("start"), "start"), end=parse_dtz(data.get("end"), "end"),
        timezone=None, all_day=bool(data.get("isAllDay")),
        private=str(data.get("sensitivity") or "normal").lower() in ("private", "confidential"),
        recurring=str(data.get("type") or "singleInstance") != "singleInstance",
        status=EventStatus.CANCELLED if data.get("isCancelled") else EventStatus.CONFIRMED,
        online_meeting_url=str(online.get("joinUrl") or data.get("onlineMeetingUrl") or "") or None,
        online_meeting_provider=str(data.get("onlineMeetingProvider") or "") or None
        if data.get("isOnlineMeeting") else None,
        online_meeting_id=str(online.get("conferenceId") or "") or None,
        online_meeting_phones=dial_in_numbers(online),
        extension_data={**{k: data[k] for k in ("transactionId", "webLink", "showAs") if data.get(k)},
                        **data_from_wire(data)},
    )


def event_to_wire(draft: EventDraft, rooms: list[tuple[str, str]], transaction_id: str) -> dict[str, Any]:
    """The create body (api/user-post-events.md): rooms as resource attendees and as the location."""
    attendees = [{"emailAddress": {"address": a.email, **({"name": a.name} if a.name else {})},
                  "type": "resource" if a.resource else "required"}
                 for a in draft.attendees if a.email not in {r[0] for r in rooms} and not a.organizer]
    attendees += [{"emailAddress": {"address": email, "name": name}, "type": "resource"} for email, name in rooms]
    body: dict[str, Any] = {
        "subject": draft.title, "body": {"contentType": "text", "content": draft.body},
        "start": to_dtz(draft.start), "end": to_dtz(draft.end), "attendees": attendees,
        "isAllDay": draft.all_day, "sensitivity": "private" if draft.private else "normal",
        # A client-chosen id: a POST sent again after a lost reply finds the first meeting
        # instead of making a second one (resources/event.md, transactionId).
        "transactionId": transaction_id,
    }
    if rooms:
        body["location"] = {"displayName": draft.location or rooms[0][1], "locationEmailAddress": rooms[0][0],
                            "locationType": "conferenceRoom"}
    elif draft.location:
        body["location"] = {"displayName": draft.location}
    if draft.online_meeting_provider:
        body["isOnlineMeeting"] = True
        body["onlineMeetingProvider"] = draft.online_meeting_provider
    return body
