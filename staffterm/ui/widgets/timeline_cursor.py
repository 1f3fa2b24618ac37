"""The cursor and the selection of the free/busy timeline (``FreeBusyTimeline`` mixes this in):
where they are, the keys and clicks that move them, and the messages a move posts.

The cursor is a slot of one room's row; the selection is a range of slots on that row, started
with shift+arrows or space (sticky: plain arrows then extend it) and dropped with Escape. The
widget's own state (``_rows``, ``_grid``, ``_cursor_row`` …) is set in its ``__init__``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Spacing

from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.ui.widgets.timeline_data import clashing_blocks, worst_block

if TYPE_CHECKING:
    from staffterm.models import BusyBlock

HEADER_HEIGHT = 1  # the hour row drawn above the rooms

TIMELINE_BINDINGS: list[BindingType] = [
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


class TimelineCursor:
    """Cursor, selection, keys and mouse of ``FreeBusyTimeline``."""

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
