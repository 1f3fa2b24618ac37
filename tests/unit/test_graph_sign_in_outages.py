"""A throttled (429) or failing (5xx) Microsoft identity platform is a "try again later", never a
credentials problem: client credentials, device-code polling and ``config check``, with msal for
real over HTTPS on loopback."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import httpx
import pytest

from staffterm.errors import AuthError, ConfigError, ThrottledError, UnavailableError
from tests.fakes.graph import FakeGraph, serve_https
from tests.fakes.graph.identity import fail_identity
from tests.unit.test_graph_auth import _backend
from tests.unit.test_graph_device_code import ADMIN
from tests.unit.test_graph_device_code import _backend as _delegated_backend


@pytest.fixture
def fake():
    fake = FakeGraph(now=lambda: datetime.now(UTC))
    yield fake
    assert fake.server_errors == []


def _not_about_credentials(error: Exception) -> None:
    words = f"{error} {getattr(error, 'hint', '')}".lower()
    assert not isinstance(error, (AuthError, ConfigError))
    assert "secret" not in words and "client_id" not in words and "tenant_id" not in words


async def test_the_fake_token_endpoint_throttles_with_retry_after_and_fails_with_an_aadsts_body(fake):
    fail_identity(fake, 429, retry_after=60)
    fail_identity(fake, 503)
    async with httpx.AsyncClient(transport=fake.transport(), base_url=f"https://{fake.host}") as login:
        form = {"grant_type": "client_credentials", "client_id": fake.CLIENT_ID, "client_secret": fake.CLIENT_SECRET,
                "scope": "https://graph.microsoft.com/.default"}
        throttled = await login.post(f"/{fake.TENANT}/oauth2/v2.0/token", data=form)
        failing = await login.post(f"/{fake.TENANT}/oauth2/v2.0/token", data=form)
        fine = await login.post(f"/{fake.TENANT}/oauth2/v2.0/token", data=form)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "60"
    assert failing.status_code == 503 and failing.json()["error"] == "temporarily_unavailable"
    assert failing.json()["error_description"].startswith("AADSTS90033: ")
    assert fine.status_code == 200 and "access_token" in fine.json()


@pytest.mark.parametrize("status, error", [(429, ThrottledError), (503, UnavailableError), (500, UnavailableError)])
async def test_client_credentials_against_a_busy_platform_say_retry_later(fake, tmp_path, status, error):
    fail_identity(fake, status, retry_after=30)
    with serve_https(fake) as (url, ca):
        async with _backend(url, ca, tmp_path, fake.CLIENT_SECRET) as backend:
            with pytest.raises(error) as info:
                await backend.list_rooms()
            _not_about_credentials(info.value)
            if status == 429:
                assert info.value.retry_after == 30
            # Nothing of the outage is remembered: the next try signs in.
            assert len(await backend.list_rooms()) == 10


async def test_config_check_reports_a_throttled_sign_in_as_busy(fake, tmp_path):
    fail_identity(fake, 429, retry_after=60)
    with serve_https(fake) as (url, ca):
        async with _backend(url, ca, tmp_path, fake.CLIENT_SECRET) as backend:
            with pytest.raises(ThrottledError) as info:
                await backend.check_steps()[0].run()
    _not_about_credentials(info.value)
    assert "60" in info.value.message or "60" in (info.value.hint or "")


async def test_device_code_polling_waits_out_a_throttled_poll_and_signs_in(fake, tmp_path):
    shown: list[str] = []
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 1:
            fail_identity(fake, 429, retry_after=20, endpoints=("token",))  # the next poll is throttled
        if len(waits) == 2:
            fake.approve_device_code(shown[0], ADMIN)

    with serve_https(fake) as (url, ca):
        async with _delegated_backend(url, ca, tmp_path) as backend:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                who = await backend.auth.sign_in(lambda code, uri, message: shown.append(code), sleep=sleep)
    assert who == ADMIN
    assert waits == [5.0, 20.0]  # the throttled poll waited its Retry-After, not the interval


async def test_device_code_start_and_polls_against_a_failing_platform_say_retry_later(fake, tmp_path):
    with serve_https(fake) as (url, ca):
        async with _delegated_backend(url, ca, tmp_path) as backend:
            fail_identity(fake, 503, endpoints=("devicecode",))
            with pytest.raises(UnavailableError) as info:
                await backend.auth.sign_in(lambda *shown: None)
            _not_about_credentials(info.value)

            async def never(_seconds: float) -> None:
                return None

            fail_identity(fake, 503, times=10, endpoints=("token",))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises(UnavailableError) as info:
                    await backend.auth.sign_in(lambda *shown: None, sleep=never)
            _not_about_credentials(info.value)
