"""The HTTP layer's pure helpers: ``Link`` paging, ``Retry-After``, query encoding, and the generic mapping of an HTTP failure to a
``staffterm.errors`` class. No state and no I/O: ``client.py`` holds the client that uses them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from staffterm.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    NotSupportedError,
    PermissionDeniedError,
    StafftermError,
    ThrottledError,
    UnavailableError,
)

# RFC 9110 delay-seconds is ASCII digits; a fraction is tolerated. float() alone would also take
# "inf", "nan", "-3", "1_000" and non-ASCII digits, none of which a server means as a wait.
_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


# --------------------------------------------------------------------------- small helpers


def next_link(response: httpx.Response) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, or None."""
    header = response.headers.get("link")
    if not header:
        return None
    for part in header.split(","):
        section = part.strip()
        if not section.startswith("<") or ">" not in section:
            continue
        url, _, rest = section[1:].partition(">")
        rels = [p.strip() for p in rest.split(";") if p.strip().lower().startswith("rel=")]
        for rel in rels:
            if "next" in rel.split("=", 1)[1].strip("\"' ").lower().split():
                return url.strip()
    return None


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (a past date means now).

    None for anything else, so the caller falls back to jittered backoff instead of trusting it.
    """
    value = (value or "").strip()
    if not value:
        return None
    if _DELAY_SECONDS.fullmatch(value):
        seconds = float(value)
        return seconds if math.isfinite(seconds) else None
    when = _http_date(value)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def response_retry_after(response: httpx.Response) -> float | None:
    """A response's ``Retry-After``, a date measured against the response's own ``Date``.

    Both dates come from the server's clock, so a local clock that is hours off neither skips
    the wait nor turns thirty seconds into hours.
    """
    return retry_after_seconds(response.headers.get("retry-after"), now=_http_date(response.headers.get("date")))


def body_error_text(response: httpx.Response) -> str:
    """The message of a JSON error body (``error`` / ``message`` / ``error_description``), or ""."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # Graph / Google: {"error": {"code", "message"}}
            return str(error.get("message") or error.get("code") or "")
        parts = [str(body[k]) for k in ("error", "message", "error_description") if isinstance(body.get(k), str)]
        return ": ".join(dict.fromkeys(p for p in parts if p))
    return ""


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query values on the wire: None dropped, bools as true/false, sequences comma-joined."""
    encoded: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
            encoded[key] = ",".join(str(v) for v in items)
        elif isinstance(value, datetime):
            encoded[key] = str(int(value.timestamp()))
        else:
            encoded[key] = str(value)
    return encoded


def _plain_path(method: str, url: httpx.URL) -> str:
    return f"{method} {url.path}"


def error_from_response(response: httpx.Response, *, provider: str, host: str) -> StafftermError:
    """The generic mapping of an HTTP failure to a ``staffterm.errors`` class."""
    status = response.status_code
    reason = body_error_text(response)
    what = _plain_path(response.request.method, response.request.url) if response.request else ""
    said = f": {reason}" if reason else ""
    if status in (400, 422):
        return InvalidInputError(f"{provider} refused the request{said}", hint=f"({what} answered {status})")
    if status == 401:
        return AuthError(
            f"{provider} at {host} refused our credentials{said}",
            hint="Check the tenant's key or password (staffterm config check).",
        )
    if status == 403:
        return PermissionDeniedError(
            f"this {provider} account is not allowed to do that{said}", hint=f"({what} answered 403)"
        )
    if status == 404:
        return NotFoundError(f"{provider} has no such item{said}", hint=f"({what} answered 404)")
    if status in (405, 409):
        return ConflictError(f"{provider} refused{said}")
    if status == 410:
        return LimitReachedError(f"{provider}: limit reached{said}")
    if status == 429:
        wait = response_retry_after(response)
        later = f" (try again in {wait:.0f} s)" if wait is not None else ""
        return ThrottledError(f"{provider} is throttling requests{later}", retry_after=wait)
    if status == 501:
        return NotSupportedError(f"{provider} does not support this{said}")
    if 500 <= status:
        return UnavailableError(f"{provider} at {host} failed (HTTP {status}){said}")
    return UnavailableError(f"{provider} answered HTTP {status}{said}")
