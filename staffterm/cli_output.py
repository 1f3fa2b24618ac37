"""What the CLI prints: JSON with stable keys for scripts, aligned tables for people.

JSON keys are the models' field names (``to_json_dict``) and times are ISO 8601 with offset;
tables show times in the building's zone.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from enum import Enum
from pathlib import Path
from typing import Any, TextIO


def to_jsonable(value: Any) -> Any:
    """Models via ``to_json_dict``; containers, dataclasses, enums and times made plain."""
    dump = getattr(value, "to_json_dict", None)
    if callable(dump):
        return dump()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def emit_json(value: Any, stream: TextIO | None = None) -> None:
    out = stream if stream is not None else sys.stdout
    out.write(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False))
    out.write("\n")


def render_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Left-aligned columns separated by two spaces; the last column is not padded."""
    body = [["" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(cells[:-1])]
        return "  ".join([*padded, cells[-1]]).rstrip()

    lines = [line(list(headers)), line(["-" * w for w in widths])]
    lines.extend(line(row) for row in body)
    return "\n".join(lines)


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, empty: str, stream: TextIO | None = None) -> None:
    """A table, or one plain line saying there is nothing (so an empty result is not mistaken for a hang)."""
    out = stream if stream is not None else sys.stdout
    if not rows:
        out.write(empty + "\n")
        return
    out.write(render_table(headers, rows) + "\n")


def emit_fields(pairs: Sequence[tuple[str, Any]], stream: TextIO | None = None) -> None:
    """A "label: value" block for one item, labels aligned."""
    out = stream if stream is not None else sys.stdout
    width = max((len(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        out.write(f"{(label + ':').ljust(width + 1)} {'' if value is None else value}".rstrip() + "\n")


def local(moment: datetime, tz: tzinfo | None) -> datetime:
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def format_time(moment: datetime | None, tz: tzinfo | None) -> str:
    if moment is None:
        return ""
    here = local(moment, tz)
    return f"{here:%Y-%m-%d %H:%M} {here.tzname() or ''}".rstrip()


def format_clock(moment: datetime | None, tz: tzinfo | None) -> str:
    """Just the local ``HH:MM``, for columns whose date is already clear."""
    return f"{local(moment, tz):%H:%M}" if moment is not None else ""


def format_period(start: datetime | None, end: datetime | None, tz: tzinfo | None) -> str:
    """``2026-11-21 09:00-10:00 GMT``; the end's date is shown only when it differs."""
    if start is None:
        return format_time(end, tz)
    if end is None:
        return format_time(start, tz)
    a, b = local(start, tz), local(end, tz)
    zone = a.tzname() or ""
    if a.date() == b.date():
        return f"{a:%Y-%m-%d %H:%M}-{b:%H:%M} {zone}".rstrip()
    return f"{a:%Y-%m-%d %H:%M} - {b:%Y-%m-%d %H:%M} {zone}".rstrip()


def yes_no(flag: bool) -> str:
    return "yes" if flag else ""


def join(items: Iterable[Any], sep: str = ",") -> str:
    return sep.join(str(i) for i in items)


def describe_clash(item: Any, tz: tzinfo | None = None, *, place: str | None = None) -> str:
    """One line naming a clashing item: id, asset/room, times, who (or what).

    ``place`` names the room or asset when the item itself does not (a free/busy block).
    A private meeting's title is not shown.
    """
    data = to_jsonable(item)
    if not isinstance(data, Mapping):
        return str(data)
    ident = data.get("id") or data.get("event_id") or "?"
    where = (
        join(data.get("asset_ids") or [])
        or join(data.get("room_ids") or [])
        or data.get("room_id")
        or place
        or data.get("calendar_id")
        or ""
    )
    title = "Private meeting" if data.get("private") else data.get("title")
    who = data.get("user_email") or data.get("host") or data.get("booked_by_email") or title or ""
    when = format_period(_as_time(data.get("start")), _as_time(data.get("end")), tz)
    return "  ".join(str(part) for part in (ident, where, when, who) if part)


def _as_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None
