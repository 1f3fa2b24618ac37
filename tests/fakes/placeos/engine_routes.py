"""Engine REST API (``/api/engine/v2``): zones, systems, metadata, users, signals, API key inspection."""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx

from tests.fakes.placeos.auth import inspect_api_key
from tests.fakes.placeos.routing import ENGINE, Router
from tests.fakes.placeos.wire import (
    Ctx,
    bad_request,
    empty_response,
    forbidden,
    invalid,
    json_response,
    not_found,
    paged,
    prefix_match,
)

router = Router(ENGINE)


def _require_support(ctx: Ctx) -> None:
    if ctx.principal is None or not ctx.principal.privileged:
        raise forbidden()


def _require_admin(ctx: Ctx) -> None:
    if ctx.principal is None or not ctx.principal.is_admin:
        raise forbidden()


# -- zones -----------------------------------------------------------------------------------------

@router.get("/zones")
def list_zones(ctx: Ctx) -> httpx.Response:
    tags = ctx.list_q("tags")
    parents = ctx.list_q("parent_id")
    if not tags and not parents and not ctx.principal.privileged:  # type: ignore[union-attr]
        raise forbidden()  # rest-api: non-support users must narrow the listing
    query = ctx.q("q")
    zones = []
    for zone in ctx.state.zones.values():
        if tags and not set(tags) <= set(zone["tags"]):
            continue
        if parents and not any((p == "root" and zone["parent_id"] is None) or zone["parent_id"] == p
                               for p in parents):
            continue
        if not prefix_match(query, zone["name"], zone["display_name"], zone["description"], zone["code"]):
            continue
        zones.append(zone)
    zones.sort(key=lambda z: (z["name"], z["id"]))
    include_children = ctx.bool_q("include_children_count", False)

    def render(zone: dict[str, Any]) -> dict[str, Any]:
        out = dict(zone)
        if include_children:
            out["children_count"] = len(ctx.state.child_zones(zone["id"]))
        return out

    return paged(ctx, zones, table="zone", render=render)


@router.get("/zones/{zone_id}")
def get_zone(ctx: Ctx, zone_id: str) -> Any:
    zone = ctx.state.zones.get(zone_id)
    if zone is None:
        raise not_found(f"zone {zone_id} not found")
    return dict(zone)


@router.get("/zones/{zone_id}/metadata")
def zone_metadata(ctx: Ctx, zone_id: str) -> Any:
    if zone_id not in ctx.state.zones:
        raise not_found(f"zone {zone_id} not found")
    return get_metadata(ctx, zone_id)


# -- systems ---------------------------------------------------------------------------------------

@router.get("/systems")
def list_systems(ctx: Ctx) -> httpx.Response:
    zone_ids = ctx.list_q("zone_id")
    capacity = ctx.int_q("capacity")
    bookable = ctx.bool_q("bookable")
    signage = ctx.bool_q("signage")
    features = ctx.list_q("features")
    emails = {e.lower() for e in ctx.list_q("email")}
    query = ctx.q("q")
    found = []
    for system in ctx.state.systems.values():
        if not set(zone_ids) <= set(system["zones"]):  # the system must be in every zone given
            continue
        if capacity is not None and system["capacity"] < capacity:
            continue
        if bookable is not None and system["bookable"] != bookable:
            continue
        if signage is not None and system["signage"] != signage:
            continue
        if not set(features) <= set(system["features"]):
            continue
        if emails and (system.get("email") or "").lower() not in emails:
            continue
        if not prefix_match(query, system["name"], system["display_name"], system["description"]):
            continue
        found.append(system)
    found.sort(key=lambda s: (s["name"], s["id"]))
    return paged(ctx, found, table="sys", render=dict)


@router.get("/systems/with_emails")
def systems_with_emails(ctx: Ctx) -> Any:
    emails = {e.lower() for e in ctx.list_q("in")}
    return [dict(s) for s in ctx.state.systems.values() if (s.get("email") or "").lower() in emails]


@router.get("/systems/{system_id}")
def get_system(ctx: Ctx, system_id: str) -> Any:
    system = ctx.state.systems.get(system_id)
    if system is None:
        raise not_found(f"system {system_id} not found")
    return dict(system)


