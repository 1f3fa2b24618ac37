"""Graph's wire conventions shared by every route module: the error body, JSON bodies whose
property names Outlook reads case-insensitively, OData paging with ``@odata.nextLink``, and the
``Prefer`` header.

Error shape (api-reference/v1.0 "Microsoft Graph error responses and resource types",
concepts/errors.md): ``{"error": {"code", "message", "innerError": {"date", "request-id",
"client-request-id"}}}``; concepts/json-batching.md shows the same shape inside batch answers.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.fakes.graph.server import FakeGraph
    from tests.fakes.graph.state import GraphState, TokenRecord

_UNSET: Any = object()


class GraphError(Exception):
    """Raised by a route; the dispatcher renders Graph's error body with a fresh request id."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(exc: GraphError, request: httpx.Request, now: datetime) -> httpx.Response:
    request_id = str(uuid.uuid4())
    client_request_id = request.headers.get("client-request-id") or request_id
    body = {"error": {"code": exc.code, "message": exc.message, "innerError": {
        "date": now.strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": request_id,
        "client-request-id": client_request_id,
    }}}
    return json_response(body, exc.status, {"request-id": request_id, "client-request-id": client_request_id,
                                             **exc.headers})


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(data).encode(), headers={
        "Content-Type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
                        "charset=utf-8", **(headers or {})})


def empty_response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers or {})


def bad_request(code: str, message: str) -> GraphError:
    return GraphError(400, code, message)


def not_found(message: str = "The specified object was not found in the store.") -> GraphError:
    # Outlook's code for a missing item (seen throughout the event/message reference errors).
    return GraphError(404, "ErrorItemNotFound", message)


def unknown_property(name: str, type_name: str) -> GraphError:
    # Observed wording (msgraph-sdk-dotnet issues 270 and 450): RequestBodyRead naming the Outlook type.
    return GraphError(400, "RequestBodyRead", f"The property '{name}' does not exist on type '{type_name}'. Make "
                      "sure to only use property names that are defined by the type or mark the type as open type.")


def fold(data: dict[str, Any], allowed: list[str], type_name: str) -> dict[str, Any]:
    """Map a body's keys onto their canonical spelling. Outlook reads property names without regard
    to case (the concept pages send ``"Schedules"``, ``"StartTime"``, event-cancel.md sends
    ``"Comment"``); anything else is a 400 RequestBodyRead, and ``@odata.*`` annotations pass."""
    canon = {name.lower(): name for name in allowed}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.startswith("@odata."):
            continue
        name = canon.get(key.lower())
        if name is None:
            raise unknown_property(key, type_name)
        out[name] = value
    return out


@dataclass
class Ctx:
    """One Graph request as a route sees it."""

    fake: FakeGraph
    request: httpx.Request
    token: TokenRecord | None
    now: datetime
    path_params: dict[str, str] = field(default_factory=dict)
    mailbox: str | None = None  # the resolved Outlook mailbox of a /users/{id}/... route
    _body: Any = _UNSET

    @property
    def state(self) -> GraphState:
        return self.fake.state

    @property
    def query(self) -> httpx.QueryParams:
        return self.request.url.params

    def q(self, name: str) -> str | None:
        """A query option; OData system options are matched with or without their ``$``."""
        for key, value in self.query.multi_items():
            if key.lower() == name.lower() or (name.startswith("$") and key.lower() == name[1:].lower()):
                return value
        return None

    def int_q(self, name: str) -> int | None:
        raw = self.q(name)
        if raw is None:
            return None
        try:
            return int(raw)
        except ValueError:
            raise bad_request("BadRequest", f"Invalid value '{raw}' for query option '{name}'.") from None

    def body(self) -> Any:
        if self._body is _UNSET:
            raw = self.request.content
            if not raw.strip():
                self._body = None
            else:
                try:
                    self._body = json.loads(raw)
                except ValueError:
                    raise bad_request("RequestBodyRead", "Invalid JSON. A token was not recognized in the JSON "
                                      "content.") from None
        return self._body

    def body_object(self, allowed: list[str], type_name: str, *, required: bool = True) -> dict[str, Any]:
        data = self.body()
        if data is None:
            if required:
                raise bad_request("ErrorInvalidRequest", "Empty Payload. JSON content expected.")
            return {}
        if not isinstance(data, dict):
            raise bad_request("RequestBodyRead", "An unexpected 'StartArray' node was found when reading from the "
                              "JSON reader. A 'StartObject' node was expected.")
        return fold(data, allowed, type_name)

    def prefer(self, name: str) -> str | None:
        """One preference of the Prefer header(s), e.g. ``outlook.timezone`` or ``odata.maxpagesize``."""
        for header in self.request.headers.get_list("prefer"):
            for part in header.split(","):
                key, _, value = part.strip().partition("=")
                if key.strip().lower() == name.lower():
                    return value.strip().strip('"')
        return None

    def base(self) -> str:
        url = self.request.url
        return f"{url.scheme}://{url.netloc.decode()}/v1.0"


def encode_skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_skiptoken(token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "offset":
            raise ValueError(raw)
        return int(value)
    except ValueError:
        # Directory answer to a forged or stale token (concepts/paging.md: treat tokens as opaque).
        raise bad_request("Directory_ExpiredPageToken", "The specified page token value has expired and can no "
                          "longer be included in your request.") from None


def odata_page(ctx: Ctx, items: list[Any], *, page_size: int, render: Callable[[Any], Any] = lambda x: x,
               context: str, token_style: str = "skip", extra: dict[str, Any] | None = None,
               headers: dict[str, str] | None = None) -> httpx.Response:
    """One server-driven page (concepts/paging.md): ``value`` plus ``@odata.nextLink`` while more remain.
    Outlook pages with ``$skip`` in its nextLink; the directory with an opaque ``$skiptoken``."""
    if token_style == "skiptoken":
        token = ctx.q("$skiptoken")
        offset = decode_skiptoken(token) if token else 0
    else:
        offset = ctx.int_q("$skip") or 0
    page = items[offset:offset + page_size]
    body: dict[str, Any] = {"@odata.context": f"{ctx.base()}/$metadata#{context}", **(extra or {})}
    following = offset + len(page)
    if page and following < len(items):
        params = ctx.query
        for key in list(params.keys()):
            if key.lower() in ("$skip", "skip", "$skiptoken", "skiptoken"):
                params = params.remove(key)
        if token_style == "skiptoken":
            params = params.set("$skiptoken", encode_skiptoken(following))
        else:
            params = params.set("$skip", str(following))
        body["@odata.nextLink"] = str(ctx.request.url.copy_with(params=params))
    body["value"] = [render(item) for item in page]
    return json_response(body, headers=headers)


def select_fields(ctx: Ctx, record: dict[str, Any], always: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """``$select`` (concepts/query-parameters.md): only the named properties (plus the key)."""
    raw = ctx.q("$select")
    if not raw:
        return record
    wanted = {part.strip().lower() for part in raw.split(",") if part.strip()}
    return {k: v for k, v in record.items()
            if k.lower() in wanted or k in always or k.startswith("@odata.")}
