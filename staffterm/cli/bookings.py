"""Commands about bookings and visitors: ``bookings …`` and ``guests …``."""

from __future__ import annotations

import sys
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from staffterm.cli.context import CommandContext, Places, build_model
from staffterm.cli.output import (
    emit_fields,
    emit_json,
    emit_line,
    emit_table,
    format_clock,
    format_period,
    format_time,
    join,
    message,
    yes_no,
)

if TYPE_CHECKING:
    from staffterm.models import Booking, Guest


async def _booking_tz(places: Places, booking: Booking, fallback: tzinfo | None) -> tzinfo | None:
    if booking.timezone:
        from zoneinfo import ZoneInfo

        return ZoneInfo(booking.timezone)
    return await places.tz_for_zones(booking.zones) or fallback


def _approval(booking: Booking) -> str:
    if booking.rejected:
        return "rejected"
    if booking.approved:
        return "approved"
    return "pending" if not booking.deleted else ""


async def list_bookings(ctx: CommandContext) -> int:
    from staffterm.models import BookingQuery

    args = ctx.args
    async with ctx.backend() as backend:
        places = Places(backend)
        await places.require_zone(args.zone)
        tz = await places.tz_for_zone(args.zone)
        start, end = ctx.window(tz, f"the zone of {args.zone}")
        query = build_model(
            BookingQuery,
            "booking query",
            start=start,
            end=end,
            type=args.type,
            zone_ids=[args.zone] if args.zone else [],
            user_email=args.user,
            include_deleted=args.include_deleted,
        )
        found = await backend.query_bookings(query)
        if ctx.json:
            emit_json(found)
            return 0
        rows = []
        for b in found:
            when = format_period(b.start, b.end, await _booking_tz(places, b, tz))
            rows.append((b.id, b.type, join(b.asset_ids), b.user_email, when, b.state.value, _approval(b), b.title))
    emit_line(f"Bookings {format_period(start, end, tz)}")
    emit_table(("ID", "TYPE", "ASSET", "USER", "WHEN", "STATE", "APPROVAL", "TITLE"), rows, empty="No bookings.")
    return 0


async def _asset_tz(ctx: CommandContext, places: Places) -> tuple[tzinfo | None, str | None]:
    """The building whose local time a new booking's times are in, and how it was found: the
    zones named, else the building of the desk, bay or room booked, else the site's only zone."""
    from staffterm.cli.times import needs_zone

    args = ctx.args
    if args.zones:
        tz = await places.tz_for_zones(args.zones)
        if tz is not None:
            return tz, f"the zone of {', '.join(args.zones)}"
    if args.type == "room":
        room = await places.find_room(args.asset)
        tz = await places.tz_for_room(room) if room is not None else None
    else:
        zones = await places.asset_zones(args.asset, args.type)
        tz = await places.tz_for_zones(zones) if zones else None
    if tz is not None:
        return tz, f"the building of {args.type} {args.asset}"
    if needs_zone(args.start, args.end):
        tz = await places.site_tz()
        if tz is not None:
            return tz, "the time zone of every building on this site"
    return None, None


async def create_booking(ctx: CommandContext) -> int:
    args = ctx.args
    async with ctx.session() as session:
        places = Places(session.backend)
        tz, where = await _asset_tz(ctx, places)
        ctx.display_tz = tz
        ctx.target = args.asset
        start, end = ctx.period(tz, where)
        booking = await session.booking.create_booking(
            args.type,
            args.asset,
            args.user,
            start,
            end,
            title=args.title,
            zones=args.zones,
            timezone=getattr(tz, "key", None),
        )
    if ctx.json:
        emit_json(booking)
    else:
        emit_line(
            f"Booked {booking.type} {join(booking.asset_ids)} for {booking.user_email}, "
            f"{format_period(booking.start, booking.end, tz)}: booking {booking.id} ({booking.state.value}, {_approval(booking)})."
        )
    return 0


async def show_booking(ctx: CommandContext) -> int:
    async with ctx.backend() as backend:
        booking = await backend.get_booking(ctx.args.booking_id)
        tz = await _booking_tz(Places(backend), booking, None)
    if ctx.json:
        emit_json(booking)
        return 0
    emit_fields(
        [
            ("id", booking.id),
            ("type", booking.type),
            ("asset", join(booking.asset_ids, ", ")),
            ("zones", join(booking.zones, ", ")),
            ("when", format_period(booking.start, booking.end, tz)),
            ("title", booking.title),
            ("user", _person(booking.user_name, booking.user_email)),
            ("booked by", _person(booking.booked_by_name, booking.booked_by_email)),
            ("state", booking.state.value + (f" ({booking.process_state})" if booking.process_state else "")),
            ("approval", _approval(booking) + (f" by {booking.approver_email}" if booking.approver_email else "")),
            ("checked in", format_time(booking.checked_in_at, tz) or yes_no(booking.checked_in) or "no"),
            ("checked out", format_time(booking.checked_out_at, tz)),
            ("deleted", format_time(booking.deleted_at, tz) or yes_no(booking.deleted) or "no"),
        ]
    )
    if booking.history:
        emit_line("history:")
        for entry in booking.history:
            by = f" by {entry.by}" if entry.by else ""
            emit_line(f"  {format_time(entry.time, tz)}  {entry.state}{by}")
    return 0


