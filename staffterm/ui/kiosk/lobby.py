"""The lobby kiosk: welcome → find one's visit (typed, or a scanned ``VISIT:`` invite) → confirm
→ the house rules (when configured) → checked in, host told → the pass → back to welcome.

One screen whose steps are shown in turn, so there is no other screen to reach. The text box
keeps the focus on the welcome step, so whatever a USB scanner types (its payload and Enter)
lands in it wherever the guest last touched. Locked down as ``base`` describes.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, ContentSwitcher, Input, Static

from staffterm.clock import Clock
from staffterm.errors import StafftermError, UnavailableError
from staffterm.models import Guest
from staffterm.services.kiosk_lobby import LobbyCheckIn, LobbyService, parse_visit_code
from staffterm.services.kiosk_pin import PinGate
from staffterm.services.kiosk_walkin import HostChoice, WalkInService
from staffterm.services.room_board import format_clock
from staffterm.ui.kiosk.base import KioskApp, KioskScreen
from staffterm.ui.kiosk.walkin import WalkInForm
from staffterm.ui.widgets.qr_view import QrView

#: Opens the walk-in form from the welcome step (its button does too, for touch).
WALK_IN_KEY = "ctrl+g"

MESSAGES = {
    "none": "We could not find a visit for that today. Please check the spelling, or ask at the front desk.",
    "ask_email": "More than one visit matches. Please type your full email address instead.",
    "too_short": "Please type at least 3 letters of your name, or your email address.",
}


def _first_name(guest: Guest) -> str:
    return (guest.name or guest.email.split("@")[0]).split()[0]


class LobbyScreen(KioskScreen):
    DEFAULT_CSS = """
    LobbyScreen { align: center middle; }
    LobbyScreen ContentSwitcher { width: 80; height: auto; border: round $accent; padding: 1 2; }
    LobbyScreen .title { text-style: bold; margin-bottom: 1; }
    LobbyScreen .hint { color: $text-muted; }
    #welcome-message { color: $warning; height: auto; }
    #pass-qr { width: auto; height: auto; }
    #walkin-start { margin-top: 1; }
    """
    BINDINGS = [
        Binding("enter", "confirm", show=False),
        Binding("y", "yes", show=False),
        Binding("n", "no", show=False),
        Binding("a", "accept", show=False),
        Binding("d", "decline", show=False),
        Binding(WALK_IN_KEY, "walk_in", show=False),
    ]

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="welcome"):
            with Vertical(id="welcome"):
                yield Static("", id="welcome-title", classes="title")
                yield Static("Type your name or email, then press Enter. Or scan the QR code of your invitation.", classes="hint")
                yield Input(placeholder="Your name or email", id="find", max_length=120, select_on_focus=False)
                yield Static("", id="welcome-message")
                yield Static("", id="offline-note", classes="hint")
                start = Button("Not expected? Register here (ctrl+g)", id="walkin-start")
                start.can_focus = False  # the search box keeps the focus, for the scanner
                start.display = False  # shown when the App offers walk-ins
                yield start
            yield WalkInForm(id="walkin")
            with Vertical(id="confirm"):
                yield Static("", id="confirm-text", classes="title")
                yield Static("Press Enter or y if this is you, n if not.", classes="hint")
            with Vertical(id="notice"):
                yield Static("Before you check in", classes="title")
                yield Static("", id="notice-text")
                yield Static("Press a to accept, d to decline.", classes="hint")
            with Vertical(id="done"):
                yield Static("", id="done-text", classes="title")
                yield QrView("", id="pass-qr")
                yield Static("", id="done-hint", classes="hint")

    def on_mount(self) -> None:
        self.app.reset_to_start()  # type: ignore[attr-defined]

    @property
    def step(self) -> str:
        return self.query_one(ContentSwitcher).current or "welcome"

    def show(self, step: str) -> None:
        self.query_one(ContentSwitcher).current = step
        if step == "welcome":
            self.query_one("#find", Input).focus()
        else:
            self.set_focus(None)

    def on_key(self, event: events.Key) -> None:
        # A scanner (or a guest) typing while the box lost focus: the text goes into the box.
        if self.step == "welcome" and event.is_printable and event.character and self.focused is None:
            box = self.query_one("#find", Input)
            box.focus()
            box.insert_text_at_cursor(event.character)
            event.stop()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.app.find(event.value)  # type: ignore[attr-defined]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "walkin-start":
            self.action_walk_in()

    def action_walk_in(self) -> None:
        if self.step == "welcome":
            self.app.start_walk_in()  # type: ignore[attr-defined]

    def on_walk_in_form_back(self, event: WalkInForm.Back) -> None:
        event.stop()
        self.app.reset_to_start()  # type: ignore[attr-defined]

    def on_walk_in_form_ready(self, event: WalkInForm.Ready) -> None:
        event.stop()
        self.app.register_walk_in(event.guest_name, event.email, event.host)  # type: ignore[attr-defined]

    def action_confirm(self) -> None:
        if self.step == "confirm":
            self.app.confirmed()  # type: ignore[attr-defined]
        elif self.step == "walkin":
            self.query_one(WalkInForm).answer(True)

    def action_yes(self) -> None:
        self.action_confirm()

    def action_no(self) -> None:
        if self.step == "confirm":
            self.app.reset_to_start()  # type: ignore[attr-defined]
        elif self.step == "walkin":
            self.query_one(WalkInForm).answer(False)

    def action_accept(self) -> None:
        if self.step == "notice":
            self.app.notice_answered(True)  # type: ignore[attr-defined]

    def action_decline(self) -> None:
        if self.step == "notice":
            self.app.notice_answered(False)  # type: ignore[attr-defined]


class LobbyKioskApp(KioskApp):
    TITLE = "Visitor check-in"

    def __init__(
        self, service: LobbyService, clock: Clock, *, pin_gate: PinGate | None, building_name: str = "",
        notice_text: str = "", pass_seconds: float = 20.0, idle_seconds: float = 60.0,
        walk_in: WalkInService | None = None, **kwargs,
    ) -> None:
        super().__init__(pin_gate=pin_gate, idle_seconds=idle_seconds, **kwargs)
        self.service = service
        # Walk-in registration, when configured and the backend can register a visitor: None hides it.
        self.walk_in = walk_in if walk_in is not None and walk_in.available else None
        self.clock = clock
        self.building_name = building_name
        self.notice_text = notice_text
        self.pass_seconds = pass_seconds
        self.chosen: Guest | None = None
        self.last_check_in: LobbyCheckIn | None = None
        self._pass_timer = None
        self._lobby = LobbyScreen()

    @property
    def lobby(self) -> LobbyScreen:
        return self._lobby

    def on_mount(self) -> None:
        self.push_screen(self._lobby)
        # Keep today's visits (for an outage) and send what the outbox holds, every minute.
        self.set_interval(60, self.background_sync, name="lobby-sync")
        self.background_sync()

    def background_sync(self) -> None:
        async def sync() -> None:
            try:
                await self.ensure_open()
                await self.service.refresh()
            except StafftermError:
                return
            finally:
                self.show_offline_note()
            try:
                await self.service.drain()
            except StafftermError:
                pass

        self.run_worker(sync(), group="lobby-sync", exclusive=True)

    def show_offline_note(self) -> None:
        """A quiet line for staff: the kiosk works from its kept list, and since when."""
        service = self.service
        note = ""
        if service.offline:
            if service.as_of is not None:
                when = format_clock(service.as_of, service.tz, clock_24h=True, reference=self.clock.now())
                note = f"Working offline: today's visits as of {when}."
            else:
                note = "Working offline: today's visits could not be read yet."
        self.lobby.query_one("#offline-note", Static).update(note)

    def _say(self, text: str) -> None:
        self.lobby.query_one("#welcome-message", Static).update(text)

    def reset_to_start(self) -> None:
        screen = self.lobby
        self.chosen = None
        if self._pass_timer is not None:
            self._pass_timer.stop()
            self._pass_timer = None
        screen.query_one("#find", Input).value = ""
        screen.query_one("#welcome-message", Static).update("")
        screen.query_one("#confirm-text", Static).update("")
        screen.query_one("#done-text", Static).update("")
        screen.query_one("#pass-qr", QrView).clear()
        screen.query_one(WalkInForm).clear()
        screen.query_one("#walkin-start", Button).display = self.walk_in is not None
        where = f" to {self.building_name}" if self.building_name else ""
        screen.query_one("#welcome-title", Static).update(f"Welcome{where}")
        screen.show("welcome")

    def reload(self) -> None:
        self.service.reception.estate.invalidate()
        self.reset_to_start()
        self.background_sync()

    def switch_label(self) -> str:
        return "Switch this kiosk to building:"

    def switch_to(self, target: str) -> None:
        self.service.switch_building(target)
        self.building_name = target
        self.reset_to_start()
        self.background_sync()

    # ----------------------------------------------------------------- steps

    def find(self, text: str) -> None:
        async def run() -> None:
            code = parse_visit_code(text)
            try:
                await self.ensure_open()
                result = await (self.service.find_by_code(code) if code else self.service.find(text))
            except StafftermError as exc:
                self._say(f"Sorry, that did not work: {exc}. Please ask at the front desk.")
                return
            self.show_offline_note()
            if result.kind != "one" or result.guest is None:
                self.lobby.query_one("#find", Input).value = ""
                self._say(MESSAGES[result.kind])
                return
            self.chosen = result.guest
            guest = result.guest
            host = guest.host_name or "your host"
            self.lobby.query_one("#confirm-text", Static).update(
                f"Hello {_first_name(guest)}. Are you here to see {host}?"
            )
            self.lobby.show("confirm")

        self.run_worker(run(), group="lobby-step", exclusive=True)

    def confirmed(self) -> None:
        if self.chosen is None:
            return
        if self.notice_text.strip():
            self.lobby.query_one("#notice-text", Static).update(self.notice_text)
            self.lobby.show("notice")
            return
        self._check_in(accepted=False)

    def notice_answered(self, accepted: bool) -> None:
        if not accepted:
            self.reset_to_start()
            self._say("You declined the house rules, so we cannot check you in here. Please ask at the front desk.")
            return
        self._check_in(accepted=True)

    def _check_in(self, *, accepted: bool) -> None:
        guest = self.chosen
        if guest is None:
            return

        async def run() -> None:
            try:
                await self.ensure_open()
                done = await self.service.check_in(guest, notice_accepted=accepted)
            except StafftermError as exc:
                self.reset_to_start()
                self._say(f"Sorry, we could not check you in: {exc}")
                return
            self.last_check_in = done
            host = guest.host_name or "Your host"
            if done.already_checked_in:
                text = f"You are already checked in, {_first_name(guest)}."
            elif done.host_told:
                text = f"Thank you, {_first_name(guest)}: you are checked in. {host} has been told you are here."
            else:
                text = f"Thank you, {_first_name(guest)}: you are checked in. {host} will be told shortly."
            screen = self.lobby
            screen.query_one("#done-text", Static).update(text)
            if done.pass_payload:
                screen.query_one("#pass-qr", QrView).show_payload(done.pass_payload)
            screen.query_one("#done-hint", Static).update("This is your visitor pass. Please take a seat.")
            screen.show("done")
            self._pass_timer = self.set_timer(self.pass_seconds, self.reset_to_start, name="pass-shown")

        self.run_worker(run(), group="lobby-step", exclusive=True)

    # ----------------------------------------------------------------- walk-ins

    def start_walk_in(self) -> None:
        if self.walk_in is None:
            return
        self.walk_in.start()
        self.lobby.show("walkin")
        self.lobby.query_one(WalkInForm).start(search_hosts=self.walk_in.can_search_hosts)

    def search_walk_in_hosts(self, typed: str) -> None:
        walk_in = self.walk_in
        if walk_in is None:
            return

        async def run() -> None:
            try:
                await self.ensure_open()
                hosts = await walk_in.find_hosts(typed)
            except StafftermError as exc:
                self.lobby.query_one(WalkInForm).say(
                    f"The directory cannot be searched just now ({exc.message}). Please ask at the front desk.")
                return
            self.lobby.query_one(WalkInForm).show_hosts(typed, hosts)

        # Exclusive: each keystroke replaces the search before it.
        self.run_worker(run(), group="walkin-search", exclusive=True)

    def register_walk_in(self, name: str, email: str, host: HostChoice) -> None:
        walk_in = self.walk_in
        if walk_in is None:
            return

        async def run() -> None:
            form = self.lobby.query_one(WalkInForm)
            try:
                await self.ensure_open()
                guest = await walk_in.register(name, email, host)
            except UnavailableError:
                # The same registration (and idempotency key) is sent again on the next Enter.
                form.say("We cannot register you just now: the system is offline. Press Enter to try again, or ask at the front desk.")
                return
            except StafftermError as exc:
                form.say(f"Sorry, we could not register you: {exc}")
                return
            self.chosen = guest
            self.confirmed()

        self.run_worker(run(), group="lobby-step", exclusive=True)
