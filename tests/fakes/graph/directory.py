"""Directory routes: users, groups, manager, memberOf and members (user-list.md, user-get.md,
user-list-manager.md, user-list-memberof.md, group-list.md, group-get.md, group-list-members.md).

- Default user properties (user-list.md): businessPhones, displayName, givenName, id, jobTitle,
  mail, mobilePhone, officeLocation, preferredLanguage, surname, userPrincipalName; others only
  through ``$select``.
- ``$search`` needs ``ConsistencyLevel: eventual`` (concepts/search-query-parameter.md); without
  it the answer is 400 ``Request_UnsupportedQuery`` "Request with $search query parameter only
  works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"
  (microsoft-graph-docs-contrib issue 3495). The same header and ``$count=true`` are needed for
  ``$count`` and for the advanced filter operators (concepts/aad-advanced-queries.md).
- ``$top`` is 1..999 (user-list.md); 100 per page by default; nextLinks carry an opaque
  ``$skiptoken``, and the header is not carried into them for the client (it must resend it).
- A missing object is 404 ``Request_ResourceNotFound`` "Resource '...' does not exist or one of its
  queried reference-property objects are not present." (the directory's wording, widely reported).
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.fakes.graph.odata_filter import ADVANCED, FilterError, compile_filter
from tests.fakes.graph.routing import Router
from tests.fakes.graph.wire import Ctx, GraphError, json_response, odata_page, select_fields

router = Router()
USERS = ("User.Read.All", "User.ReadBasic.All", "Directory.Read.All")
GROUPS = ("Group.Read.All", "GroupMember.Read.All", "Directory.Read.All")
USER_DEFAULTS = ("businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone",
                 "officeLocation", "preferredLanguage", "surname", "userPrincipalName")
SEARCHABLE = ("displayName", "mail", "userPrincipalName", "givenName", "surname", "description", "mailNickname")


def _missing(ref: str) -> GraphError:
    return GraphError(404, "Request_ResourceNotFound", f"Resource '{ref}' does not exist or one of its queried "
                      "reference-property objects are not present.")


def _eventual(ctx: Ctx) -> bool:
    return (ctx.request.headers.get("consistencylevel") or "").lower() == "eventual"


def _user_view(ctx: Ctx, user: dict[str, Any], typed: bool = False) -> dict[str, Any]:
    full = {**user, **ctx.state.user_extra.get(user["id"], {})}
    if ctx.q("$select"):
        out = select_fields(ctx, full)
    else:
        out = {k: full.get(k) for k in USER_DEFAULTS}
    return {"@odata.type": "#microsoft.graph.user", **out} if typed else out


def _group_view(ctx: Ctx, group: dict[str, Any], typed: bool = False) -> dict[str, Any]:
    out = select_fields(ctx, group)
    return {"@odata.type": "#microsoft.graph.group", **out} if typed else out


def _search_terms(raw: str) -> list[list[tuple[str, str]]]:
    """``"displayName:ada" OR "mail:grace"`` -> OR of AND-groups of (property, prefix)."""
    groups: list[list[tuple[str, str]]] = [[]]
    for token in re.findall(r'"[^"]*"|\bOR\b|\bAND\b', raw):
        if token == "OR":
            groups.append([])
        elif token == "AND":
            continue
        else:
            prop, sep, value = token.strip('"').partition(":")
            if not sep:
                raise GraphError(400, "Request_UnsupportedQuery", "Syntax error: the $search clause must be "
                                 "\"property:value\".")
            groups[-1].append((prop.strip(), value.strip().lower()))
    if not any(groups):
        raise GraphError(400, "Request_UnsupportedQuery", "Syntax error: the $search clause must be quoted.")
    return groups


def _matches_search(record: dict[str, Any], groups: list[list[tuple[str, str]]]) -> bool:
    def term(prop: str, prefix: str) -> bool:
        if prop not in SEARCHABLE:
            raise GraphError(400, "Request_UnsupportedQuery", f"Unsupported query: $search on property '{prop}'.")
        # search-query-parameter.md: values are tokenized (spaces, casing, symbols); a term matches a
        # token's start.
        text = str(record.get(prop) or "")
        words = re.findall(r"[a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower())
        return any(w.startswith(prefix) for w in words) or text.lower().startswith(prefix)

    return any(group and all(term(p, v) for p, v in group) for group in groups)


def _query(ctx: Ctx, records: list[dict[str, Any]], resource: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    eventual = _eventual(ctx)
    counting = (ctx.q("$count") or "").lower() == "true"
    search = ctx.q("$search")
    if search is not None:
        if not eventual:
            raise GraphError(400, "Request_UnsupportedQuery", "Request with $search query parameter only works "
                             "through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
        groups = _search_terms(search)
        records = [r for r in records if _matches_search(r, groups)]
    raw_filter = ctx.q("$filter")
    if raw_filter:
        try:
            predicate, used = compile_filter(raw_filter)
        except FilterError as exc:
            raise GraphError(400, "Request_UnsupportedQuery", str(exc)) from None
        if used & ADVANCED and not (eventual and counting):
            raise GraphError(400, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified "
                             f"for property '{raw_filter.split()[0]}' of resource '{resource}'.")
        records = [r for r in records if predicate(r)]
    if counting and not eventual:
        # aad-advanced-queries.md: $count on directory objects needs the header. Wording is ours.
        raise GraphError(400, "Request_UnsupportedQuery", "$count requires the header 'ConsistencyLevel: eventual'.")
    extra = {"@odata.count": len(records)} if counting else {}
    return records, extra


def _page_size(ctx: Ctx) -> int:
    top = ctx.int_q("$top")
    if top is not None and not 1 <= top <= 999:
        raise GraphError(400, "Request_UnsupportedQuery", f"Invalid page size specified: '{top}'. Must be between 1 "
                         "and 999 inclusive.")
    return ctx.fake.page_size("directory", top)


def _users(ctx: Ctx) -> list[dict[str, Any]]:
    return [{**u, **ctx.state.user_extra.get(u["id"], {})} for u in
            sorted(ctx.state.users.values(), key=lambda u: (u["displayName"], u["id"]))]


@router.get("/users", permissions=USERS)
def list_users(ctx: Ctx) -> httpx.Response:
    records, extra = _query(ctx, _users(ctx), "User")
    return odata_page(ctx, records, page_size=_page_size(ctx), context="users", token_style="skiptoken",
                      render=lambda u: _user_view(ctx, u), extra=extra)


@router.get("/users/{user}", permissions=USERS)
def get_user(ctx: Ctx, user: str) -> httpx.Response:
    found = ctx.state.user(user)
    if found is None:
        raise _missing(user)
    return json_response({"@odata.context": f"{ctx.base()}/$metadata#users/$entity", **_user_view(ctx, found)})


@router.get("/users/{user}/manager", permissions=USERS)
def get_manager(ctx: Ctx, user: str) -> httpx.Response:
    found = ctx.state.user(user)
    if found is None:
        raise _missing(user)
    manager = ctx.state.users.get(ctx.state.managers.get(found["id"], ""))
    if manager is None:
        raise _missing("manager")
    return json_response({"@odata.context": f"{ctx.base()}/$metadata#directoryObjects/$entity",
                          **_user_view(ctx, manager, typed=True)})


@router.get("/users/{user}/memberOf", permissions=GROUPS)
def member_of(ctx: Ctx, user: str) -> httpx.Response:
    found = ctx.state.user(user)
    if found is None:
        raise _missing(user)
    groups = sorted(ctx.state.groups_of(found["id"]), key=lambda g: (g["displayName"], g["id"]))
    records, extra = _query(ctx, groups, "Group")
    return odata_page(ctx, records, page_size=_page_size(ctx), context="directoryObjects", token_style="skiptoken",
                      render=lambda g: _group_view(ctx, g, typed=True), extra=extra)


@router.get("/groups", permissions=GROUPS)
def list_groups(ctx: Ctx) -> httpx.Response:
    groups = sorted(ctx.state.groups.values(), key=lambda g: (g["displayName"], g["id"]))
    records, extra = _query(ctx, groups, "Group")
    return odata_page(ctx, records, page_size=_page_size(ctx), context="groups", token_style="skiptoken",
                      render=lambda g: _group_view(ctx, g), extra=extra)


@router.get("/groups/{group}", permissions=GROUPS)
def get_group(ctx: Ctx, group: str) -> httpx.Response:
    found = ctx.state.groups.get(group)
    if found is None:
        raise _missing(group)
    return json_response({"@odata.context": f"{ctx.base()}/$metadata#groups/$entity", **_group_view(ctx, found)})


@router.get("/groups/{group}/members", permissions=GROUPS)
def group_members(ctx: Ctx, group: str) -> httpx.Response:
    if group not in ctx.state.groups:
        raise _missing(group)
    members = [{**ctx.state.users[m], **ctx.state.user_extra.get(m, {})}
               for m in ctx.state.group_members.get(group, []) if m in ctx.state.users]
    members.sort(key=lambda u: (u["displayName"], u["id"]))
    records, extra = _query(ctx, members, "User")
    return odata_page(ctx, records, page_size=_page_size(ctx), context="directoryObjects", token_style="skiptoken",
                      render=lambda u: _user_view(ctx, u, typed=True), extra=extra)
