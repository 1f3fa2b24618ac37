"""What the guest list shows for a visit: its status, its row, whether it matches the search,
and the details beside the list. Pure functions of a Guest, the time and the building's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from rich.text import Text

#: Status kinds, each with a component class on the guest table (colour from the theme).
EXPECTED, ARRIVED, LEFT, LATE, MISSED = "expected", "arrived", "left", "late", "missed"

NAME_WIDTH = 20
COMPANY_WIDTH = 16
HOST_WIDTH = 16


@dataclass(frozen=True)
class VisitStatus:
    kind: str
    label: str


def visit_status(guest: Any, now: datetime, tz: tzinfo) -> VisitStatus:
    """expected / arrived HH:MM / left HH:MM / late (start passed, not here) / missed (ended)."""
    if guest.checked_in:
        when = guest.checked_in_at
        return VisitStatus(ARRIVED, f"arrived {when.astimezone(tz):%H:%M}" if when else "arrived")
    if guest.checked_out_at is not None:
        return VisitStatus(LEFT, f"left {guest.checked_out_at.astimezone(tz):%H:%M}")
    if guest.visit_end is not None and now >= guest.visit_end:
        return VisitStatus(MISSED, "missed")
    if guest.visit_start is not None and now >= guest.visit_start:
        return VisitStatus(LATE, "late")
    return VisitStatus(EXPECTED, "expected")


def shorten(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1].rstrip() + "…"


def display_name(guest: Any) -> str:
    return guest.name or guest.email


def host_label(guest: Any) -> str:
    return guest.host_name or guest.host_email or "—"


@dataclass(frozen=True)
class GuestRow:
    """One table row as plain values: two rows are equal exactly when they look the same."""

    key: str
    name: str
    company: str
    host: str
    expected: str
    status: VisitStatus

    @classmethod
    def of(cls, guest: Any, now: datetime, tz: tzinfo) -> GuestRow:
        expected = f"{guest.visit_start.astimezone(tz):%H:%M}" if guest.visit_start else "—"
        return cls(
            key=guest.id,
            name=shorten(display_name(guest), NAME_WIDTH),
            company=shorten(guest.organisation or "—", COMPANY_WIDTH),
            host=shorten(host_label(guest), HOST_WIDTH),
            expected=expected,
            status=visit_status(guest, now, tz),
        )


def _haystack(guest: Any) -> str:
    return " ".join((guest.name, guest.email, guest.organisation, guest.host_name, guest.host_email)).lower()


def matches(guest: Any, query: str) -> bool:
    """Every word typed appears somewhere in the guest's name, email, company or host."""
    words = query.lower().split()
    haystack = _haystack(guest)
    return all(word in haystack for word in words)


def best_match(guests: list[Any], query: str) -> int:
    """Index of the guest to highlight for ``query``: the first whose name starts with what was
    typed, else the first with a word of their name starting with it, else the first match."""
    text = query.strip().lower()
    if not text or not guests:
        return 0
    names = [display_name(g).lower() for g in guests]
    for index, name in enumerate(names):
        if name.startswith(text):
            return index
    first = text.split()[0]
    for index, name in enumerate(names):
        if any(part.startswith(first) for part in name.split()):
            return index
    return 0


def day_label(day: date, today: date) -> str:
    if day == today:
        return f"Today · {day:%a %d %b}"
    if day == today - timedelta(days=1):
        return f"Yesterday · {day:%a %d %b}"
    if day == today + timedelta(days=1):
        return f"Tomorrow · {day:%a %d %b}"
    return f"{day:%a %d %b %Y}"


def day_summary(guests: list[Any], now: datetime, tz: tzinfo) -> str:
    kinds = [visit_status(g, now, tz).kind for g in guests]
    parts = [f"{len(guests)} guest{'s' if len(guests) != 1 else ''}"]
    for kind, word in ((ARRIVED, "here"), (LATE, "late"), (LEFT, "left")):
        count = kinds.count(kind)
        if count:
            parts.append(f"{count} {word}")
    return " · ".join(parts)


def pass_caption(guest: Any, now: datetime, tz: tzinfo, status_style: str = "bold") -> Text:
    """Three lines above an inline pass: who, whom they visit and when, and their status."""
    status = visit_status(guest, now, tz)
    text = Text()
    text.append(display_name(guest), style="bold")
    if guest.organisation:
        text.append(f" · {guest.organisation}")
    text.append("\nHost ", style="dim")
    text.append(host_label(guest))
    if guest.visit_start and guest.visit_end:
        text.append(f" · {guest.visit_start.astimezone(tz):%H:%M}–{guest.visit_end.astimezone(tz):%H:%M}")
    text.append("\n")
    text.append(status.label, style=status_style)
    text.append(" · p: full size · s: save", style="dim")
    return text


def guest_details(guest: Any, now: datetime, tz: tzinfo, status_style: str = "bold") -> Text:
    """The side panel: who, from where, for whom, when, and what the desk can do next."""
    status = visit_status(guest, now, tz)
    text = Text()
    text.append(display_name(guest), style="bold")
    text.append("\n")
    if guest.name:
        text.append(guest.email, style="dim")
        text.append("\n")
    if guest.organisation:
        text.append(guest.organisation)
        text.append("\n")
    if guest.phone:
        text.append(guest.phone, style="dim")
        text.append("\n")
    text.append("\nHost   ", style="dim")
    text.append(guest.host_name or guest.host_email or "none named")
    if guest.host_name and guest.host_email:
        text.append(f"\n       {guest.host_email}", style="dim")
    text.append("\nVisit  ", style="dim")
    if guest.visit_start and guest.visit_end:
        start, end = guest.visit_start.astimezone(tz), guest.visit_end.astimezone(tz)
        text.append(f"{start:%H:%M}–{end:%H:%M}")
        text.append(f" {start:%a %d %b}", style="dim")
    elif guest.visit_start:
        text.append(f"{guest.visit_start.astimezone(tz):%H:%M}")
    else:
        text.append("no time given", style="dim")
    text.append("\nStatus ", style="dim")
    text.append(status.label, style=status_style)
    if guest.checked_out_at is not None and guest.checked_in_at is not None:
        text.append(f" (arrived {guest.checked_in_at.astimezone(tz):%H:%M})", style="dim")
    if guest.notes:
        text.append("\n\n")
        text.append(guest.notes, style="italic")
    text.append("\n\n")
    text.append(next_step(status.kind), style="dim")
    return text


def next_step(kind: str) -> str:
    if kind == ARRIVED:
        return "p: pass · s: save pass · o: check out (Tab: list)"
    if kind in (EXPECTED, LATE):
        return "Enter: check in"
    if kind == MISSED:
        return "The visit has ended."
    return "Checked out."
