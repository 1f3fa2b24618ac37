"""``FakePlaceOS``: one fake PlaceOS tenant (engine API, Staff API, OAuth) behind an httpx handler.

Dispatch order mirrors the real stack: injected faults, routing (unknown -> 404), authentication
(401), tenant resolution (501) and delegated calendar access (511), the per-user request queue
(429 + Retry-After), then the route itself; route errors become ``{error, ...}`` bodies.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime

import httpx

from tests.fakes.common import FakeService
from tests.fakes.placeos import (
    booking_actions,
    booking_routes,
    directory_routes,
    engine_routes,
    event_routes,
    guest_routes,
)
from tests.fakes.placeos.auth import authenticate, authority, token_endpoint
from tests.fakes.placeos.routing import STAFF, Route, match
from tests.fakes.placeos.seed import seed_site
from tests.fakes.placeos.state import FakeState
from tests.fakes.placeos.wire import ApiError, Ctx, json_response

ROUTES: list[Route] = [
    *engine_routes.router.routes,
    *directory_routes.router.routes,
    *event_routes.router.routes,
    *booking_routes.router.routes,
    *booking_actions.router.routes,
    *guest_routes.router.routes,
]


class FakePlaceOS(FakeService):
    API_KEY: str = "fake-admin-key"
    USER_KEY: str = "fake-user-key"
    USERNAME = "reception@acme.example"
    PASSWORD = "correct-horse-battery"
    CLIENT_ID = "staffterm-test-client"

    def __init__(self, *, now: datetime | Callable[[], datetime] | None = None, seed: bool = True,
                 host: str = "placeos.test", latency: float = 0.0) -> None:
        super().__init__(now)
        self.host = host
        self.base_url = f"https://{host}"
        self.latency = latency
        self.token_lifetime: int = 3600
        # The OAuth application staffterm signs in through (models doorkeeper_application.cr: every
        # application has a secret; ``confidential`` defaults to false, so a public app may leave it out).
        self.client_secret: str = "fake-client-secret"
        self.client_confidential: bool = False
        # Seconds spent answering (not sleeping ``latency``): benchmarks take it out of what they
        # measure, since a real server's work is inside its round trip, not on our event loop.
        self.serving_seconds = 0.0
        self.server_errors: list[BaseException] = []  # route crashes answered with 500 (tests assert empty)
        self.max_in_flight_per_user: int | None = None
        self.partial_calendars: dict[str, str] = {}
        self.tenant_configured: bool = True
        self.delegated_without_token: bool = False
        self.booking_limits: dict[str, int] = {}
        self.early_checkin: int = 3600
        self.people_page_size: int = 5  # /people pages with Link next_page like Graph does
        self._in_flight: dict[str, int] = {}
        self.state = FakeState()
        self.state.api_keys[self.API_KEY] = "user-reception"
        self.state.api_keys[self.USER_KEY] = "user-ada"
        if seed:
            seed_site(self.state, self.now())

    def now_epoch(self) -> int:
        return int(self.now().timestamp())

    # -- dispatch --------------------------------------------------------------------------------
    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self._dispatch(request)
        response.headers.setdefault("X-Request-ID", str(uuid.uuid4()))
        return response

    async def _dispatch(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method.upper(), request.url.path
        fault = self._take_fault(method, path)
        if fault is not None:
            return fault
        now_dt = self.now()
        now = int(now_dt.timestamp())
        if path == "/auth/oauth/token" and method == "POST":
            return token_endpoint(self, request, now)
        if path == "/auth/authority" and method == "GET":
            return json_response(authority(self))
        if path.rstrip("/") == STAFF and method == "GET":
            return json_response({"commit": "fake-placeos", "build_time": "2026-01-01T00:00:00Z"})
        found = match(ROUTES, method, path)
        if found is None:
            return json_response({"error": f"no route for {method} {path}"}, 404)
        route, params = found
        try:
            principal = authenticate(self, request, now) if route.auth else None
            if route.staff and not self.tenant_configured:
                raise ApiError(501, "domain does not have a tenant configured")
            if route.calendar and self.delegated_without_token:
                raise ApiError(511, "delegated tenant: the user has no resource token for the calendar service")
        except ApiError as exc:
            return exc.response()
        ctx = Ctx(self, request, principal, now, now_dt, params)
        key = principal.user_id if principal else ""
        limit = self.max_in_flight_per_user
        if limit is not None and principal is not None and self._in_flight.get(key, 0) >= limit:
            return json_response({"error": "too many concurrent requests for this user"}, 429, {"Retry-After": "1"})
        self._in_flight[key] = self._in_flight.get(key, 0) + 1
        try:
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            return await self._run(route, ctx, params)
        finally:
            self._in_flight[key] -= 1

    async def _run(self, route: Route, ctx: Ctx, params: dict[str, str]) -> httpx.Response:
        started = time.perf_counter()
        try:
            return await self._serve(route, ctx, params)
        finally:
            self.serving_seconds += time.perf_counter() - started

    async def _serve(self, route: Route, ctx: Ctx, params: dict[str, str]) -> httpx.Response:
        try:
            result = route.handler(ctx, **params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return exc.response()
        except Exception as exc:  # noqa: BLE001 -- a bug in the fake: answer like the real service would, and keep it
            self.server_errors.append(exc)
            return json_response({"error": f"{type(exc).__name__}: {exc}",
                                  "backtrace": traceback.format_exc().splitlines()[-6:]}, 500)
        if isinstance(result, httpx.Response):
            return result
        return json_response(result)

    def _take_fault(self, method: str, path: str) -> httpx.Response | None:
        fault = self.take_fault(method, path)
        if fault is None:
            return None
        body = {"error": "injected failure"} if fault.body is None else fault.body
        return self.raw_fault_response(fault) or json_response(body, fault.status, fault.headers)
