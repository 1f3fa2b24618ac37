"""The room-door panel's logic: the room's status now, what the panel offers, what it masks and
which meeting it releases. Pure functions over a day of meetings: no I/O, no Textual.

The states follow PlaceOS's Bookings driver (PlaceOS/drivers drivers/place/bookings.cr: status
``free`` | ``pending`` | ``busy``, ``pending_before``/``pending_period`` around a meeting's start,
auto-release of a pending meeting nobody started), plus ``soon`` (free, but a meeting starts
within a quarter of an hour) and ``offline`` (the panel shows its last known day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Literal

from staffterm.models import BusyBlock, BusyStatus, Event, EventStatus, Room

PanelState = Literal["free", "soon", "pending", "busy", "offline"]
Privacy = Literal["private", "titles"]

#: Where the panel records a room meeting's check-in: the event's extension data (PlaceOS keeps
#: it in the event's metadata ``ext_data`` and merges a patch into it: PlaceOS/staff-api
#: src/controllers/events.cr, update; the local site merges the same way; Microsoft 365 keeps it
#: in an open extension on the room's copy of the meeting, backends/graph/event_data.py).
CHECKED_IN_KEY = "panel_checked_in_at"

BOOK_NOW_MINUTES = (15, 30, 45, 60)
EXTEND_MINUTES = (15, 30)
#: The shortest book-now the panel offers when the gap before the next meeting is under 15 min.
MIN_BOOK_MINUTES = 5

HEADLINES: dict[PanelState, str] = {
    "free": "Free",
    "soon": "Free · starting soon",
    "pending": "Waiting for check-in",
    "busy": "Busy",
    "offline": "Offline",
}

PRIVATE_BEFORE = "Private meeting"
PRIVATE_DURING = "Meeting in progress"


@dataclass(frozen=True)
class PanelRules:
    """The kiosk config's panel settings, as durations."""

    checkin_before: timedelta = timedelta(minutes=5)
    checkin_after: timedelta = timedelta(minutes=10)
    auto_release: timedelta | None = timedelta(minutes=10)
    privacy: Privacy = "private"
    soon: timedelta = timedelta(minutes=15)
    # A panel that was switched off (or offline) through a meeting's release time does not
    # cancel it afterwards: past this grace the meeting is left alone, people may be in it.
    release_grace: timedelta = timedelta(minutes=15)
    exempt_rooms: frozenset[str] = frozenset()

    def exempt(self, room: Room) -> bool:
        return room.id in self.exempt_rooms or room.email.lower() in self.exempt_rooms


@dataclass(frozen=True)
class PanelMeeting:
    """One meeting in the room today. ``title`` is the real one: show it only through ``shown_title``."""

    start: datetime
    end: datetime
    event_id: str | None = None
    title: str = ""
    private: bool = False
    host: str = ""
    checked_in: bool = False

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class PanelDay:
    """What the panel knows of the room's day, and what the backend lets it do."""

    room: Room
    tz: tzinfo
    day_start: datetime
    day_end: datetime
    meetings: tuple[PanelMeeting, ...]
    loaded_at: datetime
    # The backend reads the room's events (titles, hosts, check-ins), not only free/busy.
    knows_events: bool = False
    # The backend can write events: book now, check in, end early, extend, release.
    can_write: bool = False

    def blocks(self) -> list[BusyBlock]:
        """The day as busy blocks for the timeline, with no titles: the timeline shows none."""
        return [BusyBlock(start=m.start, end=m.end, status=BusyStatus.BUSY, event_id=m.event_id) for m in self.meetings]


@dataclass(frozen=True)
class PanelStatus:
    state: PanelState
    at: datetime
    current: PanelMeeting | None = None
    next: PanelMeeting | None = None
    # The meeting whose check-in window is open and that nobody has checked in to.
    pending: PanelMeeting | None = None
    # A meeting nobody checked in to, past its release time: the panel releases it.
    to_release: PanelMeeting | None = None
    book_options: tuple[int, ...] = ()
    extend_options: tuple[int, ...] = ()
    can_end: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def headline(self) -> str:
        return HEADLINES[self.state]

    @property
    def can_check_in(self) -> bool:
        return self.pending is not None


def meetings_from_events(events: list[Event], room: Room) -> tuple[PanelMeeting, ...]:
    """The room's meetings from its calendar: cancelled ones and ones the room declined left out."""
    out: list[PanelMeeting] = []
    keys = {room.id, room.email.lower()}
    for event in events:
        if event.status == EventStatus.CANCELLED or event.all_day:
            continue
        declined = any(a.resource and a.email.lower() in keys and a.response.value == "declined" for a in event.attendees)
        if declined:
            continue
        out.append(
            PanelMeeting(
                start=event.start,
                end=event.end,
                event_id=event.id,
                title=event.title,
                private=event.private,
                host=event.host,
                checked_in=bool(event.extension_data.get(CHECKED_IN_KEY)),
            )
        )
    return tuple(sorted(out, key=lambda m: (m.start, m.end)))


