"""The short, seeded fault soak of the normal suite, and the faulty hop's own promises.

The long soak is ``python -m tests.faults --operations 400 [--backend graph]`` (or this file's
last test with STAFFTERM_SOAK_OPERATIONS, and STAFFTERM_SOAK_BACKEND, set); both print the same
figures.
"""

from __future__ import annotations

import os

import httpx
import pytest

from tests.faults.__main__ import soak
from tests.faults.proxy import Fault, FaultPlan, FaultyTransport

SHORT_SEEDS = (1, 2)


@pytest.mark.parametrize("seed", SHORT_SEEDS)
async def test_a_short_placeos_soak_loses_duplicates_and_misreports_nothing(seed: int) -> None:
    report = await soak("placeos", operations=120, seed=seed, rate=0.35)
    text = "\n".join(report.lines())
    assert report.clean, text
    assert report.writes > 40 and report.reads > 20, text
    assert set(report.faults) == {f.value for f in Fault}, f"some fault kinds never fired\n{text}"
    assert report.fault_targets["token endpoint"] and report.fault_targets["later page"], text
    # "May have happened" is truthful but should stay the exception, not the rule.
    assert report.writes_uncertain <= report.writes // 10, text


@pytest.mark.parametrize("seed", SHORT_SEEDS)
async def test_a_short_graph_soak_loses_duplicates_and_misreports_nothing(seed: int) -> None:
    # Meetings made in rooms with a transactionId, changed, deleted and cancelled; free/busy of a
    # hundred rooms in $batch; paged rooms and users; sendMail; msal's token endpoint in the path.
    report = await soak("graph", operations=120, seed=seed, rate=0.35)
    text = "\n".join(report.lines())
    assert report.clean, text
    assert report.writes > 40 and report.reads > 20, text
    assert set(report.faults) == {f.value for f in Fault}, f"some fault kinds never fired\n{text}"
    assert report.fault_targets["token endpoint"] and report.fault_targets["later page"], text
    assert report.writes_uncertain <= report.writes // 10, text


class Recorder(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return httpx.Response(201, json={"id": "made", "note": "x" * 40})


@pytest.mark.parametrize("fault", list(Fault))
async def test_each_fault_reaches_the_server_exactly_when_it_says_it_does(fault: Fault) -> None:
    inner = Recorder()
    hop = FaultyTransport(inner, FaultPlan(seed=3, rate=1.0, kinds=(fault,)))
    async with httpx.AsyncClient(transport=hop, base_url="https://p.test") as client:
        try:
            response = await client.post("/things", json={})
            body_ok = True
            try:
                response.json()
            except ValueError:
                body_ok = False
        except httpx.HTTPError:
            response, body_ok = None, False
    assert len(inner.seen) == (1 if fault.server_acts else 0)
    assert [i.fault for i in hop.injected] == [fault]
    if fault is Fault.SLOW:
        assert response is not None and body_ok
    else:
        assert response is None or response.status_code >= 400 or not body_ok


@pytest.mark.skipif(not os.environ.get("STAFFTERM_SOAK_OPERATIONS"), reason="long soak: set STAFFTERM_SOAK_OPERATIONS")
async def test_the_long_soak() -> None:
    report = await soak(os.environ.get("STAFFTERM_SOAK_BACKEND", "placeos"),
                        operations=int(os.environ["STAFFTERM_SOAK_OPERATIONS"]),
                        seed=int(os.environ.get("STAFFTERM_SOAK_SEED", "1")), rate=0.3)
    print("\n".join(report.lines()))
    assert report.clean, "\n".join(report.lines())
