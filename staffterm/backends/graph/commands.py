"""The Graph API driver's commands (PlaceOS drivers, drivers/microsoft/graph_api.cr), as a table the
CLI turns into ``staffterm graph …``.

Names, parameters and defaults are the driver's as its documentation lists them: integrators
type the words they know from PlaceOS Backoffice. The commands that talk to Microsoft 365 call
``GraphDriver`` (the backend's ``driver``) and print Graph's own JSON; the QR codes and the mail
templates are served above the backend (``staffterm.services.driver_commands``), where the
project's QR and template code lives. Data only: it imports nothing but the table's types.
"""

from __future__ import annotations

from staffterm.backends.commands import BOOL, INT, JSON, LIST, STR, TIME, DriverCommand, Param

DRIVER = "driver"
QR = "staffterm.services.driver_commands:QRCommands"
TEMPLATES = "staffterm.services.driver_commands:TemplateCommands"

# A mailbox a command reads: a room's mailbox names its building, so times typed without an
# offset are read in the building's zone; a person's is passed over.
_MAILBOX = "room"


def _p(name: str, kind: str = STR, required: bool = False, help: str = "", place: str = "") -> Param:
    return Param(name, kind, required, help, place=place)


_CALENDAR = _p("calendar_id", required=True, help="the user's OR the room's email", place=_MAILBOX)
_USER_FILTER = _p("user_id", help="with a room's calendar_id: the user whose mailbox holds it (delegated sign-in)",
                  place=_MAILBOX)
_EVENT = _p("event_id", required=True, help="the event's id as list_events returns it")
_NOTIFY = _p("notify", BOOL, help="tell the attendees (default false)")
_COMMENT = _p("comment", help="added to the notification")
_ADDRESSES = "one address or several, comma-separated"
_ATTACHMENTS = 'JSON list of {"file_name", "content" (base64)}'
_MAIL_COPIES = (
    _p("resource_attachments", JSON, help=_ATTACHMENTS[:-1] + ', "content_id"} shown inline in an HTML body'),
    _p("attachments", JSON, help=_ATTACHMENTS),
    _p("cc", LIST, help=_ADDRESSES), _p("bcc", LIST, help=_ADDRESSES),
    _p("from", help="the mailbox to send from (default: mailer_from)"),
)
_MEETING = "given by the provider the meeting was made with"

TOKEN_WARNING = ("this token grants this app's access to the whole Microsoft 365 tenant until it expires; "
                 "do not paste it into tickets, chats or logs")

