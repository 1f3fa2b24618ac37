"""A yes/no question before a destructive action (delete a booking, reject a meeting)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from staffterm.ui.dialogs.base import StafftermModal


class ConfirmDialog(StafftermModal):
    """Dismisses with True (confirmed) or False. Focus starts on "No": a stray Enter keeps
    the booking."""

    DEFAULT_CSS = """
    ConfirmDialog > Vertical.dialog-box {
        width: 64;
        max-width: 95%;
        border: round $error;
    }
    ConfirmDialog .confirm-question {
        margin: 1 0;
    }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str | Text, *, confirm_label: str = "Delete", title: str = "Are you sure?") -> None:
        super().__init__()
        self._question = question if isinstance(question, Text) else Text(question)
        self._confirm_label = confirm_label
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(self._title, style="bold"))
            yield Static(self._question, classes="confirm-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self._confirm_label} (y)", variant="error", id="confirm-yes")
                yield Button("Keep (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(bool(yes))
