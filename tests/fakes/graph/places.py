"""The Places API (api-reference/v1.0/api/place-list.md, place-get.md; resources/room.md,
roomlist.md, building.md, floor.md).

- ``GET /places/microsoft.graph.room`` and ``/places/microsoft.graph.roomList`` (the page also
  spells it ``roomlist``: type segments match without regard to case).
- ``GET /places/{roomlist-emailAddress}/microsoft.graph.roomList/rooms``: "you must specify the
  room list by its emailAddress property, not by its id" (place-list.md); by id it is not found.
- ``GET /places/microsoft.graph.building`` / ``.floor`` for the newer place types.
- 100 places per page by default (1,000 for buildings and floors); ``$top``, ``$skip``,
  ``$filter``, ``$select``, ``$count=true`` are supported (place-list.md).
- Fields follow the room resource page (capacity Int32, ``displayDeviceName``,
  ``isWheelChairAccessible``). place-list.md's own sample differs (capacity as a string,
  ``displayDevice``, ``isWheelchairAccessible``); ``FakeGraph.doc_sample_quirks`` renders rooms
  that way so a client's tolerance of both shapes can be tested.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.graph.odata_filter import FilterError, compile_filter
from tests.fakes.graph.routing import Router
from tests.fakes.graph.wire import Ctx, GraphError, json_response, odata_page, select_fields

router = Router()
READ = ("Place.Read.All",)
TYPES = {"room": "#microsoft.graph.room", "roomlist": "#microsoft.graph.roomList",
         "building": "#microsoft.graph.building", "floor": "#microsoft.graph.floor"}


def render_place(ctx: Ctx, place: dict[str, Any]) -> dict[str, Any]:
    out = dict(place)
    if ctx.fake.doc_sample_quirks and place["@odata.type"] == TYPES["room"]:
        out["capacity"] = str(out["capacity"]) if out.get("capacity") is not None else None
        out["displayDevice"] = out.pop("displayDeviceName", None)
        out["isWheelchairAccessible"] = out.pop("isWheelChairAccessible", False)
    return select_fields(ctx, out)


def _listing(ctx: Ctx, places: list[dict[str, Any]], kind: str, context: str) -> httpx.Response:
    raw = ctx.q("$filter")
    if raw:
        try:
            predicate, _ = compile_filter(raw)
        except FilterError as exc:
            raise GraphError(400, "BadRequest", f"Invalid filter clause: {exc}") from None
        places = [p for p in places if predicate(p)]
    extra = {"@odata.count": len(places)} if (ctx.q("$count") or "").lower() == "true" else None
    size = ctx.fake.page_size(kind, ctx.int_q("$top"))
    return odata_page(ctx, places, page_size=size, context=context, render=lambda p: render_place(ctx, p),
                      extra=extra)


def _of_type(ctx: Ctx, kind: str) -> list[dict[str, Any]]:
    return sorted((p for p in ctx.state.places.values() if p["@odata.type"] == TYPES[kind]),
                  key=lambda p: (p.get("displayName") or "", p["id"]))


@router.get("/places/microsoft.graph.room", permissions=READ)
def rooms(ctx: Ctx) -> httpx.Response:
    return _listing(ctx, _of_type(ctx, "room"), "places", "places/microsoft.graph.room")


@router.get("/places/microsoft.graph.roomList", permissions=READ)
def room_lists(ctx: Ctx) -> httpx.Response:
    return _listing(ctx, _of_type(ctx, "roomlist"), "places", "places/microsoft.graph.roomList")


@router.get("/places/microsoft.graph.building", permissions=READ)
def buildings(ctx: Ctx) -> httpx.Response:
    return _listing(ctx, _of_type(ctx, "building"), "buildings", "places/microsoft.graph.building")


@router.get("/places/microsoft.graph.floor", permissions=READ)
def floors(ctx: Ctx) -> httpx.Response:
    return _listing(ctx, _of_type(ctx, "floor"), "buildings", "places/microsoft.graph.floor")


@router.get("/places/{list_email}/microsoft.graph.roomList/rooms", permissions=READ)
def rooms_in_list(ctx: Ctx, list_email: str) -> httpx.Response:
    members = next((rooms for email, rooms in ctx.state.room_list_members.items()
                    if email.lower() == list_email.lower()), None)
    if members is None:
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    found = [ctx.state.room(email) for email in members]
    listed = sorted((r for r in found if r is not None), key=lambda p: (p["displayName"], p["id"]))
    return _listing(ctx, listed, "places", f"places('{list_email}')/microsoft.graph.roomList/rooms")


@router.get("/places/{place}", permissions=READ)
def get_place(ctx: Ctx, place: str) -> httpx.Response:
    for record in ctx.state.places.values():
        if record["id"] == place or (record.get("emailAddress") or "").lower() == place.lower():
            return json_response({"@odata.context": f"{ctx.base()}/$metadata#places/$entity",
                                  **render_place(ctx, record)})
    raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
