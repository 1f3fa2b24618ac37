"""The backends the contract suite runs on: ONE entry per backend, each with its fake.

An entry is a factory that opens the backend against its fake (in a temp dir, on a frozen
clock) and yields it, plus a ``Scenario``: which zones, rooms, desks and people of that
backend's seeded site the tests use. A new backend joins the suite by adding one
``ContractBackend`` to ``CONTRACT_BACKENDS``; the tests never name a provider.

Backends are built only through the registry (``create_backend``) and settings only through
``staffterm.config.providers``, so the suite does not depend on where a backend's modules live.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from staffterm.backends.base import Backend
from staffterm.backends.registry import create_backend
from staffterm.clock import FrozenClock
from staffterm.config.providers import GraphSettings, LocalSettings, PlaceOSSettings
from tests.fakes.graph import seed as graph_seed


@dataclass(frozen=True)
class Scenario:
    """What the tests may rely on in one backend's seeded site.

    ``now`` is late afternoon in the building, so that the ``slot`` an hour later is after the
    seeded working day: the rooms and desks named here are free in it, and check-in (which
    opens before the start) is already allowed.
    """

    now: datetime
    timezone: str
    building_id: str
    level_id: str  # a level of the building holding ``room_id`` and ``other_room_id``
    room_id: str  # bookable, no approval, free in the slot
    other_room_id: str  # bookable, no approval, free in the slot
    unbookable_room_id: str
    approval_room_id: str  # bookable, its bookings wait for the room's approval
    desk_id: str  # free in the slot
    other_desk_id: str  # free in the slot
    desk_level_id: str  # the level holding both desks
    host_email: str  # a person in the directory who may host meetings and visitors
    person_email: str  # another person, whose manager is ``manager_email``
    manager_email: str
    group_id: str  # a group that ``person_email`` belongs to
    missing_room_id: str = "no-such-room"
    missing_zone_id: str = "no-such-zone"

    def slot(self, hours_later: float = 0, minutes: int = 60) -> tuple[datetime, datetime]:
        """A free window: the first one starts 30 minutes after ``now``."""
        start = self.now + timedelta(minutes=30) + timedelta(hours=hours_later)
        return start, start + timedelta(minutes=minutes)

    def today(self) -> tuple[datetime, datetime]:
        """The building's local day that holds ``now``."""
        tz = ZoneInfo(self.timezone)
        day = self.now.astimezone(tz).date()
        start = datetime.combine(day, time(0), tz)
        return start, start + timedelta(days=1)


OpenBackend = Callable[[Path, FrozenClock], AbstractAsyncContextManager[Backend]]


@dataclass(frozen=True)
class ContractBackend:
    provider: str  # the registry's name for it
    scenario: Scenario
    open: OpenBackend  # (temp dir, frozen clock) -> an async context yielding an open backend
    #: Known divergences from the contract: test name -> why. Each runs as xfail(strict=True),
    #: so fixing the backend makes the entry fail until it is removed here.
    diverges: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- local


LOCAL = Scenario(
    # The demo site lays its day out from 08:00 to 18:00 in each building.
    now=datetime(2026, 3, 2, 18, 30, tzinfo=ZoneInfo("Europe/London")),
    timezone="Europe/London",
    building_id="bld-lon",
    level_id="lvl-lon-1",
    room_id="rm-lon-1-01",
    other_room_id="rm-lon-1-02",
    unbookable_room_id="rm-lon-1-05",
    approval_room_id="rm-lon-3-06",
    desk_id="desk-lon-2-01",
    other_desk_id="desk-lon-2-02",
    desk_level_id="lvl-lon-2",
    host_email="chloe.evans@acme.example",
    person_email="james.walker@acme.example",
    manager_email="chloe.evans@acme.example",
    group_id="grp-engineering",
)


@asynccontextmanager
async def open_local(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Backend]:
    settings = LocalSettings.model_validate(
        {"provider": "local", "database": str(tmp_path / "contract-site.sqlite3"), "demo": True}
    )
    async with create_backend("contract", "local", settings, clock=clock) as backend:
        yield backend


# --------------------------------------------------------------------------- PlaceOS


