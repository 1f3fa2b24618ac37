"""Fixtures for console tests: the demo site on a temp database with a frozen clock.

- ``demo_session``: an open Session on a fresh demo database, clock frozen at ``NOW``.
- ``make_app``: builds a StafftermApp on that session.
- ``snapshot_app``: builds a StafftermApp that opens the demo site itself from a temp config
  (as a user's console does), for ``snap_compare``; wait with ``settle``.
- ``demo_database``: puts a demo site, already seeded for a given moment, at a path.

Seeding the demo site is the same work for every test at the same moment, and mostly waiting on
the disk (SQLite syncs as it switches to WAL and checkpoints on close): each test process seeds it
once per moment and copies the file, which the backend then opens as a returning user's site.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.services.session import Session

# 10:00 in London (GMT in November), 05:00 in New York: the demo day is under way in London.
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch):
    """Text cursors stay lit: a blinking one makes a snapshot depend on when it was taken."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock(NOW)


def _seed_demo_site(path: Path, now: datetime) -> None:
    """The demo site as the local backend seeds it on first open at ``now``, closed (so its
    write-ahead log is folded into the one file)."""

    async def seed() -> None:
        backend = LocalBackend("demo", database=path, clock=FrozenClock(now))
        await backend.open()
        await backend.close()

    # On a thread of its own: the caller may be a fixture running inside the test's event loop.
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(seed())
        except BaseException as exc:  # handed to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, name="seed-demo-site")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    leftovers = [p.name for p in path.parent.glob(path.name + "-*")]
    assert not leftovers, f"the seeded demo site left {leftovers} beside it"


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """``demo_database(path, now)`` puts the demo site seeded for ``now`` at ``path``: a copy of
    one seeded once per test process for that moment."""
    seeded: dict[datetime, Path] = {}
    folder = tmp_path_factory.mktemp("demo-sites")

    def place(path: Path, now: datetime = NOW) -> Path:
        template = seeded.get(now)
        if template is None:
            template = folder / f"demo-{len(seeded)}.sqlite3"
            _seed_demo_site(template, now)
            seeded[now] = template
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, path)
        return path

    return place


@pytest.fixture
async def demo_session(tmp_path, frozen_clock, demo_database):
    database = demo_database(tmp_path / "demo.sqlite3", frozen_clock.now())
    backend = LocalBackend("demo", database=database, clock=frozen_clock)
    session = Session.for_backend(backend, clock=frozen_clock)
    async with session:
        yield session


@pytest.fixture
def make_app(demo_session, tmp_path):
    from staffterm.ui.app import StafftermApp

    def make(**kwargs):
        return StafftermApp(session=demo_session, clock=demo_session.clock, ui_state_path=tmp_path / "ui-state.json", **kwargs)

    return make


@pytest.fixture
def snapshot_app(tmp_path, frozen_clock, demo_database):
    """A console that opens the demo site from a config file, as `staffterm` does."""
    from staffterm.config import load_config
    from staffterm.ui.app import StafftermApp

    def make(theme: str | None = None, building: str = "bld-lon"):
        path = tmp_path / "config.toml"
        database = tmp_path / "snap.sqlite3"
        if not database.exists():
            demo_database(database, frozen_clock.now())
        ui = f'[ui]\nbuilding = "{building}"\n' + (f'theme = "{theme}"\n' if theme else "")
        path.write_text(ui + f'[tenants.demo]\nprovider = "local"\ndemo = true\ndatabase = "{database}"\n')
        path.chmod(0o600)
        return StafftermApp(config=load_config(path), clock=frozen_clock, ui_state_path=tmp_path / "ui-state.json")

    return make


#: How long ``settle`` waits for the backend's request queue to drain before it gives up.
QUEUE_DRAIN_SECONDS = 10.0


async def settle(pilot, app, rounds: int = 3) -> None:
    """Let workers finish, the backend's request queue drain, and the screen repaint.

    Workers are not the only source of requests: the local site's database thread may still
    hold operations a finished (or cancelled) worker submitted, and the header shows them
    ("2 queued · 0 in flight"). A snapshot taken then depends on timing, so the queue must be
    empty too, and the headers repainted from it rather than left for their next poll."""
    for _ in range(rounds):
        await pilot.pause()
        await _workers_done(app)
        await _queue_drained(pilot, app)
    _repaint_headers(app)
    await pilot.pause()


async def _queue_drained(pilot, app) -> None:
    session = getattr(app, "session", None)
    if session is None:
        return
    waited = 0.0
    while session.backend.request_stats() != (0, 0):
        if waited >= QUEUE_DRAIN_SECONDS:
            raise AssertionError(f"the request queue never drained: {session.backend.request_stats()}")
        await pilot.pause(0.01)
        waited += 0.01
    await _workers_done(app)


async def _workers_done(app) -> None:
    """Wait for every worker. One that failed is the app's to report (a notification, the
    banner), and the tests assert on that: whether it ended before or during the wait must not
    decide whether ``settle`` raises (``wait_for_complete`` raises only for one still running)."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for worker in list(app.workers):
        try:
            await worker.wait()
        except (WorkerFailed, WorkerCancelled):
            pass


def _repaint_headers(app) -> None:
    from staffterm.ui.widgets.status_header import StatusHeader

    for screen in app.screen_stack:
        for header in screen.query(StatusHeader):
            header.refresh_status()
