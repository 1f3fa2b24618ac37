"""A tiny route table: ``@router.get("/bookings/{id}")`` and friends, matched on the full path."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ENGINE = "/api/engine/v2"
STAFF = "/api/staff/v1"


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Callable[..., Any]
    auth: bool  # needs X-API-Key or a bearer token
    staff: bool  # a Staff API route: needs a configured tenant (else 501)
    calendar: bool  # goes through the tenant's calendar client (delegated without a user token -> 511)
    template: str


class Router:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.routes: list[Route] = []

    def add(self, method: str, template: str, *, auth: bool = True, calendar: bool = False
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        full = self.prefix + template
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(full).replace(r"\{", "{").replace(r"\}", "}"))

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            self.routes.append(Route(method, re.compile(f"^{regex}/?$"), func, auth, self.prefix == STAFF,
                                     calendar, full))
            return func

        return register

    def get(self, template: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.add("GET", template, **kw)

    def post(self, template: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.add("POST", template, **kw)

    def put(self, template: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.add("PUT", template, **kw)

    def patch(self, template: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.add("PATCH", template, **kw)

    def delete(self, template: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.add("DELETE", template, **kw)


def match(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, found.groupdict()
    return None
