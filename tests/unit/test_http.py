"""The shared HTTP layer: retries, Retry-After, the in-flight cap, no retry of an unkeyed write,
error mapping and redaction."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from staffterm.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
    UnavailableError,
)
from staffterm.http.client import (
    HttpClient,
    RetryPolicy,
    decode_json,
    encode_params,
    next_link,
    redact_url,
    retry_after_seconds,
)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_client(handler, **kw) -> tuple[HttpClient, Sleeps]:
    sleeps = Sleeps()
    kw.setdefault("random", lambda: 0.5)
    client = HttpClient(
        base_url="https://placeos.test", provider="PlaceOS", transport=httpx.MockTransport(handler), sleep=sleeps, **kw
    )
    return client, sleeps


def replies(*responses: httpx.Response | Exception):
    """A handler answering each request with the next of ``responses`` (and recording requests)."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


# --------------------------------------------------------------------------- retries


async def test_429_is_retried_after_the_servers_retry_after() -> None:
    handler, seen = replies(
        httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "slow down"}),
        httpx.Response(200, json={"ok": True}),
    )
    client, sleeps = make_client(handler)
    assert await client.get_json("/api/staff/v1/bookings") == {"ok": True}
    assert len(seen) == 2
    assert sleeps.calls == [7.0]


async def test_retry_after_as_http_date() -> None:
    now = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30
    assert retry_after_seconds("garbage") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("-3") is None  # not delay-seconds: backoff, not an instant retry


async def test_503_without_retry_after_backs_off_exponentially_with_jitter_and_a_cap() -> None:
    handler, seen = replies(*[httpx.Response(503)] * 3, httpx.Response(200, json=[]))
    client, sleeps = make_client(handler, retry=RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=3.0), random=lambda: 1.0)
    assert await client.get_json("/x") == []
    assert sleeps.calls == [1.0, 2.0, 3.0]  # 1, 2, 4 capped at 3
    assert len(seen) == 4


async def test_jitter_spreads_the_delay() -> None:
    handler, _ = replies(httpx.Response(504), httpx.Response(200, json=1))
    client, sleeps = make_client(handler, retry=RetryPolicy(base_delay=2.0), random=lambda: 0.25)
    await client.get_json("/x")
    assert sleeps.calls == [0.5]


