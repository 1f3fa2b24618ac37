"""Directory tolerance: a backend lacking managers/groups/calendars still shows the person.

A small in-file backend stands in for providers with different gaps (Google has no managers,
the local site may lack groups); each only overrides what it supports, so the rest raises the
base class's real ``NotSupportedError``.
"""

from __future__ import annotations

import pytest

from staffterm.backends.base import Backend
from staffterm.capabilities import Capability
from staffterm.errors import InvalidInputError, NotFoundError, UnavailableError
from staffterm.models import Calendar, Group, User
from staffterm.services.directory import DirectoryService

ADA = User(id="u1", email="ada@acme.example", name="Ada Lovelace", manager_email="grace@acme.example")
GRACE = User(id="u2", email="grace@acme.example", name="Grace Hopper")
PEOPLE = [ADA, GRACE]


class UsersOnly(Backend):
    provider = "users-only"
    capabilities = frozenset({Capability.USERS})

    def __init__(self) -> None:
        super().__init__("t")
        self.queries: list[tuple[str | None, int]] = []

    async def list_users(self, *, query: str | None = None, limit: int = 100) -> list[User]:
        self.queries.append((query, limit))
        found = [u for u in PEOPLE if query is None or query.lower() in (u.name + u.email).lower()]
        return found[:limit]

    async def get_user(self, user_id: str) -> User:
        for user in PEOPLE:
            if user_id in (user.id, user.email):
                return user
        raise NotFoundError(f"no person {user_id!r}")


class Everything(UsersOnly):
    provider = "everything"

    async def user_manager(self, user_id: str) -> User | None:
        return GRACE if user_id == "u1" else None

    async def user_groups(self, user_id: str) -> list[Group]:
        return [Group(id="g2", name="ops"), Group(id="g1", name="Design")]

    async def list_calendars(self, user_id: str) -> list[Calendar]:
        return [Calendar(id=user_id, name="Calendar", owner_email=user_id, primary=True)]

    async def list_groups(self, *, query: str | None = None) -> list[Group]:
        return [Group(id="g2", name="ops"), Group(id="g1", name="Design")]

    async def group_members(self, group_id: str) -> list[User]:
        if group_id != "g1":
            raise NotFoundError(f"no group {group_id!r}")
        return [GRACE, ADA]


class BrokenGroups(Everything):
    async def user_groups(self, user_id: str) -> list[Group]:
        raise UnavailableError("directory down")


async def test_person_details_with_everything() -> None:
    details = await DirectoryService(Everything()).person_details("ada@acme.example")
    assert details.user == ADA
    assert details.manager == GRACE
    assert [g.name for g in details.groups] == ["Design", "ops"]
    assert details.calendars[0].owner_email == "ada@acme.example"
    assert details.unsupported == []


async def test_person_details_tolerates_not_supported_parts() -> None:
    details = await DirectoryService(UsersOnly()).person_details("u1")
    assert details.user == ADA
    assert details.manager is None and details.groups == [] and details.calendars == []
    assert details.unsupported == ["manager", "groups", "calendars"]


async def test_other_errors_are_not_swallowed() -> None:
    with pytest.raises(UnavailableError):
        await DirectoryService(BrokenGroups()).person_details("u1")


async def test_unknown_person_and_empty_key() -> None:
    service = DirectoryService(UsersOnly())
    with pytest.raises(NotFoundError):
        await service.person_details("nobody@acme.example")
    with pytest.raises(InvalidInputError):
        await service.person_details("  ")


async def test_search_people_passes_query_and_limit() -> None:
    backend = UsersOnly()
    service = DirectoryService(backend)
    assert await service.search_people(" grace ", limit=5) == [GRACE]
    assert await service.search_people("", limit=1) == [ADA]
    assert backend.queries == [("grace", 5), (None, 1)]
    with pytest.raises(InvalidInputError):
        await service.search_people("x", limit=0)


async def test_groups_and_members_sorted() -> None:
    service = DirectoryService(Everything())
    assert [g.name for g in await service.groups()] == ["Design", "ops"]
    assert [u.name for u in await service.members("g1")] == ["Ada Lovelace", "Grace Hopper"]
    with pytest.raises(NotFoundError):
        await service.members("g9")


async def test_groups_unsupported_raises_typed_error() -> None:
    from staffterm.errors import NotSupportedError

    with pytest.raises(NotSupportedError):
        await DirectoryService(UsersOnly()).groups("x")
