"""PlaceOS guests (visitors) behind the Backend contract.

A Guest's id names its visit so check-in can take the right route without another lookup:
``booking:<booking_id>:<email>`` -> ``POST /bookings/{id}/guests/{email}/check_in``;
``event:<system_id>:<event_id>:<email>`` -> ``POST /events/{id}/guests/{email}/check_in``.
A bare email (or PlaceOS's numeric guest id) is looked up with ``GET /guests/{id}``, which says
which booking or meeting the guest is attending today.

Registering a guest = the guest record (``POST /guests``, or ``PATCH`` when it exists) plus a
visitor booking (``booking_type "visitor"``, asset = the visitor's email, user = the host), the
convention PlaceOS's own front ends use; PlaceOS's VisitorMailer notifies the host from there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from staffterm.backends.coerce import as_model, require_text
from staffterm.backends.placeos.backend_bookings import BookingsMixin
from staffterm.backends.placeos.backend_core import gather_all
from staffterm.backends.placeos.convert import (
    booking_guest_id,
    event_guest_id,
    guest_from_wire,
    guest_to_wire,
    parse_guest_id,
    to_epoch,
)
from staffterm.errors import ConflictError, InvalidInputError, NotFoundError, StafftermError
from staffterm.models import Guest, GuestDraft, GuestPatch, Room
from staffterm.times import require_window

VISITOR_TYPE = "visitor"
# Keys of a /guests row that describe *today's* visit; dropped when a specific visit is read.
_VISIT_KEYS = ("booking", "event", "checked_in", "visit_expected")


def covering_zones(rooms: Iterable[Room]) -> list[str]:
    """Few zone ids whose rooms are all the rooms (usually just the organisation's zone):
    greedily the zone holding most of the rooms not yet covered."""
    uncovered = {room.id: set(room.zone_ids) for room in rooms if room.zone_ids}
    chosen: list[str] = []
    while uncovered:
        counts = Counter(zone for zones in uncovered.values() for zone in zones)
        best = min(counts, key=lambda zone: (-counts[zone], zone))
        chosen.append(best)
        uncovered = {room: zones for room, zones in uncovered.items() if best not in zones}
    return chosen


def _matches(guest: Guest, text: str) -> bool:
    return text in guest.name.lower() or text in guest.email or text in guest.organisation.lower()


class GuestsMixin(BookingsMixin):
    def _guest(self, row: Any, **visit: Any) -> Guest:
        return guest_from_wire(row, rooms_by_email=self._rooms_by_email, now=self.clock.now(), **visit)

    async def _guest_record(self, email: str) -> dict[str, Any]:
        """The guest's own record (name, phone …), or a bare one when PlaceOS has none."""
        try:
            row = await self.staff.guest_details(email)
        except NotFoundError:
            return {"email": email}
        if not isinstance(row, dict):
            return {"email": email}
        return {k: v for k, v in row.items() if k not in _VISIT_KEYS}

    # ----------------------------------------------------------------- reading

    async def query_guests(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        zone_id: str | None = None,
        query: str | None = None,
    ) -> list[Guest]:
        text = (query or "").strip().lower()
        await self.room_index()
        if start is None and end is None:
            rows = await self.staff.query_guests(q=text or None)
            guests = self.convert_rows(rows, self._guest, "guest")
        else:
            # PlaceOS wants both ends of the window; one given means the day from/until it.
            start = start if start is not None else end - timedelta(days=1)  # type: ignore[operator]
            end = end if end is not None else start + timedelta(days=1)
            start, end = require_window(start, end)
            rows = await self._expected_rows(start, end, zone_id)
            guests = [g for g in self.convert_rows(rows, self._guest, "guest") if g.visit_expected]
            guests = [
                g for g in guests
                if g.visit_start is None or g.visit_end is None or (g.visit_start < end and g.visit_end > start)
            ]
        if zone_id:
            # PlaceOS filters visitor bookings by zone; meeting guests come from every room.
            guests = [g for g in guests if not g.zone_ids or zone_id in g.zone_ids]
        if text:
            guests = [g for g in guests if _matches(g, text)]
        unique = {g.id: g for g in guests}
        now = self.clock.now()
        return sorted(unique.values(), key=lambda g: (g.visit_start or now, g.name.lower(), g.id))

    async def _expected_rows(self, start: datetime, end: datetime, zone_id: str | None) -> list[Any]:
        """Visitor bookings *and* meeting visitors of the window. Staff-api's guests index takes
        meeting guests only from the room calendars of ``zone_ids`` and filters bookings by the
        same zones (staff-api src/controllers/guests.cr, index). For one zone that is one call;
        for the whole site it is two at once: the zones covering every room (meetings) and no
        zone at all (every booking, wherever it was filed)."""
        if zone_id:
            return list(await self.staff.query_guests(period_start=start, period_end=end, zones=[zone_id]))
        rooms = await self.room_index()
        cover = covering_zones(rooms.values())
        if not cover:
            return list(await self.staff.query_guests(period_start=start, period_end=end))
        meetings, bookings = await gather_all(
            self.staff.query_guests(period_start=start, period_end=end, zones=cover),
            self.staff.query_guests(period_start=start, period_end=end),
        )
        return [*meetings, *bookings]

    async def get_guest(self, guest_id: str) -> Guest:
        key = require_text(guest_id, "guest_id")
        kind, parts = parse_guest_id(key)
        await self.room_index()
        try:
            if kind == "booking":
                booking = await self.staff.get_booking(parts["booking_id"])
                return self._guest(await self._guest_record(parts["email"]), booking=booking)
            if kind == "event":
                event = await self.staff.get_event(parts["event_id"], system_id=parts["system_id"] or None)
                return self._guest(await self._guest_record(parts["email"]), event=event)
            return self._guest(await self.staff.guest_details(parts["id"]))
        except NotFoundError:
            raise NotFoundError(f"no guest visit with id {key!r} in PlaceOS") from None

    # ----------------------------------------------------------------- writing

    async def _host_name(self, email: str) -> str:
        try:
            person = await self.staff.staff_details(email)
        except NotFoundError:
            raise InvalidInputError(
                f"no one called {email} is in the PlaceOS directory", field="host_email",
                hint="Pick the host from the people directory.",
            ) from None
        return str(person.get("name") or "") if isinstance(person, dict) else ""

    async def _save_guest_record(self, body: dict[str, Any], *, idempotency_key: str | None) -> dict[str, Any]:
        email = body["email"]
        try:
            return await self.staff.create_guest(body, idempotency_key=idempotency_key)
        except (ConflictError, InvalidInputError) as exc:
            # PlaceOS refuses a second record for the same email (unique per tenant): update it.
            if isinstance(exc, InvalidInputError) and exc.field not in (None, "email"):
                raise
            patch = {k: v for k, v in body.items() if k != "email"}
            return await self.staff.update_guest(email, patch) if patch else await self.staff.guest_details(email)

    async def create_guest(self, draft: GuestDraft, *, idempotency_key: str | None = None) -> Guest:
        draft = as_model(GuestDraft, draft, "guest")
        if idempotency_key:
            earlier = await self.booking_made_with(
                idempotency_key, VISITOR_TYPE, draft.visit_start, draft.visit_end, list(draft.zone_ids), draft.host_email
            )
            if earlier is not None:
                return await self.get_guest(booking_guest_id(earlier.id, draft.email))
        host_name = await self._host_name(draft.host_email)
        record = await self._save_guest_record(guest_to_wire(draft), idempotency_key=idempotency_key)
        attendee: dict[str, Any] = {"name": draft.name, "email": draft.email, "visit_expected": True}
        extension: dict[str, Any] = {**draft.extension_data, "asset_name": draft.name}
        for key in ("organisation", "phone"):
            value = getattr(draft, key)
            if value:
                attendee[key] = value
                extension[key] = value
        booking = await self.staff.create_booking(
            VISITOR_TYPE,
            asset_id=draft.email,
            asset_ids=[draft.email],
            asset_name=draft.name,  # PlaceOS's visitor convention: the asset is the visitor
            user_email=draft.host_email,
            user_name=host_name or None,
            zones=list(draft.zone_ids) or None,
            booking_start=to_epoch(draft.visit_start),
            booking_end=to_epoch(draft.visit_end),
            approved=True,
            title=f"Visitor: {draft.name}",
            description=draft.notes or None,
            extension_data=extension,
            attendees=[attendee],
            idempotency_key=idempotency_key,
        )
        row = {k: v for k, v in (record or {}).items() if k not in _VISIT_KEYS} or {"email": draft.email}
        row.setdefault("email", draft.email)
        return self._guest(row, booking=booking)

    async def update_guest(self, guest_id: str, patch: GuestPatch) -> Guest:
        patch = as_model(GuestPatch, patch, "guest change")
        current = await self.get_guest(guest_id)
        if patch.name is not None and not patch.name.strip():
            raise InvalidInputError("a guest needs a name", field="name")
        start = patch.visit_start or current.visit_start
        end = patch.visit_end or current.visit_end
        if start is not None and end is not None and end <= start:
            raise InvalidInputError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})", field="visit_end")
        moves = patch.visit_start is not None or patch.visit_end is not None or patch.host_email is not None
        if moves and current.booking_id is None:
            raise InvalidInputError(
                f"{current.name or current.email}'s visit belongs to a meeting; change the meeting's time or host instead",
                field="visit_start",
            )
        body = guest_to_wire(patch)
        if body:
            await self.staff.update_guest(current.email, body)
        if moves and current.booking_id is not None:
            change: dict[str, Any] = {}
            if patch.visit_start is not None or patch.visit_end is not None:
                change.update(booking_start=to_epoch(start), booking_end=to_epoch(end))  # type: ignore[arg-type]
            if patch.host_email is not None:
                host = patch.host_email.strip().lower()
                change["user_email"] = host  # PlaceOS names the new host from its directory
            await self.staff.update_booking(current.booking_id, **change)
        return await self.get_guest(current.id)

    async def _today_visit(self, key: str) -> str:
        """The visit id of a guest named by email or numeric id: the booking or meeting PlaceOS
        says they are attending today."""
        try:
            row = await self.staff.guest_details(key)
        except NotFoundError:
            raise NotFoundError(f"no guest {key!r} in PlaceOS") from None
        guest = self._guest(row)
        if guest.booking_id is None and guest.event_id is None:
            raise InvalidInputError(
                f"{guest.name or guest.email} is not expected today, so there is no visit to check in",
                hint="Register the visit first (a walk-in registration books it).",
            )
        return guest.id

    async def _check_out_visitor_booking(self, booking_id: str) -> None:
        """Checking a visitor out also checks out their visitor booking (as PlaceOS's kiosk does),
        so the booking's state and the visitor log show when they left. The visitor is out
        already: anything failing here is a warning."""
        try:
            booking = await self.staff.get_booking(booking_id)
            if not isinstance(booking, dict) or booking.get("booking_type") != VISITOR_TYPE or not booking.get("checked_in"):
                return
            await self.staff.booking_check_in(booking_id, state=False)
        except StafftermError as exc:
            self.warn(f"the visitor was checked out, but their booking {booking_id} was not: {exc.message}")

    async def check_in_guest(self, guest_id: str, *, state: bool = True) -> Guest:
        """Write first, then read the visit back. A check-in/out PlaceOS accepted is done: a
        failing read-back is a warning and the guest comes from the write's own reply."""
        key = require_text(guest_id, "guest_id")
        kind, parts = parse_guest_id(key)
        if kind == "guest":
            key = await self._today_visit(parts["id"])
            kind, parts = parse_guest_id(key)
        try:
            if kind == "booking":
                reply = await self.staff.booking_guest_check_in(parts["booking_id"], parts["email"], state=bool(state))
                visit = booking_guest_id(parts["booking_id"], parts["email"])
            else:
                reply = await self.staff.event_guest_check_in(
                    parts["event_id"], parts["email"], system_id=parts["system_id"] or None, state=bool(state)
                )
                visit = event_guest_id(parts["system_id"], parts["event_id"], parts["email"])
        except NotFoundError:
            raise NotFoundError(
                f"no guest visit with id {key!r} in PlaceOS (the visit may have been cancelled)"
            ) from None
        if kind == "booking" and not state:
            await self._check_out_visitor_booking(parts["booking_id"])
        try:
            return await self.get_guest(visit)
        except StafftermError as exc:
            done = "checked in" if state else "checked out"
            self.warn(f"{parts['email']} was {done}, but reading the visit back failed: {exc.message}")
            return self._guest_from_reply(reply, visit, parts["email"], bool(state))

    def _guest_from_reply(self, reply: Any, visit: str, email: str, state: bool) -> Guest:
        """The guest as the check-in reply describes it (staff-api returns the Guest with its
        booking or meeting), under the visit id the caller used."""
        try:
            guest = self._guest(reply if isinstance(reply, dict) and reply.get("email") else {"email": email})
        except StafftermError:
            guest = self._guest({"email": email})
        return guest.model_copy(update={"id": visit, "checked_in": state})
