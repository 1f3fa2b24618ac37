"""PlaceOS error replies turned into messages a desk operator can act on.

``placeos_error`` is the ``error_mapper`` of the PlaceOS ``HttpClient``: it knows the Staff API's
bodies (409 with the clashing bookings, 410 with the limit, 405 with the reason a check-in was
refused, 501 "no tenant", 511 "no user token") and says what to fix. Anything it does not
recognise returns None and falls back to the generic mapping in ``staffterm/http/wire.py``.

Nothing here repeats a key or a token: 401 messages say *which kind* of credential was refused,
never its value, and the HTTP client redacts known secrets from every message on top of that.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from staffterm.errors import (
    AuthError,
    ConfigError,
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    NotSupportedError,
    PermissionDeniedError,
    StafftermError,
)
from staffterm.http.client import body_error_text

log = logging.getLogger("staffterm.placeos")

STAFF_PREFIX = "/api/staff/v1"
ENGINE_PREFIX = "/api/engine/v2"
SETTINGS_HINT = "Check {what} in the tenant's settings (staffterm config show)"

# path segment -> (singular, plural) in plain words
_NOUNS: dict[str, tuple[str, str]] = {
    "bookings": ("booking", "bookings"),
    "events": ("meeting", "meetings"),
    "guests": ("guest", "guests"),
    "people": ("person", "people"),
    "calendars": ("calendar", "calendars"),
    "groups": ("group", "groups"),
    "tenants": ("tenant setting", "tenant settings"),
    "zones": ("zone", "zones"),
    "systems": ("room", "rooms"),
    "metadata": ("metadata entry", "metadata"),
    "users": ("user", "users"),
    "signal": ("signal", "signals"),
    "surveys": ("survey", "surveys"),
}
# /<collection>/<word> routes that are actions, not item ids
_COLLECTION_ACTIONS: dict[str, str] = {
    "free_busy": "read room free/busy",
    "availability": "read room availability",
    "clashing-assets": "check {plural} for clashes",
    "booked": "list booked assets",
    "current_limits": "read the booking limits",
    "current_early_checkin": "read the early check-in window",
    "resource_token": "get a calendar token for this account",
    "current": "read the signed-in account",
    "extension_metadata": "search meeting metadata",
    "approve_all": "approve meetings",
}
# /<collection>/<id>/<word> sub-resources and actions ("{noun}" is the singular)
_ITEM_ACTIONS: dict[str, str] = {
    "check_in": "check in a {noun}",
    "checkin": "check in a {noun}",
    "approve": "approve a {noun}",
    "reject": "reject a {noun}",
    "decline": "decline a {noun}",
    "update_state": "change the state of a {noun}",
    "update_induction": "change the induction of a {noun}",
    "ext_data": "change the extension data of a {noun}",
    "attendee": "change the attendees of a {noun}",
    "revive": "restore a {noun}",
    "children": "read child metadata",
    "members": "read the members of a {noun}",
    "manager": "read the manager of a {noun}",
}


def _segments(path: str) -> list[str]:
    for prefix in (STAFF_PREFIX, ENGINE_PREFIX):
        if path.startswith(prefix):
            path = path[len(prefix):]
            break
    return [s for s in path.split("/") if s]


def describe_request(method: str, path: str) -> str:
    """``POST /api/staff/v1/bookings/12/check_in`` -> ``check in a booking`` (best effort)."""
    method = method.upper()
    segments = _segments(path)
    if not segments:
        return "use this PlaceOS service"
    if segments[0] == "signal":
        return "send signals"
    singular, plural = _NOUNS.get(segments[0], (segments[0], segments[0]))
    if len(segments) == 2 and segments[1] in _COLLECTION_ACTIONS:
        return _COLLECTION_ACTIONS[segments[1]].format(plural=plural)
    if len(segments) >= 3:
        sub = segments[2]
        if sub == "guests":
            if len(segments) >= 5 and segments[4] in ("check_in", "checkin"):
                return f"check in a guest of a {singular}"
            return f"read the guests of a {singular}"
        if sub == "metadata":
            return f"{'read' if method == 'GET' else 'change'} the metadata of a {singular}"
        if sub in _ITEM_ACTIONS:
            return _ITEM_ACTIONS[sub].format(noun=singular)
    if len(segments) == 1:
        verbs = {"GET": f"list {plural}", "POST": f"create a {singular}", "DELETE": f"delete {plural}"}
        return verbs.get(method, f"change {plural}")
    verbs = {"GET": f"read this {singular}", "DELETE": f"delete this {singular}"}
    return verbs.get(method, f"change this {singular}")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def _bookings_from(body: Any, key: str = "bookings") -> list[Any]:
    """The bookings of a 409/410 body, as domain ``Booking``s where they convert, else raw dicts."""
    raw = body.get(key) if isinstance(body, dict) else None
    if not isinstance(raw, list):
        return []
    try:  # written by another module at the same time; a missing or failing converter keeps raw dicts
        from staffterm.backends.placeos.convert import booking_from_wire
    except Exception:  # noqa: BLE001 - any import problem means "no converter"
        return list(raw)
    out: list[Any] = []
    for item in raw:
        try:
            out.append(booking_from_wire(item) if isinstance(item, dict) else item)
        except Exception:  # noqa: BLE001 - a clash we cannot convert is still worth showing raw
            log.debug("could not convert a clashing booking; keeping the raw record")
            out.append(item)
    return out


def _clash_summary(items: list[Any], limit: int = 3) -> str:
    parts: list[str] = []
    for item in items[:limit]:
        if isinstance(item, dict):
            asset = item.get("asset_id") or ",".join(item.get("asset_ids") or []) or "?"
            who = item.get("user_email") or ""
        else:
            asset = getattr(item, "asset_id", "?")
            who = getattr(item, "user_email", "") or ""
        parts.append(f"{asset} ({who})" if who else str(asset))
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(parts) + more


def _limit_message(items: list[Any], limit: int | None) -> str:
    """``ann@… already holds 1 desk booking(s) at that time; the limit is 1`` (the demo site's words)."""
    if not items:
        if limit is not None:
            return f"booking limit reached: the limit for this booking type is {limit}"
        return "booking limit reached: this person may hold no more bookings of this type at that time"
    first = items[0]
    if isinstance(first, dict):
        who, kind = first.get("user_email") or "", first.get("booking_type") or ""
    else:
        who, kind = getattr(first, "user_email", "") or "", getattr(first, "type", "") or ""
    held = f"{len(items)} {kind} booking(s)" if kind else f"{len(items)} booking(s)"
    text = f"booking limit reached: {who or 'this person'} already holds {held} at that time"
    return f"{text}; the limit is {limit}" if limit is not None else text


def _auth_error(response: httpx.Response, host: str, reason: str) -> AuthError:
    request_headers = response.request.headers
    if "domain does not match" in reason.lower():
        return AuthError(
            f"PlaceOS at {host} refused the session: it was issued for another domain",
            hint="Use the site's own address as base_url (the one the PlaceOS account signs in to)",
        )
    if "x-api-key" in request_headers:
        return AuthError(f"PlaceOS refused the API key for {host}", hint=SETTINGS_HINT.format(what="api_key"))
    if "authorization" in request_headers:
        return AuthError(
            f"the PlaceOS session expired or was refused by {host}",
            hint="Sign in again; if it keeps failing, check username, password and client_id in the "
            "tenant's settings (staffterm config show)",
        )
    return AuthError(
        f"PlaceOS at {host} needs a signed-in account for this",
        hint="Set api_key, or username/password/client_id, in the tenant's settings (staffterm config show)",
    )


def _invalid_input(response: httpx.Response, what: str, reason: str) -> InvalidInputError:
    body = _json(response)
    field: str | None = None
    details: list[str] = []
    if isinstance(body, dict):
        if isinstance(body.get("parameter"), str):
            field = body["parameter"]
        failures = body.get("failures")
        if isinstance(failures, list):
            for failure in failures:
                if isinstance(failure, dict):
                    name = str(failure.get("field") or "")
                    field = field or (name or None)
                    details.append(f"{name}: {failure.get('reason', 'invalid')}" if name else str(failure.get("reason")))
    text = reason or "invalid request"
    if field and field not in text:
        text = f"{field}: {text}"
    if details:
        text = f"{text} ({'; '.join(details)})"
    return InvalidInputError(f"PlaceOS could not {what}: {text}", field=field)


_EARLY = re.compile(r"(\d+(?:\.\d+)?)\s*(hour|minute)", re.IGNORECASE)


def _early_window(reason: str) -> str:
    """ "Can only check in an 1.0 hour before …" -> "1 hour"; "… 90 minutes before …" -> "90 minutes"."""
    found = _EARLY.search(reason)
    if found is None:
        return ""
    amount, unit = float(found.group(1)), found.group(2).lower()
    minutes = round(amount * 60) if unit == "hour" else round(amount)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _refusal(request: httpx.Request, what: str, reason: str) -> ConflictError | InvalidInputError:
    """A 405, in the words of what was refused. Staff-api sends it for (src/controllers/bookings.cr):
    any action on a deleted booking (``check_deleted``: ``head :method_not_allowed``, no body),
    and in ``check_in`` "a checked out booking cannot be checked back in", "The booking has ended",
    "Can only check in an <h> hour before the booking start"; in ``update`` "editing booking times
    is allowed on parent bookings only." Guest and event check-ins (guests.cr, events.cr
    ``guest_checkin``) send no 405: a cancelled meeting is a 404 there.

    A refusal because of the booking's own state (ended, too early, checked out) is an
    ``InvalidInputError`` on the ``state`` field, as the local site says it: nothing is in the
    way, so it is not a ``ConflictError`` (which carries the items that clash)."""
    if request.url.params.get("state", "").lower() == "false" and what.startswith("check in"):
        what = "check out" + what[len("check in"):]  # state=false is a check-out
    text = reason.strip().lower()
    if not text or "deleted" in text:
        return ConflictError(f"PlaceOS refused to {what}: the booking was deleted",
                             hint="A deleted booking cannot be changed or checked in or out; book again if the visit is still on.")
    if "checked out" in text or "checked back in" in text:
        return InvalidInputError(f"PlaceOS refused to {what}: the booking was already checked out, and a checked-out "
                             "booking cannot be checked in again", hint="Make a new booking for the rest of the stay.")
    if "ended" in text:
        return InvalidInputError(f"PlaceOS refused to {what}: the booking has already ended",
                             hint="Check-in closes when the booking ends.", field="state")
    if "too early" in text or "can only check in" in text:
        window = _early_window(reason)
        opens = f"check-in opens {window} before the start" if window else "check-in has not opened yet"
        return InvalidInputError(f"PlaceOS refused to {what}: it is too early; {opens}",
                             hint="Try again nearer the start of the booking.", field="state")
    if "parent" in text:
        return InvalidInputError(f"PlaceOS refused to {what}: the times of a recurring booking can only be changed "
                                 "on the whole series", hint="Change the recurring booking itself, not one occurrence.",
                                 field="booking_start")
    return ConflictError(f"PlaceOS refused to {what}: {reason}")


def event_not_found(response: httpx.Response) -> bool:
    """A 404 about the event itself, not about the room or calendar it was looked up in: staff-api
    words it "failed to find event <id> searching on <calendar> as <user>" (events.cr update,
    cancel_event, guest_checkin) or "event <id> not found on …" (show); an unknown room is the
    engine's 404 passed on as "Not Found\\n<engine body>" (``systems.fetch``)."""
    if response.status_code != 404:
        return False
    reason = body_error_text(response).strip().lower()
    return reason.startswith("failed to find event") or (reason.startswith("event ") and " not found on " in reason)


def placeos_error(response: httpx.Response) -> StafftermError | None:
    """The ``error_mapper`` for the PlaceOS ``HttpClient``; None means "use the generic mapping"."""
    status = response.status_code
    request = response.request
    host = request.url.host or "PlaceOS"
    what = describe_request(request.method, request.url.path)
    reason = body_error_text(response)
    body = _json(response)

    if status in (400, 422):
        return _invalid_input(response, what, reason)
    if status == 401:
        return _auth_error(response, host, reason)
    if status == 403:
        return PermissionDeniedError(
            f"this PlaceOS account is not allowed to {what} ({request.method} {request.url.path})",
            hint="Ask a PlaceOS admin for the 'public' scope and manage/admin permission on the zone",
        )
    if status == 404:
        return NotFoundError(f"PlaceOS could not {what}: {reason or 'not found'}", hint="Check the id; it may have been deleted")
    if status == 405:
        return _refusal(request, what, reason)
    if status == 409:
        clashes = _bookings_from(body)
        count = len(clashes)
        if count:
            message = f"PlaceOS refused to {what}: it clashes with {count} booking(s): {_clash_summary(clashes)}"
        else:
            message = f"PlaceOS refused to {what}: {reason or 'it clashes with an existing booking'}"
        return ConflictError(message, clashes=clashes, hint="Pick another time or another asset")
    if status == 410:
        items = _bookings_from(body)
        limit = body.get("limit") if isinstance(body, dict) else None
        limit = limit if isinstance(limit, int) and not isinstance(limit, bool) else None
        return LimitReachedError(
            _limit_message(items, limit),
            limit=limit,
            items=items,
            hint="Cancel one of the existing bookings first, or an admin can pass limit_override",
        )
    if status == 501:
        if "tenant" in reason.lower() or not reason:
            return ConfigError(
                f"this domain has no tenant configured in PlaceOS ({host})",
                key="base_url",
                hint="Ask a PlaceOS admin to add a tenant for this domain in the Staff API tenants admin "
                "(Backoffice > Staff API), or check base_url",
            )
        return NotSupportedError(
            f"PlaceOS cannot {what} on this site's calendar platform: {reason}",
            capability=_segments(request.url.path)[0] if _segments(request.url.path) else None,
        )
    if status == 511:
        return AuthError(
            "delegated tenant: no user token",
            hint="sign in with a user account (username/password), not an API key",
        )
    return None


_NAME_LIST = re.compile(r"\s*,\s*")


def _names(value: str | None) -> list[str]:
    return [n for n in _NAME_LIST.split(value or "") if n]


def partial_failure(response: httpx.Response) -> str | None:
    """A warning for a 206 that names the calendars PlaceOS could not read, or None."""
    headers = response.headers
    limited = _names(headers.get("x-calendar-limit"))
    failed = _names(headers.get("x-calendar-issue"))
    count_text = headers.get("x-calendar-errors")
    if response.status_code != 206 and not (count_text or limited or failed):
        return None
    try:
        count = int(count_text) if count_text else 0
    except ValueError:
        count = 0
    count = max(count, len(limited) + len(failed))
    if count == 0:
        if response.status_code != 206:
            return None
        return "some calendars could not be read; the list may be incomplete"
    parts = []
    if limited:
        parts.append("rate-limited: " + ", ".join(limited))
    if failed:
        parts.append("failed: " + ", ".join(failed))
    noun = "calendar" if count == 1 else "calendars"
    verb = "could not be read"
    return f"{count} {noun} {verb}" + (": " + "; ".join(parts) if parts else "")
