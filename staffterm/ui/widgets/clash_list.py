"""What stands in the way of a write: the clashing meetings, bookings or busy blocks of a
``ConflictError`` and the bookings counted by a ``LimitReachedError``, one line each, with times
in the building's zone.

Forms keep their values and show this under them, so the operator sees exactly which booking or
meeting to move (its id, its time, whose it is) instead of a bare "conflict".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from rich.text import Text
from textual.app import App
from textual.widgets import Static

from staffterm.errors import ConflictError, LimitReachedError
from staffterm.models import Booking, BusyBlock, Event
from staffterm.ui.styles import themed

STATE_WORDS: dict[str, str] = {
    "reserved": "reserved",
    "checked_in": "checked in",
    "checked_out": "checked out",
    "no_show": "no show",
    "rejected": "rejected",
    "cancelled": "cancelled",
    "ended": "ended",
    "unknown": "unknown",
}


def clock_span(start: datetime, end: datetime, tz: tzinfo, *, reference: datetime | None = None) -> str:
    """``10:30–11:30`` in ``tz``; a side on another local day than ``reference`` carries its date."""

    def one(moment: datetime) -> str:
        local = moment.astimezone(tz)
        if reference is not None and local.date() != reference.astimezone(tz).date():
            return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"
        return f"{local:%H:%M}"

    return f"{one(start)}–{one(end)}"


def describe_clash(item: Any, tz: tzinfo, *, reference: datetime | None = None) -> Text:
    """One line for a clashing item: what it is, when, whose, and its id."""
    text = Text()
    if isinstance(item, Booking):
        text.append(clock_span(item.start, item.end, tz, reference=reference), style="bold")
        text.append(f"  {item.type} ")
        text.append(", ".join(item.asset_ids), style="bold")
        who = item.user_name or item.user_email
        if who:
            text.append(f" for {who}")
        text.append(f"  {STATE_WORDS.get(item.state.value, item.state.value)}")
        if item.pending_approval:
            text.append(", awaiting approval")
        text.append(f"  booking {item.id}", style="dim")
        return text
    if isinstance(item, Event):
        text.append(clock_span(item.start, item.end, tz, reference=reference), style="bold")
        text.append(f"  {item.display_title(masked=True)}")
        if item.host:
            text.append(f"  host {item.host}")
        text.append(f"  meeting {item.id}", style="dim")
        return text
    if isinstance(item, BusyBlock):
        text.append(clock_span(item.start, item.end, tz, reference=reference), style="bold")
        if item.private:
            text.append("  Private meeting")
        elif item.title:
            text.append(f"  {item.title}")
        else:
            text.append(f"  {item.status.value}")
        if item.event_id:
            text.append(f"  meeting {item.event_id}", style="dim")
        return text
    return Text(str(item))


def clash_items(error: BaseException | None) -> list[Any]:
    if isinstance(error, ConflictError):
        return list(error.clashes)
    if isinstance(error, LimitReachedError):
        return list(error.items)
    return []


def render_problem(
    error: BaseException | str, tz: tzinfo, *, reference: datetime | None = None, app: App | None = None
) -> Text:
    """The error's message (and hint), then its clashing items, one per line."""
    message = str(error) if not isinstance(error, str) else error
    # The message alone in the error colour; Text(message, style=…) would colour the items too.
    text = Text()
    text.append(message, style=themed(app, "error", bold=True))
    items = clash_items(error) if isinstance(error, BaseException) else []
    if items:
        heading = "In the way:" if isinstance(error, ConflictError) else "Already held:"
        text.append(f"\n{heading}", style="bold")
        for item in items:
            text.append("\n • ")
            text.append_text(describe_clash(item, tz, reference=reference))
    return text


class ClashList(Static):
    """Shows a refused write: the message and the items that caused it; hidden when empty."""

    DEFAULT_CSS = """
    ClashList {
        display: none;
        height: auto;
        padding: 0 1;
        border: round $error;
        color: $foreground;
    }
    ClashList.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.items: list[Any] = []
        self.message: str = ""

    def show_error(self, error: BaseException | str, tz: tzinfo, *, reference: datetime | None = None) -> None:
        self.message = str(error)
        self.items = clash_items(error) if isinstance(error, BaseException) else []
        self.update(render_problem(error, tz, reference=reference, app=self.app))
        self.add_class("-shown")

    def show_items(self, message: str, items: Iterable[Any], tz: tzinfo, *, reference: datetime | None = None) -> None:
        error = ConflictError(message, clashes=list(items), hint="")
        self.show_error(error, tz, reference=reference)

    def clear(self) -> None:
        self.message = ""
        self.items = []
        self.update("")
        self.remove_class("-shown")

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")

    @property
    def plain(self) -> str:
        """The text on show (for tests and screen readers)."""
        rendered = self.content
        return rendered.plain if isinstance(rendered, Text) else str(rendered)


__all__ = ["ClashList", "clash_items", "clock_span", "describe_clash", "render_problem", "themed"]
