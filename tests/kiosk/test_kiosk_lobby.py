"""The lobby kiosk on the demo site: a guest checks in by name and by a scanned invite, sees
only their own visit, accepts the house rules, gets a pass; offline, the check-in is queued."""

from __future__ import annotations

from staffterm.services.kiosk_lobby import LobbyService
from staffterm.services.kiosk_outbox import NOTICE_VERSION_KEY, KioskOutbox
from staffterm.services.session import Session
from staffterm.ui.kiosk.lobby import LobbyKioskApp
from tests.kiosk.conftest import flat, screen_text, settle

HANNAH = "gst-20261121-lon-06"
SCAN = "VISIT:hannah.lewis@fabrikam.example,bld-lon,bk-20261121-lon-01,harry.patel@acme.example"
OTHER_GUESTS = ["Ava Nguyen", "Olivia Bennett", "Lily Tanaka", "Zara Ahmed", "Lucas Meyer", "Samuel Green"]


def make_lobby(session, tmp_path, *, notice="", pass_seconds=20.0):
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    service = LobbyService(session.reception, outbox, "bld-lon", notice_version="7" if notice else None)
    return LobbyKioskApp(service, session.clock, pin_gate=None, building_name="London HQ", notice_text=notice,
                         pass_seconds=pass_seconds)


async def mails_to(session, address):
    return [m for m in await session.backend.list_outbox() if address in m.to]


async def test_a_guest_checks_in_by_name_and_gets_a_pass(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press(*"hannah", "enter")
        await settle(pilot, app)
        assert app.lobby.step == "confirm" and "Hello Hannah" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.lobby.step == "done"
        assert "has been told" in flat_words(screen_text(app))
        assert "▀" in screen_text(app) or "▄" in screen_text(app)  # the QR pass is drawn
        assert app.last_check_in.pass_payload.startswith("VISIT:hannah.lewis@fabrikam.example,")
    assert (await demo_session.backend.get_guest(HANNAH)).checked_in
    assert len(await mails_to(demo_session, "harry.patel@acme.example")) == 1


def flat_words(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


async def test_a_scanned_invite_typed_anywhere_on_the_welcome_screen_checks_in(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await pilot.click(offset=(2, 2))  # the guest touched the screen somewhere first
        app.lobby.set_focus(None)
        await pilot.press(*SCAN, "enter")
        await settle(pilot, app)
        assert app.lobby.step == "confirm" and "Hello Hannah" in screen_text(app)
        await pilot.press("y")
        await settle(pilot, app)
        assert app.lobby.step == "done"
    assert (await demo_session.backend.get_guest(HANNAH)).checked_in


async def test_an_ambiguous_search_asks_for_the_email_and_shows_nobody(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path)
    frames = []
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        for query in ("example", "an", "nobody-here"):
            await pilot.press(*query, "enter")
            await settle(pilot, app)
            frames.append(screen_text(app))
            assert app.lobby.step == "welcome"
        assert "full email address" in flat_words(frames[0])
        assert "at least 3 letters" in flat_words(frames[1])
        assert "could not find" in flat_words(frames[2])
    for frame in frames:
        for name in [*OTHER_GUESTS, "Hannah Lewis"]:
            assert flat(name) not in flat(frame)


async def test_the_house_rules_are_accepted_and_their_version_stored(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path, notice="Visitors must wear their pass at all times.")
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press(*"hannah.lewis@fabrikam.example", "enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.lobby.step == "notice" and "wear their pass" in screen_text(app)
        await pilot.press("a")
        await settle(pilot, app)
        assert app.lobby.step == "done"
    guest = await demo_session.backend.get_guest(HANNAH)
    assert guest.checked_in and guest.extension_data[NOTICE_VERSION_KEY] == "7"


async def test_declining_the_house_rules_checks_nobody_in(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path, notice="No photography.")
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press(*"hannah", "enter", "enter")
        await settle(pilot, app)
        await pilot.press("d")
        await settle(pilot, app)
        assert app.lobby.step == "welcome" and "front desk" in flat_words(screen_text(app))
    assert not (await demo_session.backend.get_guest(HANNAH)).checked_in


async def test_the_pass_returns_to_welcome_after_a_few_seconds(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path, pass_seconds=1.5)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press(*"hannah", "enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.lobby.step == "done"
        await pilot.pause(1.8)
        assert app.lobby.step == "welcome" and "Hannah" not in screen_text(app)


async def test_offline_the_guest_gets_a_pass_and_the_host_is_told_when_it_returns(demo_session, outage, tmp_path):
    session = Session.for_backend(outage, clock=demo_session.clock)
    app = make_lobby(session, tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)  # today's visits read while online
        outage.down = True
        await pilot.press(*"hannah", "enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.lobby.step == "done" and "will be told shortly" in flat_words(screen_text(app))
        assert app.last_check_in.queued and app.last_check_in.pass_payload
        assert not (await demo_session.backend.get_guest(HANNAH)).checked_in
        outage.down = False
        app.background_sync()
        await settle(pilot, app)
        app.background_sync()
        await settle(pilot, app)
    assert (await demo_session.backend.get_guest(HANNAH)).checked_in
    assert len(await mails_to(demo_session, "harry.patel@acme.example")) == 1
