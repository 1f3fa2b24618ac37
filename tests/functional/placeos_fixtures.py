"""Console tests against the in-repo fake PlaceOS (through httpx.MockTransport).

The fake's seed day is laid out in each building's zone; ``PLACEOS_NOW`` is 10:00 on Sunday
22 Nov 2026 in Sydney (23:00 UTC on the 21st), so Sydney HQ's day is under way. The console opens
on Sydney HQ (``zone-syd``). Import the fixtures into a test module with
``from tests.functional.placeos_fixtures import *  # noqa: F403``.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from staffterm.clock import FrozenClock
from staffterm.services.session import Session
from tests.fakes.placeos.server import FakePlaceOS

PLACEOS_NOW = datetime(2026, 11, 21, 23, 0, tzinfo=timezone.utc)
SYDNEY = "zone-syd"

__all__ = ["PLACEOS_NOW", "SYDNEY", "placeos_fake", "placeos_session", "make_placeos_app"]


@pytest.fixture
def placeos_fake() -> FakePlaceOS:
    return FakePlaceOS(now=PLACEOS_NOW)


@pytest.fixture
async def placeos_session(placeos_fake, tmp_path, monkeypatch):
    from staffterm.backends.placeos.backend import PlaceOSBackend
    from staffterm.config.providers import PlaceOSSettings

    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STAFFTERM_CACHE_DIR", str(tmp_path / "cache"))

    async def no_sleep(_seconds: float) -> None:
        return None

    clock = FrozenClock(PLACEOS_NOW)
    settings = PlaceOSSettings.model_validate(
        {"provider": "placeos", "base_url": placeos_fake.base_url, "api_key": FakePlaceOS.API_KEY}
    )
    backend = PlaceOSBackend(
        "acme", settings, clock=clock, transport=placeos_fake.transport(), token_dir=tmp_path / "tokens", sleep=no_sleep
    )
    session = Session(backend, clock=clock, tenant_name="acme", provider="placeos")
    async with session:
        yield session


@pytest.fixture
def make_placeos_app(placeos_session, tmp_path):
    from staffterm.ui.app import StafftermApp

    def make(**kwargs):
        app = StafftermApp(
            session=placeos_session, clock=placeos_session.clock, ui_state_path=tmp_path / "ui-state.json", **kwargs
        )
        app.building_id = SYDNEY
        return app

    return make
