"""Trying tenants' settings: the shared logic of `staffterm config check` and Admin · Tenants."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from staffterm.backends.local.backend import LocalBackend
from staffterm.backends.registry import PROVIDERS
from staffterm.clock import FrozenClock
from staffterm.config import parse_config_text
from staffterm.errors import UnavailableError
from staffterm.services.tenant_check import check_open_backend, check_tenant, check_tenants, tenant_location

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[2]


def config(tmp_path: Path, extra: str = ""):
    text = f'[tenants.site]\nprovider = "local"\ndemo = true\ndatabase = "{tmp_path / "site.sqlite3"}"\n' + extra
    return parse_config_text(text, tmp_path / "config.toml")


async def test_a_working_tenant_passes_with_what_worked(tmp_path):
    result = await check_tenant(config(tmp_path), "site", clock=FrozenClock(NOW))
    assert result.ok and result.tenant == "site" and result.provider == "local"
    assert any("10 zones, 40 rooms" in line for line in result.lines)
    shown = result.to_json_dict()
    assert {k: shown[k] for k in ("tenant", "provider", "ok", "lines", "missing")} == {
        "tenant": "site", "provider": "local", "ok": True, "lines": result.lines, "missing": []}
    assert [(s["step"], s["needed"], s["outcome"]) for s in shown["steps"]] == [("the local site", True, "ok")]


async def test_failures_are_results_in_plain_words_never_exceptions(tmp_path, monkeypatch):
    absent = dataclasses.replace(PROVIDERS["placeos"], backend="staffterm.backends._absent_for_tests:Backend")
    monkeypatch.setitem(PROVIDERS, "placeos", absent)
    blocker = tmp_path / "file"
    blocker.write_text("")
    cfg = config(
        tmp_path,
        '[tenants.remote]\nprovider = "placeos"\nbase_url = "https://x.example"\napi_key = { env = "NOPE" }\n'
        f'[tenants.broken]\nprovider = "local"\ndatabase = "{blocker / "x.sqlite3"}"\n',
    )
    site, remote, broken, ghost = await check_tenants(cfg, ["site", "remote", "broken", "ghost"], clock=FrozenClock(NOW))
    assert site.ok
    assert not remote.ok and "placeos backend is not available" in remote.message
    assert remote.to_json_dict()["error"]["error"] == "not_supported"
    assert not broken.ok and "cannot open the local database" in broken.message
    assert not ghost.ok and "no tenant 'ghost'" in ghost.message and "site" in ghost.message


async def test_every_tenant_by_default_in_config_order(tmp_path):
    cfg = config(tmp_path, f'[tenants.other]\nprovider = "local"\ndatabase = "{tmp_path / "o.sqlite3"}"\n')
    assert [r.tenant for r in await check_tenants(cfg, clock=FrozenClock(NOW))] == ["site", "other"]


async def test_an_open_backend_is_checked_and_left_open(tmp_path, monkeypatch):
    backend = LocalBackend("demo", database=tmp_path / "d.sqlite3", clock=FrozenClock(NOW))
    async with backend:
        assert (await check_open_backend("demo", "local", backend)).ok
        assert await backend.list_zones()  # still open

        async def down():
            raise UnavailableError("the site did not answer")

        monkeypatch.setattr(backend, "check", down)
        failed = await check_open_backend("demo", "local", backend)
        assert not failed.ok and failed.message.startswith("the site did not answer")

        async def broken():
            raise RuntimeError("boom")

        monkeypatch.setattr(backend, "check", broken)
        odd = await check_open_backend("demo", "local", backend)
        assert odd.message == "unexpected error: RuntimeError: boom" and odd.error["error"] == "unexpected"


def test_location_names_where_the_data_lives_and_never_credentials(tmp_path):
    assert tenant_location(SimpleNamespace(base_url="https://user:pw@acme.example/api")) == "base_url=https://acme.example/api"
    assert tenant_location(SimpleNamespace(base_url=None, tenant_id="abc")) == "tenant_id=abc"
    assert tenant_location(SimpleNamespace(domain="acme.example")) == "domain=acme.example"
    assert tenant_location(SimpleNamespace(database=tmp_path / "x.sqlite3")) == f"database={tmp_path / 'x.sqlite3'}"
    assert tenant_location(SimpleNamespace(database=None, demo=True)) == "demo site"


def test_the_service_imports_no_textual():
    code = "import staffterm.services.tenant_check, sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""}).stdout
    tops = {m.split(".")[0] for m in json.loads(out.strip().splitlines()[-1])}
    assert not {"textual", "rich", "httpx", "msal", "google"} & tops


# --------------------------------------------------------------------------- a PlaceOS missing a route

PLACEOS_NOW = datetime(2026, 11, 21, 23, 0, tzinfo=timezone.utc)


def placeos_backend(fake, tmp_path):
    from staffterm.backends.placeos.backend import PlaceOSBackend
    from staffterm.config.providers import PlaceOSSettings

    async def no_sleep(_seconds: float) -> None:
        return None

    settings = PlaceOSSettings.model_validate({"provider": "placeos", "base_url": fake.base_url, "api_key": fake.API_KEY})
    return PlaceOSBackend("acme", settings, clock=FrozenClock(PLACEOS_NOW), transport=fake.transport(),
                          token_dir=tmp_path / "tokens", sleep=no_sleep)


def without_routes(monkeypatch, *templates: str) -> None:
    """A PlaceOS (an older release, or a proxy in front of it) that lacks these routes: the
    fake answers them as it answers any unknown route, 404."""
    import tests.fakes.placeos.server as fake_server

    kept = [r for r in fake_server.ROUTES if r.template not in templates]
    assert len(kept) == len(fake_server.ROUTES) - len(templates)
    monkeypatch.setattr(fake_server, "ROUTES", kept)


async def test_a_placeos_without_the_optional_routes_passes_saying_what_works_and_what_is_missing(tmp_path, monkeypatch):
    from staffterm.services.tenant_check import check_backend
    from tests.fakes.placeos.server import FakePlaceOS

    without_routes(monkeypatch, "/api/staff/v1/tenants/current_limits", "/api/engine/v2/metadata/{parent_id}/children")
    result = await check_backend("acme", "placeos", placeos_backend(FakePlaceOS(now=PLACEOS_NOW), tmp_path))
    assert result.ok, result.message
    assert result.lines[1] == "signed in as Rita Reception <reception@acme.example> (API key)"
    assert "Staff API tenant configured" in result.lines and result.lines[-1] == "2 buildings, 10 rooms"
    limits, desks = result.missing
    assert limits.startswith("booking limits: the server does not offer it (")
    assert "/api/staff/v1/tenants/current_limits" in limits and "PlaceOS still enforces them" in limits
    assert desks.startswith("desk lists: the server does not offer it (") and "desk ids instead of names" in desks
    assert not any("deleted" in text for text in [*result.lines, *result.missing])
    outcomes = {s.what: s.outcome for s in result.steps}
    assert outcomes == {"the PlaceOS server": "ok", "sign-in": "ok", "the building list": "ok",
                        "the Staff API tenant": "ok", "booking limits": "missing", "desk lists": "missing", "rooms": "ok"}
    shown = result.to_json_dict()
    assert shown["ok"] and shown["missing"] == result.missing and len(shown["steps"]) == 7
    assert "message" not in shown


async def test_a_placeos_with_every_route_has_nothing_missing(tmp_path):
    from staffterm.services.tenant_check import check_backend
    from tests.fakes.placeos.server import FakePlaceOS

    result = await check_backend("acme", "placeos", placeos_backend(FakePlaceOS(now=PLACEOS_NOW), tmp_path))
    assert result.ok and result.missing == []
    assert "no booking limits" in result.lines and any(line.startswith("desk lists readable (") for line in result.lines)


async def test_a_missing_route_the_console_needs_fails_naming_the_step_and_what_worked(tmp_path, monkeypatch):
    from staffterm.services.tenant_check import check_backend
    from tests.fakes.placeos.server import FakePlaceOS

    without_routes(monkeypatch, "/api/engine/v2/systems")
    result = await check_backend("acme", "placeos", placeos_backend(FakePlaceOS(now=PLACEOS_NOW), tmp_path))
    assert not result.ok
    assert result.message.startswith("rooms: the server does not offer it (") and "staffterm needs it" in result.message
    assert "deleted" not in result.message and "hint" not in result.error
    assert "Staff API tenant configured" in result.lines  # what worked before it is still said
    assert result.steps[-1].what == "rooms" and result.steps[-1].outcome == "failed"


async def test_a_domain_without_a_staff_api_tenant_fails_on_that_step(tmp_path):
    from staffterm.services.tenant_check import check_backend
    from tests.fakes.placeos.server import FakePlaceOS

    fake = FakePlaceOS(now=PLACEOS_NOW)
    fake.tenant_configured = False
    result = await check_backend("acme", "placeos", placeos_backend(fake, tmp_path))
    assert not result.ok and "tenant" in result.message
    assert [s.outcome for s in result.steps] == ["ok", "ok", "ok", "failed"]  # nothing after it was tried
