"""Visitors: register, today's expected guests, read, change, check in and out.

Registering a visitor is its own capability: on Microsoft 365 a visitor is a meeting's external
attendee and cannot be registered, but is expected, found, checked in and out like any other."""

from __future__ import annotations

import pytest

from staffterm.capabilities import Capability
from staffterm.errors import InvalidInputError, NotFoundError, StafftermError
from staffterm.models import Attendee, EventDraft, GuestDraft, GuestPatch
from tests.contract.needs import needs

pytestmark = needs(Capability.GUESTS)


def _visitor(site, email: str = "casey.visitor@example.com", name: str = "Casey Visitor", *,
             hours_later: float = 0, **over) -> GuestDraft:
    sc = site.scenario
    start, end = sc.slot(hours_later)
    data = {"email": email, "name": name, "host_email": sc.host_email, "visit_start": start, "visit_end": end,
            "organisation": "Visiting Co", "zone_ids": [sc.building_id]}
    data.update(over)
    return GuestDraft.model_validate(data)


async def _today(site, **kw):
    start, end = site.scenario.today()
    return await site.backend.query_guests(start=start, end=end, zone_id=site.scenario.building_id, **kw)


@needs(Capability.GUEST_REGISTRATION)
async def test_a_registered_visitor_is_expected_today(site):
    draft = _visitor(site)
    made = await site.backend.create_guest(draft)
    assert (made.email, made.name, made.host_email) == (draft.email, draft.name, draft.host_email)
    assert (made.visit_start, made.visit_end) == (draft.visit_start, draft.visit_end)
    assert made.visit_expected and not made.checked_in

    today = await _today(site)
    assert made.id in {g.id for g in today}
    assert [g.visit_start for g in today] == sorted(g.visit_start for g in today)
    for guest in today:
        assert guest.visit_expected
    again = await site.backend.get_guest(made.id)
    assert (again.id, again.email, again.host_email) == (made.id, made.email, made.host_email)
    assert (again.visit_start, again.visit_end) == (made.visit_start, made.visit_end)


@needs(Capability.GUEST_REGISTRATION)
async def test_todays_guests_can_be_searched(site):
    made = await site.backend.create_guest(_visitor(site))
    await site.backend.create_guest(_visitor(site, "robin.other@example.org", "Robin Other"))
    found = await _today(site, query="casey")
    assert [g.id for g in found] == [made.id]


@needs(Capability.GUEST_REGISTRATION)
async def test_a_visitor_tomorrow_is_not_expected_today(site):
    made = await site.backend.create_guest(_visitor(site, hours_later=24))
    assert made.id not in {g.id for g in await _today(site)}


@needs(Capability.GUEST_REGISTRATION)
async def test_check_in_and_out(site):
    made = await site.backend.create_guest(_visitor(site))  # due in 30 minutes: check-in is open
    arrived = await site.backend.check_in_guest(made.id)
    assert arrived.id == made.id and arrived.checked_in and arrived.checked_in_at == site.clock.now()
    assert (await site.backend.get_guest(made.id)).checked_in
    left = await site.backend.check_out_guest(made.id)
    assert left.id == made.id and not left.checked_in and left.checked_out_at == site.clock.now()
    assert not (await site.backend.get_guest(made.id)).checked_in


@needs(Capability.GUEST_REGISTRATION)
async def test_the_same_idempotency_key_registers_one_visit(site):
    first = await site.backend.create_guest(_visitor(site), idempotency_key="contract-guest-1")
    second = await site.backend.create_guest(_visitor(site), idempotency_key="contract-guest-1")
    assert second.id == first.id
    assert [g.id for g in await _today(site) if g.email == first.email] == [first.id]


# Not in the contract: refusing a guest's check-in hours before the visit. The local site does
# (as for bookings); PlaceOS does not (PlaceOS/staff-api src/controllers/bookings.cr,
# guest_checkin: no time check), and the provider is the authority on its own rules.


