"""``GraphDriver``: the Graph API driver's commands (PlaceOS drivers, drivers/microsoft/graph_api.cr)
on this tenant's connection — the backend's one HttpClient, its sign-in and its request queue.

Answers are Graph's own JSON (the user, group, calendar and event resources as Microsoft Graph
sends them), for integrators who script what the driver does. The work is the backend's: the
directory reads use its query shapes (``backend_directory``), mail goes through its sendMail,
events through its create, delete and decline (rooms as resource attendees, a transactionId,
lost replies settled); the driver only speaks the driver's parameters and returns the wire form.

Which mailbox a calendar command addresses follows PlaceOS's office365 adapter
(PlaceOS/calendar src/office365.cr, extract_user_calendar_params): signed in as the app, the
``calendar_id`` is the mailbox and ``user_id`` is not used; signed in as a person (delegated),
a ``calendar_id`` without an ``@`` names a calendar in ``user_id``'s mailbox.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from staffterm.backends.coerce import require_text
from staffterm.backends.graph.backend_directory import EVENTUAL, USER_SELECT, _id, _search
from staffterm.backends.graph.meeting_copies import UTC_PREFER, read_raw, user_path
from staffterm.errors import InvalidInputError, NotFoundError, StafftermError
from staffterm.models import Attendee, EventDraft, MailMessage

if TYPE_CHECKING:
    from staffterm.backends.graph.backend import GraphBackend

# onlineMeetingProvider values Graph accepts (resources/event.md, onlineMeetingProviderType).
GRAPH_MEETING_PROVIDERS = {"teamsforbusiness": "teamsForBusiness", "skypeforbusiness": "skypeForBusiness",
                           "skypeforconsumer": "skypeForConsumer"}
DEFAULT_LENGTH = timedelta(hours=1)  # create_event without event_end


def _epoch(value: Any, field: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{field} must be epoch seconds", field=field)
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidInputError(f"{field} {value} is out of range", field=field) from None


def _zone(name: Any, field: str) -> str | None:
    if name is None or (isinstance(name, str) and not name.strip()):
        return None
    try:
        return ZoneInfo(str(name).strip()).key
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(f"{name!r} is not an IANA time zone", field=field,
                                hint="Use a name such as Australia/Sydney or UTC.") from None


def _addresses(value: Any, field: str) -> list[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    out = [str(item).strip() for item in items if str(item).strip()]
    for address in out:
        if "@" not in address:
            raise InvalidInputError(f"{address!r} in {field} is not an email address", field=field)
    return out


def file_attachments(value: Any, field: str, *, inline: bool) -> list[tuple[str, str, bytes, str | None]]:
    """The driver's attachments ({file_name, content: base64}; resource attachments add the
    content_id an HTML body shows them by, PlaceOS/calendar src/interface.cr) as (name, type,
    bytes, content id) for sendMail."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise InvalidInputError(f"{field} must be a JSON list of attachments", field=field)
    out: list[tuple[str, str, bytes, str | None]] = []
    for index, item in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("file_name"), str) or not item["file_name"].strip():
            raise InvalidInputError(f"{where} needs a file_name", field=field)
        try:
            data = base64.b64decode(str(item.get("content") or ""), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInputError(f"{where}: content is not base64", field=field) from None
        if not data:
            raise InvalidInputError(f"{where} has no content", field=field)
        content_id = str(item.get("content_id") or "").strip() or None
        if inline and content_id is None:
            raise InvalidInputError(f"{where} needs a content_id (the name its HTML body shows it by)", field=field)
        kind = mimetypes.guess_type(item["file_name"])[0] or "application/octet-stream"
        out.append((item["file_name"].strip(), kind, data, content_id))
    return out


def _jwt_expiry(token: str) -> str | None:
    """An access token's ``exp`` claim (Microsoft's tokens are JWTs; an opaque one has none)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, KeyError, TypeError, binascii.Error, OverflowError):
        return None


class GraphDriver:
    def __init__(self, backend: GraphBackend) -> None:
        self.backend = backend

    # ----------------------------------------------------------------- the request queue

    async def queue_size(self) -> int:
        return self.backend.request_stats()[0]

    async def in_flight_size(self) -> int:
        return self.backend.request_stats()[1]

    # ----------------------------------------------------------------- sign-in

    async def access_token(self, user_id: str | None = None) -> dict[str, Any]:
        """The bearer token this tenant's requests carry: app-only, the app's; delegated, the
        signed-in admin's. As in PlaceOS's office365 adapter (access_token), ``user_id`` names no
        one: Graph has no token per user for an app."""
        if user_id:
            self.backend.warn(f"user_id {user_id!r} is not used: Microsoft 365 gives this app one token, not one "
                              "per user")
        http = self.backend.http
        header = (await self.backend.auth.headers(http)).get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        if not token:
            raise StafftermError("no access token came from the sign-in")
        return {"expires": _jwt_expiry(token), "token": token}

    # ----------------------------------------------------------------- mail

    async def send_mail(self, to: Sequence[str] | str, subject: str, message_plaintext: str | None = None,
                        message_html: str | None = None, resource_attachments: Any = None, attachments: Any = None,
                        cc: Sequence[str] | str = (), bcc: Sequence[str] | str = (), from_: str | None = None) -> None:
        """sendMail (api/user-sendmail.md: 202, no body): HTML when message_html is given, else
        text, as PlaceOS's office365 adapter does (send_mail)."""
        if not (message_plaintext or "").strip() and not (message_html or "").strip():
            raise InvalidInputError("give message_plaintext or message_html", field="message_plaintext")
        files = file_attachments(attachments, "attachments", inline=False)
        files += file_attachments(resource_attachments, "resource_attachments", inline=True)
        recipients = _addresses(to, "to")
        if not recipients:
            raise InvalidInputError("a mail needs at least one recipient", field="to")
        message = MailMessage(to=recipients, subject=require_text(subject, "subject"),
                              text=message_plaintext or "", html=message_html or "", cc=_addresses(cc, "cc"),
                              bcc=_addresses(bcc, "bcc"), sender=(from_ or "").strip().lower() or None)
        await self.backend.send_mail(message, attachments=files)

    # ----------------------------------------------------------------- directory

    async def get_groups(self, user_id: str | None = None) -> list[Any]:
        rows = await self.backend.all_pages(f"/users/{_id(user_id, 'user_id')}/memberOf")
        # memberOf lists directory roles and administrative units too (user-list-memberof.md).
        return [r for r in rows if isinstance(r, dict)
                and r.get("@odata.type", "#microsoft.graph.group") == "#microsoft.graph.group"]

    async def get_members(self, group_id: str | None = None) -> list[Any]:
        key = require_text(group_id, "group_id")
        if "@" in key:
            # As PlaceOS's office365 adapter (get_members): a group's email finds its id.
            found = await self.backend.get_json("/groups", {"$filter": f"mail eq '{key.replace(chr(39), chr(39) * 2)}'"})
            groups = found.get("value") if isinstance(found, dict) else None
            if not groups:
                raise NotFoundError(f"no group with the email {key!r}", hint="List groups with `staffterm graph "
                                    "list_groups`.")
            key = str(groups[0].get("id") or "")
        return await self.backend.all_pages(f"/groups/{_id(key, 'group_id')}/members", dict(USER_SELECT))

    async def list_users(self, query: str | None = None, limit: int | None = None) -> list[Any]:
        from staffterm.http.paging import MAX_ITEMS, fetch_pages, odata_page

        if limit is not None and not 1 <= int(limit) <= MAX_ITEMS:
            raise InvalidInputError(f"limit must be between 1 and {MAX_ITEMS}", field="limit")
        params: dict[str, Any] = {"$top": min(int(limit or 999), 999), **USER_SELECT}
        headers = None
        if query and query.strip():
            params["$search"] = _search(query)
            headers = EVENTUAL  # $search needs it (user-list.md), on every page
        return await fetch_pages(self.backend.http, "/users", params, read_page=odata_page, headers=headers,
                                 max_items=int(limit or MAX_ITEMS))

    async def get_user(self, user_id: str) -> Any:
        return await self.backend.get_json(f"/users/{_id(user_id, 'user_id')}", USER_SELECT)

    async def list_calendars(self, user_id: str) -> list[Any]:
        return await self.backend.all_pages(f"/users/{_id(user_id, 'user_id')}/calendars")

    async def get_user_manager(self, user_id: str) -> Any:
        # user-list-manager.md: 404 when the user has no manager, said as the driver does.
        return await self.backend.get_json(f"/users/{_id(user_id, 'user_id')}/manager", USER_SELECT)

    async def list_groups(self, query: str | None = None) -> list[Any]:
        params: dict[str, Any] = {}
        headers = None
        if query and query.strip():
            params["$search"] = f'"displayName:{query.replace(chr(34), " ").strip()}"'
            headers = EVENTUAL
        return await self.backend.all_pages("/groups", params, headers)

    async def get_group(self, group_id: str) -> Any:
        return await self.backend.get_json(f"/groups/{_id(group_id, 'group_id')}")

    # ----------------------------------------------------------------- calendars

    def _mailbox(self, calendar_id: Any, user_id: Any) -> tuple[str, str | None]:
        """(mailbox, calendar in it or None), as extract_user_calendar_params decides."""
        calendar = require_text(calendar_id, "calendar_id")
        delegated = getattr(self.backend.settings, "auth_mode", "app") == "device_code"
        if delegated and user_id and "@" not in calendar:
            return require_text(user_id, "user_id").lower(), calendar
        return calendar.lower(), None

    async def list_events(self, calendar_id: str, period_start: int, period_end: int, time_zone: str | None = None,
                          user_id: str | None = None, include_cancelled: bool = False) -> list[Any]:
        """calendarView with both bounds (user-list-calendarview.md), every page; times in
        ``time_zone`` (Prefer: outlook.timezone) or UTC. Cancelled occurrences only when asked."""
        from staffterm.backends.graph.convert import iso_utc
        from staffterm.backends.graph.meeting_copies import PAGE

        start, end = _epoch(period_start, "period_start"), _epoch(period_end, "period_end")
        if end <= start:
            raise InvalidInputError("period_end must be after period_start", field="period_end")
        zone = _zone(time_zone, "time_zone")
        mailbox, calendar = self._mailbox(calendar_id, user_id)
        path = user_path(mailbox) + (f"/calendars/{quote(calendar, safe='')}" if calendar else "") + "/calendarView"
        rows = await self.backend.all_pages(
            path, {"startDateTime": iso_utc(start), "endDateTime": iso_utc(end), "$top": PAGE},
            headers={"Prefer": f'outlook.timezone="{zone}"' if zone else UTC_PREFER})
        return [r for r in rows if include_cancelled or not (isinstance(r, dict) and r.get("isCancelled"))]

    async def delete_event(self, calendar_id: str, event_id: str, user_id: str | None = None, notify: bool = False,
                           comment: str | None = None) -> None:
        """Delete (204, event-delete.md); with a comment, cancel (event-cancel.md, organiser
        only). Asked in a room's calendar, the meeting goes from its organiser's calendar: a room's
        own copy removed leaves the meeting booked for everyone else. ``notify`` cannot be
        refused: Exchange tells the attendees of a meeting its organiser removes."""
        mailbox, _ = self._mailbox(calendar_id, user_id)
        await self.backend.delete_event(mailbox, require_text(event_id, "event_id"), notify=bool(notify),
                                        comment=comment)

    async def decline_event(self, calendar_id: str, event_id: str, user_id: str | None = None,
                            comment: str | None = None, notify: bool = False) -> None:
        """Decline (event-decline.md, 202). The organiser cannot decline their own meeting; as
        PlaceOS's office365 adapter (decline_event) does, theirs is cancelled instead."""
        mailbox, _ = self._mailbox(calendar_id, user_id)
        event_id = require_text(event_id, "event_id")
        try:
            await self.backend.decline_event(mailbox, event_id, notify=bool(notify), comment=comment)
        except InvalidInputError:
            raw = await read_raw(self.backend, mailbox, event_id)
            if not raw.get("isOrganizer"):
                raise
            await self.backend.delete_event(mailbox, event_id, notify=True, comment=comment)

    async def create_event(self, title: str, event_start: int, event_end: int | None = None,
                           description: str = "", attendees: Sequence[str] = (), location: str | None = None,
                           timezone: str | None = None, user_id: str | None = None, calendar_id: str | None = None,
                           online_meeting_id: str | None = None, online_meeting_provider: str | None = None,
                           online_meeting_url: str | None = None, online_meeting_sip: str | None = None,
                           online_meeting_phones: Sequence[str] = (), online_meeting_pin: str | None = None,
                           idempotency_key: str | None = None) -> Any:
        """On the organiser's calendar (``user_id``, else calendar_service_account) with the room
        (``calendar_id``) a resource attendee, through the backend's create (a transactionId, the
        room's clashes and answer). Returns the event as Graph has it: the room's copy when made
        in a room (as PlaceOS answers from the calendar asked)."""
        start = _epoch(event_start, "event_start")
        end = _epoch(event_end, "event_end") if event_end is not None else start + DEFAULT_LENGTH
        if end <= start:
            raise InvalidInputError("event_end must be after event_start", field="event_end")
        organiser = (user_id or self.backend.settings.calendar_service_account or "").strip().lower()
        target = (calendar_id or "").strip().lower() or organiser
        if not target:
            raise InvalidInputError("no calendar to create the event in: give user_id or calendar_id, or set "
                                    "calendar_service_account in the tenant's settings", field="user_id")
        _, rooms = await self.backend.estate()
        people = _addresses(attendees, "attendees")
        provider = GRAPH_MEETING_PROVIDERS.get((online_meeting_provider or "").replace(" ", "").lower())
        body = description or ""
        block = join_details(online_meeting_provider if provider is None else None, online_meeting_url,
                             online_meeting_id, online_meeting_sip, online_meeting_phones, online_meeting_pin)
        if block:
            body = f"{body}\n\n{block}" if body else block
        draft = EventDraft(
            title=require_text(title, "title"), start=start, end=end, host=organiser if target in rooms else "",
            attendees=[Attendee(email=a) for a in people if a.lower() not in rooms],
            room_ids=[a.lower() for a in people if a.lower() in rooms], body=body, location=location or "",
            timezone=_zone(timezone, "timezone"), online_meeting_provider=provider,
        )
        event = await self.backend.create_event(target, draft, idempotency_key=idempotency_key)
        try:
            return await read_raw(self.backend, event.calendar_id, event.id)
        except StafftermError as exc:  # the event is made: a failing read-back is a warning
            self.backend.warn(f"the event was made, but could not be read back: {exc.message}")
            return event.model_dump(mode="json")


def join_details(provider: str | None, url: str | None, meeting_id: str | None, sip: str | None,
                 phones: Sequence[str], pin: str | None) -> str:
    """A meeting made with another provider (its url, id, SIP address, phones and PIN) as lines of
    the invitation's body: Graph keeps ``onlineMeeting`` read-only (resources/event.md) and knows
    only its own providers, so the body is where attendees find how to join."""
    lines = [f"Join {provider or 'the online meeting'}: {url}" if url else ""]
    lines += [f"Meeting ID: {meeting_id}" if meeting_id else "", f"Video system (SIP): {sip}" if sip else "",
              *(f"Phone: {phone}" for phone in phones or ()), f"PIN: {pin}" if pin else ""]
    text = "\n".join(line for line in lines if line)
    if text and provider and not url:
        text = f"{provider}\n{text}"
    return text
