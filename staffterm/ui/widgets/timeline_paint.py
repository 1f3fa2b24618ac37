"""Painting the free/busy timeline: styles per cell state and run-length encoded strips.

A row becomes one ``Segment`` per run of cells that look the same (same state, same
past/now/selection/cursor flags), never one per slot, so a 96-slot row is a handful of
segments. Every state also has its own glyph, so free and busy read apart without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from staffterm.ui.widgets.timeline_data import DayGrid, TimelineRow, state_runs

if TYPE_CHECKING:
    from textual.widget import Widget

PAST, NOW, SELECTED, CURSOR = 1, 2, 4, 8

# One cell-wide glyph per state (repeated across the cell). A free cell starts with a light dot,
# or a tick where a local hour starts, so the grid can be read without the header.
GLYPHS: dict[str, str] = {"busy": "█", "tentative": "░", "oof": "▚", "elsewhere": "~", "unknown": "?"}
FREE_DOT = "·"
HOUR_TICK = "╎"
NOW_MARK = "│"
UNKNOWN = "unknown"
STATES = ("free", "tentative", "busy", "oof", "elsewhere", UNKNOWN)


def _overlay(style: Style, overlay: Color) -> Style:
    """``style`` with its colours seen through ``overlay`` (a colour with alpha)."""
    if overlay.a <= 0:
        return style
    fg = Color.from_rich_color(style.color) + overlay if style.color is not None else None
    bg = Color.from_rich_color(style.bgcolor) + overlay if style.bgcolor is not None else None
    return style + Style.from_color(fg.rich_color if fg else None, bg.rich_color if bg else None)


class TimelinePalette:
    """Rich styles for every (state, flags) pair, read from the widget's component classes.

    Built once per theme/CSS version; the widget drops it when the theme changes.
    """

    def __init__(self, widget: Widget) -> None:
        def style(name: str) -> Style:
            return widget.get_component_styles(f"timeline--{name}").rich_style

        self.base = widget.rich_style
        self.header = style("header")
        self.gutter = style("gutter")
        self._state = {state: style(state) for state in STATES}
        self._now = widget.get_component_styles("timeline--now").partial_rich_style
        self._cursor = style("cursor")
        self._selection = style("selection")
        self._past_overlay = widget.get_component_styles("timeline--past").background
        self.gutter_cursor = self.gutter + self._cursor
        self.header_cursor = self.header + self._cursor
        # Underlined too: the header is already bold in the foreground colour the now style uses.
        self.header_now = self.header + self._now + Style(underline=True)
        self._cells: dict[tuple[str, int], Style] = {}

    def cell(self, state: str, flags: int) -> Style:
        key = (state, flags)
        found = self._cells.get(key)
        if found is not None:
            return found
        style = self._state.get(state) or self._state["free"]
        if flags & PAST:
            style = _overlay(style, self._past_overlay)
        if flags & NOW:
            style = style + self._now
        if flags & SELECTED:
            style = style + self._selection
        if flags & CURSOR:
            style = style + self._cursor
        self._cells[key] = style
        return style


@dataclass(frozen=True)
class CellText:
    """The characters of a whole row per state, sliced per run (glyphs are one cell wide)."""

    width: int
    lines: dict[str, str]
    free_cells: tuple[str, ...]

    @classmethod
    def build(cls, grid: DayGrid, cell_width: int) -> CellText:
        pad = " " * (cell_width - 1)
        free_cells = tuple((FREE_DOT if mark is None else HOUR_TICK) + pad for mark in grid.hour_marks)
        lines = {state: glyph * (cell_width * grid.slots) for state, glyph in GLYPHS.items()}
        lines["free"] = "".join(free_cells)
        return cls(cell_width, lines, free_cells)

    def now_cell(self, index: int, offset: int) -> str:
        """A free cell with the now-line at ``offset`` within it."""
        cell = self.free_cells[index]
        return cell[:offset] + NOW_MARK + cell[offset + 1 :]


@dataclass(frozen=True)
class RowMarks:
    """What, beyond the data, changes how a row looks."""

    now_slot: int | None = None
    now_offset: int = 0
    cursor: int | None = None
    selection: tuple[int, int] | None = None  # first and last slot, inclusive


def row_runs(row: TimelineRow) -> list[tuple[int, int, str]]:
    if row.error is not None:
        return [(0, len(row.states), UNKNOWN)]
    return state_runs(row.states)


def paint_cells(
    runs: Sequence[tuple[int, int, str]],
    slots: int,
    marks: RowMarks,
    text: CellText,
    palette: TimelinePalette,
    window: tuple[int, int] | None = None,
) -> list[Segment]:
    """The row's cells between columns ``window`` (all of them when None): one segment per run
    of identical-looking cells. Painting only the window is cheaper than cropping a whole row."""
    width = text.width
    left, right = window if window is not None else (0, slots * width)
    # Only slots that reach into the window matter.
    low, high = max(left // width, 0), min(-(-right // width), slots)
    if low >= high:
        return []
    cuts = {low, high}
    for first, _, _ in runs:
        if low < first < high:
            cuts.add(first)
    now = marks.now_slot
    if now is not None:
        cuts.update((now, now + 1))
    if marks.cursor is not None:
        cuts.update((marks.cursor, marks.cursor + 1))
    if marks.selection is not None:
        cuts.update((marks.selection[0], marks.selection[1] + 1))
    ordered = sorted(c for c in cuts if low <= c <= high)
    sel_first, sel_last = marks.selection if marks.selection is not None else (-1, -2)
    segments: list[Segment] = []
    run_index = 0
    for first, end in zip(ordered, ordered[1:], strict=False):
        while runs[run_index][1] <= first:
            run_index += 1
        state = runs[run_index][2]
        flags = 0
        if now is not None:
            if end <= now:
                flags |= PAST
            elif first == now:
                flags |= NOW
        if sel_first <= first <= sel_last:
            flags |= SELECTED
        if first == marks.cursor:
            flags |= CURSOR
        start_col, end_col = max(first * width, left), min(end * width, right)
        if flags & NOW and state == "free":
            chars = text.now_cell(first, marks.now_offset)[start_col - first * width : end_col - first * width]
        else:
            chars = text.lines[state][start_col:end_col]
        segments.append(Segment(chars, palette.cell(state, flags)))
    return segments


def paint_row(
    gutter: Segment,
    cells: list[Segment],
    gutter_width: int,
    cells_width: int,
    width: int,
    base: Style,
) -> Strip:
    """Gutter, then the visible cells, padded (or cut) to the widget's width."""
    used = gutter_width + cells_width
    if used < width:
        return Strip([gutter, *cells, Segment(" " * (width - used), base)], width)
    if used == width:
        return Strip([gutter, *cells], width)
    return Strip([gutter, *cells], used).crop(0, width)


