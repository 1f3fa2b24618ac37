"""The shared HTTP layer under stress: cancellation, errors before a reply, nested token fetches,
fifty callers per tenant, hostile Retry-After values and redacted debug logs.

No test here waits on a clock: sleeps are injected and the event loop is stepped a bounded
number of times, so a hang shows up as "not done", never as a slow test.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import urlencode

import httpx
import pytest

from staffterm.errors import AuthError, InvalidInputError, UnavailableError
from staffterm.http.client import HttpClient, RetryPolicy, redact_url, retry_after_seconds


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class BlockingSleep:
    """A sleep that never returns until cancelled (a caller waiting out a retry or the rate limit)."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.entered = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.entered.set()
        await asyncio.Event().wait()


async def steps(n: int = 50) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def finishes(coro, n: int = 200):
    """Run ``coro`` for at most ``n`` loop steps; the task (done or not) is returned."""
    task = asyncio.ensure_future(coro)
    for _ in range(n):
        if task.done():
            break
        await asyncio.sleep(0)
    return task


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=[])


def client_for(handler, **kw) -> HttpClient:
    """A client over ``handler``, except that ``/after`` is always answered at once."""
    kw.setdefault("sleep", Sleeps())
    kw.setdefault("random", lambda: 0.5)

    def routed(request: httpx.Request):
        return ok(request) if request.url.path == "/after" else handler(request)

    return HttpClient(base_url="https://placeos.test", provider="PlaceOS", transport=httpx.MockTransport(routed), **kw)


async def assert_one_slot_is_free(client: HttpClient) -> None:
    """A fresh request gets through: the in-flight slot was given back, not just the count."""
    task = await finishes(client.get_json("/after"))
    assert task.done(), "no slot left: the cancelled or failed request kept it"
    assert task.result() == []
    assert client.stats() == (0, 0)


# --------------------------------------------------------------------------- slots are never leaked


