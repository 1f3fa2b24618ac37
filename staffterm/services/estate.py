"""A tenant's estate, its zones and rooms, read once and kept for a while.

The estate changes rarely (a room added in PlaceOS's backoffice, a level renamed) while free/busy
changes by the minute, and a real estate's room list is large (PlaceOS lists every system, Graph
pages through every room mailbox). So the services ask this rather than the backend: a board
refresh costs only its free/busy calls. Operators re-read it on demand (``r`` in the console);
otherwise it is re-read once it is ``MAX_AGE`` old.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from staffterm.backends.base import Backend
from staffterm.errors import NotSupportedError
from staffterm.models import Room, Zone
from staffterm.services.estate_index import EstateIndex


class Estate:
    #: How long zones and rooms are trusted before they are read again.
    MAX_AGE_SECONDS = 15 * 60

    def __init__(self, backend: Backend, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.backend = backend
        self._monotonic = monotonic
        self._zones: list[Zone] | None = None
        self._rooms: list[Room] | None = None
        self._read_at: float | None = None
        self._index: EstateIndex | None = None
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Read again on the next ask (the operator asked for fresh data)."""
        self._read_at = None

    def _fresh(self) -> bool:
        return self._read_at is not None and self._monotonic() - self._read_at < self.MAX_AGE_SECONDS

    async def load(self) -> tuple[list[Zone], list[Room]]:
        """Every zone and every room; concurrent callers share one read."""
        if not self._fresh():
            async with self._lock:
                if not self._fresh():  # another caller may have read it while this one waited
                    zones, rooms = await asyncio.gather(self._read_zones(), self.backend.list_rooms())
                    self._zones, self._rooms, self._read_at = list(zones), list(rooms), self._monotonic()
                    self._index = None
        assert self._zones is not None and self._rooms is not None
        return list(self._zones), list(self._rooms)

    async def _read_zones(self) -> list[Zone]:
        try:
            return await self.backend.list_zones()
        except NotSupportedError:
            return []  # rooms with no zones: every room is in "no building"

    async def zones(self) -> list[Zone]:
        return (await self.load())[0]

    async def rooms(self) -> list[Room]:
        return (await self.load())[1]

    async def index(self) -> EstateIndex:
        """The estate's index (lookups by id, buildings, time zones), built once per read."""
        zones, rooms = await self.load()
        if self._index is None or self._index.zones != zones or self._index.rooms != rooms:
            self._index = EstateIndex(zones, rooms)
        return self._index
