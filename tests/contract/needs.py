"""Which capabilities a contract test exercises, and what a backend lacking them skips.

A test says what it exercises with ``@needs(Capability.X, ...)``; on a backend without one of
them it is skipped with a reason naming the missing capabilities, never silently.
``test_capabilities.py`` reads these marks from the test modules themselves (not from what a
run happened to collect) to check that each backend's skips are exactly the capabilities it
lacks.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Iterator
from types import ModuleType

import pytest

from staffterm.capabilities import Capability

MARK = "needs"
needs = getattr(pytest.mark, MARK)

# The contract methods that answer for each capability (staffterm/backends/base.py).
CAPABILITY_METHODS: dict[Capability, tuple[str, ...]] = {
    Capability.ZONES: ("list_zones", "get_zone"),
    Capability.ROOMS: ("list_rooms", "get_room"),
    Capability.FREE_BUSY: ("free_busy",),
    Capability.EVENTS: ("list_events", "get_event"),
    Capability.EVENT_WRITE: ("create_event", "update_event", "delete_event", "decline_event"),
    Capability.EVENT_APPROVAL: ("approve_event", "reject_event"),
    Capability.BOOKINGS: (
        "query_bookings", "get_booking", "create_booking", "update_booking",
        "check_in_booking", "set_booking_state", "delete_booking",
    ),
    Capability.BOOKING_APPROVAL: ("approve_booking", "reject_booking"),
    Capability.GUESTS: ("query_guests", "get_guest", "update_guest", "check_in_guest"),
    Capability.GUEST_REGISTRATION: ("create_guest",),
    Capability.USERS: ("list_users", "get_user"),
    Capability.GROUPS: ("list_groups", "group_members", "user_groups"),
    Capability.MANAGER: ("user_manager",),
    Capability.CALENDARS: ("list_calendars",),
    Capability.MAIL: ("send_mail",),
    Capability.OUTBOX: ("list_outbox",),
}  # fmt: skip


def capabilities_of(marks: Iterable[pytest.Mark]) -> frozenset[Capability]:
    found: set[Capability] = set()
    for mark in marks:
        if mark.name == MARK:
            found.update(Capability(c) for c in mark.args)
    return frozenset(found)


def skip_reason(provider: str, missing: Iterable[Capability]) -> str:
    names = ", ".join(sorted(c.value for c in missing))
    return f"the {provider} backend lacks the capability: {names}"


def _contract_modules() -> Iterator[ModuleType]:
    package = importlib.import_module(__package__ or "tests.contract")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("test_"):
            yield importlib.import_module(f"{package.__name__}.{info.name}")


def _marks_of(obj: object) -> list[pytest.Mark]:
    marks = getattr(obj, "pytestmark", [])
    return list(marks) if isinstance(marks, list) else [marks]


def declared_needs() -> dict[str, frozenset[Capability]]:
    """``{"module::test": capabilities}`` of every contract test that runs on a backend (takes
    the ``site`` fixture), read from the modules, whatever this run selected."""
    out: dict[str, frozenset[Capability]] = {}
    for module in _contract_modules():
        module_marks = _marks_of(module)
        for name, fn in vars(module).items():
            if not name.startswith("test_") or not callable(fn):
                continue
            if "site" not in inspect.signature(fn).parameters:
                continue
            out[f"{module.__name__}::{name}"] = capabilities_of([*module_marks, *_marks_of(fn)])
    return out
