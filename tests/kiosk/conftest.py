"""Fixtures for the kiosk tests: the demo site on a temp database with a frozen clock, and a
backend whose network can be cut (every call raises ``UnavailableError`` while it is down)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from staffterm.backends.local import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.services.session import Session

# 10:00 in London (GMT in November): the demo day is under way.
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


class FakeMonotonic:
    """A monotonic clock the test moves by hand (the PIN back-off reads it)."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch):
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def demo_session(tmp_path, frozen_clock):
    backend = LocalBackend("demo", database=tmp_path / "demo.sqlite3", clock=frozen_clock)
    session = Session.for_backend(backend, clock=frozen_clock)
    async with session:
        yield session


async def settle(pilot, app, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app) -> str:
    """Every character the kiosk shows now, from an SVG screenshot of the whole screen."""
    import html
    import re

    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return html.unescape("".join(lines)).replace("\xa0", " ")


class Outage:
    """Wraps a real backend; while ``down`` every call raises ``UnavailableError`` (a network
    outage as the http layer reports it), and nothing reaches the site."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.down = False
        self.calls: list[str] = []

    def __getattr__(self, name):
        import inspect

        from staffterm.errors import UnavailableError

        attr = getattr(self.inner, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        async def call(*args, **kwargs):
            if self.down:
                raise UnavailableError("the site cannot be reached (connection refused)")
            self.calls.append(name)
            return await attr(*args, **kwargs)

        return call


@pytest.fixture
def outage(demo_session):
    return Outage(demo_session.backend)


def flat(text: str) -> str:
    """``text`` with every space, line break and box-drawing character taken out, so a phrase
    wrapped over two lines is still found."""
    return "".join(ch for ch in text if ch.isalnum())
