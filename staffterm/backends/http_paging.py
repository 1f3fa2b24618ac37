"""Paging over OData's ``@odata.nextLink`` (Microsoft Graph; any OData v4 service): every item
of a collection, however small the server's pages.

The next link is followed exactly as given (it carries ``$skiptoken``); headers such as
``ConsistencyLevel: eventual`` are sent again on every page, because the service does not
carry them into the next request (Graph docs, concepts/aad-advanced-queries.md). A link to
another server is not followed (our token goes to our server only), nor one that repeats.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from staffterm.errors import UnavailableError

if TYPE_CHECKING:
    from staffterm.backends.http import HttpClient

log = logging.getLogger("staffterm.http")

MAX_ITEMS = 100_000


async def fetch_odata_pages(
    http: HttpClient,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    max_items: int = MAX_ITEMS,
) -> list[Any]:
    """Every item of ``value`` across pages, up to ``max_items`` (then stops, with a log line)."""
    from staffterm.backends.http import decode_json

    items: list[Any] = []
    seen: set[str] = set()
    response = await http.request("GET", url, params=params, headers=headers)
    while True:
        body = decode_json(response, provider=http.provider)
        if not isinstance(body, dict) or not isinstance(body.get("value"), list):
            raise UnavailableError(
                f"{http.provider} sent a reply without a 'value' list for GET {response.request.url.path}",
                hint="Check the service address: it may not point at the API.",
            )
        items.extend(body["value"])
        if len(items) >= max_items:
            if len(items) > max_items or body.get("@odata.nextLink"):
                log.warning("%s %s: stopped after %d items (listing capped)", http.provider, url, max_items)
            return items[:max_items]
        link = body.get("@odata.nextLink")
        if not isinstance(link, str) or not link:
            return items
        absolute = urljoin(str(response.request.url), link)
        here, there = urlsplit(str(response.request.url)), urlsplit(absolute)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            log.warning("%s %s: not following a next-page link to another server", http.provider, url)
            return items
        if absolute in seen:
            log.warning("%s %s: the next-page link repeats; stopping", http.provider, url)
            return items
        seen.add(absolute)
        response = await http.request("GET", absolute, headers=headers)