async def test_gives_up_after_max_attempts_with_a_throttled_error() -> None:
    handler, seen = replies(*[httpx.Response(429, headers={"Retry-After": "1"})] * 3)
    client, _ = make_client(handler, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(ThrottledError) as info:
        await client.get_json("/x")
    assert info.value.retry_after == 1
    assert len(seen) == 3


async def test_a_retry_after_longer_than_the_cap_is_not_waited_out() -> None:
    handler, seen = replies(httpx.Response(429, headers={"Retry-After": "3600"}))
    client, sleeps = make_client(handler)
    with pytest.raises(ThrottledError):
        await client.get_json("/x")
    assert sleeps.calls == [] and len(seen) == 1


async def test_connection_errors_on_reads_are_retried() -> None:
    handler, seen = replies(httpx.ConnectError("connection refused"), httpx.Response(200, json={"a": 1}))
    client, sleeps = make_client(handler)
    assert await client.get_json("/x") == {"a": 1}
    assert len(seen) == 2 and len(sleeps.calls) == 1


async def test_an_unkeyed_post_is_never_retried() -> None:
    handler, seen = replies(httpx.Response(503), httpx.Response(201, json={}))
    client, _ = make_client(handler)
    with pytest.raises(UnavailableError):
        await client.request("POST", "/api/staff/v1/bookings", json={"booking_type": "desk"})
    assert len(seen) == 1

    handler, seen = replies(httpx.ConnectError("reset"), httpx.Response(201, json={}))
    client, _ = make_client(handler)
    with pytest.raises(UnavailableError):
        await client.request("POST", "/api/staff/v1/bookings", json={})
    assert len(seen) == 1


async def test_a_keyed_post_is_retried_and_carries_the_key() -> None:
    handler, seen = replies(httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(201, json={"id": 5}))
    client, _ = make_client(handler)
    response = await client.request("POST", "/bookings", json={}, idempotency_key="k-1")
    assert response.status_code == 201
    assert [r.headers.get("Idempotency-Key") for r in seen] == ["k-1", "k-1"]


async def test_after_a_lost_reply_a_keyed_write_asks_whether_it_took_effect() -> None:
    handler, seen = replies(httpx.ReadError("reply lost"))
    client, _ = make_client(handler)
    asked: list[int] = []

    async def find_existing() -> httpx.Response | None:
        asked.append(1)
        return httpx.Response(200, json={"id": "made-the-first-time"})

    response = await client.request("POST", "/bookings", json={}, idempotency_key="k-2", find_existing=find_existing)
    assert response.json() == {"id": "made-the-first-time"}
    assert asked == [1] and len(seen) == 1


async def test_a_429_on_a_keyed_write_is_resent_without_asking() -> None:
    handler, seen = replies(httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(201, json={}))
    client, _ = make_client(handler)
    asked: list[int] = []

    async def find_existing() -> None:
        asked.append(1)

    await client.request("POST", "/b", json={}, idempotency_key="k", find_existing=find_existing)
    assert asked == [] and len(seen) == 2


async def test_explicitly_idempotent_post_is_retried() -> None:
    handler, seen = replies(httpx.Response(503), httpx.Response(200, json={}))
    client, _ = make_client(handler)
    await client.request("POST", "/bookings/1/approve", idempotent=True)
    assert len(seen) == 2


# --------------------------------------------------------------------------- the queue


async def test_requests_in_flight_are_capped_and_counted() -> None:
    gate = asyncio.Event()
    running = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1
        return httpx.Response(200, json=[])

    client = HttpClient(base_url="https://p.test", provider="PlaceOS", transport=httpx.MockTransport(handler), max_in_flight=3)
    tasks = [asyncio.create_task(client.get_json(f"/x/{i}")) for i in range(8)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert client.stats() == (5, 3)
    gate.set()
    await asyncio.gather(*tasks)
    assert peak == 3
    assert client.stats() == (0, 0)


async def test_a_full_queue_refuses_more_work() -> None:
    gate = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        await gate.wait()
        return httpx.Response(200, json=[])

    client = HttpClient(
        base_url="https://p.test", provider="PlaceOS", transport=httpx.MockTransport(handler), max_in_flight=1, queue_size=2
    )
    tasks = [asyncio.create_task(client.get_json("/x")) for _ in range(3)]
    for _ in range(10):
        await asyncio.sleep(0)
    with pytest.raises(ThrottledError, match="waiting"):
        await client.get_json("/x")
    gate.set()
    await asyncio.gather(*tasks)


async def test_slots_are_free_while_a_retry_waits() -> None:
    handler, _ = replies(httpx.Response(503), httpx.Response(200, json=[]))
    seen_stats: list[tuple[int, int]] = []
    client: HttpClient

    async def sleep(seconds: float) -> None:
        seen_stats.append(client.stats())

    client = HttpClient(base_url="https://p.test", provider="P", transport=httpx.MockTransport(handler), sleep=sleep)
    await client.get_json("/x")
    assert seen_stats == [(0, 0)]


async def test_rate_limit_spaces_request_starts() -> None:
    handler, _ = replies(*[httpx.Response(200, json=[])] * 3)
    client, sleeps = make_client(handler, rate_limit=2.0)
    for _ in range(3):
        await client.get_json("/x")
    assert len(sleeps.calls) == 2 and all(0 < s <= 0.5 for s in sleeps.calls)


async def test_the_first_request_is_not_delayed_by_the_rate_limit_on_a_freshly_booted_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``time.monotonic()`` counts from boot on Linux: five seconds after boot, a limit of one
    start per 1,000 s must still let the first request go at once, and space the second."""
    import staffterm.http.queue as http_module

    now = [5.0]
    monkeypatch.setattr(http_module.time, "monotonic", lambda: now[0])
    handler, seen = replies(*[httpx.Response(200, json=[])] * 2)
    client, sleeps = make_client(handler, rate_limit=0.001)
    await client.get_json("/first")
    assert sleeps.calls == [] and len(seen) == 1
    now[0] = 6.0
    await client.get_json("/second")
    assert sleeps.calls == [pytest.approx(999.0)]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, InvalidInputError), (422, InvalidInputError), (401, AuthError), (403, PermissionDeniedError),
     (404, NotFoundError), (409, ConflictError), (500, UnavailableError)],
)
async def test_http_failures_map_to_error_classes(status: int, kind: type) -> None:
    handler, _ = replies(httpx.Response(status, json={"error": "why it failed"}))
    client, _ = make_client(handler)
    with pytest.raises(kind) as info:
        await client.get_json("/x")
    if status != 403:
        assert "why it failed" in str(info.value)


async def test_provider_mapper_wins_and_none_falls_back() -> None:
    def mapper(response: httpx.Response):
        return ConflictError("special") if response.status_code == 418 else None

    handler, _ = replies(httpx.Response(418), httpx.Response(404, json={"error": "gone"}))
    client, _ = make_client(handler, error_mapper=mapper)
    with pytest.raises(ConflictError, match="special"):
        await client.get_json("/x")
    with pytest.raises(NotFoundError):
        await client.get_json("/x")


async def test_allowed_status_is_returned() -> None:
    handler, _ = replies(httpx.Response(404, json={"error": "x"}))
    client, _ = make_client(handler)
    assert (await client.request("DELETE", "/events/1", allow_status={404})).status_code == 404


async def test_unreachable_host_names_the_host() -> None:
    handler, _ = replies(*[httpx.ConnectError("[Errno 111] Connection refused")] * 4)
    client, _ = make_client(handler)
    with pytest.raises(UnavailableError, match="cannot reach placeos.test"):
        await client.get_json("/x")


async def test_a_timeout_says_so() -> None:
    handler, _ = replies(*[httpx.ReadTimeout("timed out")] * 4)
    client, _ = make_client(handler, timeout=5)
    with pytest.raises(UnavailableError, match="did not answer within 5 s"):
        await client.get_json("/x")


async def test_a_non_json_reply_points_at_the_url() -> None:
    handler, _ = replies(httpx.Response(200, text="<html>login</html>", headers={"content-type": "text/html"}))
    client, _ = make_client(handler)
    with pytest.raises(UnavailableError, match="not JSON") as info:
        await client.get_json("/x")
    assert "base_url" in str(info.value)


async def test_401_refreshes_credentials_once() -> None:
    class Auth:
        def __init__(self) -> None:
            self.token = "old"
            self.refreshes = 0

        async def headers(self, http: HttpClient) -> dict[str, str]:
            return {"Authorization": f"Bearer {self.token}"}

        async def refresh(self, http: HttpClient) -> bool:
            self.refreshes += 1
            self.token = "new"
            return True

    handler, seen = replies(httpx.Response(401), httpx.Response(200, json=[]), httpx.Response(401), httpx.Response(401))
    auth = Auth()
    client, _ = make_client(handler, auth=auth)
    await client.get_json("/x")
    assert [r.headers["Authorization"] for r in seen] == ["Bearer old", "Bearer new"]
    with pytest.raises(AuthError):
        await client.get_json("/x")
    assert auth.refreshes == 2  # once per request, never a loop


# --------------------------------------------------------------------------- redaction


async def test_secrets_never_reach_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    handler, _ = replies(
        httpx.Response(200, json=[]),
        httpx.Response(400, json={"error": "bad key s3cr3t-key-value"}),
    )
    client, _ = make_client(handler, secrets=["s3cr3t-key-value"], headers={"X-API-Key": "s3cr3t-key-value"})
    caplog.set_level(logging.DEBUG, logger="staffterm.http")
    await client.get_json("/x", params={"api-key": "s3cr3t-key-value", "bearer_token": "tok-123", "q": "ada"})
    with pytest.raises(InvalidInputError) as info:
        await client.get_json("/y")
    assert "s3cr3t-key-value" not in str(info.value)
    assert "***" in str(info.value)
    text = caplog.text
    assert "s3cr3t-key-value" not in text and "tok-123" not in text
    assert "q=ada" in text


async def test_tokens_added_later_are_redacted() -> None:
    handler, _ = replies(httpx.Response(400, json={"error": "token abc.def.ghi invalid"}))
    client, _ = make_client(handler)
    client.add_secret("abc.def.ghi")
    with pytest.raises(InvalidInputError) as info:
        await client.get_json("/x")
    assert "abc.def.ghi" not in str(info.value)


def test_redact_url_hides_sensitive_params() -> None:
    url = redact_url("https://h/x?api-key=K&client_secret=S&limit=5")
    assert "K" not in url.split("?")[1].replace("api-key", "") and "limit=5" in url
    assert "S&" not in url


# --------------------------------------------------------------------------- helpers


def test_next_link() -> None:
    response = httpx.Response(
        200, headers={"Link": '</api/staff/v1/bookings?offset=100&limit=100>; rel="next", </x?offset=0>; rel="prev"'}
    )
    assert next_link(response) == "/api/staff/v1/bookings?offset=100&limit=100"
    assert next_link(httpx.Response(200)) is None
    assert next_link(httpx.Response(200, headers={"Link": '</p>; rel="prev"'})) is None


def test_encode_params() -> None:
    when = datetime(2026, 11, 21, tzinfo=timezone.utc)
    assert encode_params({"a": None, "b": True, "c": ["z1", "z2"], "d": 5, "e": when}) == {
        "b": "true", "c": "z1,z2", "d": "5", "e": str(int(when.timestamp()))
    }


def test_decode_json_of_empty_reply() -> None:
    assert decode_json(httpx.Response(204, request=httpx.Request("GET", "https://h/x")), provider="P") is None