async def test_cancelling_a_request_in_flight_gives_its_slot_back() -> None:
    gate = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return httpx.Response(200, json=[])

    client = client_for(handler, max_in_flight=1)
    task = asyncio.create_task(client.get_json("/slow"))
    await steps()
    assert client.stats() == (0, 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert client.stats() == (0, 0)
    await assert_one_slot_is_free(client)


async def test_cancelling_queued_requests_keeps_the_counts_and_the_cap_right() -> None:
    gate = asyncio.Event()
    running = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1
        return httpx.Response(200, json=[])

    client = client_for(handler, max_in_flight=2)
    tasks = [asyncio.create_task(client.get_json(f"/x/{i}")) for i in range(10)]
    await steps()
    assert client.stats() == (8, 2)
    for task in tasks[3:7]:  # four of the queued callers give up
        task.cancel()
    await steps()
    assert client.stats() == (4, 2)
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert sum(isinstance(r, asyncio.CancelledError) for r in results) == 4
    assert client.stats() == (0, 0) and peak == 2
    # The cap is still exactly 2: the cancellations neither lost nor invented a slot.
    gate.clear()
    running = peak = 0
    more = [asyncio.create_task(client.get_json(f"/y/{i}")) for i in range(6)]
    await steps()
    assert client.stats() == (4, 2)
    gate.set()
    await asyncio.gather(*more)
    assert peak == 2 and client.stats() == (0, 0)


async def test_cancelling_while_waiting_to_retry_leaves_nothing_in_flight() -> None:
    sleep = BlockingSleep()
    client = client_for(lambda r: httpx.Response(503), sleep=sleep, max_in_flight=1)
    task = asyncio.create_task(client.get_json("/x"))
    await sleep.entered.wait()
    assert client.stats() == (0, 0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await assert_one_slot_is_free(client)


async def test_cancelling_while_waiting_for_the_rate_limit_gives_the_slot_back() -> None:
    sleep = BlockingSleep()
    client = client_for(ok, sleep=sleep, max_in_flight=1, rate_limit=0.001)  # one start per 1000 s
    await client.get_json("/first")
    task = asyncio.create_task(client.get_json("/second"))
    await sleep.entered.wait()  # spacing the second start
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert client.stats() == (0, 0)
    client.rate_limit = 0  # the next start need not wait for the (blocking) sleep again
    await assert_one_slot_is_free(client)


async def test_a_failure_before_any_reply_gives_the_slot_back() -> None:
    class BrokenAuth:
        async def headers(self, http: HttpClient) -> dict[str, str]:
            raise AuthError("PlaceOS refused the username or password")

        async def refresh(self, http: HttpClient) -> bool:
            return False

    client = client_for(ok, max_in_flight=1, auth=BrokenAuth())
    with pytest.raises(AuthError):
        await client.get_json("/x")
    assert client.stats() == (0, 0)
    client.auth = None
    await assert_one_slot_is_free(client)

    with pytest.raises(TypeError):  # a body that cannot be encoded is a bug, but must not eat a slot
        await client.request("POST", "/x", json={"when": object()})
    await assert_one_slot_is_free(client)


async def test_auth_that_signs_in_through_the_same_client_does_not_deadlock_at_one_slot() -> None:
    """The token request needs a slot of its own: it must not wait on the slot of the request it serves."""

    class SignInAuth:
        token: str | None = None

        async def headers(self, http: HttpClient) -> dict[str, str]:
            if self.token is None:
                response = await http.request("POST", "/auth/oauth/token", data={"grant_type": "password"}, use_auth=False)
                self.token = response.json()["access_token"]
            return {"Authorization": f"Bearer {self.token}"}

        async def refresh(self, http: HttpClient) -> bool:
            self.token = None
            return True

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/oauth/token":
            return httpx.Response(200, json={"access_token": "t1"})
        return httpx.Response(200, json={"auth": request.headers["authorization"]})

    client = client_for(handler, max_in_flight=1, auth=SignInAuth())
    task = await finishes(client.get_json("/x"))
    assert task.done(), "deadlock: the sign-in waited for the slot its own request held"
    assert task.result() == {"auth": "Bearer t1"}
    assert client.stats() == (0, 0)


async def test_fifty_callers_per_tenant_respect_each_tenants_cap_through_failures() -> None:
    running = {"a.test": 0, "b.test": 0}
    peak = dict(running)
    tries: dict[str, int] = {}
    gate = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        running[host] += 1
        peak[host] = max(peak[host], running[host])
        try:
            await gate.wait()
            key = f"{host}{request.url.path}"
            tries[key] = tries.get(key, 0) + 1
            n = int(request.url.path.rsplit("/", 1)[1])
            if tries[key] == 1 and n % 3 == 1:
                return httpx.Response(503)
            if tries[key] == 1 and n % 3 == 2:
                raise httpx.ConnectError("connection reset")
            if n % 10 == 9:
                raise httpx.ReadTimeout("timed out")
            return httpx.Response(200, json=n)
        finally:
            running[host] -= 1

    def make(host: str, cap: int) -> HttpClient:
        return HttpClient(
            base_url=f"https://{host}", provider="PlaceOS", tenant=host, transport=httpx.MockTransport(handler),
            max_in_flight=cap, sleep=Sleeps(), random=lambda: 0.5, retry=RetryPolicy(max_attempts=2),
        )

    a, b = make("a.test", 3), make("b.test", 2)
    tasks = [asyncio.create_task(c.get_json(f"/x/{n}")) for n in range(50) for c in (a, b)]
    await steps()
    assert a.stats() == (47, 3) and b.stats() == (48, 2)
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert peak == {"a.test": 3, "b.test": 2}
    assert a.stats() == (0, 0) and b.stats() == (0, 0)
    failed = [r for r in results if isinstance(r, Exception)]
    assert failed and all(isinstance(r, UnavailableError) for r in failed)  # the n % 10 == 9 timeouts
    assert sorted(r for r in results if isinstance(r, int)) == sorted([n for n in range(50) if n % 10 != 9] * 2)


# --------------------------------------------------------------------------- retries


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e400", "1_000", "\u0663", "-3", "3 s", "0x10", ""])
def test_a_retry_after_that_is_not_a_number_of_seconds_or_a_date_is_ignored(value: str) -> None:
    assert retry_after_seconds(value) is None


def test_retry_after_zero_and_past_dates_mean_now() -> None:
    now = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("0") == 0
    assert retry_after_seconds(" 12 ") == 12
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0


async def test_garbage_retry_after_falls_back_to_jittered_backoff() -> None:
    replies = iter([httpx.Response(429, headers={"Retry-After": "inf"}), httpx.Response(200, json=[])])
    sleeps = Sleeps()
    client = client_for(lambda r: next(replies), sleep=sleeps, random=lambda: 0.5, retry=RetryPolicy(base_delay=1.0))
    assert await client.get_json("/x") == []
    assert sleeps.calls == [0.5]


async def test_a_retry_after_date_is_measured_against_the_servers_clock() -> None:
    """Our clock may be hours off; the server's Date header says what its Retry-After date means."""
    server_now = datetime.now(timezone.utc) - timedelta(hours=5)  # the server (or we) are far adrift
    headers = {
        "Date": format_datetime(server_now, usegmt=True),
        "Retry-After": format_datetime(server_now + timedelta(seconds=30), usegmt=True),
    }
    replies = iter([httpx.Response(503, headers=headers), httpx.Response(200, json=[])])
    sleeps = Sleeps()
    client = client_for(lambda r: next(replies), sleep=sleeps)
    assert await client.get_json("/x") == []
    assert sleeps.calls == [30.0]


async def test_a_request_that_can_never_work_is_not_retried() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'htps://'.")

    sleeps = Sleeps()
    client = client_for(handler, sleep=sleeps)
    with pytest.raises(UnavailableError):
        await client.get_json("/x")
    assert len(seen) == 1 and sleeps.calls == []


async def test_a_callers_idempotency_key_header_is_not_sent_twice() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503) if len(seen) == 1 else httpx.Response(201, json={})

    client = client_for(handler)
    await client.request("POST", "/b", json={}, headers={"idempotency-key": "k-9"}, idempotency_key="k-9")
    assert [r.headers.get_list("idempotency-key") for r in seen] == [["k-9"], ["k-9"]]


# --------------------------------------------------------------------------- redaction


async def test_debug_log_shows_requests_with_every_secret_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="staffterm.http")
    client = client_for(ok, headers={"X-API-Key": "KEY-in-header"})
    await client.request(
        "POST", "/auth/oauth/token", idempotent=True,
        data={"grant_type": "password", "username": "desk@example.com", "password": "PW-in-form",
              "client_secret": "CS-in-form", "refresh_token": "RT-in-form"},
    )
    await client.request(
        "PUT", "/api/staff/v1/bookings/1",
        params={"bearer_token": "BT-in-query", "limit": 5},
        headers={"Authorization": "Bearer AT-in-header", "Cookie": "bearer_token=CK-in-cookie; theme=dark"},
        json={"booking_type": "desk", "extension_data": {"access_token": "AT-in-json", "items": [{"api-key": "AK-in-json"}]}},
    )
    text = caplog.text
    for secret in ("KEY-in-header", "PW-in-form", "CS-in-form", "RT-in-form", "BT-in-query", "AT-in-header",
                   "CK-in-cookie", "AT-in-json", "AK-in-json"):
        assert secret not in text, secret
    # What is not secret is there to debug with.
    for visible in ("grant_type", "desk@example.com", "booking_type", "desk", "limit=5", "Bearer ***"):
        assert visible in text, visible