PLACEOS = Scenario(
    # The fake's seed lays its Sydney day out before 18:00 (tests/fakes/placeos/seed.py).
    now=datetime(2026, 3, 2, 18, 30, tzinfo=ZoneInfo("Australia/Sydney")),
    timezone="Australia/Sydney",
    building_id="zone-syd",
    level_id="zone-syd-l1",
    room_id="sys-ada",
    other_room_id="sys-babbage",
    unbookable_room_id="sys-gauss",
    approval_room_id="sys-curie",
    desk_id="desk-l1-03",
    other_desk_id="desk-l1-04",
    desk_level_id="zone-syd-l1",
    host_email="grace.hopper@acme.example",
    person_email="ada.lovelace@acme.example",
    manager_email="grace.hopper@acme.example",
    group_id="grp-engineering",
)


async def _no_sleep(_seconds: float) -> None:
    """Retries back off without waiting: the fake answers at once."""


@asynccontextmanager
async def open_placeos(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Backend]:
    from tests.fakes.placeos import FakePlaceOS

    fake = FakePlaceOS(now=clock.now)  # one clock for the backend and its fake
    settings = PlaceOSSettings.model_validate(
        {"provider": "placeos", "base_url": fake.base_url, "api_key": FakePlaceOS.API_KEY}
    )
    backend = create_backend(
        "contract", "placeos", settings,
        clock=clock, transport=fake.transport(), token_dir=tmp_path / "tokens", sleep=_no_sleep,
    )  # fmt: skip
    async with backend:
        yield backend
    # A route of the fake that crashed answered 500: that is a bug in the fake, not a result.
    assert not fake.server_errors, fake.server_errors


# --------------------------------------------------------------------------- Microsoft Graph


GRAPH = Scenario(
    # The fake's seed lays Sydney's day out before 17:00 (tests/fakes/graph/seed.py). Rooms are
    # keyed by their mailbox address; buildings and floors by their Places ids.
    now=datetime(2026, 3, 2, 18, 30, tzinfo=ZoneInfo("Australia/Sydney")),
    timezone="Australia/Sydney",
    building_id=graph_seed.oid("building", "syd"),
    level_id=graph_seed.oid("floor", "syd-1"),
    room_id="room.ada@acme.example",
    other_room_id="room.babbage@acme.example",
    unbookable_room_id="room.gauss@acme.example",  # bookingType "reserved"
    # Graph has no approval: a third bookable room, free in the slot, for the free/busy checks.
    approval_room_id="room.curie@acme.example",
    desk_id="no-desks-in-graph",
    other_desk_id="no-desks-in-graph-either",
    desk_level_id=graph_seed.oid("floor", "syd-1"),
    host_email="grace.hopper@acme.example",
    person_email="ada.lovelace@acme.example",
    manager_email="grace.hopper@acme.example",
    group_id=graph_seed.oid("group", "Engineering"),
)


@asynccontextmanager
async def open_graph(tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Backend]:
    from tests.fakes.graph import FakeGraph

    fake = FakeGraph(now=clock.now)  # one clock for the backend and its fake
    settings = GraphSettings.model_validate({
        "provider": "graph", "tenant_id": fake.TENANT, "client_id": fake.CLIENT_ID,
        # An app-only token the fake issued, as a token_command would print it: the suite checks
        # the calendar and directory contract; msal's sign-in is tested over HTTPS on its own.
        "token_command": fake.issue_app_token(),
        "authority_host": f"https://{fake.host}", "graph_url": f"https://{fake.host}",
        "calendar_service_account": "reception@acme.example", "mailer_from": "reception@acme.example",
        "rate_limit": 0,
    })
    backend = create_backend("contract", "graph", settings, clock=clock, transport=fake.transport(),
                             token_dir=tmp_path / "tokens", sleep=_no_sleep)
    async with backend:
        yield backend
    assert not fake.server_errors, fake.server_errors


# --------------------------------------------------------------------------- the list


CONTRACT_BACKENDS: tuple[ContractBackend, ...] = (
    ContractBackend("local", LOCAL, open_local),
    ContractBackend(
        "placeos",
        PLACEOS,
        open_placeos,
    ),
    ContractBackend(
        "graph",
        GRAPH,
        open_graph,
        diverges={
            # resources/event.md: each mailbox holds its own copy of a meeting with its own id
            # (iCalUId is the one shared "across calendars"; id "changes when the item is moved
            # from one container ... to another"). A move PATCHes the organiser's event, which
            # keeps its id; the old room's copy goes and the new room's attendant makes a new
            # item with a new id. update_event returns that new copy, so the desk learns the id it
            # can use; the id the old room named is gone, which is what this test forbids.
            "test_moving_a_meeting_to_another_room": "Graph: a moved meeting has a new id in the new room's calendar",
        },
    ),
)
