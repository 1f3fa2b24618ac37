"""Graph free/busy budget (design.md): 1,000 rooms, the service at 100 ms a request, Outlook's
limits on (20 schedules per getSchedule, 20 requests per $batch, 4 inner requests of a batch
at once, 4 concurrent requests per mailbox with 429 + Retry-After past that).

Run: /work/venv/bin/python -m pytest tests/benchmarks/test_graph_freebusy.py -o addopts="" -s -p no:cacheprovider

Printed for each client setting: HTTP requests, getSchedule calls, 429s, wall time, and the lower
bound the limits allow — in requests, ceil(ceil(rooms/20)/20); in time, the fewest 100 ms waves
given 4 inner requests per batch, the client's in-flight cap and, with a rate limit, batch starts
spaced 1/rate apart (searched over every split of the calls into batches, biggest first).
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta

import pytest

from staffterm.backends.graph.backend import GraphBackend
from staffterm.config.providers import GraphSettings
from tests.fakes.graph import FakeGraph
from tests.fakes.graph.seed import email, oid

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
ROOMS = 1000
LATENCY = 0.1


def _add_rooms(fake: FakeGraph, count: int) -> None:
    template = next(p for p in fake.state.places.values() if p["@odata.type"] == "#microsoft.graph.room")
    for index in range(count - 10):
        alias = f"room.bench{index:04d}"
        fake.state.places[oid("room", alias)] = {**template, "id": oid("room", alias), "emailAddress": email(alias),
                                                 "displayName": f"Bench {index:04d}", "nickname": alias}


def lower_bound_seconds(calls: int, *, in_flight: int, rate: float) -> float:
    """The least time: batch i starts at i/rate (all at once without a rate limit, at most
    ``in_flight`` of them) and runs its calls 4 at a time, at most 20 calls a batch."""
    spacing = 1 / rate if rate else 0.0
    waves = 1
    while True:
        deadline = waves * LATENCY + 1e-9
        capacity = 0
        for i in range(calls if spacing else in_flight):  # batch i
            room = int((deadline - i * spacing) / LATENCY)
            if room <= 0:
                break
            capacity += min(20, 4 * room)
        if capacity >= calls:
            return waves * LATENCY
        waves += 1


@pytest.mark.parametrize("rate, in_flight", [(0, 4), (5, 4), (0, 16)])
async def test_free_busy_of_1000_rooms(monkeypatch, tmp_path, rate, in_flight):
    fake = FakeGraph(now=NOW, latency=LATENCY)
    _add_rooms(fake, ROOMS)
    monkeypatch.setenv("BENCH_TOKEN", fake.issue_app_token())
    settings = GraphSettings(provider="graph", tenant_id=fake.TENANT, client_id=fake.CLIENT_ID,
                             token_command={"env": "BENCH_TOKEN"}, graph_url=f"https://{fake.host}",
                             rate_limit=rate, max_in_flight=in_flight)
    async with GraphBackend("bench", settings, transport=fake.transport(), token_dir=tmp_path) as backend:
        rooms = await backend.list_rooms()
        assert len(rooms) == ROOMS
        fake.requests.clear()
        fake.inner_requests.clear()
        fake.serving_seconds = 0.0
        began = time.perf_counter()
        found = await backend.free_busy(NOW, NOW + timedelta(hours=12))
        elapsed = time.perf_counter() - began
    # The fake's own work (building 1,000 schedules) runs on our loop; a real service does it
    # inside its round trip, so it is taken out, as in the PlaceOS board benchmark.
    wall = elapsed - fake.serving_seconds
    calls = math.ceil(ROOMS / 20)
    least_requests = math.ceil(calls / 20)
    bound = lower_bound_seconds(calls, in_flight=in_flight, rate=rate)
    throttled = sum(fake.limiter.rejected.values())
    print(f"\nrate_limit={rate} max_in_flight={in_flight}: {len(fake.requests)} requests "
          f"(least {least_requests}), {len(fake.inner_requests)} getSchedule calls (least {calls}), "
          f"{throttled} 429s, {elapsed:.3f} s ({fake.serving_seconds:.3f} s in the fake) -> {wall:.3f} s "
          f"vs lower bound {bound:.3f} s ({wall / bound:.2f}x)")
    assert len(found) == ROOMS and all(a.error is None for a in found)  # no room lost to throttling
    assert len(fake.inner_requests) == calls and throttled == 0
    assert max(fake.limiter.peak.values()) <= 4
    if in_flight <= 4:
        # With 16 in flight the bound is one 100 ms wave, and converting 1,000 rooms' schedules on
        # a loaded 2-core machine (~0.1 s) no longer fits in 30 % of it: printed, not asserted.
        assert wall <= 1.3 * bound
