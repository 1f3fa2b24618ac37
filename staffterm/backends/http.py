"""The one HTTP layer every remote backend (PlaceOS, Graph, Google) talks through.

One ``httpx.AsyncClient`` per backend instance. A per-tenant queue caps the requests in
flight (and optionally their rate) and reports queued / in-flight counts for the console's
header. Throttling and transient failures (429, 503, 504, connection errors) are retried,
honouring ``Retry-After`` or backing off exponentially with jitter — reads always, writes only
when they are idempotent or carry an idempotency key, because re-sending a plain POST could
book a room twice. Failures become ``staffterm.errors`` classes in one place, and nothing
that is logged or raised carries a key, token or password.
"""

from __future__ import annotations

import asyncio
import json as _json
import logging
import math
import random as _random
import re
import time
from collections.abc import Awaitable, Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from staffterm.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    NotSupportedError,
    PermissionDeniedError,
    StafftermError,
    ThrottledError,
    UnavailableError,
)
from staffterm.secrets import redact as _redact_values

log = logging.getLogger("staffterm.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Query parameters and headers whose values are secrets wherever they appear.
SENSITIVE_PARAMS = frozenset(
    {
        "api-key", "api_key", "apikey", "key", "bearer_token", "access_token", "refresh_token", "id_token",
        "token", "password", "client_secret", "code", "assertion", "client_assertion", "sig", "signature",
    }
)
SENSITIVE_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "set-cookie", "proxy-authorization"})
# RFC 9110 delay-seconds is ASCII digits; a fraction is tolerated. float() alone would also take
# "inf", "nan", "-3", "1_000" and non-ASCII digits, none of which a server means as a wait.
_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
LOGGED_BODY_CHARS = 2000


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


# --------------------------------------------------------------------------- small helpers


def next_link(response: httpx.Response) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, or None."""
    header = response.headers.get("link")
    if not header:
        return None
    for part in header.split(","):
        section = part.strip()
        if not section.startswith("<") or ">" not in section:
            continue
        url, _, rest = section[1:].partition(">")
        rels = [p.strip() for p in rest.split(";") if p.strip().lower().startswith("rel=")]
        for rel in rels:
            if "next" in rel.split("=", 1)[1].strip("\"' ").lower().split():
                return url.strip()
    return None


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (a past date means now).

    None for anything else, so the caller falls back to jittered backoff instead of trusting it.
    """
    value = (value or "").strip()
    if not value:
        return None
    if _DELAY_SECONDS.fullmatch(value):
        seconds = float(value)
        return seconds if math.isfinite(seconds) else None
    when = _http_date(value)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def response_retry_after(response: httpx.Response) -> float | None:
    """A response's ``Retry-After``, a date measured against the response's own ``Date``.

    Both dates come from the server's clock, so a local clock that is hours off neither skips
    the wait nor turns thirty seconds into hours.
    """
    return retry_after_seconds(response.headers.get("retry-after"), now=_http_date(response.headers.get("date")))


def body_error_text(response: httpx.Response) -> str:
    """The message of a JSON error body (``error`` / ``message`` / ``error_description``), or ""."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # Graph / Google: {"error": {"code", "message"}}
            return str(error.get("message") or error.get("code") or "")
        parts = [str(body[k]) for k in ("error", "message", "error_description") if isinstance(body.get(k), str)]
        return ": ".join(dict.fromkeys(p for p in parts if p))
    return ""


def redact_url(url: str | httpx.URL) -> str:
    """The URL with any user:password and the values of sensitive query parameters as ``***``."""
    parts = urlsplit(str(url))
    if "@" in parts.netloc:
        parts = parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2])
    if parts.query:
        pairs = [(k, "***" if k.lower() in SENSITIVE_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        parts = parts._replace(query=urlencode(pairs, safe="*,:"))
    return urlunsplit(parts)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers for a log line: credentials and cookies as ``***`` (an auth scheme stays visible)."""
    shown: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower in ("authorization", "proxy-authorization") and " " in value.strip():
            shown[name] = value.strip().split(" ", 1)[0] + " ***"
        elif lower in SENSITIVE_HEADERS:
            shown[name] = "***"
        else:
            shown[name] = value
    return shown


def _redact_json(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: "***" if str(k).lower() in SENSITIVE_PARAMS else _redact_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_redact_json(v) for v in node]
    return node


