"""Walk-in registration at the lobby kiosk: a guest nobody announced types their name and email,
finds their host, and is registered and checked in through the same outbox as everyone else.

The host search is the directory's, and a stranger sees only what they asked for: nothing until
three characters are typed, then at most a handful of people whose name (or the part of the
email before the @) contains them; names and departments, never email addresses or a list of
everyone. A backend with no directory hides the search: the guest types their host's email.

Registering needs the backend (the visit must exist before it can be checked in); its write
carries one idempotency key per registration, kept across retries, so a reply lost to an outage
and a second press of Enter never make two visits.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from staffterm.backends.base import Capability
from staffterm.errors import InvalidInputError, NotSupportedError
from staffterm.models import Guest
from staffterm.services.directory import DirectoryService
from staffterm.services.kiosk_lobby import LobbyService

log = logging.getLogger(__name__)

#: Fewer characters than this would list half the company to a stranger.
MIN_HOST_QUERY = 3
MAX_HOSTS_SHOWN = 5
WALK_IN_MINUTES = 120
WALK_IN_NOTE = "Registered at the lobby kiosk"


@dataclass(frozen=True)
class HostChoice:
    """A host the guest may pick: what is shown (name, department) and whom it means (email)."""

    email: str
    name: str
    department: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.department})" if self.department else self.name


def _normal(text: str) -> str:
    return " ".join((text or "").split()).lower()


def _email(text: str, *, field: str, ask: str) -> str:
    email = (text or "").strip().lower()
    local, at, domain = email.partition("@")
    if (
        not at or not local or "@" in domain or "." not in domain or domain.startswith(".") or domain.endswith(".")
        or any(ch.isspace() or not ch.isprintable() for ch in email) or len(email) > 254
    ):
        raise InvalidInputError(ask, field=field)
    return email


def check_guest_details(name: str, email: str) -> tuple[str, str]:
    """The guest's name and email as they will be stored; a clear error for either when wrong."""
    clean_name = " ".join((name or "").split())
    if len(clean_name) < 2 or not clean_name.isprintable():
        raise InvalidInputError("please type your full name", field="name")
    if len(clean_name) > 120:
        raise InvalidInputError("that name is too long (120 characters at most)", field="name")
    return clean_name, _email(email, field="email", ask="please type your email address, like name@company.com")


class WalkInService:
    def __init__(self, lobby: LobbyService, directory: DirectoryService, *, minutes: int = WALK_IN_MINUTES) -> None:
        self.lobby = lobby
        self.directory = directory
        self.minutes = minutes
        # The idempotency key of the registration under way: the same on every retry of it.
        self._key: str | None = None

    @property
    def available(self) -> bool:
        """Whether the backend can register a visitor at all (Microsoft 365's visitors come from
        meetings: there, walk-in registration is hidden)."""
        return self.lobby.reception.backend.supports(Capability.GUEST_REGISTRATION)

    @property
    def can_search_hosts(self) -> bool:
        return self.directory.backend.supports(Capability.USERS)

    def start(self) -> None:
        """A new guest at the form: a new registration, with a new key when it is sent."""
        self._key = None

    async def find_hosts(self, text: str) -> list[HostChoice]:
        """At most ``MAX_HOSTS_SHOWN`` people matching ``text``; none below ``MIN_HOST_QUERY`` characters."""
        query = _normal(text)
        if len(query) < MIN_HOST_QUERY or not self.can_search_hosts:
            return []
        try:
            users = await self.directory.search_people(query, limit=MAX_HOSTS_SHOWN * 4)
        except NotSupportedError:
            return []
        found: list[HostChoice] = []
        for user in users:
            # The backend's search may match other fields (a department, a phone): only what the
            # guest typed, in a name or an email's local part, counts here.
            if user.suspended or not user.email:
                continue
            if query in _normal(user.name) or query in user.email.lower().split("@")[0]:
                found.append(HostChoice(user.email.lower(), user.name or user.email.split("@")[0], user.department))
            if len(found) == MAX_HOSTS_SHOWN:
                break
        return found

    def host_by_email(self, text: str) -> HostChoice:
        """Where there is no directory to search: the host's email, typed in full."""
        email = _email(text, field="host_email", ask="please type your host's full email address")
        return HostChoice(email, email)

    async def register(self, name: str, email: str, host: HostChoice) -> Guest:
        """Create today's visit in the kiosk's building; the guest is then checked in through the
        lobby's outbox like any other visit."""
        clean_name, clean_email = check_guest_details(name, email)
        if self._key is None:
            self._key = f"staffterm-kiosk-{uuid.uuid4().hex}"
        guest = await self.lobby.reception.register_walk_in(
            clean_name, clean_email, host.email, zone_id=self.lobby.building_id, minutes=self.minutes,
            notes=WALK_IN_NOTE, idempotency_key=self._key,
        )
        self._key = None
        if not guest.host_name:
            guest = guest.model_copy(update={"host_name": host.name})
        await self.lobby.add_visit(guest)
        return guest


__all__ = ["MAX_HOSTS_SHOWN", "MIN_HOST_QUERY", "HostChoice", "WalkInService", "check_guest_details"]