async def test_a_body_that_is_not_json_or_a_form_is_still_redacted_by_known_secrets(caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="staffterm.http")
    client = client_for(ok, secrets=["s3cr3t"])
    await client.request("POST", "/x", idempotent=True, content=b"raw s3cr3t bytes", headers={"Content-Type": "text/plain"})
    # JSON sent as raw bytes, without a JSON content type, is still recognised as JSON.
    await client.request("POST", "/y", idempotent=True, content=json.dumps({"password": "PW-raw-json"}).encode())
    assert "s3cr3t" not in caplog.text and "raw *** bytes" in caplog.text
    assert "PW-raw-json" not in caplog.text and '"password": "***"' in caplog.text


def test_redact_url_hides_passwords_in_the_authority_too() -> None:
    url = redact_url("https://desk:hunter2@placeos.test/x?limit=5&" + urlencode({"access_token": "AT-value"}))
    assert "hunter2" not in url and "AT-value" not in url and "limit=5" in url and "placeos.test" in url


async def test_credentials_are_never_sent_to_another_server() -> None:
    seen: list[httpx.Request] = []

    class KeyAuth:
        async def headers(self, http: HttpClient) -> dict[str, str]:
            return {"X-API-Key": "KEY"}

        async def refresh(self, http: HttpClient) -> bool:
            return False

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    client = client_for(handler, auth=KeyAuth())
    with pytest.raises(InvalidInputError, match="evil.test"):
        await client.get_json("https://evil.test/api/staff/v1/bookings?offset=100")
    assert seen == [] and client.stats() == (0, 0)
    # Our own server, spelt absolutely (a next-page link) or with its default port, is fine.
    await client.get_json("https://PLACEOS.test:443/api/staff/v1/bookings?offset=100")
    assert [r.headers["x-api-key"] for r in seen] == ["KEY"]
    # Without credentials any URL may be fetched (a public discovery document, say).
    await client.request("GET", "https://other.test/.well-known/x", use_auth=False)
    assert len(seen) == 2 and "x-api-key" not in seen[1].headers
