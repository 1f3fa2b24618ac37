"""What the Staff API does with booking fields and filters, where it differs from what they say.

PlaceOS's booking update copies a fixed list of keys and drops the rest without a word, an
occurrence of a recurring booking keeps only a few of them, and some ``GET /bookings`` filters
mean something else than their names (``checked_in=false`` is "checked out"). The client uses
these rules to refuse what would be lost before sending it, and to filter on its own side what
the server cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from staffterm.errors import InvalidInputError

# What an occurrence's own row keeps of an update (PlaceOS/models booking.cr, as_instance).
OCCURRENCE_FIELDS = frozenset({"booking_start", "booking_end", "asset_id", "asset_ids", "extension_data"})


def refuse_dropped_update_fields(approved: Any, checked_in: Any, timezone: Any, user_name: Any) -> None:
    """The update keywords PlaceOS reads and throws away: say which action changes them instead."""
    if approved is not None:
        action = "approve" if approved else "reject"
        raise InvalidInputError(
            f"PlaceOS ignores 'approved' on an update: use {action} (staffterm placeos {action} --booking_id ...)",
            field="approved",
        )
    if checked_in is not None:
        raise InvalidInputError(
            "PlaceOS ignores 'checked_in' on an update: use booking_check_in "
            f"(--state {'true' if checked_in else 'false'}), which also applies the check-in window",
            field="checked_in",
        )
    if timezone not in (None, ""):
        raise InvalidInputError(
            "PlaceOS keeps the time zone a booking was made with; an update cannot change it "
            "(delete the booking and make it again in the new time zone)",
            field="timezone",
        )
    if user_name not in (None, ""):
        raise InvalidInputError(
            "PlaceOS ignores 'user_name' on an update: give user_email and the name comes from the directory",
            field="user_name",
        )


@dataclass(frozen=True)
class BookingFilter:
    """The booking filters staffterm applies itself, to rows the Staff API already filtered."""

    checked_in: bool | None = None
    checked_out: bool | None = None
    deleted: bool | None = None
    asset_id: str | None = None
    created_before: int | None = None
    created_after: int | None = None

    def matches(self, row: Any) -> bool:
        if not isinstance(row, dict):
            return True  # left for the converter to report as malformed
        if self.checked_in is not None and bool(row.get("checked_in")) != self.checked_in:
            return False
        if self.checked_out is not None and (row.get("checked_out_at") is not None) != self.checked_out:
            return False
        if self.deleted is not None and bool(row.get("deleted")) != self.deleted:
            return False
        if self.asset_id is not None and self.asset_id not in {row.get("asset_id"), *(row.get("asset_ids") or [])}:
            return False
        created = row.get("created", row.get("created_at"))
        if self.created_before is not None and not (isinstance(created, int) and created < self.created_before):
            return False
        if self.created_after is not None and not (isinstance(created, int) and created > self.created_after):
            return False
        return True
