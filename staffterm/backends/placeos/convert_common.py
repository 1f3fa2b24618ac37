"""Shared readers for PlaceOS wire values: epoch seconds, ids, text, flags, lists.

Every reader refuses what cannot be read with ``malformed(...)`` -- an ``UnavailableError``
saying PlaceOS sent something broken -- never a bare ``KeyError`` or ``ValidationError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from staffterm.errors import UnavailableError
from staffterm.models import check_timezone

# A system with ``approval: true`` is a room whose bookings wait for an approver. The console
# knows such rooms by this feature, as on the local site (staffterm.rules.APPROVAL_FEATURE).
APPROVAL_FEATURE = "approval"

# --------------------------------------------------------------------------- primitives


def malformed(thing: str, detail: str) -> UnavailableError:
    return UnavailableError(
        f"PlaceOS sent a malformed {thing}: {detail}",
        hint="This is a fault on the PlaceOS side; try again, or tell the PlaceOS administrator.",
    )


def require_mapping(data: Any, thing: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise malformed(thing, f"expected an object, got {type(data).__name__}")
    return data


def wire_id(data: Mapping[str, Any], thing: str, key: str = "id") -> str:
    value = data.get(key)
    if isinstance(value, bool) or value is None or not isinstance(value, (str, int)):
        raise malformed(thing, f"no {key}" if value is None else f"{key} is {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise malformed(thing, f"empty {key}")
    return text


def wire_text(data: Mapping[str, Any], key: str, thing: str) -> str:
    """An optional string field: missing/null -> ""; a number becomes its text; else malformed."""
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise malformed(thing, f"{key} is {type(value).__name__}, not text")


def wire_email(data: Mapping[str, Any], key: str, thing: str) -> str:
    """An email field, lower-cased; missing -> ""; anything but text (a number) is malformed."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise malformed(thing, f"{key} is {type(value).__name__}, not an email address")
    return value.strip().lower()


def wire_bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def str_list(data: Mapping[str, Any], key: str, thing: str) -> list[str]:
    """A list of strings; PlaceOS sometimes sends a comma-joined string instead."""
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple, set)):
        out: list[str] = []
        for item in value:
            if isinstance(item, (str, int)) and not isinstance(item, bool):
                text = str(item).strip()
                if text and text not in out:
                    out.append(text)
            elif item is not None:
                raise malformed(thing, f"{key} holds a {type(item).__name__}")
        return out
    raise malformed(thing, f"{key} is {type(value).__name__}, not a list")


def from_epoch(value: Any, field: str, thing: str) -> datetime:
    """Epoch seconds (int, float or digit string) -> aware UTC datetime."""
    if isinstance(value, bool) or value is None:
        raise malformed(thing, f"no {field}" if value is None else f"{field} is not a time")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise malformed(thing, f"{field} {value!r} is not epoch seconds") from None
    if not isinstance(value, (int, float)):
        raise malformed(thing, f"{field} is {type(value).__name__}, not epoch seconds")
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise malformed(thing, f"{field} {value!r} is out of range") from None


def opt_epoch(data: Mapping[str, Any], key: str, thing: str) -> datetime | None:
    value = data.get(key)
    if value is None or value == "" or value == 0:
        return None
    return from_epoch(value, key, thing)


def to_epoch(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        # Models only hold aware datetimes; this guards against callers building dicts by hand.
        raise ValueError(f"{moment.isoformat()} has no time zone")
    return int(moment.timestamp())


def wire_timestamp(value: Any) -> datetime | None:
    """``created``/``updated`` of events: an ISO string or epoch seconds; unreadable -> None
    (nobody acts on them, so they are not worth refusing an event over)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(int(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return None


def valid_timezone(value: Any) -> str | None:
    """An IANA zone name, or None for anything else (PlaceOS zones carry free text)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return check_timezone(value.strip())
    except ValueError:
        return None


def ext_data(data: Mapping[str, Any], key: str = "extension_data") -> dict[str, Any]:
    value = data.get(key)
    return dict(value) if isinstance(value, Mapping) else {}


def build(model: type, thing: str, **fields: Any) -> Any:
    try:
        return model(**fields)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise malformed(thing, f"{where}: {message}" if where else message) from None
