"""Find a person by typing part of their name or email: the host of a meeting or a visit.

Searches the directory in a worker as you type (debounced), shows matches below the input;
Down/Up move through them, Enter or a click picks one. A typed full email address is accepted
as is, so a host missing from the directory can still be named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState


class PersonPicker(Vertical):
    DEFAULT_CSS = """
    PersonPicker {
        height: auto;
    }
    PersonPicker > OptionList {
        height: auto;
        max-height: 6;
        display: none;
    }
    PersonPicker.-open > OptionList {
        display: block;
    }
    """
    BINDINGS = [
        Binding("down", "move(1)", "Next match", show=False, id="person-next"),
        Binding("up", "move(-1)", "Previous match", show=False, id="person-previous"),
    ]

    @dataclass
    class Chosen(Message):
        picker: PersonPicker
        user: Any

    def __init__(self, *, placeholder: str = "name or email", value: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self._placeholder = placeholder
        self._initial = value
        self.user: Any = None
        self._matches: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Input(value=self._initial, placeholder=self._placeholder)
        yield OptionList()

    @on(Worker.StateChanged)
    def _search_failed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: a failed directory search must still be reported.
        if event.state == WorkerState.ERROR:
            report = getattr(self.app, "report_worker_error", None)
            if callable(report):
                report(event.worker)
            else:
                self.notify(f"People search failed: {event.worker.error}", severity="error", markup=False)

    @property
    def email(self) -> str:
        """The chosen person's email, or the typed text when it is an email address."""
        if self.user is not None:
            return self.user.email
        typed = self.query_one(Input).value.strip().lower()
        return typed if "@" in typed else ""

    def focus(self, scroll_visible: bool = True) -> PersonPicker:
        self.query_one(Input).focus(scroll_visible)
        return self

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.user is not None and event.value != self._label(self.user):
            self.user = None
        text = event.value.strip()
        if len(text) < 2 or self.user is not None:
            self._show([])
            return
        self._search(text)

    @work(exclusive=True, group="person-search", exit_on_error=False)
    async def _search(self, text: str) -> None:
        import asyncio

        await asyncio.sleep(0.15)  # debounce: only the last keystroke's search runs
        session = self.app.session
        if session is None:
            return
        found = await session.directory.search_people(text, limit=8)
        self._show(found)

    def _show(self, users: list[Any]) -> None:
        self._matches = list(users)
        options = self.query_one(OptionList)
        options.clear_options()
        for user in self._matches:
            options.add_option(Option(Text.assemble((user.name or user.email, "bold"), f"  {user.email}",
                                                    (f"  {user.department}" if user.department else "", "dim"))))
        self.set_class(bool(self._matches), "-open")
        if self._matches:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self._matches:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self._matches) - 1, current + step))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self._matches:
            event.stop()
            self._choose(self.query_one(OptionList).highlighted or 0)

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def _choose(self, index: int) -> None:
        if not 0 <= index < len(self._matches):
            return
        self.user = self._matches[index]
        field = self.query_one(Input)
        with field.prevent(Input.Changed):
            field.value = self._label(self.user)
        self._show([])
        self.post_message(self.Chosen(self, self.user))

    @staticmethod
    def _label(user: Any) -> str:
        return f"{user.name} <{user.email}>" if user.name else user.email
