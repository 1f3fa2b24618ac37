"""Replies that did not arrive whole, and what they say about a write's outcome.

A reply can be lost at three points: before the request went out (the write did not happen),
after it went out but before a status line came back (it may have happened), or after a 2xx
status line whose body was cut off (it happened). ``HttpClient`` tells these apart; this module
holds the checks and the words, so the request loop stays readable and every remote backend
reports a lost reply the same way.
"""

from __future__ import annotations

import json as _json
from typing import Any

import httpx

from staffterm.errors import ReplyLostError, StafftermError, UnavailableError

# Where a parsed 2xx body is kept on the response, so checking it costs no second parse.
PARSED_ATTR = "_staffterm_json"
_UNSET = object()

# Statuses a gateway or proxy answers for a server that may have acted already (the request
# reached it; the answer did not come back). A 429 is refused before any work is done.
MAY_HAVE_ACTED = frozenset({502, 503, 504})

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def looks_like_json(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind:
        return kind == "application/json" or kind.endswith("+json")
    return response.content.lstrip()[:1] in (b"{", b"[")


def body_is_whole(response: httpx.Response) -> bool:
    """False for a JSON reply that stops half way (a proxy or a dropped connection cut it).

    A body that is not JSON at all (a proxy's HTML page) is whole: that is a different fault,
    reported by ``decode_json`` as such. The parsed body is kept for ``parsed_json``.
    """
    if not response.content or not looks_like_json(response):
        return True
    try:
        parsed = _json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return False
    setattr(response, PARSED_ATTR, parsed)
    return True


def parsed_json(response: httpx.Response) -> Any:
    """The body as JSON, parsed once (``ValueError`` when it is not JSON)."""
    parsed = getattr(response, PARSED_ATTR, _UNSET)
    if parsed is _UNSET:
        parsed = response.json()
        setattr(response, PARSED_ATTR, parsed)
    return parsed


def cut_off_error(provider: str, what: str) -> UnavailableError:
    return UnavailableError(
        f"{provider}'s reply to {what} was cut off before its end",
        hint="The connection or a proxy on the way dropped part of it; try again.",
    )


def applied_error(provider: str, what: str) -> ReplyLostError:
    """A write the server accepted (2xx) whose reply body never arrived whole: it is done."""
    return ReplyLostError(
        f"{provider} accepted {what}, but its reply was cut off: the change is done",
        applied=True,
        hint="Refresh to see the result; do not repeat the change.",
    )


def maybe_applied_error(provider: str, what: str, cause: StafftermError) -> ReplyLostError:
    """A write sent, whose answer never came back: it may or may not have been carried out."""
    return ReplyLostError(
        f"{provider} may have carried out {what}; its answer was lost ({cause.message})",
        applied=None,
        hint="Check whether it happened (refresh, or look the item up) before trying again: "
        "repeating it blindly could do it twice.",
    )
