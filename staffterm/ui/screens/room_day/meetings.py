"""How a meeting reads on a room's day: its row, its status, and the detail pane's facts
(host, attendees and their answers, visitor flags, notes, the online-meeting link).

Pure functions of the meeting, the room, the building's zone and "now".
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import App

from staffterm.models import Attendee, Event, ResponseStatus, Room
from staffterm.ui.widgets.clash_list import clock_span, themed

RESPONSE_WORDS: dict[ResponseStatus, tuple[str, str, str]] = {
    # response -> (mark, word, theme variable)
    ResponseStatus.ACCEPTED: ("✓", "accepted", "success"),
    ResponseStatus.TENTATIVE: ("?", "tentative", "warning"),
    ResponseStatus.DECLINED: ("✗", "declined", "error"),
    ResponseStatus.NEEDS_ACTION: ("·", "no reply", ""),
}

BODY_EXCERPT = 280


def room_attendee(event: Event, room: Room) -> Attendee | None:
    email = room.email.lower()
    return next((a for a in event.attendees if a.email == email), None)


def awaiting_approval(event: Event, room: Room) -> bool:
    """The room has not said yes yet: the booking waits for an approver."""
    attendee = room_attendee(event, room)
    return attendee is not None and attendee.response == ResponseStatus.TENTATIVE


def is_running(event: Event, now: datetime) -> bool:
    return event.start <= now < event.end


def meeting_status(event: Event, room: Room, now: datetime) -> tuple[str, str]:
    """(words, theme variable) for a meeting on the room's day."""
    if event.end <= now:
        return "ended", ""
    if awaiting_approval(event, room):
        return "awaiting approval", "fb-tentative"
    attendee = room_attendee(event, room)
    if attendee is not None and attendee.response == ResponseStatus.DECLINED:
        return "declined by the room", "error"
    if is_running(event, now):
        return "in progress", "fb-busy"
    return "upcoming", ""


def host_label(event: Event) -> str:
    organiser = next((a for a in event.attendees if a.organizer and not a.resource), None)
    if organiser is not None and organiser.name:
        return organiser.name
    host = event.host or (organiser.email if organiser else "")
    named = next((a.name for a in event.attendees if a.email == host and a.name), "")
    return named or host or "—"


def duration(event: Event) -> str:
    minutes = int((event.end - event.start).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def meeting_cells(event: Event, room: Room, tz: tzinfo, now: datetime, app: App | None) -> tuple[Text, Text]:
    """(time, meeting) cells: the title on the first line, host and status on the second."""
    words, variable = meeting_status(event, room, now)
    ended = words == "ended"
    time_cell = Text(clock_span(event.start, event.end, tz), style="dim" if ended else "bold")
    meeting = Text(event.display_title(masked=True), style="dim" if ended else "bold", no_wrap=True, overflow="ellipsis")
    meeting.append("\n")
    meeting.append(host_label(event), style="dim")
    meeting.append(" · ")
    meeting.append(words, style=themed(app, variable, bold=True) if variable else "dim")
    return time_cell, meeting


def _attendee_line(text: Text, attendee: Attendee, app: App | None) -> None:
    mark, word, variable = RESPONSE_WORDS.get(attendee.response, ("·", attendee.response.value, ""))
    style = themed(app, variable) if variable else "dim"
    text.append(f" {mark} ", style=style)
    text.append(attendee.name or attendee.email)
    if attendee.organisation:
        text.append(f" ({attendee.organisation})", style="dim")
    if attendee.organizer:
        text.append(" host", style="dim")
    text.append(f"  {word}", style=style)
    if attendee.visit_expected:
        text.append(" · visitor", style=themed(app, "accent"))
    if attendee.checked_in:
        text.append(" · checked in", style=themed(app, "checkin-ok", bold=True))
    text.append("\n")


def meeting_facts(event: Event, room: Room, tz: tzinfo, now: datetime, app: App | None) -> Text:
    """The detail pane: everything the desk needs about one meeting (the QR is drawn apart)."""
    words, variable = meeting_status(event, room, now)
    text = Text()
    text.append(event.display_title(masked=True), style="bold")
    text.append("\n")
    text.append(f"{clock_span(event.start, event.end, tz)} · {duration(event)} · ")
    text.append(words, style=themed(app, variable, bold=True) if variable else "")
    if event.recurring:
        text.append(" · recurring", style="dim")
    text.append("\n\n")
    host = event.host
    text.append("Host  ", style="bold")
    text.append(host_label(event))
    if host and host_label(event) != host:
        text.append(f" <{host}>", style="dim")
    text.append("\n")
    room_answer = room_attendee(event, room)
    text.append("Room  ", style="bold")
    text.append(room.name)
    if room_answer is not None:
        label = "awaiting approval" if room_answer.response == ResponseStatus.TENTATIVE else RESPONSE_WORDS[room_answer.response][1]
        text.append(f" — {label}", style="dim")
    text.append("\n")
    people = [a for a in event.attendees if not a.resource]
    others = [a for a in event.attendees if a.resource and a.email != room.email.lower()]
    text.append(f"\nAttendees ({len(people)})\n", style="bold")
    for attendee in people:
        _attendee_line(text, attendee, app)
    for resource in others:
        text.append(f" ⌂ {resource.name or resource.email}\n", style="dim")
    if event.private:
        text.append("\nThe notes and the meeting link are private.\n", style="dim italic")
        return text
    body = " ".join(event.body.split())
    if body:
        excerpt = body if len(body) <= BODY_EXCERPT else body[: BODY_EXCERPT - 1].rstrip() + "…"
        text.append("\nNotes\n", style="bold")
        text.append(excerpt + "\n")
    _online_meeting(text, event)
    return text


def _online_meeting(text: Text, event: Event) -> None:
    """The join link (its QR is drawn beside) and how to join by phone or from a video room."""
    ways = [("Conference ID", event.online_meeting_id), ("PIN", event.online_meeting_pin),
            *(("Dial-in", phone) for phone in event.online_meeting_phones), ("SIP", event.online_meeting_sip)]
    ways = [(label, value) for label, value in ways if value]
    if not event.online_meeting_url and not ways:
        return
    provider = f" ({event.online_meeting_provider})" if event.online_meeting_provider else ""
    text.append(f"\nOnline meeting{provider}\n", style="bold")
    if event.online_meeting_url:
        text.append(event.online_meeting_url + "\n", style="underline")
    for label, value in ways:
        text.append(f"{label}  ", style="dim")
        text.append(f"{value}\n")
