"""Starting desks (forked child processes) on one database file and releasing them together."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.multiproc.child import read_log

# Forked, not spawned: the children share the parent's imported staffterm, so they start in
# milliseconds and twenty of them really do hit the file at once.
FORK = multiprocessing.get_context("fork")


@dataclass
class Crowd:
    """Children started together and held at a starting line until ``release``."""

    folder: Path
    count: int
    children: list[Any] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Every child plus the parent; a child that dies before the line breaks it (timeout).
        self.start_line = FORK.Barrier(self.count + 1, timeout=60)

    def start(self, target: Callable[..., None], *args: Any, per_child: Callable[[int], tuple] | None = None) -> None:
        for n in range(self.count):
            log = self.folder / f"child-{n}.log"
            extra = per_child(n) if per_child else ()
            child = FORK.Process(target=target, args=(log, *args, self.start_line, *extra), daemon=True)
            child.start()
            self.children.append(child)
            self.logs.append(log)

    def release(self) -> None:
        self.start_line.wait()

    def results(self, timeout: float = 60) -> list[list[dict]]:
        deadline = time.monotonic() + timeout
        for child in self.children:
            child.join(max(deadline - time.monotonic(), 0.1))
            assert child.exitcode == 0, f"child exited with {child.exitcode}"
        return [read_log(path) for path in self.logs]
