"""The console's App shell: screens (modes), global keys, the tenant's session, refresh, themes.

Nothing here waits on I/O: the first screen paints at once, then the config is read and the
backend opened in a worker; data refreshes on its own (``ui.refresh_seconds``), on ``r``, and when
the day rolls over at midnight in the building's zone. Every worker error becomes a notification.

Over 400 lines: the shell's session, refresh, keys and themes are each short; the modes live in
``modes``, the palette in ``palette``.
"""

from __future__ import annotations

import asyncio
import gc
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from staffterm.ui.connection import ConnectionState
from staffterm.ui.modes import SCREENS, screen_factory

if TYPE_CHECKING:
    from staffterm.services.estate_index import EstateIndex
    from staffterm.services.session import Session


def _palette_commands():
    # Imported when the palette first opens, not at start-up.
    from staffterm.ui.palette import StafftermCommands

    return StafftermCommands


class StafftermApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "staffterm"
    MODES = {mode: screen_factory(mode) for mode in SCREENS}
    DEFAULT_MODE = "zones"
    COMMANDS = App.COMMANDS | {_palette_commands}
    BINDINGS = [
        # The footer shows the screen's own keys first; these global ones are in F1 help too.
        Binding("f1", "help", "Help", id="help"),
        Binding("f2,1", "show('zones')", "Zones", id="screen-zones"),
        Binding("f3,2", "show('timeline')", "Timeline", id="screen-timeline"),
        Binding("f4,3", "show('bookings')", "Bookings", id="screen-bookings"),
        Binding("f5,4", "show('guests')", "Guests", id="screen-guests"),
        Binding("f6,5", "show('admin')", "Admin", id="screen-admin"),
        Binding("r", "refresh_data", "Refresh", show=False, id="refresh"),
        # ctrl+n as well: it reaches the app even while a search box or form field has the focus.
        Binding("n,ctrl+n", "find_free_room", "Free room", id="find-room"),
        Binding("b", "next_building", "Building", show=False, id="next-building"),
        Binding("q", "quit", "Quit", show=False, id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit-app"),
    ]

    def __init__(
        self,
        *,
        config: Any = None,
        config_path: Path | None = None,
        tenant: str | None = None,
        clock: Any = None,
        session: Session | None = None,
        ui_state_path: Path | None = None,
    ) -> None:
        super().__init__()
        self._config = config
        #: The loaded config (None when the app was given a session without one); set once the session opens.
        self.config: Any = config
        self._config_path = config_path
        self._tenant = tenant
        self._clock = clock
        self.session: Session | None = session
        self._owns_session = session is None
        self._ui_state_path = ui_state_path
        self.catalog: EstateIndex | None = None
        self.building_id: str | None = None
        self.refresh_seconds = 60
        self.connection = ConnectionState()
        # Bumped whenever data may have changed (refresh, a write, a new day, another building):
        # a screen coming back into view reloads if it loaded an older version.
        self.data_version = 0
        self._day: date | None = None
        # Theme changes during start-up are defaults, not the user's choice: don't remember them.
        self._applying_preferences = True
        self._install_themes()
        self._applying_preferences = False

    # ----------------------------------------------------------------- time and place

    def now(self) -> datetime:
        if self._clock is not None:
            return self._clock.now()
        return datetime.now(timezone.utc)

    @property
    def building_tz(self):
        if self.catalog is None or self.building_id is None:
            return timezone.utc
        return self.catalog.tz(self.building_id)

    def building_today(self) -> date:
        return self.now().astimezone(self.building_tz).date()

    # ----------------------------------------------------------------- themes

    def _install_themes(self) -> None:
        from staffterm.ui.themes import DEFAULT_THEME_NAME, load_themes

        self._theme_load = load_themes()
        for theme in self._theme_load.themes:
            self.register_theme(theme)
        if DEFAULT_THEME_NAME in self.available_themes:
            self.theme = DEFAULT_THEME_NAME

    def get_theme_variable_defaults(self) -> dict[str, str]:
        from staffterm.ui.themes import variable_defaults_for

        # Light themes get darker free/busy colours so text on them stays readable.
        try:
            current = self.current_theme
        except Exception:  # asked before the theme machinery is set up
            current = None
        return variable_defaults_for(current)

    def search_themes(self) -> None:
        from textual.command import CommandPalette

        from staffterm.ui.themes import StafftermThemeProvider

        self.push_screen(CommandPalette(providers=[StafftermThemeProvider], placeholder="Search for themes…"))

    def _apply_theme_preferences(self, config: Any) -> None:
        from staffterm.ui.state import load_ui_state
        from staffterm.ui.themes import choose_theme

        state = load_ui_state(self._ui_state_path)
        configured = getattr(getattr(config, "ui", None), "theme", None)
        chosen = choose_theme(self.available_themes, state.theme, configured)
        for wanted in (state.theme, configured):
            if wanted and wanted not in self.available_themes:
                self.notify(f"Theme {wanted!r} is not installed; using {chosen}.", severity="warning", markup=False)
                break
        self._applying_preferences = True
        self.theme = chosen
        self._applying_preferences = False
        if state.building_id:
            self.building_id = state.building_id
        if self._theme_load.problems:
            self.notify(self._theme_load.problem_summary(), severity="warning", markup=False, timeout=10)

    def watch_theme(self, theme: str) -> None:
        # Remember a choice the user made (not the start-up default or the remembered one).
        if self.session is not None and not getattr(self, "_applying_preferences", False):
            self._save_state(theme=theme)

    def _save_state(self, **changes: Any) -> None:
        from staffterm.errors import StafftermError
        from staffterm.ui.state import update_ui_state

        try:
            update_ui_state(self._ui_state_path, **changes)
        except (OSError, StafftermError) as exc:
            self.notify(f"Could not remember the setting: {exc}", severity="warning", markup=False)

    # ----------------------------------------------------------------- session

    def get_default_screen(self) -> Screen:
        return screen_factory(self.DEFAULT_MODE)()

    def on_mount(self) -> None:
        if self.session is not None:
            self.run_worker(self._after_session_open(self._config), name="open-session", group="session",
                            exit_on_error=False)

    def on_ready(self) -> None:
        # Open the tenant only once the first frame is on screen: reading the config and
        # importing the services (pydantic, sqlite) would otherwise delay that first paint.
        if self.session is None:
            self.call_after_refresh(self._start_session)

    def _start_session(self) -> None:
        self.run_worker(self._open_session, name="open-session", group="session", exit_on_error=False)

    async def _open_session(self) -> None:
        config, session = await asyncio.to_thread(self._build_session)
        await session.__aenter__()
        self.session = session
        await self._after_session_open(config)

    def _build_session(self) -> tuple[Any, Any]:
        from staffterm.config import load_config
        from staffterm.services.session import Session

        config = self._config if self._config is not None else load_config(self._config_path)
        return config, Session.from_config(config, self._tenant, clock=self._clock)

    async def _after_session_open(self, config: Any) -> None:
        session = self.session
        session.on_warning(self._backend_warning)
        self.config = config
        if self._clock is None:
            self._clock = session.clock
        ui = getattr(config, "ui", None)
        self.refresh_seconds = int(getattr(ui, "refresh_seconds", 60) or 60)
        self.connection.refresh_seconds = self.refresh_seconds
        keymap = dict(getattr(ui, "keymap", {}) or {})
        if keymap:
            self.set_keymap(keymap)
        self._apply_theme_preferences(config)
        await self.load_catalog()
        if self.building_id is None or self.catalog.zone(self.building_id) is None:
            preferred = getattr(ui, "building", None)
            buildings = self.catalog.buildings
            self.building_id = preferred if self.catalog.zone(preferred) else (buildings[0].id if buildings else None)
        self._day = self.building_today()
        if not self.is_headless:
            self._settle_heap()
        self.set_interval(self.refresh_seconds, self.action_auto_refresh, name="auto-refresh")
        self.set_interval(30, self._check_day_rollover, name="day-rollover")
        self.sub_title = f"{session.tenant_name} · {session.provider}"
        self._reload_screens()

    @staticmethod
    def _settle_heap() -> None:
        """What is alive once the tenant is open (Textual's widgets, the estate) lives for the
        session: frozen out of the collector's reach, a full collection during a refresh scans
        only what came since (for a 1,000-room estate, ~50 ms pauses down to a few ms; the UI's
        stall budget is 50 ms). Not under tests, whose many apps would each leave theirs frozen."""
        gc.collect()
        gc.freeze()

    def _backend_warning(self, message: str) -> None:
        # Partial results (PlaceOS 206): the data shown is usable, but say which calendars are missing.
        self.notify(message, title="Partial results", severity="warning", markup=False, timeout=10)

    async def load_catalog(self) -> None:
        # The session's estate and its one index: shared with the services, so a screen's load
        # reads it no more.
        self.catalog = await self.session.estate.index()

    async def on_unmount(self) -> None:
        if self.session is not None and self._owns_session:
            await self.session.__aexit__(None, None, None)

    # ----------------------------------------------------------------- refresh

    def _reload_screens(self) -> None:
        """Reload the screen in view now (under any dialog); every other screen, in every mode,
        reloads when it comes back into view, because its data version is now old."""
        self.data_version += 1
        if self.session is None:
            return
        for screen in reversed(self.screen_stack):
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()
                break

    def note_write(self) -> None:
        """A screen changed data and reloads itself: the other screens reload when next shown."""
        self.data_version += 1

    def data_changed(self) -> None:
        """Call after a write: refresh what is in view, and the rest when next shown."""
        self.action_auto_refresh()

    def action_refresh_data(self) -> None:
        """``r``: everything read again, zones and rooms too."""
        if self.session is None:
            return
        self.session.estate.invalidate()
        self.action_auto_refresh()

    def action_auto_refresh(self) -> None:
        """The refresh timer (and a write): what changes by the minute is read again; zones and
        rooms only once they are old (``Estate.MAX_AGE_SECONDS``)."""
        if self.session is None:
            return
        self.run_worker(self._refresh_all, group="catalog", exclusive=True, exit_on_error=False, name="refresh")

    async def _refresh_all(self) -> None:
        await self.load_catalog()
        self._reload_screens()

    def _check_day_rollover(self) -> None:
        today = self.building_today()
        if self._day is not None and today != self._day:
            self._day = today
            self.notify(f"A new day: {today:%A %d %B}.", timeout=4)
            self._reload_screens()

    def action_next_building(self) -> None:
        if self.catalog is None or not self.catalog.buildings:
            return
        ids = [b.id for b in self.catalog.buildings]
        index = ids.index(self.building_id) if self.building_id in ids else -1
        self.select_building(ids[(index + 1) % len(ids)])

    def select_building(self, building_id: str) -> None:
        """Show ``building_id``'s rooms, guests and clock on every screen, and remember it."""
        if self.catalog is None or self.catalog.zone(building_id) is None:
            return
        self.building_id = building_id
        self._day = self.building_today()
        self._save_state(building_id=self.building_id)
        building = self.catalog.zone(self.building_id)
        self.notify(f"Building: {building.name}", timeout=3, markup=False)
        self._reload_screens()

    # ----------------------------------------------------------------- navigation

    def action_show(self, mode: str) -> None:
        try:
            self.switch_mode(mode)
        except (ModuleNotFoundError, ImportError) as exc:
            self.notify(f"The {mode} screen is not available: {exc}", severity="error", markup=False)

    def action_help(self) -> None:
        from staffterm.ui.dialogs.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    def action_find_free_room(self) -> None:
        if self.session is None:
            self.notify("Still connecting…", timeout=3)
            return
        try:
            from staffterm.ui.dialogs.find_room import FindRoomScreen
        except ModuleNotFoundError:
            self.notify("Finding a free room is not available yet.", severity="warning")
            return
        self.push_screen(FindRoomScreen())

    # ----------------------------------------------------------------- status and errors

    def note_success(self) -> None:
        self.connection.succeeded(self.now())

    def status_text(self, screen_title: str = "", width: int = 80) -> Text:
        """The header line: app · screen · tenant · building clock · connection · queue."""
        text = Text.assemble(("staffterm", "bold"))
        if screen_title:
            text.append(f" · {screen_title}", style="bold")
        session = self.session
        if session is None:
            label, style = self.connection.label(self.now())
            text.append("   ")
            text.append(label, style=style)
            return text
        text.append(f"   {session.tenant_name}", style="bold")
        if width >= 100:
            text.append(f" ({session.provider})")
        building = self.catalog.zone(self.building_id) if self.catalog is not None else None
        if building is not None:
            local = self.now().astimezone(self.building_tz)
            name = building.name if width >= 120 else building.name.split(" — ")[0]
            text.append(f"   {name} ")
            text.append(f"{local:%H:%M}", style="bold")
            if width >= 100:
                text.append(f" {local:%a %d %b}")
        label, style = self.connection.label(self.now(), self.building_tz)
        text.append("   ● " if style == "green" else "   ○ ", style=style)
        text.append(label, style=style)
        # The request queue, while there is one: an idle queue is not worth a desk's attention.
        queued, in_flight = session.request_stats()
        if queued or in_flight:
            text.append(f"   {queued} queued · {in_flight} in flight", style="bold" if queued else "dim")
        return text

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.report_worker_error(event.worker)

    def report_worker_error(self, worker: Worker) -> None:
        """Every failed worker ends here: one plain notification, never a traceback."""
        from staffterm.ui.messages import SessionFailed

        error = worker.error
        message = describe_error(error)
        self.connection.failed(self.now(), error, opening=worker.name == "open-session")
        if worker.name == "open-session":
            self.sub_title = "not connected"
            for screen in self.screen_stack:
                screen.post_message(SessionFailed(message))
        self.notify(message, title="Could not load" if worker.name in ("open-session", "refresh") else "Error",
                    severity="error", markup=False, timeout=10)
        refresh = getattr(self.screen, "refresh_header", None)
        if callable(refresh):
            refresh()


def describe_error(error: BaseException | None) -> str:
    """One line an operator can act on; never a traceback."""
    from staffterm.errors import StafftermError

    if isinstance(error, StafftermError):
        return str(error)
    if error is None:
        return "An unknown error occurred."
    return f"Unexpected error: {type(error).__name__}: {error}"


def build_app(
    *,
    config: Any = None,
    config_path: Path | None = None,
    tenant: str | None = None,
    clock: Any = None,
) -> StafftermApp:
    return StafftermApp(config=config, config_path=config_path, tenant=tenant, clock=clock)


def run_console(*, config: Any = None, tenant: str | None = None, config_path: Path | None = None, clock: Any = None) -> int:
    """Open the console; returns the process exit status."""
    app = build_app(config=config, config_path=config_path, tenant=tenant, clock=clock)
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code)
