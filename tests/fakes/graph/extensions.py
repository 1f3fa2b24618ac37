"""Open extensions on calendar events: ``/users/{id}/events/{id}/extensions`` (POST, GET, PATCH,
DELETE) and ``$expand=extensions($filter=id eq '…')`` on event reads and calendarView.

Rules and where they come from:
- Create (api-reference/v1.0/api/opentypeextension-post-opentypeextension.md): the body needs
  ``@odata.type`` ``microsoft.graph.openTypeExtension`` and ``extensionName``; custom data is
  "primitive types, or arrays of primitive types" (a nested object is a 400 here); the answer is
  201 with the extension. Application permission Calendars.ReadWrite.
- The id of an extension on an Outlook item is ``Microsoft.OutlookServices.OpenTypeExtension.`` +
  extensionName (opentypeextension-get.md, samples); an extension is addressed by its name or by
  that fully qualified id (opentypeextension-get.md / -update.md, path parameters).
- Update (opentypeextension-update.md, concepts/extensibility-overview.md "Update an existing open
  extension"): every property must be sent; "unspecified properties are updated to null and
  deleted". The update page's own introduction reads like a merge; the request-body section and the
  overview say replace, and the fake replaces (the stricter reading: a client that merges by
  itself works on both). Answer 200 with the extension.
- Reading back: ``GET …/events/{id}?$expand=extensions($filter=id eq '{extensionId}')`` is the
  documented form (opentypeextension-get.md, "Get a known resource instance expanded with a
  matching extension"); the page says every other syntax identifying the items or collections
  supports it "in a similar way", which is read here as covering calendarView. The fake serves only
  that filtered form; any other ``$expand`` on an event is a 400, as the reference documents no
  other.
- A second POST of a name the item already has: not documented. Users report that Exchange keeps
  the extension and merges the new properties into it (microsoftgraph/msgraph-sdk-dotnet issue
  1541); ``FakeGraph.extension_repost`` = ``"merge"`` does that, ``"conflict"`` answers 409 so a
  client can be tested against both readings.
- Size: the 2 KB per open extension and two-per-app limits of concepts/extensibility-overview.md
  apply to directory resources (user, group, device, organization) only (its note 2); on Outlook
  items an extension is a MAPI named property, with no documented size. The fake sets none on
  events.
- Names: reverse-DNS names are advised and the Microsoft domains (``Com.Microsoft``,
  ``Com.OnMicrosoft``) must not be used (resources/opentypeextension.md); the fake refuses those.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.fakes.graph.routing import Router
from tests.fakes.graph.wire import Ctx, GraphError, bad_request, empty_response, json_response, not_found

router = Router()
READ = ("Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite")
WRITE = ("Calendars.ReadWrite",)
OUTLOOK_PREFIX = "Microsoft.OutlookServices.OpenTypeExtension."
OPEN_TYPE = "microsoft.graph.openTypeExtension"
_EXPAND = re.compile(r"^\s*extensions\s*\(\s*\$filter\s*=\s*id\s+eq\s+'([^']+)'\s*\)\s*$", re.IGNORECASE)


def full_id(name: str) -> str:
    return name if name.lower().startswith(OUTLOOK_PREFIX.lower()) else OUTLOOK_PREFIX + name


def _of(ctx: Ctx, event_id: str) -> dict[str, dict[str, Any]]:
    event = ctx.state.events.get(event_id)
    if event is None or event["_mailbox"] != ctx.mailbox:
        raise not_found()
    return ctx.state.extensions.setdefault(event_id, {})


def _find(found: dict[str, dict[str, Any]], ref: str) -> dict[str, Any] | None:
    wanted = full_id(ref).lower()
    return next((e for key, e in found.items() if key.lower() == wanted), None)


def _custom(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.startswith("@odata.") or key in ("extensionName", "id"):
            continue
        if "@" in key:
            continue  # an instance annotation ("topPicks@odata.type"), not data
        items = value if isinstance(value, list) else [value]
        if any(isinstance(v, (dict, list)) for v in items):
            raise bad_request("RequestBodyRead", f"The property '{key}' holds a complex value; an open extension "
                              "keeps primitive types or arrays of primitive types.")
        out[key] = value
    return out


def _body(ctx: Ctx) -> tuple[str, dict[str, Any]]:
    data = ctx.body()
    if not isinstance(data, dict):
        raise bad_request("ErrorInvalidRequest", "Empty Payload. JSON content expected.")
    kind = str(data.get("@odata.type") or "").lstrip("#")
    if kind.lower() not in (OPEN_TYPE.lower(), "microsoft.outlookservices.opentypeextension"):
        raise bad_request("RequestBodyRead", "An open extension needs '@odata.type': "
                          "'microsoft.graph.openTypeExtension'.")
    name = data.get("extensionName")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("ErrorInvalidRequest", "The extensionName property is required.")
    if name.lower().startswith(("com.microsoft", "com.onmicrosoft")):
        raise bad_request("ErrorInvalidRequest", "An extension name must not use the Microsoft domain.")
    return name, _custom(data)


def _render(ctx: Ctx, user: str, event_id: str, ext: dict[str, Any]) -> dict[str, Any]:
    return {"@odata.context": f"{ctx.base()}/$metadata#users('{user}')/events('{event_id}')/extensions/$entity",
            "@odata.type": f"#{OPEN_TYPE}", **ext}


@router.post("/users/{user}/events/{event_id}/extensions", permissions=WRITE, mailbox="user")
@router.post("/users/{user}/calendar/events/{event_id}/extensions", permissions=WRITE, mailbox="user")
def create(ctx: Ctx, user: str, event_id: str) -> httpx.Response:
    found = _of(ctx, event_id)
    name, data = _body(ctx)
    current = _find(found, name)
    if current is not None:
        if ctx.fake.extension_repost == "conflict":
            raise GraphError(409, "NameAlreadyExists", f"An extension named '{name}' already exists on this item.")
        current.update(data)
        return json_response(_render(ctx, user, event_id, current), 201)
    ext = {"id": full_id(name), "extensionName": name, **data}
    found[ext["id"]] = ext
    return json_response(_render(ctx, user, event_id, ext), 201)


@router.get("/users/{user}/events/{event_id}/extensions", permissions=READ, mailbox="user")
@router.get("/users/{user}/calendar/events/{event_id}/extensions", permissions=READ, mailbox="user")
def list_extensions(ctx: Ctx, user: str, event_id: str) -> dict[str, Any]:
    found = _of(ctx, event_id)
    return {"@odata.context": f"{ctx.base()}/$metadata#users('{user}')/events('{event_id}')/extensions",
            "value": [{"@odata.type": f"#{OPEN_TYPE}", **e} for e in found.values()]}


def _one(ctx: Ctx, event_id: str, extension: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    found = _of(ctx, event_id)
    ext = _find(found, extension)
    if ext is None:
        raise not_found()
    return found, ext


@router.get("/users/{user}/events/{event_id}/extensions/{extension}", permissions=READ, mailbox="user")
@router.get("/users/{user}/calendar/events/{event_id}/extensions/{extension}", permissions=READ, mailbox="user")
def get(ctx: Ctx, user: str, event_id: str, extension: str) -> dict[str, Any]:
    _, ext = _one(ctx, event_id, extension)
    return _render(ctx, user, event_id, ext)


@router.patch("/users/{user}/events/{event_id}/extensions/{extension}", permissions=WRITE, mailbox="user")
@router.patch("/users/{user}/calendar/events/{event_id}/extensions/{extension}", permissions=WRITE, mailbox="user")
def update(ctx: Ctx, user: str, event_id: str, extension: str) -> dict[str, Any]:
    found, ext = _one(ctx, event_id, extension)
    data = ctx.body()
    if not isinstance(data, dict):
        raise bad_request("ErrorInvalidRequest", "Empty Payload. JSON content expected.")
    kept = {"id": ext["id"], "extensionName": ext["extensionName"]}
    # Replace: what the body leaves out (or sets to null) is deleted.
    kept.update({k: v for k, v in _custom(data).items() if v is not None})
    found[ext["id"]] = kept
    return _render(ctx, user, event_id, kept)


@router.delete("/users/{user}/events/{event_id}/extensions/{extension}", permissions=WRITE, mailbox="user")
@router.delete("/users/{user}/calendar/events/{event_id}/extensions/{extension}", permissions=WRITE, mailbox="user")
def delete(ctx: Ctx, user: str, event_id: str, extension: str) -> httpx.Response:
    found, ext = _one(ctx, event_id, extension)
    del found[ext["id"]]
    return empty_response(204)


def expand(ctx: Ctx, rendered: dict[str, Any]) -> dict[str, Any]:
    """An event as read, with ``extensions`` when ``$expand`` asks for one by id (an empty list
    when the item has none); the event unchanged without ``$expand``."""
    raw = ctx.q("$expand")
    if raw is None:
        return rendered
    found = _EXPAND.match(raw)
    if found is None:
        raise bad_request("ErrorInvalidRequest", "The OData request is not supported.")
    wanted = full_id(found.group(1)).lower()
    have = ctx.state.extensions.get(str(rendered.get("id")), {})
    return {**rendered, "extensions": [{"@odata.type": f"#{OPEN_TYPE}", **e}
                                       for key, e in have.items() if key.lower() == wanted]}
