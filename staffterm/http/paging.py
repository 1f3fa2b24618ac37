"""Paging: every item of a listing, however small the server's pages, with the guards every
provider needs — a cap (a runaway listing stops with a log line, it does not raise), no link
followed to another server (our credentials go to our server only), none followed twice.

How a page names its items and the next page is the provider's dialect, given as a reader:

* ``link_header_page`` — a JSON list body and ``Link: <…>; rel="next"`` (PlaceOS).
* ``odata_page`` — ``{"value": [...], "@odata.nextLink": "…"}`` (Microsoft Graph; any OData v4
  service). The next link is followed exactly as given (it carries ``$skiptoken``); headers such
  as ``ConsistencyLevel: eventual`` are sent again on every page, because the service does not
  carry them into the next request (Graph docs, concepts/aad-advanced-queries.md).

Google's ``pageToken`` joins as a third reader (the token goes back as a query parameter).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import httpx

from staffterm.errors import UnavailableError
from staffterm.http.wire import next_link

if TYPE_CHECKING:
    from staffterm.http.client import HttpClient

log = logging.getLogger("staffterm.http")

MAX_ITEMS = 100_000

# A page's items and the next page's link (absent at the end).
PageReader = Callable[[httpx.Response, str], tuple[list[Any], str | None]]


def _not_a_listing(provider: str, response: httpx.Response, expected: str) -> UnavailableError:
    return UnavailableError(
        f"{provider} sent {expected} for {response.request.method} {response.request.url.path}",
        hint="Check the service address: it may not point at the API.",
    )


def link_header_page(response: httpx.Response, provider: str) -> tuple[list[Any], str | None]:
    """A JSON list (an empty body is an empty page) and the ``Link`` header's ``rel="next"``."""
    from staffterm.http.client import decode_json

    data = decode_json(response, provider=provider)
    if data is None:
        return [], None
    if not isinstance(data, list):
        raise _not_a_listing(provider, response, "an object where a list was expected")
    return data, next_link(response)


def odata_page(response: httpx.Response, provider: str) -> tuple[list[Any], str | None]:
    """``value`` and ``@odata.nextLink`` of an OData collection."""
    from staffterm.http.client import decode_json

    body = decode_json(response, provider=provider)
    if not isinstance(body, dict) or not isinstance(body.get("value"), list):
        raise _not_a_listing(provider, response, "a reply without a 'value' list")
    link = body.get("@odata.nextLink")
    return body["value"], link if isinstance(link, str) and link else None


def _same_origin(here: str, there: str) -> bool:
    a, b = urlsplit(here), urlsplit(there)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


async def fetch_pages(
    http: HttpClient,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    read_page: PageReader,
    headers: Mapping[str, str] | None = None,
    max_items: int = MAX_ITEMS,
    stop_at_empty_page: bool = False,
) -> list[Any]:
    """Every item across pages, up to ``max_items`` (then stops, with a log line).

    ``stop_at_empty_page``: an empty page ends the listing even if it names a next one (a guard
    against a server that keeps linking past the end of an offset-paged list).
    """
    items: list[Any] = []
    seen: set[str] = set()
    response = await http.request("GET", url, params=params, headers=headers)
    while True:
        page, link = read_page(response, http.provider)
        items.extend(page)
        if len(items) >= max_items:
            if len(items) > max_items or link:
                log.warning("%s %s: stopped after %d items (listing capped)", http.provider, url, max_items)
            return items[:max_items]
        if not link or (stop_at_empty_page and not page):
            return items
        here = str(response.request.url)
        absolute = urljoin(here, link)
        if not _same_origin(here, absolute):
            log.warning("%s %s: not following a next-page link to another server", http.provider, url)
            return items
        if absolute in seen:
            log.warning("%s %s: the next-page link repeats; stopping", http.provider, url)
            return items
        seen.add(absolute)
        response = await http.request("GET", absolute, headers=headers)
