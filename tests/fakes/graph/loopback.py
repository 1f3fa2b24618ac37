"""Serve a ``FakeGraph`` over HTTPS on 127.0.0.1, with a throwaway test CA from ``trustme``.

msal refuses an ``http://`` authority, so the identity platform has to speak TLS; the CA bundle
is written to a temporary file for ``verify=``. The HTTP/1.1 parsing and encoding are the PlaceOS
fake's (one wire implementation for both fakes); requests are answered by ``fake.handler``, so
the wire behaviour is exactly the MockTransport behaviour.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tests.fakes.placeos.loopback import _handler

if TYPE_CHECKING:
    from tests.fakes.graph.server import FakeGraph


@contextlib.contextmanager
def serve_https(fake: FakeGraph, port: int = 0) -> Iterator[tuple[str, str]]:
    """Yields ``("https://127.0.0.1:PORT", path of the CA bundle that signs its certificate)``."""
    import trustme

    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    port_box = [port]
    failure: list[BaseException] = []
    stop: list[asyncio.Future[None]] = []

    async def main() -> None:
        try:
            server = await asyncio.start_server(_handler(fake, port_box, "https"), "127.0.0.1", port, ssl=context)
        except OSError as exc:
            failure.append(exc)
            ready.set()
            return
        port_box[0] = server.sockets[0].getsockname()[1]
        stop.append(loop.create_future())
        ready.set()
        async with server:
            await stop[0]
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), name="fake-graph", daemon=True)
    thread.start()
    ready.wait(10)
    if failure:
        thread.join(5)
        loop.close()
        raise failure[0]
    with tempfile.TemporaryDirectory(prefix="fake-graph-ca-") as folder:
        bundle = Path(folder) / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        try:
            yield f"https://127.0.0.1:{port_box[0]}", str(bundle)
        finally:
            if stop:
                loop.call_soon_threadsafe(lambda: stop[0].done() or stop[0].set_result(None))
            thread.join(10)
            if not thread.is_alive():
                loop.close()
