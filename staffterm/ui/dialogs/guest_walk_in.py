"""Walk-in registration: a guest who turned up unannounced, visiting a host from now.

Enter moves to the next field (and picks the highlighted host while the host search shows
matches); Enter on the last field or ctrl+s registers. Mistakes are shown under the field they
concern and nothing typed is lost; the dialog closes with the new Guest only once it exists.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from staffterm.errors import (
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
)
from staffterm.ui.dialogs.base import FormModal
from staffterm.ui.widgets.person_picker import PersonPicker

DEFAULT_MINUTES = 60
MAX_MINUTES = 24 * 60

#: Service error fields -> the form field that shows them.
_FIELD_FOR = {
    "name": "name",
    "email": "email",
    "organisation": "company",
    "host_email": "host",
    "minutes": "minutes",
    "visit_end": "minutes",
}
FIELDS = ("name", "email", "company", "host", "minutes")

# Errors that mean "this form is wrong", shown in the form; anything else (offline, auth) goes
# through the app's error routing so the connection state learns about it.
_REFUSALS = (InvalidInputError, NotFoundError, ConflictError, PermissionDeniedError, LimitReachedError)


class WalkInScreen(FormModal):
    """Dismisses with the registered Guest, or None when cancelled."""
    SUBMIT_BUTTON = "walk-in-submit"
    CANCEL_BUTTON = "walk-in-close"

    DEFAULT_CSS = """
    #walk-in-box {
        width: 76;
        overflow-y: auto;
    }
    #walk-in-title {
        text-style: bold;
        margin-bottom: 1;
    }
    .walk-in-row {
        height: auto;
        margin-top: 1;
    }
    .walk-in-row > Label {
        width: 10;
        color: $text-muted;
    }
    .walk-in-row > Input, .walk-in-row > PersonPicker {
        width: 1fr;
    }
    #walk-in-box Input {
        background: $boost;
    }
    #walk-in-box Input:focus {
        background: $primary 20%;
    }
    .field-error {
        color: $error;
        padding-left: 10;
        height: auto;
        display: none;
    }
    .field-error.-shown {
        display: block;
    }
    #walk-in-buttons {
        height: auto;
        margin-top: 1;
    }
    #walk-in-buttons Button {
        margin-right: 2;
    }
    #walk-in-status {
        color: $text-muted;
        width: 1fr;
    }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Register", id="walk-in-register", priority=True),
        Binding("escape", "cancel", "Cancel", id="walk-in-cancel"),
    ]

    def __init__(self, *, zone_id: str, building_name: str = "", name: str = "", email: str = "") -> None:
        super().__init__()
        self.zone_id = zone_id
        self.building_name = building_name
        self._initial = {"name": name, "email": email}
        self._form_id = uuid.uuid4().hex
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="walk-in-box", classes="dialog-box"):
            title = "Walk-in guest" + (f" · {self.building_name}" if self.building_name else "")
            yield Static(Text(title), id="walk-in-title")
            yield from self._row("name", "Name", Input(self._initial["name"], placeholder="full name", id="field-name", compact=True))
            yield from self._row("email", "Email", Input(self._initial["email"], placeholder="name@company.example",
                                                         id="field-email", compact=True))
            yield from self._row("company", "Company", Input(placeholder="organisation (optional)", id="field-company", compact=True))
            yield from self._row("host", "Host", PersonPicker(placeholder="host: type a name, Enter picks", id="field-host"))
            yield from self._row(
                "minutes", "Minutes",
                Input(str(DEFAULT_MINUTES), placeholder="visit length", type="integer", id="field-minutes", compact=True),
            )
            yield Static("", id="error-form", classes="field-error")
            with Horizontal(id="walk-in-buttons"):
                yield Button("Register", variant="primary", id="walk-in-submit", compact=True)
                yield Button("Cancel", id="walk-in-close", compact=True)
                yield Static("", id="walk-in-status")
        yield Footer()

    def _row(self, field: str, label: str, widget: Any) -> ComposeResult:
        with Horizontal(classes="walk-in-row"):
            yield Label(label)
            yield widget
        yield Static("", id=f"error-{field}", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#field-host Input", Input).compact = True
        first_empty = "#field-email" if self._initial["name"] and not self._initial["email"] else "#field-name"
        if self._initial["name"] and self._initial["email"]:
            first_empty = "#field-company"
        self.query_one(first_empty, Input).focus()

    # ----------------------------------------------------------------- values and errors

    def _value(self, field: str) -> str:
        return self.query_one(f"#field-{field}", Input).value.strip()

    @property
    def host_email(self) -> str:
        return self.query_one("#field-host", PersonPicker).email

    def show_error(self, field: str, message: str) -> None:
        label = self.query_one(f"#error-{field}", Static)
        label.update(Text(message))
        label.set_class(bool(message), "-shown")

    def clear_errors(self) -> None:
        for field in (*FIELDS, "form"):
            self.show_error(field, "")

    def validate(self) -> dict[str, str]:
        """What is wrong with the form as typed, by field (empty when it can be sent)."""
        problems: dict[str, str] = {}
        if not self._value("name"):
            problems["name"] = "A guest needs a name."
        email = self._value("email")
        if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
            problems["email"] = "Type the guest's email address, e.g. ava@company.example."
        if not self.host_email:
            problems["host"] = "Pick the host: type part of their name, then Enter (or type their full email)."
        raw_minutes = self._value("minutes")
        if not raw_minutes.isdigit() or not 1 <= int(raw_minutes) <= MAX_MINUTES:
            problems["minutes"] = f"The visit length is a whole number of minutes, 1 to {MAX_MINUTES}."
        return problems

    # ----------------------------------------------------------------- keys

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "field-minutes":
            self.action_submit()
            return
        self.focus_next()

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        # A field being corrected no longer shows the complaint about it.
        field = (event.input.id or "").removeprefix("field-")
        if field not in FIELDS:  # the host picker's own input has no id
            field = "host" if event.input.parent is self.query_one("#field-host") else ""
        if field:
            self.show_error(field, "")

    @on(PersonPicker.Chosen)
    def _host_chosen(self, event: PersonPicker.Chosen) -> None:
        self.show_error("host", "")
        self.query_one("#field-minutes", Input).focus()

    def action_submit(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        problems = self.validate()
        if problems:
            for field, message in problems.items():
                self.show_error(field, message)
            self.query_one(f"#field-{next(iter(problems))}").focus()
            return
        self.register()

    def _idempotency_key(self, values: tuple[str, ...]) -> str:
        # The same form sent twice with the same values (a retry after a timeout) must not
        # register the guest twice; changed values are a different registration.
        digest = hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:16]
        return f"staffterm-walkin-{self._form_id}-{digest}"

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#walk-in-submit", Button).disabled = busy
        self.query_one("#walk-in-status", Static).update("Registering…" if busy else "")

    @work(exclusive=True, group="walk-in", exit_on_error=False, name="register-walk-in")
    async def register(self) -> None:
        name, email, company = self._value("name"), self._value("email"), self._value("company")
        host, minutes = self.host_email, int(self._value("minutes"))
        self._set_busy(True)
        try:
            guest = await self.app.session.reception.register_walk_in(
                name,
                email,
                host,
                organisation=company,
                zone_id=self.zone_id,
                minutes=minutes,
                idempotency_key=self._idempotency_key((name, email, company, host, str(minutes), self.zone_id)),
            )
        except _REFUSALS as exc:
            self._show_refusal(exc)
            return
        finally:
            self._set_busy(False)
        self.dismiss(guest)

    def _show_refusal(self, exc: Exception) -> None:
        field = _FIELD_FOR.get(getattr(exc, "field", None) or "", "form")
        if isinstance(exc, NotFoundError) and "host" in str(exc).lower():
            field = "host"
        message = str(exc)
        self.show_error(field, message[:1].upper() + message[1:])
        if field != "form":
            self.query_one(f"#field-{field}").focus()
