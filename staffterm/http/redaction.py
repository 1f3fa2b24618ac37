"""Redaction for anything that may be logged, shown or raised: the values of known secrets, and
the credentials a URL, a header set or a request body carries by name. Pure functions, no I/O.
"""

from __future__ import annotations

import json as _json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

# Query parameters and headers whose values are secrets wherever they appear.
SENSITIVE_PARAMS = frozenset(
    {
        "api-key", "api_key", "apikey", "key", "bearer_token", "access_token", "refresh_token", "id_token",
        "token", "password", "client_secret", "code", "assertion", "client_assertion", "sig", "signature",
    }
)
SENSITIVE_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization"})

def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each known secret value in ``text`` with ``***``."""
    # Longest first, so a secret that contains another is not left half-visible.
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def redact_url(url: str | httpx.URL) -> str:
    """The URL with any user:password and the values of sensitive query parameters as ``***``."""
    parts = urlsplit(str(url))
    if "@" in parts.netloc:
        parts = parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2])
    if parts.query:
        pairs = [(k, "***" if k.lower() in SENSITIVE_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        parts = parts._replace(query=urlencode(pairs, safe="*,:"))
    return urlunsplit(parts)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers for a log line: credentials and cookies as ``***`` (an auth scheme stays visible)."""
    shown: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower in ("authorization", "proxy-authorization") and " " in value.strip():
            shown[name] = value.strip().split(" ", 1)[0] + " ***"
        elif lower in SENSITIVE_HEADERS:
            shown[name] = "***"
        else:
            shown[name] = value
    return shown


def _redact_json(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: "***" if str(k).lower() in SENSITIVE_PARAMS else _redact_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_redact_json(v) for v in node]
    return node


def redact_body(content: bytes, content_type: str = "") -> str:
    """A request or error body for a log line, with sensitive form fields and JSON keys as ``***``."""
    if not content:
        return ""
    text = content.decode("utf-8", errors="replace")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, "***" if k.lower() in SENSITIVE_PARAMS else v) for k, v in pairs], safe="*@,:")
    if kind.endswith("json") or text.lstrip()[:1] in ("{", "["):
        try:
            return _json.dumps(_redact_json(_json.loads(text)), ensure_ascii=False)
        except ValueError:
            pass
    return text
