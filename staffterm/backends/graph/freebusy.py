"""Free/busy for many rooms with the fewest round trips Graph's limits allow.

The limits (Graph docs):
- getSchedule takes "up to 20 entities at once" (concepts/outlook-get-free-busy-schedule.md);
- a ``$batch`` holds at most 20 requests (concepts/json-batching.md);
- Outlook runs at most 4 requests of one batch in parallel, and allows an app 4 concurrent
  requests per mailbox, inside a batch or not (concepts/throttling-limits.md, "Outlook service
  limits"); past that, 429 ``ApplicationThrottled`` "MailboxConcurrency" with its own Retry-After.

The plan: rooms in getSchedule calls of 20; each call addressed to a different mailbox (the first
room of its own call: room mailboxes are directory users, and the anchor only decides whose
limits the call counts against — inferred from calendar-getschedule.md, where ``{id}`` is any
mailbox), so no mailbox ever has more than one of our calls in flight; the calls spread over
as few ``$batch`` requests as keep every batch's 4-way parallelism busy: ``ceil(calls/20)``
batches at least, more while the client may run them at once (its in-flight cap) and no rate
limit spaces their starts. A throttled (429) or failed-over (503/504) inner call is sent again,
in a new batch, after its own Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from staffterm.backends.graph.convert import to_dtz
from staffterm.backends.graph.wire_errors import error_for, error_parts
from staffterm.errors import StafftermError, ThrottledError

if TYPE_CHECKING:
    from staffterm.http.client import HttpClient

log = logging.getLogger("staffterm.graph")

SCHEDULES_PER_CALL = 20
REQUESTS_PER_BATCH = 20
BATCH_PARALLELISM = 4  # inner requests Outlook runs at once per batch
RETRY_STATUSES = frozenset({429, 503, 504})
MAX_ROUNDS = 6
DEFAULT_RETRY_AFTER = 1.0


@dataclass
class ScheduleCall:
    """One getSchedule: its rooms, the mailbox it is addressed to, and its answer."""

    key: str
    emails: list[str]
    anchor: str
    value: list[Any] | None = None
    error: StafftermError | None = None

    def request(self, start: datetime, end: datetime, interval: int) -> dict[str, Any]:
        return {
            "id": self.key, "method": "POST",
            "url": f"/users/{quote(self.anchor, safe='@.')}/calendar/getSchedule",
            "headers": {"Content-Type": "application/json"},
            "body": {"schedules": self.emails, "startTime": to_dtz(start), "endTime": to_dtz(end),
                     "availabilityViewInterval": interval},
        }


def plan_calls(emails: Sequence[str]) -> list[ScheduleCall]:
    calls = []
    for index in range(0, len(emails), SCHEDULES_PER_CALL):
        chunk = list(emails[index:index + SCHEDULES_PER_CALL])
        calls.append(ScheduleCall(key=str(len(calls) + 1), emails=chunk, anchor=chunk[0]))
    return calls


def batch_count(calls: int, *, max_in_flight: int, rate_limited: bool) -> int:
    """How many $batch requests carry ``calls`` getSchedules: the fewest (20 a batch), or, while
    the client can send them at once and no rate limit spaces their starts, enough that each
    batch's 4 parallel slots run one wave fewer."""
    fewest = math.ceil(calls / REQUESTS_PER_BATCH)
    if rate_limited or calls == 0:
        return fewest
    return max(fewest, min(max_in_flight, math.ceil(calls / BATCH_PARALLELISM)))


def split(items: list[ScheduleCall], parts: int) -> list[list[ScheduleCall]]:
    """``parts`` batches as even as can be, the larger ones first."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, at = [], 0
    for index in range(parts):
        take = size + (1 if index < extra else 0)
        out.append(items[at:at + take])
        at += take
    return out


async def run_schedules(http: HttpClient, calls: list[ScheduleCall], start: datetime, end: datetime,
                        interval: int, *, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                        max_rounds: int = MAX_ROUNDS) -> None:
    """Fill each call's ``value`` (or ``error``). Never raises for one call's failure."""
    pending = list(calls)
    for _round in range(max_rounds):
        if not pending:
            return
        batches = split(pending, batch_count(len(pending), max_in_flight=http.max_in_flight,
                                            rate_limited=http.rate_limit > 0))
        results = await asyncio.gather(*(_send_batch(http, batch, start, end, interval) for batch in batches),
                                       return_exceptions=True)
        retry: list[ScheduleCall] = []
        wait = 0.0
        for batch, result in zip(batches, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, StafftermError):
                    raise result
                for call in batch:
                    call.error = result
                continue
            for call, delay in result:
                retry.append(call)
                wait = max(wait, delay)
        pending = retry
        if pending:
            log.info("Graph free/busy: %d getSchedule calls throttled; again in %.1f s", len(pending), wait)
            await sleep(wait)
    for call in pending:
        call.error = call.error or ThrottledError("Microsoft Graph kept throttling this free/busy request")


async def _send_batch(http: HttpClient, batch: list[ScheduleCall], start: datetime, end: datetime,
                      interval: int) -> list[tuple[ScheduleCall, float]]:
    """One $batch; returns the calls to send again with how long to wait first."""
    from staffterm.http.client import decode_json

    payload = {"requests": [call.request(start, end, interval) for call in batch]}
    # getSchedule only reads: the batch is safe to send again after a lost reply.
    response = await http.request("POST", "/$batch", json=payload, idempotent=True)
    body = decode_json(response, provider=http.provider)
    answers = {str(a.get("id")): a for a in (body or {}).get("responses") or [] if isinstance(a, dict)}
    again: list[tuple[ScheduleCall, float]] = []
    for call in batch:
        answer = answers.get(call.key)
        if answer is None:
            again.append((call, DEFAULT_RETRY_AFTER))  # an answer missing from the batch: ask again
            continue
        status = int(answer.get("status") or 0)
        inner = answer.get("body")
        if 200 <= status < 300 and isinstance(inner, dict) and isinstance(inner.get("value"), list):
            call.value, call.error = inner["value"], None
            continue
        headers = answer.get("headers") or {}
        retry_after = _retry_after(headers)
        code, message = error_parts(inner)
        call.error = error_for(status, code, message, retry_after) or StafftermError(
            f"Microsoft Graph answered {status} for free/busy{': ' + message if message else ''}")
        if status in RETRY_STATUSES:
            again.append((call, retry_after if retry_after is not None else DEFAULT_RETRY_AFTER))
        elif status == 404 and len(call.emails) > 1 and call.anchor == call.emails[0]:
            # The anchor mailbox is unknown (a room deleted since the listing): address the call
            # to the next room of its own and ask again, at once.
            call.anchor = call.emails[1]
            again.append((call, 0.0))
    return again


def _retry_after(headers: Any) -> float | None:
    for key, value in dict(headers).items():
        if str(key).lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None
