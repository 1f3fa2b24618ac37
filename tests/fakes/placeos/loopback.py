"""Serve a ``FakePlaceOS`` over real HTTP/1.1 on 127.0.0.1 (for subprocess and by-hand runs).

A small asyncio server on its own thread and event loop: requests are parsed into
``httpx.Request`` objects and answered by ``fake.handler``, so the wire behaviour is exactly the
MockTransport behaviour. Keep-alive is supported; bodies come with Content-Length or chunked.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.fakes.placeos.server import FakePlaceOS

_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}
_MAX_BODY = 50 * 1024 * 1024


class _BadRequest(Exception):
    pass


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    line = await reader.readline()
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3:
        raise _BadRequest(f"malformed request line {line!r}")
    method, target, _version = parts
    headers: list[tuple[str, str]] = []
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep:
            raise _BadRequest(f"malformed header {raw!r}")
        headers.append((name.strip(), value.strip()))
    lookup = {k.lower(): v for k, v in headers}
    if lookup.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
            if len(body) > _MAX_BODY:
                raise _BadRequest("body too large")
        return method, target, headers, bytes(body)
    length = int(lookup.get("content-length", "0") or "0")
    if length > _MAX_BODY:
        raise _BadRequest("body too large")
    return method, target, headers, (await reader.readexactly(length) if length else b"")


def _encode(response: httpx.Response, method: str, keep_alive: bool) -> bytes:
    status = response.status_code
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    # 204/304 and HEAD answers never carry a body on the wire.
    body = b"" if status in (204, 304) or method == "HEAD" or status < 200 else response.content
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in response.headers.multi_items() if k.lower() not in _HOP_BY_HOP]
    if status not in (204, 304) and status >= 200:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _handler(fake: Any, port_box: list[int], scheme: str = "http"):
    """One connection's loop: HTTP/1.1 requests in, the fake's responses out (keep-alive honoured).
    Shared by every fake served on loopback (``scheme`` "https" behind TLS)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    parsed = await _read_request(reader)
                except _BadRequest as exc:
                    writer.write(_encode(httpx.Response(400, json={"error": str(exc)}), "GET", False))
                    await writer.drain()
                    return
                if parsed is None:
                    return
                method, target, headers, body = parsed
                host = next((v for k, v in headers if k.lower() == "host"), f"127.0.0.1:{port_box[0]}")
                request = httpx.Request(method, f"{scheme}://{host}{target}", headers=headers, content=body)
                response = await fake.handler(request)
                await response.aread()
                keep_alive = next((v for k, v in headers if k.lower() == "connection"), "").lower() != "close"
                writer.write(_encode(response, method, keep_alive))
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, ssl.SSLError):
            return
        except asyncio.CancelledError:
            # Shutdown cancels idle keep-alive connections; ending quietly keeps 3.11's stream
            # callback from logging the cancellation as an error.
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    return handle


@contextlib.contextmanager
def serve_on_loopback(fake: FakePlaceOS, port: int = 0) -> Iterator[str]:
    """Serve ``fake`` on 127.0.0.1:``port`` (0 = any free port); yields ``"http://127.0.0.1:PORT"``."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port_box = [port]
    failure: list[BaseException] = []
    stop: list[asyncio.Future[None]] = []

    async def main() -> None:
        try:
            server = await asyncio.start_server(_handler(fake, port_box), "127.0.0.1", port)
        except OSError as exc:
            failure.append(exc)
            ready.set()
            return
        port_box[0] = server.sockets[0].getsockname()[1]
        stop.append(loop.create_future())
        ready.set()
        async with server:
            await stop[0]
        # Let in-progress connections finish their current write, then drop them.
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), name="fake-placeos", daemon=True)
    thread.start()
    ready.wait(10)
    if failure:
        thread.join(5)
        loop.close()
        raise failure[0]
    try:
        yield f"http://127.0.0.1:{port_box[0]}"
    finally:
        if stop:
            loop.call_soon_threadsafe(lambda: stop[0].done() or stop[0].set_result(None))
        thread.join(10)
        if not thread.is_alive():
            loop.close()
