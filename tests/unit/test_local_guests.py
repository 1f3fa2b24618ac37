"""Guests on the local site: registration, the expected list, check-in and check-out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.errors import ConflictError, InvalidInputError, NotFoundError
from staffterm.models import Attendee, BookingQuery, BookingState, EventDraft, GuestDraft, GuestPatch

DAY = datetime(2026, 6, 2, 8, 0, tzinfo=timezone.utc)  # 09:00 in London
HOST = "chloe.evans@acme.example"


@pytest.fixture
async def site(tmp_path):
    clock = FrozenClock(DAY - timedelta(days=1))
    backend = LocalBackend("t", database=tmp_path / "site.sqlite3", clock=clock, seed_demo=False)
    await backend.seed_demo_estate()
    yield backend, clock
    await backend.close()


def visitor(email: str = "Olivia@Northwind.example", start: datetime = DAY, **kw) -> GuestDraft:
    kw.setdefault("name", "Olivia Bennett")
    kw.setdefault("zone_ids", ["bld-lon"])
    return GuestDraft(email=email, host_email=HOST, visit_start=start, visit_end=start + timedelta(hours=2), **kw)


async def test_register_creates_a_visitor_booking_for_the_host(site):
    backend, _ = site
    guest = await backend.create_guest(visitor(organisation="Northwind Traders", phone="+44 7700 900123"))
    assert guest.email == "olivia@northwind.example" and guest.host_name == "Chloe Evans"
    booking = await backend.get_booking(guest.booking_id)
    assert booking.type == "visitor" and booking.asset_ids == ["olivia@northwind.example"]
    assert booking.user_email == HOST and booking.zones == ["bld-lon"] and booking.approved
    assert booking.extension_data["organisation"] == "Northwind Traders"
    tomorrow = visitor(start=DAY + timedelta(days=1))
    again = await backend.create_guest(tomorrow, idempotency_key="walk-in-1")
    assert await backend.create_guest(tomorrow, idempotency_key="walk-in-1") == again
    assert again.id != guest.id and again.booking_id != guest.booking_id  # another day, another visit
    assert len(await backend.query_guests()) == 2


async def test_query_filters_window_zone_and_text_and_sorts(site):
    backend, _ = site
    later = await backend.create_guest(visitor("zed@globex.example", DAY + timedelta(hours=3), name="Zed Able"))
    early = await backend.create_guest(visitor("amy@initech.example", name="Amy Zoo", organisation="Initech"))
    same_time = await backend.create_guest(visitor("ben@initech.example", name="Ben Young"))
    nyc = await backend.create_guest(visitor("n@contoso.example", name="Nia", zone_ids=["bld-nyc"]))
    ids = lambda items: [g.id for g in items]  # noqa: E731
    window = dict(start=DAY - timedelta(hours=1), end=DAY + timedelta(hours=8))
    assert ids(await backend.query_guests(**window, zone_id="bld-lon")) == [early.id, same_time.id, later.id]
    assert ids(await backend.query_guests(**window, zone_id="bld-nyc")) == [nyc.id]
    assert ids(await backend.query_guests(**window, query="INITECH")) == [early.id, same_time.id]
    assert ids(await backend.query_guests(**window, query="zed")) == [later.id]
    assert ids(await backend.query_guests(start=DAY + timedelta(hours=2, minutes=30), end=DAY + timedelta(hours=8))) == [
        later.id
    ]
    with pytest.raises(NotFoundError):
        await backend.query_guests(zone_id="bld-nope")


async def test_guest_check_in_marks_the_linked_booking_and_check_out_too(site):
    backend, clock = site
    guest = await backend.create_guest(visitor())
    clock.set(DAY - timedelta(hours=2))
    with pytest.raises(InvalidInputError, match="too early"):
        await backend.check_in_guest(guest.id)
    clock.set(DAY - timedelta(minutes=10))
    checked = await backend.check_in_guest(guest.id)
    assert checked.checked_in and checked.checked_in_at == clock.now()
    booking = await backend.get_booking(guest.booking_id)
    assert booking.checked_in and booking.state == BookingState.CHECKED_IN
    assert booking.history[-1].state == "checked_in"
    clock.set(DAY + timedelta(hours=1))
    out = await backend.check_out_guest(guest.id)
    assert not out.checked_in and out.checked_out_at == clock.now()
    booking = await backend.get_booking(guest.booking_id)
    assert booking.state == BookingState.CHECKED_OUT
    with pytest.raises(InvalidInputError, match="already checked out"):
        await backend.check_in_guest(guest.id)


async def test_booking_check_in_marks_the_guest(site):
    backend, clock = site
    guest = await backend.create_guest(visitor())
    clock.set(DAY)
    await backend.check_in_booking(guest.booking_id)
    assert (await backend.get_guest(guest.id)).checked_in


async def test_guest_of_a_meeting_checks_in_on_the_meeting(site):
    backend, clock = site
    expected = Attendee(email="lucas@contoso.example", name="Lucas Meyer", visit_expected=True)
    event = await backend.create_event(
        "rm-lon-1-01", EventDraft(title="Pitch", host=HOST, start=DAY, end=DAY + timedelta(hours=1), attendees=[expected])
    )
    (guest,) = await backend.query_guests(query="lucas")
    clock.set(DAY + timedelta(minutes=1))
    await backend.check_in_guest(guest.id)
    seen = await backend.get_event("rm-lon-1-01", event.id)
    assert [a.checked_in for a in seen.attendees if a.email == "lucas@contoso.example"] == [True]
    clock.set(DAY + timedelta(hours=1))
    with pytest.raises(InvalidInputError, match="not checked in"):
        await backend.check_out_guest((await backend.create_guest(visitor("x@y.example", DAY + timedelta(hours=1)))).id)


async def test_after_the_visit_no_check_in(site):
    backend, clock = site
    guest = await backend.create_guest(visitor())
    clock.set(DAY + timedelta(hours=2))
    with pytest.raises(InvalidInputError, match="ended"):
        await backend.check_in_guest(guest.id)
    assert not (await backend.get_guest(guest.id)).checked_in
    assert not (await backend.get_booking(guest.booking_id)).checked_in


async def test_cancelled_visit_cannot_be_checked_in_and_leaves_the_list(site):
    backend, clock = site
    guest = await backend.create_guest(visitor())
    await backend.delete_booking(guest.booking_id)
    assert await backend.query_guests() == []
    clock.set(DAY)
    with pytest.raises(InvalidInputError, match="cancelled"):
        await backend.check_in_guest(guest.id)


async def test_update_moves_the_visit_and_its_booking(site):
    backend, _ = site
    guest = await backend.create_guest(visitor())
    moved = await backend.update_guest(
        guest.id, GuestPatch(visit_start=DAY + timedelta(hours=4), visit_end=DAY + timedelta(hours=5), phone="123",
                             host_email="grace.kim@acme.example")
    )
    assert moved.visit_start == DAY + timedelta(hours=4) and moved.phone == "123" and moved.host_name == "Grace Kim"
    booking = await backend.get_booking(guest.booking_id)
    assert (booking.start, booking.user_email) == (DAY + timedelta(hours=4), "grace.kim@acme.example")
    with pytest.raises(InvalidInputError, match="must be after start"):
        await backend.update_guest(guest.id, GuestPatch(visit_end=DAY))


async def test_bad_input(site):
    backend, _ = site
    with pytest.raises(InvalidInputError, match="no host"):
        await backend.create_guest(GuestDraft(
            email="a@b.example", name="A", host_email="nobody@acme.example", visit_start=DAY, visit_end=DAY + timedelta(hours=1)
        ))
    with pytest.raises(InvalidInputError, match="a guest needs a name"):
        await backend.create_guest({"email": "a@b.example", "name": " ", "host_email": HOST,
                                    "visit_start": DAY, "visit_end": DAY + timedelta(hours=1)})
    with pytest.raises(NotFoundError, match="no zone"):
        await backend.create_guest(visitor(zone_ids=["bld-mars"]))
    with pytest.raises(NotFoundError):
        await backend.check_in_guest("gst-missing")
    await backend.create_guest(visitor())
    with pytest.raises(ConflictError, match="olivia@northwind.example is already expected"):
        await backend.create_guest(visitor(start=DAY + timedelta(hours=1)))  # the same visitor twice at once
    assert len(await backend.query_guests()) == 1
    bookings = await backend.query_bookings(BookingQuery(start=DAY - timedelta(days=1), end=DAY + timedelta(days=1)))
    assert len(bookings) == 1
