"""The fake PlaceOS authenticates the OAuth client as Doorkeeper does, so a wrong client secret is
caught here as it would be by a real PlaceOS (before: the fake ignored the secret — kinder than
the service it imitates)."""

from __future__ import annotations

import pytest

from staffterm.errors import AuthError
from tests.fakes.placeos import FakePlaceOS
from tests.unit.test_placeos_backend import NOW, make_backend

LOGIN = {"api_key": None, "username": FakePlaceOS.USERNAME, "password": FakePlaceOS.PASSWORD,
         "client_id": FakePlaceOS.CLIENT_ID}


@pytest.fixture
def fake() -> FakePlaceOS:
    return FakePlaceOS(now=NOW)


async def test_a_wrong_client_secret_is_refused_even_for_a_public_application(fake, tmp_path):
    async with make_backend(fake, tmp_path, **LOGIN, client_secret="not-the-client-secret") as b:
        with pytest.raises(AuthError, match="client_id") as caught:
            await b.check()
    assert "not-the-client-secret" not in str(caught.value)


async def test_the_right_client_secret_signs_in(fake, tmp_path):
    async with make_backend(fake, tmp_path, **LOGIN, client_secret=fake.client_secret) as b:
        lines = await b.check()
    assert "(username/password)" in lines[1]


async def test_a_public_application_needs_no_secret(fake, tmp_path):
    async with make_backend(fake, tmp_path, **LOGIN) as b:
        assert "(username/password)" in (await b.check())[1]


async def test_a_confidential_application_without_its_secret_is_refused(fake, tmp_path):
    fake.client_confidential = True
    async with make_backend(fake, tmp_path, **LOGIN) as b:
        with pytest.raises(AuthError, match="client_id"):
            await b.check()
