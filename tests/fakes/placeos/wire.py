"""Request/response plumbing shared by the fake's route modules.

PlaceOS answers with small JSON error bodies (``{error, parameter?}``), epoch-second times, comma
lists in query strings and ``limit``/``offset`` paging headers; everything here keeps the route
modules short and makes every route follow those conventions the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.fakes.placeos.auth import Principal
    from tests.fakes.placeos.server import FakePlaceOS
    from tests.fakes.placeos.state import FakeState

_UNSET: Any = object()


class ApiError(Exception):
    """Raised by a route to answer with an error status; the dispatcher turns it into a response."""

    def __init__(self, status: int, error: str | None = None, *, body: Any = _UNSET,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(f"{status} {error or ''}")
        self.status = status
        if body is _UNSET:
            body = None if error is None else {"error": error, **extra}
        self.body = body
        self.headers = headers or {}

    def response(self) -> httpx.Response:
        if self.body is None:
            return httpx.Response(self.status, headers=self.headers)
        return json_response(self.body, self.status, self.headers)


def bad_request(error: str, parameter: str | None = None) -> ApiError:
    return ApiError(400, error, **({"parameter": parameter} if parameter else {}))


def unprocessable(error: str, parameter: str | None = None) -> ApiError:
    return ApiError(422, error, **({"parameter": parameter} if parameter else {}))


def invalid(failures: list[tuple[str, str]]) -> ApiError:
    """A model validation failure: 422 with the failing fields, like PgORM's error list."""
    return ApiError(422, "validation failed", failures=[{"field": f, "reason": r} for f, r in failures])


def not_found(error: str) -> ApiError:
    return ApiError(404, error)


def forbidden() -> ApiError:
    # PlaceOS answers 403 with an empty body (head :forbidden).
    return ApiError(403)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(data).encode(),
                          headers={"content-type": "application/json; charset=utf-8", **(headers or {})})


def empty_response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers or {})


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


@dataclass
class Ctx:
    """One request as a route sees it: who asked, when, and typed access to its parameters."""

    fake: FakePlaceOS
    request: httpx.Request
    principal: Principal | None
    now: int
    now_dt: datetime
    path_params: dict[str, str] = field(default_factory=dict)
    _body: Any = _UNSET

    @property
    def state(self) -> FakeState:
        return self.fake.state

    @property
    def query(self) -> httpx.QueryParams:
        return self.request.url.params

    def has(self, name: str) -> bool:
        return name in self.query

    def q(self, name: str, default: str | None = None) -> str | None:
        value = self.query.get(name)
        if value is None:
            return default
        value = value.strip()
        return value if value else default

    def required(self, name: str) -> str:
        value = self.q(name)
        if value is None:
            raise unprocessable(f"missing required parameter '{name}'", name)
        return value

    def int_q(self, name: str, default: int | None = None, *, required: bool = False,
              minimum: int | None = None) -> int | None:
        raw = self.required(name) if required else self.q(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"invalid value for '{name}': expected an integer, got {raw!r}", name) from None
        if minimum is not None and value < minimum:
            raise bad_request(f"invalid value for '{name}': must be >= {minimum}", name)
        return value

    def epoch_q(self, name: str, default: int | None = None, *, required: bool = False) -> int | None:
        return self.int_q(name, default, required=required)

    def bool_q(self, name: str, default: bool | None = None) -> bool | None:
        raw = self.q(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise bad_request(f"invalid value for '{name}': expected true or false, got {raw!r}", name)

    def list_q(self, *names: str) -> list[str]:
        """Comma lists, from any of the given parameter names (aliases), order kept, no repeats."""
        out: list[str] = []
        for name in names:
            for raw in self.query.get_list(name):
                for part in raw.split(","):
                    part = part.strip()
                    if part and part not in out:
                        out.append(part)
        return out

    def body(self, *, required: bool = True) -> Any:
        """The JSON body. Malformed JSON is a 400 like the real service."""
        if self._body is _UNSET:
            raw = self.request.content
            if not raw.strip():
                self._body = None
            else:
                try:
                    self._body = json.loads(raw)
                except ValueError as exc:
                    raise bad_request(f"invalid JSON body: {exc}") from None
        if self._body is None and required:
            raise bad_request("a JSON body is required")
        return self._body

    def body_object(self, *, required: bool = True) -> dict[str, Any]:
        data = self.body(required=required)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise bad_request("the JSON body must be an object")
        return data


def paged(ctx: Ctx, items: list[Any], *, table: str, render: Callable[[Any], Any] = lambda x: x,
          default_limit: int = 100, max_limit: int = 10_000, headers: dict[str, str] | None = None,
          status: int = 200) -> httpx.Response:
    """One page of a list plus X-Total-Count, Content-Range and a Link rel=next while more remain."""
    limit = min(ctx.int_q("limit", default_limit, minimum=0) or 0, max_limit)
    offset = ctx.int_q("offset", 0, minimum=0) or 0
    total = len(items)
    page = items[offset:offset + limit]
    last = offset + len(page) - 1 if page else offset
    out = {"X-Total-Count": str(total), "Content-Range": f"{table} {offset}-{last}/{total}", **(headers or {})}
    following = offset + len(page)
    if page and following < total:
        params = ctx.query.set("offset", str(following)).set("limit", str(limit))
        out["Link"] = f'<{ctx.request.url.path}?{params}>; rel="next"'
    return json_response([render(item) for item in page], status, out)


_WORD = re.compile(r"[a-z0-9]+")


def words(*texts: Any) -> list[str]:
    found: list[str] = []
    for text in texts:
        if text:
            found.extend(_WORD.findall(str(text).lower()))
    return found


def prefix_match(query: str | None, *texts: Any) -> bool:
    """PlaceOS search: every query word must be the prefix of some word of the record."""
    if not query:
        return True
    haystack = words(*texts)
    return all(any(w.startswith(q) for w in haystack) for q in words(query))


def overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    return start < other_end and end > other_start


def unique(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out