# -- metadata --------------------------------------------------------------------------------------

def _entries(ctx: Ctx, parent_id: str, name: str | None) -> dict[str, Any]:
    entries = ctx.state.metadata.get(parent_id, {})
    if name:
        return {name: dict(entries[name])} if name in entries else {}
    return {key: dict(value) for key, value in entries.items()}


@router.get("/metadata/{parent_id}")
def get_metadata(ctx: Ctx, parent_id: str) -> Any:
    if not ctx.state.is_known_parent(parent_id):
        raise not_found(f"{parent_id} not found")
    return _entries(ctx, parent_id, ctx.q("name"))


@router.get("/metadata/{parent_id}/children")
def metadata_children(ctx: Ctx, parent_id: str) -> Any:
    if parent_id not in ctx.state.zones:
        raise not_found(f"zone {parent_id} not found")
    name = ctx.q("name")
    zones = ctx.state.child_zones(parent_id)
    if ctx.bool_q("include_parent", False):
        zones = [ctx.state.zones[parent_id], *zones]
    return [{"zone": dict(z), "metadata": _entries(ctx, z["id"], name)} for z in zones]


def _write_metadata(ctx: Ctx, parent_id: str, merge: bool) -> Any:
    if not ctx.state.is_known_parent(parent_id):
        raise not_found(f"{parent_id} not found")
    _require_support(ctx)
    body = ctx.body_object()
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid([("name", "is required")])
    entries = ctx.state.metadata.setdefault(parent_id, {})
    existing = entries.get(name)
    details = body.get("details")
    if merge and existing is not None and isinstance(existing["details"], dict) and isinstance(details, dict):
        details = {**existing["details"], **details}  # PATCH merges the top-level keys of details
    entry = {
        "name": name, "description": body.get("description", existing["description"] if existing else ""),
        "details": details, "parent_id": parent_id, "schema_id": body.get("schema_id"),
        "editors": body.get("editors", existing["editors"] if existing else []),
        "modified_by_id": ctx.principal.user_id,  # type: ignore[union-attr]
        "created_at": existing["created_at"] if existing else ctx.now, "updated_at": ctx.now,
    }
    entries[name] = entry
    ctx.state.signal("metadata/changed", {"parent_id": parent_id, "name": name, "details": details})
    return dict(entry)


@router.put("/metadata/{parent_id}")
def put_metadata(ctx: Ctx, parent_id: str) -> Any:
    return _write_metadata(ctx, parent_id, merge=False)


@router.patch("/metadata/{parent_id}")
def patch_metadata(ctx: Ctx, parent_id: str) -> Any:
    return _write_metadata(ctx, parent_id, merge=True)


# -- users -----------------------------------------------------------------------------------------

@router.get("/users/current")
def current_user(ctx: Ctx) -> Any:
    return dict(ctx.state.users[ctx.principal.user_id])  # type: ignore[union-attr]


@router.get("/users")
def list_users(ctx: Ctx) -> httpx.Response:
    include_deleted = ctx.bool_q("include_deleted", False)
    authority_id = ctx.q("authority_id")
    query = ctx.q("q")
    users = [u for u in ctx.state.users.values()
             if (include_deleted or not u.get("deleted"))
             and (authority_id is None or u["authority_id"] == authority_id)
             and prefix_match(query, u["name"], u["email"], u.get("nickname"))]
    users.sort(key=lambda u: (u["name"], u["id"]))
    return paged(ctx, users, table="user", render=dict)


@router.post("/users/resource_token")
def resource_token(ctx: Ctx) -> Any:
    if ctx.fake.delegated_without_token:
        raise not_found("no resource token for this user: they have not signed in with the calendar provider")
    return {"token": f"resource-{secrets.token_urlsafe(16)}", "expires": ctx.now + 3600}


@router.get("/users/{user_id}")
def get_user(ctx: Ctx, user_id: str) -> Any:
    user = ctx.state.users.get(user_id) or ctx.state.user_by_email(user_id, include_deleted=True)
    if user is None:
        raise not_found(f"user {user_id} not found")
    return dict(user)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_USER_FIELDS = ("name", "first_name", "last_name", "nickname", "phone", "department", "title", "building",
                "staff_id", "card_number", "groups", "login_name", "image", "work_preferences", "work_overrides")


