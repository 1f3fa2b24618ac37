"""Graph sign-in with msal for real, over HTTPS on loopback (a trustme test CA): client
credentials, the 0600 token cache keyed by the secret, and AADSTS failures in plain words."""

from __future__ import annotations

import os
import ssl
from datetime import UTC, datetime

import httpx
import pytest

from staffterm.backends.graph.backend import GraphBackend
from staffterm.config.providers import GraphSettings
from staffterm.errors import AuthError, ConfigError, PermissionDeniedError
from tests.fakes.graph import FakeGraph, serve_https


@pytest.fixture
def fake():
    fake = FakeGraph(now=lambda: datetime.now(UTC))
    yield fake
    assert fake.server_errors == []


def _backend(url: str, ca: str, tmp_path, secret: str, **extra) -> GraphBackend:
    import requests

    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=: trust exactly the test CA
    session.verify = ca
    settings = GraphSettings(provider="graph", tenant_id=extra.pop("tenant", FakeGraph.TENANT),
                             client_id=extra.pop("client_id", FakeGraph.CLIENT_ID), client_secret=secret,
                             authority_host=url, graph_url=url, rate_limit=0)
    transport = httpx.AsyncHTTPTransport(verify=ssl.create_default_context(cafile=ca))
    return GraphBackend("m365", settings, transport=transport, msal_session=session, token_dir=tmp_path)


async def test_client_credentials_over_https_then_the_cache_is_private_and_keyed_by_the_secret(fake, tmp_path):
    with serve_https(fake) as (url, ca):
        async with _backend(url, ca, tmp_path, fake.CLIENT_SECRET) as backend:
            lines = await backend.check()
        assert lines[0].startswith("signed in to acme.example") and "10 rooms" in lines[1]
        files = list(tmp_path.glob("graph-*.json"))
        assert len(files) == 1 and os.stat(files[0]).st_mode & 0o777 == 0o600
        assert fake.CLIENT_SECRET not in files[0].read_text()
        tokens_before = len(fake.requests_to("POST", f"/{fake.TENANT}/oauth2/v2.0/token"))
        async with _backend(url, ca, tmp_path, fake.CLIENT_SECRET) as again:
            await again.list_rooms()
        assert len(fake.requests_to("POST", f"/{fake.TENANT}/oauth2/v2.0/token")) == tokens_before  # cache reused
        async with _backend(url, ca, tmp_path, "a-changed-wrong-secret") as changed:
            with pytest.raises(AuthError) as info:
                await changed.list_rooms()  # a changed secret never rides on the old tokens
    assert "client secret is wrong (AADSTS7000215)" in info.value.message
    assert "Certificates & secrets" in info.value.hint and "a-changed-wrong-secret" not in str(info.value)


@pytest.mark.parametrize("setup, error, words", [
    (lambda f: f.state.apps[f.CLIENT_ID].__setattr__("secret_expired", True), AuthError, "expired (AADSTS7000222)"),
    (lambda f: {"client_id": "00000000-0000-0000-0000-000000000000"}, ConfigError, "AADSTS700016"),
    (lambda f: {"tenant": "nowhere.example"}, ConfigError, "tenant was not found (AADSTS90002)"),
])
async def test_each_aadsts_failure_is_explained_by_config_check(fake, tmp_path, setup, error, words):
    extra = setup(fake) or {}
    with serve_https(fake) as (url, ca):
        async with _backend(url, ca, tmp_path, fake.CLIENT_SECRET, **extra) as backend:
            with pytest.raises(error) as info:
                await backend.check_steps()[0].run()
    assert words in info.value.message and "Azure portal" in (info.value.hint or "")


def test_consent_and_scope_codes_have_plain_words():
    from staffterm.backends.graph.aadsts import sign_in_error

    consent = sign_in_error({"error": "invalid_grant", "error_codes": [65001]})
    scope = sign_in_error({"error_description": "AADSTS70011: The provided value for scope is not valid."})
    assert isinstance(consent, PermissionDeniedError) and "Grant admin consent" in consent.hint
    assert isinstance(scope, ConfigError) and scope.key == "graph_url"
