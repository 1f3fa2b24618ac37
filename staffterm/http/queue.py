"""The per-tenant request queue of one ``HttpClient``: at most ``max_in_flight`` requests at once,
at most ``queue_size`` waiting, and (optionally) starts spaced ``1/rate_limit`` seconds apart.

Its queued / in-flight counts are what the console's header shows.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from staffterm.errors import ThrottledError


class RequestQueue:
    def __init__(
        self,
        *,
        provider: str,
        max_in_flight: int,
        queue_size: int,
        rate_limit: float,
        sleep: Callable[[float], Awaitable[Any]],
    ) -> None:
        self.provider = provider
        self.queue_size = queue_size
        self.rate_limit = rate_limit
        self.queued = 0
        self.in_flight = 0
        # When the last request started (``time.monotonic()``), for the optional rate limit; None
        # until the first start. Not 0.0: the monotonic clock counts from boot on Linux, so a zero
        # would hold the first request back by ``1/rate_limit - uptime`` on a freshly booted machine.
        self.last_start: float | None = None
        self._sleep = sleep
        self._slots = asyncio.Semaphore(max_in_flight)
        self._rate_lock = asyncio.Lock()

    def stats(self) -> tuple[int, int]:
        return (self.queued, self.in_flight)

    async def acquire(self) -> None:
        """Wait for a slot (and the rate limit's turn); refuse at once when the queue is full."""
        if self.queued >= self.queue_size:
            raise ThrottledError(
                f"too many {self.provider} requests are waiting ({self.queued})",
                hint="Wait a moment and try again; raise queue_size in the tenant's settings if this persists.",
            )
        self.queued += 1
        try:
            await self._slots.acquire()
        finally:
            self.queued -= 1
        self.in_flight += 1
        if self.rate_limit > 0:
            try:
                await self._space_starts()
            except BaseException:  # cancelled while waiting its turn: the slot must not go with it
                self.release()
                raise

    async def _space_starts(self) -> None:
        # Space request starts at least 1/rate apart (the Calendar driver's ticker).
        async with self._rate_lock:
            if self.last_start is not None:
                wait = self.last_start + 1.0 / self.rate_limit - time.monotonic()
                if wait > 0:
                    await self._sleep(wait)
            self.last_start = time.monotonic()

    def release(self) -> None:
        self.in_flight -= 1
        self._slots.release()
