"""One fake Microsoft 365 tenant: directory, places, calendars, sent mail, app registrations and
issued tokens.

Records are plain dicts in their Graph wire shape so tests can assert on them directly
(``fake.state.sent_mail[0]["message"]["subject"]``); events also keep a few private fields
(prefixed ``_``) that the renderer drops.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TENANT_ID = "8f2c6b1e-5d4a-4c3b-9a8e-1f0d2c3b4a59"
TENANT_DOMAIN = "acme.example"
GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"

# Every application permission staffterm's backend could ask for (cloud-apis notes A8 table).
ALL_APP_ROLES = frozenset({
    "Calendars.Read", "Calendars.ReadBasic", "Calendars.ReadWrite", "Place.Read.All", "User.Read.All",
    "Group.Read.All", "GroupMember.Read.All", "Mail.Send",
})


@dataclass
class AppRegistration:
    client_id: str
    display_name: str
    secret: str
    secret_expired: bool = False
    roles: frozenset[str] = ALL_APP_ROLES  # application permissions with admin consent
    consented: bool = True  # delegated permissions consented (device code flow)
    public_client: bool = True  # "Allow public client flows" (device code)


@dataclass
class TokenRecord:
    app_id: str
    tenant: str
    expires_at: datetime
    roles: frozenset[str]  # application permissions ("roles" claim)
    scopes: frozenset[str]  # delegated permissions ("scp" claim)
    user: str | None  # the signed-in user's UPN for delegated tokens


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: datetime
    interval: int
    approved_by: str | None = None  # a user's UPN once they signed in
    declined: bool = False
    last_poll: datetime | None = None


@dataclass
class GraphState:
    tenant_id: str = TENANT_ID
    tenant_domains: tuple[str, ...] = (TENANT_DOMAIN, "acme.onmicrosoft.com")
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> user (directory object)
    user_extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> non-default props (department)
    managers: dict[str, str] = field(default_factory=dict)  # user id -> manager id
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_members: dict[str, list[str]] = field(default_factory=dict)  # group id -> user ids
    places: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> room/roomList/building/floor
    room_list_members: dict[str, list[str]] = field(default_factory=dict)  # room list email -> room emails
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> event (one mailbox's copy)
    # event id -> {extension id -> open extension} (tests/fakes/graph/extensions.py)
    extensions: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    mailbox_zones: dict[str, str] = field(default_factory=dict)  # mailbox -> working hours' zone (Windows name)
    sent_mail: list[dict[str, Any]] = field(default_factory=list)
    apps: dict[str, AppRegistration] = field(default_factory=dict)
    tokens: dict[str, TokenRecord] = field(default_factory=dict)
    device_codes: dict[str, DeviceCode] = field(default_factory=dict)
    refresh_tokens: dict[str, tuple[str, str, frozenset[str]]] = field(default_factory=dict)  # -> app, user, scopes
    _counters: dict[str, itertools.count] = field(default_factory=dict, repr=False)

    def next_number(self, kind: str) -> int:
        return next(self._counters.setdefault(kind, itertools.count(1)))

    # -- tenants ----------------------------------------------------------------------------------
    def knows_tenant(self, tenant: str) -> bool:
        wanted = tenant.lower()
        return wanted in ("organizations", "common") or wanted == self.tenant_id or wanted in self.tenant_domains

    # -- directory --------------------------------------------------------------------------------
    def user(self, ref: str) -> dict[str, Any] | None:
        """A user by object id or userPrincipalName (users/{id | userPrincipalName}, user-get.md)."""
        if ref in self.users:
            return self.users[ref]
        wanted = ref.lower()
        for user in self.users.values():
            if user["userPrincipalName"].lower() == wanted or (user.get("mail") or "").lower() == wanted:
                return user
        return None

    def room(self, email: str) -> dict[str, Any] | None:
        wanted = email.lower()
        for place in self.places.values():
            if place["@odata.type"] == "#microsoft.graph.room" and place["emailAddress"].lower() == wanted:
                return place
        return None

    def mailbox(self, ref: str) -> str | None:
        """The mailbox a path or a schedule names, as its lower-cased SMTP address (users and rooms)."""
        user = self.user(ref)
        if user is not None:
            return (user.get("mail") or user["userPrincipalName"]).lower()
        room = self.room(ref)
        return room["emailAddress"].lower() if room else None

    def display_name_of(self, address: str) -> str:
        user = self.user(address)
        if user:
            return user["displayName"]
        room = self.room(address)
        return room["displayName"] if room else address

    def groups_of(self, user_id: str) -> list[dict[str, Any]]:
        return [self.groups[g] for g, members in self.group_members.items() if user_id in members]

    # -- calendars --------------------------------------------------------------------------------
    def events_of(self, mailbox: str) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if e["_mailbox"] == mailbox]

    def copies(self, ical_uid: str) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if e["iCalUId"] == ical_uid]

    def new_event_id(self) -> str:
        # Outlook ids are long base64-ish strings; ours keep that flavour and stay unique.
        return f"AAMkAG{uuid.uuid4().hex}{self.next_number('event'):06d}AAA="
