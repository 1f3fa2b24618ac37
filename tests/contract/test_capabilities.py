"""The suite's own bookkeeping: what each backend skips is exactly what it lacks, what it lacks
raises NotSupportedError naming the capability, and every provider with a backend is in the suite."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from staffterm.backends.base import Backend
from staffterm.backends.registry import PROVIDER_NAMES, backend_class
from staffterm.capabilities import Capability
from staffterm.errors import NotSupportedError
from staffterm.models import BookingDraft, EventDraft, GuestDraft, MailMessage
from tests.contract.backends import CONTRACT_BACKENDS, ContractBackend, Scenario
from tests.contract.needs import CAPABILITY_METHODS, declared_needs

ENTRIES = pytest.mark.parametrize("entry", CONTRACT_BACKENDS, ids=lambda e: e.provider)


def _skipped_on(capabilities: frozenset[Capability]) -> frozenset[Capability]:
    skipped: set[Capability] = set()
    for needed in declared_needs().values():
        skipped |= needed - capabilities
    return frozenset(skipped)


def test_every_capability_is_exercised_by_some_contract_test():
    exercised = frozenset().union(*declared_needs().values())
    assert exercised == frozenset(Capability)


@ENTRIES
def test_a_backends_skips_are_exactly_the_capabilities_it_lacks(entry: ContractBackend):
    capabilities = backend_class(entry.provider).capabilities
    assert _skipped_on(capabilities) == frozenset(Capability) - capabilities


@ENTRIES
def test_claimed_capabilities_are_implemented(entry: ContractBackend):
    cls = backend_class(entry.provider)
    for capability in cls.capabilities:
        for name in CAPABILITY_METHODS[capability]:
            implemented = getattr(cls, name) is not getattr(Backend, name)
            assert implemented, f"{entry.provider} claims {capability} but not {name}"


@ENTRIES
def test_known_divergences_name_contract_tests(entry: ContractBackend):
    names = {key.rpartition("::")[2] for key in declared_needs()}
    assert set(entry.diverges) <= names


def test_every_provider_with_a_backend_is_in_the_suite():
    tested = {entry.provider for entry in CONTRACT_BACKENDS}
    for provider in PROVIDER_NAMES:
        try:
            backend_class(provider)
        except NotSupportedError:
            continue  # not in this version of staffterm yet
        assert provider in tested, f"the {provider} backend needs an entry in tests/contract/backends.py"


# One call of each capability, made as a caller would; a backend lacking the capability must
# refuse it with NotSupportedError naming it, before doing anything.
Call = Callable[[Backend, Scenario], Awaitable[Any]]


def _draft_times(sc: Scenario) -> dict[str, Any]:
    start, end = sc.slot()
    return {"start": start, "end": end}


CALLS: dict[Capability, Call] = {
    Capability.ZONES: lambda b, sc: b.list_zones(),
    Capability.ROOMS: lambda b, sc: b.list_rooms(),
    Capability.FREE_BUSY: lambda b, sc: b.free_busy(*sc.slot(), room_ids=[sc.room_id]),
    Capability.EVENTS: lambda b, sc: b.list_events(sc.room_id, *sc.today()),
    Capability.EVENT_WRITE: lambda b, sc: b.create_event(sc.room_id, EventDraft(title="x", **_draft_times(sc))),
    Capability.EVENT_APPROVAL: lambda b, sc: b.approve_event(sc.approval_room_id, "some-meeting"),
    Capability.BOOKINGS: lambda b, sc: b.create_booking(
        BookingDraft(type="desk", asset_ids=[sc.desk_id], user_email=sc.person_email, **_draft_times(sc))),
    Capability.BOOKING_APPROVAL: lambda b, sc: b.approve_booking("some-booking"),
    Capability.GUESTS: lambda b, sc: b.check_in_guest("some-visit"),
    Capability.GUEST_REGISTRATION: lambda b, sc: b.create_guest(GuestDraft(
        email="x@example.com", name="X", host_email=sc.host_email,
        visit_start=sc.slot()[0], visit_end=sc.slot()[1])),
    Capability.USERS: lambda b, sc: b.list_users(),
    Capability.GROUPS: lambda b, sc: b.list_groups(),
    Capability.MANAGER: lambda b, sc: b.user_manager(sc.person_email),
    Capability.CALENDARS: lambda b, sc: b.list_calendars(sc.host_email),
    Capability.MAIL: lambda b, sc: b.send_mail(MailMessage(to=[sc.host_email], subject="x")),
    Capability.OUTBOX: lambda b, sc: b.list_outbox(),
}


def test_there_is_a_call_for_every_capability():
    assert set(CALLS) == set(Capability) == set(CAPABILITY_METHODS)


async def test_what_a_backend_lacks_is_refused_naming_the_capability(site):
    lacking = sorted(frozenset(Capability) - site.backend.capabilities)
    for capability in lacking:
        with pytest.raises(NotSupportedError) as caught:
            await CALLS[capability](site.backend, site.scenario)
        assert caught.value.capability == capability.value
        assert not site.backend.supports(capability)
    for capability in site.backend.capabilities:
        assert site.backend.supports(capability)
