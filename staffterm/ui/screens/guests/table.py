"""The guest list: a DataTable kept in step with the visits by row key.

``show(rows)`` changes only what changed: cells are updated in place, rows that dropped out of
the search are removed, and the whole table is rebuilt only when rows must appear or reorder.
The cursor stays on the same guest throughout. Status colours come from the theme
(``$checkin-ok``, ``$checkin-late``) through component classes, so a theme switch recolours them.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from staffterm.ui.screens.guests.rows import GuestRow

COLUMNS = (("name", "Name"), ("company", "Company"), ("host", "Host"), ("expected", "Time"), ("status", "Status"))


def _is_subsequence(wanted: Sequence[str], current: Sequence[str]) -> bool:
    remaining = iter(current)
    return all(key in remaining for key in wanted)


class GuestTable(DataTable):
    COMPONENT_CLASSES = {
        "guest-table--expected",
        "guest-table--arrived",
        "guest-table--left",
        "guest-table--late",
        "guest-table--missed",
    }
    DEFAULT_CSS = """
    GuestTable > .guest-table--expected { color: $foreground; }
    GuestTable > .guest-table--arrived { color: $checkin-ok; text-style: bold; }
    GuestTable > .guest-table--left { color: $text-muted; }
    GuestTable > .guest-table--late { color: $checkin-late; text-style: bold; }
    GuestTable > .guest-table--missed { color: $checkin-late; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._rows: dict[str, GuestRow] = {}

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)
        self.app.theme_changed_signal.subscribe(self, self._recolour)

    # ----------------------------------------------------------------- keys and cursor

    @property
    def keys(self) -> list[str]:
        return [str(row.key.value) for row in self.ordered_rows]

    @property
    def highlighted_key(self) -> str | None:
        keys = self.keys
        if not keys or not 0 <= self.cursor_row < len(keys):
            return None
        return keys[self.cursor_row]

    def highlight(self, key: str | None) -> bool:
        """Put the cursor on ``key``'s row; False when that guest is not in the table."""
        if key is None or key not in self._rows:
            return False
        self.move_cursor(row=self.get_row_index(key), animate=False)
        return True

    def status_style(self, kind: str) -> Style:
        return self.get_component_rich_style(f"guest-table--{kind}", partial=True)

    # ----------------------------------------------------------------- rows

    def _cells(self, row: GuestRow) -> dict[str, Text]:
        return {
            "name": Text(row.name, style="bold"),
            "company": Text(row.company),
            "host": Text(row.host),
            "expected": Text(row.expected),
            "status": Text(row.status.label, style=self.status_style(row.status.kind)),
        }

    def show(self, rows: Sequence[GuestRow], *, cursor: str | None = None) -> None:
        """Make the table show ``rows`` in order; the cursor goes to ``cursor`` if given and
        present, else stays on the guest it was on, else the first row."""
        keep = cursor if cursor is not None else self.highlighted_key
        wanted = [row.key for row in rows]
        by_key = {row.key: row for row in rows}
        current = self.keys
        if wanted == current or _is_subsequence(wanted, current):
            for key in current:
                if key not in by_key:
                    self.remove_row(key)
                    del self._rows[key]
            for row in rows:
                self._update(row)
        else:
            self.clear()
            self._rows = {}
            for row in rows:
                self.add_row(*self._cells(row).values(), key=row.key)
                self._rows[row.key] = row
        if not self.highlight(keep) and self.row_count:
            self.move_cursor(row=min(self.cursor_row, self.row_count - 1) if keep is None else 0, animate=False)

    def _update(self, row: GuestRow) -> None:
        before = self._rows.get(row.key)
        if before == row:
            return
        cells = self._cells(row)
        for column, _ in COLUMNS:
            if before is None or getattr(before, column) != getattr(row, column):
                self.update_cell(row.key, column, cells[column], update_width=True)
        self._rows[row.key] = row

    def _recolour(self, _theme: object = None) -> None:
        for row in self._rows.values():
            self.update_cell(row.key, "status", self._cells(row)["status"])
