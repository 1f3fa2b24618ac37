"""The one HTTP layer every remote backend (PlaceOS, Graph, Google) talks through.

One ``httpx.AsyncClient`` per backend instance. A per-tenant queue caps the requests in
flight (and optionally their rate) and reports queued / in-flight counts for the console's
header. Throttling and transient failures (429, 503, 504, connection errors) are retried,
honouring ``Retry-After`` or backing off exponentially with jitter — reads always, writes only
when they are idempotent or carry an idempotency key, because re-sending a plain POST could
book a room twice. A write whose reply is lost is reported as what is known of it (done, not
done, or "may have happened", see ``replies.py``), never guessed. Failures become
``staffterm.errors`` classes in one place (``wire.py``), and nothing that is logged or
raised carries a key, token or password.

Here is a request's life: retries and what a lost reply means. The queue is ``queue``, one
attempt on the wire ``sending``; the pure helpers are in ``wire``, ``replies``, ``redaction``
and ``paging``.
"""

from __future__ import annotations

import asyncio
import logging
import random as _random
from collections.abc import Awaitable, Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import httpx

from staffterm.errors import (
    InvalidInputError,
    ReplyLostError,
    StafftermError,
    UnavailableError,
)
from staffterm.http.queue import RequestQueue
from staffterm.http.redaction import (
    SENSITIVE_HEADERS,
    SENSITIVE_PARAMS,
    redact_body,
    redact_headers,
    redact_url,
)
from staffterm.http.redaction import redact as _redact_values
from staffterm.http.replies import (
    MAY_HAVE_ACTED,
    READ_METHODS,
    applied_error,
    cut_off_error,
    looks_like_json,
    maybe_applied_error,
    parsed_json,
)
from staffterm.http.sending import ConnectionFailure, Sender
from staffterm.http.wire import (
    body_error_text,
    encode_params,
    error_from_response,
    next_link,
    response_retry_after,
    retry_after_seconds,
)

# The pure helpers (wire.py, redaction.py) are importable from here too, beside the client that uses them.
__all__ = [
    "SENSITIVE_HEADERS", "SENSITIVE_PARAMS", "HttpAuth", "HttpClient", "RetryPolicy", "body_error_text",
    "decode_json", "encode_params", "error_from_response", "next_link", "redact_body", "redact_headers",
    "redact_url", "response_retry_after", "retry_after_seconds",
]

log = logging.getLogger("staffterm.http")
T = TypeVar("T")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # the first try and three retries
    base_delay: float = 0.5
    max_delay: float = 30.0
    # A server asking us to wait longer than this gets a ThrottledError instead of a frozen screen.
    max_retry_after: float = 120.0
    statuses: frozenset[int] = frozenset({429, 503, 504})


class HttpAuth(Protocol):
    async def headers(self, http: HttpClient) -> dict[str, str]:
        """Headers to add to every attempt (fetching or renewing a token as needed)."""
        ...

    async def refresh(self, http: HttpClient) -> bool:
        """Called after a 401; True means credentials were renewed and the request may be tried once more."""
        ...


# --------------------------------------------------------------------------- the client


