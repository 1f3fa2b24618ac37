"""The room-door panel: the room's status in large, its current and next meeting (titles masked),
today's timeline, and book now / check in / end early / extend. Locked down (see ``base``).

Every action has a key (shown on its button) and a button for touch; what the backend cannot
do, or what the room's state does not allow now, is hidden rather than refused on press.
"""

from __future__ import annotations

from datetime import timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from staffterm.clock import Clock
from staffterm.errors import StafftermError, UnavailableError
from staffterm.services.kiosk_pin import PinGate
from staffterm.services.room_board import format_clock
from staffterm.services.room_panel import (
    PanelMeeting,
    PanelRules,
    panel_headline_detail,
    shown_title,
)
from staffterm.services.room_panel_actions import (
    OFFLINE_MESSAGE,
    PanelView,
    RoomPanelService,
)
from staffterm.ui.kiosk.base import KioskApp, KioskScreen
from staffterm.ui.widgets.timeline import FreeBusyTimeline, rows_from_snapshot

SLOT_MINUTES = 30
REFRESH_SECONDS = 30.0


def _button(label: str, **kwargs) -> Button:
    button = Button(label, **kwargs)
    # Nothing takes focus: keys go to the screen's bindings, buttons are for touch.
    button.can_focus = False
    return button


