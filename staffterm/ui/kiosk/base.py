"""The locked-down App both kiosks are built on.

No quit, suspend, command palette or other screens: the App and its screens are declared with
``inherit_bindings=False`` (Textual's App binds ctrl+q to quit and ctrl+c to a quit hint; its
Screen binds tab/shift+tab to focus moves and ctrl+c to copy), the palette is off, pasted text is
dropped, and text selection is off. The only way out is the admin menu behind the PIN.
Inactivity returns to the start and clears what was typed.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Static

from staffterm.services.kiosk_pin import PinGate

#: The key that asks for the admin PIN (shown nowhere on screen; staff are told it).
ADMIN_KEY = "ctrl+a"


class KioskScreen(Screen, inherit_bindings=False):
    """A screen with no inherited keys (no tab focus moves, no copy)."""


class PinPrompt(ModalScreen[bool], inherit_bindings=False):
    """Asks for the admin PIN; dismisses True when it is right. Wrong tries back off."""

    DEFAULT_CSS = """
    PinPrompt { align: center middle; }
    PinPrompt > Vertical { width: 64; height: auto; border: thick $accent; padding: 1 2; background: $surface; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, gate: PinGate | None) -> None:
        super().__init__()
        self.gate = gate

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Staff only: enter the admin PIN", id="pin-title")
            yield Input(password=True, restrict=r"[0-9]*", max_length=12, id="pin-input")
            yield Static("", id="pin-message")

    def on_mount(self) -> None:
        message = self.query_one("#pin-message", Static)
        if self.gate is None:
            message.update("No admin PIN is set for this kiosk.")
        elif self.gate.wait_left() > 0:
            message.update(f"Too many wrong tries: wait {math.ceil(self.gate.wait_left())} s.")
        self.query_one(Input).focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        message = self.query_one("#pin-message", Static)
        pin = event.value
        event.input.value = ""
        if self.gate is None:
            message.update("No admin PIN is set for this kiosk.")
            return
        if self.gate.wait_left() > 0:
            message.update(f"Too many wrong tries: wait {math.ceil(self.gate.wait_left())} s.")
            return
        # scrypt takes tens of milliseconds by design: off the event loop, so the screen stays live.
        if await asyncio.to_thread(self.gate.attempt, pin):
            self.dismiss(True)
            return
        wait = self.gate.wait_left()
        message.update(f"Wrong PIN. Too many wrong tries: wait {math.ceil(wait)} s." if wait > 0 else "Wrong PIN.")

    def action_cancel(self) -> None:
        self.dismiss(False)


