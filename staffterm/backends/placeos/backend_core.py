"""What every part of the PlaceOS backend shares: settings, the one HTTP client, the raw API
clients, warnings, and the index of rooms (systems with a mailbox) by id and by email.

The room index is needed to turn PlaceOS replies into models (a free/busy row names a calendar,
an event lists its rooms as resource attendees) and to route a calendar id: a room id or a
room's email means "the room's calendar" (``system_id=``), any other email a person's
(``calendars=``/``calendar=``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from staffterm.backends.coerce import require_text
from staffterm.backends.placeos.convert import room_from_wire, zone_from_wire
from staffterm.backends.remote import RemoteBackend
from staffterm.capabilities import Capability
from staffterm.clock import SYSTEM_CLOCK, Clock
from staffterm.errors import (
    ConfigError,
    NotFoundError,
    UnavailableError,
)
from staffterm.models import Room, Zone

log = logging.getLogger("staffterm.placeos")

T = TypeVar("T")

# A room index older than this is re-read when a lookup misses (a room added in PlaceOS shows up).
ROOM_INDEX_TTL = 300.0


@dataclass(frozen=True)
class CalendarRef:
    """A resolved calendar: a room's (``room`` set) or a person's, named by its email."""

    email: str
    room: Room | None = None

    @property
    def query(self) -> dict[str, str | None]:
        """The ``system_id=`` / ``calendar=`` pair the Staff API's event routes take."""
        if self.room is not None:
            return {"system_id": self.room.id, "calendar": None}
        return {"system_id": None, "calendar": self.email}





