"""A faulty hop between a client and a fake provider, as an ``httpx`` transport.

It wraps any transport (a fake's ``MockTransport``, or ``AsyncHTTPTransport`` to a loopback
server) and, per request, draws from a seeded generator whether to pass it through or break it
in one of the ways a network, a proxy or an overloaded service does. "Before" faults never
reach the server; "after" faults let the server act, then lose or spoil the reply, which is
what makes a write's outcome uncertain. Every fault is recorded with whether the server acted,
so a run can tell a lost write from one that never happened.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import httpx


class Fault(str, Enum):  # noqa: UP042  (str(Fault.X) names the member in reports; StrEnum would not)
    THROTTLED = "429 with Retry-After"
    THROTTLED_BARE = "429 without Retry-After"
    UNAVAILABLE_BEFORE = "503 before the server acted"
    UNAVAILABLE_AFTER = "503 after the server acted"
    GATEWAY_TIMEOUT_BEFORE = "504 before the server acted"
    GATEWAY_TIMEOUT_AFTER = "504 after the server acted"
    RESET_BEFORE = "reset before the server got it"
    RESET_AFTER = "reset after the server acted"
    TRUNCATED = "body truncated"
    CUT_MID_BODY = "connection closed mid-body"
    SLOW = "slow reply"
    TIMEOUT_AFTER = "timed out after the server acted"

    @property
    def server_acts(self) -> bool:
        return self not in _NOT_FORWARDED


_NOT_FORWARDED = {Fault.THROTTLED, Fault.THROTTLED_BARE, Fault.UNAVAILABLE_BEFORE, Fault.GATEWAY_TIMEOUT_BEFORE,
                  Fault.RESET_BEFORE}


@dataclass
class Injected:
    fault: Fault
    method: str
    path: str
    target: str  # "token", "later page" or "" (where it landed, for the report)


@dataclass
class FaultPlan:
    """How often and which faults: ``rate`` of requests broken, kinds drawn uniformly."""

    seed: int = 1
    rate: float = 0.3
    kinds: tuple[Fault, ...] = tuple(Fault)
    slow_seconds: float = 0.002
    # Requests matching this are never broken (the run's own ground-truth reads, if any go through).
    spare: Callable[[httpx.Request], bool] = field(default=lambda request: False)
    # Where a fault lands: classifies a request as the token endpoint, a later page, or neither.
    classify: Callable[[httpx.Request], str] = field(default=lambda request: "")


class _CutStream(httpx.AsyncByteStream):
    def __init__(self, head: bytes) -> None:
        self.head = head

    async def __aiter__(self):
        if self.head:
            yield self.head
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


class FaultyTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, plan: FaultPlan) -> None:
        self.inner = inner
        self.plan = plan
        self.random = random.Random(plan.seed)
        self.injected: list[Injected] = []
        self.forwarded = 0
        self.enabled = True

    def counts(self) -> Counter[str]:
        return Counter(i.fault.value for i in self.injected)

    def targets(self) -> Counter[str]:
        return Counter(i.target for i in self.injected if i.target)

    def _draw(self, request: httpx.Request) -> Fault | None:
        if not self.enabled or self.plan.spare(request):
            return None
        if self.random.random() >= self.plan.rate:
            return None
        return self.random.choice(self.plan.kinds)

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        self.forwarded += 1
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._draw(request)
        if fault is None:
            return await self._forward(request)
        self.injected.append(Injected(fault, request.method, request.url.path, self.plan.classify(request)))
        if fault is Fault.THROTTLED:
            return httpx.Response(429, json={"error": "slow down"}, headers={"Retry-After": "1"})
        if fault is Fault.THROTTLED_BARE:
            return httpx.Response(429, json={"error": "slow down"})
        if fault in (Fault.UNAVAILABLE_BEFORE, Fault.GATEWAY_TIMEOUT_BEFORE):
            return httpx.Response(503 if fault is Fault.UNAVAILABLE_BEFORE else 504, text="upstream unavailable",
                                  headers={"content-type": "text/plain"})
        if fault is Fault.RESET_BEFORE:
            raise httpx.ReadError("connection reset by peer")
        if fault is Fault.SLOW:
            await asyncio.sleep(self.plan.slow_seconds)
            return await self._forward(request)
        response = await self._forward(request)  # the server acts; its reply is then lost or spoiled
        if fault in (Fault.UNAVAILABLE_AFTER, Fault.GATEWAY_TIMEOUT_AFTER):
            return httpx.Response(503 if fault is Fault.UNAVAILABLE_AFTER else 504, text="upstream timed out",
                                  headers={"content-type": "text/plain"})
        if fault is Fault.RESET_AFTER:
            raise httpx.ReadError("connection reset by peer")
        if fault is Fault.TIMEOUT_AFTER:
            raise httpx.ReadTimeout("timed out waiting for the reply")
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-length",
                                                                                        "content-encoding")]
        body = response.content
        if fault is Fault.TRUNCATED:
            # The framing says the body is complete (a proxy rewrote Content-Length); it is not.
            return httpx.Response(response.status_code, headers=headers, content=body[: len(body) // 2])
        return httpx.Response(response.status_code, headers=headers, stream=_CutStream(body[: len(body) // 2]))
