"""Visitors on Microsoft 365, which keeps no visitor records: a visitor is an external attendee
of a meeting in one of the building's rooms.

External: an attendee who is not a room, not the organiser, and not in the tenant's directory.
Addresses in a domain of the tenant's room mailboxes are colleagues without a lookup; any other
address is looked up once (``GET /users/{address}``, user-get.md) and is a visitor when the
directory does not know it — so a colleague in a second verified domain is not taken for a
guest, and a B2B guest account (in the directory) is not a visitor either.

A visit is named ``event:<room mailbox>:<room's event id>:<visitor email>`` (backends/guest_ids.py),
read from the room's copy of the meeting, where its check-in is kept: an open extension on that
copy, the same one the room panel writes (see event_data), with one entry per visitor in
``guest_visits`` (an array of strings, as open extensions keep only primitives and arrays of them:
opentypeextension-post-opentypeextension.md).

Registering a visitor (a walk-in) has no Graph counterpart short of inventing a meeting, so this
backend does not declare ``GUEST_REGISTRATION`` and the kiosk hides walk-in registration.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

from staffterm.backends.coerce import as_model, require_text
from staffterm.backends.graph.backend_directory import DirectoryMixin
from staffterm.backends.graph.convert import parse_dtz
from staffterm.backends.graph.event_data import EXTENSION_NAME, change_data, data_from_wire
from staffterm.backends.graph.meeting_copies import calendar_view, event_path, organiser_of, read_raw
from staffterm.backends.guest_ids import event_guest_id, parse_guest_id
from staffterm.errors import InvalidInputError, NotFoundError, StafftermError
from staffterm.models import Guest, GuestPatch, Room
from staffterm.times import require_window

VISITS_KEY = "guest_visits"
DIRECTORY_TTL = 600.0  # seconds an address's directory answer is trusted


def _visits(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The visitor entries of an event's data, by email; a garbled entry is skipped."""
    out: dict[str, dict[str, Any]] = {}
    for text in data.get(VISITS_KEY) or []:
        try:
            entry = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            entry = None
        if isinstance(entry, dict) and isinstance(entry.get("email"), str):
            out[entry["email"].lower()] = entry
    return out


def _stamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _address(item: Any) -> tuple[str, str]:
    email = item.get("emailAddress") if isinstance(item, dict) else None
    if not isinstance(email, dict):
        return "", ""
    return str(email.get("address") or "").strip().lower(), str(email.get("name") or "").strip()