@needs(Capability.GUEST_REGISTRATION)
async def test_changing_a_visit(site):
    made = await site.backend.create_guest(_visitor(site))
    longer = made.visit_end + (made.visit_end - made.visit_start)
    changed = await site.backend.update_guest(made.id, GuestPatch(organisation="Renamed Co", visit_end=longer))
    assert changed.id == made.id and changed.organisation == "Renamed Co"
    assert changed.visit_end - changed.visit_start == 2 * (made.visit_end - made.visit_start)
    with pytest.raises(InvalidInputError):
        await site.backend.update_guest(made.id, GuestPatch(visit_end=made.visit_start))
    assert (await site.backend.get_guest(made.id)).visit_end == changed.visit_end


async def _expected_visit(site, email: str = "casey.visitor@example.com", name: str = "Casey Visitor"):
    """A visit due in 30 minutes: registered where the backend registers visitors, else an
    outside guest invited to the host's meeting in a room of the building."""
    if site.backend.supports(Capability.GUEST_REGISTRATION):
        return await site.backend.create_guest(_visitor(site, email, name))
    sc = site.scenario
    start, end = sc.slot()
    await site.backend.create_event(sc.host_email, EventDraft(
        title="Visit", start=start, end=end, host=sc.host_email, room_ids=[sc.room_id],
        attendees=[Attendee(email=email, name=name)]))
    [guest] = [g for g in await _today(site) if g.email == email]
    return guest


@needs(Capability.GUESTS, Capability.EVENT_WRITE)
async def test_an_expected_visitor_checks_in_and_out(site):
    made = await _expected_visit(site)
    assert made.visit_expected and not made.checked_in and made.email == "casey.visitor@example.com"
    assert [g.id for g in await _today(site, query="casey")] == [made.id]
    arrived = await site.backend.check_in_guest(made.id)
    assert arrived.id == made.id and arrived.checked_in and arrived.checked_in_at == site.clock.now()
    again = await site.backend.get_guest(made.id)
    assert again.checked_in and again.host_email == site.scenario.host_email
    left = await site.backend.check_out_guest(made.id)
    assert left.id == made.id and not left.checked_in and left.checked_out_at == site.clock.now()
    assert not (await site.backend.get_guest(made.id)).checked_in


async def test_unknown_guests_are_not_found(site):
    with pytest.raises(NotFoundError):
        await site.backend.get_guest("no-such-visit")
    with pytest.raises(NotFoundError):
        await site.backend.check_in_guest("no-such-visit")


@needs(Capability.GUEST_REGISTRATION)
async def test_bad_registrations_are_refused_and_change_nothing(site):
    sc = site.scenario
    start, end = sc.slot()
    bad = {"email": "backwards@example.com", "name": "Back Wards", "host_email": sc.host_email,
           "visit_start": end.isoformat(), "visit_end": start.isoformat()}
    with pytest.raises(InvalidInputError):
        await site.backend.create_guest(bad)
    with pytest.raises(InvalidInputError):
        await site.backend.create_guest(
            {**bad, "visit_start": start.isoformat(), "visit_end": end.isoformat(), "name": ""})
    with pytest.raises(StafftermError):  # a host the directory does not know
        await site.backend.create_guest(
            _visitor(site, "backwards@example.com", host_email="nobody.here@acme.example"))
    assert "backwards@example.com" not in {g.email for g in await site.backend.query_guests(query="backwards")}


@needs(Capability.GUEST_REGISTRATION)
async def test_an_unknown_host_is_invalid_input_naming_the_field(site):
    # The host is a field of the registration form: the error names it so the form can show it
    # there (as the reception service's own host check does).
    with pytest.raises(InvalidInputError) as caught:
        await site.backend.create_guest(_visitor(site, host_email="nobody.here@acme.example"))
    assert caught.value.field == "host_email"
