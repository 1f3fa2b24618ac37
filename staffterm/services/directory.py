"""The people directory: search, a person's details (manager, groups, calendars), groups, and the
mail the site sent them (the local site's outbox).

Backends differ in what they can tell (the local site has no groups, Google no managers); a
person's details show what is available and list what is not instead of failing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from staffterm.backends.base import Backend
from staffterm.errors import InvalidInputError, NotSupportedError
from staffterm.models import Calendar, Group, MailMessage, User

T = TypeVar("T")

MAX_LIMIT = 999


@dataclass(frozen=True)
class PersonDetails:
    user: User
    manager: User | None = None
    groups: list[Group] = field(default_factory=list)
    calendars: list[Calendar] = field(default_factory=list)
    # Parts this backend cannot provide ("manager", "groups", "calendars").
    unsupported: list[str] = field(default_factory=list)


async def _optional(part: str, call: Awaitable[T], unsupported: list[str]) -> T | None:
    try:
        return await call
    except NotSupportedError:
        unsupported.append(part)
        return None


class DirectoryService:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def search_people(self, query: str, limit: int = 50) -> list[User]:
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise InvalidInputError(f"limit must be between 1 and {MAX_LIMIT}, not {limit!r}", field="limit")
        text = (query or "").strip()
        return await self.backend.list_users(query=text or None, limit=limit)

    async def person_details(self, id_or_email: str) -> PersonDetails:
        """The person plus whatever of manager, groups and calendars the backend supports."""
        key = (id_or_email or "").strip()
        if not key:
            raise InvalidInputError("say whose details to show (an id or email)", field="id_or_email")
        user = await self.backend.get_user(key)
        unsupported: list[str] = []
        manager, groups, calendars = await asyncio.gather(
            _optional("manager", self.backend.user_manager(user.id), unsupported),
            _optional("groups", self.backend.user_groups(user.id), unsupported),
            _optional("calendars", self.backend.list_calendars(user.email or user.id), unsupported),
        )
        order = ["manager", "groups", "calendars"]
        return PersonDetails(
            user=user,
            manager=manager,
            groups=sorted(groups or [], key=lambda g: g.name.lower()),
            calendars=list(calendars or []),
            unsupported=sorted(unsupported, key=order.index),
        )

    async def groups(self, query: str | None = None) -> list[Group]:
        text = (query or "").strip()
        found = await self.backend.list_groups(query=text or None)
        return sorted(found, key=lambda g: g.name.lower())

    async def members(self, group_id: str) -> list[User]:
        if not (group_id or "").strip():
            raise InvalidInputError("say which group (its id)", field="group_id")
        found = await self.backend.group_members(group_id.strip())
        return sorted(found, key=lambda u: (u.name or u.email).lower())

    async def outbox(self, limit: int = 100) -> list[MailMessage]:
        """The mail the site sent, as its backend keeps it (the local site's outbox)."""
        return await self.backend.list_outbox(limit=limit)
