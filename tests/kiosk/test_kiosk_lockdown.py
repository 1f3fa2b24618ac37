"""Nothing a stranger can press leaves the kiosk: every escape key, tab, F-keys, clicks on
empty or hidden areas and pasted text leave it where it was. The admin PIN is the only way out,
and it backs off after wrong tries. Inactivity clears what was typed."""

from __future__ import annotations

import pytest
from textual import events

from staffterm.services.kiosk_lobby import LobbyService
from staffterm.services.kiosk_outbox import KioskOutbox
from staffterm.services.kiosk_pin import FIRST_WAIT, FREE_TRIES, gate_for, hash_pin
from staffterm.services.room_panel import PanelRules
from staffterm.services.room_panel_actions import RoomPanelService
from staffterm.ui.kiosk.base import AdminMenu, PinPrompt
from staffterm.ui.kiosk.lobby import LobbyKioskApp, LobbyScreen
from staffterm.ui.kiosk.panel import PanelScreen, RoomPanelApp
from tests.kiosk.conftest import FakeMonotonic, screen_text, settle

PIN = "4826"
PIN_HASH = hash_pin(PIN)
ESCAPES = [
    "ctrl+c", "ctrl+q", "ctrl+z", "ctrl+p", "ctrl+backslash", "escape", "tab", "shift+tab",
    *[f"f{n}" for n in range(1, 13)], "ctrl+d", "ctrl+w", "ctrl+l", "ctrl+s", "alt+f4",
]


def lobby_app(session, tmp_path, monotonic=None, idle=60.0):
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    service = LobbyService(session.reception, outbox, "bld-lon")
    mono = monotonic or FakeMonotonic()
    return LobbyKioskApp(service, session.clock, pin_gate=gate_for(PIN_HASH, None, mono), building_name="London HQ",
                         idle_seconds=idle, monotonic=mono)


def panel_app(session, monotonic=None):
    service = RoomPanelService(session.backend, session.clock, "rm-lon-1-02", PanelRules(), estate=session.estate, booking=session.booking)
    mono = monotonic or FakeMonotonic()
    return RoomPanelApp(service, session.clock, pin_gate=gate_for(PIN_HASH, None, mono), monotonic=mono, refresh_seconds=3600)


@pytest.mark.parametrize("kind", ["lobby", "panel"])
async def test_no_key_click_or_paste_leaves_the_kiosk(demo_session, tmp_path, kind):
    app = lobby_app(demo_session, tmp_path) if kind == "lobby" else panel_app(demo_session)
    home = LobbyScreen if kind == "lobby" else PanelScreen
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        before = screen_text(app)
        for key in ESCAPES:
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running and type(app.screen) is home, key
            assert len(app.screen_stack) == 2, key
        for x, y in ((0, 0), (109, 29), (60, 3), (105, 14)):  # the header, corners, the status box: nothing there
            await pilot.click(offset=(x, y))
        app.post_message(events.Paste("VISIT:hannah.lewis@fabrikam.example,bld-lon,bk-20261121-lon-01,harry.patel@acme.example\n"))
        await settle(pilot, app)
        assert app.is_running and type(app.screen) is home
        assert app.focused is None or app.focused.id == "find"
        if kind == "lobby":
            assert app.lobby.query_one("#find").value == ""  # the paste was dropped
            assert app.lobby.step == "welcome"
        assert screen_text(app) == before
        assert app.return_code is None


async def test_the_pin_opens_the_admin_menu_and_exit_leaves(demo_session, tmp_path):
    app = panel_app(demo_session)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert isinstance(app.screen, PinPrompt)
        await pilot.press(*PIN, "enter")
        await pilot.pause()
        assert isinstance(app.screen, AdminMenu)
        assert PIN not in screen_text(app)
        await pilot.click("#admin-exit")
        await pilot.pause()
    assert app.admin_result == ("exit", "")


async def test_wrong_pins_back_off_and_even_the_right_one_waits(demo_session, tmp_path):
    mono = FakeMonotonic()
    app = lobby_app(demo_session, tmp_path, monotonic=mono)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+a")
        await pilot.pause()
        for _ in range(FREE_TRIES):
            await pilot.press("1", "1", "1", "1", "enter")
            await pilot.pause()
        assert "wait 30 s" in screen_text(app)
        await pilot.press(*PIN, "enter")  # right, but during the back-off: not even checked
        await pilot.pause()
        assert isinstance(app.screen, PinPrompt)
        mono.value += FIRST_WAIT - 1
        await pilot.press(*PIN, "enter")
        await pilot.pause()
        assert isinstance(app.screen, PinPrompt)
        mono.value += 1
        await pilot.press("9", "9", "9", "9", "enter")  # a 4th wrong try doubles the wait
        await pilot.pause()
        assert "wait 60 s" in screen_text(app)
        mono.value += 2 * FIRST_WAIT
        await pilot.press(*PIN, "enter")
        await pilot.pause()
        assert isinstance(app.screen, AdminMenu)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LobbyScreen)


async def test_letters_and_pasted_text_never_reach_the_pin_box(demo_session, tmp_path):
    app = panel_app(demo_session)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+a")
        await pilot.pause()
        app.post_message(events.Paste(PIN))
        await pilot.press("a", "b", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PinPrompt) and "Wrong PIN" in screen_text(app)


async def test_inactivity_returns_to_welcome_and_clears_what_was_typed(demo_session, tmp_path):
    app = lobby_app(demo_session, tmp_path, idle=0.5)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press(*"Hannah", "enter")
        await settle(pilot, app)
        assert app.lobby.step == "confirm" and "Hannah" in screen_text(app)
        await pilot.press("ctrl+a")  # even an open PIN prompt is closed
        await pilot.press("1", "2")
        await pilot.pause(0.8)
        await settle(pilot, app)
        assert isinstance(app.screen, LobbyScreen) and app.lobby.step == "welcome"
        assert app.lobby.query_one("#find").value == "" and "Hannah" not in screen_text(app)


async def test_typing_keeps_the_kiosk_awake(demo_session, tmp_path):
    app = lobby_app(demo_session, tmp_path, idle=0.6)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        for letter in "Hannah Lew":
            await pilot.press(letter)
            await pilot.pause(0.1)
        assert app.lobby.query_one("#find").value == "Hannah Lew"