class PanelScreen(KioskScreen):
    AUTO_FOCUS = None
    DEFAULT_CSS = """
    PanelScreen { layout: vertical; }
    #room-name { height: 1; text-style: bold; padding: 0 1; }
    #status { height: 5; content-align: center middle; text-style: bold; }
    #status.free, #status.soon { background: $success; color: $text; }
    #status.pending { background: $warning; color: $text; }
    #status.busy { background: $error; color: $text; }
    #status.offline { background: $panel; color: $text-muted; }
    #detail, #current, #next, #message { height: auto; padding: 0 1; }
    #info { height: auto; margin: 1 0; }
    #timeline { height: 3; }
    #actions { height: auto; }
    #actions Button { min-width: 10; margin: 0 1 0 0; }
    """
    BINDINGS = [
        Binding("1", "book(0)", show=False),
        Binding("2", "book(1)", show=False),
        Binding("3", "book(2)", show=False),
        Binding("4", "book(3)", show=False),
        Binding("c", "check_in", show=False),
        Binding("e", "end", show=False),
        Binding("x", "extend(0)", show=False),
        Binding("y", "extend(1)", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="room-name")
        yield Static("", id="status")
        with Vertical(id="info"):
            yield Static("", id="detail")
            yield Static("", id="current")
            yield Static("", id="next")
        timeline = FreeBusyTimeline(id="timeline", cell_width=2)
        timeline.can_focus = False
        yield timeline
        with Horizontal(id="actions"):
            for index in range(4):
                yield _button("", id=f"book-{index}", classes="book")
            yield _button("Check in (c)", id="check-in", variant="warning")
            yield _button("End now (e)", id="end", variant="error")
            for index in range(2):
                yield _button("", id=f"extend-{index}", classes="extend")
        yield Static("", id="message")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        name = event.button.id or ""
        app = self.app
        assert isinstance(app, RoomPanelApp)
        if name.startswith("book-"):
            app.action_book(int(name.split("-")[1]))
        elif name.startswith("extend-"):
            app.action_extend(int(name.split("-")[1]))
        elif name == "check-in":
            app.action_check_in()
        elif name == "end":
            app.action_end()

    def action_book(self, index: int) -> None:
        self.app.action_book(index)  # type: ignore[attr-defined]

    def action_check_in(self) -> None:
        self.app.action_check_in()  # type: ignore[attr-defined]

    def action_end(self) -> None:
        self.app.action_end()  # type: ignore[attr-defined]

    def action_extend(self, index: int) -> None:
        self.app.action_extend(index)  # type: ignore[attr-defined]


class RoomPanelApp(KioskApp):
    TITLE = "Room panel"

    def __init__(
        self, service: RoomPanelService, clock: Clock, *, pin_gate: PinGate | None, idle_seconds: float = 60.0,
        clock_24h: bool = True, refresh_seconds: float = REFRESH_SECONDS, **kwargs,
    ) -> None:
        super().__init__(pin_gate=pin_gate, idle_seconds=idle_seconds, **kwargs)
        self.service = service
        self.clock = clock
        self.clock_24h = clock_24h
        self.refresh_seconds = refresh_seconds
        self.view: PanelView | None = None
        self.message = ""

    @property
    def rules(self) -> PanelRules:
        return self.service.rules

    def on_mount(self) -> None:
        self.push_screen(PanelScreen())
        self.set_interval(self.refresh_seconds, self.refresh_now, name="panel-refresh")
        self.refresh_now()

    # ----------------------------------------------------------------- data

    def refresh_now(self) -> None:
        self.run_worker(self._tick(), group="panel", exclusive=True)

    async def _tick(self) -> None:
        try:
            await self.ensure_open()
            view = await self.service.tick()
        except StafftermError as exc:
            self.message = f"The room's calendar cannot be read: {exc}"
            self._paint()
            return
        self.view = view
        if view.warnings:
            self.message = " ".join(view.warnings)
        self._paint()

    def reload(self) -> None:
        self.service.estate.invalidate()
        self.message = ""
        self.refresh_now()

    def switch_label(self) -> str:
        return "Switch this panel to room:"

    def switch_to(self, target: str) -> None:
        self.service.room_id = target
        self.service.last_day = None
        self.view = None
        self.message = ""
        self.refresh_now()

    def reset_to_start(self) -> None:
        self.message = ""
        self._paint()

    # ----------------------------------------------------------------- painting

    def _title(self, meeting: PanelMeeting) -> str:
        return shown_title(meeting, self.clock.now(), self.rules.privacy)

    def _span(self, meeting: PanelMeeting) -> str:
        assert self.view is not None
        tz = self.view.day.tz
        return f"{format_clock(meeting.start, tz, clock_24h=self.clock_24h)}–{format_clock(meeting.end, tz, clock_24h=self.clock_24h)}"

    def _paint(self) -> None:
        if not isinstance(self.screen, PanelScreen):
            screen = next((s for s in self.screen_stack if isinstance(s, PanelScreen)), None)
            if screen is None:
                return
        else:
            screen = self.screen
        view = self.view
        message = screen.query_one("#message", Static)
        message.update(self.message)
        if view is None:
            screen.query_one("#status", Static).update("Loading…")
            return
        from staffterm.services.room_panel import panel_status

        status = panel_status(view.day, self.clock.now(), self.rules, offline=self.service.offline)
        room = view.day.room
        tz = view.day.tz
        now_text = format_clock(self.clock.now(), tz, clock_24h=self.clock_24h)
        screen.query_one("#room-name", Static).update(f"{room.name}  ·  {room.capacity} seats  ·  {now_text}")
        box = screen.query_one("#status", Static)
        box.set_classes(status.state)
        box.update(status.headline.upper())
        detail = panel_headline_detail(status, tz, self.clock_24h)
        if status.state == "offline":
            loaded = format_clock(view.day.loaded_at, tz, clock_24h=self.clock_24h)
            detail = f"Showing the day as last known at {loaded}. {OFFLINE_MESSAGE}"
        screen.query_one("#detail", Static).update(detail)
        current = status.current
        now_line = f"Now:  {self._title(current)}  {self._span(current)}" if current else "Now:  no meeting"
        screen.query_one("#current", Static).update(now_line)
        upcoming = status.next
        next_line = f"Next: {self._title(upcoming)}  {self._span(upcoming)}" if upcoming else "Next: nothing more today"
        screen.query_one("#next", Static).update(next_line)
        for index in range(4):
            button = screen.query_one(f"#book-{index}", Button)
            if index < len(status.book_options):
                button.label = f"Book {status.book_options[index]} min ({index + 1})"
                button.display = True
            else:
                button.display = False
        screen.query_one("#check-in", Button).display = status.can_check_in
        screen.query_one("#end", Button).display = status.can_end
        for index in range(2):
            button = screen.query_one(f"#extend-{index}", Button)
            if index < len(status.extend_options):
                button.label = f"+{status.extend_options[index]} min ({'xy'[index]})"
                button.display = True
            else:
                button.display = False
        timeline = screen.query_one(FreeBusyTimeline)
        day = view.day
        slots = int((day.day_end - day.day_start) / timedelta(minutes=SLOT_MINUTES))
        from staffterm.models import RoomAvailability

        availability = {room.id: RoomAvailability(room_id=room.id, email=room.email, start=day.day_start, end=day.day_end,
                                                  blocks=day.blocks())}
        rows = rows_from_snapshot([room], availability, day.day_start, SLOT_MINUTES, slots)
        timeline.set_data(rows, day_start=day.day_start, slot_minutes=SLOT_MINUTES, slots=slots, tz=tz)
        timeline.now = self.clock.now()
        timeline.move_cursor_to_time(self.clock.now(), clamp=True)

    def current_status(self):
        from staffterm.services.room_panel import panel_status

        assert self.view is not None
        return panel_status(self.view.day, self.clock.now(), self.rules, offline=self.service.offline)

    # ----------------------------------------------------------------- actions

    def _act(self, work, done: str) -> None:
        async def run() -> None:
            try:
                await self.ensure_open()
                result = await work()
            except UnavailableError as exc:
                self.service.offline = True
                self.message = OFFLINE_MESSAGE if str(exc) == OFFLINE_MESSAGE else f"{OFFLINE_MESSAGE} ({exc})"
                self._paint()
                return
            except StafftermError as exc:
                self.message = str(exc)
                self._paint()
                return
            warnings = result[1] if isinstance(result, tuple) else []
            self.message = " ".join([done, *warnings])
            await self._tick()
            self.message = " ".join([done, *warnings])
            self._paint()

        self.run_worker(run(), group="panel-action", exclusive=True)

    def _offline_refusal(self) -> bool:
        if self.service.offline or self.view is None:
            self.message = OFFLINE_MESSAGE
            self._paint()
            return True
        return False

    def action_book(self, index: int) -> None:
        if self._offline_refusal():
            return
        options = self.current_status().book_options
        if index >= len(options):
            return
        minutes = options[index]
        self._act(lambda: self.service.book_now(minutes), f"Booked for {minutes} minutes.")

    def action_check_in(self) -> None:
        if self._offline_refusal() or not self.current_status().can_check_in:
            return
        self._act(self.service.check_in, "Checked in. Enjoy your meeting.")

    def action_end(self) -> None:
        if self._offline_refusal() or not self.current_status().can_end:
            return
        self._act(self.service.end_early, "Meeting ended; the room is free.")

    def action_extend(self, index: int) -> None:
        if self._offline_refusal():
            return
        options = self.current_status().extend_options
        if index >= len(options):
            return
        minutes = options[index]
        self._act(lambda: self.service.extend(minutes), f"Extended by {minutes} minutes.")
