"""The free/busy timeline: rooms as rows × slots of the day, one widget drawing its own lines.

A ``ScrollView`` using Textual's Line API (``render_line``), not a DataTable and not a widget per
slot: rows are run-length encoded strips cached per (row, data, theme, marks), the hour header
and the room-name gutter are drawn inside the widget and stay put while the cells scroll, and
a cursor move repaints only the lines it touches. 1,000 rooms × 96 slots paint in a few ms.

The widget never shows meeting titles (private meetings, kiosks): it reports the block under
the cursor (``CursorMoved``) and the range chosen (``RangeChosen``); the screen shows them.

Here are the data it holds and the drawing; the cursor and selection, and the keys and clicks
that move them, are ``timeline_cursor``; rows and the day's grid ``timeline_data``, painting
``timeline_paint``, the messages ``timeline_messages``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from staffterm.errors import InvalidInputError
from staffterm.ui.widgets import timeline_messages
from staffterm.ui.widgets.timeline_cursor import HEADER_HEIGHT, TIMELINE_BINDINGS, TimelineCursor
from staffterm.ui.widgets.timeline_data import (
    DayGrid,
    TimelineRow,
    ensure_rows,
    rows_from_snapshot,
)
from staffterm.ui.widgets.timeline_paint import (
    CellText,
    RowMarks,
    TimelinePalette,
    gutter_width,
    header_text,
    paint_cells,
    paint_corner,
    paint_gutter,
    paint_header,
    paint_row,
    row_runs,
)

if TYPE_CHECKING:
    from textual.theme import Theme


__all__ = ["FreeBusyTimeline", "TimelineRow", "rows_from_snapshot"]

MIN_GUTTER = 12
EMPTY_TEXT = "No rooms match."


class FreeBusyTimeline(TimelineCursor, ScrollView, can_focus=True, inherit_bindings=False):
    """Rooms × slots of free/busy with a slot cursor and a range selection on the cursor's row."""

    BINDINGS: ClassVar[list[BindingType]] = TIMELINE_BINDINGS

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--free",
        "timeline--busy",
        "timeline--tentative",
        "timeline--oof",
        "timeline--elsewhere",
        "timeline--unknown",
        "timeline--now",
        "timeline--cursor",
        "timeline--selection",
        "timeline--header",
        "timeline--gutter",
        "timeline--past",
    }
    """
    | Class | What |
    | :- | :- |
    | `timeline--free`, `--busy`, `--tentative`, `--oof`, `--elsewhere` | cells by state |
    | `timeline--unknown` | cells of a room whose free/busy could not be read |
    | `timeline--now` | the slot holding "now" (its colour and text style are laid over the cell) |
    | `timeline--cursor`, `timeline--selection` | the slot cursor, the selected range |
    | `timeline--header`, `timeline--gutter` | the hour row and the room-name column |
    | `timeline--past` | its background, with its alpha, is laid over slots before now |
    """

    DEFAULT_CSS = """
    FreeBusyTimeline {
        background: $surface;
        & > .timeline--free { background: $fb-free 18%; color: $fb-free; }
        & > .timeline--busy { background: $fb-busy; color: $fb-busy; }
        & > .timeline--tentative { background: $fb-tentative 30%; color: $fb-tentative; }
        & > .timeline--oof { background: $fb-oof 35%; color: $fb-oof; }
        & > .timeline--elsewhere { background: $fb-free 8%; color: $text-muted; }
        & > .timeline--unknown { background: $surface; color: $text-muted; }
        & > .timeline--now { color: $foreground; text-style: bold; }
        & > .timeline--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .timeline--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .timeline--selection { background: $accent 70%; color: $text; }
        & > .timeline--header { background: $panel; color: $foreground; text-style: bold; }
        & > .timeline--gutter { background: $panel; color: $foreground; }
        & > .timeline--past { background: $background 50%; }
    }
    """

    CursorMoved = timeline_messages.CursorMoved
    RangeChosen = timeline_messages.RangeChosen

    now: var[datetime | None] = var(None, init=False)
    """The moment drawn as the now-line; slots before it are dimmed. Set it, never read a clock here."""

    def __init__(
        self,
        *,
        cell_width: int = 2,
        max_gutter_width: int = 28,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        if not isinstance(cell_width, int) or not 1 <= cell_width <= 8:
            raise InvalidInputError(f"a timeline cell is 1 to 8 columns wide, not {cell_width!r}", field="cell_width")
        if not isinstance(max_gutter_width, int) or max_gutter_width < MIN_GUTTER:
            raise InvalidInputError(
                f"the room-name column needs at least {MIN_GUTTER} columns, not {max_gutter_width!r}",
                field="max_gutter_width",
            )
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._cell_width = cell_width
        self._max_gutter = max_gutter_width
        self._rows: tuple[TimelineRow, ...] = ()
        self._index: dict[str, int] = {}
        self._grid: DayGrid | None = None
        self._text: CellText | None = None
        self._header_text = ""
        self._gutter = MIN_GUTTER
        self._data_version = 0
        self._style_version = 0
        self._palette: TimelinePalette | None = None
        self._cursor_row = 0
        self._cursor_col = 0
        self._anchor: int | None = None
        self._anchor_sticky = False
        self._now_slot: int | None = None
        self._now_offset = 0
        self._plain = RowMarks()
        self._runs: dict[int, list[tuple[int, int, str]]] = {}
        self._gutter_cache: LRUCache[tuple[object, ...], Segment] = LRUCache(1024)
        # Painted lines (gutter + the visible cells), keyed by row, data, theme, marks and window.
        self._line_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self._header_cache: tuple[tuple[object, ...], Strip] | None = None

    # ----------------------------------------------------------------- data

    def set_data(
        self,
        rows: list[TimelineRow],
        *,
        day_start: datetime,
        slot_minutes: int,
        slots: int,
        tz: tzinfo,
    ) -> None:
        """Show ``rows`` over ``slots`` slots of ``slot_minutes`` from ``day_start`` in ``tz``.

        Cheap for thousands of rows: nothing is drawn until a line is on screen. The cursor
        stays on the same room and time when they are still shown; so does a selection.
        Bad input raises ``InvalidInputError`` and leaves the widget as it was.
        """
        grid = DayGrid.build(day_start, slot_minutes, slots, tz)
        checked = ensure_rows(rows, slots)
        old_room, old_time = self.cursor_room_id, self.cursor_time
        old_grid, old_anchor = self._grid, self._anchor
        same_grid = old_grid is not None and (old_grid.starts_utc, old_grid.tz) == (grid.starts_utc, grid.tz)
        if not same_grid or self._text is None:
            self._text = CellText.build(grid, self._cell_width)
            self._header_text = header_text(grid, self._cell_width)
        self._rows = checked
        self._index = {row.room_id: index for index, row in enumerate(checked)}
        self._grid = grid
        self._gutter = gutter_width(checked, MIN_GUTTER, self._max_gutter)
        self._data_version += 1
        self._runs.clear()
        self._gutter_cache.clear()
        self._line_cache.clear()
        self._header_cache = None

        row = self._index.get(old_room, self._cursor_row) if old_room is not None else 0
        col = grid.slot_of(old_time) if old_time is not None else None
        self._cursor_row = min(row, max(len(checked) - 1, 0))
        self._cursor_col = min(col if col is not None else 0, slots - 1)
        if not (same_grid and old_room is not None and old_room in self._index):
            self._anchor, self._anchor_sticky = None, False
        else:
            self._anchor = old_anchor
        self._update_now_marks()
        if checked:
            self.virtual_size = Size(self._gutter + slots * self._cell_width, HEADER_HEIGHT + len(checked))
        else:
            self.virtual_size = Size(len(EMPTY_TEXT), 1)
        self.refresh()
        self.refresh_bindings()  # "Choose"/"Select" come and go with the rows
        if checked:
            self._scroll_cursor_into_view()
            self._post_cursor_moved()

    @property
    def rows(self) -> tuple[TimelineRow, ...]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cell_width(self) -> int:
        return self._cell_width

    @property
    def gutter_width(self) -> int:
        return self._gutter

    @property
    def grid(self) -> DayGrid | None:
        return self._grid

    # ----------------------------------------------------------------- now

    def validate_now(self, moment: datetime | None) -> datetime | None:
        if moment is not None and (not isinstance(moment, datetime) or moment.utcoffset() is None):
            raise InvalidInputError(f"the timeline's now must include a time zone, not {moment!r}", field="now")
        return moment

    def watch_now(self) -> None:
        before = (self._now_slot, self._now_offset)
        self._update_now_marks()
        if (self._now_slot, self._now_offset) != before:
            self._header_cache = None
            self.refresh()

    def _update_now_marks(self) -> None:
        slot = self._grid.slot_of(self.now) if self._grid is not None and self.now is not None else None
        if slot is None and self._grid is not None and self.now is not None and self.now >= self._grid.starts_utc[-1]:
            # The whole day shown is over: everything is past, no now-line.
            slot = self._grid.slots
        self._now_slot = slot
        self._now_offset = 0
        if slot is not None and self._grid is not None and slot < self._grid.slots and self.now is not None:
            self._now_offset = int(self._grid.fraction_into(slot, self.now) * self._cell_width)
        self._plain = RowMarks(now_slot=slot, now_offset=self._now_offset)

    # ----------------------------------------------------------------- styles

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.now is None:
            clock = getattr(self.app, "now", None)
            if callable(clock):
                self.now = clock()

    def _theme_changed(self, _theme: Theme) -> None:
        self._invalidate_styles()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._invalidate_styles()

    def _invalidate_styles(self) -> None:
        self._palette = None
        self._style_version += 1
        self._gutter_cache.clear()
        self._line_cache.clear()
        self._header_cache = None

    @property
    def palette(self) -> TimelinePalette:
        if self._palette is None:
            self._palette = TimelinePalette(self)
        return self._palette

    # ----------------------------------------------------------------- drawing

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        palette = self.palette
        if not self._rows or self._grid is None:
            if y == 0:
                return Strip([Segment(EMPTY_TEXT, palette.base)]).adjust_cell_length(width, palette.base)
            return Strip.blank(width, palette.base)
        scroll_x, scroll_y = self.scroll_offset
        if y < HEADER_HEIGHT:
            return self._header_line(width, scroll_x)
        index = scroll_y + y - HEADER_HEIGHT
        if index >= len(self._rows):
            return Strip.blank(width, palette.base)
        return self._row_line(index, width, scroll_x)

    def _marks(self, index: int) -> RowMarks:
        if index != self._cursor_row:
            return self._plain
        return RowMarks(self._now_slot, self._now_offset, self._cursor_col, self.selection)

    def _row_line(self, index: int, width: int, scroll_x: int) -> Strip:
        marks = self._marks(index)
        key = (index, self._data_version, self._style_version, marks, scroll_x, width)
        line = self._line_cache.get(key)
        if line is not None:
            return line
        assert self._grid is not None and self._text is not None
        palette = self.palette
        on_cursor = index == self._cursor_row
        gutter_key = (index, self._data_version, self._style_version, on_cursor)
        gutter = self._gutter_cache.get(gutter_key)
        if gutter is None:
            style = palette.gutter_cursor if on_cursor else palette.gutter
            gutter = self._gutter_cache[gutter_key] = paint_gutter(self._rows[index], self._gutter, style)
        total = self._grid.slots * self._cell_width
        window = (scroll_x, scroll_x + max(width - self._gutter, 0))
        cells = paint_cells(self._row_runs(index), self._grid.slots, marks, self._text, palette, window)
        shown = max(min(window[1], total) - window[0], 0)
        line = self._line_cache[key] = paint_row(gutter, cells, self._gutter, shown, width, palette.base)
        return line

    def _row_runs(self, index: int) -> list[tuple[int, int, str]]:
        runs = self._runs.get(index)
        if runs is None:
            runs = self._runs[index] = row_runs(self._rows[index])
        return runs

    def row_strip(self, index: int, marks: RowMarks | None = None) -> Strip:
        """Row ``index``'s cells, every slot, as if nothing were scrolled (for inspection)."""
        assert self._grid is not None and self._text is not None
        marks = self._marks(index) if marks is None else marks
        cells = paint_cells(self._row_runs(index), self._grid.slots, marks, self._text, self.palette)
        return Strip(cells, self._grid.slots * self._cell_width)

    def _header_line(self, width: int, scroll_x: int) -> Strip:
        key = (self._data_version, self._style_version, self._now_slot, self._cursor_col, scroll_x, width)
        if self._header_cache is not None and self._header_cache[0] == key:
            return self._header_cache[1]
        assert self._grid is not None
        palette = self.palette
        now_slot = self._now_slot if self._now_slot is not None and self._now_slot < self._grid.slots else None
        cells = paint_header(self._header_text, self._cell_width, now_slot, self._cursor_col, palette)
        first = self._grid.slot_start(0)
        at = self._grid.slot_start(self._cursor_col)
        corner = paint_corner((f"{first:%a %d %b}", f"{first:%a %d}"), f"{at:%H:%M}", self._gutter, palette.header)
        view = cells.crop(scroll_x, scroll_x + max(width - self._gutter, 0))
        line = Strip.join([corner, view]).adjust_cell_length(width, palette.base)
        self._header_cache = (key, line)
        return line

