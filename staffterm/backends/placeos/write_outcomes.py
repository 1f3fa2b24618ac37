"""Settling a PlaceOS delete whose first reply was lost.

The HTTP layer re-sends a DELETE after a reset or a gateway error. If the first one took effect,
the second is refused: 404 (no such item) or, for a booking already deleted, a refusal in its
current state (405/409). Reported as is, a delete that happened would read as a failure, so the
refusal is checked against a lookup of the item: gone (or marked deleted) means done.

Kept apart from the bookings, events and guests code so each of them settles deletes the same
way: ``await confirmed_delete(lambda: staff.booking_delete(id), lambda: booking_gone(staff, id), …)``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from staffterm.errors import (
    ConflictError,
    LimitReachedError,
    NotFoundError,
    ReplyLostError,
    StafftermError,
)

log = logging.getLogger("staffterm.placeos")

# Refusals of a re-sent delete that an earlier, lost, successful delete would explain: 404 no
# such item, 405/409 not allowed in its state (PlaceOS maps both to ConflictError), 410 gone.
_REFUSALS_AFTER_DELETE = (NotFoundError, ConflictError, LimitReachedError)


async def confirmed_delete(
    delete: Callable[[], Awaitable[Any]],
    is_gone: Callable[[], Awaitable[bool]],
    *,
    what: str,
    check: str,
) -> None:
    """Run ``delete``; when its outcome is in doubt, ``is_gone`` settles it.

    Done (returns) when the delete succeeded, or when a lost reply left it open and the item is
    gone. Raises the refusal when the item is still there (the delete did not happen), and
    ``ReplyLostError(applied=None)`` naming ``check`` (how to look) when the lookup fails too.
    A refusal on the first try (no reply was lost) is raised as is: that id was never there.
    """
    try:
        await delete()
        return
    except ReplyLostError as exc:
        if exc.applied:
            return
        doubt: StafftermError = exc
    except _REFUSALS_AFTER_DELETE as exc:
        if not exc.details.get("after_lost_reply"):
            raise
        doubt = exc
    try:
        gone = await is_gone()
    except NotFoundError:
        gone = True
    except StafftermError as lookup:
        log.info("PlaceOS: looking up %s after a lost delete reply failed (%s)", what, lookup)
        raise ReplyLostError(
            f"PlaceOS may have deleted {what}; its answer was lost and it could not be looked up",
            applied=None,
            hint=f"Check with {check} before trying again.",
        ) from None
    if gone:
        log.info("PlaceOS: %s is gone after a lost delete reply; the delete is done", what)
        return
    raise doubt


async def booking_gone(staff: Any, booking_id: str) -> bool:
    """True when the booking no longer exists or is marked deleted (PlaceOS deletes bookings
    softly: PlaceOS/staff-api src/controllers/bookings.cr, destroy sets ``deleted``)."""
    row = await staff.get_booking(booking_id)
    return bool(row.get("deleted")) if isinstance(row, dict) else False
