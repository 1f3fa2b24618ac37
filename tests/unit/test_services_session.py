from __future__ import annotations

from datetime import datetime, timezone

import pytest

from staffterm.backends.base import Backend
from staffterm.backends.local.backend import LocalBackend
from staffterm.capabilities import Capability
from staffterm.clock import SYSTEM_CLOCK, FrozenClock
from staffterm.config import load_config
from staffterm.errors import ConfigError
from staffterm.services.mail_templates import MailTemplates
from staffterm.services.session import Session

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc)


def _write_config(tmp_path) -> None:
    (tmp_path / "config.toml").write_text(
        f"""
default_tenant = "office"

[mail]
sender = "desk@acme.example"
[mail.templates.visitor.checkin]
subject = "Your visitor %{{name}} is here"

[tenants.office]
provider = "local"
database = "{(tmp_path / 'office.sqlite3').as_posix()}"
demo = true

[tenants.other]
provider = "local"
database = "{(tmp_path / 'other.sqlite3').as_posix()}"
demo = false
"""
    )


async def test_from_config_builds_the_tenants_session(tmp_path) -> None:
    _write_config(tmp_path)
    config = load_config(tmp_path / "config.toml")
    clock = FrozenClock(NOW)
    session = Session.from_config(config, clock=clock)
    assert session.tenant_name == "office" and session.provider == "local"
    assert isinstance(session.backend, LocalBackend)
    assert session.backend.database_path == tmp_path / "office.sqlite3"
    assert session.clock is clock
    assert session.templates.get("visitor", "checkin")["subject"] == "Your visitor %{name} is here"
    assert session.reception.sender == "desk@acme.example"
    assert session.board.backend is session.backend and session.booking.clock is clock
    async with session as opened:
        zones = await opened.backend.list_zones()
        assert zones  # the demo estate was seeded on open
        snapshot = await opened.board.load("bld-lon")
        assert snapshot.loaded_at == NOW
    assert (tmp_path / "office.sqlite3").exists()


async def test_from_config_named_tenant_and_unknown(tmp_path) -> None:
    _write_config(tmp_path)
    config = load_config(tmp_path / "config.toml")
    other = Session.from_config(config, "other")
    assert other.tenant_name == "other" and other.clock is SYSTEM_CLOCK
    with pytest.raises(ConfigError):
        Session.from_config(config, "missing")


class Tiny(Backend):
    provider = "tiny"

    def __init__(self) -> None:
        super().__init__("tiny-tenant")
        self.opened = 0
        self.closed = 0

    async def open(self) -> None:
        self.opened += 1

    async def close(self) -> None:
        self.closed += 1


async def test_for_backend_opens_and_closes() -> None:
    backend = Tiny()
    templates = MailTemplates({"visitor": {"checkin": {"subject": "x"}}})
    session = Session.for_backend(backend, templates=templates)
    assert session.tenant_name == "tiny-tenant" and session.provider == "tiny"
    assert session.templates is templates and session.reception.templates is templates
    async with session:
        assert backend.opened == 1 and backend.closed == 0
    assert backend.closed == 1


async def test_a_backend_without_assets_lists_none_and_the_desk_types_an_id():
    class NoAssets(Backend):
        provider = "bare"

    session = Session.for_backend(NoAssets())
    assert await session.bookings.assets(type="desk") is None
    assert not session.supports(Capability.BOOKINGS)
    assert session.request_stats() == (0, 0)


async def test_the_session_answers_for_its_backend(tmp_path):
    backend = LocalBackend("office", database=tmp_path / "office.sqlite3", clock=FrozenClock(NOW))
    async with Session.for_backend(backend, clock=FrozenClock(NOW)) as session:
        desks = await session.bookings.assets(type="desk")
        assert desks and all(a.type == "desk" for a in desks)
        heard: list[str] = []
        session.on_warning(heard.append)
        backend.warn("a partial read")
        assert heard == ["a partial read"]
        room = await session.meetings.room("rm-lon-1-01")
        assert room.id == "rm-lon-1-01"
        check = await session.check()
        assert check.ok, check
