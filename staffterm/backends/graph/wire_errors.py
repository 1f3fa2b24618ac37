"""Graph's error replies (``{"error": {"code", "message", "innerError"}}``, concepts/errors.md)
as ``staffterm.errors`` classes, with what to do where Graph's own words do not say it.

Returns None for replies this module has nothing to add to; the shared HTTP layer's generic
mapping takes those (``staffterm.http.wire.error_from_response``).
"""

from __future__ import annotations

from typing import Any

import httpx

from staffterm.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    StafftermError,
    ThrottledError,
)

# Application permissions (admin consent) the console uses, per area (cloud-apis notes A8).
PERMISSIONS_HINT = ("In the Azure portal: App registrations > your app > API permissions: add the Microsoft Graph "
                    "application permissions Place.Read.All, Calendars.ReadWrite, User.Read.All, "
                    "GroupMember.Read.All and Mail.Send, then \"Grant admin consent\".")


def graph_error_body(response: httpx.Response) -> tuple[str, str]:
    """(code, message) of a Graph error body; empty strings when the body is not one."""
    try:
        body: Any = response.json()
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return error_parts(body)


def error_parts(body: Any) -> tuple[str, str]:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("code") or ""), str(error.get("message") or "").strip()


def graph_error(response: httpx.Response) -> StafftermError | None:
    code, message = graph_error_body(response)
    return error_for(response.status_code, code, message, _retry_after(response.headers))


def error_for(status: int, code: str, message: str, retry_after: float | None = None) -> StafftermError | None:
    """The error for a status and a Graph error body: the whole reply's, or one ``$batch`` answer's."""
    said = f": {message}" if message else ""
    tag = f" ({code})" if code else ""
    if status == 401:
        return AuthError(f"Microsoft Graph refused the access token{said}{tag}",
                         hint="Check the tenant's sign-in (staffterm config check).")
    if status == 403:
        return PermissionDeniedError(f"Microsoft Graph denied access{said}{tag}", hint=PERMISSIONS_HINT)
    if status == 404:
        return NotFoundError(f"Microsoft Graph has no such item{said}{tag}")
    if status == 429:
        later = f" (try again in {retry_after:.0f} s)" if retry_after is not None else ""
        return ThrottledError(f"Microsoft Graph is throttling requests{later}{said}", retry_after=retry_after)
    if status in (409, 412):
        return ConflictError(f"Microsoft Graph refused the change{said}{tag}")
    if status == 400:
        return InvalidInputError(f"Microsoft Graph refused the request{said}{tag}")
    return None


def _retry_after(headers: Any) -> float | None:
    raw = None
    for key, value in (headers or {}).items():
        if str(key).lower() == "retry-after":
            raw = value
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except (TypeError, ValueError):
        return None