@router.post("/users")
def create_user(ctx: Ctx) -> httpx.Response:
    _require_admin(ctx)
    body = ctx.body_object()
    email = str(body.get("email") or "").strip().lower()
    failures = []
    if not _EMAIL.match(email):
        failures.append(("email", "is invalid" if email else "is required"))
    elif ctx.state.user_by_email(email, include_deleted=True):
        failures.append(("email", "has already been taken"))
    if not str(body.get("name") or "").strip():
        failures.append(("name", "is required"))
    if failures:
        raise invalid(failures)
    user_id = f"user-{email.split('@')[0].replace('.', '-')}-{ctx.state.next_id('user', 1)}"
    user = {"id": user_id, "email": email, "authority_id": body.get("authority_id", "authority-acme"),
            "sys_admin": bool(body.get("sys_admin", False)), "support": bool(body.get("support", False)),
            "deleted": False, "created_at": ctx.now, "updated_at": ctx.now, "photo_upload_id": None,
            **{key: body.get(key) for key in _USER_FIELDS}}
    user["groups"] = list(body.get("groups") or [])
    ctx.state.users[user_id] = user
    if body.get("password"):
        ctx.state.passwords[email] = str(body["password"])
    return json_response(dict(user), 201)


def _update_user(ctx: Ctx, user_id: str) -> Any:
    user = ctx.state.users.get(user_id)
    if user is None:
        raise not_found(f"user {user_id} not found")
    principal = ctx.principal
    if not principal.is_admin and principal.user_id != user_id:  # type: ignore[union-attr]
        raise forbidden()
    body = ctx.body_object()
    allowed = _USER_FIELDS + (("email", "sys_admin", "support") if principal.is_admin else ())  # type: ignore[union-attr]
    if "email" in body and body["email"] is not None:
        email = str(body["email"]).strip().lower()
        other = ctx.state.user_by_email(email, include_deleted=True)
        if not _EMAIL.match(email) or (other is not None and other["id"] != user_id):
            raise invalid([("email", "is invalid or already taken")])
        body = {**body, "email": email}
    for key in allowed:
        if key in body:
            user[key] = body[key]
    if body.get("password"):
        ctx.state.passwords[user["email"].lower()] = str(body["password"])
    user["updated_at"] = ctx.now
    return dict(user)


@router.patch("/users/{user_id}")
def patch_user(ctx: Ctx, user_id: str) -> Any:
    return _update_user(ctx, user_id)


@router.put("/users/{user_id}")
def put_user(ctx: Ctx, user_id: str) -> Any:
    return _update_user(ctx, user_id)


@router.delete("/users/{user_id}")
def delete_user(ctx: Ctx, user_id: str) -> httpx.Response:
    _require_admin(ctx)
    user = ctx.state.users.get(user_id)
    if user is None:
        raise not_found(f"user {user_id} not found")
    if ctx.bool_q("force_removal", False):
        del ctx.state.users[user_id]
        ctx.state.passwords.pop(user["email"].lower(), None)
    else:
        user.update(deleted=True, updated_at=ctx.now)  # soft delete: revivable
    return empty_response(202)


@router.post("/users/{user_id}/revive")
def revive_user(ctx: Ctx, user_id: str) -> Any:
    _require_admin(ctx)
    user = ctx.state.users.get(user_id)
    if user is None:
        raise not_found(f"user {user_id} not found")
    user.update(deleted=False, updated_at=ctx.now)
    return dict(user)


# -- signals and keys ------------------------------------------------------------------------------

@router.post("/signal")
def signal(ctx: Ctx) -> httpx.Response:
    channel = ctx.q("channel")
    if not channel:
        raise bad_request("missing required parameter 'channel'", "channel")
    if "guest" in ctx.principal.scope and "/guest/" not in channel:  # type: ignore[union-attr]
        raise forbidden()
    ctx.state.signal(channel, ctx.body(required=False))
    return empty_response(200)


@router.get("/api_keys/inspect")
def inspect(ctx: Ctx) -> Any:
    return inspect_api_key(ctx.fake, ctx.principal, ctx.now)  # type: ignore[arg-type]
