"""The async contract every calendar backend implements.

A backend declares the capabilities it has; the console hides what a backend cannot do instead
of failing on click, and calling an operation a backend lacks raises ``NotSupportedError``.

Conventions every implementation follows:

* All datetimes in and out are timezone-aware.
* Writes accept an ``idempotency_key``: a retried create with the same key returns the item
  the first call made instead of making a second one.
* Errors are raised as ``staffterm.errors`` classes, never provider exceptions.
* ``calendar_id`` is a mailbox address (a room's ``email`` or a person's email) or a
  provider calendar id; a room's ``id`` is accepted wherever a room calendar is meant.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from staffterm.capabilities import Capability
from staffterm.errors import NotSupportedError
from staffterm.models import (
    Asset,
    Booking,
    BookingDraft,
    BookingPatch,
    BookingQuery,
    Calendar,
    Event,
    EventDraft,
    EventPatch,
    Group,
    Guest,
    GuestDraft,
    GuestPatch,
    MailMessage,
    Room,
    RoomAvailability,
    User,
    Zone,
)


@dataclass(frozen=True)
class CheckStep:
    """One step of trying a tenant (``staffterm config check``): what it proves, and whether the
    console needs it. A step the console can do without (``needed=False``) that fails leaves
    the tenant usable; ``without`` says what the operator loses then."""

    what: str
    run: Callable[[], Awaitable[list[str]]]
    needed: bool = True
    without: str = ""


class Backend(abc.ABC):  # noqa: B024  (no abstract method: a backend overrides what it supports)
    """Base class: every method raises ``NotSupportedError`` unless a backend overrides it."""

    provider: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: The provider tells a visitor's host itself when the visitor is checked in (PlaceOS's
    #: VisitorMailer reacts to the check-in signal), so staffterm must not mail them a second time.
    notifies_host_on_check_in: ClassVar[bool] = False
    #: How a room panel frees a room nobody checked in to: ``"cancel"`` the meeting, or have the
    #: room ``"decline"`` it, which frees the room and tells the organiser while the meeting stays
    #: for its people (Microsoft 365's own auto-release declines on the room's behalf).
    room_release: ClassVar[str] = "cancel"

    def __init__(self, tenant_name: str = "", settings: Any = None) -> None:
        self.tenant_name = tenant_name
        self.settings = settings
        #: Where partial results are reported (PlaceOS 206: some calendars could not be read);
        #: the console shows them as notifications, the CLI on stderr.
        self.warning_sink: Callable[[str], None] | None = None

    def warn(self, message: str) -> None:
        """Report a result that is usable but incomplete, without failing the call."""
        logging.getLogger(f"staffterm.backends.{self.provider or 'backend'}").warning("%s", message)
        if self.warning_sink is not None:
            self.warning_sink(message)

    # ----------------------------------------------------------------- lifecycle

    async def open(self) -> None:  # noqa: B027  (nothing to open unless a backend says so)
        """Acquire connections/clients. Called once before first use; safe to call twice."""

    async def close(self) -> None:  # noqa: B027
        """Release connections/clients."""

    async def __aenter__(self) -> Backend:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def request_stats(self) -> tuple[int, int]:
        """(queued, in flight) requests, shown in the console's header; remote backends report
        their HTTP queue."""
        return (0, 0)

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def _unsupported(self, capability: Capability, what: str) -> NotSupportedError:
        name = self.provider or type(self).__name__
        return NotSupportedError(
            f"{what} is not available on the {name} backend", capability=capability.value, hint=""
        )

    def check_steps(self) -> list[CheckStep]:
        """The check as separate steps, in order, for a report of what works and what is
        missing. By default one needed step: ``check()``."""
        return [CheckStep(f"the {self.provider or 'backend'} site", self.check)]

    async def check(self) -> list[str]:
        """Try the tenant's settings the way the seed's "Test configuration" does.

        Returns human-readable lines of what worked; raises a ``StafftermError`` on failure.
        """
        zones = await self.list_zones()
        return [f"reached the {self.provider} backend: {len(zones)} zones"]

    # ----------------------------------------------------------------- zones and rooms

    async def list_zones(
        self, *, parent_id: str | None = None, kind: str | None = None, tags: Sequence[str] = (), query: str | None = None
    ) -> list[Zone]:
        raise self._unsupported(Capability.ZONES, "Listing zones")

    async def get_zone(self, zone_id: str) -> Zone:
        raise self._unsupported(Capability.ZONES, "Reading a zone")

    async def list_rooms(
        self,
        *,
        zone_id: str | None = None,
        capacity: int | None = None,
        features: Sequence[str] = (),
        bookable: bool | None = None,
        query: str | None = None,
    ) -> list[Room]:
        raise self._unsupported(Capability.ROOMS, "Listing rooms")

    async def get_room(self, room_id: str) -> Room:
        raise self._unsupported(Capability.ROOMS, "Reading a room")

    async def list_assets(self, *, type: str | None = None, zone_id: str | None = None) -> list[Asset]:
        """Desks, parking spaces, lockers: the bookable things that are not rooms."""
        raise self._unsupported(Capability.BOOKINGS, "Listing desks and other assets")

    async def free_busy(
        self,
        start: datetime,
        end: datetime,
        *,
        room_ids: Sequence[str] = (),
        zone_id: str | None = None,
    ) -> list[RoomAvailability]:
        """Busy blocks for the given rooms, or every room in ``zone_id`` (one call per zone
        where the provider allows it)."""
        raise self._unsupported(Capability.FREE_BUSY, "Free/busy")

    # ----------------------------------------------------------------- events

    async def list_events(
        self, calendar_id: str, start: datetime, end: datetime, *, include_cancelled: bool = False
    ) -> list[Event]:
        raise self._unsupported(Capability.EVENTS, "Listing events")

    async def get_event(self, calendar_id: str, event_id: str) -> Event:
        raise self._unsupported(Capability.EVENTS, "Reading an event")

    async def create_event(
        self, calendar_id: str, draft: EventDraft, *, idempotency_key: str | None = None
    ) -> Event:
        raise self._unsupported(Capability.EVENT_WRITE, "Creating events")

    async def update_event(
        self, calendar_id: str, event_id: str, patch: EventPatch, *, notify: bool = True
    ) -> Event:
        raise self._unsupported(Capability.EVENT_WRITE, "Changing events")

    async def delete_event(
        self, calendar_id: str, event_id: str, *, notify: bool = True, comment: str | None = None
    ) -> None:
        raise self._unsupported(Capability.EVENT_WRITE, "Cancelling events")

    async def decline_event(
        self, calendar_id: str, event_id: str, *, notify: bool = True, comment: str | None = None
    ) -> None:
        raise self._unsupported(Capability.EVENT_WRITE, "Declining events")

    async def approve_event(self, room_id: str, event_id: str) -> Event:
        raise self._unsupported(Capability.EVENT_APPROVAL, "Approving room events")

    async def reject_event(self, room_id: str, event_id: str) -> Event:
        raise self._unsupported(Capability.EVENT_APPROVAL, "Rejecting room events")

    # ----------------------------------------------------------------- bookings

    async def query_bookings(self, query: BookingQuery) -> list[Booking]:
        raise self._unsupported(Capability.BOOKINGS, "Bookings")

    async def get_booking(self, booking_id: str) -> Booking:
        raise self._unsupported(Capability.BOOKINGS, "Reading a booking")

    async def create_booking(
        self,
        draft: BookingDraft,
        *,
        booked_by: str | None = None,
        idempotency_key: str | None = None,
        limit_override: int | None = None,
    ) -> Booking:
        raise self._unsupported(Capability.BOOKINGS, "Creating bookings")

    async def update_booking(self, booking_id: str, patch: BookingPatch) -> Booking:
        raise self._unsupported(Capability.BOOKINGS, "Changing bookings")

    async def approve_booking(self, booking_id: str, *, approver: str | None = None) -> Booking:
        raise self._unsupported(Capability.BOOKING_APPROVAL, "Approving bookings")

    async def reject_booking(self, booking_id: str, *, approver: str | None = None) -> Booking:
        raise self._unsupported(Capability.BOOKING_APPROVAL, "Rejecting bookings")

    async def check_in_booking(self, booking_id: str, *, state: bool = True) -> Booking:
        """Check in (``state=True``) or check out (``state=False``)."""
        raise self._unsupported(Capability.BOOKINGS, "Booking check-in")

    async def check_out_booking(self, booking_id: str) -> Booking:
        return await self.check_in_booking(booking_id, state=False)

    async def set_booking_state(self, booking_id: str, state: str) -> Booking:
        """Set the free-text workflow state (PlaceOS ``process_state``)."""
        raise self._unsupported(Capability.BOOKINGS, "Booking workflow states")

    async def delete_booking(self, booking_id: str) -> None:
        raise self._unsupported(Capability.BOOKINGS, "Deleting bookings")

    # ----------------------------------------------------------------- guests

    async def query_guests(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        zone_id: str | None = None,
        query: str | None = None,
    ) -> list[Guest]:
        raise self._unsupported(Capability.GUESTS, "Guests")

    async def get_guest(self, guest_id: str) -> Guest:
        raise self._unsupported(Capability.GUESTS, "Reading a guest")

    async def create_guest(self, draft: GuestDraft, *, idempotency_key: str | None = None) -> Guest:
        raise self._unsupported(Capability.GUEST_REGISTRATION, "Registering guests")

    async def update_guest(self, guest_id: str, patch: GuestPatch) -> Guest:
        raise self._unsupported(Capability.GUESTS, "Changing guests")

    async def check_in_guest(self, guest_id: str, *, state: bool = True) -> Guest:
        raise self._unsupported(Capability.GUESTS, "Guest check-in")

    async def check_out_guest(self, guest_id: str) -> Guest:
        return await self.check_in_guest(guest_id, state=False)

    # ----------------------------------------------------------------- directory

    async def list_users(self, *, query: str | None = None, limit: int = 100) -> list[User]:
        raise self._unsupported(Capability.USERS, "The people directory")

    async def get_user(self, user_id: str) -> User:
        raise self._unsupported(Capability.USERS, "Reading a person")

    async def user_manager(self, user_id: str) -> User | None:
        raise self._unsupported(Capability.MANAGER, "Managers")

    async def user_groups(self, user_id: str) -> list[Group]:
        raise self._unsupported(Capability.GROUPS, "Groups")

    async def list_groups(self, *, query: str | None = None) -> list[Group]:
        raise self._unsupported(Capability.GROUPS, "Groups")

    async def group_members(self, group_id: str) -> list[User]:
        raise self._unsupported(Capability.GROUPS, "Group members")

    async def list_calendars(self, user_id: str) -> list[Calendar]:
        raise self._unsupported(Capability.CALENDARS, "Calendars")

    # ----------------------------------------------------------------- mail

    async def send_mail(self, message: MailMessage) -> MailMessage:
        raise self._unsupported(Capability.MAIL, "Sending mail")

    async def list_outbox(self, *, limit: int = 100) -> list[MailMessage]:
        raise self._unsupported(Capability.OUTBOX, "The mail outbox")