class GuestsMixin(DirectoryMixin):
    _directory_answers: dict[str, tuple[bool, float]]

    async def _in_directory(self, email: str) -> bool:
        cache = self.__dict__.setdefault("_directory_answers", {})
        known = cache.get(email)
        if known is not None and time.monotonic() - known[1] < DIRECTORY_TTL:
            return known[0]
        try:
            await self.get_user(email)
            found = True
        except NotFoundError:
            found = False
        cache[email] = (found, time.monotonic())
        return found

    async def _visitors_of(self, raw: dict[str, Any], rooms: dict[str, Room]) -> list[tuple[str, str]]:
        """(email, name) of the meeting's external attendees."""
        host = organiser_of(raw)
        home = {email.rpartition("@")[2] for email in rooms}
        out: list[tuple[str, str]] = []
        for item in raw.get("attendees") or []:
            email, name = _address(item)
            kind = str(item.get("type") or "").lower() if isinstance(item, dict) else ""
            if not email or email == host or email in rooms or kind == "resource":
                continue
            if email.rpartition("@")[2] in home or await self._in_directory(email):
                continue
            out.append((email, name))
        return out

    def _visit(self, raw: dict[str, Any], room: Room, email: str, name: str) -> Guest:
        host, host_name = _address(raw.get("organizer"))
        entry = _visits(data_from_wire(raw)).get(email, {})
        checked_in_at, checked_out_at = _stamp(entry.get("in")), _stamp(entry.get("out"))
        extra = entry.get("data") if isinstance(entry.get("data"), dict) else {}
        return Guest(
            id=event_guest_id(room.email, str(raw["id"]), email), email=email, name=name or email,
            host_email=host, host_name=host_name, visit_start=parse_dtz(raw.get("start"), "start"),
            visit_end=parse_dtz(raw.get("end"), "end"), zone_ids=list(room.zone_ids),
            checked_in=checked_in_at is not None and checked_out_at is None,
            checked_in_at=checked_in_at, checked_out_at=checked_out_at,
            visit_expected=not raw.get("isCancelled"), event_id=str(raw["id"]), event_calendar=room.email,
            extension_data={**extra, "room_id": room.email},
        )

    # ----------------------------------------------------------------- reading

    async def query_guests(self, *, start: datetime | None = None, end: datetime | None = None,
                           zone_id: str | None = None, query: str | None = None) -> list[Guest]:
        import asyncio

        now = self.clock.now()
        if start is None and end is None:
            start, end = now - timedelta(hours=12), now + timedelta(hours=12)
        start = start if start is not None else end - timedelta(days=1)  # type: ignore[operator]
        end = end if end is not None else start + timedelta(days=1)
        start, end = require_window(start, end)
        rooms = await self.list_rooms(zone_id=zone_id)
        _, every_room = await self.estate()
        views = await asyncio.gather(*(calendar_view(self, room.email, start, end) for room in rooms))
        guests: list[Guest] = []
        for room, rows in zip(rooms, views, strict=True):
            for raw in rows:
                if not isinstance(raw, dict) or not raw.get("id") or raw.get("isCancelled"):
                    continue
                try:
                    for visitor, name in await self._visitors_of(raw, every_room):
                        guests.append(self._visit(raw, room, visitor, name))
                except (StafftermError, ValueError) as exc:
                    self.warn(f"a meeting in {room.name} could not be read for visitors: {exc}")
        text = (query or "").strip().lower()
        if text:
            guests = [g for g in guests if text in g.name.lower() or text in g.email or text in g.organisation.lower()]
        return sorted(guests, key=lambda g: (g.visit_start or now, g.name.lower(), g.id))

    async def _read_visit(self, guest_id: Any) -> tuple[Room, dict[str, Any], str, str]:
        """(room, the room's copy of the meeting, visitor email, name) of a visit id; a bare email
        is the visitor's visit today (the first one not yet over)."""
        key = require_text(guest_id, "guest_id")
        kind, parts = parse_guest_id(key)
        if kind != "event":
            found = [g for g in await self.query_guests(query=key.lower()) if g.email == key.lower()]
            waiting = [g for g in found if g.checked_out_at is None] or found
            if not waiting:
                raise NotFoundError(f"no visit by {key!r} today in Microsoft 365",
                                    hint="A visitor is an attendee from outside of a meeting in one of the rooms.")
            kind, parts = parse_guest_id(waiting[0].id)
        room = await self.find_room(parts["system_id"])
        if room is None:
            raise NotFoundError(f"no guest visit with id {key!r}: {parts['system_id']} is not a room")
        try:
            raw = await read_raw(self, room.email, parts["event_id"])
        except NotFoundError:
            raise NotFoundError(f"no guest visit with id {key!r} (the meeting may have been cancelled)") from None
        _, every_room = await self.estate()
        visitor = next(((e, n) for e, n in await self._visitors_of(raw, every_room) if e == parts["email"]), None)
        if visitor is None:
            raise NotFoundError(f"{parts['email']} is not a visitor of that meeting (any more)")
        return room, raw, visitor[0], visitor[1]

    async def get_guest(self, guest_id: str) -> Guest:
        room, raw, email, name = await self._read_visit(guest_id)
        return self._visit(raw, room, email, name)

    # ----------------------------------------------------------------- writing

    async def _write_visit(self, guest_id: str, **change: Any) -> Guest:
        """Change the visitor's entry in the meeting's data; ``data`` merges into its extras."""
        room, raw, email, name = await self._read_visit(guest_id)

        def apply(current: dict[str, Any]) -> dict[str, Any]:
            visits = _visits(current)
            entry = dict(visits.get(email) or {"email": email})
            extra = dict(entry.get("data") or {})
            extra.update(change.pop("data", None) or {})
            entry.update(change)
            if extra:
                entry["data"] = extra
            visits[email] = entry
            return {**current, VISITS_KEY: [json.dumps(v, sort_keys=True) for v in visits.values()]}

        new = await change_data(self, event_path(room.email, str(raw["id"])), apply)
        raw = {**raw, "extensions": [{"extensionName": EXTENSION_NAME, **new}]}
        return self._visit(raw, room, email, name)

    async def check_in_guest(self, guest_id: str, *, state: bool = True) -> Guest:
        """Kept on the room's copy of the meeting; the host is told by the reception service
        (Microsoft 365 itself tells nobody)."""
        now = self.clock.now().isoformat()
        if state:
            return await self._write_visit(guest_id, **{"in": now, "out": None})
        current = await self.get_guest(guest_id)
        if current.checked_in_at is None:
            raise InvalidInputError(f"{current.name or current.email} has not checked in, so cannot check out")
        return await self._write_visit(current.id, out=now)

    async def update_guest(self, guest_id: str, patch: GuestPatch) -> Guest:
        """Only staffterm's own notes on a visit (who checked them in, the notice they accepted)
        can change: the rest is the meeting's, changed in the meeting."""
        patch = as_model(GuestPatch, patch, "guest change")
        others = [name for name in type(patch).model_fields if name != "extension_data" and getattr(patch, name) is not None]
        if others:
            raise InvalidInputError("on Microsoft 365 a visit is a meeting invitation: change the meeting "
                                    f"instead ({', '.join(others)})", field=others[0])
        if not patch.extension_data:
            return await self.get_guest(guest_id)
        return await self._write_visit(guest_id, data=dict(patch.extension_data))