class PlaceOSCore(RemoteBackend):
    provider: ClassVar[str] = "placeos"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.ZONES, Capability.ROOMS, Capability.FREE_BUSY, Capability.EVENTS, Capability.EVENT_WRITE,
            Capability.EVENT_APPROVAL, Capability.BOOKINGS, Capability.BOOKING_APPROVAL, Capability.GUESTS,
            Capability.GUEST_REGISTRATION,
            Capability.USERS, Capability.GROUPS, Capability.MANAGER, Capability.CALENDARS,
        }
    )
    # PlaceOS's VisitorMailer mails the host when a visitor is checked in (the check-in signal).
    notifies_host_on_check_in: ClassVar[bool] = True

    def __init__(
        self,
        tenant_name: str = "",
        settings: Any = None,
        *,
        clock: Clock | None = None,
        transport: Any = None,
        token_dir: Path | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
    ) -> None:
        super().__init__(tenant_name, settings)
        if settings is None or not getattr(settings, "base_url", None):
            raise ConfigError(
                f"the PlaceOS tenant {tenant_name!r} has no base_url",
                key="base_url",
                hint="Set base_url to the PlaceOS server, e.g. https://placeos.example.com",
            )
        self.clock: Clock = clock or SYSTEM_CLOCK
        self.base_url = str(settings.base_url).rstrip("/")
        self.auth_kind = "API key" if getattr(settings, "api_key", None) is not None else "username/password"
        self._transport = transport
        self._token_dir = token_dir
        self._sleep = sleep
        self._http: Any = None
        self._engine: Any = None
        self._staff: Any = None
        self._rooms: dict[str, Room] = {}
        self._rooms_by_email: dict[str, Room] = {}
        self._rooms_loaded_at: float | None = None
        self._rooms_lock = asyncio.Lock()
        self._zone_tz: dict[str, str | None] = {}
        self._desks: dict[str, Any] = {}  # desk id -> Asset, from the levels' desks metadata
        self.warnings: list[str] = []

    # ----------------------------------------------------------------- clients

    def _build_clients(self) -> None:
        """One HttpClient (and the engine/Staff API clients over it) per open backend."""
        from staffterm.backends.placeos.engine import EngineAPI
        from staffterm.backends.placeos.staff import StaffAPI
        from staffterm.backends.placeos.wire_errors import placeos_error
        from staffterm.http.client import HttpClient

        settings = self.settings
        auth, secrets = self._auth(settings)
        kwargs: dict[str, Any] = {}
        if self._sleep is not None:
            kwargs["sleep"] = self._sleep
        self._http = HttpClient(
            base_url=self.base_url,
            provider="PlaceOS",
            tenant=self.tenant_name,
            timeout=float(settings.timeout_seconds),
            verify_tls=bool(settings.verify_tls),
            max_in_flight=int(settings.max_in_flight),
            queue_size=int(settings.queue_size),
            rate_limit=float(settings.rate_limit),
            auth=auth,
            error_mapper=placeos_error,
            transport=self._transport,
            secrets=secrets,
            **kwargs,
        )
        self._engine = EngineAPI(self._http)
        self._staff = StaffAPI(self._http, on_partial=self.warn, clock=self.clock.now)

    def _auth(self, settings: Any) -> tuple[Any, list[str]]:
        from staffterm.backends.placeos.auth import ApiKeyAuth, PasswordGrantAuth
        from staffterm.http.token_cache import TokenCache

        if settings.api_key is not None:
            key = settings.api_key.resolve()
            return ApiKeyAuth(key), [key]
        password = settings.password.resolve()
        client_secret = settings.client_secret.resolve() if settings.client_secret is not None else None
        if self._token_dir is not None:
            directory = Path(self._token_dir)
        else:
            from staffterm.paths import data_dir

            directory = data_dir() / "tokens"
        auth = PasswordGrantAuth(
            base_url=self.base_url,
            username=settings.username,
            password=password,
            client_id=settings.client_id,
            client_secret=client_secret,
            redirect_uri=str(settings.redirect_uri) if settings.redirect_uri else None,
            cache=TokenCache(directory),
            clock=lambda: self.clock.now().timestamp(),
        )
        return auth, [s for s in (password, client_secret) if s]

    @property
    def engine(self) -> Any:
        """The raw engine API client (``staffterm placeos …`` commands call it directly)."""
        self._ensure_clients()
        return self._engine

    @property
    def staff(self) -> Any:
        """The raw Staff API client."""
        self._ensure_clients()
        return self._staff

    async def close(self) -> None:
        await super().close()
        self._rooms_loaded_at = None


    # ----------------------------------------------------------------- warnings

    def warn(self, message: str) -> None:
        """A partial result (some calendars unread, a row PlaceOS garbled): logged, kept in
        ``warnings`` and handed to ``warning_sink`` so the console can show it."""
        log.warning("PlaceOS (%s): %s", self.tenant_name or self.base_url, message)
        self.warnings.append(message)
        del self.warnings[:-50]
        sink = self.warning_sink
        if sink is not None:
            try:
                sink(message)
            except Exception:
                log.exception("the PlaceOS warning sink failed")

    def convert_rows(self, rows: Iterable[Any], convert: Callable[[Any], T | None], what: str) -> list[T]:
        """Convert every row; one garbled row is skipped with a warning instead of hiding the rest."""
        out: list[T] = []
        bad: list[str] = []
        for row in rows:
            try:
                item = convert(row)
            except UnavailableError as exc:
                bad.append(exc.message)
                continue
            if item is not None:
                out.append(item)
        if bad:
            noun = what if len(bad) == 1 else f"{what}s"
            self.warn(f"{len(bad)} {noun} from PlaceOS could not be read and {'is' if len(bad) == 1 else 'are'} not shown: {bad[0]}")
        return out

    # ----------------------------------------------------------------- rooms index

    def remember_rooms(self, rooms: Iterable[Room], *, complete: bool = False) -> None:
        """Keep rooms for lookups; ``complete``: these are every room, so the index is fresh."""
        if complete:
            self._rooms, self._rooms_by_email = {}, {}
        for room in rooms:
            self._rooms[room.id] = room
            self._rooms_by_email[room.email] = room
        if complete:
            self._rooms_loaded_at = time.monotonic()

    async def room_index(self, *, refresh: bool = False) -> dict[str, Room]:
        """Every room by email (loaded once, re-read when stale and asked to refresh)."""
        now = time.monotonic()
        fresh = self._rooms_loaded_at is not None and now - self._rooms_loaded_at < ROOM_INDEX_TTL
        if self._rooms_loaded_at is not None and (fresh or not refresh):
            return self._rooms_by_email
        async with self._rooms_lock:
            if self._rooms_loaded_at is None or (refresh and time.monotonic() - self._rooms_loaded_at >= ROOM_INDEX_TTL):
                systems = await self.engine.all_systems()
                self.remember_rooms(self.convert_rows(systems, room_from_wire, "room"), complete=True)
        return self._rooms_by_email

    async def find_room(self, key: str) -> Room | None:
        """A room by id or email, or None when PlaceOS has no such room."""
        key = key.strip()
        if "@" in key:
            email = key.lower()
            index = await self.room_index()
            if email not in index:
                index = await self.room_index(refresh=True)
            return index.get(email)
        if key in self._rooms:
            return self._rooms[key]
        try:
            system = await self.engine.get_system(key)
        except NotFoundError:
            return None
        room = room_from_wire(system)
        if room is not None:
            self.remember_rooms([room])
        return room

    async def require_room(self, key: Any, field: str = "room_id") -> Room:
        text = require_text(key, field)
        room = await self.find_room(text)
        if room is None:
            raise NotFoundError(f"no room with id or email {text!r} in PlaceOS", hint="List rooms with `staffterm rooms`.")
        return room

    async def resolve_calendar(self, calendar_id: Any) -> CalendarRef:
        """A room id or room email -> the room's calendar; another email -> that person's."""
        key = require_text(calendar_id, "calendar_id")
        if "@" not in key:
            room = await self.require_room(key, "calendar_id")
            return CalendarRef(email=room.email, room=room)
        room = await self.find_room(key)
        if room is not None:
            return CalendarRef(email=room.email, room=room)
        return CalendarRef(email=key.lower())

    def remember_zones(self, zones: Iterable[Zone]) -> None:
        for zone in zones:
            self._zone_tz[zone.id] = zone.timezone

    async def room_timezone(self, room: Room) -> str | None:
        """The IANA zone of the building a room is in: the first of its zones with one."""
        for zone_id in room.zone_ids:
            if zone_id not in self._zone_tz:
                try:
                    self.remember_zones([zone_from_wire(await self.engine.zone(zone_id))])
                except (NotFoundError, UnavailableError):
                    self._zone_tz[zone_id] = None
            if self._zone_tz.get(zone_id):
                return self._zone_tz[zone_id]
        return None

    async def rooms_for(self, keys: Sequence[str], field: str = "room_ids") -> list[Room]:
        """Rooms by id or email, each once, in the order given."""
        rooms: dict[str, Room] = {}
        for key in keys:
            room = await self.require_room(key, field)
            rooms.setdefault(room.id, room)
        return list(rooms.values())


async def gather_all(*calls: Awaitable[T]) -> list[T]:
    """Run calls concurrently; the first failure (a ``StafftermError``) is raised after all finish
    so no call is left running against a closing client."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return list(results)  # type: ignore[arg-type]