COMMANDS: tuple[DriverCommand, ...] = (
    # ----------------------------------------------------------------- the request queue
    DriverCommand("queue_size", DRIVER, "queue_size", "Graph requests waiting in the queue"),
    DriverCommand("in_flight_size", DRIVER, "in_flight_size", "Graph requests in progress"),
    # ----------------------------------------------------------------- QR codes
    DriverCommand("generate_svg_qrcode", QR, "generate_svg_qrcode", "an SVG of a QR code of the text",
                  (_p("text", required=True),)),
    DriverCommand("generate_png_qrcode", QR, "generate_png_qrcode", "a PNG of a QR code of the text (base64)",
                  (_p("text", required=True), _p("size", INT, help="width in pixels (default 128)"))),
    # ----------------------------------------------------------------- mail
    DriverCommand(
        "send_mail", DRIVER, "send_mail", "send a mail (message_plaintext or message_html is needed)",
        (_p("to", LIST, True, _ADDRESSES), _p("subject", required=True), _p("message_plaintext"),
         _p("message_html"), *_MAIL_COPIES),
        writes=True,
    ),
    DriverCommand(
        "access_token", DRIVER, "access_token", "an access token for Microsoft Graph (admins only)",
        (_p("user_id", help="accepted as the driver does; the token is the app's (or the signed-in admin's)"),),
        warning=TOKEN_WARNING,
    ),
    # ----------------------------------------------------------------- directory
    DriverCommand("get_groups", DRIVER, "get_groups", "the groups a user belongs to",
                  (_p("user_id", help="the user's email (needed; optional only in the driver's list)"),)),
    DriverCommand("get_members", DRIVER, "get_members", "the members of a group",
                  (_p("group_id", help="the group's id or email (needed; optional only in the driver's list)"),)),
    DriverCommand("list_users", DRIVER, "list_users", "users, all of them or those whose name matches",
                  (_p("query", help="part of the name or email"), _p("limit", INT, help="at most this many"))),
    DriverCommand("get_user", DRIVER, "get_user", "one user by email", (_p("user_id", required=True),)),
    DriverCommand("list_calendars", DRIVER, "list_calendars", "a user's calendars", (_p("user_id", required=True),)),
    DriverCommand("get_user_manager", DRIVER, "get_user_manager", "a user's manager", (_p("user_id", required=True),)),
    DriverCommand("list_groups", DRIVER, "list_groups", "groups, all of them or those whose name matches",
                  (_p("query"),)),
    DriverCommand("get_group", DRIVER, "get_group", "one group by id", (_p("group_id", required=True),)),
    # ----------------------------------------------------------------- calendars
    DriverCommand(
        "list_events", DRIVER, "list_events", "events of a user's or room's calendar in a period",
        (_CALENDAR, _p("period_start", TIME, True, "start (epoch seconds or ISO 8601)"),
         _p("period_end", TIME, True, "end"),
         _p("time_zone", help="IANA zone the answer's times are given in (default UTC)", place="time_zone"),
         _USER_FILTER, _p("include_cancelled", BOOL, help="also cancelled events (default false)")),
    ),
    DriverCommand(
        "delete_event", DRIVER, "delete_event", "delete an event (with a comment: cancel it, organiser only)",
        (_CALENDAR, _EVENT, _USER_FILTER, _NOTIFY, _COMMENT), writes=True,
    ),
    DriverCommand(
        "decline_event", DRIVER, "decline_event", "decline an event (the organiser's own: cancel it)",
        (_CALENDAR, _EVENT, _USER_FILTER, _COMMENT, _NOTIFY), writes=True,
    ),
    DriverCommand(
        "create_event", DRIVER, "create_event", "create an event, the room (calendar_id) a resource attendee",
        (
            _p("title", required=True), _p("event_start", TIME, True, "start (epoch seconds or ISO 8601)"),
            _p("event_end", TIME, help="end (default: an hour after the start)"), _p("description"),
            _p("attendees", LIST, help=_ADDRESSES), _p("location", help="shown on the invitation"),
            _p("timezone", help="IANA zone of the meeting (default UTC)", place="time_zone"),
            _p("user_id", help="the organiser's mailbox (default: calendar_service_account)", place=_MAILBOX),
            _p("calendar_id", help="the room's email", place=_MAILBOX),
            _p("online_meeting_id", help=_MEETING), _p("online_meeting_provider", help=_MEETING),
            _p("online_meeting_url", help=_MEETING), _p("online_meeting_sip", help=_MEETING),
            _p("online_meeting_phones", LIST, help=_MEETING), _p("online_meeting_pin", help=_MEETING),
            _p("idempotency_key", help="Graph's transactionId: a retried create makes one meeting"),
        ),
        writes=True,
    ),
    # ----------------------------------------------------------------- mail templates
    DriverCommand(
        "send_template", TEMPLATES, "send_template", "mail one of the email_templates, filled from args",
        (_p("to", LIST, True, _ADDRESSES), _p("template", required=True, help='group and name: visitor.checkin or '
                                                '["visitor", "checkin"]'),
         _p("args", JSON, True, 'JSON object of the %{key} values'), *_MAIL_COPIES),
        writes=True,
    ),
    DriverCommand(
        "build_template", TEMPLATES, "build_template", "fill a template string's %{key} from args",
        (_p("string", required=True), _p("args", JSON, True, "JSON object of the %{key} values")),
    ),
)

BY_NAME: dict[str, DriverCommand] = {command.name: command for command in COMMANDS}
