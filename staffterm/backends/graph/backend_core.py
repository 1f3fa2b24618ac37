"""What every part of the Graph backend shares: settings, sign-in, the one HTTP client, the
index of rooms (by mailbox address) and zones, and warnings.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from staffterm.backends.coerce import require_text
from staffterm.backends.remote import RemoteBackend
from staffterm.capabilities import Capability
from staffterm.clock import SYSTEM_CLOCK, Clock
from staffterm.errors import ConfigError, NotFoundError, UnavailableError
from staffterm.models import Room, Zone

log = logging.getLogger("staffterm.graph")
T = TypeVar("T")

API_VERSION = "v1.0"
ROOM_INDEX_TTL = 300.0  # seconds: a room added in Exchange shows up after this





class GraphCore(RemoteBackend):
    provider: ClassVar[str] = "graph"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.ZONES, Capability.ROOMS, Capability.FREE_BUSY, Capability.EVENTS, Capability.EVENT_WRITE,
        Capability.USERS, Capability.GROUPS, Capability.MANAGER, Capability.CALENDARS, Capability.MAIL,
        # Visitors are a meeting's external attendees (guests.py); none can be registered.
        Capability.GUESTS,
    })

    # A room nobody came to declines the meeting (event-decline.md, app-only Calendars.ReadWrite on
    # the room's mailbox): the organiser gets the decline with the panel's comment, the meeting
    # stays for its people. Cancelling would end it for everyone, online attendees too, and
    # deleting the room's copy would tell nobody (event-delete.md).
    room_release: ClassVar[str] = "decline"

    def __init__(self, tenant_name: str = "", settings: Any = None, *, clock: Clock | None = None,
                 transport: Any = None, token_dir: Path | None = None, msal_session: Any = None,
                 sleep: Callable[[float], Awaitable[Any]] | None = None) -> None:
        super().__init__(tenant_name, settings)
        if settings is None or not getattr(settings, "tenant_id", None) or not getattr(settings, "client_id", None):
            raise ConfigError(f"the Microsoft 365 tenant {tenant_name!r} needs tenant_id and client_id",
                              key="tenant_id", hint="Copy both from the app registration's Overview in the Azure portal.")
        self.clock: Clock = clock or SYSTEM_CLOCK
        self.graph_url = str(settings.graph_url).rstrip("/")
        self._transport = transport
        self._token_dir = token_dir
        self._msal_session = msal_session
        self._sleep = sleep
        self._http: Any = None
        self.auth: Any = None
        self._rooms: dict[str, Room] = {}
        self._rooms_loaded_at: float | None = None
        self._zones: dict[str, Zone] = {}
        self._estate_lock = asyncio.Lock()
        self.warnings: list[str] = []

    # ----------------------------------------------------------------- clients

    def _build_clients(self) -> None:
        from staffterm.backends.graph.wire_errors import graph_error
        from staffterm.http.client import HttpClient

        settings = self.settings
        self.auth, secrets = self._build_auth(settings)
        kwargs: dict[str, Any] = {"sleep": self._sleep} if self._sleep is not None else {}
        self._http = HttpClient(
            base_url=f"{self.graph_url}/{API_VERSION}", provider="Microsoft Graph", tenant=self.tenant_name,
            timeout=float(settings.timeout_seconds), verify_tls=bool(settings.verify_tls),
            max_in_flight=int(settings.max_in_flight), queue_size=int(settings.queue_size),
            rate_limit=float(settings.rate_limit), auth=self.auth, error_mapper=graph_error,
            transport=self._transport, secrets=secrets, **kwargs,
        )

    def _build_auth(self, settings: Any) -> tuple[Any, list[str]]:
        from staffterm.backends.graph.auth import ClientCredentialsAuth, DeviceCodeAuth, TokenCommandAuth

        if settings.token_command is not None:
            return TokenCommandAuth(settings.token_command), []
        if self._token_dir is not None:
            cache_dir = Path(self._token_dir)
        else:
            from staffterm.paths import data_dir

            cache_dir = data_dir() / "tokens"
        common = {"authority_host": str(settings.authority_host), "tenant": settings.tenant_id,
                  "client_id": settings.client_id, "graph_url": self.graph_url, "cache_dir": cache_dir,
                  "session": self._msal_session, "clock": lambda: self.clock.now().timestamp()}
        if settings.auth_mode == "device_code":
            return DeviceCodeAuth(secret=None, **common), []
        secret = settings.client_secret.resolve()
        return ClientCredentialsAuth(secret=secret, **common), [secret]


    # ----------------------------------------------------------------- warnings

    def warn(self, message: str) -> None:
        log.warning("Microsoft Graph (%s): %s", self.tenant_name, message)
        self.warnings.append(message)
        del self.warnings[:-50]
        if self.warning_sink is not None:
            try:
                self.warning_sink(message)
            except Exception:
                log.exception("the Graph warning sink failed")

    def convert_rows(self, rows: Iterable[Any], convert: Callable[[Any], T], what: str) -> list[T]:
        """Convert every row; one garbled row is skipped with a warning instead of hiding the rest."""
        out: list[T] = []
        bad: list[str] = []
        for row in rows:
            try:
                out.append(convert(row))
            except UnavailableError as exc:
                bad.append(exc.message)
        if bad:
            self.warn(f"{len(bad)} {what}(s) from Microsoft Graph could not be read and are not shown: {bad[0]}")
        return out

    # ----------------------------------------------------------------- the estate

    async def get_json(self, path: str, params: dict[str, Any] | None = None,
                       headers: dict[str, str] | None = None) -> Any:
        from staffterm.http.client import decode_json

        response = await self.http.request("GET", path, params=params, headers=headers)
        return decode_json(response, provider=self.http.provider)

    async def all_pages(self, path: str, params: dict[str, Any] | None = None,
                        headers: dict[str, str] | None = None) -> list[Any]:
        from staffterm.http.paging import fetch_pages, odata_page

        return await fetch_pages(self.http, path, params, read_page=odata_page, headers=headers)

    async def estate(self, *, refresh: bool = False) -> tuple[dict[str, Zone], dict[str, Room]]:
        """Every zone and room, read once and again when stale (and asked to refresh)."""
        fresh = self._rooms_loaded_at is not None and time.monotonic() - self._rooms_loaded_at < ROOM_INDEX_TTL
        if self._rooms_loaded_at is not None and (fresh or not refresh):
            return self._zones, self._rooms
        async with self._estate_lock:
            stale = self._rooms_loaded_at is None or time.monotonic() - self._rooms_loaded_at >= ROOM_INDEX_TTL
            if stale:
                from staffterm.backends.graph.places import read_estate

                self._zones, self._rooms = await read_estate(self)
                self._rooms_loaded_at = time.monotonic()
        return self._zones, self._rooms

    async def find_room(self, key: str) -> Room | None:
        key = key.strip().lower()
        _, rooms = await self.estate()
        if key not in rooms:
            _, rooms = await self.estate(refresh=True)
        return rooms.get(key)

    async def require_room(self, key: Any, field: str = "room_id") -> Room:
        text = require_text(key, field)
        room = await self.find_room(text)
        if room is None:
            raise NotFoundError(f"no room with the address {text!r} in Microsoft 365",
                                hint="List rooms with `staffterm rooms`.")
        return room
