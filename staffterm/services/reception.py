"""The front desk: today's expected guests, check-in (host told, QR pass), check-out, walk-ins
and the visitor log.

A check-in is the desk's promise to the guest; telling the host is best effort. A failed mail
never undoes a check-in: it comes back as ``notification_error`` for the operator to act on.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from pydantic import ValidationError

from staffterm.backends.base import Backend
from staffterm.capabilities import Capability
from staffterm.clock import Clock
from staffterm.errors import InvalidInputError, NotFoundError, NotSupportedError, StafftermError, invalid_input_from
from staffterm.models import Event, Guest, GuestDraft, MailMessage, Room, Zone
from staffterm.services.estate import Estate
from staffterm.services.mail_templates import MailTemplates
from staffterm.services.qr import visitor_pass_payload
from staffterm.services.zones import UTC_ZONE, ancestors, building_of, local_day_window, timezone_for

log = logging.getLogger(__name__)

#: The longest walk-in visit the desk registers in one go.
MAX_WALK_IN = timedelta(hours=24)

VISITOR_LOG_COLUMNS = ("name", "email", "organisation", "host", "expected", "checked_in_at", "checked_out_at")

# Spreadsheets run a cell starting with these as a formula; a guest's typed name must not.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CheckInResult:
    guest: Guest
    notification: MailMessage | None
    qr_payload: str
    notification_error: str | None = None
    # The guest was checked in before this call (a double tap on a kiosk): the host is not told twice.
    already_checked_in: bool = False
    # Set when the backend itself tells the host (PlaceOS: its VisitorMailer on the check-in signal).
    notified_by: str | None = None

    @property
    def notified_by_label(self) -> str | None:
        """How the desk names the provider that tells the host ("PlaceOS tells Ada Lovelace")."""
        from staffterm.backends.registry import provider_label

        return provider_label(self.notified_by) if self.notified_by else None


@dataclass(frozen=True)
class VisitContext:
    """What the desk knows about a guest's visit beyond the guest record itself."""

    building: Zone | None
    tz: tzinfo
    room: Room | None = None
    event: Event | None = None


def _guest_building(guest: Guest, zones: Mapping[str, Zone]) -> Zone | None:
    for zone_id in guest.zone_ids:
        building = building_of(zone_id, zones)
        if building is not None:
            return building
    return None


def _guest_tz(guest: Guest, zones: Mapping[str, Zone]) -> tzinfo:
    known = [zone_id for zone_id in guest.zone_ids if zone_id in zones]
    return timezone_for(known, zones) if known else UTC_ZONE


def _sort_key(guest: Guest) -> tuple[datetime, str, str]:
    moment = guest.visit_start or guest.checked_in_at or datetime.max.replace(tzinfo=UTC_ZONE)
    return (moment, (guest.name or guest.email).lower(), guest.id)


