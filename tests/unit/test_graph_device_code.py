"""Delegated device-code sign-in with msal for real, over HTTPS on loopback: the code and URL are
shown, ``authorization_pending`` is polled with the loop's sleep until the user signs in, an
expired code is said plainly, and the signed-in account is found again by the next run."""

from __future__ import annotations

import json
import ssl
import warnings
from datetime import UTC, datetime

import httpx
import pytest

from staffterm.backends.graph.backend import GraphBackend
from staffterm.config.providers import GraphSettings
from staffterm.errors import AuthError
from tests.fakes.graph import FakeGraph, serve_https

ADMIN = "grace.hopper@acme.example"


@pytest.fixture
def fake():
    fake = FakeGraph(now=lambda: datetime.now(UTC))
    yield fake
    assert fake.server_errors == []


def _backend(url: str, ca: str, tmp_path) -> GraphBackend:
    import requests

    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=: trust exactly the test CA
    session.verify = ca
    settings = GraphSettings(provider="graph", tenant_id=FakeGraph.TENANT, client_id=FakeGraph.CLIENT_ID,
                             auth_mode="device_code", authority_host=url, graph_url=url, rate_limit=0)
    transport = httpx.AsyncHTTPTransport(verify=ssl.create_default_context(cafile=ca))
    return GraphBackend("m365", settings, transport=transport, msal_session=session, token_dir=tmp_path)


def _device_polls(fake: FakeGraph) -> int:
    """Token requests: in these tests, only the device-code polls ask for one."""
    # msal posts to the token endpoint OIDC discovery names: the tenant's id, not its domain.
    return len(fake.requests_to("POST", f"/{fake.state.tenant_id}/oauth2/v2.0/token"))


async def test_device_code_sign_in_polls_until_the_user_signs_in(fake, tmp_path):
    shown: list[tuple[str, str, str]] = []
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:  # the admin enters the code after two polls
            fake.approve_device_code(shown[0][0], ADMIN)

    with serve_https(fake) as (url, ca):
        async with _backend(url, ca, tmp_path) as backend:
            with pytest.raises(AuthError) as info:
                await backend.list_rooms()  # nobody signed in yet: said, with the command to run
            assert "staffterm tenant sign-in" in (info.value.hint or "")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # msal warns when polled sooner than `interval` (our sleep is instant)
                who = await backend.auth.sign_in(lambda code, uri, message: shown.append((code, uri, message)),
                                                 sleep=sleep)
            code, uri, message = shown[0]
            assert uri == "https://microsoft.com/devicelogin" and code in message
            assert waits == [5.0, 5.0] and _device_polls(fake) == 3  # pending, pending, signed in
            assert who == ADMIN
            assert len(await backend.list_rooms()) == 10  # the delegated token reads Places
        async with _backend(url, ca, tmp_path) as again:
            # The next run signs in silently from the saved refresh token: no new code to enter.
            assert len(await again.list_rooms()) == 10
        assert len([r for r in fake.requests if r.url.path.endswith("/devicecode")]) == 1


async def test_an_expired_device_code_is_said_plainly(fake, tmp_path):
    shown: list[str] = []

    async def sleep(seconds: float) -> None:
        fake.advance(901)  # nobody entered the code in its 15 minutes (expires_in 900)

    with serve_https(fake) as (url, ca):
        async with _backend(url, ca, tmp_path) as backend:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises(AuthError) as info:
                    await backend.auth.sign_in(lambda code, uri, message: shown.append(code), sleep=sleep)
    assert len(shown) == 1
    assert "AADSTS70019" in info.value.message and "expired" in info.value.message
    assert "sign-in" in (info.value.hint or "")


def test_staffterm_tenant_sign_in_shows_the_code_and_signs_in(fake, isolated_dirs, monkeypatch, capsys):
    import os
    import threading
    from pathlib import Path

    from staffterm.cli.main import main

    with serve_https(fake) as (url, ca):
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)  # msal's requests session trusts the test CA
        config = Path(os.environ["STAFFTERM_CONFIG_DIR"]) / "config.toml"
        config.write_text(f'[tenants.m365]\nprovider = "graph"\ntenant_id = "{fake.TENANT}"\n'
                          f'client_id = "{fake.CLIENT_ID}"\nauth_mode = "device_code"\n'
                          f'authority_host = "{url}"\ngraph_url = "{url}"\n'
                          '[tenants.desk]\nprovider = "local"\ndemo = true\n')
        stop = threading.Event()

        def admin_enters_the_code() -> None:
            while not stop.is_set():
                for code in list(fake.state.device_codes.values()):
                    fake.approve_device_code(code.user_code, ADMIN)
                    return
                stop.wait(0.01)

        helper = threading.Thread(target=admin_enters_the_code)
        helper.start()
        try:
            rc = main(["tenant", "sign-in", "m365", "--json"])
        finally:
            stop.set()
            helper.join()
        out, err = capsys.readouterr()
        assert rc == 0, err
        assert "https://microsoft.com/devicelogin" in err and "enter the code" in err
        assert json.loads(out) == {"tenant": "m365", "signed_in": True, "account": ADMIN}
        files = list((Path(os.environ["STAFFTERM_DATA_DIR"]) / "tokens").glob("graph-*.json"))
        assert len(files) == 1 and os.stat(files[0]).st_mode & 0o777 == 0o600
        assert main(["tenant", "sign-in", "desk"]) != 0  # a local site has nobody to sign in
        assert "no interactive sign-in" in capsys.readouterr().err
