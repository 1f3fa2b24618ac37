"""Staff API directory and tenant routes: /people, /groups, /calendars, /tenants (limits, early check-in)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.fakes.placeos.routing import STAFF, Router
from tests.fakes.placeos.state import TENANT_ID, directory_id, person_from_user
from tests.fakes.placeos.wire import (
    Ctx,
    bad_request,
    forbidden,
    json_response,
    not_found,
    prefix_match,
)

router = Router(STAFF)


def _people(ctx: Ctx) -> list[dict[str, Any]]:
    users = [u for u in ctx.state.users.values() if not u.get("deleted")]
    return sorted((person_from_user(u) for u in users), key=lambda p: (p["name"], p["email"]))


def _person(ctx: Ctx, ref: str) -> dict[str, Any]:
    wanted = ref.strip().lower()
    for person in _people(ctx):
        if wanted in (person["id"], person["email"].lower()):
            return person
    raise not_found(f"user {ref} not found")


# -- Azure AD filter syntax (the subset front ends send) -------------------------------------------

_FIELDS = {"displayName": "name", "mail": "email", "userPrincipalName": "username", "department": "department",
           "jobTitle": "title", "officeLocation": "office_location", "id": "id", "accountEnabled": "enabled",
           "givenName": "given_name", "surname": "surname"}
_CLAUSE = re.compile(r"^\s*(?:startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)"
                     r"|(\w+)\s+(eq|ne)\s+(?:'((?:[^']|'')*)'|(true|false)))\s*$", re.IGNORECASE)


def _field(person: dict[str, Any], name: str) -> Any:
    key = _FIELDS[name]
    if key == "enabled":
        return not person["suspended"]
    parts = person["name"].split(" ")
    if key == "given_name":
        return parts[0]
    if key == "surname":
        return parts[-1]
    return person.get(key)


def _clause(text: str) -> Any:
    found = _CLAUSE.match(text)
    if not found:
        raise bad_request(f"unsupported filter clause: {text.strip()!r}", "filter")
    start_field, start_value, field, op, value, boolean = found.groups()
    name = start_field or field
    if name not in _FIELDS:
        raise bad_request(f"unknown filter property {name!r}", "filter")
    if start_field:
        prefix = start_value.replace("''", "'").lower()
        return lambda p: str(_field(p, name) or "").lower().startswith(prefix)
    expected: Any = (boolean.lower() == "true") if boolean else value.replace("''", "'").lower()

    def test(p: dict[str, Any]) -> bool:
        actual = _field(p, name)
        actual = actual if isinstance(actual, bool) else str(actual or "").lower()
        return (actual == expected) == (op.lower() == "eq")

    return test


def _filter(expr: str) -> Any:
    alternatives = [[_clause(c) for c in re.split(r"\s+and\s+", part, flags=re.IGNORECASE)]
                    for part in re.split(r"\s+or\s+", expr, flags=re.IGNORECASE)]
    return lambda p: any(all(test(p) for test in group) for group in alternatives)


@router.get("/people", calendar=True)
def list_people(ctx: Ctx) -> httpx.Response:
    people = _people(ctx)
    expr, query = ctx.q("filter"), ctx.q("q")
    if expr:  # filter wins over q
        test = _filter(expr)
        people = [p for p in people if test(p)]
    elif query:
        people = [p for p in people if prefix_match(query, p["name"], p["email"])]
    token = ctx.q("next_page")
    offset = 0
    if token:
        if not re.fullmatch(r"page-\d+", token):
            raise bad_request("invalid next_page token", "next_page")
        offset = int(token[5:])
    size = max(1, ctx.fake.people_page_size)
    page = people[offset:offset + size]
    headers = {}
    if offset + size < len(people):
        params = {k: v for k, v in (("q", query), ("filter", expr)) if v}
        params["next_page"] = f"page-{offset + size}"
        headers["Link"] = f'<{STAFF}/people?{urlencode(params)}>; rel="next"'
    return json_response(page, 200, headers)


@router.get("/people/{ref}", calendar=True)
def get_person(ctx: Ctx, ref: str) -> Any:
    return _person(ctx, ref)


@router.get("/people/{ref}/manager", calendar=True)
def get_manager(ctx: Ctx, ref: str) -> Any:
    person = _person(ctx, ref)
    manager = ctx.state.managers.get(person["email"].lower())
    if manager is None:
        raise not_found(f"{person['email']} has no manager")
    return _person(ctx, manager)


@router.get("/people/{ref}/groups", calendar=True)
def person_groups(ctx: Ctx, ref: str) -> Any:
    email = _person(ctx, ref)["email"].lower()
    return [dict(ctx.state.groups[g]) for g, members in sorted(ctx.state.group_members.items())
            if email in members]


def _calendar(ctx: Ctx, email: str, name: str) -> dict[str, Any]:
    principal = ctx.principal
    can_edit = principal is not None and (principal.privileged or principal.email.lower() == email.lower())
    return {"id": email, "ref": f"cal-{directory_id(email)[:8]}", "summary": name, "primary": True,
            "can_edit": can_edit}


@router.get("/people/{ref}/calendars", calendar=True)
def person_calendars(ctx: Ctx, ref: str) -> Any:
    person = _person(ctx, ref)
    return [_calendar(ctx, person["email"], person["name"])]


@router.get("/calendars", calendar=True)
def my_calendars(ctx: Ctx) -> Any:
    principal = ctx.principal
    return [_calendar(ctx, principal.email, principal.name)]  # type: ignore[union-attr]


@router.get("/calendars/{email}/permission", calendar=True)
def calendar_permission(ctx: Ctx, email: str) -> Any:
    principal = ctx.principal
    own = principal.email.lower() == email.lower()  # type: ignore[union-attr]
    return {"can_edit": own or principal.privileged}  # type: ignore[union-attr]


@router.get("/groups", calendar=True)
def list_groups(ctx: Ctx) -> Any:
    query = ctx.q("q")
    groups = [g for g in ctx.state.groups.values() if prefix_match(query, g["name"], g["email"], g["description"])]
    return [dict(g) for g in sorted(groups, key=lambda g: g["name"])]


def _group(ctx: Ctx, group_id: str) -> dict[str, Any]:
    group = ctx.state.groups.get(group_id)
    if group is None:
        raise not_found(f"group {group_id} not found")
    return group


@router.get("/groups/{group_id}", calendar=True)
def get_group(ctx: Ctx, group_id: str) -> Any:
    return dict(_group(ctx, group_id))


@router.get("/groups/{group_id}/members", calendar=True)
def group_members(ctx: Ctx, group_id: str) -> Any:
    _group(ctx, group_id)
    out = []
    for email in ctx.state.group_members.get(group_id, []):
        user = ctx.state.user_by_email(email)
        if user is None:
            continue
        person = person_from_user(user)
        out.append({key: person[key] for key in ("id", "name", "email", "phone", "username", "suspended",
                                                 "unmapped")})
    return out


# -- tenants ---------------------------------------------------------------------------------------

def _delegated(ctx: Ctx) -> dict[str, str]:
    return {"X-Delegated": "true" if ctx.fake.delegated_without_token else "false"}


@router.get("/tenants/current_limits")
def current_limits(ctx: Ctx) -> httpx.Response:
    return json_response(dict(ctx.fake.booking_limits), 200, _delegated(ctx))


@router.get("/tenants/current_early_checkin")
def current_early_checkin(ctx: Ctx) -> httpx.Response:
    return json_response(int(ctx.fake.early_checkin), 200, _delegated(ctx))


def _tenant(ctx: Ctx) -> dict[str, Any]:
    fake = ctx.fake
    return {"id": TENANT_ID, "name": "Acme", "domain": fake.host, "email_domain": "acme.example",
            "platform": "office365", "delegated": fake.delegated_without_token, "service_account": None,
            "booking_limits": dict(fake.booking_limits), "early_checkin": fake.early_checkin,
            "outlook_config": None}


def _admin(ctx: Ctx, tenant_id: str | None = None) -> None:
    if ctx.principal is None or not ctx.principal.is_admin:
        raise forbidden()
    if tenant_id is not None and tenant_id != str(TENANT_ID):
        raise not_found(f"tenant {tenant_id} not found")


@router.get("/tenants")
def list_tenants(ctx: Ctx) -> Any:
    _admin(ctx)
    return [_tenant(ctx)]


@router.get("/tenants/{tenant_id}/limits")
def get_limits(ctx: Ctx, tenant_id: str) -> Any:
    _admin(ctx, tenant_id)
    return dict(ctx.fake.booking_limits)


@router.post("/tenants/{tenant_id}/limits")
def set_limits(ctx: Ctx, tenant_id: str) -> Any:
    _admin(ctx, tenant_id)
    body = ctx.body_object()
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in body.values()):
        raise bad_request("limits must be integers")
    ctx.fake.booking_limits = dict(body)
    return dict(body)


@router.get("/tenants/{tenant_id}/early_checkin")
def get_early_checkin(ctx: Ctx, tenant_id: str) -> Any:
    _admin(ctx, tenant_id)
    return int(ctx.fake.early_checkin)


@router.post("/tenants/{tenant_id}/early_checkin")
def set_early_checkin(ctx: Ctx, tenant_id: str) -> Any:
    _admin(ctx, tenant_id)
    seconds = ctx.int_q("early_checkin", minimum=0)
    if seconds is None:
        body = ctx.body(required=True)
        if not isinstance(body, int) or isinstance(body, bool) or body < 0:
            raise bad_request("early_checkin must be a non-negative integer (seconds)")
        seconds = body
    ctx.fake.early_checkin = seconds
    return seconds
