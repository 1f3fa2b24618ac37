"""Types of command-line arguments: bounded whole numbers, ids, times away from the calendar's
edges, and ``@file`` text read with a byte cap.

Each refuses bad input with ``argparse.ArgumentTypeError`` (exit 2, nothing opened), naming the
value; none reads or computes more than its argument justifies.
"""

from __future__ import annotations

import argparse
import os
import stat
from datetime import date, datetime
from pathlib import Path

from staffterm.cli.times import TimeArg, parse_time_arg

#: The largest whole number an option takes: PlaceOS reads counts, capacities and limits as
#: Int32 (PlaceOS/staff-api src/controllers/calendars.cr, availability: ``capacity : Int32?``;
#: src/controllers/bookings.cr, index: ``limit : Int32``), and no site has more of anything.
LARGEST_NUMBER = 2**31 - 1

#: Dates a time argument may name. A day window is local midnight to the next one, and a zone's
#: offset moves it up to a day either way, so the calendar's first and last two days cannot be
#: windowed (Python's dates stop at 0001-01-01 and 9999-12-31).
EARLIEST_DATE = date(1, 1, 3)
LATEST_DATE = date(9999, 12, 29)

#: Widest PNG ``staffterm qr --png`` writes, in pixels (services.qr.MAX_PNG_SIZE says the same).
QR_MAX_PNG_SIZE = 4096

#: Most an ``@file`` argument may hold: JSON payloads for driver commands are a few KB.
ARGUMENT_FILE_LIMIT = 1024 * 1024


def _whole_number(text: str, smallest: int, largest: int) -> int:
    digits = text.strip().lstrip("+-")
    if digits.isdigit() and len(digits) > len(str(LARGEST_NUMBER)):
        # int() of a 5,000-digit string is refused by Python itself; either way it is too big.
        raise argparse.ArgumentTypeError(f"{text!r} is too large: give at most {largest}")
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < smallest:
        raise argparse.ArgumentTypeError(f"{text!r} must be {smallest} or more")
    if value > largest:
        raise argparse.ArgumentTypeError(f"{text!r} is too large: give at most {largest}")
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1, LARGEST_NUMBER)


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0, LARGEST_NUMBER)


def png_size(text: str) -> int:
    return _whole_number(text, 1, QR_MAX_PNG_SIZE)


def identifier(text: str) -> str:
    """An id, email or name that picks one thing: not blank, no control characters (an id
    with a newline or an escape in it cannot name anything real, and would only be echoed)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an id cannot be empty")
    from staffterm.cli.output import visible

    if visible(text) != text:
        raise argparse.ArgumentTypeError(f"'{visible(text)}' is not an id: it holds control characters")
    return text


def time_arg(text: str) -> TimeArg:
    """``parse_time_arg``, refusing dates so near the calendar's ends that a day window or a
    zone offset would run off them."""
    parsed = parse_time_arg(text)
    day = parsed.value.date() if isinstance(parsed.value, datetime) else parsed.value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(
            f"{text!r} is too near the edge of the calendar: give a date from "
            f"{EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"
        )
    return parsed


def read_argument_file(name: str, *, limit: int = ARGUMENT_FILE_LIMIT) -> str:
    """The UTF-8 text of an ``@file`` argument, at most ``limit`` bytes.

    A regular file larger than that is refused from its size, unread; anything else (a pipe,
    ``/dev/zero``) is read only to one byte past the limit, so an endless source costs a
    bounded read, never all memory.
    """
    path = Path(name).expanduser()
    what = f"{limit // (1024 * 1024)} MiB" if limit % (1024 * 1024) == 0 else f"{limit} bytes"
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise argparse.ArgumentTypeError(f"{path} is {info.st_size} bytes; an @file argument holds at most {what}")
            data = handle.read(limit + 1)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise argparse.ArgumentTypeError(f"{path} holds more than {what}, the most an @file argument may hold")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise argparse.ArgumentTypeError(f"{path} is not UTF-8 text (byte {exc.start} is not)") from None
