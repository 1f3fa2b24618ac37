"""The fake's route table: ``@router.get("/users/{user}/events/{event}")`` matched on the path after ``/v1.0``.

Each route says which application permissions it needs (any one of them will do, as the
"least to most privileged" tables of the Graph reference list them) and which path parameter
names the mailbox it touches, so the dispatcher can apply Outlook's per-mailbox limits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

GRAPH_PREFIX = "/v1.0"


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Callable[..., Any]
    permissions: tuple[str, ...]  # any one grants access; empty = any valid token
    mailbox: str | None  # path parameter naming the Outlook mailbox (throttled per mailbox)
    template: str


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, *, permissions: tuple[str, ...] = (),
            mailbox: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        # Segments like microsoft.graph.room are literal; {name} matches one segment.
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            self.routes.append(Route(method, re.compile(f"^{regex}/?$", re.IGNORECASE), func, permissions,
                                     mailbox, template))
            return func

        return register

    def get(self, template: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.add("GET", template, **kw)

    def post(self, template: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.add("POST", template, **kw)

    def patch(self, template: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.add("PATCH", template, **kw)

    def delete(self, template: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.add("DELETE", template, **kw)


def match(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None | bool:
    """The route and its parameters; ``False`` when the path exists but not for this method."""
    path_known = False
    for route in routes:
        found = route.pattern.match(path)
        if not found:
            continue
        if route.method != method:
            path_known = True
            continue
        return route, {k: _unquote(v) for k, v in found.groupdict().items()}
    return False if path_known else None


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)
