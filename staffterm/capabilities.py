"""What a backend can do. A backend declares its capabilities; the console and the CLI hide what
the configured backend cannot do instead of failing on click.

Stdlib only, so a screen can ask "can this tenant do X?" without importing a backend (the UI
never imports ``staffterm.backends``).
"""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    ZONES = "zones"
    ROOMS = "rooms"
    FREE_BUSY = "free_busy"
    EVENTS = "events"
    EVENT_WRITE = "event_write"
    EVENT_APPROVAL = "event_approval"
    BOOKINGS = "bookings"
    BOOKING_APPROVAL = "booking_approval"
    GUESTS = "guests"
    # Registering a visitor who is not on any list (a walk-in): not every provider keeps visitors.
    GUEST_REGISTRATION = "guest_registration"
    USERS = "users"
    GROUPS = "groups"
    MANAGER = "manager"
    CALENDARS = "calendars"
    MAIL = "mail"
    OUTBOX = "outbox"
