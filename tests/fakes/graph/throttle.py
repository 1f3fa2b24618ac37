"""Outlook's per-mailbox concurrency limit, tracked for real.

concepts/throttling-limits.md, "Outlook service limits": an app may have at most 4 concurrent
requests against one mailbox; past that the service answers 429 with ``Retry-After``. The error
body users see is code ``ApplicationThrottled`` with "Application is over its MailboxConcurrency
limit." (magodo/terraform-provider-outlook issue 21, alcionai/corso issue 3695).

Ambiguity: one revision of throttling-limits.md words the 4-request cap "per app ID ... regardless
of whether the requests all access the same mailbox"; current revisions (and the observed error
name) scope it per app and mailbox. The fake counts per (app, mailbox), the stricter reading
for the per-mailbox case staffterm's free/busy fan-out exercises.

A request holds its slot from admission until its answer is built, including the fake's
``latency`` sleep, so overlapping requests genuinely overlap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from tests.fakes.graph.wire import GraphError


class MailboxLimiter:
    def __init__(self, limit: int = 4, retry_after: int = 1) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self.in_flight: Counter[tuple[str, str]] = Counter()
        self.peak: Counter[tuple[str, str]] = Counter()  # highest concurrency admitted, for assertions
        self.rejected: Counter[tuple[str, str]] = Counter()

    @contextmanager
    def slot(self, app_id: str, mailbox: str) -> Iterator[None]:
        key = (app_id, mailbox)
        if self.in_flight[key] >= self.limit:
            self.rejected[key] += 1
            raise GraphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.",
                             headers={"Retry-After": str(self.retry_after)})
        self.in_flight[key] += 1
        self.peak[key] = max(self.peak[key], self.in_flight[key])
        try:
            yield
        finally:
            self.in_flight[key] -= 1
