"""The PlaceOS Staff API driver's commands, as a table the CLI turns into ``staffterm placeos …``.

Each entry names the raw client method it calls (``EngineAPI`` or ``StaffAPI``) and its
parameters with the seed driver's names and types, so every command of the driver is reachable
from a shell with the same words an integrator knows from PlaceOS Backoffice. This module is
data only: it imports nothing, so the CLI's parser can read it cheaply.
"""

from __future__ import annotations

from staffterm.backends.commands import BOOL, INT, JSON, LIST, STR, TIME, DriverCommand, Param


def _p(name: str, kind: str = STR, required: bool = False, help: str = "", aliases: tuple[str, ...] = ()) -> Param:
    return Param(name, kind, required, help, aliases)


_WINDOW = (_p("period_start", TIME, True, "start (epoch seconds or ISO 8601)"), _p("period_end", TIME, True, "end"))
# Which occurrence of a recurring booking a booking command acts on (the whole series without it).
_INSTANCE = _p("instance", INT, help="occurrence of a recurring booking (epoch seconds of its start)")
# Setup and breakdown buffers around a meeting, kept in the event's metadata.
_BUFFERS = (
    _p("setup_time", INT, help="minutes of setup before the meeting"),
    _p("breakdown_time", INT, help="minutes of breakdown after it"),
    _p("setup_event_id"), _p("breakdown_event_id"),
    _p("calendar", help="the calendar holding the event, when not the room's"),
)
# What a recurring booking repeats on (the Staff API's recurrence fields).
_RECURRENCE = (
    _p("recurrence_type", help="none, daily, weekly or monthly"),
    _p("recurrence_days", INT, help="bitmap of weekdays, Sunday = 1"),
    _p("recurrence_nth_of_month", INT), _p("recurrence_interval", INT),
    _p("recurrence_end", TIME),
)
# Filters of GET /bookings beyond the window and zones (query_bookings and booked share them). Where
# the Staff API reads a filter otherwise than its name says, staffterm filters the answer itself.
_BOOKING_FILTERS = (
    _p("user"), _p("email"), _p("state"),
    _p("created_before", TIME, help="created before this time (checked by staffterm: PlaceOS compares the last change)"),
    _p("created_after", TIME, help="created after this time (checked by staffterm, as created_before)"),
    _p("approved", BOOL), _p("rejected", BOOL),
    _p("checked_in", BOOL, help="true: checked in; false: not checked in (checked by staffterm: PlaceOS reads false "
       "as 'checked out')"),
    _p("include_checked_out", BOOL, help="also list checked-out bookings"),
    _p("include_deleted", BOOL, help="also list deleted bookings"),
    _p("deleted", BOOL, help="only deleted (true) or only live (false) bookings"),
    _p("checked_out", BOOL, help="only checked-out (true) or not checked-out (false) bookings"),
    _p("include_booked_by", BOOL, help="with user/email: also bookings they made for others"),
    _p("department"), _p("extension_data", JSON, help='JSON object of extension fields to match, {"key": value}'),
    _p("event_id"), _p("ical_uid"), _p("permission", help="PRIVATE, OPEN or PUBLIC"),
    _p("asset_id", help="only this asset's bookings (checked by staffterm: PlaceOS has no such filter)"),
    _p("limit", INT, help="page size (every page is read)"),
)
_ROOM_FILTERS = (
    _p("zones", LIST, help="zone ids"),
    _p("systems", LIST, help="system (room) ids"),
    _p("capacity", INT),
    _p("features", LIST),
    _p("bookable", BOOL),
)

