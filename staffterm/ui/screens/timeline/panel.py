"""The Timeline screen's side panel: the room under the cursor, the meeting in that slot (a
private meeting is never named) or how long the room stays free, and the range selected."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from rich.text import Text

from staffterm.ui.styles import themed
from staffterm.ui.widgets.clash_list import clock_span
from staffterm.ui.widgets.timeline_data import clashing_blocks

PRIVATE_TITLE = "Private meeting"

#: How each not-free state reads in the panel.
STATUS_WORDS: dict[str, str] = {
    "busy": "busy",
    "tentative": "tentative · awaiting approval",
    "oof": "out of office",
    "elsewhere": "working elsewhere",
}

#: Theme variable each state is drawn in.
STATUS_VARIABLE: dict[str, str] = {"busy": "fb-busy", "tentative": "fb-tentative", "oof": "fb-oof", "free": "fb-free"}


def block_title(block: Any) -> str:
    """What a busy block may be called on a desk's screen: private meetings stay unnamed."""
    if block.private:
        return PRIVATE_TITLE
    if block.title:
        return block.title
    status = str(getattr(block.status, "value", block.status))
    return "Tentative booking" if status == "tentative" else "Busy"


def free_until(blocks: Sequence[Any], at: datetime) -> datetime | None:
    """When the next meeting after ``at`` starts (None: free for the rest of the day loaded)."""
    return next((b.start for b in blocks if b.start > at), None)


def room_facts(room: Any, level_name: str | None) -> Text:
    text = Text()
    text.append(f"{room.name}\n", style="bold")
    facts = [part for part in (level_name, f"{room.capacity} seats", "step-free" if room.accessible else "") if part]
    text.append(" · ".join(facts) + "\n")
    text.append((", ".join(room.features) if room.features else "no features") + "\n", style="dim")
    if not room.bookable:
        text.append("Not bookable\n", style="bold")
    return text


def describe_cursor(
    *,
    room: Any,
    level_name: str | None,
    row: Any,
    at: datetime,
    block: Any,
    selection: tuple[datetime, datetime] | None,
    tz: tzinfo,
    app: Any = None,
) -> Text:
    """The panel for the cursor on ``row`` at ``at`` (the slot's start, in the building's zone)."""
    text = room_facts(room, level_name) if room is not None else Text(f"{row.label}\n", style="bold")
    text.append("\n")
    local = at.astimezone(tz)
    text.append(f"{local:%a %d %b %H:%M}\n", style="bold")
    if row.error:
        text.append("? Free/busy unknown\n", style=themed(app, "warning", bold=True))
        text.append(f"  {row.error}\n", style="dim")
    elif block is not None:
        status = str(getattr(block.status, "value", block.status))
        style = themed(app, STATUS_VARIABLE.get(status, "fb-busy"), bold=True)
        text.append("■ ", style=style)
        text.append(f"{block_title(block)}\n", style="bold")
        text.append(f"  {clock_span(block.start, block.end, tz, reference=at)}  ")
        text.append(f"{STATUS_WORDS.get(status, status)}\n", style=style)
    else:
        until = free_until(row.blocks, at)
        style = themed(app, "fb-free", bold=True)
        text.append("● ", style=style)
        if until is None:
            text.append("Free for the rest of the day\n", style=style)
        else:
            text.append(f"Free until {until.astimezone(tz):%H:%M}\n", style=style)
    if selection is not None:
        start, end = selection
        minutes = int((end - start).total_seconds() // 60)
        text.append("\n")
        text.append(f"Selected {clock_span(start, end, tz)} ({minutes} min)\n", style="bold")
        clashes = clashing_blocks(row.blocks, start, end)
        if clashes:
            text.append("Clashes with:\n", style=themed(app, "error", bold=True))
            for clash in clashes:
                text.append(f" • {clock_span(clash.start, clash.end, tz)} {block_title(clash)}\n")
        elif not row.error:
            text.append("Free for all of it\n", style=themed(app, "fb-free"))
    text.append("\n")
    if room is not None and not room.bookable:
        text.append("v room's day", style="dim")
    else:
        text.append("Enter book · space select · v room's day", style="dim")
    return text
