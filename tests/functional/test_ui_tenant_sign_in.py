"""Admin · Tenants on a Microsoft 365 tenant: signing in as yourself with a device code (against
the fake identity platform over HTTPS, msal for real), and the access token shown only after a
warning was confirmed, masked until revealed."""

from __future__ import annotations

import asyncio
import ssl
import warnings
from datetime import UTC, datetime

import httpx
import pytest
from textual.widgets import Static

from staffterm.clock import FrozenClock
from staffterm.services.session import Session
from staffterm.ui.dialogs.access_token import AccessTokenDialog
from staffterm.ui.dialogs.confirm import ConfirmDialog
from staffterm.ui.dialogs.tenant_sign_in import DeviceSignInDialog
from tests.fakes.graph import FakeGraph, serve_https
from tests.functional.conftest import settle
from tests.functional.test_ui_graph_desk import GRAPH_NOW, graph_fake, graph_session, make_graph_app  # noqa: F401

ADMIN = "grace.hopper@acme.example"


def on_screen(app) -> str:
    """Every Static's text on the screen showing and the screens under it."""
    return "\n".join(str(w.content) for screen in app.screen_stack for w in screen.query(Static))


async def open_tenants(pilot, app):
    await settle(pilot, app)
    await pilot.press("f6")
    await settle(pilot, app)
    admin = app.screen
    admin.action_tab("tenants")
    await settle(pilot, app)
    return admin


async def wait_for(pilot, condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the condition was not met in time")


@pytest.fixture
def https_fake():
    fake = FakeGraph(now=lambda: datetime.now(UTC))
    with serve_https(fake) as (url, ca):
        yield fake, url, ca
    assert fake.server_errors == []


@pytest.fixture
async def delegated_app(https_fake, tmp_path, monkeypatch):
    import requests

    from staffterm.backends.graph.backend import GraphBackend
    from staffterm.config.models import GraphSettings
    from staffterm.ui.app import StafftermApp

    fake, url, ca = https_fake
    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STAFFTERM_CACHE_DIR", str(tmp_path / "cache"))
    session = requests.Session()
    session.trust_env = False
    session.verify = ca
    settings = GraphSettings(provider="graph", tenant_id=FakeGraph.TENANT, client_id=FakeGraph.CLIENT_ID,
                             auth_mode="device_code", authority_host=url, graph_url=url, rate_limit=0)
    polls: list[float] = []

    async def short_wait(seconds: float) -> None:
        polls.append(seconds)
        await asyncio.sleep(0.01)  # the loop's sleep, shortened: the poll stays off the loop

    clock = FrozenClock(GRAPH_NOW)
    backend = GraphBackend("m365", settings, clock=clock, msal_session=session, token_dir=tmp_path / "tokens",
                           transport=httpx.AsyncHTTPTransport(verify=ssl.create_default_context(cafile=ca)),
                           sleep=short_wait)
    async with Session(backend, clock=clock, tenant_name="m365", provider="graph") as staff_session:
        app = StafftermApp(session=staff_session, clock=clock, ui_state_path=tmp_path / "ui-state.json")
        yield app, fake, polls


def _device_polls(fake: FakeGraph) -> int:
    return len(fake.requests_to("POST", f"/{fake.state.tenant_id}/oauth2/v2.0/token"))


async def test_sign_in_from_the_console_shows_the_code_and_says_who_signed_in(delegated_app):
    app, fake, polls = delegated_app
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # msal warns when polled sooner than `interval`
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await open_tenants(pilot, app)
            await pilot.press("s")
            await wait_for(pilot, lambda: isinstance(app.screen, DeviceSignInDialog) and app.screen.code)
            dialog = app.screen
            assert dialog.url == "https://microsoft.com/devicelogin"
            assert dialog.code in on_screen(app) and dialog.url in on_screen(app)
            await wait_for(pilot, lambda: _device_polls(fake) >= 2)  # pending, polled again
            fake.approve_device_code(dialog.code, ADMIN)
            await wait_for(pilot, lambda: dialog.account is not None)
            assert f"Signed in as {ADMIN}" in on_screen(app)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, DeviceSignInDialog)
            # The tenant in use now reads Places with the admin's own token.
            assert len(await app.session.backend.list_rooms()) == 10


async def test_cancelling_the_sign_in_stops_the_polling(delegated_app):
    app, fake, polls = delegated_app
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await open_tenants(pilot, app)
            await pilot.press("s")
            await wait_for(pilot, lambda: isinstance(app.screen, DeviceSignInDialog) and _device_polls(fake) >= 2)
            await pilot.press("escape")
            await settle(pilot, app)
            assert not isinstance(app.screen, DeviceSignInDialog)
            stopped_at = _device_polls(fake)
            await pilot.pause(0.3)  # many poll intervals of this test's short wait
            assert _device_polls(fake) <= stopped_at + 1  # one poll in flight may land, then none


async def test_a_failed_sign_in_is_said_in_plain_words(delegated_app):
    app, fake, polls = delegated_app
    fake.state.apps[fake.CLIENT_ID].public_client = False  # "Allow public client flows" off
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await open_tenants(pilot, app)
            await pilot.press("s")
            await wait_for(pilot, lambda: isinstance(app.screen, DeviceSignInDialog) and app.screen.error is not None)
            shown = on_screen(app)
            assert "device-code sign-in is not allowed for this app (AADSTS7000218)" in shown
            assert "Allow public client flows" in shown


async def test_the_access_token_is_shown_only_after_the_warning_and_masked_until_revealed(make_graph_app,  # noqa: F811
                                                                                          graph_session):  # noqa: F811
    app = make_graph_app()
    token = await graph_session.backend.access_token()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        admin = await open_tenants(pilot, app)
        pane = admin.pane("tenants")
        # This tenant signs in with token_command: no one to sign in, but a token to show.
        assert pane.check_action("show_token", ()) and not pane.check_action("sign_in", ())
        await pilot.press("a")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Never paste it into a ticket" in on_screen(app) and token not in on_screen(app)
        await pilot.press("n")  # cancelled: nothing is fetched or shown
        await settle(pilot, app)
        assert not isinstance(app.screen, (ConfirmDialog, AccessTokenDialog))
        assert token not in on_screen(app)
        await pilot.press("a")
        await settle(pilot, app)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, AccessTokenDialog))
        assert token not in on_screen(app) and token[:6] in on_screen(app)
        await pilot.press("r")
        await pilot.pause()
        assert token in on_screen(app)
        await pilot.press("escape")
        await pilot.pause()
        assert token not in on_screen(app)
        assert all(token not in str(n.message) for n in app._notifications)
