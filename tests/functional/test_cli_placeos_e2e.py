"""End to end: ``python -m staffterm`` in a subprocess against the fake PlaceOS on a loopback port.

Real HTTP over 127.0.0.1, a real config file, secrets from the environment, the token cache
in the data dir: what an integrator does on day one.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.fakes.placeos.loopback import serve_on_loopback
from tests.fakes.placeos.server import FakePlaceOS

ROOT = Path(__file__).resolve().parents[2]
# 10:00 on Sunday 22 Nov 2026 in Sydney: Sydney HQ's seeded day is under way.
NOW = datetime(2026, 11, 21, 23, 0, tzinfo=timezone.utc)
WRONG_KEY = "not-the-key-9f8e7d"

pytestmark = pytest.mark.subprocess


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def fake() -> FakePlaceOS:
    return FakePlaceOS(now=NOW)


@pytest.fixture(scope="module")
def site(fake, tmp_path_factory):
    home = tmp_path_factory.mktemp("placeos-e2e")
    with serve_on_loopback(fake) as url:
        config = home / "config.toml"
        config.write_text(
            f"""default_tenant = "acme"

[tenants.acme]
provider = "placeos"
base_url = "{url}"
api_key = {{ env = "ACME_KEY" }}

[tenants.login]
provider = "placeos"
base_url = "{url}"
username = "{FakePlaceOS.USERNAME}"
password = {{ env = "ACME_PASSWORD" }}
client_id = "{FakePlaceOS.CLIENT_ID}"

[tenants.wrongkey]
provider = "placeos"
base_url = "{url}"
api_key = {{ env = "WRONG_KEY" }}

[tenants.wrongurl]
provider = "placeos"
base_url = "{url}/not-placeos"
api_key = {{ env = "ACME_KEY" }}

