"""Bookings of desks (and the other assets): create, query, change, approve, check in, delete."""

from __future__ import annotations

from datetime import timedelta

import pytest

from staffterm.capabilities import Capability
from staffterm.errors import ConflictError, InvalidInputError, NotFoundError, StafftermError
from staffterm.models import Booking, BookingDraft, BookingPatch, BookingQuery, BookingState
from tests.contract.needs import needs

pytestmark = needs(Capability.BOOKINGS)


def _desk(site, desk_id: str | None = None, *, hours_later: float = 0, minutes: int = 60, **over) -> BookingDraft:
    sc = site.scenario
    start, end = sc.slot(hours_later, minutes)
    data = {"type": "desk", "asset_ids": [desk_id or sc.desk_id], "start": start, "end": end,
            "user_email": sc.person_email, "zones": [sc.building_id, sc.desk_level_id],
            "timezone": sc.timezone, "title": "Contract desk"}
    data.update(over)
    return BookingDraft.model_validate(data)


def _window(site, **filters) -> BookingQuery:
    # The slots the tests book in: the seeded day before them may hold bookings of the same desks.
    start, end = site.scenario.slot(minutes=240)
    return BookingQuery(start=start, end=end, **filters)


async def _desk_ids(site, **filters) -> list[str]:
    return [b.id for b in await site.backend.query_bookings(_window(site, type="desk", **filters))]


async def test_a_desk_booking_is_made_read_back_and_found(site):
    sc = site.scenario
    draft = _desk(site)
    made = await site.backend.create_booking(draft)
    assert isinstance(made, Booking) and made.id
    assert (made.type, made.asset_ids, made.start, made.end) == ("desk", [sc.desk_id], draft.start, draft.end)
    assert made.user_email == sc.person_email and made.state == BookingState.RESERVED
    assert not made.deleted and not made.checked_in
    again = await site.backend.get_booking(made.id)
    assert (again.id, again.asset_ids, again.start, again.end) == (made.id, made.asset_ids, made.start, made.end)

    assert made.id in await _desk_ids(site)
    assert made.id in await _desk_ids(site, asset_ids=[sc.desk_id])
    assert made.id in await _desk_ids(site, zone_ids=[sc.desk_level_id])
    assert made.id in await _desk_ids(site, user_email=sc.person_email)
    assert made.id not in await _desk_ids(site, asset_ids=[sc.other_desk_id])
    assert made.id not in [b.id for b in await site.backend.query_bookings(_window(site, type="parking"))]


async def test_query_keeps_to_the_window_and_the_filters(site):
    sc = site.scenario
    made = await site.backend.create_booking(_desk(site))
    start, end = sc.today()
    for booking in await site.backend.query_bookings(BookingQuery(start=start, end=end, type="desk")):
        assert booking.start < end and booking.end > start and booking.type == "desk"
    earlier = await site.backend.query_bookings(BookingQuery(start=start, end=made.start, type="desk"))
    assert made.id not in {b.id for b in earlier}  # a booking ending where the window starts is outside it


async def test_a_clash_is_a_conflict_naming_the_booking_it_clashes_with(site):
    sc = site.scenario
    first = await site.backend.create_booking(_desk(site))
    with pytest.raises(ConflictError) as caught:
        await site.backend.create_booking(_desk(site, hours_later=0.5, user_email=sc.host_email))
    clashes = caught.value.clashes
    assert [c.id for c in clashes if isinstance(c, Booking)] == [first.id]
    assert await _desk_ids(site, asset_ids=[sc.desk_id]) == [first.id]  # the refused one was not made
    # Back to back, or another desk at the same time, is fine.
    await site.backend.create_booking(_desk(site, hours_later=1, user_email=sc.host_email))
    await site.backend.create_booking(_desk(site, sc.other_desk_id, user_email=sc.host_email))


async def test_the_same_idempotency_key_makes_one_booking(site):
    first = await site.backend.create_booking(_desk(site), idempotency_key="contract-bk-1")
    second = await site.backend.create_booking(_desk(site), idempotency_key="contract-bk-1")
    assert second.id == first.id
    assert await _desk_ids(site, asset_ids=[site.scenario.desk_id]) == [first.id]


async def test_bad_bookings_are_refused_and_change_nothing(site):
    sc = site.scenario
    start, end = sc.slot()
    backwards = {"type": "desk", "asset_ids": [sc.desk_id], "start": end.isoformat(), "end": start.isoformat(),
                 "user_email": sc.person_email}
    with pytest.raises(InvalidInputError):
        await site.backend.create_booking(backwards)
    with pytest.raises(InvalidInputError):
        await site.backend.create_booking({**backwards, "start": start.isoformat(), "end": end.isoformat(), "type": ""})
    assert await _desk_ids(site, asset_ids=[sc.desk_id]) == []
    with pytest.raises(NotFoundError):
        await site.backend.get_booking("999999999")


