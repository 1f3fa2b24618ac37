"""Resetting a local site: the demo reset never touches a real site; a real site is reset only
by name, confirmed, and after a backup that is kept."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.unit.test_cli_commands import FROZEN, Cli


@pytest.fixture
def cli(capsys, monkeypatch) -> Cli:
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", FROZEN)
    return Cli(capsys)


@pytest.fixture
def office(tmp_path) -> Path:
    """A real local site (``demo`` not set) holding a booking someone made."""
    config = Path(os.environ["STAFFTERM_CONFIG_DIR"]) / "config.toml"
    database = tmp_path / "office.sqlite3"
    config.write_text(
        f'default_tenant = "office"\n\n[tenants.office]\nprovider = "local"\ndatabase = "{database}"\n\n'
        '[tenants.demo]\nprovider = "local"\ndemo = true\n'
    )
    return database


def _seed_real_office(database: Path) -> list[str]:
    """The sample estate, then one real booking, written through the backend as a site would be."""
    import asyncio
    from datetime import datetime, timezone

    from staffterm.backends.local.backend import LocalBackend
    from staffterm.models import BookingDraft

    async def seed() -> list[str]:
        async with LocalBackend("office", database=database, seed_demo=False) as backend:
            await backend.seed_demo_estate()
            booking = await backend.create_booking(
                BookingDraft(
                    type="desk", asset_ids=["desk-lon-2-01"], user_email="ann@acme.example",
                    start=datetime(2026, 11, 23, 9, tzinfo=timezone.utc), end=datetime(2026, 11, 23, 17, tzinfo=timezone.utc),
                )
            )
            return [booking.id]

    return asyncio.run(seed())


def _rows(database: Path) -> dict[str, int]:
    conn = sqlite3.connect(database)
    try:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("bookings", "rooms", "users", "zones")}
    finally:
        conn.close()


def test_demo_reset_refuses_a_real_local_site_and_changes_nothing(cli, office):
    _seed_real_office(office)
    before = _rows(office)
    result = cli("demo", "reset")
    assert result.rc == 1
    assert "office" in result.err and "not a demo site" in result.err
    assert "staffterm site reset --tenant office --confirm office" in result.err
    assert _rows(office) == before and before["bookings"] == 1
    refused = cli("--tenant", "office", "demo", "reset", "--json")
    assert refused.rc == 1 and refused.json()["error"] == "not_supported"
    assert _rows(office) == before


def test_demo_reset_still_restores_a_demo_tenant(cli, office):
    result = cli("--tenant", "demo", "demo", "reset")
    assert result.rc == 0 and "Reset the demo site of tenant demo" in result.out


def test_site_reset_needs_the_tenant_named_and_confirmed(cli, office):
    _seed_real_office(office)
    before = _rows(office)
    unnamed = cli("site", "reset", "--confirm", "office")
    assert unnamed.rc == 2 and "--tenant" in unnamed.err
    unconfirmed = cli("--tenant", "office", "site", "reset")
    assert unconfirmed.rc == 2 and "--confirm" in unconfirmed.err
    mistyped = cli("--tenant", "office", "site", "reset", "--confirm", "offcie")
    assert mistyped.rc == 2 and "does not match" in mistyped.err
    assert _rows(office) == before
    assert list(office.parent.glob("*backup*")) == []


def test_site_reset_keeps_a_private_timestamped_backup_then_empties_the_site(cli, office):
    booking_ids = _seed_real_office(office)
    before = _rows(office)
    result = cli("--tenant", "office", "site", "reset", "--confirm", "office")
    assert result.rc == 0, result.err
    printed = re.search(r"backup: (\S+)", result.out)
    assert printed is not None, result.out
    backup = Path(printed.group(1))
    assert backup.parent == office.parent and backup.exists()
    assert re.fullmatch(r"office\.backup-\d{8}T\d{6}Z(-\d+)?\.sqlite3", backup.name)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [r[0] for r in conn.execute("SELECT id FROM bookings")] == booking_ids
    finally:
        conn.close()
    assert _rows(backup) == before
    # A real site is emptied, not refilled with sample data; the schema stays.
    assert _rows(office) == {"bookings": 0, "rooms": 0, "users": 0, "zones": 0}
    assert cli.json("rooms") == []


def test_site_reset_json_names_the_backup_and_a_demo_site_is_seeded_again(cli, office):
    shown = cli.json("--tenant", "demo", "site", "reset", "--confirm", "demo")
    assert shown["tenant"] == "demo" and shown["reset"] is True and shown["demo"] is True
    assert Path(shown["backup"]).exists() and shown["rooms"] == 40


def test_site_reset_refuses_a_remote_tenant(cli, office):
    config = Path(os.environ["STAFFTERM_CONFIG_DIR"]) / "config.toml"
    config.write_text('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://acme.example"\napi_key = { env = "K" }\n')
    result = cli("--tenant", "acme", "site", "reset", "--confirm", "acme")
    assert result.rc == 1 and "site reset only works on a local tenant" in result.err


async def test_the_backend_itself_refuses_a_demo_reset_of_a_real_site(tmp_path):
    from datetime import datetime

    from staffterm.backends.local.backend import LocalBackend
    from staffterm.clock import FrozenClock
    from staffterm.errors import NotSupportedError

    backend = LocalBackend("office", database=tmp_path / "office.sqlite3", clock=FrozenClock(datetime.fromisoformat(FROZEN)),
                           seed_demo=False)
    async with backend:
        await backend.seed_demo_estate()
        with pytest.raises(NotSupportedError, match="not a demo site"):
            await backend.reset_demo()
        assert len(await backend.list_rooms()) == 40
        # Two resets in the same second keep two backups.
        first, second = await backend.reset_site(), await backend.reset_site()
        assert first != second and first.exists() and second.exists()
        assert await backend.list_rooms() == []
