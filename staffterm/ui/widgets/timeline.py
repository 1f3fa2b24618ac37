"""The free/busy timeline: rooms as rows × slots of the day, one widget drawing its own lines.

A ``ScrollView`` using Textual's Line API (``render_line``), not a DataTable and not a widget per
slot: rows are run-length encoded strips cached per (row, data, theme, marks), the hour header
and the room-name gutter are drawn inside the widget and stay put while the cells scroll, and
a cursor move repaints only the lines it touches. 1,000 rooms × 96 slots paint in a few ms.

The widget never shows meeting titles (private meetings, kiosks): it reports the block under
the cursor (``CursorMoved``) and the range chosen (``RangeChosen``); the screen shows them.

Over 400 lines on purpose: drawing, scrolling and the cursor of one widget are one idea; its
data, paint and messages already live in ``timeline_data``, ``timeline_paint`` and
``timeline_messages``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.ui.widgets import timeline_messages
from staffterm.ui.widgets.timeline_data import (
    DayGrid,
    TimelineRow,
    clashing_blocks,
    ensure_rows,
    rows_from_snapshot,
    worst_block,
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

    from staffterm.models import BusyBlock

__all__ = ["FreeBusyTimeline", "TimelineRow", "rows_from_snapshot"]

HEADER_HEIGHT = 1
MIN_GUTTER = 12
EMPTY_TEXT = "No rooms match."


class FreeBusyTimeline(ScrollView, can_focus=True, inherit_bindings=False):
    """Rooms × slots of free/busy with a slot cursor and a range selection on the cursor's row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Previous room", show=False, id="timeline-cursor-up"),
        Binding("down", "cursor_down", "Next room", show=False, id="timeline-cursor-down"),
        Binding("left", "cursor_left", "Earlier slot", show=False, id="timeline-cursor-left"),
        Binding("right", "cursor_right", "Later slot", show=False, id="timeline-cursor-right"),
        Binding("shift+left", "select_left", "Extend selection earlier", show=False, id="timeline-select-left"),
        Binding("shift+right", "select_right", "Extend selection later", show=False, id="timeline-select-right"),
        Binding("home", "day_start", "Start of day", show=False, id="timeline-day-start"),
        Binding("end", "day_end", "End of day", show=False, id="timeline-day-end"),
        Binding("left_square_bracket", "previous_hour", "Previous hour", show=False, id="timeline-previous-hour"),
        Binding("right_square_bracket", "next_hour", "Next hour", show=False, id="timeline-next-hour"),
        Binding("pageup", "page_up", "Rooms up a page", show=False, id="timeline-page-up"),
        Binding("pagedown", "page_down", "Rooms down a page", show=False, id="timeline-page-down"),
        Binding("ctrl+home", "first_room", "First room", show=False, id="timeline-first-room"),
        Binding("ctrl+end", "last_room", "Last room", show=False, id="timeline-last-room"),
        # "t" (today/now), not "n": the app binds "n" to find a free room from every screen.
        Binding("t", "jump_to_now", "Now", id="timeline-now"),
        Binding("space", "toggle_anchor", "Select", id="timeline-anchor"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="timeline-clear-selection"),
        Binding("enter", "choose", "Choose", id="timeline-choose"),
    ]

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

    # ----------------------------------------------------------------- cursor API

    @property
    def cursor(self) -> tuple[int, int]:
        """(row, slot) of the cursor."""
        return self._cursor_row, self._cursor_col

    @property
    def cursor_room_id(self) -> str | None:
        return self._rows[self._cursor_row].room_id if self._rows else None

    @property
    def cursor_time(self) -> datetime | None:
        """The start of the cursor's slot, in the building's zone."""
        return self._grid.slot_start(self._cursor_col) if self._rows and self._grid else None

    @property
    def selection(self) -> tuple[int, int] | None:
        """First and last selected slot (inclusive) on the cursor's row, or None."""
        if self._anchor is None:
            return None
        return min(self._anchor, self._cursor_col), max(self._anchor, self._cursor_col)

    def selected_range(self) -> tuple[datetime, datetime] | None:
        """``[start, end)`` of the selection, or of the cursor's slot when nothing is selected."""
        if not self._rows or self._grid is None:
            return None
        first, last = self.selection or (self._cursor_col, self._cursor_col)
        return self._grid.slot_start(first), self._grid.slot_start(last + 1)

    def select_room(self, room_id: str) -> None:
        """Put the cursor on ``room_id``'s row, keeping its time."""
        index = self._index.get(room_id)
        if index is None:
            raise NotFoundError(f"room {room_id!r} is not on the timeline", hint="Clear the filters to show every room.")
        self._move_cursor(index, self._cursor_col)

    def move_cursor_to_time(self, moment: datetime, *, clamp: bool = False) -> None:
        """Put the cursor on the slot holding ``moment``; outside the day shown it is refused,
        or with ``clamp`` the first or last slot is taken."""
        if self._grid is None or not self._rows:
            raise InvalidInputError("the timeline has no rooms to move the cursor in", field="moment")
        if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
            raise InvalidInputError(f"the cursor time must include a time zone, not {moment!r}", field="moment")
        slot = self._grid.slot_of(moment)
        if slot is None:
            if not clamp:
                raise InvalidInputError(
                    f"{moment.astimezone(self._grid.tz):%a %d %b %H:%M} is outside the day shown "
                    f"({self._grid.describe()})",
                    field="moment",
                )
            slot = 0 if moment < self._grid.starts_utc[0] else self._grid.slots - 1
        self._move_cursor(self._cursor_row, slot)

    def block_at(self, row: int, col: int) -> BusyBlock | None:
        """The meeting that decides slot ``col`` of ``row`` (the worst, then the earliest)."""
        self._check_cell(row, col)
        assert self._grid is not None
        return worst_block(self._rows[row].blocks, self._grid.starts_utc[col], self._grid.starts_utc[col + 1])

    def _check_cell(self, row: int, col: int) -> None:
        if not 0 <= row < len(self._rows):
            raise InvalidInputError(f"row {row} is not on the timeline (it has {len(self._rows)} rows)", field="row")
        assert self._grid is not None
        if not 0 <= col < self._grid.slots:
            raise InvalidInputError(f"slot {col} is not on the timeline (it has {self._grid.slots} slots)", field="col")

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

    # ----------------------------------------------------------------- moving

    def _move_cursor(self, row: int, col: int, *, keep_selection: bool = True) -> None:
        if not self._rows or self._grid is None:
            return
        row = min(max(row, 0), len(self._rows) - 1)
        col = min(max(col, 0), self._grid.slots - 1)
        if not keep_selection:
            self._anchor, self._anchor_sticky = None, False
        old_row = self._cursor_row
        changed = (row, col) != (self._cursor_row, self._cursor_col)
        self._cursor_row, self._cursor_col = row, col
        self._refresh_row(old_row)
        if row != old_row:
            self._refresh_row(row)
        self.refresh(Region(0, 0, self.size.width, HEADER_HEIGHT))
        self._scroll_cursor_into_view()
        if changed:
            self._post_cursor_moved()

    def _refresh_row(self, index: int) -> None:
        """Repaint just that row's line, when it is on screen."""
        y = HEADER_HEIGHT + index - self.scroll_offset.y
        if HEADER_HEIGHT <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_cursor_into_view(self) -> None:
        width = self._cell_width
        region = Region(self._gutter + self._cursor_col * width, HEADER_HEIGHT + self._cursor_row, width, 1)
        self.scroll_to_region(
            region, spacing=Spacing(HEADER_HEIGHT, 0, 0, self._gutter), animate=False, force=True, immediate=True
        )

    def _post_cursor_moved(self) -> None:
        room_id, at = self.cursor_room_id, self.cursor_time
        if room_id is None or at is None:
            return
        self.post_message(self.CursorMoved(self, room_id, at, self.block_at(self._cursor_row, self._cursor_col)))

    def _page_rows(self) -> int:
        return max(self.scrollable_content_region.height - HEADER_HEIGHT, 1)

    def _step(self, delta: int) -> None:
        """Left/right: a plain move drops a shift-selection; after space it extends the range."""
        keep = self._anchor is not None and self._anchor_sticky
        self._move_cursor(self._cursor_row, self._cursor_col + delta, keep_selection=keep)

    def _extend(self, delta: int) -> None:
        if self._anchor is None:
            self._anchor, self._anchor_sticky = self._cursor_col, False
        self._move_cursor(self._cursor_row, self._cursor_col + delta)
        self._refresh_row(self._cursor_row)

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor_row - 1, self._cursor_col)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor_row + 1, self._cursor_col)

    def action_cursor_left(self) -> None:
        self._step(-1)

    def action_cursor_right(self) -> None:
        self._step(1)

    def action_select_left(self) -> None:
        self._extend(-1)

    def action_select_right(self) -> None:
        self._extend(1)

    def action_day_start(self) -> None:
        keep = self._anchor is not None and self._anchor_sticky
        self._move_cursor(self._cursor_row, 0, keep_selection=keep)

    def action_day_end(self) -> None:
        keep = self._anchor is not None and self._anchor_sticky
        self._move_cursor(self._cursor_row, (self._grid.slots if self._grid else 1) - 1, keep_selection=keep)

    def action_previous_hour(self) -> None:
        if self._grid is not None:
            self._step(self._grid.previous_hour(self._cursor_col) - self._cursor_col)

    def action_next_hour(self) -> None:
        if self._grid is not None:
            self._step(self._grid.next_hour(self._cursor_col) - self._cursor_col)

    def action_page_up(self) -> None:
        self._move_cursor(self._cursor_row - self._page_rows(), self._cursor_col)

    def action_page_down(self) -> None:
        self._move_cursor(self._cursor_row + self._page_rows(), self._cursor_col)

    def action_first_room(self) -> None:
        self._move_cursor(0, self._cursor_col)

    def action_last_room(self) -> None:
        self._move_cursor(len(self._rows) - 1, self._cursor_col)

    def action_jump_to_now(self) -> None:
        if self.now is not None and self._rows:
            self.move_cursor_to_time(self.now, clamp=True)

    def action_toggle_anchor(self) -> None:
        if not self._rows:
            return
        if self._anchor is not None:
            self._anchor, self._anchor_sticky = None, False
        else:
            self._anchor, self._anchor_sticky = self._cursor_col, True
        self._refresh_row(self._cursor_row)

    def action_clear_selection(self) -> None:
        self._anchor, self._anchor_sticky = None, False
        self._refresh_row(self._cursor_row)

    def action_choose(self) -> None:
        chosen = self.selected_range()
        if chosen is None:
            return
        start, end = chosen
        row = self._rows[self._cursor_row]
        clashes = clashing_blocks(row.blocks, start, end)
        self.post_message(self.RangeChosen(self, row.room_id, start, end, clashes, row.error))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape with nothing selected belongs to the screen (back/close), not to us.
        if action == "clear_selection":
            return self._anchor is not None
        if action in ("choose", "toggle_anchor", "jump_to_now"):
            return bool(self._rows)
        return True

    # ----------------------------------------------------------------- mouse

    def _cell_at(self, event: events.MouseEvent) -> tuple[int | None, int | None]:
        """(row, slot) under the pointer; None for the header row or the gutter."""
        offset = event.get_content_offset(self)
        if offset is None or not self._rows or self._grid is None:
            return None, None
        x, y = offset
        row = self.scroll_offset.y + y - HEADER_HEIGHT if y >= HEADER_HEIGHT else None
        if row is not None and row >= len(self._rows):
            row = None
        col = (self.scroll_offset.x + x - self._gutter) // self._cell_width if x >= self._gutter else None
        if col is not None and col >= self._grid.slots:
            col = None
        return row, col

    def on_click(self, event: events.Click) -> None:
        row, col = self._cell_at(event)
        if row is None and col is None:
            return
        event.stop()
        target_row = self._cursor_row if row is None else row
        target_col = self._cursor_col if col is None else col
        if event.shift and col is not None:
            if self._anchor is None:
                self._anchor, self._anchor_sticky = self._cursor_col, False
            self._move_cursor(target_row, target_col)
            self._refresh_row(self._cursor_row)
        else:
            self._move_cursor(target_row, target_col, keep_selection=False)

