"""The soak runner: operations through a faulty hop, each write checked against the provider's
own state, and a report of what went wrong.

Provider-neutral: a backend supplies ``Operation``s (what to call, and for a write how many
times it took effect, read from the fake's state rather than through the faulty hop). A write's
report is what the caller would tell a person: returned (done), ``ReplyLostError(applied=True)``
(done), ``ReplyLostError(applied=None)`` (may have happened, with how to check), or another
``StafftermError`` (failed). Anything else raised is an unhandled error.
"""

from __future__ import annotations

import random
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from staffterm.errors import ReplyLostError, StafftermError
from tests.faults.proxy import FaultyTransport


@dataclass
class Operation:
    name: str
    run: Callable[[], Awaitable[Any]]
    # For a write: how many times it took effect (0, 1, or more for a duplicate), by the fake's state.
    effects: Callable[[], int] | None = None

    @property
    def writes(self) -> bool:
        return self.effects is not None


class Target(Protocol):
    """A backend under test: its faulty hop and where its next operation comes from."""

    transport: FaultyTransport

    def next_operation(self, rng: random.Random, index: int) -> Operation: ...


@dataclass
class Report:
    operations: int = 0
    reads: int = 0
    writes: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    fault_targets: Counter[str] = field(default_factory=Counter)
    requests_forwarded: int = 0
    writes_done: int = 0
    writes_done_reply_lost: int = 0  # of those, reported as ReplyLostError(applied=True)
    writes_failed: int = 0  # reported failed and indeed not applied
    writes_uncertain: int = 0  # "may have happened": truthful, counted to keep it rare
    reads_failed: int = 0
    lost_writes: int = 0  # reported done, never applied
    duplicates: int = 0  # applied more than once
    reported_wrongly: int = 0  # applied, reported as failed
    unhandled: int = 0  # raised something that is not a StafftermError
    examples: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(text)

    @property
    def clean(self) -> bool:
        return not (self.lost_writes or self.duplicates or self.reported_wrongly or self.unhandled)

    def lines(self) -> list[str]:
        out = [
            f"operations: {self.operations} ({self.reads} reads, {self.writes} writes), "
            f"requests reaching the server: {self.requests_forwarded}",
            f"faults injected: {sum(self.faults.values())}",
            *[f"  {count:5d}  {kind}" for kind, count in sorted(self.faults.items())],
            "  landed on: " + (", ".join(f"{k} {v}" for k, v in sorted(self.fault_targets.items())) or "-"),
            f"writes done: {self.writes_done} ({self.writes_done_reply_lost} said done without their reply), "
            f"failed (not applied): {self.writes_failed}, "
            f"may have happened (said so): {self.writes_uncertain}; reads failed: {self.reads_failed}",
            f"lost writes: {self.lost_writes}",
            f"duplicates: {self.duplicates}",
            f"writes reported wrongly: {self.reported_wrongly}",
            f"unhandled errors: {self.unhandled}",
        ]
        out += [f"  ! {example}" for example in self.examples]
        return out


async def run_soak(target: Target, *, operations: int, seed: int = 1) -> Report:
    rng = random.Random(seed)
    report = Report()
    for index in range(operations):
        target.transport.enabled = False  # choosing the next operation reads state cleanly
        op = target.next_operation(rng, index)
        target.transport.enabled = True
        report.operations += 1
        reported, error = await _report_of(op)
        target.transport.enabled = False
        if reported == "unhandled":
            report.unhandled += 1
            report.note(f"{op.name}: unhandled {error}")
            continue
        if not op.writes:
            report.reads += 1
            report.reads_failed += reported == "failed"
            continue
        report.writes += 1
        assert op.effects is not None
        effects = op.effects()
        if effects > 1:
            report.duplicates += 1
            report.note(f"{op.name}: applied {effects} times")
        if reported == "done":
            report.writes_done += 1
            report.writes_done_reply_lost += bool(error)
            if effects == 0:
                report.lost_writes += 1
                report.note(f"{op.name}: reported done, not applied")
        elif reported == "uncertain":
            report.writes_uncertain += 1
        elif effects >= 1:
            report.reported_wrongly += 1
            report.note(f"{op.name}: applied, reported failed: {error}")
        else:
            report.writes_failed += 1
    target.transport.enabled = True
    report.faults = target.transport.counts()
    report.fault_targets = target.transport.targets()
    report.requests_forwarded = target.transport.forwarded
    return report


async def _report_of(op: Operation) -> tuple[str, str]:
    try:
        await op.run()
    except ReplyLostError as exc:
        return ("done" if exc.applied else "uncertain"), str(exc)
    except StafftermError as exc:
        return "failed", f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 -- exactly what the soak exists to catch
        return "unhandled", "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return "done", ""
