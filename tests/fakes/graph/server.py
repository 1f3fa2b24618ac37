"""``FakeGraph``: one fake Microsoft 365 tenant (Graph v1.0 and the identity platform) behind an
httpx handler.

Dispatch order: injected faults, identity endpoints, routing (unknown segment -> 400, wrong
method -> 405), authentication (401), permissions (403), mailbox resolution (404), Outlook's
per-mailbox concurrency (429 + Retry-After), the service latency, then the route itself.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import traceback
from collections.abc import Callable
from datetime import datetime

import httpx

from tests.fakes.common import FakeService
from tests.fakes.graph import batch, directory, events, extensions, mail, places, schedule
from tests.fakes.graph.identity import authenticate, is_identity_path
from tests.fakes.graph.identity import serve as serve_identity
from tests.fakes.graph.routing import GRAPH_PREFIX, Route, match
from tests.fakes.graph.seed import seed_tenant
from tests.fakes.graph.state import AppRegistration, GraphState
from tests.fakes.graph.throttle import MailboxLimiter
from tests.fakes.graph.wire import Ctx, GraphError, error_response, json_response

ROUTES: list[Route] = [*places.router.routes, *schedule.router.routes, *extensions.router.routes,
                       *events.router.routes, *directory.router.routes, *mail.router.routes]


class FakeGraph(FakeService):
    CLIENT_ID = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346"
    CLIENT_SECRET = "fake~graph-client-secret-value"
    TENANT = "acme.example"

    def __init__(self, *, now: datetime | Callable[[], datetime] | None = None, seed: bool = True,
                 host: str = "graph.fake.test", latency: float = 0.0) -> None:
        super().__init__(now)
        self.host = host
        self.graph_url = f"https://{host}/v1.0"
        self.authority = f"https://{host}/{self.TENANT}"
        self.latency = latency  # seconds each Graph request spends "in the service"
        self.token_lifetime = 3599
        # Server page sizes: the documented defaults, lowered by tests to exercise nextLink paging.
        self.page_sizes = {"places": 100, "buildings": 1000, "events": 10, "directory": 100}
        # The largest page the server will send whatever $top or odata.maxpagesize ask for (None: no
        # cap). Maxima are undocumented (cloud-apis notes A1/A3); tests set small caps so that every
        # client must follow @odata.nextLink.
        self.page_caps: dict[str, int | None] = {"places": None, "buildings": None, "events": None,
                                                 "directory": None}
        self.schedule_limit = 20  # outlook-get-free-busy-schedule.md: "up to 20 entities at once"
        self.batch_limit = 20  # json-batching.md: "currently limited to 20 individual requests"
        self.batch_parallelism = 4  # throttling-limits.md: Outlook runs up to 4 batch requests in parallel
        self.limiter = MailboxLimiter(limit=4, retry_after=1)
        self.slow_down_fast_polls = False
        self.defer_room_replies = False  # True: rooms answer only when process_room_replies() runs
        self.extension_repost = "merge"  # a POST of an extension name the event has: see extensions.py
        self.schedule_shows_details = True  # False: calendars share free/busy only (no subject/location)
        self.doc_sample_quirks = False  # True: rooms rendered like place-list.md's sample (see places.py)
        self.inner_requests: list[httpx.Request] = []  # the requests carried inside $batch calls
        self.server_errors: list[BaseException] = []
        self.serving_seconds = 0.0
        self.state = GraphState()
        self.state.apps[self.CLIENT_ID] = AppRegistration(self.CLIENT_ID, "staffterm", self.CLIENT_SECRET)
        if seed:
            seed_tenant(self.state, self.now())

    # -- conveniences for tests ------------------------------------------------------------------
    def issue_app_token(self) -> str:
        """An app-only access token for the default registration, as client credentials would give."""
        from tests.fakes.graph.identity import _issue

        app = self.state.apps[self.CLIENT_ID]
        return _issue(self, app.client_id, roles=app.roles, scopes=frozenset(), user=None).json()["access_token"]

    def approve_device_code(self, user_code: str, user: str) -> None:
        """The user signs in at the verification page and enters ``user_code``."""
        for code in self.state.device_codes.values():
            if code.user_code == user_code:
                code.approved_by = user
                return
        raise KeyError(user_code)

    def process_room_replies(self) -> None:
        """Let every room's calendar attendant answer the requests it holds (see events_model)."""
        from tests.fakes.graph.events_model import answer_pending_rooms

        answer_pending_rooms(self.state, self.now())

    def page_size(self, kind: str, requested: int | None) -> int:
        size = requested if requested else self.page_sizes[kind]
        cap = self.page_caps.get(kind)
        return min(size, cap) if cap else size

    # -- fault injection (see FakeService.fail_next; paths include ``/v1.0``, and inner ``$batch``
    # requests are matched too, so a batch can carry one failed answer) -------------------------
    def _take_fault(self, request: httpx.Request) -> httpx.Response | None:
        fault = self.take_fault(request.method.upper(), request.url.path)
        if fault is None:
            return None
        if fault.body is None:
            code = {429: "TooManyRequests", 503: "ServiceNotAvailable", 504: "GatewayTimeout"}.get(
                fault.status, "InjectedFailure")
            return error_response(GraphError(fault.status, code, "injected failure", headers=fault.headers),
                                  request, self.now())
        return self.raw_fault_response(fault) or json_response(fault.body, fault.status, fault.headers)

    # -- dispatch --------------------------------------------------------------------------------
    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        fault = self._take_fault(request)
        if fault is not None:
            return fault
        if is_identity_path(request.url.path):
            return serve_identity(self, request)
        return await self.dispatch(request)

    async def dispatch(self, request: httpx.Request, *, token=None) -> httpx.Response:
        """Serve one Graph request (also each inner request of a ``$batch``, with the batch's token)."""
        now = self.now()
        path, method = request.url.path, request.method.upper()
        try:
            if not path.startswith(GRAPH_PREFIX + "/"):
                raise GraphError(400, "BadRequest", f"Invalid version: {path.strip('/').split('/')[0]}")
            rel = path[len(GRAPH_PREFIX):]
            if token is None:
                token = authenticate(self, request, now)
            if rel.rstrip("/").lower() == "/$batch" and method == "POST":
                return await batch.serve(self, request, token)
            found = match(ROUTES, method, rel)
            if found is None:
                segment = rel.strip("/").split("/")[-1]
                raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
            if found is False:
                raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request "
                                 "target.")
            route, params = found
            _check_permissions(route, token)
            ctx = Ctx(self, request, token, now, params)
            if route.mailbox is None:
                return await self._run(route, ctx, params)
            ctx.mailbox = self._mailbox(params[route.mailbox])
            with self.limiter.slot(token.app_id, ctx.mailbox):
                return await self._run(route, ctx, params)
        except GraphError as exc:
            return error_response(exc, request, now)

    def _mailbox(self, ref: str) -> str:
        mailbox = self.state.mailbox(ref)
        if mailbox is None:
            # Outlook's answer for /users/{unknown}/... (widely reported; not in the reference pages).
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{ref}' is invalid.")
        return mailbox

    async def _run(self, route: Route, ctx: Ctx, params: dict[str, str]) -> httpx.Response:
        if self.latency > 0:
            # Never block the event loop: the service time is an await, so requests overlap.
            await asyncio.sleep(self.latency)
        started = time.perf_counter()
        try:
            result = route.handler(ctx, **params)
            if inspect.isawaitable(result):
                result = await result
        except GraphError:
            raise
        except Exception as exc:  # noqa: BLE001 -- a bug in the fake: answer 500 and keep it for the test
            self.server_errors.append(exc)
            return json_response({"error": {"code": "generalException", "message": f"{type(exc).__name__}: {exc}",
                                            "trace": traceback.format_exc().splitlines()[-4:]}}, 500)
        finally:
            self.serving_seconds += time.perf_counter() - started
        return result if isinstance(result, httpx.Response) else json_response(result)


def _check_permissions(route: Route, token) -> None:
    if not route.permissions:
        return
    granted = token.roles | token.scopes
    if any(p in granted for p in route.permissions):
        return
    if route.mailbox is not None or route.template.startswith("/places"):
        raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    # json-batching.md's sample shows the directory's 403 body.
    raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
