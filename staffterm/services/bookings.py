"""Bookings as a list to read and act on: a day's desks, parking, lockers and visitors, the
assets they name, and the row actions (approve, reject, check in or out, delete).

Making a booking, and everything about meetings in rooms, is ``booking.py``.
"""

from __future__ import annotations

from staffterm.backends.base import Backend
from staffterm.capabilities import Capability
from staffterm.errors import NotSupportedError, PermissionDeniedError
from staffterm.models import Asset, Booking, BookingQuery


class BookingsService:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @property
    def available(self) -> bool:
        return self.backend.supports(Capability.BOOKINGS)

    async def query(self, query: BookingQuery) -> list[Booking]:
        return await self.backend.query_bookings(query)

    async def assets(self, *, type: str | None = None, zone_id: str | None = None) -> list[Asset] | None:
        """The assets this account may list, or None when the backend or the account lists none
        (the desk then types an asset's id). Other failures are raised."""
        try:
            return await self.backend.list_assets(type=type, zone_id=zone_id)
        except (NotSupportedError, PermissionDeniedError):
            return None

    async def approve(self, booking_id: str) -> Booking:
        return await self.backend.approve_booking(booking_id)

    async def reject(self, booking_id: str) -> Booking:
        return await self.backend.reject_booking(booking_id)

    async def check_in(self, booking_id: str, state: bool = True) -> Booking:
        return await self.backend.check_in_booking(booking_id, state=state)

    async def delete(self, booking_id: str) -> None:
        await self.backend.delete_booking(booking_id)
