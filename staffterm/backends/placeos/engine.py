"""The PlaceOS engine API (``/api/engine/v2``): zones, systems (rooms), metadata, users, signals.

Method and parameter names follow the PlaceOS Staff API driver so ``staffterm placeos <command>``
maps 1:1 onto them; replies are the provider's JSON, unconverted (``backend.py`` converts).
The reply helpers here are shared with ``staff.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from staffterm.errors import InvalidInputError, UnavailableError
from staffterm.http.client import HttpClient, decode_json
from staffterm.http.paging import fetch_pages, link_header_page

log = logging.getLogger("staffterm.placeos")

ENGINE = "/api/engine/v2"
PAGE_SIZE = 1000  # engine lists clamp limit to 0..10 000; the driver asks for 1000
MAX_ITEMS = 10_000  # a runaway listing stops here (with a warning), it does not raise


# --------------------------------------------------------------------------- shared helpers


def seg(value: Any, what: str = "id") -> str:
    """One path segment: required, and escaped so an id can never change the route.

    Every character outside the unreserved set and ``@:+`` is percent-encoded (``/``, ``?``,
    ``#``, ``%``, ``;``, ``\\``), so an id stays one segment. An id of only dots is refused: "." and
    ".." are path syntax, removed by httpx (RFC 3986 dot-segment removal) before the request
    leaves, and encoding them as %2E does not help, since servers and proxies decode unreserved
    characters before normalising. PlaceOS ids are never dots (bookings are Int64, zones and
    systems ``zone-…``/``sys-…``, guests emails; PlaceOS/staff-api src/controllers/bookings.cr,
    find_booking). Every PlaceOS path that carries an id builds it with this helper.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        raise InvalidInputError(f"a {what} is required", field=what)
    if not text.strip("."):
        raise InvalidInputError(f"{text!r} is not a valid {what}", field=what)
    return quote(text, safe="@:+")


def id_list(value: str | Iterable[Any] | None) -> str | None:
    """A list or a comma string of ids -> the wire's comma-separated string (None when empty)."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    cleaned = [item.strip() for item in items if item is not None and str(item).strip()]
    return ",".join(dict.fromkeys(cleaned)) or None


def json_body(body_json: dict | str, what: str = "body_json") -> dict:
    """The driver takes JSON as a string; accept a dict too. Anything but an object is refused."""
    if isinstance(body_json, str):
        try:
            body_json = json.loads(body_json)
        except ValueError as exc:
            raise InvalidInputError(f"{what} is not valid JSON: {exc}", field=what) from None
    if not isinstance(body_json, dict):
        raise InvalidInputError(f"{what} must be a JSON object", field=what)
    return body_json


def as_json(response: httpx.Response) -> Any:
    return decode_json(response, provider="PlaceOS")


def as_list(response: httpx.Response) -> list:
    data = as_json(response)
    if data is None:
        return []
    if not isinstance(data, list):
        raise UnavailableError(
            f"PlaceOS sent an object where a list was expected ({response.request.method} {response.request.url.path})",
            hint="Check base_url: it may not point at a PlaceOS server",
        )
    return data


def as_dict(response: httpx.Response) -> dict:
    data = as_json(response)
    if not isinstance(data, dict):
        raise UnavailableError(
            f"PlaceOS sent an unexpected reply for {response.request.method} {response.request.url.path}",
            hint="Check base_url: it may not point at a PlaceOS server",
        )
    return data


async def fetch_all_pages(http: HttpClient, url: str, params: Mapping[str, Any] | None = None, *,
                          max_items: int = MAX_ITEMS) -> list:
    """Every item of a paged PlaceOS list: ``Link: rel="next"`` until absent or an empty page, with
    the shared guards (cap, same server, no repeats)."""
    return await fetch_pages(http, url, params, read_page=link_header_page, max_items=max_items,
                             stop_at_empty_page=True)


# --------------------------------------------------------------------------- the API


class EngineAPI:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    # ----------------------------------------------------------------- systems (rooms)

    async def get_system(self, id: str, complete: bool = False) -> dict:
        response = await self.http.request("GET", f"{ENGINE}/systems/{seg(id, 'system id')}", params={"complete": complete})
        return as_dict(response)

    async def systems(
        self,
        q: str | None = None,
        zone_id: str | Iterable[str] | None = None,
        capacity: int | None = None,
        bookable: bool | None = None,
        features: str | Iterable[str] | None = None,
        limit: int | None = 1000,
        offset: int = 0,
    ) -> list[dict]:
        """One page (``limit``/``offset``), or every page when ``limit`` is None."""
        params = {
            "q": q or None, "zone_id": id_list(zone_id), "capacity": capacity, "bookable": bookable,
            "features": id_list(features),
        }
        if limit is None:
            return await fetch_all_pages(self.http, f"{ENGINE}/systems", {**params, "limit": PAGE_SIZE, "offset": offset or None})
        return as_list(await self.http.request("GET", f"{ENGINE}/systems", params={**params, "limit": limit, "offset": offset}))

    async def all_systems(self, **filters: Any) -> list[dict]:
        filters.pop("limit", None)
        return await self.systems(**filters, limit=None)

    async def systems_in_building(self, zone_id: str, ids_only: bool = True) -> list[str] | list[dict]:
        """Rooms on every level (zones tagged ``level`` under the building), each once, in level order."""
        seg(zone_id, "zone id")  # required
        levels = await self.all_zones(tags="level", parent=zone_id)
        per_level = await asyncio.gather(*(self.all_systems(zone_id=level["id"]) for level in levels if level.get("id")))
        unique: dict[str, dict] = {}
        for systems in per_level:
            for system in systems:
                if isinstance(system, dict) and system.get("id") and system["id"] not in unique:
                    unique[system["id"]] = system
        if ids_only:
            return list(unique)
        return list(unique.values())

    # ----------------------------------------------------------------- zones

    async def zone(self, zone_id: str) -> dict:
        return as_dict(await self.http.request("GET", f"{ENGINE}/zones/{seg(zone_id, 'zone id')}"))

    async def zones(
        self,
        q: str | None = None,
        limit: int | None = 1000,
        offset: int = 0,
        parent: str | Iterable[str] | None = None,
        tags: str | Iterable[str] | None = None,
    ) -> list[dict]:
        """One page of zones; ``parent`` is sent as ``parent_id`` (every page when ``limit`` is None)."""
        params = {"q": q or None, "parent_id": id_list(parent), "tags": id_list(tags)}
        if limit is None:
            return await fetch_all_pages(self.http, f"{ENGINE}/zones", {**params, "limit": PAGE_SIZE, "offset": offset or None})
        return as_list(await self.http.request("GET", f"{ENGINE}/zones", params={**params, "limit": limit, "offset": offset}))

    async def all_zones(self, *, tags: str | Iterable[str] | None = None, parent: str | Iterable[str] | None = None,
                        q: str | None = None) -> list[dict]:
        return await self.zones(q=q, limit=None, parent=parent, tags=tags)

    # ----------------------------------------------------------------- metadata

    async def metadata(self, id: str, key: str | None = None) -> dict:
        response = await self.http.request("GET", f"{ENGINE}/metadata/{seg(id, 'id')}", params={"name": key or None})
        return as_dict(response)

    async def metadata_children(self, id: str, key: str | None = None, include_parent: bool | None = None) -> list[dict]:
        params = {"name": key or None, "include_parent": include_parent}
        response = await self.http.request("GET", f"{ENGINE}/metadata/{seg(id, 'id')}/children", params=params)
        return as_list(response)

    def _metadata_body(self, id: str, key: str, payload: Any, description: str) -> dict:
        if not key or not str(key).strip():
            raise InvalidInputError("a metadata key (name) is required", field="key")
        if isinstance(payload, str):
            # The driver's payload is JSON; a CLI passes it as text. Plain text stays a string.
            try:
                payload = json.loads(payload)
            except ValueError:
                pass
        return {"name": key, "description": description or "", "details": payload, "parent_id": id}

    async def write_metadata(self, id: str, key: str, payload: Any, description: str = "") -> dict:
        """Replace the metadata entry ``key`` of zone/system ``id`` (PUT)."""
        body = self._metadata_body(id, key, payload, description)
        return as_dict(await self.http.request("PUT", f"{ENGINE}/metadata/{seg(id, 'id')}", json=body))

    async def merge_metadata(self, id: str, key: str, payload: Any, description: str = "") -> dict:
        """Merge keys into the metadata entry ``key`` (PATCH). Merging the same keys twice changes
        nothing more, so it is safe to retry."""
        body = self._metadata_body(id, key, payload, description)
        response = await self.http.request("PATCH", f"{ENGINE}/metadata/{seg(id, 'id')}", json=body, idempotent=True)
        return as_dict(response)

    # ----------------------------------------------------------------- users

    async def user(self, id: str) -> dict:
        return as_dict(await self.http.request("GET", f"{ENGINE}/users/{seg(id, 'user id')}"))

    async def current_user(self) -> dict:
        return as_dict(await self.http.request("GET", f"{ENGINE}/users/current"))

    async def query_users(self, q: str | None = None, limit: int = 20, offset: int = 0, authority_id: str | None = None,
                          include_deleted: bool = False) -> list[dict]:
        params = {"q": q or None, "limit": limit, "offset": offset, "authority_id": authority_id or None,
                  "include_deleted": include_deleted}
        return as_list(await self.http.request("GET", f"{ENGINE}/users", params=params))

    async def create_user(self, body_json: dict | str) -> dict:
        body = json_body(body_json)
        return as_dict(await self.http.request("POST", f"{ENGINE}/users", json=body))

    async def update_user(self, id: str, body_json: dict | str) -> dict:
        body = json_body(body_json)
        response = await self.http.request("PATCH", f"{ENGINE}/users/{seg(id, 'user id')}", json=body)
        return as_json(response) or {}

    async def delete_user(self, id: str, force_removal: bool = False) -> None:
        await self.http.request("DELETE", f"{ENGINE}/users/{seg(id, 'user id')}", params={"force_removal": force_removal})

    async def revive_user(self, id: str) -> None:
        # Reviving a user twice leaves them revived: safe to retry.
        await self.http.request("POST", f"{ENGINE}/users/{seg(id, 'user id')}/revive", idempotent=True)

    async def resource_token(self) -> dict:
        """The signed-in user's calendar (Graph/Google) token: ``{token, expires}``."""
        response = await self.http.request("POST", f"{ENGINE}/users/resource_token", idempotent=True)
        token = as_dict(response)
        # The command exists to show it, but it must not leak into logs or error text.
        self.http.add_secret(token.get("token") if isinstance(token.get("token"), str) else None)
        return token

    # ----------------------------------------------------------------- signals and authority

    async def signal(self, channel: str, payload: Any = None) -> None:
        """Publish ``payload`` on ``channel`` (``placeos/<channel>``); not retried (it would publish twice)."""
        if not channel or not str(channel).strip():
            raise InvalidInputError("a signal channel is required", field="channel")
        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                pass
        await self.http.request("POST", f"{ENGINE}/signal", params={"channel": channel}, json=payload)

    async def authority(self) -> dict:
        """The PlaceOS authority (``/auth/authority``; its ``id`` names the site's signal channels)."""
        return as_dict(await self.http.request("GET", "/auth/authority"))
