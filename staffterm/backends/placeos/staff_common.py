"""Small helpers shared by the Staff API client modules: epoch times, required values, filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from staffterm.errors import InvalidInputError

STAFF = "/api/staff/v1"
# Written into a created item's extension_data so a retry after a lost reply can find it.
REQUEST_ID_KEY = "staffterm_request_id"


def utc_now() -> datetime:
    return datetime.now(UTC)


def epoch(value: Any, field: str) -> int:
    """Epoch seconds from an int/float, a digit string or a timezone-aware datetime."""
    if value is None or value == "":
        raise InvalidInputError(f"{field} is required", field=field)
    if isinstance(value, bool):
        raise InvalidInputError(f"{field} must be a time, not {value!r}", field=field)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive time is ambiguous at a desk that serves several time zones.
            raise InvalidInputError(f"{field} needs a time zone (got {value.isoformat()})", field=field)
        return int(value.timestamp())
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return epoch(datetime.fromisoformat(text), field)
        except ValueError:
            pass
    raise InvalidInputError(f"{field} must be epoch seconds or an ISO time with a zone, not {value!r}", field=field)


def epoch_or_none(value: Any, field: str) -> int | None:
    return None if value is None or value == "" else epoch(value, field)


def required(value: Any, field: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise InvalidInputError(f"{field} is required", field=field)
    return text


def clash_params(return_available: bool, include_clash_time: bool) -> dict[str, Any]:
    if return_available and include_clash_time:
        raise InvalidInputError("return_available and include_clash_time cannot be combined", field="include_clash_time")
    return {"return_available": True if return_available else None,
            "include_clash_time": True if include_clash_time else None}


def extension_data_filter(value: Any) -> str | None:
    """The ``extension_data`` query filter in the Staff API's ``{key:value,key2:value}`` syntax."""
    if value is None or value == {} or value == "":
        return None
    if isinstance(value, dict):
        return "{" + ",".join(f"{key}:{_filter_value(v)}" for key, v in value.items()) + "}"
    text = str(value).strip()
    return text if text.startswith("{") else "{" + text + "}"


def _filter_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