def _person(name: str, email: str) -> str:
    if name and email:
        return f"{name} <{email}>"
    return name or email


async def approve_booking(ctx: CommandContext) -> int:
    return await _booking_action(ctx, "approve_booking", "Approved")


async def reject_booking(ctx: CommandContext) -> int:
    return await _booking_action(ctx, "reject_booking", "Rejected")


async def check_in_booking(ctx: CommandContext) -> int:
    return await _booking_action(ctx, "check_in_booking", "Checked in")


async def check_out_booking(ctx: CommandContext) -> int:
    return await _booking_action(ctx, "check_out_booking", "Checked out")


async def _booking_action(ctx: CommandContext, method: str, verb: str) -> int:
    async with ctx.backend() as backend:
        booking = await getattr(backend, method)(ctx.args.booking_id)
        # Done: the building's zone is for showing the times, and failing to read it does not
        # undo the write (a warning, exit 0). --json shows the times with their offsets.
        tz = None if ctx.json else await ctx.follow_up(_booking_tz(Places(backend), booking, None),
                                                        "the booking's time zone", "times are shown in UTC")
    if ctx.json:
        emit_json(booking)
    else:
        emit_line(
            f"{verb} booking {booking.id}: {booking.type} {join(booking.asset_ids)} for {booking.user_email}, "
            f"{format_period(booking.start, booking.end, tz)} (now {booking.state.value})."
        )
    return 0


async def delete_booking(ctx: CommandContext) -> int:
    booking_id = ctx.args.booking_id
    async with ctx.backend() as backend:
        await backend.delete_booking(booking_id)
    if ctx.json:
        emit_json({"id": booking_id, "deleted": True})
    else:
        emit_line(f"Deleted booking {booking_id}.")
    return 0


# --------------------------------------------------------------------------- guests


def _guest_row(guest: Guest, tz: tzinfo | None) -> tuple[Any, ...]:
    if guest.checked_out_at is not None:
        status = f"left {format_clock(guest.checked_out_at, tz)}"
    elif guest.checked_in:
        status = f"in {format_clock(guest.checked_in_at, tz)}".rstrip()
    else:
        status = "expected" if guest.visit_expected else ""
    return (
        guest.id,
        guest.name,
        guest.email,
        guest.organisation,
        guest.host_name or guest.host_email,
        format_period(guest.visit_start, guest.visit_end, tz),
        status,
    )


async def list_guests(ctx: CommandContext) -> int:
    args = ctx.args
    async with ctx.backend() as backend:
        places = Places(backend)
        await places.require_zone(args.zone)
        tz = await places.tz_for_zone(args.zone)
        start, end = ctx.window(tz, f"the zone of {args.zone}")
        found = await backend.query_guests(start=start, end=end, zone_id=args.zone, query=args.query)
        if ctx.json:
            emit_json(found)
            return 0
        rows = [_guest_row(g, await places.tz_for_zones(g.zone_ids) or tz) for g in found]
    emit_line(f"Guests {format_period(start, end, tz)}")
    emit_table(("ID", "NAME", "EMAIL", "COMPANY", "HOST", "VISIT", "STATUS"), rows, empty="No guests expected.")
    return 0


async def check_in_guest(ctx: CommandContext) -> int:
    async with ctx.session() as session:
        result = await session.reception.check_in(ctx.args.guest_id)
    guest = result.guest
    if ctx.json:
        emit_json(result)
    else:
        host = guest.host_name or guest.host_email or "the host"
        if result.already_checked_in:
            emit_line(f"{guest.name or guest.email} ({guest.id}) was already checked in; {host} was told then.")
        else:
            emit_line(f"Checked in {guest.name or guest.email} ({guest.id}).")
        if result.notification_error is None and result.notification is not None:
            emit_line(f"{host} has been told their guest arrived.")
        elif result.notified_by and not result.already_checked_in:
            emit_line(f"{result.notified_by} tells {host} their guest arrived.")
        if result.qr_payload:
            emit_line(f"Visitor pass: {result.qr_payload}  (show it with: staffterm qr '{result.qr_payload}')")
    if result.notification_error:
        # The check-in itself stuck; only the message to the host failed, so this is not exit 1.
        sys.stderr.write(f"staffterm: warning: the host was not notified: {message(result.notification_error)}\n")
    return 0


async def check_out_guest(ctx: CommandContext) -> int:
    async with ctx.backend() as backend:
        guest = await backend.check_out_guest(ctx.args.guest_id)
    if ctx.json:
        emit_json(guest)
    else:
        emit_line(f"Checked out {guest.name or guest.email} ({guest.id}).")
    return 0
