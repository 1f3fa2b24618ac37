"""Bookings on the local site: clashes, limits, check-in windows, approvals, states, history."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.errors import ConflictError, InvalidInputError, LimitReachedError, NotFoundError
from staffterm.models import BookingDraft, BookingPatch, BookingQuery, BookingState

DAY = datetime(2026, 6, 2, 8, 0, tzinfo=timezone.utc)  # 09:00 in London
ANN = "james.walker@acme.example"
BO = "sophie.turner@acme.example"


@pytest.fixture
async def site(tmp_path):
    clock = FrozenClock(DAY - timedelta(days=1))
    settings = SimpleNamespace(booking_limits={"parking": 1}, early_checkin_seconds=1800)
    backend = LocalBackend("t", settings, database=tmp_path / "site.sqlite3", clock=clock, seed_demo=False)
    await backend.seed_demo_estate()
    yield backend, clock
    await backend.close()


def desk(asset: str = "desk-lon-2-01", *, start: datetime = DAY, hours: float = 8, user: str = ANN, **kw) -> BookingDraft:
    return BookingDraft(type="desk", asset_ids=[asset], start=start, end=start + timedelta(hours=hours), user_email=user, **kw)


def window(**kw) -> BookingQuery:
    return BookingQuery(start=DAY - timedelta(days=1), end=DAY + timedelta(days=2), **kw)


async def test_create_fills_zones_names_timezone_and_history(site):
    backend, clock = site
    b = await backend.create_booking(desk(), booked_by="priya.shah@acme.example")
    assert b.zones == ["bld-lon", "lvl-lon-2"]
    assert b.user_name == "James Walker" and b.booked_by_email == "priya.shah@acme.example"
    assert b.timezone == "Europe/London"
    assert b.state == BookingState.RESERVED and b.pending_approval
    assert [(h.state, h.time) for h in b.history] == [("reserved", clock.now())]
    assert (await backend.get_booking(b.id)) == b


async def test_clash_is_refused_with_the_clashing_booking_and_nothing_written(site):
    backend, _ = site
    first = await backend.create_booking(desk())
    before = await backend.query_bookings(window())
    with pytest.raises(ConflictError) as info:
        await backend.create_booking(desk(start=DAY + timedelta(hours=2), user=BO))
    assert [c.id for c in info.value.clashes] == [first.id]
    assert "desk-lon-2-01 is already booked" in info.value.message
    assert "James Walker" in info.value.message
    assert await backend.query_bookings(window()) == before
    # Back to back, another desk, or another type on the same id: all fine.
    await backend.create_booking(desk(start=DAY + timedelta(hours=8), user=BO))
    await backend.create_booking(desk("desk-lon-2-02", user=BO))


async def test_clash_ignores_rejected_deleted_and_checked_out_bookings(site):
    backend, clock = site
    rejected = await backend.create_booking(desk())
    await backend.reject_booking(rejected.id, approver="oliver.grant@acme.example")
    deleted = await backend.create_booking(desk(user=BO))
    await backend.delete_booking(deleted.id)
    gone = await backend.create_booking(desk(user="grace.kim@acme.example"))
    clock.set(DAY + timedelta(minutes=10))
    await backend.check_in_booking(gone.id)
    await backend.check_out_booking(gone.id)
    fresh = await backend.create_booking(desk(start=DAY + timedelta(hours=1), hours=2, user="harry.patel@acme.example"))
    assert fresh.state == BookingState.RESERVED


async def test_booking_limit_per_type_and_zone(site):
    backend, _ = site
    first = await backend.create_booking(
        BookingDraft(type="parking", asset_ids=["park-lon-01"], start=DAY, end=DAY + timedelta(hours=8), user_email=ANN)
    )
    second = BookingDraft(type="parking", asset_ids=["park-lon-02"], start=DAY + timedelta(hours=4),
                          end=DAY + timedelta(hours=9), user_email=ANN)
    with pytest.raises(LimitReachedError) as info:
        await backend.create_booking(second)
    assert info.value.limit == 1
    assert [b.id for b in info.value.items] == [first.id]
    assert len(await backend.query_bookings(window(type="parking"))) == 1
    # Not concurrent, another building, or an override: allowed.
    await backend.create_booking(second.model_copy(update={"start": DAY + timedelta(hours=8)}))
    await backend.create_booking(
        BookingDraft(type="parking", asset_ids=["park-nyc-01"], start=DAY, end=DAY + timedelta(hours=8), user_email=ANN)
    )
    await backend.create_booking(
        BookingDraft(type="parking", asset_ids=["park-lon-03"], start=DAY, end=DAY + timedelta(hours=1), user_email=ANN),
        limit_override=5,
    )
    # Desks have no configured limit.
    await backend.create_booking(desk())
    await backend.create_booking(desk("desk-lon-2-03"))


async def test_check_in_windows(site):
    backend, clock = site
    b = await backend.create_booking(desk())
    clock.set(DAY - timedelta(minutes=31))  # early check-in opens 30 minutes before
    with pytest.raises(InvalidInputError, match="too early"):
        await backend.check_in_booking(b.id)
    assert not (await backend.get_booking(b.id)).checked_in
    clock.set(DAY - timedelta(minutes=29))
    checked = await backend.check_in_booking(b.id)
    assert checked.checked_in and checked.checked_in_at == clock.now()
    assert checked.state == BookingState.CHECKED_IN
    clock.set(DAY + timedelta(hours=2))
    out = await backend.check_out_booking(b.id)
    assert out.state == BookingState.CHECKED_OUT and out.checked_out_at == clock.now() and not out.checked_in
    with pytest.raises(InvalidInputError, match="already checked out"):
        await backend.check_in_booking(b.id)
    assert [h.state for h in (await backend.get_booking(b.id)).history] == ["reserved", "checked_in", "checked_out"]


async def test_no_check_in_after_the_end_and_no_check_out_without_check_in(site):
    backend, clock = site
    b = await backend.create_booking(desk(hours=1))
    with pytest.raises(InvalidInputError, match="not checked in"):
        await backend.check_out_booking(b.id)
    clock.set(DAY + timedelta(hours=1))
    with pytest.raises(InvalidInputError, match="ended"):
        await backend.check_in_booking(b.id)
    assert (await backend.get_booking(b.id)).state == BookingState.NO_SHOW


async def test_early_check_in_refused_while_someone_else_holds_the_desk(site):
    backend, clock = site
    await backend.create_booking(desk(start=DAY - timedelta(hours=2), hours=2, user=BO))
    mine = await backend.create_booking(desk())
    clock.set(DAY - timedelta(minutes=20))
    with pytest.raises(ConflictError, match="cannot be checked in early"):
        await backend.check_in_booking(mine.id)
    clock.set(DAY)
    assert (await backend.check_in_booking(mine.id)).checked_in


async def test_computed_states_follow_the_clock(site):
    backend, clock = site
    b = await backend.create_booking(desk(hours=2))
    clock.set(DAY + timedelta(hours=3))
    assert (await backend.get_booking(b.id)).state == BookingState.NO_SHOW
    c = await backend.create_booking(desk("desk-lon-2-02", start=DAY + timedelta(hours=4), hours=1))
    clock.set(DAY + timedelta(hours=4, minutes=5))
    await backend.check_in_booking(c.id)
    clock.set(DAY + timedelta(hours=6))
    assert (await backend.get_booking(c.id)).state == BookingState.ENDED


async def test_approve_and_reject(site):
    backend, clock = site
    b = await backend.create_booking(desk())
    assert b.pending_approval
    rejected = await backend.reject_booking(b.id, approver="oliver.grant@acme.example")
    assert rejected.rejected and rejected.rejected_at == clock.now() and not rejected.approved
    assert rejected.state == BookingState.REJECTED and rejected.approver_email == "oliver.grant@acme.example"
    with pytest.raises(InvalidInputError, match="rejected"):
        await backend.check_in_booking(b.id)
    # The desk is free again, so someone else takes it; approving the rejected one now clashes.
    other = await backend.create_booking(desk(user=BO))
    with pytest.raises(ConflictError) as info:
        await backend.approve_booking(b.id, approver="oliver.grant@acme.example")
    assert [c.id for c in info.value.clashes] == [other.id]
    assert (await backend.get_booking(b.id)).rejected
    await backend.delete_booking(other.id)
    approved = await backend.approve_booking(b.id, approver="oliver.grant@acme.example")
    assert approved.approved and not approved.rejected and approved.state == BookingState.RESERVED
    assert [h.state for h in approved.history] == ["reserved", "rejected", "reserved"]
    pending = await backend.query_bookings(window(approved=False))
    assert [p.id for p in pending] == []


async def test_soft_delete_hidden_by_default_and_writes_refused(site):
    backend, clock = site
    b = await backend.create_booking(desk())
    await backend.delete_booking(b.id)
    assert await backend.query_bookings(window()) == []
    shown = await backend.query_bookings(window(include_deleted=True))
    assert [x.id for x in shown] == [b.id]
    gone = shown[0]
    assert gone.deleted and gone.deleted_at == clock.now() and gone.state == BookingState.CANCELLED
    assert gone.history[-1].state == "cancelled"
    for write in (
        backend.check_in_booking(b.id),
        backend.approve_booking(b.id),
        backend.set_booking_state(b.id, "arrived"),
        backend.update_booking(b.id, BookingPatch(title="x")),
        backend.delete_booking(b.id),
    ):
        with pytest.raises(InvalidInputError, match=f"booking {b.id} was deleted"):
            await write


async def test_query_honours_every_filter(site):
    backend, clock = site
    a = await backend.create_booking(desk(title="a"))
    b = await backend.create_booking(desk("desk-nyc-2-01", user=BO, approved=True))
    c = await backend.create_booking(
        BookingDraft(type="parking", asset_ids=["park-lon-01"], start=DAY, end=DAY + timedelta(hours=1), user_email=BO)
    )
    later = await backend.create_booking(desk(start=DAY + timedelta(days=3)))
    ids = lambda items: {x.id for x in items}  # noqa: E731
    assert ids(await backend.query_bookings(window())) == {a.id, b.id, c.id}
    assert ids(await backend.query_bookings(window(type="desk"))) == {a.id, b.id}
    assert ids(await backend.query_bookings(window(zone_ids=["lvl-lon-2"]))) == {a.id}
    assert ids(await backend.query_bookings(window(zone_ids=["bld-nyc", "bld-lon"]))) == {a.id, b.id, c.id}
    assert ids(await backend.query_bookings(window(user_email=BO.upper()))) == {b.id, c.id}
    assert ids(await backend.query_bookings(window(asset_ids=["park-lon-01", "desk-nyc-2-01"]))) == {b.id, c.id}
    assert ids(await backend.query_bookings(window(approved=True))) == {b.id}
    await backend.reject_booking(c.id)
    assert ids(await backend.query_bookings(window(rejected=True))) == {c.id}
    clock.set(DAY)
    await backend.check_in_booking(a.id)
    assert ids(await backend.query_bookings(window(checked_in=True))) == {a.id}
    await backend.check_out_booking(a.id)
    assert a.id not in ids(await backend.query_bookings(window()))
    assert a.id in ids(await backend.query_bookings(window(include_checked_out=True)))
    assert later.id not in ids(await backend.query_bookings(window()))


async def test_idempotency_key_returns_the_first_booking(site):
    backend, _ = site
    first = await backend.create_booking(desk(), idempotency_key="retry-1")
    again = await backend.create_booking(desk(), idempotency_key="retry-1")
    assert again.id == first.id
    assert len(await backend.query_bookings(window())) == 1


async def test_update_moves_and_resets_approval(site):
    backend, _ = site
    b = await backend.create_booking(desk(approved=True))
    await backend.create_booking(desk("desk-lon-2-02", user=BO))
    with pytest.raises(ConflictError):
        await backend.update_booking(b.id, BookingPatch(asset_ids=["desk-lon-2-02"]))
    assert (await backend.get_booking(b.id)).asset_ids == ["desk-lon-2-01"]
    narrowed = await backend.update_booking(b.id, BookingPatch(end=DAY + timedelta(hours=4), title="morning"))
    assert narrowed.approved and narrowed.title == "morning"
    moved = await backend.update_booking(b.id, BookingPatch(asset_ids=["desk-lon-3-01"], extension_data={"k": 1}))
    assert moved.asset_ids == ["desk-lon-3-01"] and moved.zones == ["bld-lon", "lvl-lon-3"]
    assert not moved.approved and moved.history[-1].state == "reserved" and moved.extension_data == {"k": 1}
    state = await backend.set_booking_state(b.id, "desk-cleaned")
    assert state.process_state == "desk-cleaned"


async def test_bad_input_is_refused_and_nothing_written(site):
    backend, _ = site
    with pytest.raises(NotFoundError, match="desk-lon-9-99"):
        await backend.create_booking(desk("desk-lon-9-99"))
    with pytest.raises(InvalidInputError, match="not a desk"):
        await backend.create_booking(desk("park-lon-01"))
    with pytest.raises(InvalidInputError, match="must be after start"):
        await backend.create_booking(
            {"type": "desk", "asset_ids": ["desk-lon-2-01"], "start": DAY, "end": DAY - timedelta(hours=1), "user_email": ANN}
        )
    with pytest.raises(InvalidInputError, match="user_email"):
        await backend.create_booking(desk(user=""))
    with pytest.raises(InvalidInputError, match="visitor's email"):
        await backend.create_booking(BookingDraft(type="visitor", asset_ids=["not-an-email"], start=DAY,
                                                  end=DAY + timedelta(hours=1), user_email=ANN))
    with pytest.raises(NotFoundError, match="no booking with id 'nope'"):
        await backend.get_booking("nope")
    with pytest.raises(NotFoundError):
        await backend.check_in_booking("nope")
    with pytest.raises(InvalidInputError, match="must not be empty"):
        await backend.set_booking_state("nope", " ")
    assert await backend.query_bookings(window(include_deleted=True, include_checked_out=True)) == []
    assert [a for a in await backend.list_audit() if a["kind"] == "booking"] == []


async def test_room_bookings_clash_with_meetings(site):
    backend, _ = site
    from staffterm.models import EventDraft

    event = await backend.create_event(
        "rm-lon-1-01", EventDraft(title="Sync", start=DAY, end=DAY + timedelta(hours=1), host=ANN)
    )
    with pytest.raises(ConflictError) as info:
        await backend.create_booking(
            BookingDraft(type="room", asset_ids=["rm-lon-1-01@acme.example"], start=DAY + timedelta(minutes=30),
                         end=DAY + timedelta(hours=2), user_email=BO)
        )
    assert [c.id for c in info.value.clashes] == [event.id]
    room = await backend.create_booking(
        BookingDraft(type="room", asset_ids=["rm-lon-1-01"], start=DAY + timedelta(hours=1),
                     end=DAY + timedelta(hours=2), user_email=BO)
    )
    assert room.asset_ids == ["rm-lon-1-01"] and room.zones == ["bld-lon", "lvl-lon-1"]
    with pytest.raises(InvalidInputError, match="cannot be booked"):
        await backend.create_booking(
            BookingDraft(type="room", asset_ids=["rm-lon-1-05"], start=DAY, end=DAY + timedelta(hours=1), user_email=BO)
        )
