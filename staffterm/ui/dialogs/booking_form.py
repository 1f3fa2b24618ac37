"""`c` on the bookings screen: book a desk, bay, locker, visitor or room for someone.

The asset is picked from the building's known assets of that type where the backend lists them
(each labelled with who already holds it that day), else typed. Times are HH:MM on the day in
view, in the building's zone. A clash or a limit is shown under the form with the bookings in the
way; nothing is created and every field keeps its value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Select, Static

from staffterm.errors import InvalidInputError, NotSupportedError
from staffterm.models import Booking, BookingQuery
from staffterm.services.zones import local_day_window
from staffterm.ui.clock_input import on_day, parse_clock
from staffterm.ui.dialogs.base import FormModal
from staffterm.ui.screens.bookings.rows import BOOKING_TYPES, who_label
from staffterm.ui.widgets.clash_list import ClashList, clock_span
from staffterm.ui.widgets.person_picker import PersonPicker

#: Booking types whose assets the local site lists (desks, bays, lockers).
LISTED_ASSET_TYPES = ("desk", "parking", "locker")






@dataclass(frozen=True)
class BookingRequest:
    type: str
    asset_id: str
    user_email: str
    user_name: str
    start: datetime
    end: datetime
    title: str


class BookingFormModal(FormModal):
    """Dismisses with the created ``Booking``, or None when cancelled."""
    SUBMIT_BUTTON = "form-submit"
    CANCEL_BUTTON = "form-cancel"

    DEFAULT_CSS = """
    #booking-form {
        width: 84;
        overflow-y: auto;
    }
    #booking-form .form-label {
        width: 8;
        padding-top: 0;
    }
    #booking-form #form-start, #booking-form #form-end {
        width: 10;
    }
    #form-asset-text {
        display: none;
    }
    #booking-form.-typed-asset #form-asset-text {
        display: block;
    }
    #booking-form.-typed-asset #form-asset {
        display: none;
    }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Book", id="booking-form-submit", priority=True),
        Binding("escape", "cancel", "Cancel", id="booking-form-cancel"),
    ]

    def __init__(self, *, day: date, building_id: str | None, tz: tzinfo, booking_type: str = "desk") -> None:
        super().__init__()
        self.day = day
        self.building_id = building_id
        self.tz = tz
        self.initial_type = booking_type if booking_type in BOOKING_TYPES else "desk"
        # One key per form: a retried submit never books twice.
        self.idempotency_key = f"staffterm-form-{uuid.uuid4().hex}"

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        building = self.app.catalog.zone(self.building_id) if self.app.catalog is not None else None
        start, end = self._default_times()
        with Vertical(id="booking-form", classes="dialog-box"):
            yield Static(
                Text.assemble(("New booking", "bold"), f" · {self.day:%a %d %b}", f" · {building.name}" if building else ""),
                id="form-title",
            )
            with Horizontal(classes="form-row"):
                yield Label("Type", classes="form-label")
                yield Select([(t.capitalize(), t) for t in BOOKING_TYPES], value=self.initial_type,
                             allow_blank=False, compact=True, id="form-type")
            with Horizontal(classes="form-row"):
                yield Label("Asset", classes="form-label")
                yield Select([], prompt="Loading…", compact=True, id="form-asset")
                yield Input(placeholder="asset id", compact=True, id="form-asset-text")
            with Horizontal(classes="form-row"):
                yield Label("For", classes="form-label")
                yield PersonPicker(placeholder="who it is for: name or email", id="form-person")
            with Horizontal(classes="form-row"):
                yield Label("From", classes="form-label")
                yield Input(value=start, placeholder="HH:MM", compact=True, id="form-start")
                yield Label("to", classes="form-to")
                yield Input(value=end, placeholder="HH:MM", compact=True, id="form-end")
            with Horizontal(classes="form-row"):
                yield Label("Title", classes="form-label")
                yield Input(placeholder="optional", compact=True, id="form-title-input")
            yield ClashList(id="form-problem")
            with Horizontal(id="form-buttons", classes="dialog-buttons"):
                yield Button("Book (ctrl+s)", variant="primary", compact=True, id="form-submit")
                yield Button("Cancel (esc)", compact=True, id="form-cancel")
        yield Footer()

    def _default_times(self) -> tuple[str, str]:
        now = self.app.now().astimezone(self.tz)
        if self.day == now.date():
            minutes = now.hour * 60 + now.minute
            start = min(((minutes + 14) // 15) * 15, 23 * 60)
        else:
            start = 9 * 60
        whole_day = self.initial_type in LISTED_ASSET_TYPES and start < 17 * 60
        end = 17 * 60 + 30 if whole_day else min(start + 60, 24 * 60)
        return f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"

    def on_mount(self) -> None:
        self._load_assets(self.initial_type)
        self.query_one("#form-type", Select).focus()

    # ----------------------------------------------------------------- assets

    @on(Select.Changed, "#form-type")
    def _type_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._load_assets(event.value)

    @work(exclusive=True, group="booking-form-assets", exit_on_error=False, name="load-assets")
    async def _load_assets(self, kind: str) -> None:
        session = self.app.session
        form = self.query_one("#booking-form")
        choices: list[tuple[str, str]] | None = None
        if kind == "room" and self.app.catalog is not None and self.building_id:
            rooms = [r for r in self.app.catalog.rooms_in(self.building_id) if r.bookable]
            choices = [(f"{r.name} ({r.capacity} seats)", r.id) for r in sorted(rooms, key=lambda r: r.name)]
        elif kind in LISTED_ASSET_TYPES:
            # None: no list of this type this account may read, so the id is typed.
            assets = await session.bookings.assets(type=kind, zone_id=self.building_id)
            if assets is not None:
                choices = [(a.name, a.id) for a in assets]
        if choices is None:
            form.add_class("-typed-asset")
            field = self.query_one("#form-asset-text", Input)
            field.placeholder = "the visitor's email" if kind == "visitor" else f"{kind} id"
            return
        held = await self._held(kind)
        labelled = []
        for name, asset_id in choices:
            holders = held.get(asset_id, [])
            if holders:
                spans = ", ".join(f"{clock_span(b.start, b.end, self.tz)} {who_label(b)}" for b in holders)
                labelled.append((f"{name} — booked {spans}", asset_id))
            else:
                labelled.append((f"{name} — free all day", asset_id))
        form.remove_class("-typed-asset")
        select = self.query_one("#form-asset", Select)
        select.prompt = f"Pick a {kind}" if labelled else f"No {kind}s in this building"
        select.set_options(labelled)

    async def _held(self, kind: str) -> dict[str, list[Booking]]:
        """Who already holds each asset of this type on the day (a courtesy; failures are quiet)."""
        start, end = local_day_window(self.day, self.tz)
        query = BookingQuery(start=start, end=end, type=kind, zone_ids=[self.building_id] if self.building_id else [])
        try:
            bookings = await self.app.session.bookings.query(query)
        except NotSupportedError:
            return {}
        held: dict[str, list[Booking]] = {}
        for b in bookings:
            if b.rejected or b.deleted or b.checked_out_at is not None:
                continue
            for asset_id in b.asset_ids:
                held.setdefault(asset_id, []).append(b)
        return held

    # ----------------------------------------------------------------- submit

    @on(PersonPicker.Chosen)
    def _person_chosen(self, event: PersonPicker.Chosen) -> None:
        if event.picker.id == "form-person":
            self.query_one("#form-start", Input).focus()

    @on(Input.Submitted, "#form-start, #form-end, #form-title-input, #form-asset-text")
    def _enter_pressed(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        problem = self.query_one("#form-problem", ClashList)
        try:
            request = self.read_request()
        except InvalidInputError as exc:
            problem.show_error(exc, self.tz)
            self._focus_field(exc.field)
            return
        problem.clear()
        self._create(request)

    def read_request(self) -> BookingRequest:
        """The form's values, checked; raises ``InvalidInputError`` naming the field."""
        kind = self.query_one("#form-type", Select).value
        if not isinstance(kind, str):
            raise InvalidInputError("pick a booking type", field="type")
        if self.query_one("#booking-form").has_class("-typed-asset"):
            asset_id = self.query_one("#form-asset-text", Input).value.strip()
        else:
            chosen: Any = self.query_one("#form-asset", Select).value
            asset_id = chosen if isinstance(chosen, str) else ""
        if not asset_id:
            what = "the visitor's email" if kind == "visitor" else f"a {kind}"
            raise InvalidInputError(f"pick {what} to book", field="asset")
        picker = self.query_one("#form-person", PersonPicker)
        email = picker.email
        if not email:
            raise InvalidInputError("pick who the booking is for (type a name, then Enter), or type their email", field="user")
        start_clock = parse_clock(self.query_one("#form-start", Input).value, "start", "the start")
        if start_clock is None:
            raise InvalidInputError("the start must be before 24:00", field="start")
        end_clock = parse_clock(self.query_one("#form-end", Input).value, "end", "the end")
        start, end = on_day(self.day, start_clock, self.tz), on_day(self.day, end_clock, self.tz)
        if end <= start:
            raise InvalidInputError(f"the end ({end:%H:%M}) must be after the start ({start:%H:%M})", field="end")
        user_name = picker.user.name if picker.user is not None else ""
        title = self.query_one("#form-title-input", Input).value.strip()
        return BookingRequest(kind, asset_id, email, user_name, start, end, title)

    def _focus_field(self, field: str | None) -> None:
        targets = {
            "type": "#form-type",
            "asset": "#form-asset-text" if self.query_one("#booking-form").has_class("-typed-asset") else "#form-asset",
            "asset_id": "#form-asset-text" if self.query_one("#booking-form").has_class("-typed-asset") else "#form-asset",
            "user": "#form-person",
            "user_email": "#form-person",
            "start": "#form-start",
            "end": "#form-end",
        }
        selector = targets.get(field or "")
        if selector:
            self.query_one(selector).focus()

    @work(exclusive=True, group="booking-form-submit", exit_on_error=False, name="create-booking")
    async def _create(self, request: BookingRequest) -> None:
        session = self.app.session
        # Desks, bays, lockers and rooms carry their own zones; a visitor (or a free-text type)
        # is filed under the building.
        listed = request.type in (*LISTED_ASSET_TYPES, "room") and not self.query_one("#booking-form").has_class("-typed-asset")
        zones = None if listed or not self.building_id else [self.building_id]
        try:
            booking = await session.booking.create_booking(
                request.type,
                request.asset_id,
                request.user_email,
                request.start,
                request.end,
                title=request.title,
                user_name=request.user_name,
                zones=zones,
                idempotency_key=self.idempotency_key,
            )
        except Exception as exc:
            # Shown here with whatever is in the way; the app's toast says it too. The form
            # keeps every value so the operator can change one thing and try again.
            self.query_one("#form-problem", ClashList).show_error(exc, self.tz, reference=request.start)
            if isinstance(exc, InvalidInputError):
                self._focus_field(exc.field)
            raise
        self.dismiss(booking)
