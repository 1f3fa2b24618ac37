"""The fake's data store: one tenant's zones, rooms, people, calendar events, bookings and guests.

Records are kept as plain dicts in (close to) their wire shape so that tests can assert on them
directly (``fake.state.bookings[12]["checked_in"]``); computed output fields (a booking's
``current_state``, an event's merged metadata) are added by the render functions, not stored.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any, NamedTuple

TENANT_ID = 1
DEFAULT_TIMEZONE = "Australia/Sydney"  # STAFF_TIME_ZONE's code default in staff-api


class Signal(NamedTuple):
    """What staff-api would publish through the engine's POST /signal (Redis placeos/<channel>)."""

    channel: str
    payload: Any


@dataclass
class TokenRecord:
    user_id: str
    expires_at: int
    scope: tuple[str, ...]
    client_id: str


@dataclass
class FakeState:
    zones: dict[str, dict[str, Any]] = field(default_factory=dict)
    systems: dict[str, dict[str, Any]] = field(default_factory=dict)
    metadata: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # parent id -> name -> entry
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # engine users by id
    passwords: dict[str, str] = field(default_factory=dict)  # lower-cased email -> password
    api_keys: dict[str, str] = field(default_factory=dict)  # key -> user id
    managers: dict[str, str] = field(default_factory=dict)  # email -> manager's email
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_members: dict[str, list[str]] = field(default_factory=dict)  # group id -> member emails
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    event_metadata: dict[tuple[str, str | None], dict[str, Any]] = field(default_factory=dict)  # (event, system)
    bookings: dict[int, dict[str, Any]] = field(default_factory=dict)
    # One recurring booking's occurrence edits, by (booking id, occurrence start): PlaceOS's BookingInstance rows.
    booking_instances: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    guests: dict[int, dict[str, Any]] = field(default_factory=dict)
    attendees: list[dict[str, Any]] = field(default_factory=list)  # guest <-> booking/event join rows
    signals: list[Signal] = field(default_factory=list)
    double_bookings: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (system, event, clashes)
    access_tokens: dict[str, TokenRecord] = field(default_factory=dict)
    refresh_tokens: dict[str, TokenRecord] = field(default_factory=dict)
    _counters: dict[str, itertools.count] = field(default_factory=dict, repr=False)

    # -- ids -------------------------------------------------------------------------------------
    def next_id(self, kind: str, start: int = 1) -> int:
        counter = self._counters.setdefault(kind, itertools.count(start))
        return next(counter)

    def new_event_id(self) -> str:
        return f"evt-{self.next_id('event'):04d}"

    # -- look-ups ---------------------------------------------------------------------------------
    def user_by_email(self, email: str | None, *, include_deleted: bool = False) -> dict[str, Any] | None:
        if not email:
            return None
        wanted = email.strip().lower()
        for user in self.users.values():
            if user["email"].lower() == wanted and (include_deleted or not user.get("deleted")):
                return user
        return None

    def system_by_email(self, email: str | None) -> dict[str, Any] | None:
        if not email:
            return None
        wanted = email.lower()
        for system in self.systems.values():
            if (system.get("email") or "").lower() == wanted:
                return system
        return None

    def guest_by_ref(self, ref: str) -> dict[str, Any] | None:
        """Guests are addressed by numeric id or by email, like staff-api."""
        ref = ref.strip()
        if ref.isdigit():
            return self.guests.get(int(ref))
        wanted = ref.lower()
        for guest in self.guests.values():
            if guest["email"] == wanted:
                return guest
        return None

    def child_zones(self, zone_id: str) -> list[dict[str, Any]]:
        return [z for z in self.zones.values() if z.get("parent_id") == zone_id]

    def is_known_parent(self, parent_id: str) -> bool:
        return parent_id in self.zones or parent_id in self.systems or parent_id in self.users

    def attendee_rows(self, *, booking_id: int | None = None, event_id: str | None = None) -> list[dict[str, Any]]:
        if booking_id is not None:
            return [a for a in self.attendees if a.get("booking_id") == booking_id]
        return [a for a in self.attendees if a.get("event_ref") == event_id]

    def signal(self, channel: str, payload: Any) -> None:
        self.signals.append(Signal(channel, payload))

    def signals_on(self, channel: str) -> list[Any]:
        return [s.payload for s in self.signals if s.channel == channel]


def directory_id(email: str) -> str:
    """Directory (Graph-like) object ids differ from engine user ids, as they do in real tenants."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"directory:{email.lower()}"))


def person_from_user(user: dict[str, Any]) -> dict[str, Any]:
    """The Staff API ``User`` shape (directory entry) for an engine user."""
    return {
        "id": directory_id(user["email"]),
        "name": user["name"],
        "email": user["email"],
        "phone": user.get("phone") or None,
        "department": user.get("department") or None,
        "title": user.get("title") or None,
        "photo": None,
        "username": user["email"],
        "office_location": user.get("building_name") or None,
        "suspended": bool(user.get("deleted")),
        "unmapped": None,
    }


def upsert_guest(state: FakeState, attendee: dict[str, Any], now: int) -> dict[str, Any]:
    """Find or create the Guest record for an attendee (email is lower-cased and unique per tenant)."""
    email = str(attendee.get("email") or "").strip().lower()
    guest = state.guest_by_ref(email) if email else None
    if guest is None:
        guest = new_guest(state, {**attendee, "email": email}, now)
    else:
        if attendee.get("name") and attendee["name"] != guest.get("name"):
            guest["name"] = attendee["name"]
        if isinstance(attendee.get("extension_data"), dict):
            guest["extension_data"] = {**guest.get("extension_data", {}), **attendee["extension_data"]}
        guest["updated_at"] = now
    return guest


GUEST_FIELDS = ("name", "preferred_name", "phone", "organisation", "notes", "photo")


def new_guest(state: FakeState, data: dict[str, Any], now: int) -> dict[str, Any]:
    guest_id = state.next_id("guest", 100)
    guest = {
        "id": guest_id,
        "tenant_id": TENANT_ID,
        "email": str(data["email"]).strip().lower(),
        **{key: data.get(key) for key in GUEST_FIELDS},
        "banned": bool(data.get("banned", False)),
        "dangerous": bool(data.get("dangerous", False)),
        "searchable": data.get("searchable", True) is not False,
        "extension_data": dict(data.get("extension_data") or {}),
        "created_at": now,
        "updated_at": now,
    }
    state.guests[guest_id] = guest
    return guest


def add_attendee_row(state: FakeState, guest: dict[str, Any], *, booking_id: int | None = None,
                     event_ref: str | None = None, system_id: str | None = None,
                     visit_expected: bool = True, checked_in: bool = False) -> dict[str, Any]:
    row = {
        "id": state.next_id("attendee", 500),
        "tenant_id": TENANT_ID,
        "guest_id": guest["id"],
        "booking_id": booking_id,
        "event_ref": event_ref,  # our calendar event id (staff-api joins through EventMetadata)
        "system_id": system_id,
        "checked_in": checked_in,
        "visit_expected": visit_expected,
    }
    state.attendees.append(row)
    return row