# Room names come from the calendar service: a newline or tab in one must not break the line.
_CONTROL = {code: " " for code in range(32)} | {127: " "}


def paint_gutter(row: TimelineRow, width: int, style: Style) -> Segment:
    """``Room name        12 `` — the name cut with an ellipsis, the capacity right-aligned."""
    capacity = str(row.capacity) if row.capacity else ""
    name_width = max(width - len(capacity) - 2, 1)
    label = row.label.translate(_CONTROL)
    if cell_len(label) > name_width:
        label = set_cell_size(label, name_width - 1) + "…"
    text = f"{set_cell_size(label, name_width)} {capacity} "
    return Segment(set_cell_size(text, width), style)


def gutter_width(rows: Sequence[TimelineRow], minimum: int, maximum: int) -> int:
    if not rows:
        return minimum
    longest = max(cell_len(row.label) for row in rows)
    capacity = max(len(str(row.capacity)) if row.capacity else 0 for row in rows)
    return max(minimum, min(maximum, longest + capacity + 3))


def header_text(grid: DayGrid, cell_width: int) -> str:
    """Hour labels (local time of the building) at the columns where each hour starts.

    ``09:00`` where an hour is wide enough, else ``09``; a label that would run into the
    previous one is left out rather than overlap it.
    """
    total = grid.slots * cell_width
    columns = [index * cell_width for index in grid.hour_slots]
    spacing = min((b - a for a, b in zip(columns, columns[1:], strict=False)), default=total)
    long_form = spacing >= 6
    chars = [" "] * total
    last_end = -2
    for index, column in zip(grid.hour_slots, columns, strict=False):
        hour = grid.hour_marks[index]
        label = f"{hour:02d}:00" if long_form else f"{hour:02d}"
        if column <= last_end or column + len(label) > total:
            continue
        chars[column : column + len(label)] = label
        last_end = column + len(label)
    return "".join(chars)


def paint_header(
    text: str, cell_width: int, now_slot: int | None, cursor: int | None, palette: TimelinePalette
) -> Strip:
    """The hour row over the cells; the now and cursor columns are picked out."""
    total = len(text)
    marked: dict[int, Style] = {}
    if now_slot is not None:
        marked[now_slot] = palette.header_now
    if cursor is not None:
        marked[cursor] = palette.header_cursor
    segments: list[Segment] = []
    position = 0
    for slot in sorted(marked):
        start = slot * cell_width
        if start > position:
            segments.append(Segment(text[position:start], palette.header))
        segments.append(Segment(text[start : start + cell_width], marked[slot]))
        position = start + cell_width
    if position < total:
        segments.append(Segment(text[position:], palette.header))
    return Strip(segments, total)


def paint_corner(lefts: Sequence[str], right: str, width: int, style: Style) -> Strip:
    """The top-left cell: the day (the longest form in ``lefts`` that fits beside ``right``,
    the cursor's time), else the time alone."""
    for left in lefts:
        if cell_len(left) + cell_len(right) + 2 <= width:
            content = set_cell_size(left, width - cell_len(right) - 1) + right + " "
            break
    else:
        content = right if cell_len(right) < width else lefts[-1] if lefts else ""
    return Strip([Segment(set_cell_size(content, width), style)], width)
