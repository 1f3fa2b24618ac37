"""What the CLI prints: JSON with stable keys for scripts, aligned tables for people.

JSON keys are the models' field names (``to_json_dict``) and times are ISO 8601 with offset;
tables show times in the building's zone.

Everything printed for people goes through ``visible``: a title or id holding a terminal escape
(ESC, OSC, CSI), a newline that would forge a table row, or a bidi override that reorders a
line is shown as the escape a programmer would type (``\x1b``, ``\n``, ``\u202e``), never
sent raw. JSON is not touched: ``json.dumps`` already escapes control characters, and scripts
need the exact value.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

# What a terminal would act on rather than show: C0 controls, DEL and C1 controls (CSI is
# U+009B on terminals that read 8-bit controls), the bidi embeddings, overrides, isolates and
# marks that reorder what follows them, line and paragraph separators, and lone surrogates
# (a non-UTF-8 byte in an argument or a file name). Printable text, including joiners inside
# emoji and every script, is left as it is.
_UNSHOWABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# The same set past C0, which json.dumps escapes itself (its own newlines lay the JSON out).
_UNSHOWABLE_IN_JSON = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

#: Longest message line the CLI prints; longer ones keep their start and end (see ``shorten``).
MESSAGE_WIDTH = 500


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: Any) -> str:
    """``text`` safe to print on a terminal: every control character shown as its escape.

    ``visible("a\\x1b]0;x\\x07\\nb")`` is ``a\\x1b]0;x\\x07\\nb`` in backslash notation, on one
    line. A backslash already in the text is left alone (tables are for reading; ``--json``
    is the exact form).
    """
    text = "" if text is None else str(text)
    return _UNSHOWABLE.sub(_escape, text) if _UNSHOWABLE.search(text) else text


def shorten(text: str, width: int = MESSAGE_WIDTH) -> str:
    """A line of at most about ``width`` characters: its start and end, with the count of what
    was left out between them (a 120 KB id echoed in an error is not printed whole)."""
    if len(text) <= width:
        return text
    head = width * 3 // 4
    tail = width - head - 40
    return f"{text[:head]}…[{len(text) - head - tail} characters left out]…{text[-tail:]}"


def message(text: Any) -> str:
    """One message line for stderr: visible and not absurdly long."""
    return shorten(visible(text))


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
    """Indented JSON; non-ASCII text as itself when the stream can encode it, else as ``\\u``
    escapes (an ASCII terminal, a lone surrogate), so the JSON stays exact either way."""
    out = stream if stream is not None else sys.stdout
    data = to_jsonable(value)
    # json.dumps escapes C0 controls but leaves C1, bidi overrides and separators raw: written
    # as \\u escapes they decode to the same string and cannot act on a terminal.
    text = _UNSHOWABLE_IN_JSON.sub(_json_escape, json.dumps(data, indent=2, ensure_ascii=False))
    if not can_encode(text, out):
        text = json.dumps(data, indent=2, ensure_ascii=True)
    out.write(text + "\n")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def can_encode(text: str, stream: Any) -> bool:
    """Whether ``stream``'s encoding can write ``text`` as itself (not as escapes)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def emit_line(text: Any = "", stream: TextIO | None = None) -> None:
    """One line for people (``print`` for the CLI): control characters shown, not sent."""
    out = stream if stream is not None else sys.stdout
    out.write(visible(text) + "\n")


def emit_block(text: str, stream: TextIO | None = None) -> None:
    """Several lines the CLI laid out itself (e.g. indented JSON, whose strings hold no raw
    newline): each line made ``visible``, the line breaks kept."""
    for line in text.split("\n"):
        emit_line(line, stream)


def render_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Left-aligned columns separated by two spaces; the last column is not padded.

    Cells are ``visible``: a newline in a title cannot start a row of its own.
    """
    body = [["" if cell is None else visible(cell) for cell in row] for row in rows]
    headers = [visible(h) for h in headers]
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
        out.write(visible(empty) + "\n")
        return
    out.write(render_table(headers, rows) + "\n")


def emit_fields(pairs: Sequence[tuple[str, Any]], stream: TextIO | None = None) -> None:
    """A "label: value" block for one item, labels aligned."""
    out = stream if stream is not None else sys.stdout
    width = max((len(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        out.write(visible(f"{(label + ':').ljust(width + 1)} {'' if value is None else value}".rstrip()) + "\n")


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
