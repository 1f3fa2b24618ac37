"""Admin: tenants and their check, people, groups, any calendar's events, the mail outbox.

Each tab is a pane module (``admin_*.py``) that loads when first shown. Tabs the backend
cannot serve (no groups, no outbox…) are hidden, and so are their keys.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, TabbedContent, TabPane

from staffterm.ui.screens.admin.events import EventsPane
from staffterm.ui.screens.admin.groups import GroupsPane
from staffterm.ui.screens.admin.mail import OutboxPane
from staffterm.ui.screens.admin.pane import AdminPane
from staffterm.ui.screens.admin.people import PeoplePane
from staffterm.ui.screens.admin.tenants import TenantsPane
from staffterm.ui.screens.base import StafftermScreen
from staffterm.ui.widgets.status_header import StatusHeader

#: tab id -> (label, pane class), in the order the tabs show.
TABS: dict[str, tuple[str, type[AdminPane]]] = {
    "tenants": ("Tenants", TenantsPane),
    "people": ("People", PeoplePane),
    "groups": ("Groups", GroupsPane),
    "events": ("Events", EventsPane),
    "mail": ("Mail outbox", OutboxPane),
}


class AdminScreen(StafftermScreen):
    """Where an admin checks the tenants and looks anything up."""

    SCREEN_TITLE = "Admin"
    HELP = """\
Tabs (their keys work when the cursor is not in a text field):

- **t Tenants**: every tenant in the config, the one in use, and where its data lives.
  **c** tries each tenant's settings the way `staffterm config check` does and says, in plain
  words, what failed. Secrets are never shown. On a Microsoft 365 tenant, **s** signs in as yourself
  (device code: a page to open and a code to enter) and **a** shows its access token after a warning.
- **p People**: type to search the directory (**/** jumps to the search box, **Enter** or
  **Escape** back to the list); the highlighted person's title, contact, manager, groups and
  calendars. Parts the backend cannot tell say *not available on this backend*.
- **g Groups**: the directory's groups and their members; **Enter** on a member opens their details.
- **e Events**: any calendar's events for a period: choose a room, or type a person's name or
  email; dates as `2026-11-21`, `today`, `+7`. Tick *cancelled too* to see cancelled meetings
  (dimmed). **s** shows the events, **f** goes back to the form. Times are in the building's zone.
- **m Mail outbox** (local site only): the notices sent, newest first, with the highlighted one in full.

Tabs the backend cannot serve are hidden.
"""
    DEFAULT_CSS = """
    AdminScreen #admin-tabs {
        height: 1fr;
    }
    AdminScreen #admin-tabs TabPane {
        padding: 0;
    }
    """
    BINDINGS = [
        Binding("t", "tab('tenants')", "Tenants", id="admin-tab-tenants"),
        Binding("p", "tab('people')", "People", id="admin-tab-people"),
        Binding("g", "tab('groups')", "Groups", id="admin-tab-groups"),
        Binding("e", "tab('events')", "Events", id="admin-tab-events"),
        Binding("m", "tab('mail')", "Mail", id="admin-tab-mail"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.SCREEN_TITLE)
        with TabbedContent(id="admin-tabs", initial="tenants"):
            for tab_id, (label, pane_class) in TABS.items():
                with TabPane(label, id=tab_id):
                    yield pane_class(id=f"{tab_id}-pane")
        yield Footer()

    def on_mount(self) -> None:
        self.pane("tenants").focus_first()

    # ----------------------------------------------------------------- panes

    def pane(self, tab_id: str) -> AdminPane:
        return self.query_one(f"#{tab_id}-pane", AdminPane)

    @property
    def active_tab(self) -> str:
        return self.query_one("#admin-tabs", TabbedContent).active

    def reload(self) -> None:
        if self.app.session is None:
            return
        self._apply_capabilities()
        for tab_id in TABS:
            self.pane(tab_id).stale = True
        self.pane(self.active_tab).activate()

    def _apply_capabilities(self) -> None:
        tabs = self.query_one("#admin-tabs", TabbedContent)
        for tab_id in TABS:
            if self.pane(tab_id).available() or tab_id == "tenants":
                tabs.show_tab(tab_id)
            else:
                tabs.hide_tab(tab_id)
        if not self.pane(tabs.active).available():
            tabs.active = "tenants"
        self.refresh_bindings()

    @on(TabbedContent.TabActivated, "#admin-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab_id = event.pane.id
        if tab_id in TABS:
            self.pane(tab_id).activate()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tab" and parameters and parameters[0] in TABS:
            tab_id = str(parameters[0])
            # Before the session opens every tab is offered; after, only what the backend serves.
            return self.app.session is None or tab_id == "tenants" or self.pane(tab_id).available()
        return True

    def action_tab(self, tab_id: str) -> None:
        pane = self.pane(tab_id)
        if self.app.session is not None and tab_id != "tenants" and not pane.available():
            self.app.notify(f"{TABS[tab_id][0]} is not available on this backend.", severity="warning", markup=False)
            return
        self.query_one("#admin-tabs", TabbedContent).active = tab_id
        pane.focus_first()

    # ----------------------------------------------------------------- ways in (the command palette)

    def show_person(self, email: str) -> None:
        """The People tab showing ``email``'s details."""
        self.action_tab("people")
        people = self.pane("people")
        if isinstance(people, PeoplePane) and people.available():
            people.show_person(email)

    def show_calendar(self, calendar: str) -> None:
        """The Events tab showing a room's or person's calendar for the period in the form."""
        self.action_tab("events")
        events = self.pane("events")
        if isinstance(events, EventsPane) and events.available():
            events.show_calendar(calendar)

    def check_tenants(self) -> None:
        """The Tenants tab, trying every tenant's settings."""
        self.action_tab("tenants")
        tenants = self.pane("tenants")
        if isinstance(tenants, TenantsPane):
            tenants.action_check()
