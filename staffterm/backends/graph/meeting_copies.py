"""One meeting, many copies: Exchange keeps the organiser's event and a copy in each attendee's and
room's mailbox, each with its own ``id`` and all with the same ``iCalUId`` ("a unique identifier
for an event across calendars", resources/event.md). A desk works from a room's calendar, so it
holds the room's copy; a change or a cancellation must be made on the organiser's copy (an
attendee's changes stay in its own mailbox; event-cancel.md: "only the organizer" cancels).

The organiser's copy is found the way PlaceOS Staff API finds the host's event
(PlaceOS/staff-api src/controllers/application.cr, get_hosts_event): the organiser's calendar
over the meeting's days, matched by iCalUId. calendarView is used rather than
``$filter=iCalUId eq``, which the calendarView and list pages do not document.

Clashes: a room's calendar attendant declines a request that overlaps its calendar
(user-post-events.md, "Setting the location in an event": the server "accepts or rejects the
meeting request based on the free/busy schedule of the resource"), but only after the meeting is
made. So before a create or a change, the room's own calendar is read over the new time and an
overlapping meeting that is not free time is a ``ConflictError`` naming it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import ValidationError

from staffterm.backends.graph.convert import iso_utc, parse_dtz
from staffterm.backends.graph.convert_events import event_from_wire
from staffterm.backends.graph.event_data import EXPAND
from staffterm.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    invalid_input_from,
)
from staffterm.models import Event, Room

if TYPE_CHECKING:
    from staffterm.backends.graph.backend_core import GraphCore

UTC_PREFER = 'outlook.timezone="UTC"'
PAGE = 100  # calendarView pages 10 events by default; ask for more, follow nextLink whatever comes


def user_path(mailbox: str) -> str:
    return f"/users/{quote(mailbox, safe='@.')}"


def event_path(mailbox: str, event_id: str) -> str:
    return f"{user_path(mailbox)}/events/{quote(event_id, safe='')}"


def as_model(model: type, value: Any, what: str) -> Any:
    """The model itself or a plain mapping (the CLI's JSON), validated."""
    if isinstance(value, model):
        return value
    if isinstance(value, dict):
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            raise invalid_input_from(exc, what=what) from None
    raise InvalidInputError(f"expected a {what}, got {type(value).__name__}")


def organiser_of(raw: dict[str, Any]) -> str:
    organizer = raw.get("organizer") if isinstance(raw.get("organizer"), dict) else {}
    address = organizer.get("emailAddress") if isinstance(organizer.get("emailAddress"), dict) else {}
    return str(address.get("address") or "").strip().lower()


async def calendar_view(core: GraphCore, mailbox: str, start: datetime, end: datetime) -> list[Any]:
    # Both bounds are required; their offset is honoured and Prefer only sets the zone of the
    # returned start/end (user-list-calendarview.md).
    return await core.all_pages(f"{user_path(mailbox)}/calendarView",
                                {"startDateTime": iso_utc(start), "endDateTime": iso_utc(end), "$top": PAGE,
                                 # staffterm's own data on each meeting (see event_data).
                                 "$expand": EXPAND},
                                headers={"Prefer": UTC_PREFER})


async def read_raw(core: GraphCore, mailbox: str, event_id: str) -> dict[str, Any]:
    from staffterm.http.client import decode_json

    response = await core.http.request("GET", event_path(mailbox, event_id), params={"$expand": EXPAND},
                                       headers={"Prefer": UTC_PREFER})
    data = decode_json(response, provider=core.http.provider)
    if not isinstance(data, dict) or not data.get("id"):
        raise NotFoundError(f"no meeting {event_id!r} in {mailbox}'s calendar")
    return data


async def copy_in(core: GraphCore, mailbox: str, meeting: dict[str, Any]) -> dict[str, Any] | None:
    """``mailbox``'s copy of ``meeting`` (same iCalUId), or None when it has none (yet)."""
    uid = meeting.get("iCalUId")
    if not uid:
        return None
    start, end = parse_dtz(meeting.get("start"), "start"), parse_dtz(meeting.get("end"), "end")
    rows = await calendar_view(core, mailbox, start - timedelta(days=1), end + timedelta(days=1))
    return next((r for r in rows if isinstance(r, dict) and r.get("iCalUId") == uid), None)


async def organiser_copy(core: GraphCore, mailbox: str, raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(organiser's mailbox, organiser's copy) of the meeting read from ``mailbox`` as ``raw``."""
    organiser = organiser_of(raw)
    if raw.get("isOrganizer") or not organiser or organiser == mailbox:
        return mailbox, raw
    found = await copy_in(core, organiser, raw)
    if found is None:
        raise NotFoundError(f"the meeting “{raw.get('subject') or ''}” is not in its organiser {organiser}'s "
                            "calendar any more", hint="The organiser may have cancelled it; refresh the room.")
    return organiser, found


async def clashes_in(core: GraphCore, rooms: list[Room], start: datetime, end: datetime, *,
                     ignore_uid: str | None = None, organiser: str | None = None,
                     transaction_id: str | None = None) -> list[Event]:
    """The meetings in these rooms' calendars that overlap [start, end) and take the room's time.

    ``ignore_uid``: the meeting being changed. ``transaction_id``: a create sent again after a
    lost reply finds its own first meeting in the room; that one is not a clash (Outlook answers
    the repeated POST with the first event, resources/event.md, transactionId)."""
    index = set((await core.estate())[1])
    views = await asyncio.gather(*(calendar_view(core, r.email, start, end) for r in rooms))
    out: list[Event] = []
    for room, rows in zip(rooms, views, strict=True):
        for row in rows:
            if not isinstance(row, dict) or row.get("isCancelled") or (ignore_uid and row.get("iCalUId") == ignore_uid):
                continue
            if str(row.get("showAs") or "busy").lower() == "free":
                continue
            event = event_from_wire(row, room.email, index)
            if not (event.start < end and event.end > start):
                continue
            if transaction_id and organiser and organiser_of(row) == organiser:
                _, first = await organiser_copy(core, room.email, row)
                if first.get("transactionId") == transaction_id:
                    continue
            out.append(event)
    return out


def conflict(rooms: list[Room], clashes: list[Event]) -> ConflictError:
    names = {r.email: r.name for r in rooms}
    first = clashes[0]
    where = names.get(first.calendar_id, first.calendar_id)
    title = first.title or "a meeting"
    return ConflictError(
        f"{where} is already booked from {first.start:%H:%M} to {first.end:%H:%M} UTC (“{title}”)"
        + (f" and {len(clashes) - 1} more" if len(clashes) > 1 else ""),
        clashes=clashes, hint="Pick another time or room.")
