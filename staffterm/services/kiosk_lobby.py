"""The lobby kiosk's use-cases: a guest finds their own visit (by part of their name or email,
or by the QR invite a scanner types), checks in, and gets a pass.

A guest sees only their own visit: a search that matches more than one visit asks for the
email instead of listing anybody. Check-ins go through the durable outbox, so a kiosk that
lost the backend still checks the guest in (from its cached list of today's visits), shows the
pass and says the host will be told shortly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Literal

from staffterm.errors import InvalidInputError, NotFoundError, StafftermError
from staffterm.models import Guest
from staffterm.services.kiosk_outbox import DrainResult, KioskOutbox
from staffterm.services.qr import visitor_pass_payload
from staffterm.services.reception import ReceptionService
from staffterm.services.zones import local_day_window, timezone_for

if TYPE_CHECKING:
    from staffterm.services.kiosk_memory import KioskMemory

log = logging.getLogger(__name__)

#: Fewer characters than this match too many people to be a search for oneself.
MIN_QUERY = 3
VISIT_PREFIX = "VISIT:"


@dataclass(frozen=True)
class VisitCode:
    """The text of PlaceOS's visitor QR invite: ``VISIT:<email>,<resource>,<visit id>,<host>``
    (PlaceOS/drivers drivers/place/visitor_mailer.cr; the kiosk splits it on commas)."""

    email: str
    resource_id: str
    visit_id: str
    host_email: str


def parse_visit_code(text: str) -> VisitCode | None:
    """The scanned invite, or None when ``text`` is not one."""
    raw = (text or "").strip()
    if not raw.upper().startswith(VISIT_PREFIX):
        return None
    parts = [p.strip() for p in raw[len(VISIT_PREFIX):].split(",")]
    if len(parts) != 4 or "@" not in parts[0] or not parts[2]:
        return None
    return VisitCode(parts[0].lower(), parts[1], parts[2], parts[3].lower())


@dataclass(frozen=True)
class FindResult:
    kind: Literal["one", "ask_email", "none", "too_short"]
    guest: Guest | None = None


@dataclass(frozen=True)
class LobbyCheckIn:
    guest: Guest
    pass_payload: str
    # True: the host has been told (or the provider tells them); False: they will be shortly.
    host_told: bool
    queued: bool
    already_checked_in: bool = False


def _open_visits(guests: list[Guest]) -> list[Guest]:
    return [g for g in guests if g.checked_out_at is None]


class LobbyService:
    def __init__(
        self, reception: ReceptionService, outbox: KioskOutbox, building_id: str, *, kiosk_name: str = "lobby kiosk",
        notice_version: str | None = None, memory: KioskMemory | None = None,
    ) -> None:
        self.reception = reception
        self.outbox = outbox
        self.building_id = building_id
        self.kiosk_name = kiosk_name
        self.notice_version = notice_version
        # Today's visits as last read, kept on disk so a kiosk restarted during an outage has them.
        self.memory = memory
        self._today: list[Guest] = []
        # When the backend last gave the list (None: it never has, nor the memory).
        self.as_of: datetime | None = None
        self._valid_until: datetime | None = None
        # The building's time zone, once known (from the site, or from the kept list).
        self.tz: tzinfo = UTC
        self.offline = False

    def switch_building(self, building_id: str) -> None:
        """Another building: the last one's visits are no longer this kiosk's to show."""
        self.building_id = building_id
        self._today, self.as_of, self._valid_until = [], None, None

    async def refresh(self) -> list[Guest]:
        """Today's visits to the building; the last list is kept (in memory and on disk) for when
        the backend is away."""
        try:
            self._today = await self.reception.expected_today(self.building_id)
            self.offline = False
            self.as_of = self.reception.clock.now()
            self._valid_until = await self._day_end()
            await self._remember()
        except NotFoundError:
            raise
        except StafftermError as exc:
            log.warning("lobby kiosk offline: %s", exc)
            self.offline = True
            if self.as_of is None and self.memory is not None:
                remembered = await self.memory.load_visits(self.building_id, self.reception.clock.now())
                if remembered is not None:
                    self._today, self.as_of = remembered.guests, remembered.saved_at
                    self._valid_until, self.tz = remembered.valid_until, remembered.tz
        return list(self._today)

    async def _day_end(self) -> datetime:
        """The end of today in the building's time zone: the kept list is good until then."""
        zones = await self.reception.estate.zones()
        self.tz = tz = timezone_for(self.building_id, zones)
        now = self.reception.clock.now()
        return local_day_window(now.astimezone(tz).date(), tz)[1]

    async def _remember(self) -> None:
        if self.memory is not None and self.as_of is not None and self._valid_until is not None:
            await self.memory.save_visits(self.building_id, self._today, saved_at=self.as_of, valid_until=self._valid_until, tz=self.tz)

    async def add_visit(self, guest: Guest) -> None:
        """A visit registered here (a walk-in): part of today's list from now on."""
        self._today = [g for g in self._today if g.id != guest.id] + [guest]
        await self._remember()

    async def _note_checked_in(self, guest: Guest) -> None:
        """The check-in is in the outbox: the kept list says so, so the same guest trying again
        (even after a restart, still offline) is told they are checked in, not queued twice."""
        now = self.reception.clock.now()
        self._today = [
            g.model_copy(update={"checked_in": True, "checked_in_at": g.checked_in_at or now}) if g.id == guest.id else g
            for g in self._today
        ]
        await self._remember()

    async def find(self, text: str) -> FindResult:
        query = " ".join((text or "").split()).lower()
        if len(query) < MIN_QUERY:
            return FindResult("too_short")
        await self.refresh()
        visits = _open_visits(self._today)
        if "@" in query:
            matches = [g for g in visits if g.email.lower() == query]
        else:
            matches = [g for g in visits if query in (g.name or "").lower() or query in g.email.lower()]
        people = {g.email.lower() for g in matches}
        if not matches:
            return FindResult("none")
        if len(people) > 1:
            return FindResult("ask_email")
        return FindResult("one", _first_waiting(matches))

    async def find_by_code(self, code: VisitCode) -> FindResult:
        await self.refresh()
        visits = [g for g in _open_visits(self._today) if g.email.lower() == code.email]
        exact = [g for g in visits if code.visit_id in (g.event_id, g.booking_id, g.id)]
        chosen = exact or visits
        return FindResult("one", _first_waiting(chosen)) if chosen else FindResult("none")

    def pass_for(self, guest: Guest) -> str:
        resource = guest.zone_ids[0] if guest.zone_ids else self.building_id
        try:
            return visitor_pass_payload(guest.email, resource, guest.event_id or guest.booking_id or guest.id, guest.host_email)
        except InvalidInputError as exc:
            log.warning("no visitor pass for %s: %s", guest.id, exc)
            return ""

    async def check_in(self, guest: Guest, *, notice_accepted: bool = False) -> LobbyCheckIn:
        """Check ``guest`` in through the outbox and try to send at once."""
        if self.notice_version is not None and not notice_accepted:
            raise InvalidInputError("the house rules must be accepted before checking in", field="notice")
        payload = self.pass_for(guest)
        if guest.checked_in:
            return LobbyCheckIn(guest, payload, host_told=True, queued=False, already_checked_in=True)
        seq = await self.outbox.add(
            guest.id, taken_at=self.reception.clock.now(), notice_version=self.notice_version if notice_accepted else None,
            kiosk=self.kiosk_name,
        )
        await self._note_checked_in(guest)
        result = await self.drain()
        told = seq in result.sent
        if seq in result.failed:
            entries = {e.seq: e for e in await self.outbox.entries()}
            reason = entries[seq].last_error if seq in entries else "the visit could not be checked in"
            raise InvalidInputError(f"this visit could not be checked in: {reason}", field="guest",
                                    hint="Please ask at the front desk.")
        checked = guest.model_copy(update={"checked_in": True})
        return LobbyCheckIn(checked, payload, host_told=told, queued=not told)

    async def drain(self) -> DrainResult:
        result = await self.outbox.drain(self.reception)
        if result.backend_down:
            self.offline = True
        elif result.sent or result.failed:
            self.offline = False  # the backend answered; an empty outbox says nothing either way
        return result


def _first_waiting(guests: list[Guest]) -> Guest:
    waiting = [g for g in guests if not g.checked_in]
    return (waiting or guests)[0]
