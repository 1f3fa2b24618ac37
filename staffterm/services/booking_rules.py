"""The limits a front desk puts on every booking and meeting, whatever the backend.

A provider may accept a meeting in the year 9999, ``a@b`` as a guest or a 120 KB title; a desk
never means any of those, so the services refuse them before anything is sent, with a message
that names the field and the limit. The horizon (how far ahead bookings may reach) comes from
the config (``[booking] horizon_days``); the other limits are fixed here.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from staffterm.errors import InvalidInputError

#: How far ahead a booking may reach when the config says nothing (``[booking] horizon_days``).
DEFAULT_HORIZON_DAYS = 365
#: How far in the past a new meeting may start (a desk booking "now" takes a moment to type).
PAST_GRACE = timedelta(minutes=5)
#: One line a screen, a room panel and a calendar invitation can all show.
TITLE_MAX_CHARS = 255
#: Room for an agenda or directions; not a place to paste documents.
DESCRIPTION_MAX_CHARS = 4000

# RFC 5321: 64 characters before the @, 254 in the whole path, 63 per domain label.
_LOCAL_MAX = 64
_EMAIL_MAX = 254
_LABEL = re.compile(r"(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?", re.UNICODE)  # letters/digits, inner '-'
_LOCAL_SPECIALS = set("!#$%&'*+/=?^_`{|}~.-")
_EMAIL_HINT = "Give an address like name@example.com."


def _has_control(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch not in allowed for ch in text)


def check_email(value: object, field: str, what: str) -> str:
    """A plausible mailbox, lower-cased: local@domain.tld, no spaces or control characters."""
    if not isinstance(value, str):
        raise InvalidInputError(f"the {what} must be an email address (local@domain.tld)", field=field, hint=_EMAIL_HINT)
    text = value.strip(" ").lower()
    shown = text if len(text) <= 80 else text[:77] + "..."

    def refuse(why: str) -> InvalidInputError:
        return InvalidInputError(
            f"the {what} {shown!r} is not a plausible email address (local@domain.tld): {why}", field=field, hint=_EMAIL_HINT
        )

    if _has_control(text) or any(ch.isspace() for ch in text):
        raise refuse("it contains spaces or control characters")
    if len(text) > _EMAIL_MAX:
        raise refuse(f"it is longer than {_EMAIL_MAX} characters")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or "@" in local:
        raise refuse("it needs exactly one @ with a name before it and a domain after it")
    if len(local) > _LOCAL_MAX:
        raise refuse(f"the part before the @ is longer than {_LOCAL_MAX} characters")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise refuse("the part before the @ has a misplaced dot")
    if not all(ch.isalnum() or ch in _LOCAL_SPECIALS for ch in local):
        raise refuse("the part before the @ has a character mail does not allow")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise refuse("the domain must be names separated by dots, e.g. example.com")
    tld = labels[-1]
    if len(tld) < 2 or any(ch.isdigit() for ch in tld):
        raise refuse(f"{tld!r} is not a top-level domain")
    return text


def check_text(value: object, field: str, what: str, *, limit: int, multiline: bool = False) -> str:
    """A title (one line) or description (lines and tabs allowed) no longer than ``limit``."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInputError(f"the {what} must be text", field=field)
    if len(value) > limit:
        raise InvalidInputError(
            f"the {what} is {len(value)} characters long; the limit is {limit} characters", field=field,
            hint="Shorten it.",
        )
    if _has_control(value, allowed="\n\r\t" if multiline else ""):
        kind = "control characters other than line breaks and tabs" if multiline else "line breaks or control characters"
        raise InvalidInputError(f"the {what} contains {kind}", field=field, hint="Keep it to plain text.")
    return value


def check_aware(moment: object, field: str) -> datetime:
    """A timezone-aware datetime. Comparing it with "now" is safe at any date; converting it is
    not (``9999-12-31T23:00-05:00`` has no UTC form), so the horizon is checked first."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError(f"{field} must be a date and time with a time zone", field=field)
    return moment


class Horizon:
    """How far ahead (and how little in the past) bookings may reach, measured from "now"."""

    def __init__(self, days: int = DEFAULT_HORIZON_DAYS) -> None:
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise ValueError(f"a booking horizon is a whole number of days above 0, not {days!r}")
        self.days = days
        self.span = timedelta(days=days)

    def latest(self, now: datetime) -> datetime:
        return now + self.span

    def check_within(self, moment: datetime, field: str, now: datetime) -> None:
        """``moment`` (already aware) is no later than the horizon."""
        latest = self.latest(now)
        if moment > latest:
            raise InvalidInputError(
                f"bookings can be made up to {self.days} days ahead (until {latest:%Y-%m-%d %H:%M} UTC); "
                f"the {field} {moment.isoformat()} is beyond that",
                field=field,
                hint="Pick an earlier date, or raise [booking] horizon_days in the config.",
            )

    def check_lengthened(self, base: datetime, length: timedelta, field: str, now: datetime) -> None:
        """``base + length`` is within the horizon, checked without computing it (``base`` may
        sit at the very end of the calendar, where the sum would overflow)."""
        latest = self.latest(now)
        if base > latest - length:
            minutes = int(length.total_seconds() // 60)
            raise InvalidInputError(
                f"bookings can be made up to {self.days} days ahead (until {latest:%Y-%m-%d %H:%M} UTC); "
                f"{minutes} minutes from {base.isoformat()} is beyond that",
                field=field,
                hint="Pick an earlier time or a shorter span, or raise [booking] horizon_days in the config.",
            )

    def check_period(self, start: object, end: object, now: datetime, *, max_length: timedelta) -> tuple[datetime, datetime]:
        """A new booking's span: aware, in order, not too long, from now on, within the horizon.

        The start is checked against the horizon before any arithmetic on it, so dates at the
        edge of the calendar are refused in words, never by an overflow.
        """
        begin = check_aware(start, "start")
        finish = check_aware(end, "end")
        if begin < now - PAST_GRACE:
            raise InvalidInputError(f"the start ({begin.isoformat()}) is in the past", field="start", hint="Pick a time from now on.")
        self.check_within(begin, "start", now)
        if finish <= begin:
            raise InvalidInputError(f"the end ({finish.isoformat()}) must be after the start ({begin.isoformat()})", field="end")
        if finish - begin > max_length:
            raise InvalidInputError(f"a booking may last at most {max_length.days} days", field="end")
        self.check_within(finish, "end", now)
        return begin, finish
