"""One attempt on the wire for ``HttpClient``: send, read the whole body (streamed, so a body cut
off after the status line is told apart from no reply at all), log both sides redacted, and turn
a failure to connect into a ``ConnectionFailure`` that says whether the request left.

Retries, the queue and what a lost reply means for a write are the client's (``client.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from staffterm.errors import StafftermError, UnavailableError
from staffterm.http.redaction import redact_body, redact_headers, redact_url
from staffterm.http.replies import body_is_whole, cut_off_error
from staffterm.http.wire import _plain_path

log = logging.getLogger("staffterm.http")

LOGGED_BODY_CHARS = 2000


class ConnectionFailure(Exception):
    """An attempt that got no usable response.

    ``transient`` is False for failures that the same request would meet again (a URL scheme
    httpx cannot speak, a header it refuses to send, a certificate we do not trust): retrying
    those only delays the message that says what to fix. ``sent`` is False when the request
    never left (no connection): a write that was not sent did not happen. ``status`` is the
    status line that did arrive when only the body was lost (cut off mid-way or truncated).
    """

    def __init__(self, error: StafftermError, *, transient: bool = True, sent: bool = True,
                 status: int | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.transient = transient
        self.sent = sent
        self.status = status

    @property
    def answered_ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Sender:
    """Sends one request through the backend's ``httpx.AsyncClient``; knows no retries."""

    def __init__(
        self, client: httpx.AsyncClient, *, provider: str, host: str, timeout: float, redact: Callable[[str], str]
    ) -> None:
        self._client = client
        self.provider = provider
        self.host = host
        self.timeout = timeout
        self.redact = redact

    def _loggable_body(self, content: bytes, content_type: str) -> str:
        # Known secrets go before truncation, so a cut can never leave half a secret showing.
        text = self.redact(redact_body(content, content_type))
        return text if len(text) <= LOGGED_BODY_CHARS else f"{text[:LOGGED_BODY_CHARS]}… ({len(content)} bytes)"

    def _log_request(self, request: httpx.Request) -> None:
        try:
            content = request.content
        except httpx.RequestNotRead:  # a streamed body is not read just to log it
            content = b""
        log.debug(
            "%s %s %s headers=%s body=%s",
            self.provider, request.method, self.redact(redact_url(request.url)),
            self.redact(str(redact_headers(request.headers))),
            self._loggable_body(content, request.headers.get("content-type", "")) or "-",
        )

    async def send_once(
        self, method: str, url: str, *, params: dict[str, str], headers: httpx.Headers, body: dict[str, Any]
    ) -> httpx.Response:
        request = self._client.build_request(method, url, params=params or None, headers=headers, **body)
        if log.isEnabledFor(logging.DEBUG):
            self._log_request(request)
        started = time.monotonic()
        try:
            # Streamed, so a body lost after the status line is told apart from no reply at all:
            # a 2xx status means a write took effect, whatever happens to its body.
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise ConnectionFailure(
                UnavailableError(
                    f"{self.provider} at {self.host} did not answer within {self.timeout:g} s",
                    hint="The service may be down or slow; try again, or raise timeout_seconds.",
                ),
                sent=not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)),
            ) from None
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            raise ConnectionFailure(self.connection_error(exc), transient=False, sent=False) from None
        except httpx.HTTPError as exc:
            error = self.connection_error(exc)
            raise ConnectionFailure(
                error, transient="certificate" not in error.message, sent=not isinstance(exc, httpx.ConnectError)
            ) from None
        what = _plain_path(method, request.url)
        try:
            await response.aread()
        except httpx.HTTPError:
            raise ConnectionFailure(cut_off_error(self.provider, what), status=response.status_code) from None
        finally:
            await response.aclose()
        if 200 <= response.status_code < 300 and not body_is_whole(response):
            raise ConnectionFailure(cut_off_error(self.provider, what), status=response.status_code)
        if log.isEnabledFor(logging.DEBUG):
            failed = response.status_code >= 400
            log.debug(
                "%s %s %s -> %s in %.0f ms%s",
                self.provider, method, self.redact(redact_url(request.url)), response.status_code,
                (time.monotonic() - started) * 1000,
                f" body={self._loggable_body(response.content, response.headers.get('content-type', ''))}" if failed else "",
            )
        return response

    def connection_error(self, exc: Exception) -> UnavailableError:
        detail = self.redact(str(exc)) or type(exc).__name__
        text = detail.lower()
        if "certificate" in text or "ssl" in text:
            return UnavailableError(
                f"the TLS certificate of {self.host} was not accepted: {detail}",
                hint="Check base_url; for a test server with a self-signed certificate set verify_tls = false.",
            )
        if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return UnavailableError(
                f"cannot reach {self.host}: the host name does not resolve",
                hint="Check the host name in base_url and this machine's network/DNS.",
            )
        return UnavailableError(
            f"cannot reach {self.host}: {detail}",
            hint="Check base_url and that this machine can reach the server (network, proxy, firewall).",
        )
