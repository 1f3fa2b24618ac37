"""Dialogs for a meeting on a room's day: cancel or decline (tell the attendees or not, with a
comment) and extend by a number of minutes.

Each dialog runs its write itself, so a refusal (a clash with the next meeting, a meeting that
has ended) shows inside it with the items in the way, and what was typed stays. It dismisses with
the success message for the screen to announce, or None when the operator backs out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, tzinfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Footer, Input, Static

from staffterm.errors import InvalidInputError
from staffterm.ui.dialogs.base import StafftermModal
from staffterm.ui.widgets.clash_list import ClashList

DIALOG_CSS = """
{name} > Vertical.dialog-box {{
    width: 72;
    border: round {border};
}}
{name} .dialog-question {{
    margin: 1 0;
}}
{name} Input, {name} Checkbox {{
    margin-bottom: 1;
}}
"""


class CommentDialog(StafftermModal):
    """Cancel or decline: notify attendees yes/no and a comment, then confirm.

    ``apply(notify, comment)`` does the write and returns the message to announce.
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="CommentDialog", border="$error")
    BINDINGS = [
        Binding("ctrl+s", "confirm", "Confirm", id="meeting-dialog-confirm", priority=True),
        Binding("escape", "back", "Keep the meeting", id="meeting-dialog-back"),
    ]

    def __init__(
        self,
        *,
        title: str,
        question: Text | str,
        confirm_label: str,
        apply: Callable[[bool, str], Awaitable[str]],
        tz: tzinfo,
        reference: datetime | None = None,
        notify_default: bool = True,
    ) -> None:
        super().__init__()
        self._title = title
        self._question = question if isinstance(question, Text) else Text(question)
        self._confirm_label = confirm_label
        self._apply = apply
        self._tz = tz
        self._reference = reference
        self._notify_default = notify_default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(self._title, style="bold"))
            yield Static(self._question, classes="dialog-question")
            yield Checkbox("Tell the attendees", value=self._notify_default, id="dialog-notify")
            yield Input(placeholder="comment for the attendees (optional)", id="dialog-comment")
            yield ClashList(id="dialog-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self._confirm_label} (ctrl+s)", variant="error", compact=True, id="dialog-confirm")
                yield Button("Keep it (esc)", compact=True, id="dialog-back")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#dialog-comment", Input).focus()

    @on(Input.Submitted, "#dialog-comment")
    @on(Button.Pressed, "#dialog-confirm")
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#dialog-back")
    def action_back(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        notify = self.query_one("#dialog-notify", Checkbox).value
        comment = self.query_one("#dialog-comment", Input).value.strip()
        self._run(notify, comment)

    @work(exclusive=True, group="meeting-dialog", exit_on_error=False, name="meeting-dialog")
    async def _run(self, notify: bool, comment: str) -> None:
        problem = self.query_one("#dialog-problem", ClashList)
        problem.clear()
        try:
            message = await self._apply(notify, comment)
        except Exception as exc:
            problem.show_error(exc, self._tz, reference=self._reference)
            raise
        self.dismiss(message)


class ExtendDialog(StafftermModal):
    """Extend by a typed number of minutes; ``apply(minutes)`` returns the message to announce."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ExtendDialog", border="$primary")
    BINDINGS = [
        Binding("escape", "back", "Back", id="meeting-extend-back"),
    ]

    def __init__(
        self,
        *,
        question: Text | str,
        apply: Callable[[int], Awaitable[str]],
        tz: tzinfo,
        reference: datetime | None = None,
        minutes: int = 15,
    ) -> None:
        super().__init__()
        self._question = question if isinstance(question, Text) else Text(question)
        self._apply = apply
        self._tz = tz
        self._reference = reference
        self._minutes = minutes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text("Extend the meeting", style="bold"))
            yield Static(self._question, classes="dialog-question")
            yield Input(value=str(self._minutes), placeholder="minutes", type="integer", id="extend-minutes")
            yield ClashList(id="dialog-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Extend (enter)", variant="primary", compact=True, id="dialog-confirm")
                yield Button("Back (esc)", compact=True, id="dialog-back")
        yield Footer()

    def on_mount(self) -> None:
        field = self.query_one("#extend-minutes", Input)
        field.focus()
        field.select_all()

    @on(Input.Submitted, "#extend-minutes")
    @on(Button.Pressed, "#dialog-confirm")
    def _confirm(self) -> None:
        problem = self.query_one("#dialog-problem", ClashList)
        raw = self.query_one("#extend-minutes", Input).value.strip()
        if not raw.isdigit() or int(raw) <= 0:
            problem.show_error(
                InvalidInputError(f"type the minutes to add as a whole number above 0, not {raw!r}", field="minutes"),
                self._tz,
            )
            return
        self._run(int(raw))

    @on(Button.Pressed, "#dialog-back")
    def action_back(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="meeting-dialog", exit_on_error=False, name="meeting-extend")
    async def _run(self, minutes: int) -> None:
        problem = self.query_one("#dialog-problem", ClashList)
        problem.clear()
        try:
            message = await self._apply(minutes)
        except Exception as exc:
            problem.show_error(exc, self._tz, reference=self._reference)
            raise
        self.dismiss(message)
