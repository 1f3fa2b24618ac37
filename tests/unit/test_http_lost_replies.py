"""Writes tell the truth when their reply is lost: a 2xx whose body was cut off, a connection
that broke after the request went out, a gateway that timed out. Reads are retried; a write is
reported as done, not done, or "may have happened" (``ReplyLostError``), never guessed.
"""

from __future__ import annotations

import httpx
import pytest

from staffterm.errors import NotFoundError, ReplyLostError, UnavailableError
from staffterm.http.client import HttpClient, decode_json

JSON = {"content-type": "application/json; charset=utf-8"}


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class CutStream(httpx.AsyncByteStream):
    """A body that stops half way: the peer closed the connection mid-body."""

    def __init__(self, head: bytes) -> None:
        self.head = head

    async def __aiter__(self):
        yield self.head
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def truncated(status: int = 200) -> httpx.Response:
    """A reply whose framing looked complete but whose JSON stops half way (a proxy cut it)."""
    return httpx.Response(status, content=b'{"id": "b-1", "title": "Stand', headers=JSON)


def cut_mid_body(status: int = 200) -> httpx.Response:
    return httpx.Response(status, stream=CutStream(b'{"id": "b-1", "ti'), headers=JSON)


def replies(*responses: httpx.Response | Exception):
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def make_client(handler) -> HttpClient:
    return HttpClient(base_url="https://placeos.test", provider="PlaceOS", transport=httpx.MockTransport(handler),
                      sleep=Sleeps(), random=lambda: 0.5)


# --------------------------------------------------------------------------- reads


@pytest.mark.parametrize("broken", [truncated, cut_mid_body])
async def test_a_read_whose_body_was_cut_off_is_retried_like_a_reset(broken) -> None:
    handler, seen = replies(broken(), httpx.Response(200, json={"id": "b-1"}))
    client = make_client(handler)
    assert await client.get_json("/api/staff/v1/bookings/1") == {"id": "b-1"}
    assert len(seen) == 2


async def test_a_read_cut_off_every_time_says_the_reply_was_cut_off_not_that_base_url_is_wrong() -> None:
    handler, _ = replies(*[truncated() for _ in range(4)])
    client = make_client(handler)
    with pytest.raises(UnavailableError) as info:
        await client.get_json("/api/staff/v1/bookings/1")
    assert "cut off" in str(info.value)
    assert "base_url" not in str(info.value)


def test_decode_json_of_a_json_reply_that_stops_half_way_says_cut_off() -> None:
    response = truncated()
    response.request = httpx.Request("GET", "https://placeos.test/api/staff/v1/bookings")
    with pytest.raises(UnavailableError) as info:
        decode_json(response, provider="PlaceOS")
    assert "cut off" in str(info.value) and "base_url" not in str(info.value)


# --------------------------------------------------------------------------- writes that were applied


@pytest.mark.parametrize("broken", [truncated, cut_mid_body])
async def test_an_unkeyed_write_answered_2xx_with_a_lost_body_is_reported_done(broken) -> None:
    handler, seen = replies(broken(201))
    client = make_client(handler)
    with pytest.raises(ReplyLostError) as info:
        await client.request("POST", "/api/engine/v2/signal", json={})
    assert info.value.applied is True
    assert "done" in str(info.value)
    assert len(seen) == 1  # never sent twice


@pytest.mark.parametrize("broken", [truncated, cut_mid_body])
async def test_a_keyed_create_answered_2xx_with_a_lost_body_is_looked_up_not_resent(broken) -> None:
    handler, seen = replies(broken(201))
    client = make_client(handler)

    async def find_existing() -> httpx.Response | None:
        return httpx.Response(201, json={"id": "b-1"})

    response = await client.request("POST", "/api/staff/v1/bookings", json={}, idempotency_key="k-1",
                                    find_existing=find_existing)
    assert response.json() == {"id": "b-1"}
    assert len(seen) == 1


@pytest.mark.parametrize("broken", [truncated, cut_mid_body])
async def test_a_delete_answered_2xx_whose_body_was_cut_off_is_done_without_sending_it_again(broken) -> None:
    handler, seen = replies(broken(202), httpx.Response(405, json={"error": "booking has been deleted"}))
    client = make_client(handler)
    response = await client.request("DELETE", "/api/staff/v1/bookings/7")
    assert response.status_code == 202
    assert len(seen) == 1


async def test_an_idempotent_write_answered_2xx_is_resent_for_its_reply_and_a_refusal_then_still_means_done() -> None:
    handler, seen = replies(truncated(200), httpx.Response(405, json={"error": "already checked in"}))
    client = make_client(handler)
    with pytest.raises(ReplyLostError) as info:
        await client.request("POST", "/api/staff/v1/bookings/7/check_in", idempotent=True)
    assert info.value.applied is True and len(seen) == 2

    handler, seen = replies(cut_mid_body(200), httpx.Response(200, json={"id": "7", "checked_in": True}))
    client = make_client(handler)
    response = await client.request("POST", "/api/staff/v1/bookings/7/check_in", idempotent=True)
    assert response.json()["checked_in"] is True


# --------------------------------------------------------------------------- writes that may have happened


async def test_an_unkeyed_write_whose_connection_broke_after_sending_may_have_happened() -> None:
    handler, seen = replies(httpx.ReadError("connection reset by peer"))
    client = make_client(handler)
    with pytest.raises(ReplyLostError) as info:
        await client.request("POST", "/api/engine/v2/signal", json={})
    assert info.value.applied is None
    assert "may have" in str(info.value) and "check" in str(info.value).lower()
    assert len(seen) == 1


