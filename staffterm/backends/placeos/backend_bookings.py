"""PlaceOS bookings (desks, parking, lockers, visitors …) behind the Backend contract.

``GET /bookings`` needs a ``type``; a query for every type asks for each common type at once
and merges the answers. PlaceOS sets ``booked_by`` from the signed-in account, enforces clashes
(409), per-type limits (410) and the check-in window (405) itself; those replies arrive here
already mapped to ``ConflictError`` / ``LimitReachedError`` by ``wire_errors``.

Desks are listed from each level's ``desks`` metadata (where PlaceOS's own apps keep them), so
the console can name them and offer them in its booking form, and a desk booked without zones
is filed under its level and building as PlaceOS's apps do.
"""

from __future__ import annotations

from typing import Any

from staffterm.backends.coerce import as_model, require_text
from staffterm.backends.placeos.backend_core import (
    PlaceOSCore,
    gather_all,
)
from staffterm.backends.placeos.convert import (
    booking_draft_to_wire,
    booking_from_wire,
    booking_patch_to_wire,
    desks_from_wire,
)
from staffterm.backends.placeos.staff_common import REQUEST_ID_KEY
from staffterm.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    NotSupportedError,
    StafftermError,
)
from staffterm.models import (
    Asset,
    Booking,
    BookingDraft,
    BookingPatch,
    BookingQuery,
    BookingType,
    ZoneKind,
)
from staffterm.rules import check_in_refusal

DESK_TYPE = "desk"
DESKS_METADATA = "desks"  # the metadata entry on a level zone that lists its desks

# Wire body key -> keyword of StaffAPI.create_booking / update_booking where they differ.
_CREATE_KEYS = {"timezone": "time_zone"}


def booking_kwargs(body: dict[str, Any], *, create: bool) -> dict[str, Any]:
    out = {(_CREATE_KEYS.get(k, k) if create else k): v for k, v in body.items()}
    if create:
        out.pop("booking_type", None)
    return out


