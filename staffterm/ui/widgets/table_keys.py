"""The key of a DataTable's highlighted row, robust to a table being refilled."""

from __future__ import annotations

from textual.widgets import DataTable


def highlighted_key(table: DataTable | None) -> str | None:
    if table is None or table.row_count == 0:
        return None
    try:
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
    except Exception:  # the cursor sits past the last row while rows are being replaced
        return None
    return row_key.value
