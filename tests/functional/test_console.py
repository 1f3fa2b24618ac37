"""The first console on the demo site, driven headless with Pilot and a frozen clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.errors import UnavailableError
from staffterm.services.session import Session
from staffterm.ui.app import StafftermApp, describe_error

# 10:00 in London on the day the demo is generated for.
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
async def session(tmp_path, demo_database):
    clock = FrozenClock(NOW)
    backend = LocalBackend("demo", database=demo_database(tmp_path / "demo.sqlite3", NOW), clock=clock)
    session = Session.for_backend(backend, clock=clock)
    async with session:
        yield session


def _labels(tree) -> list[str]:
    out = []

    def walk(node):
        for child in node.children:
            out.append(str(child.label))
            walk(child)

    walk(tree.root)
    return out


async def _loaded(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_console_lists_buildings_levels_rooms_with_status(session, size):
    app = StafftermApp(session=session, clock=session.clock)
    async with app.run_test(size=size) as pilot:
        await _loaded(pilot, app)
        tree = app.screen.query_one("#zones-tree")
        labels = _labels(tree)
        assert any(label.startswith("London — Bishopsgate") for label in labels)
        assert any(label.startswith("New York — Hudson Yards") for label in labels)
        assert any(label.startswith("Level 1") for label in labels)
        rooms = await session.backend.list_rooms()
        assert len([label for label in labels if "seats" in label]) == len(rooms)
        # Every room shows a status; at 10:00 London some rooms are busy and some free.
        assert any("busy until" in label for label in labels)
        assert any("free" in label for label in labels)


async def test_selecting_a_room_shows_its_day(session):
    app = StafftermApp(session=session, clock=session.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await _loaded(pilot, app)
        tree = app.screen.query_one("#zones-tree")
        tree.focus()
        # Building, level, then the first room of Level 1: its day shows beside the tree.
        await pilot.press("down", "down")
        await pilot.pause()
        detail = str(app.screen.query_one("#room-detail").render())
        assert "seats" in detail and "Today" in detail
        room_id = tree.cursor_node.data
        # Enter opens the room's day, with its actions.
        await pilot.press("enter")
        await _loaded(pilot, app)
        from staffterm.ui.screens.room_day.screen import RoomDayScreen

        assert isinstance(app.screen, RoomDayScreen) and app.screen.room_id == room_id


async def test_refresh_keeps_tree_and_cursor(session):
    app = StafftermApp(session=session, clock=session.clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await _loaded(pilot, app)
        tree = app.screen.query_one("#zones-tree")
        tree.focus()
        await pilot.press("down", "down")
        before = tree.cursor_line
        count = len(_labels(tree))
        await pilot.press("r")
        await _loaded(pilot, app)
        assert tree.cursor_line == before
        assert len(_labels(tree)) == count


async def test_backend_failure_is_a_notification_not_a_traceback(session, monkeypatch):
    async def broken(**kwargs):
        raise UnavailableError("the calendar service did not answer")

    monkeypatch.setattr(session.backend, "list_zones", broken)
    app = StafftermApp(session=session, clock=session.clock)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await _loaded(pilot, app)
        messages = [n.message for n in app._notifications]
        assert any("the calendar service did not answer" in m for m in messages)
        assert app.is_running


def test_describe_error_is_one_plain_line():
    assert describe_error(UnavailableError("down", hint="Try later.")) == "down. Try later."
    assert describe_error(KeyError("x")).startswith("Unexpected error: KeyError")


async def test_console_opens_the_demo_site_from_an_empty_config_dir():
    """No session injected: the app reads the (absent) config and opens the demo in a worker."""
    from staffterm.ui.app import build_app

    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            labels = _labels(app.screen.query_one("#zones-tree"))
            if app.session is not None and any(label.startswith("London") for label in labels):
                break
        assert app.session.provider == "local"
        labels = _labels(app.screen.query_one("#zones-tree"))
        assert any(label.startswith("London — Bishopsgate") for label in labels)
    assert app.session is not None


async def test_console_reports_a_bad_config_instead_of_crashing(tmp_path):
    from staffterm.ui.app import build_app

    bad = tmp_path / "config.toml"
    bad.write_text("[tenants.x]\nprovider = 'teletext'\n")
    app = build_app(config_path=bad)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        for _ in range(20):
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = " ".join(_labels(app.screen.query_one("#zones-tree")))
        assert "Not connected" in shown and "config.toml" in shown
        assert "offline" in str(app.status_text("Zones"))
        assert app.is_running
