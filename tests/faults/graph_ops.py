"""Microsoft Graph under faults: the backend signed in as the app with msal (so the identity
platform's token endpoint is in the path, through the same faulty hop), talking to the in-repo
fake Graph; the operations a desk makes all day.

- meetings made in rooms with a ``transactionId`` (the soak's marker), changed (retitled or
  extended), deleted or cancelled with a comment, asked from the room's calendar as a desk does;
- free/busy of a hundred rooms, getSchedule packed into ``$batch`` (inner answers sometimes
  throttled by the fake itself), paged room lists (the Places API) and paged user lists;
- sendMail.

A write is counted from the fake's own state: a meeting by its ``transactionId`` on the
organiser's copy (copies never carry one, resources/event.md), a mail by its subject.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from staffterm.backends.graph.backend import GraphBackend
from staffterm.clock import FrozenClock
from staffterm.config.providers import GraphSettings
from staffterm.models import EventDraft, EventPatch, MailMessage
from tests.fakes.graph import FakeGraph
from tests.fakes.graph import seed as graph_seed
from tests.faults.proxy import FaultPlan, FaultyTransport
from tests.faults.soak import Operation

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ORGANISER = "reception@acme.example"
BOOKABLE = ["room.ada", "room.babbage", "room.curie", "room.darwin", "room.euler", "room.faraday", "room.hopper",
            "room.kelvin", "room.newton"]
EXTRA_ROOMS = 90  # with the seed's ten, free/busy of all rooms is five getSchedule calls


def classify(request: httpx.Request) -> str:
    if request.url.path.endswith("/oauth2/v2.0/token"):
        return "token endpoint"
    query = parse_qs(request.url.query.decode())
    if "$skiptoken" in query or any(v != ["0"] for k, v in query.items() if k == "$skip"):
        return "later page"
    return ""


async def _no_sleep(_seconds: float) -> None:
    return None


class LoopBridge(BaseAdapter):
    """A ``requests`` adapter for msal (synchronous, in a worker thread) that sends each request
    through the faulty hop on the event loop, and maps the hop's broken connections to the
    exceptions ``requests`` raises for them."""

    def __init__(self, transport: httpx.AsyncBaseTransport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.transport = transport
        self.loop = loop

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
        outgoing = httpx.Request(request.method or "GET", request.url or "", headers=dict(request.headers),
                                 content=body)

        async def call() -> httpx.Response:
            response = await self.transport.handle_async_request(outgoing)
            await response.aread()
            return response

        try:
            answer = asyncio.run_coroutine_threadsafe(call(), self.loop).result()
        except httpx.TimeoutException as exc:
            raise requests.exceptions.ReadTimeout(str(exc), request=request) from None
        except httpx.HTTPError as exc:
            raise requests.exceptions.ConnectionError(str(exc), request=request) from None
        out = requests.Response()
        out.status_code = answer.status_code
        out.reason = answer.reason_phrase
        out.headers = CaseInsensitiveDict(dict(answer.headers))
        out._content = answer.content
        out.url = request.url or ""
        out.request = request
        out.encoding = "utf-8"
        return out

    def close(self) -> None:
        return None


def _add_rooms(fake: FakeGraph, count: int) -> None:
    """More rooms on Sydney's first floor, shaped as the seed shapes its own."""
    template = fake.state.places[graph_seed.oid("room", "room.ada")]
    for number in range(count):
        alias = f"room.extra{number:03d}"
        address = graph_seed.email(alias)
        room_id = graph_seed.oid("room", alias)
        fake.state.places[room_id] = {**template, "id": room_id, "emailAddress": address,
                                      "displayName": f"Extra {number:03d} (Sydney)", "nickname": f"Extra {number:03d}",
                                      "label": f"1.X{number:03d}"}
        fake.state.room_list_members[graph_seed.email("rooms.syd")].append(address)
        fake.state.mailbox_zones[address] = fake.state.mailbox_zones[graph_seed.email("room.ada")]


