"""The hostile values and the argument slots they are tried in.

A slot is an argv with ``{}`` where the value goes. ``MUST_FAIL`` slots name something that does
not exist (or cannot be written), so every value there must be refused with exit 1 or 2 and
change nothing; ``READS`` slots are listings, where exit 0 with an empty answer is fine but the
output must still be plain.
"""

from __future__ import annotations

START, END = "2026-11-21T09:00", "2026-11-21T10:00"

TEXT_VALUES: list[str] = [
    "",
    " ",
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[H\x1b[31mred",
    "a\nFAKE  row  forged",
    "carriage\rreturn",
    "nul\x00byte",
    "\x7f\x9b31m",
    "\u202eevil\u202c",
    "line\u2028separator",
    "\udcff\udcfe",  # bytes 0xff 0xfe from a non-UTF-8 argv (surrogateescape)
    "\ud800",
    "../../etc/passwd",
    "/etc/passwd",
    "..",
    "%",
    "_",
    "*",
    "?a=b#c",
    "a/b",
    "%2e%2e%2f",
    "-",
    "'; DROP TABLE bookings; --",
    "\\x1b[31m",
    "\U0001F600 caf\u00e9",
    "9" * 5000,
    "x" * 120_000,
    "\u00e9" * 60_000,  # 120 KB as UTF-8
]

# The values that reach different code (escape, newline, surrogate, path, empty, huge): tried
# in every slot; the whole list goes to one slot of each kind (``FULL``), keeping the suite quick.
CORE_TEXT_VALUES: list[str] = [
    "",
    "\x1b]0;pwned\x07",
    "a\nFAKE  row  forged",
    "\u202eevil\u202c",
    "\udcff\udcfe",
    "../../etc/passwd",
    "%",
    "'; DROP TABLE bookings; --",
    "9" * 5000,
    "x" * 120_000,
]

TIME_VALUES: list[str] = [
    "0001-01-01",
    "0001-01-01T00:00",
    "0001-01-01T00:00+23:59",
    "0001-01-01T00:00-23:59",
    "0001-01-02",
    "9999-12-31",
    "9999-12-30",
    "9999-12-31T23:59",
    "9999-12-31T23:59-23:59",
    "9999-12-31T23:59+23:59",
    "10000-01-01",
    "0000-01-01",
    "2026-02-30",
    "2026-11-21T25:00",
    "2026-11-21T09:00+24:00",
    "2026-11-21T09:00\x1b[31m",
    "\udcff2026-11-21",
    "",
    "9" * 5000,
]

NUMBER_VALUES: list[str] = [
    "0",
    "-1",
    "2147483648",
    "9" * 30,
    "9" * 5000,
    "1e9",
    "NaN",
    "inf",
    "0x10",
    "\x1b[31m5",
    "\udcff",
    "",
]

BOOK_UNKNOWN_ASSET = f"bookings create --type desk --asset {{}} --user ada.lovelace@acme.example --start {START} --end {END} --zone {{}}"

MUST_FAIL: list[str] = [
    "bookings show {}",
    "bookings approve {}",
    "bookings reject {}",
    "bookings check-in {}",
    "bookings check-out {}",
    "bookings delete {}",
    "guests check-in {}",
    "guests check-out {}",
    "users show {}",
    "groups members {}",
    "events delete --calendar rm-lon-1-01 {}",
    "events decline --calendar rm-lon-1-01 {}",
    "events approve --room rm-lon-1-01 {}",
    "events reject --room {} evt-none",
    f"events create --room {{}} --title T --start {START} --end {END}",
    BOOK_UNKNOWN_ASSET,
    "bookings --zone {}",
    "guests --zone {}",
    "freebusy --room {}",
    "tenant remove {}",
    "--tenant {} rooms",
    "placeos zone --zone_id {}",
]

READS: list[str] = [
    "rooms --query {}",
    "rooms --zone {}",
    "users --query {}",
    "groups --query {}",
    "guests --query {}",
    "bookings --user {}",
    "bookings --type {}",
    "zones --parent {}",
    "qr {}",
]

TIME_SLOTS: list[tuple[str, bool]] = [
    ("bookings --start {}", False),
    ("bookings --end {}", False),
    ("guests --start {}", False),
    ("freebusy --zone bld-lon --start {}", False),
    ("events --calendar rm-lon-1-01 --end {}", False),
    ("bookings --start {} --end {}", False),
    # A desk booked at the edge of the calendar: in the past, or absurdly far ahead.
    ("bookings create --type desk --asset desk-lon-2-05 --user ada.lovelace@acme.example --start {} --end {}", True),
    ("events create --room rm-lon-1-01 --title T --start {} --end {}", True),
]

NUMBER_SLOTS: list[tuple[str, bool]] = [
    ("rooms --capacity {}", False),
    ("mail outbox --limit {}", False),
    ("qr hello --png {png} --size {}", False),
]


def argv_for(slot: str, value: str, **extra: str) -> list[str]:
    """Split the slot on spaces first, so a value with spaces stays one argument."""
    return [part.format(value, **extra) if "{" in part else part for part in slot.split(" ")]


# Slots that get every text value: one per kind of code path (a booking action, a guest
# action, a directory lookup, an event action, a write naming a place, a filter, the QR).
FULL = {
    "bookings show {}", "bookings check-in {}", "guests check-in {}", "users show {}",
    "events delete --calendar rm-lon-1-01 {}", BOOK_UNKNOWN_ASSET, "bookings --zone {}",
    "rooms --query {}", "bookings --user {}", "qr {}",
}


def cases(tmp_png: str) -> list[tuple[list[str], bool]]:
    """Every (argv, must_fail) pair the corpus tries."""
    found: list[tuple[list[str], bool]] = []
    for slot in MUST_FAIL:
        found += [(argv_for(slot, value), True) for value in (TEXT_VALUES if slot in FULL else CORE_TEXT_VALUES)]
    for slot in READS:
        found += [(argv_for(slot, value), False) for value in (TEXT_VALUES if slot in FULL else CORE_TEXT_VALUES)]
    for slot, must_fail in TIME_SLOTS:
        found += [(argv_for(slot, value), must_fail) for value in TIME_VALUES]
    for slot, must_fail in NUMBER_SLOTS:
        found += [(argv_for(slot, value, png=tmp_png), must_fail) for value in NUMBER_VALUES]
    return found
