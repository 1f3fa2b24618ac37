"""The local site's SQLite file and the one thread that touches it (schema: ``schema``).

SQLite calls block, so every statement runs on a single dedicated worker thread (the
connection is created there and never leaves it) and the event loop only awaits the result.
Each call is one transaction: an error anywhere rolls the whole call back, so a refused write
changes nothing.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from staffterm.backends.local.schema import (  # noqa: F401  (re-exported: the schema's names)
    DATA_TABLES,
    MIGRATIONS,
    SCHEMA_VERSION,
    SCHEMA_VERSION_KEY,
    migrate,
    schema_version,
)
from staffterm.errors import ConfigError, UnavailableError

T = TypeVar("T")

# How long a statement waits for another process's lock before the desk is told "busy".
BUSY_TIMEOUT_SECONDS = 5.0


def is_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED (any extended code): another process holds the lock."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def claim_backup_path(database: Path, moment: datetime) -> Path:
    """A new private file next to ``database`` named for ``moment`` (UTC), e.g.
    ``office.backup-20261121T070000Z.sqlite3``; a second backup in the same second gets ``-2``."""
    stamp = moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 1000):
        suffix = "" if n == 1 else f"-{n}"
        candidate = database.with_name(f"{database.stem}.backup-{stamp}{suffix}.sqlite3")
        try:
            fd = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise UnavailableError(f"cannot name a backup of {database}: too many backups this second", hint="Try again.")


def write_backup(database: Path, target: Path) -> None:
    """Copy the committed contents of ``database`` into ``target`` with SQLite's backup API.

    Blocking: call it on the database thread. It reads through a connection of its own, so it
    works while this process holds the write lock (then it is exactly the state being replaced:
    no other desk can commit in between). The copy is one self-contained file (no WAL beside it).
    """
    source = sqlite3.connect(database, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    finally:
        source.close()
    os.chmod(target, 0o600)


class LocalDatabase:
    """One SQLite file, one worker thread, one connection living on that thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self.thread_id: int | None = None
        # Operations submitted and not finished; one at a time runs on the thread, the rest wait.
        self._pending = 0
        self._running = 0
        # Migration steps this object's open applied (0 when another process had done them).
        self.migrations_applied = 0

    def stats(self) -> tuple[int, int]:
        """(queued, in flight): what the console's header shows as the request queue."""
        return (max(self._pending - self._running, 0), self._running)

    @property
    def is_open(self) -> bool:
        return self._executor is not None

    async def open(self) -> None:
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staffterm-sqlite")
        try:
            await self._submit(self._connect)
        except BaseException:
            self._executor.shutdown(wait=True)
            self._executor = None
            raise

    async def close(self) -> None:
        executor = self._executor
        if executor is None:
            return
        try:
            await self._submit(self._disconnect)
        finally:
            self._executor = None
            executor.shutdown(wait=True)

    async def run(self, work: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        """Run ``work(conn)`` on the database thread inside one transaction."""
        if self._executor is None:
            raise UnavailableError(f"the local database {self.path} is closed", hint="")
        return await self._submit(lambda: self._transaction(work, write))

    async def _submit(self, call: Callable[[], T]) -> T:
        assert self._executor is not None
        loop = asyncio.get_running_loop()

        def counted() -> T:
            self._running += 1  # on the database thread: only one runs at a time
            try:
                return call()
            finally:
                self._running -= 1

        self._pending += 1
        try:
            return await loop.run_in_executor(self._executor, counted)
        finally:
            self._pending -= 1

    # ------------------------------------------------------------ on the database thread

    def _connect(self) -> None:
        try:
            _create_private_file(self.path)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
            conn.row_factory = sqlite3.Row
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"cannot open the local database {self.path}: {exc}",
                path=str(self.path),
                key="database",
                hint="Check the path and its permissions, or set STAFFTERM_DATA_DIR.",
            ) from exc
        try:
            self.migrations_applied = self._prepare(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if is_busy(exc):
                raise UnavailableError(
                    f"the local database {self.path} is busy: {exc}",
                    hint="Another staffterm is setting it up or writing to it; try again in a moment.",
                ) from exc
            # Only a file SQLite cannot read, or one holding someone else's tables, gets here.
            raise ConfigError(
                f"{self.path} is not a usable staffterm database: {exc}",
                path=str(self.path),
                key="database",
                hint="It may be damaged or belong to another program: restore it from a backup, "
                "or set the tenant's database to another file.",
            ) from exc
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self.thread_id = threading.get_ident()

    def _prepare(self, conn: sqlite3.Connection) -> int:
        """WAL mode, pragmas and migrations; returns the migration steps applied here.

        A few of SQLite's lock waits do not go through the busy timeout (switching a brand-new
        file to WAL while another process does the same, recovering the WAL index), so a busy
        answer is retried here for a bounded time before it is reported.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA synchronous = NORMAL")
                return migrate(conn, self.path)
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() > deadline:
                    raise
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                time.sleep(0.01)  # on the database thread, never the event loop

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _transaction(self, work: Callable[[sqlite3.Connection], T], write: bool) -> T:
        conn = self._conn
        if conn is None:
            raise UnavailableError(f"the local database {self.path} is closed", hint="")
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.OperationalError as exc:
            raise UnavailableError(
                f"the local database {self.path} is busy: {exc}",
                hint="Another staffterm is writing to it; try again in a moment.",
            ) from exc
        try:
            result = work(conn)
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK")
            raise UnavailableError(f"the local database {self.path} failed: {exc}") from exc
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result
