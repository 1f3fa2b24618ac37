"""Admin · People: search the directory as you type; the highlighted person's details (title,
contact, manager, groups, calendars), with the parts this backend cannot tell said so."""

from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from staffterm.capabilities import Capability
from staffterm.ui.screens.admin.pane import AdminPane, fit_columns, plain

SEARCH_LIMIT = 100
NOT_AVAILABLE = "not available on this backend"

COLUMNS: list[tuple[str, str, int | None]] = [
    ("name", "Name", 18),
    ("email", "Email", None),  # what the name leaves
]


class PeoplePane(AdminPane):
    CAPABILITY = Capability.USERS
    DEFAULT_CSS = """
    PeoplePane #people-search {
        height: 1;
        border: none;
        padding: 0 1;
        margin-bottom: 1;
    }
    PeoplePane #people-body {
        height: 1fr;
    }
    PeoplePane #people-table {
        width: 1fr;
        max-width: 60;
        min-width: 30;
    }
    PeoplePane #person-scroll {
        width: 1fr;
        padding: 0 1;
        border-left: solid $primary 40%;
    }
    """
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="admin-people-search"),
        Binding("escape", "focus_list", "List", show=False, id="admin-people-list"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.people: dict[str, Any] = {}
        self.details: Any = None  # PersonDetails of the highlighted person
        self._wanted: str | None = None  # an email to highlight once the results are in

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search people: name, email or department  (/)", id="people-search")
        with Horizontal(id="people-body"):
            yield DataTable(id="people-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="person-scroll"):
                yield Static("Type a name to find a person.", id="person-detail")

    def focus_first(self) -> None:
        self.query_one("#people-search", Input).focus()

    def action_focus_search(self) -> None:
        self.focus_first()

    def action_focus_list(self) -> None:
        self.query_one("#people-table", DataTable).focus()

    # ----------------------------------------------------------------- search

    def load(self) -> None:
        self._search(self.query_one("#people-search", Input).value, debounce=False)

    @on(Input.Changed, "#people-search")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#people-search")
    def _submitted(self) -> None:
        self.action_focus_list()

    @work(exclusive=True, group="admin-people-search", exit_on_error=False, name="search-people")
    async def _search(self, text: str, debounce: bool = True) -> None:
        if debounce:
            await asyncio.sleep(0.2)  # only the last keystroke's search runs
        found = await self.app.session.directory.search_people(text, limit=SEARCH_LIMIT)
        self._show_people(found)
        self.loaded()

    def _show_people(self, users: list[Any]) -> None:
        self.people = {user.id: user for user in users}
        self._fill()
        if not users:
            self.query_one("#person-detail", Static).update(Content.styled("Nobody matches.", "dim"))
            return
        # Keep the person in view across a refresh, unless someone asked for another one.
        wanted = self._wanted or (self.details.user.email.lower() if self.details is not None else None)
        self._wanted = None
        index = next((i for i, u in enumerate(users) if wanted and u.email.lower() == wanted), 0)
        self.query_one("#people-table", DataTable).move_cursor(row=index)
        self._load_details(users[index].id)

    def _fill(self) -> None:
        table = self.query_one("#people-table", DataTable)
        keep = self.details.user.id if self.details is not None else None
        fit_columns(table, COLUMNS, table.size.width or 40)
        table.clear()
        for user in self.people.values():
            table.add_row(plain(user.name or "—"), plain(user.email), key=user.id)
        if keep in self.people:
            table.move_cursor(row=list(self.people).index(keep))

    def repaint_cells(self) -> None:
        if self.people and self.is_mounted:
            self._fill()

    def show_person(self, email: str) -> None:
        """Search for ``email`` and show that person's details (the palette's way in)."""
        self._wanted = email.strip().lower()
        search = self.query_one("#people-search", Input)
        with search.prevent(Input.Changed):
            search.value = email
        self._search(email, debounce=False)
        self.action_focus_list()

    # ----------------------------------------------------------------- details

    @on(DataTable.RowHighlighted, "#people-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        if key in self.people and (self.details is None or self.details.user.id != key):
            self._load_details(key)

    @work(exclusive=True, group="admin-person-details", exit_on_error=False, name="person-details")
    async def _load_details(self, user_id: str) -> None:
        await asyncio.sleep(0.05)  # moving through the list fetches only where the cursor stops
        details = await self.app.session.directory.person_details(user_id)
        self.details = details
        self.query_one("#person-detail", Static).update(person_content(details))


def person_content(details: Any) -> Content:
    """The details pane: who they are, how to reach them, manager, groups, calendars."""
    user = details.user
    parts: list[Any] = [(user.name or user.email, "bold"), "\n"]
    role = " · ".join(p for p in (user.title, user.department) if p)
    if role:
        parts += [role, "\n"]
    parts += [(user.email, "$text-primary"), "\n"]
    for label, value in (("Phone", user.phone), ("Office", user.office_location)):
        if value:
            parts += [(f"{label}: ", "dim"), value, "\n"]
    if user.suspended:
        parts += [("Suspended: this account cannot sign in", "bold $text-warning"), "\n"]

    parts += ["\n", ("Manager", "bold underline"), "\n"]
    if "manager" in details.unsupported:
        parts += [(f"  {NOT_AVAILABLE}", "dim italic"), "\n"]
    elif details.manager is None:
        parts += [("  none", "dim"), "\n"]
    else:
        manager = details.manager
        parts += ["  ", (manager.name or manager.email, "bold"), "\n"]
        if manager.name:
            parts += [f"  {manager.email}", "\n"]

    parts += ["\n", ("Groups", "bold underline"), "\n"]
    if "groups" in details.unsupported:
        parts += [(f"  {NOT_AVAILABLE}", "dim italic"), "\n"]
    elif not details.groups:
        parts += [("  none", "dim"), "\n"]
    for group in details.groups:
        parts += ["  ", (group.name, "bold"), (f"  {group.email}" if group.email else "", "dim"), "\n"]

    parts += ["\n", ("Calendars", "bold underline"), "\n"]
    if "calendars" in details.unsupported:
        parts += [(f"  {NOT_AVAILABLE}", "dim italic"), "\n"]
    elif not details.calendars:
        parts += [("  none", "dim"), "\n"]
    for calendar in details.calendars:
        flags = ", ".join(f for f, on_ in (("primary", calendar.primary), ("can edit", calendar.can_edit)) if on_)
        parts += ["  ", calendar.name or calendar.id, (f"  ({flags})" if flags else "", "dim"), "\n"]
    return Content.assemble(*parts)
