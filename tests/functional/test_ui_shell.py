"""The app shell: screens by F-key and number, help, refresh, building switch, day rollover,
connection state, and the person picker."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from staffterm.backends.local.backend import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.errors import UnavailableError
from staffterm.services.session import Session
from staffterm.ui.app import StafftermApp
from staffterm.ui.connection import ConnectionState

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
async def session(tmp_path, demo_database):
    clock = FrozenClock(NOW)
    backend = LocalBackend("demo", database=demo_database(tmp_path / "demo.sqlite3", NOW), clock=clock)
    session = Session.for_backend(backend, clock=clock)
    async with session:
        yield session


from tests.functional.conftest import settle  # noqa: E402


def make_app(session, tmp_path) -> StafftermApp:
    return StafftermApp(session=session, clock=session.clock, ui_state_path=tmp_path / "ui-state.json")


async def test_header_shows_tenant_building_clock_and_online(session, tmp_path):
    app = make_app(session, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, app)
        header = str(app.status_text("Zones", width=160))
        assert "demo" in header and "London — Bishopsgate" in header
        assert "10:00" in header and "online" in header


async def test_f1_shows_help_for_the_screen_in_view(session, tmp_path):
    app = make_app(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("f1")
        await pilot.pause()
        from staffterm.ui.dialogs.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        assert app.screen.about.SCREEN_TITLE == "Zones"
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_b_switches_building_and_remembers_it(session, tmp_path):
    app = make_app(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        first = app.building_id
        await pilot.press("b")
        await settle(pilot, app)
        assert app.building_id != first
        assert app.building_id in {"bld-lon", "bld-nyc"}
    from staffterm.ui.state import load_ui_state

    assert load_ui_state(tmp_path / "ui-state.json").building_id == app.building_id


async def test_day_rolls_over_at_midnight_in_the_buildings_zone(session, tmp_path):
    app = make_app(session, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        app.building_id = "bld-lon"
        app._day = app.building_today()
        session.clock.set(datetime(2026, 11, 22, 0, 1, tzinfo=timezone.utc))  # 00:01 in London
        app._check_day_rollover()
        await settle(pilot, app)
        assert app._day.isoformat() == "2026-11-22"


async def test_a_failed_refresh_marks_the_data_stale_not_gone(session, tmp_path, monkeypatch):
    app = make_app(session, tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot, app)
        rooms_before = len(app.screen._rows)

        async def down(**kwargs):
            raise UnavailableError("the calendar service did not answer")

        monkeypatch.setattr(session.backend, "list_zones", down)
        session.clock.advance(timedelta(minutes=5))
        await pilot.press("r")
        await settle(pilot, app)
        assert "offline" in str(app.status_text("Zones", width=160))
        assert len(app.screen._rows) == rooms_before  # the last good data stays on screen


def test_connection_state_labels():
    state = ConnectionState(refresh_seconds=60)
    assert state.label(NOW)[0] == "connecting…"
    state.succeeded(NOW)
    assert state.label(NOW + timedelta(seconds=30))[0] == "online"
    assert state.label(NOW + timedelta(minutes=10))[0] == "stale since 10:00"
    state.failed(NOW + timedelta(minutes=11), UnavailableError("down"))
    assert state.label(NOW + timedelta(minutes=12))[0] == "offline · stale since 10:00"
    from staffterm.errors import ConflictError

    fresh = ConnectionState()
    fresh.succeeded(NOW)
    fresh.failed(NOW, ConflictError("clash"))  # a refused write is not a lost connection
    fresh.failed(NOW, AttributeError("bug"))  # nor is a bug
    assert fresh.label(NOW)[0] == "online"


async def test_person_picker_finds_people_and_picks_with_enter(session, tmp_path):
    from textual.app import App, ComposeResult

    from staffterm.ui.widgets.person_picker import PersonPicker

    chosen = []

    class PickerApp(App):
        def __init__(self):
            super().__init__()
            self.session = session

        def compose(self) -> ComposeResult:
            yield PersonPicker(id="host")

        def on_person_picker_chosen(self, event: PersonPicker.Chosen) -> None:
            chosen.append(event.user)

    app = PickerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(PersonPicker).focus()
        await pilot.press(*"harry")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        picker = app.query_one(PersonPicker)
        assert chosen and chosen[0].email == "harry.patel@acme.example"
        assert picker.email == "harry.patel@acme.example"


async def test_keys_can_be_remapped_from_the_config(demo_session, tmp_path):
    from types import SimpleNamespace

    from staffterm.ui.dialogs.help import HelpScreen

    config = SimpleNamespace(ui=SimpleNamespace(keymap={"help": "f9", "screen-guests": "g"}, refresh_seconds=60,
                                                theme=None, building=None))
    app = StafftermApp(session=demo_session, clock=demo_session.clock, config=config,
                       ui_state_path=tmp_path / "ui-state.json")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("f1")  # no longer bound
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("g")
        await settle(pilot, app)
        assert app.current_mode == "guests"


async def test_theme_switch_at_run_time_is_remembered(demo_session, tmp_path):
    state = tmp_path / "ui-state.json"
    app = StafftermApp(session=demo_session, clock=demo_session.clock, ui_state_path=state)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert app.theme == "staffterm-dark"
        app.theme = "staffterm-high-contrast"
        await settle(pilot, app)
        # The free/busy colours follow the theme.
        assert app.theme_variables["fb-busy"]
    again = StafftermApp(session=demo_session, clock=demo_session.clock, ui_state_path=state)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot, again)
        assert again.theme == "staffterm-high-contrast"


# One test per screen (each opens its own console): together they were the longest test in the
# suite, the last one left running on one worker while the other stood idle.
@pytest.mark.parametrize(
    ("keys", "mode"),
    [(("f3", "2"), "timeline"), (("f4", "3"), "bookings"), (("f5", "4"), "guests"), (("f6", "5"), "admin"),
     (("f2", "1"), "zones")],
    ids=["timeline", "bookings", "guests", "admin", "zones"],
)
async def test_every_main_screen_is_reachable_by_f_key_and_number(make_app, keys, mode):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for key in keys:  # reached from another screen by its F-key, then by its number
            await pilot.press("f2" if mode != "zones" else "f3")
            await settle(pilot, app)
            app.screen.set_focus(None)  # number keys go to screens, not to a focused search box
            await pilot.press(key)
            await settle(pilot, app)
            assert app.current_mode == mode, (key, mode)


async def test_a_booking_made_anywhere_shows_on_zones_when_you_go_back(make_app):
    """Regression: after booking from the find-room dialog on Guests, Zones still showed the room free."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        zones = app.screen
        await pilot.press("f5")
        await settle(pilot, app)
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        booked = [row for row in zones._rows.values() if row.status.state == "busy"]
        await pilot.press("f2")
        await settle(pilot, app)
        now_busy = [row for row in app.screen._rows.values() if row.status.state == "busy"]
        assert len(now_busy) == len(booked) + 1


async def test_header_shows_the_request_queue_while_there_is_one(make_app, demo_session, monkeypatch):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        assert "queued" not in str(app.status_text("Zones", width=120))
        monkeypatch.setattr(demo_session.backend, "request_stats", lambda: (3, 1))
        assert "3 queued · 1 in flight" in str(app.status_text("Zones", width=120))