def redact_body(content: bytes, content_type: str = "") -> str:
    """A request or error body for a log line, with sensitive form fields and JSON keys as ``***``."""
    if not content:
        return ""
    text = content.decode("utf-8", errors="replace")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, "***" if k.lower() in SENSITIVE_PARAMS else v) for k, v in pairs], safe="*@,:")
    if kind.endswith("json") or text.lstrip()[:1] in ("{", "["):
        try:
            return _json.dumps(_redact_json(_json.loads(text)), ensure_ascii=False)
        except ValueError:
            pass
    return text


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query values on the wire: None dropped, bools as true/false, sequences comma-joined."""
    encoded: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
            encoded[key] = ",".join(str(v) for v in items)
        elif isinstance(value, datetime):
            encoded[key] = str(int(value.timestamp()))
        else:
            encoded[key] = str(value)
    return encoded


def _plain_path(method: str, url: httpx.URL) -> str:
    return f"{method} {url.path}"


def error_from_response(response: httpx.Response, *, provider: str, host: str) -> StafftermError:
    """The generic mapping of an HTTP failure to a ``staffterm.errors`` class."""
    status = response.status_code
    reason = body_error_text(response)
    what = _plain_path(response.request.method, response.request.url) if response.request else ""
    said = f": {reason}" if reason else ""
    if status in (400, 422):
        return InvalidInputError(f"{provider} refused the request{said}", hint=f"({what} answered {status})")
    if status == 401:
        return AuthError(
            f"{provider} at {host} refused our credentials{said}",
            hint="Check the tenant's key or password (staffterm config check).",
        )
    if status == 403:
        return PermissionDeniedError(
            f"this {provider} account is not allowed to do that{said}", hint=f"({what} answered 403)"
        )
    if status == 404:
        return NotFoundError(f"{provider} has no such item{said}", hint=f"({what} answered 404)")
    if status in (405, 409):
        return ConflictError(f"{provider} refused{said}")
    if status == 410:
        return LimitReachedError(f"{provider}: limit reached{said}")
    if status == 429:
        wait = response_retry_after(response)
        later = f" (try again in {wait:.0f} s)" if wait is not None else ""
        return ThrottledError(f"{provider} is throttling requests{later}", retry_after=wait)
    if status == 501:
        return NotSupportedError(f"{provider} does not support this{said}")
    if 500 <= status:
        return UnavailableError(f"{provider} at {host} failed (HTTP {status}){said}")
    return UnavailableError(f"{provider} answered HTTP {status}{said}")


@dataclass
class _Stats:
    queued: int = 0
    in_flight: int = 0
    # When the last request started (``time.monotonic()``), for the optional rate limit; None
    # until the first start. Not 0.0: the monotonic clock counts from boot on Linux, so a zero
    # would hold the first request back by ``1/rate_limit - uptime`` on a freshly booted machine.
    last_start: float | None = field(default=None)


class _ConnectionFailure(Exception):
    """An attempt that never got a response (the outcome of a write is unknown).

    ``transient`` is False for failures that the same request would meet again (a URL scheme
    httpx cannot speak, a header it refuses to send, a certificate we do not trust): retrying
    those only delays the message that says what to fix.
    """

    def __init__(self, error: StafftermError, *, transient: bool = True) -> None:
        super().__init__(str(error))
        self.error = error
        self.transient = transient


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
        self.rate_limit = max(0.0, float(rate_limit))
        self._secrets: set[str] = {s for s in secrets if s}
        self._sleep = sleep
        self._random = random
        self._slots = asyncio.Semaphore(self.max_in_flight)
        self._rate_lock = asyncio.Lock()
        self._stats = _Stats()
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            verify=verify_tls,
            transport=transport,
            headers={"User-Agent": "staffterm", "Accept": "application/json", **dict(headers or {})},
            follow_redirects=False,
        )

    # ----------------------------------------------------------------- bookkeeping

    def stats(self) -> tuple[int, int]:
        return (self._stats.queued, self._stats.in_flight)

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

    # ----------------------------------------------------------------- the queue

    async def _acquire(self) -> None:
        if self._stats.queued >= self.queue_size:
            raise ThrottledError(
                f"too many {self.provider} requests are waiting ({self._stats.queued})",
                hint="Wait a moment and try again; raise queue_size in the tenant's settings if this persists.",
            )
        self._stats.queued += 1
        try:
            await self._slots.acquire()
        finally:
            self._stats.queued -= 1
        self._stats.in_flight += 1
        if self.rate_limit > 0:
            try:
                await self._space_starts()
            except BaseException:  # cancelled while waiting its turn: the slot must not go with it
                self._release()
                raise

    async def _space_starts(self) -> None:
        # Space request starts at least 1/rate apart (the Calendar driver's ticker).
        async with self._rate_lock:
            if self._stats.last_start is not None:
                wait = self._stats.last_start + 1.0 / self.rate_limit - time.monotonic()
                if wait > 0:
                    await self._sleep(wait)
            self._stats.last_start = time.monotonic()

    def _release(self) -> None:
        self._stats.in_flight -= 1
        self._slots.release()

    async def _attempt(self, method: str, url: str, **send: Any) -> httpx.Response:
        """One try through the queue. The slot is given back however the try ends: a reply, a
        lost connection, an exception from our own side or the caller's task being cancelled."""
        await self._acquire()
        try:
            return await self._send_once(method, url, **send)
        finally:
            self._release()

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

    async def _send_once(
        self, method: str, url: str, *, params: dict[str, str], headers: httpx.Headers, body: dict[str, Any]
    ) -> httpx.Response:
        request = self._client.build_request(method, url, params=params or None, headers=headers, **body)
        if log.isEnabledFor(logging.DEBUG):
            self._log_request(request)
        started = time.monotonic()
        try:
            response = await self._client.send(request)
        except httpx.TimeoutException:
            raise _ConnectionFailure(
                UnavailableError(
                    f"{self.provider} at {self.host} did not answer within {self.timeout:g} s",
                    hint="The service may be down or slow; try again, or raise timeout_seconds.",
                )
            ) from None
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            raise _ConnectionFailure(self._connection_error(exc), transient=False) from None
        except httpx.HTTPError as exc:
            error = self._connection_error(exc)
            raise _ConnectionFailure(error, transient="certificate" not in error.message) from None
        await response.aread()
        if log.isEnabledFor(logging.DEBUG):
            failed = response.status_code >= 400
            log.debug(
                "%s %s %s -> %s in %.0f ms%s",
                self.provider, method, self.redact(redact_url(request.url)), response.status_code,
                (time.monotonic() - started) * 1000,
                f" body={self._loggable_body(response.content, response.headers.get('content-type', ''))}" if failed else "",
            )
        return response

    def _connection_error(self, exc: Exception) -> UnavailableError:
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

    def _raise_for(self, response: httpx.Response) -> None:
        error = self.error_mapper(response) if self.error_mapper is not None else None
        if error is None:
            error = error_from_response(response, provider=self.provider, host=self.host)
        # A secret must never ride out on an error message a server echoed back.
        error.message = self.redact(error.message)
        error.args = (error.message,)
        if error.hint:
            error.hint = self.redact(error.hint)
        raise error

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
        method = method.upper()
        retry_safe = idempotent if idempotent is not None else (method in IDEMPOTENT_METHODS)
        if idempotency_key:
            retry_safe = True
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
        refreshed = False
        outcome_unknown = False
        attempt = 0
        while True:
            attempt += 1
            if outcome_unknown and find_existing is not None:
                # The last attempt may have taken effect: ask before writing again.
                existing = await find_existing()
                if existing is not None:
                    return existing
            attempt_headers = httpx.Headers(sent_headers)
            if use_auth and self.auth is not None:
                # Fetched before queueing: a sign-in is itself a request through this queue, and
                # waiting for it while holding a slot deadlocks once every slot does the same.
                attempt_headers.update(await self.auth.headers(self))
            try:
                response = await self._attempt(method, url, params=encoded, headers=attempt_headers, body=body)
            except _ConnectionFailure as failure:
                if not (retry_safe and failure.transient) or attempt >= self.retry.max_attempts:
                    raise failure.error from None
                outcome_unknown = True
                delay = self._backoff(attempt)
                log.info("%s %s failed (%s); retry %d in %.1f s", self.provider, method, failure.error, attempt, delay)
                await self._sleep(delay)
                continue
            status = response.status_code
            if 200 <= status < 300 or status in allow_status:
                return response
            if status == 401 and use_auth and self.auth is not None and not refreshed:
                refreshed = True
                if await self.auth.refresh(self):
                    attempt -= 1  # a renewed token is not a retry of a failure
                    continue
            if status in self.retry.statuses and retry_safe and attempt < self.retry.max_attempts:
                wait = response_retry_after(response)
                if wait is not None and wait > self.retry.max_retry_after:
                    self._raise_for(response)
                delay = wait if wait is not None else self._backoff(attempt)
                # A 429 was refused before any work; a 503/504 may have been half done.
                outcome_unknown = status != 429
                log.info("%s %s answered %d; retry %d in %.1f s", self.provider, method, status, attempt, delay)
                await self._sleep(delay)
                continue
            self._raise_for(response)

    async def get_json(self, url: str, *, params: Mapping[str, Any] | None = None) -> Any:
        response = await self.request("GET", url, params=params)
        return decode_json(response, provider=self.provider)


def decode_json(response: httpx.Response, *, provider: str) -> Any:
    """The JSON body, or ``UnavailableError`` for a body that is not JSON (a proxy's HTML page)."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "unknown content").split(";")[0]
        raise UnavailableError(
            f"{provider} sent a reply that is not JSON ({kind}) for {response.request.method} {response.request.url.path}",
            hint="Check base_url: it may point at a web page or proxy instead of the API.",
        ) from None
