"""``POST /users/{id}/sendMail`` (api-reference/v1.0/api/user-sendmail.md; resources/message.md,
fileattachment.md).

- Body: ``message`` (required) and ``saveToSentItems`` (optional, default true). Answer: 202
  Accepted with no body; delivery is asynchronous. The fake keeps every accepted message in
  ``fake.state.sent_mail`` for tests to read, and a copy in the mailbox's Sent Items when asked.
- ``body.contentType`` is ``text`` or ``html``; recipients are ``{emailAddress: {address, name}}``.
- Attachments: ``@odata.type`` ``#microsoft.graph.fileAttachment`` with ``name`` and base64
  ``contentBytes`` (fileattachment.md); attachments up to 3 MB go in one request
  (concepts/outlook-large-attachments.md), larger ones need an upload session, which this fake
  does not model: the request is refused with 413.
- No recipient at all: 400 ``ErrorInvalidRecipients`` (wording as users report it).
- ``from`` naming another mailbox needs Send As rights the fake never grants: ``ErrorSendAsDenied``
  (wording as users report it; the reference pages do not list it).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import httpx

from tests.fakes.graph.routing import Router
from tests.fakes.graph.times import iso_utc
from tests.fakes.graph.wire import Ctx, GraphError, bad_request, empty_response, fold

router = Router()
MESSAGE_PROPERTIES = ["subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "from",
                      "sender", "attachments", "importance", "internetMessageHeaders", "flag", "categories",
                      "isDeliveryReceiptRequested", "isReadReceiptRequested"]
RECIPIENT_LISTS = ("toRecipients", "ccRecipients", "bccRecipients", "replyTo")
MAX_INLINE_ATTACHMENT_BYTES = 3 * 1024 * 1024


def _recipient(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request("RequestBodyRead", "A recipient must be an object with an emailAddress.")
    folded = fold(value, ["emailAddress"], "Microsoft.OutlookServices.Recipient")
    email = folded.get("emailAddress")
    if not isinstance(email, dict):
        raise bad_request("ErrorInvalidRecipients", "At least one recipient isn't valid.")
    email = fold(email, ["address", "name"], "Microsoft.OutlookServices.EmailAddress")
    address = str(email.get("address") or "").strip()
    if "@" not in address:
        raise bad_request("ErrorInvalidRecipients", "At least one recipient isn't valid.")
    return {"emailAddress": {"address": address, **({"name": email["name"]} if email.get("name") else {})}}


def _attachment(value: Any) -> tuple[dict[str, Any], int]:
    if not isinstance(value, dict):
        raise bad_request("RequestBodyRead", "An attachment must be an object.")
    kind = value.get("@odata.type")
    if kind != "#microsoft.graph.fileAttachment":
        raise bad_request("RequestBodyRead", f"The attachment type '{kind}' is not supported here; use "
                          "'#microsoft.graph.fileAttachment'.")
    folded = fold(value, ["name", "contentBytes", "contentType", "isInline", "contentId", "size"],
                  "Microsoft.OutlookServices.FileAttachment")
    if not folded.get("name") or not folded.get("contentBytes"):
        raise bad_request("ErrorInvalidRequest", "A file attachment needs a name and contentBytes.")
    try:
        raw = base64.b64decode(str(folded["contentBytes"]), validate=True)
    except (binascii.Error, ValueError):
        raise bad_request("RequestBodyRead", "Cannot convert the literal to the expected type 'Edm.Binary'.") \
            from None
    return {"@odata.type": kind, **folded, "size": len(raw)}, len(raw)


def _parse_message(mailbox: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_request("ErrorInvalidRequest", "The message is required.")
    message = fold(data, MESSAGE_PROPERTIES, "Microsoft.OutlookServices.Message")
    for name in RECIPIENT_LISTS:
        value = message.get(name, [])
        if not isinstance(value, list):
            raise bad_request("RequestBodyRead", f"'{name}' must be a collection of recipients.")
        message[name] = [_recipient(r) for r in value]
    if not any(message[name] for name in ("toRecipients", "ccRecipients", "bccRecipients")):
        raise bad_request("ErrorInvalidRecipients", "At least one recipient isn't valid., A message can't be sent "
                          "because it contains no recipients.")
    body = message.get("body") or {"contentType": "text", "content": ""}
    body = fold(body, ["contentType", "content"], "Microsoft.OutlookServices.ItemBody")
    kind = str(body.get("contentType", "text")).lower()
    if kind not in ("text", "html"):
        raise bad_request("RequestBodyRead", f"Cannot convert the literal '{kind}' to the expected type "
                          "'microsoft.graph.bodyType'.")
    message["body"] = {"contentType": kind, "content": str(body.get("content") or "")}
    if "from" in message:
        sender = _recipient(message["from"])["emailAddress"]["address"]
        if sender.lower() != mailbox:
            raise GraphError(403, "ErrorSendAsDenied", "The user account which was used to submit this request does "
                             "not have the right to send mail on behalf of the specified sending account.")
    attachments, total = [], 0
    for value in message.get("attachments", []) or []:
        parsed, size = _attachment(value)
        attachments.append(parsed)
        total += size
    if total > MAX_INLINE_ATTACHMENT_BYTES:
        raise GraphError(413, "ErrorRequestEntityTooLarge", "Attachments over 3 MB need an upload session.")
    message["attachments"] = attachments
    return message


@router.post("/users/{user}/sendMail", permissions=("Mail.Send",), mailbox="user")
def send_mail(ctx: Ctx, user: str) -> httpx.Response:
    body = ctx.body_object(["message", "saveToSentItems"], "Microsoft.OutlookServices.SendMailParameters")
    message = _parse_message(ctx.mailbox, body.get("message"))
    save = body.get("saveToSentItems", True)
    if not isinstance(save, bool):
        raise bad_request("RequestBodyRead", "saveToSentItems must be true or false.")
    ctx.state.sent_mail.append({"mailbox": ctx.mailbox, "message": message, "saveToSentItems": save,
                                "sentDateTime": iso_utc(ctx.now)})
    return empty_response(202)