[tenants.unreachable]
provider = "placeos"
base_url = "http://127.0.0.1:{_closed_port()}"
api_key = {{ env = "ACME_KEY" }}
timeout_seconds = 5
"""
        )
        yield home, config


def run(site, *args: str) -> subprocess.CompletedProcess[str]:
    home, config = site
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAFFTERM_")}
    env.update(
        PYTHONPATH=str(ROOT),
        STAFFTERM_DATA_DIR=str(home / "data"),
        STAFFTERM_CACHE_DIR=str(home / "cache"),
        STAFFTERM_FROZEN_NOW=NOW.isoformat(),
        ACME_KEY=FakePlaceOS.API_KEY,
        ACME_PASSWORD=FakePlaceOS.PASSWORD,
        WRONG_KEY=WRONG_KEY,
    )
    return subprocess.run(
        [sys.executable, "-m", "staffterm", "--config", str(config), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=90,
    )


def no_secrets(done: subprocess.CompletedProcess[str]) -> None:
    for secret in (FakePlaceOS.API_KEY, FakePlaceOS.PASSWORD, WRONG_KEY):
        assert secret not in done.stdout and secret not in done.stderr


def test_config_check_explains_each_failure_in_plain_words(site):
    done = run(site, "config", "check", "--json")
    no_secrets(done)
    assert done.returncode == 1
    report = {t["tenant"]: t for t in json.loads(done.stdout)["tenants"]}
    assert report["acme"]["ok"] and any("2 buildings" in line for line in report["acme"]["lines"])
    assert report["login"]["ok"] and any("username/password" in line for line in report["login"]["lines"])
    assert "refused the API key" in report["wrongkey"]["message"]
    assert "does not look like a PlaceOS server" in report["wrongurl"]["message"]
    assert "cannot reach 127.0.0.1" in report["unreachable"]["message"]

    text = run(site, "config", "check")
    assert "wrongkey (placeos): failed - PlaceOS refused the API key" in text.stdout
    assert "acme (placeos): ok" in text.stdout


def test_config_check_on_a_placeos_without_an_optional_route_says_what_works_and_what_is_missing(site, monkeypatch):
    import tests.fakes.placeos.server as fake_server

    # An older Staff API without GET /tenants/current_limits: the tenant still works.
    kept = [r for r in fake_server.ROUTES if r.template != "/api/staff/v1/tenants/current_limits"]
    monkeypatch.setattr(fake_server, "ROUTES", kept)
    done = run(site, "--tenant", "acme", "config", "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "acme (placeos): ok - reached PlaceOS" in done.stdout and "Staff API tenant configured" in done.stdout
    assert "  missing: booking limits: the server does not offer it" in done.stdout
    assert "deleted" not in done.stdout

    report = json.loads(run(site, "--tenant", "acme", "config", "check", "--json").stdout)["tenants"][0]
    assert report["ok"] and len(report["missing"]) == 1
    assert {s["step"]: s["outcome"] for s in report["steps"]}["booking limits"] == "missing"


def test_zones_rooms_and_free_busy_over_http(site, fake):
    done = run(site, "placeos", "zones", "--tags", "building", "--json")
    assert done.returncode == 0, done.stderr
    assert {z["id"] for z in json.loads(done.stdout)} == {"zone-syd", "zone-lon"}

    rooms = run(site, "rooms", "--zone", "zone-syd", "--json")
    assert rooms.returncode == 0, rooms.stderr
    assert {"sys-ada", "sys-euler"} <= {r["id"] for r in json.loads(rooms.stdout)}

    before = len(fake.requests_to("GET", "/api/staff/v1/calendars/free_busy"))
    busy = run(site, "freebusy", "--zone", "zone-syd-l1")
    assert busy.returncode == 0, busy.stderr
    assert "AEDT" in busy.stdout and "UTC" not in busy.stdout  # times in the building's zone
    assert len(fake.requests_to("GET", "/api/staff/v1/calendars/free_busy")) == before + 1


def test_desk_booking_then_a_clash_is_refused_naming_the_booking(site, fake):
    args = ("bookings", "create", "--type", "desk", "--asset", "desk-l1-05", "--zone", "zone-syd-l1",
            "--user", "barbara.liskov@acme.example", "--start", "2026-11-22T13:00", "--end", "2026-11-22T15:00")
    made = run(site, *args, "--json")
    assert made.returncode == 0, made.stderr
    booking = json.loads(made.stdout)
    stored = [b for b in fake.state.bookings.values() if str(b["id"]) == booking["id"]]
    assert booking["asset_ids"] == ["desk-l1-05"] and booking["start"].startswith("2026-11-22T02:00")
    assert stored and stored[0]["booking_start"] == int(datetime(2026, 11, 22, 2, tzinfo=timezone.utc).timestamp())

    clash = run(site, "bookings", "create", "--type", "desk", "--asset", "desk-l1-05", "--zone", "zone-syd-l1",
                "--user", "donald.knuth@acme.example", "--start", "2026-11-22T14:00", "--end", "2026-11-22T16:00")
    assert clash.returncode == 1
    assert "desk-l1-05" in clash.stderr and "13:00" in clash.stderr  # the clashing booking, in Sydney time


def test_driver_commands_signal_and_metadata(site, fake):
    sent = run(site, "placeos", "signal", "--channel", "staff/test/ping", "--payload", '{"hello": 1}')
    assert sent.returncode == 0, sent.stderr
    assert any(s.channel.endswith("staff/test/ping") and s.payload == {"hello": 1} for s in fake.state.signals)

    desks = run(site, "placeos", "metadata", "--id", "zone-syd-l1", "--key", "desks", "--json")
    assert desks.returncode == 0, desks.stderr
    assert len(json.loads(desks.stdout)["desks"]["details"]) == 6

    users = run(site, "placeos", "query-users", "--q", "ada", "--json")
    assert users.returncode == 0 and [u["email"] for u in json.loads(users.stdout)] == ["ada.lovelace@acme.example"]


def test_update_booking_refuses_what_placeos_would_drop_and_filters_mean_what_they_say(site, fake):
    patches = len(fake.requests_to("PATCH", "/api/staff/v1/bookings/1002"))
    refused = run(site, "placeos", "update_booking", "--booking_id", "1002", "--approved", "true", "--title", "x")
    assert refused.returncode == 1 and "use approve" in refused.stderr
    assert len(fake.requests_to("PATCH", "/api/staff/v1/bookings/1002")) == patches  # nothing was sent

    window = ("--period_start", "2026-11-22T00:00+11:00", "--period_end", "2026-11-23T00:00+11:00")
    waiting = run(site, "placeos", "query_bookings", "--type", "visitor", "--zones", "zone-syd", *window,
                  "--checked_in", "false", "--json")
    assert waiting.returncode == 0, waiting.stderr
    rows = json.loads(waiting.stdout)
    assert rows and all(not row["checked_in"] for row in rows)
    desk = run(site, "placeos", "query_bookings", "--type", "desk", "--zones", "zone-syd", *window,
               "--asset_id", "desk-l1-02", "--json")
    assert desk.returncode == 0, desk.stderr
    assert [row["asset_id"] for row in json.loads(desk.stdout)] == ["desk-l1-02"]


def test_guest_check_in_says_placeos_tells_the_host(site, fake):
    done = run(site, "guests", "check-in", "booking:1004:jane.visitor@example.com")
    assert done.returncode == 0, done.stderr
    assert "Checked in Jane Visitor" in done.stdout and "placeos tells Ada Lovelace" in done.stdout
    assert any(s.channel.endswith("staff/guest/checkin") for s in fake.state.signals)


def test_password_grant_token_is_cached_0600_and_reused(site, fake):
    first = run(site, "--tenant", "login", "zones", "--json")
    assert first.returncode == 0, first.stderr
    grants = len(fake.requests_to("POST", "/auth/oauth/token"))
    tokens = list((site[0] / "data" / "tokens").iterdir())
    assert len(tokens) == 1 and stat.S_IMODE(tokens[0].stat().st_mode) == 0o600
    assert FakePlaceOS.PASSWORD not in tokens[0].read_text()
    again = run(site, "--tenant", "login", "rooms", "--json")
    assert again.returncode == 0, again.stderr
    assert len(fake.requests_to("POST", "/auth/oauth/token")) == grants  # the cached token was used
    no_secrets(again)
