"""Admin · Groups: the directory's groups and the highlighted group's members; Enter on a
member opens their details on the People tab."""

from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from staffterm.capabilities import Capability
from staffterm.ui.screens.admin.pane import AdminPane, fit_columns, plain

GROUP_COLUMNS: list[tuple[str, str, int | None]] = [("name", "Group", 16), ("description", "About", None)]


def member_columns(width: int) -> list[tuple[str, str, int | None]]:
    """Members' columns; the department only where there is room for it."""
    columns: list[tuple[str, str, int | None]] = [("name", "Member", 18), ("email", "Email", None)]
    return columns + [("department", "Department", 12)] if width >= 64 else columns

class GroupsPane(AdminPane):
    CAPABILITY = Capability.GROUPS
    DEFAULT_CSS = """
    GroupsPane #groups-body {
        height: 1fr;
    }
    GroupsPane #groups-table {
        width: 2fr;
        max-width: 48;
        min-width: 24;
    }
    GroupsPane #members-box {
        width: 3fr;
        border-left: solid $primary 40%;
    }
    GroupsPane #members-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    """
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.groups: dict[str, Any] = {}
        self.members: list[Any] = []
        self._members_of: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="groups-body"):
            yield DataTable(id="groups-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="members-box"):
                yield Static("Members", id="members-title")
                yield DataTable(id="members-table", cursor_type="row", zebra_stripes=True)

    def focus_first(self) -> None:
        self.query_one("#groups-table", DataTable).focus()

    # ----------------------------------------------------------------- groups

    def load(self) -> None:
        self._load_groups()

    @work(exclusive=True, group="admin-groups", exit_on_error=False, name="load-groups")
    async def _load_groups(self) -> None:
        found = await self.app.session.directory.groups()
        keep = self._members_of
        self.groups = {group.id: group for group in found}
        self._fill_groups()
        if found:
            index = next((i for i, g in enumerate(found) if g.id == keep), 0)
            self.query_one("#groups-table", DataTable).move_cursor(row=index)
            self._load_members(found[index].id)
        else:
            self.query_one("#members-title", Static).update("No groups in the directory.")
        self.loaded()

    def _fill_groups(self) -> None:
        table = self.query_one("#groups-table", DataTable)
        keep = self._members_of
        fit_columns(table, GROUP_COLUMNS, table.size.width or 30)
        table.clear()
        for group in self.groups.values():
            table.add_row(plain(group.name), plain(group.description or group.email), key=group.id)
        if keep in self.groups:
            table.move_cursor(row=list(self.groups).index(keep))

    def _fill_members(self) -> None:
        table = self.query_one("#members-table", DataTable)
        width = table.size.width or 48
        columns = member_columns(width)
        fit_columns(table, columns, width)
        table.clear()
        for user in self.members:
            cells = [plain(user.name or "—"), plain(user.email), plain(user.department)]
            table.add_row(*cells[: len(columns)], key=user.id)

    def repaint_cells(self) -> None:
        if self.is_mounted and self.groups:
            self._fill_groups()
            self._fill_members()

    @on(DataTable.RowHighlighted, "#groups-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key in self.groups and key != self._members_of:
            self._load_members(key)

    # ----------------------------------------------------------------- members

    @work(exclusive=True, group="admin-group-members", exit_on_error=False, name="group-members")
    async def _load_members(self, group_id: str) -> None:
        self._members_of = group_id
        await asyncio.sleep(0.05)  # moving through the list fetches only where the cursor stops
        members = await self.app.session.directory.members(group_id)
        self.members = members
        group = self.groups.get(group_id)
        name = group.name if group is not None else group_id
        count = f"{len(members)} member" + ("" if len(members) == 1 else "s")
        title = self.query_one("#members-title", Static)
        title.update(plain(f"{name} · {count}  (Enter: details)"))
        self._fill_members()

    @on(DataTable.RowSelected, "#members-table")
    def _member_chosen(self, event: DataTable.RowSelected) -> None:
        user = next((u for u in self.members if u.id == event.row_key.value), None)
        show = getattr(self.screen, "show_person", None)
        if user is not None and callable(show):
            show(user.email)