class AdminMenu(ModalScreen[tuple[str, str] | None], inherit_bindings=False):
    """Exit the kiosk, reload it, or switch it to another room or building."""

    DEFAULT_CSS = """
    AdminMenu { align: center middle; }
    AdminMenu > Vertical { width: 56; height: auto; border: thick $warning; padding: 1 2; background: $surface; }
    AdminMenu Button { width: 100%; margin-bottom: 1; }
    """
    # Behind the PIN, tab may move between the menu's buttons (the kiosk's screens have no tab).
    BINDINGS = [
        Binding("escape", "close", "Close", show=False),
        Binding("tab", "app.focus_next", show=False),
        Binding("shift+tab", "app.focus_previous", show=False),
    ]

    def __init__(self, switch_label: str) -> None:
        super().__init__()
        self.switch_label = switch_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Kiosk admin")
            yield Button("Exit the kiosk", id="admin-exit", variant="error")
            yield Button("Reload", id="admin-reload")
            yield Static(self.switch_label)
            yield Input(placeholder="id, then Enter", id="admin-switch")
            yield Button("Close", id="admin-close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = {"admin-exit": ("exit", ""), "admin-reload": ("reload", "")}.get(event.button.id or "")
        self.dismiss(choice)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(("switch", event.value.strip()))

    def action_close(self) -> None:
        self.dismiss(None)


class KioskApp(App[None], inherit_bindings=False):
    """Base of the lobby kiosk and the room panel."""

    ENABLE_COMMAND_PALETTE = False
    ALLOW_SELECT = False
    BINDINGS = [Binding(ADMIN_KEY, "admin", "Admin", show=False, priority=True)]

    def __init__(
        self, *, pin_gate: PinGate | None, idle_seconds: float = 60.0, monotonic: Callable[[], float] = time.monotonic,
        theme: str | None = None, session: Any = None,
    ) -> None:
        super().__init__()
        # A session the kiosk opens itself (from the command line): its backend's connections
        # belong to this App's event loop, so they are opened on mount and closed on unmount.
        self._own_session = session
        self._session_open = False
        self._open_lock = asyncio.Lock()
        self.pin_gate = pin_gate
        self.idle_seconds = idle_seconds
        self.monotonic = monotonic
        self._idle_timer: Timer | None = None
        self.admin_result: tuple[str, str] | None = None
        self.animation_level = "none"
        self._install_themes(theme)

    # ----------------------------------------------------------------- themes

    def _install_themes(self, preferred: str | None) -> None:
        from staffterm.ui.themes import DEFAULT_THEME_NAME, choose_theme, load_themes

        for theme in load_themes().themes:
            self.register_theme(theme)
        name = choose_theme(self.available_themes, preferred, DEFAULT_THEME_NAME)
        if name in self.available_themes:
            self.theme = name

    def get_theme_variable_defaults(self) -> dict[str, str]:
        from staffterm.ui.themes import variable_defaults_for

        # The timeline's free/busy colours, darker on light themes (as in the desk console).
        try:
            current = self.current_theme
        except Exception:  # asked before the theme machinery is set up
            current = None
        return variable_defaults_for(current)

    # ----------------------------------------------------------------- lockdown

    def action_quit(self) -> None:
        """Never quits: leaving goes through the admin menu."""

    async def action_suspend_process(self) -> None:
        """Never suspends to the shell."""

    def action_command_palette(self) -> None:
        """No command palette on a kiosk."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Paste):
            # Pasted text could be anything (many lines, control characters): a kiosk takes
            # typing and a scanner's keystrokes only.
            event.stop()
            return
        if isinstance(event, events.InputEvent) and not event.is_forwarded:
            self.note_activity()
        await super().on_event(event)

    def note_activity(self) -> None:
        """Restart the idle countdown from this key or click (a new one-shot timer: Textual's
        ``Timer.reset`` only takes effect when the old countdown runs out)."""
        if self._idle_timer is not None:
            self._idle_timer.stop()
        self._idle_timer = self.set_timer(self.idle_seconds, self._idle, name="kiosk-idle")

    def on_mount(self) -> None:
        # Textual calls every class's on_mount along the MRO: subclasses do not call this one.
        self.note_activity()

    async def ensure_open(self) -> None:
        """Open the kiosk's own session on first use, inside this App's event loop."""
        if self._own_session is None or self._session_open:
            return
        async with self._open_lock:
            if not self._session_open:
                await self._own_session.open()
                self._session_open = True

    async def on_unmount(self) -> None:
        if self._session_open:
            self._session_open = False
            await self._own_session.close()

    def _idle(self) -> None:
        self._idle_timer = None
        # Close the PIN prompt or admin menu a person walked away from; the kiosk's own screen stays.
        while isinstance(self.screen, ModalScreen):
            self.pop_screen()
        self.reset_to_start()

    def reset_to_start(self) -> None:
        """Back to the welcome (or status) view with nothing typed left on screen."""

    # ----------------------------------------------------------------- admin

    def action_admin(self) -> None:
        if isinstance(self.screen, (PinPrompt, AdminMenu)):
            return
        self.push_screen(PinPrompt(self.pin_gate), self._after_pin)

    def _after_pin(self, ok: bool | None) -> None:
        if ok:
            self.push_screen(AdminMenu(self.switch_label()), self._after_admin)

    def _after_admin(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        what, value = choice
        if what == "exit":
            self.admin_result = choice
            self.exit()
        elif what == "reload":
            self.reload()
        elif what == "switch":
            self.switch_to(value)

    def switch_label(self) -> str:
        return "Switch to:"

    def reload(self) -> None:
        """Read everything again."""

    def switch_to(self, target: str) -> None:
        """Show another room or building."""