class BookingsMixin(PlaceOSCore):
    def _booking(self, data: Any) -> Booking:
        return booking_from_wire(data, now=self.clock.now())

    async def _call_booking(self, booking_id: Any, call: Any, *args: Any, **kwargs: Any) -> Booking:
        key = require_text(str(booking_id) if isinstance(booking_id, int) else booking_id, "booking_id")
        try:
            data = await call(key, *args, **kwargs)
        except NotFoundError:
            raise NotFoundError(f"no booking with id {key!r} in PlaceOS") from None
        return self._booking(data)

    async def query_bookings(self, query: BookingQuery) -> list[Booking]:
        query = as_model(BookingQuery, query, "booking query")
        types = [query.type] if query.type else [t.value for t in BookingType]
        zones = list(query.zone_ids)
        if not zones and not query.user_email:
            # With no zones and no person PlaceOS answers only the caller's own bookings; the
            # contract means the whole site, so ask for every building (and organisation).
            zones = [z.id for z in await self.list_zones() if z.kind in (ZoneKind.ORG, ZoneKind.BUILDING)]
        common: dict[str, Any] = {
            "period_start": query.start,
            "period_end": query.end,
            "zones": zones or None,
            "email": query.user_email or None,
            "approved": query.approved,
            "rejected": query.rejected,
            "checked_in": query.checked_in,
            "include_checked_out": True if query.include_checked_out else None,
            "include_deleted": True if query.include_deleted else None,
        }
        pages = await gather_all(*(self.staff.query_bookings(kind, **common) for kind in types))
        bookings: dict[str, Booking] = {}
        for rows in pages:
            for booking in self.convert_rows(rows, self._booking, "booking"):
                bookings.setdefault(booking.id, booking)
        wanted = set(query.asset_ids)
        found = [
            b
            for b in bookings.values()
            if (not wanted or wanted.intersection(b.asset_ids))
            and (query.include_deleted or not b.deleted)
            and b.start < query.end
            and b.end > query.start
        ]
        return sorted(found, key=lambda b: (b.start, b.end, b.id))

    async def get_booking(self, booking_id: str) -> Booking:
        return await self._call_booking(booking_id, self.staff.get_booking)

    # ----------------------------------------------------------------- desks

    async def list_assets(self, *, type: str | None = None, zone_id: str | None = None) -> list[Asset]:
        """Bookable desks in a building or level (every building when ``zone_id`` is None), from
        the levels' ``desks`` metadata. Parking bays and lockers have no list PlaceOS keeps in
        one agreed place, so asking for them is ``NotSupportedError`` (the console asks for an id)."""
        if type is not None and type != DESK_TYPE:
            raise NotSupportedError(
                f"PlaceOS keeps no {type} list staffterm can read", capability="bookings",
                hint=f"Type the {type}'s id as PlaceOS knows it.",
            )
        if zone_id is not None:
            parents = [require_text(zone_id, "zone_id")]
        else:
            parents = [z.id for z in await self.list_zones(kind=ZoneKind.BUILDING.value)]
        # One call per building: its levels' desk lists (include_parent: a level asked directly).
        answers = await gather_all(
            *(self.engine.metadata_children(p, DESKS_METADATA, include_parent=True) for p in parents)
        )
        desks: dict[str, Asset] = {}
        for rows in answers:
            for row in rows:
                for desk in desks_from_wire(row):
                    desks.setdefault(desk.id, desk)
        self._desks.update(desks)
        return sorted(desks.values(), key=lambda d: (d.name.lower(), d.id))

    async def _with_desk_zones(self, draft: BookingDraft) -> BookingDraft:
        """A desk booked without zones gets its level and building (and the building's time zone),
        so building and level views find it, as bookings made in PlaceOS's own apps are filed."""
        desk_id = draft.asset_ids[0]
        desk = self._desks.get(desk_id)
        if desk is None:
            try:
                await self.list_assets(type=DESK_TYPE)
            except StafftermError:
                return draft  # naming the zones is a courtesy: PlaceOS takes the booking without
            desk = self._desks.get(desk_id)
        if desk is None or not desk.zone_ids:
            return draft
        timezone = draft.timezone
        if timezone is None:
            timezone = next((self._zone_tz[z] for z in desk.zone_ids if self._zone_tz.get(z)), None)
        return draft.model_copy(update={"zones": list(desk.zone_ids), "timezone": timezone})

    async def create_booking(
        self,
        draft: BookingDraft,
        *,
        booked_by: str | None = None,
        idempotency_key: str | None = None,
        limit_override: int | None = None,
    ) -> Booking:
        # booked_by is ignored on purpose: PlaceOS records the signed-in account as the booker.
        draft = as_model(BookingDraft, draft, "booking")
        if not draft.zones and draft.type == DESK_TYPE:
            draft = await self._with_desk_zones(draft)
        if limit_override is not None and (isinstance(limit_override, bool) or not isinstance(limit_override, int) or limit_override < 0):
            raise InvalidInputError(f"limit_override must be a whole number, got {limit_override!r}", field="limit_override")
        if idempotency_key:
            earlier = await self.booking_made_with(
                idempotency_key, draft.type, draft.start, draft.end, list(draft.zones), draft.user_email
            )
            if earlier is not None:
                return earlier
        body = booking_draft_to_wire(draft)
        data = await self.staff.create_booking(
            draft.type, **booking_kwargs(body, create=True), limit_override=limit_override, idempotency_key=idempotency_key
        )
        return self._booking(data)

    async def booking_made_with(
        self, key: str, kind: str, start: Any, end: Any, zones: list[str], user_email: str = ""
    ) -> Booking | None:
        """The booking an earlier call with this idempotency key made (the key is stored in its
        extension_data), so a create retried by the caller does not book twice."""
        rows = await self.staff.query_bookings(
            kind,
            period_start=start,
            period_end=end,
            zones=list(zones) or None,
            email=None if zones else (user_email or None),
            extension_data={REQUEST_ID_KEY: key},
        )
        for row in rows:
            if isinstance(row, dict) and (row.get("extension_data") or {}).get(REQUEST_ID_KEY) == key:
                return self._booking(row)
        return None

    async def update_booking(self, booking_id: str, patch: BookingPatch) -> Booking:
        patch = as_model(BookingPatch, patch, "booking change")
        try:
            body = booking_patch_to_wire(patch)
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="asset_ids") from None
        if (patch.start is None) != (patch.end is None):
            # PlaceOS checks end > start on the stored booking; say it in our words first.
            current = await self.get_booking(booking_id)
            start, end = patch.start or current.start, patch.end or current.end
            if end <= start:
                raise InvalidInputError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})", field="end")
        if "user_name" in body:
            # PlaceOS names the host from its directory when user_email changes and drops a
            # user_name sent alone (PlaceOS/staff-api src/controllers/bookings.cr, update).
            if "user_email" not in body:
                raise InvalidInputError(
                    "PlaceOS takes the host's name from its directory: change the host's email instead",
                    field="user_email",
                )
            del body["user_name"]
        if not body:
            return await self.get_booking(booking_id)
        return await self._call_booking(booking_id, self.staff.update_booking, **booking_kwargs(body, create=False))

    async def approve_booking(self, booking_id: str, *, approver: str | None = None) -> Booking:
        # PlaceOS records the signed-in account as the approver.
        try:
            return await self._call_booking(booking_id, self.staff.approve)
        except ConflictError as exc:
            # staff-api saves the approval before its clash check (src/controllers/bookings.cr,
            # approve calls set_approver, which saves, then raises BookingConflict): a 409 here
            # still approved the booking. Report what happened; the clash is a warning.
            if not exc.clashes:
                raise
            try:
                booking = await self.get_booking(booking_id)
            except StafftermError:
                raise exc from None
            if not booking.approved:
                raise
            self.warn(f"booking {booking.id} was approved, but it clashes with {len(exc.clashes)} other "
                      f"booking(s): {exc.message}")
            return booking

    async def reject_booking(self, booking_id: str, *, approver: str | None = None) -> Booking:
        return await self._call_booking(booking_id, self.staff.reject)

    async def check_in_booking(self, booking_id: str, *, state: bool = True) -> Booking:
        try:
            return await self._call_booking(booking_id, self.staff.booking_check_in, bool(state))
        except InvalidInputError as exc:
            if not state:
                raise
            raise await self._check_in_refused(booking_id, exc) from None

    async def _check_in_refused(self, booking_id: str, refused: InvalidInputError) -> InvalidInputError:
        """PlaceOS's 405 says only that check-in is not allowed; say when it opens (or that the
        booking ended, or was checked out) in the booking's own time zone, as the demo site does."""
        try:
            booking = await self.get_booking(booking_id)
            early = await self.staff.current_early_checkin()
        except StafftermError:
            return refused
        if isinstance(early, bool) or not isinstance(early, int) or early < 0:
            return refused
        reason = check_in_refusal(
            what=f"booking {booking.id}", start=booking.start, end=booking.end, now=self.clock.now(),
            early_seconds=early, checked_out_at=booking.checked_out_at, tz_name=booking.timezone,
        )
        return InvalidInputError(reason, field="state") if reason else refused

    async def set_booking_state(self, booking_id: str, state: str) -> Booking:
        text = require_text(state, "state")
        return await self._call_booking(booking_id, self.staff.booking_state, text)

    async def delete_booking(self, booking_id: str) -> None:
        key = require_text(str(booking_id) if isinstance(booking_id, int) else booking_id, "booking_id")
        try:
            # A lost first reply re-sent into a refusal is done if the booking is gone (the raw client settles it).
            await self.staff.booking_delete(key)
        except NotFoundError:
            raise NotFoundError(f"no booking with id {key!r} in PlaceOS") from None