def _csv_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def visitor_log_csv(guests: Iterable[Guest], tz: tzinfo) -> str:
    """The visitor log as CSV (RFC 4180: CRLF line ends, quotes doubled, fields with commas,
    quotes or line breaks quoted); times in ``tz`` as ``YYYY-MM-DD HH:MM``. Cells a spreadsheet
    would run as a formula are prefixed with ``'``."""

    def when(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(VISITOR_LOG_COLUMNS)
    for guest in guests:
        host = f"{guest.host_name} <{guest.host_email}>" if guest.host_name and guest.host_email else (guest.host_name or guest.host_email)
        writer.writerow(
            [
                _csv_safe(guest.name),
                _csv_safe(guest.email),
                _csv_safe(guest.organisation),
                _csv_safe(host),
                when(guest.visit_start),
                when(guest.checked_in_at),
                when(guest.checked_out_at),
            ]
        )
    return out.getvalue()


class ReceptionService:
    def __init__(
        self, backend: Backend, templates: MailTemplates, clock: Clock, *, sender: str | None = None,
        estate: Estate | None = None,
    ) -> None:
        self.backend = backend
        self.templates = templates
        self.clock = clock
        self.sender = sender
        self.estate = estate or Estate(backend)

    async def _zones(self) -> dict[str, Zone]:
        return {z.id: z for z in await self.estate.zones()}

    async def _day_guests(self, zone_id: str | None, day: date | None, query: str | None) -> list[Guest]:
        """Guests whose visit starts on ``day`` in their own building's zone (today there when
        ``day`` is None). One query covering every building's day, then filtered per guest."""
        zones = await self._zones()
        if zone_id is not None and zones and zone_id not in zones:
            raise NotFoundError(f"no zone {zone_id!r} on this site", hint="Pick a building from the zone list.")
        now = self.clock.now()
        if zone_id is not None:
            tzs = [timezone_for(zone_id, zones)]
        else:
            tzs = list({str(timezone_for(z.id, zones)): timezone_for(z.id, zones) for z in zones.values()}.values()) or [UTC_ZONE]
        windows = [local_day_window(day or now.astimezone(tz).date(), tz) for tz in tzs]
        start = min(w[0] for w in windows)
        end = max(w[1] for w in windows)
        text = query.strip() if query else None
        # Visits are filed under their building (a level's guests are the building's guests),
        # so a level narrows to its building.
        building = building_of(zone_id, zones) if zone_id is not None else None
        ask_zone = building.id if building is not None else zone_id
        found = await self.backend.query_guests(start=start, end=end, zone_id=ask_zone, query=text or None)

        def on_day(guest: Guest) -> bool:
            begin = guest.visit_start or guest.checked_in_at
            if begin is None:
                return True
            finish = guest.visit_end or begin + timedelta(minutes=1)
            tz = timezone_for(zone_id, zones) if zone_id is not None else _guest_tz(guest, zones)
            lo, hi = local_day_window(day or now.astimezone(tz).date(), tz)
            return begin < hi and finish > lo

        unique = {g.id: g for g in found if on_day(g)}
        return sorted(unique.values(), key=_sort_key)

    async def expected_today(
        self, zone_id: str | None, query: str | None = None, *, day: date | None = None
    ) -> list[Guest]:
        """Guests expected on ``day`` (today) in the zone's building, or in every building (each
        in its own zone) when ``zone_id`` is None; ``query`` matches name, email or organisation."""
        return await self._day_guests(zone_id, day, query)

    async def visitor_log(self, day: date, zone_id: str | None = None) -> list[Guest]:
        """Everyone who was expected or came on ``day``, checked out or not, in visit order."""
        return await self._day_guests(zone_id, day, None)

    # ----------------------------------------------------------------- check-in/out

    async def _visit_context(self, guest: Guest) -> VisitContext:
        zones = await self._zones()
        building = _guest_building(guest, zones)
        tz = _guest_tz(guest, zones)
        event: Event | None = None
        room: Room | None = None
        if guest.event_id and guest.host_email and self.backend.supports(Capability.EVENTS):
            try:
                event = await self.backend.get_event(guest.event_calendar or guest.host_email, guest.event_id)
            except StafftermError as exc:
                log.info("could not read the visit's meeting %s: %s", guest.event_id, exc)
        room_id = event.room_ids[0] if event is not None and event.room_ids else None
        if room_id is None:
            room_id = str(guest.extension_data.get("room_id") or "") or None
        if room_id is not None:
            try:
                room = await self.backend.get_room(room_id)
            except StafftermError as exc:
                log.info("could not read the visit's room %s: %s", room_id, exc)
        if room is not None and building is None:
            for zone_id in room.zone_ids:
                building = building or building_of(zone_id, zones)
            tz = timezone_for(room, zones) if tz is UTC_ZONE else tz
        return VisitContext(building=building, tz=tz, room=room, event=event)

    def _mail_args(self, guest: Guest, context: VisitContext) -> dict[str, str]:
        moment = guest.visit_start or guest.checked_in_at or self.clock.now()
        args = {
            "name": guest.name or guest.email,
            "email": guest.email,
            "organisation": guest.organisation,
            "host_name": guest.host_name or guest.host_email,
            "host_email": guest.host_email,
            "time": moment.astimezone(context.tz).strftime("%H:%M"),
            "date": moment.astimezone(context.tz).strftime("%Y-%m-%d"),
            "building_name": context.building.name if context.building else "",
            "room_name": context.room.name if context.room else "",
        }
        if context.event is not None:
            # The host's own meeting: its real title is theirs to read, even when private.
            args["event_title"] = context.event.title
        return args

    async def _notify(self, message: MailMessage) -> tuple[MailMessage | None, str | None]:
        if not self.backend.supports(Capability.MAIL):
            return message, f"the {self.backend.provider or 'current'} backend cannot send mail"
        try:
            return await self.backend.send_mail(message), None
        except StafftermError as exc:
            log.warning("check-in mail to %s failed: %s", ", ".join(message.to), exc)
            return message, str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken mail path must never undo the check-in
            log.exception("check-in mail to %s failed", ", ".join(message.to))
            return message, f"unexpected {type(exc).__name__}: {exc}"

    async def check_in(self, guest_id: str) -> CheckInResult:
        """Check the guest in, then mail the host (``visitor``/``checkin``) and make the pass."""
        # Read first only to tell a repeat (a double tap on a kiosk) from a first check-in. That
        # read must never stand in the way of the check-in itself: if it fails, check in anyway.
        before: Guest | None = None
        try:
            before = await self.backend.get_guest(guest_id)
        except StafftermError as exc:
            if not isinstance(exc, NotSupportedError):
                log.info("could not read %s before checking in: %s", guest_id, exc)
        guest = await self.backend.check_in_guest(guest_id)
        repeat = before is not None and before.checked_in
        context = VisitContext(building=None, tz=UTC_ZONE)
        try:
            context = await self._visit_context(guest)
        except StafftermError as exc:
            log.warning("could not look up the visit of %s: %s", guest.id, exc)
        resource_id = (
            context.room.id if context.room
            else (context.building.id if context.building else (guest.zone_ids[0] if guest.zone_ids else ""))
        )
        visit_id = guest.event_id or guest.booking_id or guest.id
        try:
            payload = visitor_pass_payload(guest.email, resource_id, visit_id, guest.host_email)
        except InvalidInputError as exc:
            log.warning("no visitor pass for %s: %s", guest.id, exc)
            payload = ""
        if repeat:
            return CheckInResult(guest, None, payload, None, already_checked_in=True)
        if not guest.host_email:
            return CheckInResult(guest, None, payload, "this visit has no host email")
        if self.backend.notifies_host_on_check_in:
            return CheckInResult(guest, None, payload, None, notified_by=self.backend.provider)
        try:
            message = self.templates.build(
                "visitor", "checkin", [guest.host_email], self._mail_args(guest, context), sender=self.sender
            )
        except StafftermError as exc:
            return CheckInResult(guest, None, payload, str(exc))
        if message is None:
            return CheckInResult(guest, None, payload, "there is no visitor check-in mail template")
        sent, error = await self._notify(message)
        return CheckInResult(guest, sent, payload, error)

    async def host_notice(self, guest: Guest) -> MailMessage | None:
        """The check-in mail to ``guest``'s host, built but not sent (None: no template, no
        host, or the backend tells the host itself). For senders that must send it exactly once."""
        if not guest.host_email or self.backend.notifies_host_on_check_in:
            return None
        context = VisitContext(building=None, tz=UTC_ZONE)
        try:
            context = await self._visit_context(guest)
        except StafftermError as exc:
            log.warning("could not look up the visit of %s: %s", guest.id, exc)
        return self.templates.build(
            "visitor", "checkin", [guest.host_email], self._mail_args(guest, context), sender=self.sender
        )

    async def check_out(self, guest_id: str) -> Guest:
        return await self.backend.check_out_guest(guest_id)

    async def register_walk_in(
        self,
        name: str,
        email: str,
        host_email: str,
        *,
        organisation: str = "",
        phone: str = "",
        zone_id: str,
        minutes: int = 60,
        notes: str = "",
        idempotency_key: str | None = None,
    ) -> Guest:
        """Register a guest who turned up unannounced, visiting from now for ``minutes``."""
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            raise InvalidInputError(f"a visit lasts a whole number of minutes above 0, not {minutes!r}", field="minutes")
        if timedelta(minutes=minutes) > MAX_WALK_IN:
            raise InvalidInputError("a walk-in visit may last at most 24 hours", field="minutes")
        zones = await self._zones()
        if zones and zone_id not in zones:
            raise NotFoundError(f"no zone {zone_id!r} on this site", hint="Pick a building from the zone list.")
        # The visit is filed under the zone and everything above it, so a building query finds a
        # guest registered on one of its levels.
        zone_ids = [z.id for z in ancestors(zone_id, zones)] or [zone_id]
        start = self.clock.now().replace(microsecond=0)
        try:
            draft = GuestDraft(
                email=email,
                name=name,
                host_email=host_email,
                visit_start=start,
                visit_end=start + timedelta(minutes=minutes),
                phone=phone.strip(),
                organisation=organisation.strip(),
                notes=notes,
                zone_ids=zone_ids,
            )
        except ValidationError as exc:
            raise invalid_input_from(exc, what="walk-in guest") from None
        await self._check_host(draft.host_email)
        return await self.backend.create_guest(draft, idempotency_key=idempotency_key or f"staffterm-{uuid.uuid4().hex}")

    async def _check_host(self, host_email: str) -> None:
        """Refuse an unknown host where the directory can tell; skip the check where it cannot."""
        if not self.backend.supports(Capability.USERS):
            return
        try:
            await self.backend.get_user(host_email)
        except NotFoundError:
            raise InvalidInputError(
                f"no one called {host_email} works here", field="host_email", hint="Search the directory for the host."
            ) from None
        except NotSupportedError:
            return

    def pass_payload(self, guest: Guest, resource_id: str = "") -> str:
        """The visitor QR text for a guest without checking them in (e.g. to reprint a pass)."""
        return visitor_pass_payload(guest.email, resource_id, guest.event_id or guest.booking_id or guest.id, guest.host_email)


def day_timezone(zone_id: str | None, zones: Sequence[Zone]) -> tzinfo:
    """The zone a visitor log for ``zone_id`` is written in (UTC for the whole site)."""
    return timezone_for(zone_id, zones) if zone_id else UTC_ZONE