async def test_an_unkeyed_write_that_never_connected_did_not_happen() -> None:
    handler, _ = replies(httpx.ConnectError("connection refused"))
    client = make_client(handler)
    with pytest.raises(UnavailableError) as info:
        await client.request("POST", "/api/engine/v2/signal", json={})
    assert not isinstance(info.value, ReplyLostError)


@pytest.mark.parametrize("status", [502, 504])
async def test_an_unkeyed_write_answered_by_a_gateway_timeout_may_have_happened(status: int) -> None:
    handler, _ = replies(httpx.Response(status))
    client = make_client(handler)
    with pytest.raises(ReplyLostError) as info:
        await client.request("PATCH", "/api/staff/v1/bookings/1", json={"title": "x"})
    assert info.value.applied is None


async def test_a_keyed_create_that_keeps_failing_is_looked_up_once_more_before_giving_up() -> None:
    handler, seen = replies(*[httpx.Response(504) for _ in range(4)])
    client = make_client(handler)
    asked: list[int] = []

    async def find_existing() -> httpx.Response | None:
        asked.append(1)
        return httpx.Response(201, json={"id": "b-1"}) if len(asked) == 4 else None

    response = await client.request("POST", "/api/staff/v1/bookings", json={}, idempotency_key="k",
                                    find_existing=find_existing)
    assert response.json() == {"id": "b-1"} and len(seen) == 4


async def test_a_keyed_create_the_lookup_cannot_find_after_every_failure_is_not_done() -> None:
    handler, _ = replies(*[httpx.Response(504) for _ in range(4)])
    client = make_client(handler)

    async def find_existing() -> None:
        return None

    with pytest.raises(UnavailableError) as info:
        await client.request("POST", "/api/staff/v1/bookings", json={}, idempotency_key="k", find_existing=find_existing)
    assert not isinstance(info.value, ReplyLostError)


async def test_a_keyed_create_whose_lookup_fails_too_may_have_happened() -> None:
    handler, _ = replies(httpx.ReadError("reset"))
    client = make_client(handler)

    async def find_existing() -> None:
        raise UnavailableError("lookup failed")

    with pytest.raises(ReplyLostError) as info:
        await client.request("POST", "/api/staff/v1/bookings", json={}, idempotency_key="k", find_existing=find_existing)
    assert info.value.applied is None


async def test_a_delete_retried_after_a_reset_into_404_says_an_earlier_try_may_have_done_it() -> None:
    handler, _ = replies(httpx.ReadError("reset"), httpx.Response(404, json={"error": "not found"}))
    client = make_client(handler)
    with pytest.raises(NotFoundError) as info:
        await client.request("DELETE", "/api/staff/v1/bookings/7")
    assert info.value.details.get("after_lost_reply") is True


async def test_a_delete_refused_on_its_first_try_is_not_marked() -> None:
    handler, _ = replies(httpx.Response(404, json={"error": "not found"}))
    client = make_client(handler)
    with pytest.raises(NotFoundError) as info:
        await client.request("DELETE", "/api/staff/v1/bookings/7")
    assert "after_lost_reply" not in info.value.details


# --------------------------------------------------------------------------- sign-in on the way


class LostSignIn:
    """Auth whose renewal's own reply was lost (its token POST was cut off)."""

    async def headers(self, http: HttpClient) -> dict[str, str]:
        return {"Authorization": "Bearer old"}

    async def refresh(self, http: HttpClient) -> bool:
        raise ReplyLostError("PlaceOS accepted POST /auth/oauth/token, but its reply was cut off", applied=True)


async def test_a_sign_in_whose_reply_was_lost_is_not_reported_as_the_writes_outcome() -> None:
    handler, seen = replies(httpx.Response(401, json={"error": "expired"}))
    client = HttpClient(base_url="https://placeos.test", provider="PlaceOS", transport=httpx.MockTransport(handler),
                        sleep=Sleeps(), auth=LostSignIn())
    with pytest.raises(UnavailableError) as info:
        await client.request("PATCH", "/api/staff/v1/bookings/1", json={"title": "x"})
    assert not isinstance(info.value, ReplyLostError)  # the PATCH was refused (401): not done
    assert "signing in" in str(info.value) and len(seen) == 1


async def test_an_idempotent_write_resent_for_its_reply_waits_out_a_503_and_returns_the_reply() -> None:
    handler, seen = replies(cut_mid_body(200), httpx.Response(503), httpx.Response(200, json={"ok": True}))
    client = make_client(handler)
    response = await client.request("POST", "/auth/oauth/token", data={"grant_type": "password"}, idempotent=True)
    assert response.json() == {"ok": True} and len(seen) == 3


# --------------------------------------------------------------------------- over a real socket


async def test_over_a_real_connection_a_body_closed_mid_way_is_told_from_no_reply() -> None:
    """The status line arrives, then the server hangs up half way through the promised body:
    a read is retried, a write answered 2xx is done (checked on loopback, not a mock)."""
    import asyncio

    served: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        if length:
            await reader.readexactly(length)
        served.append(head.split(b" ")[0])
        body = b'{"id": "b-1", "title": "whole"}'
        if len(served) == 1 or head.startswith(b"POST"):
            writer.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n"
                         + body[:10])
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                         + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = HttpClient(base_url=f"http://127.0.0.1:{port}", provider="PlaceOS", sleep=Sleeps(), timeout=5)
        assert await client.get_json("/things/1") == {"id": "b-1", "title": "whole"}
        with pytest.raises(ReplyLostError) as info:
            await client.request("POST", "/signal", json={})
        assert info.value.applied is True
        assert served == [b"GET", b"GET", b"POST"]
        await client.aclose()
    finally:
        server.close()
        await server.wait_closed()