def meetings_from_blocks(blocks: list[BusyBlock]) -> tuple[PanelMeeting, ...]:
    """A backend with free/busy only: meetings without titles, hosts or check-ins."""
    return tuple(
        sorted(
            (
                PanelMeeting(start=b.start, end=b.end, event_id=b.event_id, title=b.title or "", private=b.private)
                for b in blocks
                if b.status != BusyStatus.FREE
            ),
            key=lambda m: (m.start, m.end),
        )
    )


def shown_title(meeting: PanelMeeting, now: datetime, privacy: Privacy) -> str:
    """The title a stranger at the door may read: masked when the meeting is private or the
    panel's privacy setting masks every title ("Private meeting" before, "Meeting in progress"
    during, as Teams panels do)."""
    if meeting.private or privacy == "private" or not meeting.title.strip():
        return PRIVATE_DURING if meeting.covers(now) else PRIVATE_BEFORE
    return meeting.title


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _book_options(now: datetime, next_meeting: PanelMeeting | None) -> tuple[int, ...]:
    if next_meeting is None:
        return BOOK_NOW_MINUTES
    gap = int((next_meeting.start - _minute(now)).total_seconds() // 60)
    fitting = tuple(m for m in BOOK_NOW_MINUTES if m <= gap)
    if fitting:
        return fitting
    return (gap,) if gap >= MIN_BOOK_MINUTES else ()


def _extend_options(current: PanelMeeting, meetings: tuple[PanelMeeting, ...]) -> tuple[int, ...]:
    after = next((m for m in meetings if m is not current and m.start >= current.start and m.end > current.end), None)
    if after is None:
        return EXTEND_MINUTES
    gap = (after.start - current.end).total_seconds() // 60
    return tuple(m for m in EXTEND_MINUTES if m <= gap)


def panel_status(day: PanelDay, now: datetime, rules: PanelRules, *, offline: bool = False) -> PanelStatus:
    """The room's status at ``now`` and what the panel may offer. Offline, nothing is offered."""
    meetings = day.meetings
    current = next((m for m in meetings if m.covers(now)), None)
    upcoming = next((m for m in meetings if m.start > now), None)
    if current is not None:
        # Back to back: the meeting after the current chain is the "next" one.
        upcoming = next((m for m in meetings if m.start >= current.end), None)
    if offline:
        return PanelStatus("offline", now, current=current, next=upcoming)

    # Check-in exists only where the panel can read and record it.
    tracks_check_in = day.knows_events and day.can_write
    pending: PanelMeeting | None = None
    to_release: PanelMeeting | None = None
    if tracks_check_in:
        for meeting in meetings:
            if meeting.checked_in or meeting.end <= now:
                continue
            if meeting.start - rules.checkin_before <= now < meeting.start + rules.checkin_after:
                pending = pending or meeting
        if (
            current is not None
            and not current.checked_in
            and rules.auto_release is not None
            and not rules.exempt(day.room)
            and current.start + rules.auto_release <= now < current.start + rules.auto_release + rules.release_grace
        ):
            to_release = current
            if pending is current:
                pending = None

    can_book = day.can_write and day.room.bookable
    if current is not None:
        state: PanelState = "pending" if pending is current else "busy"
        return PanelStatus(
            state, now, current=current, next=upcoming, pending=pending, to_release=to_release,
            extend_options=_extend_options(current, meetings) if day.can_write and day.knows_events else (),
            can_end=day.can_write and day.knows_events,
        )
    if pending is not None:
        state = "pending"
    elif upcoming is not None and upcoming.start - now <= rules.soon:
        state = "soon"
    else:
        state = "free"
    return PanelStatus(
        state, now, next=upcoming, pending=pending,
        book_options=_book_options(now, upcoming) if can_book else (),
    )


def panel_headline_detail(status: PanelStatus, tz: tzinfo, clock_24h: bool = True) -> str:
    """One line under the headline: until when, or when the next meeting starts."""
    from staffterm.services.room_board import format_clock

    def clock(moment: datetime) -> str:
        return format_clock(moment, tz, clock_24h=clock_24h, reference=status.at)

    if status.current is not None:
        return f"until {clock(status.current.end)}"
    if status.next is not None:
        return f"until {clock(status.next.start)}" if status.state != "pending" else f"from {clock(status.next.start)}"
    return "for the rest of the day"
