"""Commands about places and calendars: ``zones``, ``rooms``, ``freebusy``, ``events``."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from staffterm.cli.context import CommandContext, Places, build_model
from staffterm.cli.output import emit_json, emit_line, emit_table, format_period, join
from staffterm.cli.parser import UsageError

if TYPE_CHECKING:
    from staffterm.models import Event


async def zones(ctx: CommandContext) -> int:
    args = ctx.args
    async with ctx.backend() as backend:
        found = await backend.list_zones(parent_id=args.parent, kind=args.kind)
    if ctx.json:
        emit_json(found)
        return 0
    rows = [(z.id, z.name, z.kind.value, z.parent_id or "", z.timezone or "") for z in found]
    emit_table(("ID", "NAME", "KIND", "PARENT", "TIME ZONE"), rows, empty="No zones match.")
    return 0


async def rooms(ctx: CommandContext) -> int:
    args = ctx.args
    async with ctx.backend() as backend:
        found = await backend.list_rooms(
            zone_id=args.zone, capacity=args.capacity, features=args.features, query=args.query
        )
        if ctx.json:
            emit_json(found)
            return 0
        # Names of buildings and levels are only worth a second query for people reading a table.
        zone_map = await Places(backend).zones()
    from staffterm.services.estate_index import EstateIndex

    index = EstateIndex(list(zone_map.values()), found)  # each zone's building and level, placed once
    rows = []
    for room in found:
        building = index.building_for(room)
        level = index.level_of(room)
        rows.append(
            (
                room.id,
                room.name,
                building.name if building else "",
                level.name if level else join(room.zone_ids),
                room.capacity,
                join(room.features, ", "),
                "" if room.bookable else "no",
            )
        )
    emit_table(
        ("ID", "NAME", "BUILDING", "LEVEL", "SEATS", "FEATURES", "BOOKABLE"), rows, empty="No rooms match."
    )
    return 0


async def freebusy(ctx: CommandContext) -> int:
    args = ctx.args
    async with ctx.backend() as backend:
        places = Places(backend)
        if args.zone:
            tz = await places.tz_for_zone(args.zone)
            where = f"the zone of {args.zone}"
        else:
            # Also proves every room exists before asking for its calendar.
            tz = await places.tz_for_rooms(args.rooms)
            where = f"the building of {args.rooms[0]}" if args.rooms else None
        ctx.display_tz = tz
        start, end = ctx.window(tz, where)
        found = await backend.free_busy(start, end, room_ids=args.rooms or (), zone_id=args.zone)
        if ctx.json:
            emit_json(found)
            return 0
        # One listing names every room; a lookup per room would be a round trip per row.
        listed = await backend.list_rooms(zone_id=args.zone)
        names = {room.id: room.name for room in listed}
        # Rooms of an organisation-wide zone sit in several buildings: each row in its own zone.
        zones_of = {room.id: await places.tz_for_room(room) for room in listed}
    rows: list[tuple[Any, ...]] = []
    for availability in found:
        name = names.get(availability.room_id, availability.room_id)
        room_tz = zones_of.get(availability.room_id) or tz
        if availability.error:
            rows.append((availability.room_id, name, "", "unknown", availability.error))
            continue
        busy = [b for b in availability.blocks if b.status.value != "free"]
        if not busy:
            rows.append((availability.room_id, name, "", "free", ""))
        for block in busy:
            title = "Private meeting" if block.private else (block.title or "")
            rows.append((availability.room_id, name, format_period(block.start, block.end, room_tz), block.status.value, title))
    emit_line(f"Free/busy {format_period(start, end, tz)}")
    emit_table(("ROOM", "NAME", "WHEN", "STATUS", "WHAT"), rows, empty="No rooms.")
    return 0


# --------------------------------------------------------------------------- events


async def _calendar_tz(places: Places, calendar_id: str) -> tzinfo | None:
    room = await places.find_room(calendar_id)
    return await places.tz_for_room(room) if room is not None else None


async def list_events(ctx: CommandContext) -> int:
    args = ctx.args
    if not args.calendar:
        raise UsageError("events: --calendar ID is required to list events", prog="staffterm events")
    async with ctx.backend() as backend:
        places = Places(backend)
        tz = await _calendar_tz(places, args.calendar)
        ctx.display_tz = tz
        start, end = ctx.window(tz, f"the building of {args.calendar}")
        found = await backend.list_events(args.calendar, start, end, include_cancelled=args.include_cancelled)
        if ctx.json:
            emit_json(found)
            return 0
        rows = [
            (e.id, format_period(e.start, e.end, tz or await _event_tz(places, e)), _title(e), e.host, e.status.value, join(e.room_ids))
            for e in found
        ]
    emit_line(f"Events in {args.calendar}, {format_period(start, end, tz)}")
    emit_table(("ID", "WHEN", "TITLE", "HOST", "STATUS", "ROOMS"), rows, empty="No events.")
    return 0


async def _event_tz(places: Places, event: Event) -> tzinfo | None:
    """A person's calendar spans buildings: each meeting shows in its own room's zone."""
    if event.timezone:
        from zoneinfo import ZoneInfo

        return ZoneInfo(event.timezone)
    for room_id in event.room_ids:
        room = await places.find_room(room_id)
        if room is not None:
            return await places.tz_for_room(room)
    return None


def _title(event: Event) -> str:
    # An admin tool may read private titles, but the table says which ones are private.
    return f"{event.display_title()} (private)" if event.private else event.display_title()


async def create_event(ctx: CommandContext) -> int:
    args = ctx.args
    async with ctx.session() as session:
        # A room's meeting goes through the booking service, which reads the estate (zones and
        # rooms) to check the room: the lookups here share that read instead of making their own.
        places = Places(session.backend, estate=session.estate if args.room else None)
        if args.room:
            room = await places.room(args.room)  # an unknown room fails here, before any write
        else:
            room = await places.find_room(args.calendar)
        tz = await places.tz_for_room(room) if room is not None else None
        ctx.display_tz = tz
        ctx.target = room.id if room is not None else args.calendar
        start, end = ctx.period(tz, f"the building of {room.id}" if room is not None else None)
        if room is not None:
            # The booking service refuses a clash (naming what is in the way) before writing.
            calendar_id = room.email or room.id
            event = await session.booking.book_room(
                room.id,
                start,
                end,
                title=args.title,
                host=args.host or room.email,
                attendees=args.attendees,
                private=args.private,
            )
        else:
            calendar_id = args.calendar
            event = await session.backend.create_event(calendar_id, _event_draft(args, start, end))
    if ctx.json:
        emit_json(event)
    else:
        emit_line(f"Created event {event.id}: {event.display_title()}, {format_period(event.start, event.end, tz)} in {calendar_id}")
    return 0


def _event_draft(args: Any, start: datetime, end: datetime) -> Any:
    from staffterm.models import Attendee, EventDraft

    host = (args.host or args.calendar).strip().lower()
    people = [Attendee(email=host, organizer=True, response="accepted")] if "@" in host else []
    people += [build_model(Attendee, "attendee", email=email) for email in args.attendees]
    return build_model(
        EventDraft, "event", title=args.title, start=start, end=end, host=host, attendees=people, private=args.private
    )


async def delete_event(ctx: CommandContext) -> int:
    args = ctx.args
    async with ctx.backend() as backend:
        await backend.delete_event(
            args.calendar, args.event_id, notify=not args.no_notify, comment=args.comment
        )
    _done(ctx, args.event_id, args.calendar, "cancelled", notified=not args.no_notify)
    return 0


async def decline_event(ctx: CommandContext) -> int:
    args = ctx.args
    async with ctx.backend() as backend:
        await backend.decline_event(args.calendar, args.event_id, comment=args.comment)
    _done(ctx, args.event_id, args.calendar, "declined", notified=True)
    return 0


def _done(ctx: CommandContext, event_id: str, calendar_id: str, status: str, *, notified: bool) -> None:
    if ctx.json:
        emit_json({"id": event_id, "calendar_id": calendar_id, "status": status, "notified": notified})
    else:
        told = "" if notified else " (attendees not notified)"
        emit_line(f"Event {event_id} in {calendar_id} {status}{told}.")


async def approve_event(ctx: CommandContext) -> int:
    return await _decide_event(ctx, approve=True)


async def reject_event(ctx: CommandContext) -> int:
    return await _decide_event(ctx, approve=False)


async def _decide_event(ctx: CommandContext, *, approve: bool) -> int:
    args = ctx.args
    async with ctx.backend() as backend:
        places = Places(backend)
        room = await places.room(args.room)
        tz = await places.tz_for_room(room)
        if approve:
            event = await backend.approve_event(room.id, args.event_id)
        else:
            event = await backend.reject_event(room.id, args.event_id)
    if ctx.json:
        emit_json(event)
    else:
        verb = "Approved" if approve else "Rejected"
        emit_line(f"{verb} {event.display_title()} ({event.id}) in {room.name}, {format_period(event.start, event.end, tz)}.")
    return 0

