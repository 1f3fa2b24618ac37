"""What every backend that talks HTTP shares: its clients are built on first use and rebuilt after
a close, ``open()`` builds them off the event loop, ``close()`` releases them, and the request
queue is reported for the console's header. A provider says only how its clients are built.
"""

from __future__ import annotations

import asyncio
from typing import Any

from staffterm.backends.base import Backend


class RemoteBackend(Backend):
    _http: Any = None

    def _build_clients(self) -> None:
        """Build ``self._http`` (a ``staffterm.http.client.HttpClient``) and the provider's clients."""
        raise NotImplementedError

    def _ensure_clients(self) -> None:
        if self._http is None or self._http.closed:
            self._build_clients()

    @property
    def http(self) -> Any:
        self._ensure_clients()
        return self._http

    async def open(self) -> None:
        # Building the clients resolves the secrets, and a secret command may take seconds (a password
        # manager unlocking): do it in a worker thread so the console keeps painting.
        if self._http is None or self._http.closed:
            await asyncio.to_thread(self._ensure_clients)

    async def close(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    def request_stats(self) -> tuple[int, int]:
        return self._http.stats() if self._http is not None else (0, 0)