COMMANDS: tuple[DriverCommand, ...] = (
    # ----------------------------------------------------------------- engine: systems and zones
    DriverCommand("get_system", "engine", "get_system", "one system (room)", (_p("id", required=True), _p("complete", BOOL))),
    DriverCommand(
        "systems", "engine", "systems", "search systems (rooms)",
        (_p("q"), _p("zone_id"), _p("capacity", INT), _p("bookable", BOOL), _p("features"), _p("limit", INT), _p("offset", INT)),
    ),
    DriverCommand(
        "systems_in_building", "engine", "systems_in_building", "systems on every level of a building",
        (_p("zone_id", required=True), _p("ids_only", BOOL)),
    ),
    DriverCommand("zone", "engine", "zone", "one zone", (_p("zone_id", required=True),)),
    DriverCommand(
        "zones", "engine", "zones", "search zones",
        (_p("q"), _p("limit", INT), _p("offset", INT), _p("parent"), _p("tags")),
    ),
    # ----------------------------------------------------------------- engine: metadata
    DriverCommand("metadata", "engine", "metadata", "a zone's or system's metadata", (_p("id", required=True), _p("key"))),
    DriverCommand(
        "metadata_children", "engine", "metadata_children", "metadata of a zone's children",
        (_p("id", required=True), _p("key"), _p("include_parent", BOOL))
    ),
    DriverCommand(
        "write_metadata", "engine", "write_metadata", "replace one metadata entry",
        (_p("id", required=True), _p("key", required=True), _p("payload", JSON, True), _p("description")), writes=True,
    ),
    DriverCommand(
        "merge_metadata", "engine", "merge_metadata", "merge keys into one metadata entry",
        (_p("id", required=True), _p("key", required=True), _p("payload", JSON, True), _p("description")), writes=True,
    ),
    # ----------------------------------------------------------------- engine: users
    DriverCommand("user", "engine", "user", "one PlaceOS user", (_p("id", required=True),)),
    DriverCommand(
        "query_users", "engine", "query_users", "search PlaceOS users",
        (_p("q"), _p("limit", INT), _p("offset", INT), _p("authority_id"), _p("include_deleted", BOOL)),
    ),
    DriverCommand("create_user", "engine", "create_user", "create a user", (_p("body_json", JSON, True),), writes=True),
    DriverCommand(
        "update_user", "engine", "update_user", "change a user", (_p("id", required=True), _p("body_json", JSON, True)), writes=True
    ),
    DriverCommand(
        "delete_user", "engine", "delete_user", "delete a user (soft unless forced)",
        (_p("id", required=True), _p("force_removal", BOOL, aliases=("foce_removal", "force"))), writes=True,
    ),
    DriverCommand("revive_user", "engine", "revive_user", "restore a deleted user", (_p("id", required=True),), writes=True),
    DriverCommand("resource_token", "engine", "resource_token", "the signed-in user's calendar (SSO) token"),
    DriverCommand(
        "signal", "engine", "signal", "publish a signal on a channel",
        (_p("channel", required=True), _p("payload", JSON)), writes=True,
    ),
    # ----------------------------------------------------------------- staff: people and guests
    DriverCommand("staff_details", "staff", "staff_details", "a person from the directory", (_p("email", required=True),)),
    DriverCommand("guest_details", "staff", "guest_details", "a guest record", (_p("guest_id", required=True),)),
    DriverCommand(
        "update_guest", "staff", "update_guest", "change a guest record",
        (_p("id", required=True), _p("body_json", JSON, True)), writes=True,
    ),
    DriverCommand(
        "query_guests", "staff", "query_guests", "guests expected in a window",
        (_p("period_start", TIME, True), _p("period_end", TIME, True), _p("zones", LIST, True), _p("q")),
    ),
    # ----------------------------------------------------------------- staff: events
    DriverCommand(
        "query_events", "staff", "query_events", "calendar events of rooms or zones",
        (*_WINDOW, *_ROOM_FILTERS, _p("include_cancelled", BOOL), _p("calendars", LIST), _p("ical_uid")),
    ),
    DriverCommand(
        "update_event", "staff", "update_event", "change an event (body: the event JSON with its id)",
        (
            _p("system_id", required=True), _p("event", JSON, True), _p("event_id", help="when the body has no id"),
            _p("calendar"), _p("notify_existing_attendees", BOOL),
        ),
        writes=True,
    ),
    DriverCommand(
        "delete_event", "staff", "delete_event", "delete an event from a room calendar",
        (_p("system_id", required=True), _p("event_id", required=True), _p("calendar"), _p("notify", BOOL)), writes=True,
    ),
    DriverCommand(
        "patch_event_metadata", "staff", "patch_event_metadata", "merge into an event's metadata",
        (_p("system_id", required=True), _p("event_id", required=True), _p("metadata", JSON, True), _p("ical_uid"), *_BUFFERS),
        writes=True,
    ),
    DriverCommand(
        "replace_event_metadata", "staff", "replace_event_metadata", "replace an event's metadata",
        (_p("system_id", required=True), _p("event_id", required=True), _p("metadata", JSON, True), _p("ical_uid"), *_BUFFERS),
        writes=True,
    ),
    # ----------------------------------------------------------------- staff: bookings
    DriverCommand(
        "create_booking", "staff", "create_booking", "make a booking (desk, parking, visitor, ...)",
        (
            _p("booking_type", required=True), _p("asset_id", required=True), _p("user_id"), _p("user_email"),
            _p("user_name"), _p("zones", LIST, True), _p("booking_start", TIME), _p("booking_end", TIME),
            _p("checked_in", BOOL), _p("approved", BOOL), _p("title"), _p("description"), _p("time_zone"),
            _p("extension_data", JSON), _p("utm_source"), _p("limit_override", INT),
            _p("asset_ids", LIST, help="every asset of a group booking"), _p("asset_name"),
            _p("attendees", JSON, help="JSON list of {name, email, visit_expected}"), _p("all_day", BOOL),
            _p("event_id"), _p("ical_uid"), _p("process_state"), _p("permission"), _p("department"), *_RECURRENCE,
            _p("idempotency_key", help="makes a retried create safe: PlaceOS books it once"),
        ),
        writes=True,
    ),
    DriverCommand(
        "update_booking", "staff", "update_booking",
        "change a booking (only what PlaceOS keeps: times, assets, zones, title, description, host, attendees, "
        "extension data, permission, recurrence end)",
        (
            _p("booking_id", required=True), _p("booking_start", TIME), _p("booking_end", TIME), _p("asset_id"),
            _p("title"), _p("description"),
            _p("timezone", help="refused: PlaceOS keeps the time zone a booking was made with"),
            _p("extension_data", JSON, help="keys merged into the booking's extension data"),
            _p("approved", BOOL, help="refused: PlaceOS ignores it on an update; use approve or reject"),
            _p("checked_in", BOOL, help="refused: PlaceOS ignores it on an update; use booking_check_in"),
            _p("limit_override", INT), _p("asset_ids", LIST), _p("zones", LIST),
            _p("user_email", help="the new host (PlaceOS names them from its directory)"),
            _p("user_name", help="refused: PlaceOS takes the name from its directory; give user_email"),
            _p("attendees", JSON), _p("all_day", BOOL), _p("permission"),
            _p("instance", INT, help="change one occurrence of a recurring booking (epoch seconds of its start); "
               "an occurrence keeps only times, assets and extension data"),
            _p("recurrence_end", TIME),
        ),
        writes=True,
    ),
    DriverCommand("reject", "staff", "reject", "reject a booking", (_p("booking_id", required=True), _p("utm_source"), _INSTANCE),
                  writes=True),
    DriverCommand(
        "approve", "staff", "approve", "approve a booking", (_p("booking_id", required=True), _p("utm_source"), _INSTANCE),
        writes=True,
    ),
    DriverCommand(
        "booking_state", "staff", "booking_state", "set a booking's workflow state",
        (_p("booking_id", required=True), _p("state", required=True), _INSTANCE, _p("utm_source")), writes=True,
    ),
    DriverCommand(
        "booking_check_in", "staff", "booking_check_in", "check a booking in (or out with --state false)",
        (_p("booking_id", required=True), _p("state", BOOL), _p("utm_source"), _INSTANCE), writes=True,
    ),
    DriverCommand(
        "booking_delete", "staff", "booking_delete", "delete a booking", (_p("booking_id", required=True), _p("utm_source"), _INSTANCE),
        writes=True,
    ),
    DriverCommand(
        "query_bookings", "staff", "query_bookings", "bookings of a type (every page)",
        (_p("type", required=True), _p("period_start", TIME), _p("period_end", TIME), _p("zones", LIST), *_BOOKING_FILTERS),
    ),
    DriverCommand("get_booking", "staff", "get_booking", "one booking", (_p("booking_id", required=True), _INSTANCE)),
    # ----------------------------------------------------------------- beyond the driver
    DriverCommand(
        "free_busy", "staff", "free_busy", "busy blocks of every room in zones (one call per zone)",
        (*_WINDOW, *_ROOM_FILTERS, _p("calendars", LIST)), in_seed=False,
    ),
    DriverCommand(
        "availability", "staff", "availability", "rooms completely free for the window",
        (*_WINDOW, *_ROOM_FILTERS, _p("calendars", LIST)), in_seed=False,
    ),
    DriverCommand(
        "get_event", "staff", "get_event", "one event", (_p("event_id", required=True), _p("system_id"), _p("calendar")),
        in_seed=False,
    ),
    DriverCommand(
        "create_event", "staff", "create_event", "create an event (body: event JSON with system_id)",
        (_p("event", JSON, True), _p("idempotency_key", help="makes a retried create safe")), in_seed=False, writes=True,
    ),
    DriverCommand(
        "decline_event", "staff", "decline_event", "decline an event for a room or calendar",
        (_p("event_id", required=True), _p("system_id"), _p("calendar"), _p("comment"), _p("notify", BOOL)), in_seed=False, writes=True,
    ),
    DriverCommand(
        "approve_event", "staff", "approve_event", "accept an event on behalf of its room",
        (_p("event_id", required=True), _p("system_id", required=True)), in_seed=False, writes=True,
    ),
    DriverCommand(
        "reject_event", "staff", "reject_event", "decline an event on behalf of its room",
        (_p("event_id", required=True), _p("system_id", required=True)), in_seed=False, writes=True,
    ),
    DriverCommand(
        "event_guest_check_in", "staff", "event_guest_check_in", "check a meeting's guest in (or out)",
        (_p("event_id", required=True), _p("guest_id", required=True), _p("system_id"), _p("state", BOOL), _p("calendar")),
        in_seed=False, writes=True,
    ),
    DriverCommand(
        "booking_guest_check_in", "staff", "booking_guest_check_in", "check a booking's guest in (or out)",
        (_p("booking_id", required=True), _p("guest_id", required=True), _p("state", BOOL), _INSTANCE), in_seed=False, writes=True,
    ),
    DriverCommand(
        "clashing_assets", "staff", "clashing_assets", "which assets clash with a proposed booking",
        (_p("booking", JSON, True), _p("return_available", BOOL), _p("include_clash_time", BOOL)), in_seed=False,
    ),
    DriverCommand(
        "clashing_event_assets", "staff", "clashing_event_assets", "which rooms clash with a proposed event",
        (_p("event", JSON, True), _p("return_available", BOOL), _p("include_clash_time", BOOL)), in_seed=False,
    ),
    DriverCommand(
        "booked", "staff", "booked", "asset ids booked in a window",
        (_p("type", required=True), _p("period_start", TIME), _p("period_end", TIME), _p("zones", LIST), *_BOOKING_FILTERS,
         _p("offset", INT)),
        in_seed=False,
    ),
    DriverCommand("current_limits", "staff", "current_limits", "the tenant's booking limits", in_seed=False),
    DriverCommand("people", "staff", "people", "search the staff directory",
                  (_p("q"), _p("filter", help="a directory filter expression")), in_seed=False),
)

BY_NAME: dict[str, DriverCommand] = {command.name: command for command in COMMANDS}