async def test_changing_a_booking(site):
    sc = site.scenario
    made = await site.backend.create_booking(_desk(site))
    later_end = made.end + timedelta(minutes=30)
    moved = await site.backend.update_booking(
        made.id, BookingPatch(asset_ids=[sc.other_desk_id], end=later_end, title="Moved"))
    assert (moved.id, moved.asset_ids, moved.end, moved.title) == (made.id, [sc.other_desk_id], later_end, "Moved")
    assert (await site.backend.get_booking(made.id)).asset_ids == [sc.other_desk_id]
    with pytest.raises(InvalidInputError):
        await site.backend.update_booking(made.id, BookingPatch(end=made.start - timedelta(minutes=5)))
    assert (await site.backend.get_booking(made.id)).end == later_end  # the bad change changed nothing
    # The first desk is free again: someone else may take it.
    await site.backend.create_booking(_desk(site, user_email=sc.host_email))


async def test_moving_a_booking_onto_another_is_a_conflict(site):
    sc = site.scenario
    there = await site.backend.create_booking(_desk(site, sc.other_desk_id, user_email=sc.host_email))
    mine = await site.backend.create_booking(_desk(site))
    with pytest.raises(ConflictError) as caught:
        await site.backend.update_booking(mine.id, BookingPatch(asset_ids=[sc.other_desk_id]))
    assert there.id in [c.id for c in caught.value.clashes if isinstance(c, Booking)]
    assert (await site.backend.get_booking(mine.id)).asset_ids == [sc.desk_id]


async def test_check_in_and_out(site):
    made = await site.backend.create_booking(_desk(site))  # starts in 30 minutes: check-in is open
    checked = await site.backend.check_in_booking(made.id)
    assert checked.checked_in and checked.state == BookingState.CHECKED_IN
    assert checked.checked_in_at == site.clock.now()
    assert (await site.backend.get_booking(made.id)).checked_in
    out = await site.backend.check_out_booking(made.id)
    assert not out.checked_in and out.checked_out_at == site.clock.now()
    assert out.state == BookingState.CHECKED_OUT


async def test_check_in_too_early_is_refused(site):
    made = await site.backend.create_booking(_desk(site, hours_later=3))
    with pytest.raises(StafftermError, match="(?i)early"):
        await site.backend.check_in_booking(made.id)
    assert not (await site.backend.get_booking(made.id)).checked_in


async def test_check_in_too_early_is_invalid_input(site):
    # Nothing clashes: the booking's own time refuses it. Staff-api tells the two apart (405
    # NotAllowed "Can only check in ... before the booking start" vs 409 BookingConflict when
    # someone else holds the asset until the start: PlaceOS/staff-api
    # src/controllers/bookings.cr, check_in), and so does the taxonomy: a ConflictError carries
    # the items that clash.
    made = await site.backend.create_booking(_desk(site, hours_later=3))
    with pytest.raises(InvalidInputError):
        await site.backend.check_in_booking(made.id)


async def test_workflow_state(site):
    made = await site.backend.create_booking(_desk(site))
    assert (await site.backend.set_booking_state(made.id, "cleaned")).process_state == "cleaned"
    with pytest.raises(InvalidInputError):
        await site.backend.set_booking_state(made.id, " ")
    assert (await site.backend.get_booking(made.id)).process_state == "cleaned"


async def test_deleting_a_booking_frees_the_desk(site):
    sc = site.scenario
    made = await site.backend.create_booking(_desk(site))
    await site.backend.delete_booking(made.id)
    gone = await site.backend.get_booking(made.id)
    assert gone.deleted and gone.state == BookingState.CANCELLED
    assert made.id not in await _desk_ids(site)
    assert made.id in await _desk_ids(site, include_deleted=True)
    again = await site.backend.create_booking(_desk(site, user_email=sc.host_email))
    assert again.id != made.id
    with pytest.raises(NotFoundError):
        await site.backend.delete_booking("999999999")


@needs(Capability.BOOKING_APPROVAL)
async def test_approving_and_rejecting(site):
    sc = site.scenario
    pending = await site.backend.create_booking(_desk(site))
    assert pending.pending_approval
    assert pending.id in await _desk_ids(site, approved=False)
    approved = await site.backend.approve_booking(pending.id)
    assert approved.approved and approved.approved_at == site.clock.now() and not approved.pending_approval
    assert pending.id in await _desk_ids(site, approved=True)

    other = await site.backend.create_booking(_desk(site, sc.other_desk_id))
    rejected = await site.backend.reject_booking(other.id)
    assert rejected.rejected and rejected.state == BookingState.REJECTED
    # A rejected booking no longer holds its desk.
    await site.backend.create_booking(_desk(site, sc.other_desk_id, user_email=sc.host_email))
    with pytest.raises(NotFoundError):
        await site.backend.approve_booking("999999999")
