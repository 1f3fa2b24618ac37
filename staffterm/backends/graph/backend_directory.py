"""The directory and mail on Graph: users ($search needs ``ConsistencyLevel: eventual``,
user-list.md), one user, a manager (404 when none), a user's groups (memberOf, groups only),
groups, members, a user's calendars, and sendMail (user-sendmail.md: 202, no body)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from staffterm.backends.coerce import require_text
from staffterm.backends.graph.backend_core import GraphCore
from staffterm.backends.graph.convert import calendar_from_wire, group_from_wire, user_from_wire
from staffterm.errors import InvalidInputError, NotFoundError
from staffterm.models import Calendar, Group, MailMessage, User

EVENTUAL = {"ConsistencyLevel": "eventual"}
# user-list.md, "Properties returned by default": department and accountEnabled are not among
# them; they come only when $select names them, and then only what is named comes.
USER_SELECT = {"$select": "id,displayName,mail,userPrincipalName,businessPhones,mobilePhone,department,jobTitle,"
                          "officeLocation,accountEnabled"}


def _search(query: str) -> str:
    # $search terms are quoted "property:value"; a double quote inside would end the term.
    text = query.replace('"', " ").strip()
    return f'"displayName:{text}" OR "mail:{text}"'


def _id(value: Any, field: str) -> str:
    return quote(require_text(value, field), safe="@.")


def _file_attachment(name: str, kind: str, data: bytes, content_id: str | None = None) -> dict[str, Any]:
    # fileattachment.md: contentId and isInline place it in an HTML body (<img src="cid:...">).
    wire = {"@odata.type": "#microsoft.graph.fileAttachment", "name": name, "contentType": kind,
            "contentBytes": base64.b64encode(data).decode("ascii")}
    if content_id:
        wire.update({"contentId": content_id, "isInline": True})
    return wire


class DirectoryMixin(GraphCore):
    async def list_users(self, *, query: str | None = None, limit: int = 100) -> list[User]:
        if not 1 <= int(limit) <= 10000:
            raise InvalidInputError("limit must be between 1 and 10000", field="limit")
        params: dict[str, Any] = {"$top": min(int(limit), 999), **USER_SELECT}
        headers = None
        if query and query.strip():
            params["$search"] = _search(query)
            headers = EVENTUAL  # sent again on every page by fetch_pages
        rows = await self._pages_up_to("/users", params, headers, int(limit))
        return self.convert_rows(rows, user_from_wire, "user")

    async def _pages_up_to(self, path: str, params: dict[str, Any], headers: dict[str, str] | None,
                           limit: int) -> list[Any]:
        from staffterm.http.paging import fetch_pages, odata_page

        return await fetch_pages(self.http, path, params, read_page=odata_page, headers=headers, max_items=limit)

    async def get_user(self, user_id: str) -> User:
        return user_from_wire(await self.get_json(f"/users/{_id(user_id, 'user_id')}", USER_SELECT))

    async def user_manager(self, user_id: str) -> User | None:
        try:
            return user_from_wire(await self.get_json(f"/users/{_id(user_id, 'user_id')}/manager", USER_SELECT))
        except NotFoundError:
            return None  # user-list-manager.md: 404 when the user has no manager

    async def user_groups(self, user_id: str) -> list[Group]:
        rows = await self.all_pages(f"/users/{_id(user_id, 'user_id')}/memberOf")
        groups = [r for r in rows if isinstance(r, dict) and r.get("@odata.type", "#microsoft.graph.group")
                  == "#microsoft.graph.group"]
        return self.convert_rows(groups, group_from_wire, "group")

    async def list_groups(self, *, query: str | None = None) -> list[Group]:
        params: dict[str, Any] = {}
        headers = None
        if query and query.strip():
            params["$search"] = f'"displayName:{query.replace(chr(34), " ").strip()}"'
            headers = EVENTUAL
        return self.convert_rows(await self.all_pages("/groups", params, headers), group_from_wire, "group")

    async def get_group(self, group_id: str) -> Group:
        return group_from_wire(await self.get_json(f"/groups/{_id(group_id, 'group_id')}"))

    async def group_members(self, group_id: str) -> list[User]:
        rows = await self.all_pages(f"/groups/{_id(group_id, 'group_id')}/members", dict(USER_SELECT))
        users = [r for r in rows if isinstance(r, dict) and r.get("@odata.type", "#microsoft.graph.user")
                 == "#microsoft.graph.user"]
        return self.convert_rows(users, user_from_wire, "member")

    async def list_calendars(self, user_id: str) -> list[Calendar]:
        rows = await self.all_pages(f"/users/{_id(user_id, 'user_id')}/calendars")
        return self.convert_rows(rows, calendar_from_wire, "calendar")

    async def send_mail(self, message: MailMessage, *, attachments: Sequence[tuple[Any, ...]] = ()) -> MailMessage:
        """From ``message.sender`` or the tenant's mailer_from; ``attachments`` are
        (file name, content type, bytes[, content id]) — the guest's QR pass on the host
        notification; one with a content id is shown inline where the HTML body names it."""
        from staffterm.backends.graph.meeting_copies import as_model

        message = as_model(MailMessage, message, "mail")
        if not message.to and not message.cc and not message.bcc:
            raise InvalidInputError("a mail needs at least one recipient", field="to")
        sender = (message.sender or self.settings.mailer_from or self.settings.calendar_service_account or "").lower()
        if not sender:
            raise InvalidInputError("no mailbox to send from: set mailer_from in the tenant's settings",
                                    field="mailer_from")
        if not message.text and not message.html:
            raise InvalidInputError("a mail needs a plain or an HTML body", field="text")

        def recipients(addresses: list[str]) -> list[dict[str, Any]]:
            return [{"emailAddress": {"address": a}} for a in addresses]

        wire: dict[str, Any] = {
            "subject": message.subject,
            "body": {"contentType": "HTML", "content": message.html} if message.html
            else {"contentType": "Text", "content": message.text},
            "toRecipients": recipients(message.to),
        }
        if message.cc:
            wire["ccRecipients"] = recipients(message.cc)
        if message.bcc:
            wire["bccRecipients"] = recipients(message.bcc)
        if message.reply_to:
            wire["replyTo"] = recipients([message.reply_to])
        if attachments:
            wire["attachments"] = [_file_attachment(*item) for item in attachments]
        # Not re-sent after a lost reply: Graph has no key to tell a second mail from the first.
        await self.http.request("POST", f"/users/{quote(sender, safe='@.')}/sendMail",
                                json={"message": wire, "saveToSentItems": True})
        return message.model_copy(update={"sender": sender, "sent_at": self.clock.now()})
