"""Field types and checks shared by the configuration's models (``models``, ``providers``).

A validator that wants to name a key below the one pydantic reports returns its message through
``at_key`` (see ``staffterm.config.loading``).
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def at_key(key: str, message: str) -> str:
    """A validator message about a key below the one pydantic reports (see ``_format_errors``)."""
    return f"@{key}: {message}"


_HOST_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


def _http_url(value: str) -> str:
    """An http(s) URL with a host and a port in 1-65535, checked here so that a bad one is named
    by its key instead of failing deep inside the HTTP client (port 99999 raised an exception
    group from its connection pool). Credentials in the URL are refused: they would be shown
    wherever the URL is (``config show``, messages); they belong in the secret settings."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        raise ValueError("is not a valid URL; write it like https://example.com") from None
    if parts.scheme not in ("http", "https") or not value.lower().startswith(parts.scheme + "://"):
        raise ValueError("must start with http:// or https://")
    if any(ch.isspace() for ch in value):
        raise ValueError("must not contain spaces")
    if "@" in parts.netloc:
        raise ValueError("must not contain a user name or password; give them in the tenant's own settings")
    if not parts.hostname:
        raise ValueError("must be a full URL with a host name, e.g. https://example.com")
    host = parts.hostname
    if not _valid_host(host, bracketed=parts.netloc.startswith("[")):
        raise ValueError(f"{host!r} is not a valid host name")
    _, bracket, after = parts.netloc.rpartition("]")
    port_text = (after if bracket else parts.netloc).rpartition(":")
    if port_text[1] and port_text[2]:
        port = port_text[2]
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            shown = int(port) if port.isdigit() else port
            raise ValueError(f"port {shown!r} is not a port number (1-65535)")
    return value.rstrip("/")


def _valid_host(host: str, *, bracketed: bool) -> bool:
    import ipaddress

    if bracketed:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def _email(value: str) -> str:
    value = value.strip()
    local, sep, domain = value.partition("@")
    if not sep or not local or "." not in domain or any(ch.isspace() for ch in value):
        raise ValueError("must be an email address, e.g. someone@example.com")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Email = Annotated[str, AfterValidator(_email)]


class Section(BaseModel):
    # Input is hidden from pydantic's own error text: an input may be an inline secret.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


TEMPLATE_PARTS = ("subject", "text", "html")
_BAD_PLACEHOLDER = re.compile(r"%\{(?![^{}]+\})")


def check_templates(value: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, dict[str, str]]]:
    """Mail templates (group -> who -> part -> text): known parts only, placeholders well formed."""
    for group, whos in value.items():
        for who, parts in whos.items():
            for part, text in parts.items():
                where = f"{group}.{who}.{part}"
                if part not in TEMPLATE_PARTS:
                    raise ValueError(at_key(where, f"unknown template part; use {', '.join(TEMPLATE_PARTS)}"))
                if _BAD_PLACEHOLDER.search(text):
                    raise ValueError(at_key(where, "has a malformed placeholder; write %{name}"))
    return value
