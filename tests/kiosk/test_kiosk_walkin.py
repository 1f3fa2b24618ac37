"""Walk-in registration at the lobby kiosk, on the demo site: name, email, a host found in the
directory (only after three letters, only a few, no email addresses), then registered and
checked in through the outbox; offline, nothing is made twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from staffterm.errors import InvalidInputError
from staffterm.services.directory import DirectoryService
from staffterm.services.kiosk_lobby import LobbyService
from staffterm.services.kiosk_outbox import KioskOutbox
from staffterm.services.kiosk_walkin import (
    MAX_HOSTS_SHOWN,
    HostChoice,
    WalkInService,
    check_guest_details,
)
from staffterm.services.session import Session
from staffterm.ui.kiosk.lobby import LobbyKioskApp
from staffterm.ui.kiosk.walkin import WalkInForm
from tests.kiosk.conftest import NOW, Outage, flat, screen_text, settle

GUEST = "Maria Rossi"
GUEST_EMAIL = "maria.rossi@contoso.example"
HOST = "harry.patel@acme.example"


def make_lobby(session, tmp_path, *, backend=None, walk_ins=True, notice=""):
    session = session if backend is None else Session.for_backend(backend, clock=session.clock)
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    service = LobbyService(session.reception, outbox, "bld-lon", notice_version="3" if notice else None)
    walk_in = WalkInService(service, session.directory) if walk_ins else None
    return LobbyKioskApp(service, session.clock, pin_gate=None, building_name="London HQ", walk_in=walk_in,
                         notice_text=notice)


async def visits_of(session, email):
    found = await session.backend.query_guests(start=NOW - timedelta(hours=12), end=NOW + timedelta(hours=12), zone_id="bld-lon")
    return [g for g in found if g.email == email]


async def fill_in(pilot, app, host_text="patel"):
    await pilot.press("ctrl+g")
    await settle(pilot, app)
    await pilot.press(*GUEST, "enter")
    await pilot.press(*GUEST_EMAIL, "enter")
    await settle(pilot, app)
    await pilot.press(*host_text)
    await settle(pilot, app)


async def test_a_walk_in_registers_finds_the_host_and_is_checked_in(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        assert "Register here" in screen_text(app)
        await fill_in(pilot, app)
        text = screen_text(app)
        assert "Harry Patel (Sales)" in text and HOST not in text
        await pilot.press("enter")  # the one host found
        await settle(pilot, app)
        assert "visiting Harry Patel" in screen_text(app)
        await pilot.press("enter")  # register and check in
        await settle(pilot, app)
        assert app.lobby.step == "done"
        assert "HarryPatelhasbeentold" in flat(screen_text(app))
        assert app.last_check_in.pass_payload.startswith(f"VISIT:{GUEST_EMAIL},")
    [visit] = await visits_of(demo_session, GUEST_EMAIL)
    assert visit.checked_in and visit.host_email == HOST and visit.name == GUEST
    assert len([m for m in await demo_session.backend.list_outbox() if HOST in m.to]) == 1


async def test_the_host_list_needs_three_letters_and_shows_a_few_names_only(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await fill_in(pilot, app, host_text="ha")
        form = app.lobby.query_one(WalkInForm)
        assert form.step == "host" and form.hosts == []
        before = screen_text(app)
        assert "Harry" not in before and "Amelia" not in before
        await pilot.press("r")  # "har": Harry Patel and Amelia Hart
        await settle(pilot, app)
        names = [h.name for h in form.hosts]
        assert sorted(names) == ["Amelia Hart", "Harry Patel"]
        text = screen_text(app)
        assert "@acme.example" not in text and "Sophie" not in text
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert form.step == "confirm" and form.host is not None and form.host.name == names[1]


async def test_a_bad_email_is_asked_again_and_an_empty_name_goes_back(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        await pilot.press(*GUEST, "enter", *"maria at contoso", "enter")
        await settle(pilot, app)
        form = app.lobby.query_one(WalkInForm)
        assert form.step == "email" and "type your email address" in screen_text(app)
        await pilot.press("n")  # a letter in the box (kept, to be corrected), not "no"
        assert form.box.value == "maria at contoson"
        app.reset_to_start()
        await settle(pilot, app)
        await pilot.press("ctrl+g", "enter")  # an empty name: back to welcome
        await settle(pilot, app)
        assert app.lobby.step == "welcome"
    assert await visits_of(demo_session, GUEST_EMAIL) == []


async def test_offline_registration_is_refused_plainly_and_retried_once(demo_session, tmp_path):
    outage = Outage(demo_session.backend)
    app = make_lobby(demo_session, tmp_path, backend=outage)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await fill_in(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        outage.down = True
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.lobby.step == "walkin" and "offline" in screen_text(app)
        assert await visits_of(demo_session, GUEST_EMAIL) == []
        outage.down = False
        await pilot.press("enter")  # the same registration, sent again
        await settle(pilot, app)
        assert app.lobby.step == "done"
    assert len(await visits_of(demo_session, GUEST_EMAIL)) == 1


async def test_a_reply_lost_after_the_visit_was_made_makes_no_second_visit(demo_session, tmp_path):
    """The registration is resent with its idempotency key: the site answers with the visit it
    already made."""
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    lobby = LobbyService(demo_session.reception, outbox, "bld-lon")
    walk_in = WalkInService(lobby, demo_session.directory)
    backend = demo_session.backend
    real_create = backend.create_guest
    keys: list[str] = []

    async def create_then_lose_reply(draft, *, idempotency_key=None):
        keys.append(idempotency_key)
        guest = await real_create(draft, idempotency_key=idempotency_key)
        if len(keys) == 1:
            from staffterm.errors import UnavailableError

            raise UnavailableError("the reply was lost")
        return guest

    backend.create_guest = create_then_lose_reply
    host = HostChoice(HOST, "Harry Patel")
    with pytest.raises(Exception, match="reply was lost"):
        await walk_in.register(GUEST, GUEST_EMAIL, host)
    guest = await walk_in.register(GUEST, GUEST_EMAIL, host)
    assert keys[0] == keys[1]
    assert [g.id for g in await visits_of(demo_session, GUEST_EMAIL)] == [guest.id]


async def test_walk_ins_switched_off_hide_the_form(demo_session, tmp_path):
    app = make_lobby(demo_session, tmp_path, walk_ins=False)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        assert "Register here" not in screen_text(app)
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert app.lobby.step == "welcome"


async def test_host_search_matches_names_and_email_names_only(demo_session, tmp_path):
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    walk_in = WalkInService(LobbyService(demo_session.reception, outbox, "bld-lon"), DirectoryService(demo_session.backend))
    assert await walk_in.find_hosts("  ") == [] and await walk_in.find_hosts("pa") == []
    assert await walk_in.find_hosts("sales") == []  # a department is not a name
    assert [h.email for h in await walk_in.find_hosts("PATEL")] == [HOST]
    assert len(await walk_in.find_hosts("a")) == 0
    assert len(await walk_in.find_hosts("e.example")) <= MAX_HOSTS_SHOWN


@pytest.mark.parametrize(
    ("name", "email", "field"),
    [("", GUEST_EMAIL, "name"), ("M", GUEST_EMAIL, "name"), ("Maria\x1b[2J", GUEST_EMAIL, "name"),
     (GUEST, "maria", "email"), (GUEST, "maria@contoso", "email"), (GUEST, "ma ria@contoso.example", "email"),
     (GUEST, "@contoso.example", "email"), (GUEST, "a@b@contoso.example", "email")],
)
def test_guest_details_are_checked(name, email, field):
    with pytest.raises(InvalidInputError) as caught:
        check_guest_details(name, email)
    assert caught.value.field == field
