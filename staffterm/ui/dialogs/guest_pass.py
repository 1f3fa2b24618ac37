"""A guest's visitor pass: the QR code large enough to scan from the screen, and saving it as
SVG + PNG for printing or mailing."""

from __future__ import annotations

import asyncio
from datetime import tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Label, Static

from staffterm.errors import InvalidInputError
from staffterm.ui.dialogs.base import StafftermModal
from staffterm.ui.screens.guests.files import default_pass_dir, pass_file_stem, save_pass_files
from staffterm.ui.screens.guests.rows import display_name, host_label
from staffterm.ui.widgets.qr_view import QrView


def pass_heading(guest: Any, tz: tzinfo) -> Text:
    text = Text()
    text.append("Visitor pass\n", style="bold underline")
    text.append(display_name(guest), style="bold")
    if guest.organisation:
        text.append(f" · {guest.organisation}")
    text.append("\nVisiting ")
    text.append(host_label(guest), style="bold")
    if guest.visit_start and guest.visit_end:
        start, end = guest.visit_start.astimezone(tz), guest.visit_end.astimezone(tz)
        text.append(f" · {start:%H:%M}–{end:%H:%M} {start:%a %d %b}")
    if guest.checked_in_at:
        text.append(f"\nArrived {guest.checked_in_at.astimezone(tz):%H:%M}", style="dim")
    return text


class PassScreen(StafftermModal):
    """The pass in full: heading, QR code, and the payload a scanner reads."""

    DEFAULT_CSS = """
    #pass-box {
        width: 100%;
        max-width: 104;
    }
    /* At 24 rows the code alone needs nearly all the height: drop the frame. */
    PassScreen.-short #pass-box {
        border: none;
        padding: 0;
    }
    #pass-text {
        width: 1fr;
        min-width: 20;
        height: auto;
        padding-left: 2;
    }
    #pass-heading {
        margin-bottom: 1;
    }
    #pass-payload {
        color: $text-muted;
    }
    """
    # The code (23 rows for a typical pass) plus the footer must fit a 24-row terminal.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (28, "-tall")]
    BINDINGS = [
        Binding("s", "save", "Save SVG+PNG", id="pass-save"),
        Binding("escape,p", "close", "Close", id="pass-close"),
    ]

    def __init__(self, guest: Any, payload: str, tz: tzinfo) -> None:
        super().__init__()
        self.guest = guest
        self.payload = payload
        self.tz = tz

    def compose(self) -> ComposeResult:
        with Horizontal(id="pass-box", classes="dialog-box"):
            yield QrView(self.payload, id="pass-qr")
            with Vertical(id="pass-text"):
                yield Static(pass_heading(self.guest, self.tz), id="pass-heading")
                yield Static(Text(self.payload), id="pass-payload")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        self.app.push_screen(SavePassScreen(self.guest, self.payload))


class SavePassScreen(StafftermModal):
    """Ask for a folder (the cache's passes folder by default), then write SVG and PNG there."""

    DEFAULT_CSS = """
    #save-box {
        width: 76;
    }
    #save-row {
        height: auto;
        margin-top: 1;
    }
    #save-row > Label {
        width: 8;
        color: $text-muted;
    }
    #save-dir {
        width: 1fr;
        background: $boost;
    }
    #save-error {
        color: $error;
        height: auto;
    }
    #save-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="save-pass-cancel"),
    ]

    def __init__(self, guest: Any, payload: str, directory: str | None = None) -> None:
        super().__init__()
        self.guest = guest
        self.payload = payload
        self._directory = directory

    def compose(self) -> ComposeResult:
        stem = pass_file_stem(self.guest)
        with Vertical(id="save-box", classes="dialog-box"):
            yield Static(Text.assemble(("Save the pass of ", "bold"), (display_name(self.guest), "bold")))
            with Horizontal(id="save-row"):
                yield Label("Folder")
                yield Input(self._directory or str(default_pass_dir()), id="save-dir", compact=True)
            yield Static(Text(f"Writes {stem}.svg and {stem}.png · Enter saves · Esc cancels"), id="save-hint")
            yield Static("", id="save-error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#save-dir", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#save-dir")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save(event.value)

    @work(exclusive=True, group="save-pass", exit_on_error=False, name="save-pass")
    async def save(self, directory: str) -> None:
        error = self.query_one("#save-error", Static)
        error.update("")
        try:
            svg, png = await asyncio.to_thread(save_pass_files, self.payload, directory, pass_file_stem(self.guest))
        except InvalidInputError as exc:
            error.update(Text(str(exc)))
            return
        self.app.notify(f"Saved {display_name(self.guest)}'s pass:\n{svg}\n{png}", title="Pass saved", markup=False, timeout=8)
        self.dismiss((svg, png))