class HttpClient:
    def __init__(
        self,
        *,
        base_url: str,
        provider: str,
        tenant: str = "",
        timeout: float = 30.0,
        verify_tls: bool = True,
        max_in_flight: int = 4,
        queue_size: int = 100,
        rate_limit: float = 0.0,
        retry: RetryPolicy | None = None,
        auth: HttpAuth | None = None,
        error_mapper: Callable[[httpx.Response], StafftermError | None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self.base_url = str(base_url).rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.provider = provider
        self.tenant = tenant
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.auth = auth
        self.error_mapper = error_mapper
        self.max_in_flight = max(1, int(max_in_flight))
        self.queue_size = max(1, int(queue_size))
        self._secrets: set[str] = {s for s in secrets if s}
        self._sleep = sleep
        self._random = random
        self._queue = RequestQueue(
            provider=provider, max_in_flight=self.max_in_flight, queue_size=self.queue_size,
            rate_limit=max(0.0, float(rate_limit)), sleep=sleep,
        )
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            verify=verify_tls,
            transport=transport,
            headers={"User-Agent": "staffterm", "Accept": "application/json", **dict(headers or {})},
            follow_redirects=False,
        )
        self._sender = Sender(self._client, provider=provider, host=self.host, timeout=timeout, redact=self.redact)

    @property
    def rate_limit(self) -> float:
        """Request starts per second (0: no limit); the queue spaces starts by it."""
        return self._queue.rate_limit

    @rate_limit.setter
    def rate_limit(self, value: float) -> None:
        self._queue.rate_limit = max(0.0, float(value))

    # ----------------------------------------------------------------- bookkeeping

    def stats(self) -> tuple[int, int]:
        return self._queue.stats()

    def add_secret(self, value: str | None) -> None:
        if value:
            self._secrets.add(value)

    def redact(self, text: str) -> str:
        return _redact_values(text, self._secrets)

    async def aclose(self) -> None:
        await self._client.aclose()

    @property
    def closed(self) -> bool:
        return self._client.is_closed

    async def _attempt(self, method: str, url: str, **send: Any) -> httpx.Response:
        """One try through the queue. The slot is given back however the try ends: a reply, a
        lost connection, an exception from our own side or the caller's task being cancelled."""
        await self._queue.acquire()
        try:
            return await self._sender.send_once(method, url, **send)
        finally:
            self._queue.release()

    # ----------------------------------------------------------------- requests

    def _backoff(self, attempt: int) -> float:
        # Full jitter: anywhere between 0 and the capped exponential step (the exponent is
        # bounded so a large max_attempts cannot overflow the float).
        ceiling = min(self.retry.max_delay, self.retry.base_delay * (2 ** min(attempt - 1, 32)))
        return ceiling * self._random()

    def _same_origin(self, url: str) -> bool:
        target = httpx.URL(url)
        if not target.is_absolute_url:
            return True
        base = httpx.URL(self.base_url)
        return (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port)

    def _error_for(self, response: httpx.Response) -> StafftermError:
        error = self.error_mapper(response) if self.error_mapper is not None else None
        if error is None:
            error = error_from_response(response, provider=self.provider, host=self.host)
        return self._redacted(error)

    def _redacted(self, error: StafftermError) -> StafftermError:
        # A secret must never ride out on an error message a server echoed back.
        error.message = self.redact(error.message)
        error.args = (error.message,)
        if error.hint:
            error.hint = self.redact(error.hint)
        return error

    def _raise_for(self, response: httpx.Response) -> None:
        raise self._error_for(response)

    async def _look_up(self, find_existing: Callable[[], Awaitable[httpx.Response | None]], what: str,
                       cause: StafftermError) -> httpx.Response | None:
        """Ask whether an earlier attempt took effect. A lookup that fails leaves the outcome
        open, and says so, rather than guessing either way."""
        try:
            return await find_existing()
        except StafftermError as exc:
            log.info("%s: the lookup after a lost reply to %s failed (%s)", self.provider, what, exc)
            raise self._redacted(maybe_applied_error(self.provider, what, cause)) from None

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        idempotent: bool | None = None,
        find_existing: Callable[[], Awaitable[httpx.Response | None]] | None = None,
        use_auth: bool = True,
        allow_status: Container[int] = (),
    ) -> httpx.Response:
        """Send with retries, and report a write's outcome truthfully when a reply is lost.

        A read is retried through resets, gateway errors and cut-off bodies. A write is re-sent
        only when that is safe (idempotent, or keyed); ``find_existing`` is asked first after any
        attempt that may have taken effect, and once more before giving up. What cannot be
        settled becomes ``ReplyLostError``: ``applied=True`` when a 2xx arrived without its body
        (done), ``applied=None`` when the request went out and no answer came back.
        """
        method = method.upper()
        retry_safe = idempotent if idempotent is not None else (method in IDEMPOTENT_METHODS)
        if idempotency_key:
            retry_safe = True
        is_write = method not in READ_METHODS
        if use_auth and self.auth is not None and not self._same_origin(url):
            # Our key or token goes to our server only, whatever URL a page link handed us.
            raise InvalidInputError(
                f"refusing to send {self.provider} credentials to {urlsplit(url).netloc}, which is not {self.host}"
            )
        # Case-insensitive, so a caller's own "idempotency-key" header is not sent twice.
        sent_headers = httpx.Headers(headers or {})
        if idempotency_key and "idempotency-key" not in sent_headers:
            sent_headers["Idempotency-Key"] = idempotency_key
        body: dict[str, Any] = {}
        if json is not None:
            body["json"] = json
        if data is not None:
            body["data"] = dict(data)
        if content is not None:
            body["content"] = content
        encoded = encode_params(params)
        what = f"{method} {httpx.URL(url).path}"
        refreshed = False
        maybe_applied = False  # an earlier attempt of this write may have taken effect
        applied_status: int | None = None  # an earlier attempt was answered 2xx, its body lost
        # Ask before re-sending after any failed attempt of a keyed write, even one that by
        # httpx's account never connected: a lookup is cheap, a second booking is not.
        look_first = False
        attempt = 0
        while True:
            attempt += 1
            if (maybe_applied or look_first) and find_existing is not None:
                # The last attempt may have taken effect: ask before writing again.
                existing = await self._look_up(find_existing, what, cut_off_error(self.provider, what))
                if existing is not None:
                    return existing
                if applied_status is not None:
                    # Accepted, yet not found: the lookup lags the write. It is done all the same.
                    raise self._redacted(applied_error(self.provider, what))
            attempt_headers = httpx.Headers(sent_headers)
            if use_auth and self.auth is not None:
                # Fetched before queueing: a sign-in is itself a request through this queue, and
                # waiting for it while holding a slot deadlocks once every slot does the same.
                attempt_headers.update(await self._signed_in(self.auth.headers(self), what, maybe_applied))
            try:
                response = await self._attempt(method, url, params=encoded, headers=attempt_headers, body=body)
            except ConnectionFailure as failure:
                if is_write and failure.answered_ok:
                    applied_status = failure.status
                    if method == "DELETE":
                        return httpx.Response(failure.status or 204, request=httpx.Request(method, url))
                maybe_applied = maybe_applied or (is_write and failure.sent)
                look_first = is_write
                if applied_status is not None and find_existing is None and not retry_safe:
                    raise self._redacted(applied_error(self.provider, what)) from None
                if not (retry_safe and failure.transient) or attempt >= self.retry.max_attempts:
                    outcome = await self._give_up(failure.error, what, maybe_applied, applied_status, find_existing)
                    if isinstance(outcome, httpx.Response):
                        return outcome
                    raise outcome from None
                delay = self._backoff(attempt)
                log.info("%s %s failed (%s); retry %d in %.1f s", self.provider, method, failure.error, attempt, delay)
                await self._sleep(delay)
                continue
            status = response.status_code
            if 200 <= status < 300 or status in allow_status:
                return response
            if applied_status is not None and status not in self.retry.statuses and status != 401:
                # Re-sent to read the reply of a write that already took effect: whatever the
                # second answer (a 405 "already checked in"), the change is done.
                raise self._redacted(applied_error(self.provider, what))
            if status == 401 and use_auth and self.auth is not None and not refreshed:
                refreshed = True
                if await self._signed_in(self.auth.refresh(self), what, maybe_applied or applied_status is not None):
                    attempt -= 1  # a renewed token is not a retry of a failure
                    continue
            if status in self.retry.statuses and retry_safe and attempt < self.retry.max_attempts:
                wait = response_retry_after(response)
                if wait is None or wait <= self.retry.max_retry_after:
                    delay = wait if wait is not None else self._backoff(attempt)
                    # A 429 was refused before any work; a 503/504 may have been half done.
                    maybe_applied = maybe_applied or (is_write and status in MAY_HAVE_ACTED)
                    log.info("%s %s answered %d; retry %d in %.1f s", self.provider, method, status, attempt, delay)
                    await self._sleep(delay)
                    continue
            error = self._error_for(response)
            if is_write and status in MAY_HAVE_ACTED:
                maybe_applied = True
            if maybe_applied and status < 500 and status != 429:
                # A definite refusal of a re-sent write (404 "no such booking" after a DELETE
                # whose first reply was lost): the earlier attempt may be why. Callers that can
                # look the item up settle it (staffterm.backends.placeos.write_outcomes).
                error.details["after_lost_reply"] = True
                raise error
            outcome = await self._give_up(error, what, maybe_applied, applied_status, find_existing)
            if isinstance(outcome, httpx.Response):
                return outcome
            raise outcome

    async def _signed_in(self, signing_in: Awaitable[T], what: str, maybe_applied: bool) -> T:
        """A sign-in made on behalf of a request. Its own lost reply says nothing about the
        request's outcome: the request was not sent with these credentials yet."""
        try:
            return await signing_in
        except ReplyLostError as exc:
            cause = UnavailableError(f"signing in to {self.provider} failed: {exc.message}",
                                     hint="Try again; the sign-in's reply was lost on the way.")
            if maybe_applied:
                raise self._redacted(maybe_applied_error(self.provider, what, cause)) from None
            raise self._redacted(cause) from None

    async def _give_up(self, error: StafftermError, what: str, maybe_applied: bool, applied_status: int | None,
                       find_existing: Callable[[], Awaitable[httpx.Response | None]] | None
                       ) -> StafftermError | httpx.Response:
        """Once no attempt is left: the error saying what is known of a write's outcome, or the
        item a last lookup found (the write did take effect)."""
        if applied_status is not None:
            return self._redacted(applied_error(self.provider, what))
        if not maybe_applied:
            return error
        if find_existing is not None:
            existing = await self._look_up(find_existing, what, error)
            if existing is not None:
                return existing
            return error  # looked up by its key and not there: it did not happen
        return self._redacted(maybe_applied_error(self.provider, what, error))

    async def get_json(self, url: str, *, params: Mapping[str, Any] | None = None) -> Any:
        response = await self.request("GET", url, params=params)
        return decode_json(response, provider=self.provider)


def decode_json(response: httpx.Response, *, provider: str) -> Any:
    """The JSON body, or ``UnavailableError``: a reply that is not JSON at all (a proxy's HTML
    page: check base_url) or a JSON reply that stops half way (cut off on the way)."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        return parsed_json(response)
    except (ValueError, UnicodeDecodeError):
        what = f"{response.request.method} {response.request.url.path}"
        if looks_like_json(response):
            raise cut_off_error(provider, what) from None
        kind = response.headers.get("content-type", "unknown content").split(";")[0]
        raise UnavailableError(
            f"{provider} sent a reply that is not JSON ({kind}) for {what}",
            hint="Check base_url: it may point at a web page or proxy instead of the API.",
        ) from None