class MsalThrottleClock:
    """The clock msal's throttle cache reads (``msal.individual_cache.time``), run by operations.

    msal replays a token endpoint's 429 or 5xx to later sign-ins for its Retry-After, or 5 s
    for a confidential client without one (msal/application.py, ThrottledHttpClient,
    default_throttle_time), and a 400 for 60 s. That is kept; but a soak makes hundreds of
    operations a second, so wall time would let one early 503 refuse every later sign-in. Here
    each operation is ``per_operation`` seconds of msal's time.
    """

    def __init__(self, per_operation: float = 10.0) -> None:
        import time

        self._time = time
        self.offset = 0.0
        self.per_operation = per_operation

    def time(self) -> float:
        return self._time.time() + self.offset

    def next_operation(self) -> None:
        self.offset += self.per_operation

    def __getattr__(self, name: str) -> Any:  # anything else msal asks of ``time``
        return getattr(self._time, name)


class GraphTarget:
    """``async with GraphTarget(plan, tmp) as target``: a fresh fake tenant and a backend signed
    in as the app through msal."""

    def __init__(self, plan: FaultPlan, token_dir: Path) -> None:
        self.fake = FakeGraph(now=NOW)
        _add_rooms(self.fake, EXTRA_ROOMS)
        # Small server pages: every listing follows @odata.nextLink several times.
        self.fake.page_caps.update({"places": 25, "directory": 4, "events": 5})
        plan.classify = classify
        self.transport = FaultyTransport(self.fake.transport(), plan)
        self.token_dir = token_dir
        self.backend: GraphBackend | None = None
        self.made: list[tuple[str, str]] = []  # (room, marker) of meetings this run asked for
        self.serial = 0
        self.msal_clock = MsalThrottleClock()

    async def __aenter__(self) -> GraphTarget:
        import msal.individual_cache

        self._msal_time = msal.individual_cache.time
        msal.individual_cache.time = self.msal_clock  # type: ignore[assignment]
        session = requests.Session()
        session.mount(f"https://{self.fake.host}", LoopBridge(self.transport, asyncio.get_running_loop()))
        settings = GraphSettings.model_validate({
            "provider": "graph", "tenant_id": self.fake.TENANT, "client_id": self.fake.CLIENT_ID,
            "client_secret": self.fake.CLIENT_SECRET,
            "authority_host": f"https://{self.fake.host}", "graph_url": f"https://{self.fake.host}",
            "calendar_service_account": ORGANISER, "mailer_from": ORGANISER, "rate_limit": 0,
        })
        self.backend = GraphBackend("soak", settings, clock=FrozenClock(NOW), transport=self.transport,
                                    token_dir=self.token_dir, msal_session=session, sleep=_no_sleep)
        await self.backend.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        import msal.individual_cache

        msal.individual_cache.time = self._msal_time  # type: ignore[assignment]
        assert self.backend is not None
        await self.backend.close()
        # A route of the fake that crashed answered 500: a bug in the fake, not a result.
        assert not self.fake.server_errors, self.fake.server_errors

    # ----------------------------------------------------------------- ground truth

    def _meetings_with(self, marker: str) -> list[dict[str, Any]]:
        return [e for e in self.fake.state.events.values() if e.get("transactionId") == marker]

    def _live(self) -> list[tuple[str, str, dict[str, Any]]]:
        out = []
        for room, marker in self.made:
            found = self._meetings_with(marker)
            if found and not found[0]["isCancelled"]:
                out.append((room, marker, found[0]))
        return out

    def _room_copy_id(self, room: str, organiser_event: dict[str, Any]) -> str | None:
        return next((c["id"] for c in self.fake.state.copies(organiser_event["iCalUId"]) if c["_mailbox"] == room),
                    None)

    # ----------------------------------------------------------------- operations

    def next_operation(self, rng: random.Random, index: int) -> Operation:
        self.msal_clock.next_operation()
        if index % 12 == 11:
            # Tokens revoked server-side: the next call meets a 401 and msal signs in again.
            self.fake.state.tokens.clear()
        self.serial += 1
        live = self._live()
        choices = ["create"] * 4 + ["free_busy"] * 2 + ["rooms", "users", "search", "mail"]
        if live:
            choices += ["update"] * 2 + ["delete"] * 2
        kind = rng.choice(choices)
        if kind == "create":
            return self._create(rng)
        if kind == "update":
            return self._update(rng, *rng.choice(live))
        if kind == "delete":
            return self._delete(rng, *rng.choice(live))
        if kind == "mail":
            return self._mail()
        return self._read(rng, kind)

    def _create(self, rng: random.Random) -> Operation:
        marker = f"soak-m-{self.serial}"
        room = graph_seed.email(rng.choice(BOOKABLE))
        # Each meeting has its own half hour: no two ever clash, whatever room they share.
        start = NOW + timedelta(days=3 + self.serial // 40, minutes=30 * (self.serial % 40))
        draft = EventDraft(title=f"Soak {self.serial}", start=start, end=start + timedelta(minutes=20),
                           host=ORGANISER, room_ids=[room])
        self.made.append((room, marker))

        async def run() -> None:
            assert self.backend is not None
            await self.backend.create_event(room, draft, idempotency_key=marker)

        return Operation(f"create meeting {marker} in {room}", run, lambda: len(self._meetings_with(marker)))

    def _update(self, rng: random.Random, room: str, marker: str, event: dict[str, Any]) -> Operation:
        event_id = self._room_copy_id(room, event)
        calendar = room if event_id else ORGANISER
        event_id = event_id or event["id"]
        if rng.random() < 0.5:
            title = f"Renamed {self.serial}"
            patch = EventPatch(title=title)

            def applied(found: dict[str, Any]) -> bool:
                return found["subject"] == title
        else:
            # Extended to a length it does not have yet (21 to 29 minutes): never into the next
            # meeting's half hour, and told apart from an earlier change of the same meeting.
            length = (event["_end"] - event["_start"]) // timedelta(minutes=1)
            end = event["_start"] + timedelta(minutes=21 + (length - 20) % 9)
            patch = EventPatch(end=end)

            def applied(found: dict[str, Any]) -> bool:
                return found["_end"] == end

        async def run() -> None:
            assert self.backend is not None
            await self.backend.update_event(calendar, event_id, patch)

        def effects() -> int:
            return int(any(applied(found) for found in self._meetings_with(marker)))

        what = "retitle" if patch.title else "extend"
        return Operation(f"{what} meeting {marker} from {calendar}", run, effects)

    def _delete(self, rng: random.Random, room: str, marker: str, event: dict[str, Any]) -> Operation:
        event_id = self._room_copy_id(room, event)
        calendar = room if event_id else ORGANISER
        event_id = event_id or event["id"]
        comment = "Cancelled at the front desk" if rng.random() < 0.5 else None

        async def run() -> None:
            assert self.backend is not None
            await self.backend.delete_event(calendar, event_id, comment=comment)

        def effects() -> int:
            return int(not self._meetings_with(marker))

        what = "cancel" if comment else "delete"
        return Operation(f"{what} meeting {marker} from {calendar}", run, effects)

    def _mail(self) -> Operation:
        subject = f"soak-mail-{self.serial}"
        message = MailMessage(to=["grace.hopper@acme.example"], subject=subject, text="Your visitor has arrived.")

        async def run() -> None:
            assert self.backend is not None
            await self.backend.send_mail(message)

        def effects() -> int:
            return sum(1 for m in self.fake.state.sent_mail if m["message"].get("subject") == subject)

        return Operation(f"send mail {subject}", run, effects)

    def _read(self, rng: random.Random, which: str) -> Operation:
        if which == "free_busy" and rng.random() < 0.5:
            # One getSchedule inside the next $batch answered 429 by Outlook itself, with its own
            # Retry-After (throttling-limits.md, MailboxConcurrency).
            anchor = graph_seed.email("room.ada")
            self.fake.fail_next("POST", f"/v1.0/users/{anchor}/calendar/getSchedule", 429,
                                body={"error": {"code": "ApplicationThrottled",
                                                "message": "Application is over its MailboxConcurrency limit."}},
                                headers={"Retry-After": "0"})

        async def run() -> None:
            backend = self.backend
            assert backend is not None
            if which == "free_busy":
                day = NOW + timedelta(days=3 + self.serial // 40)
                answers = await backend.free_busy(day, day + timedelta(hours=10))
                assert len(answers) == len(BOOKABLE) + 1 + EXTRA_ROOMS
            elif which == "rooms":
                backend._rooms_loaded_at = None  # read the Places API again, every page
                await backend.list_rooms()
            elif which == "users":
                await backend.list_users(limit=50)
            else:
                await backend.list_users(query="a", limit=50)

        return Operation(f"read {which}", run)
