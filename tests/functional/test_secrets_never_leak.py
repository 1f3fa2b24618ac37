"""Secrets never leak: distinctive secrets planted in every kind of reference, then every output
and every file written is searched for them.

The secrets: PlaceOS API keys given by environment variable, inline (in a 0600 config) and by
file; a password given by a command (whose command line therefore holds it); a client secret
by file and inline; a wrong password and a wrong key; a secret command that fails after printing
a secret on stdout and another on stderr; a kiosk PIN; and every token the fake PlaceOS OAuth
server issues. The outputs: the CLI's stdout and stderr (text and ``--json``) for ``config
show``, ``config check``, ``tenant list``, each tenant's commands (the failing ones' errors
too) and the ``placeos`` driver commands; every file staffterm wrote (token cache, the HTTP
layer's debug log, an exported visitor pass); and the console's screen (Admin → Tenants after a
check of every tenant, and the message shown when a tenant cannot be opened).

One fake PlaceOS serves all of it over real HTTP on a loopback port, as an integrator would
meet it. Every secret here contains ``CANARY`` so that even part of one is caught.
"""

from __future__ import annotations

import html
import logging
import re
import shlex
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from staffterm.cli.main import main
from staffterm.clock import FrozenClock
from staffterm.config.editing import toml_string
from tests.fakes.placeos import auth as fake_auth
from tests.fakes.placeos.loopback import serve_on_loopback
from tests.fakes.placeos.server import FakePlaceOS

NOW = datetime(2026, 11, 21, 23, 0, tzinfo=timezone.utc)
CANARY = "CANARY"

ENV_KEY = "CANARY-env-api-key-5be1"
INLINE_KEY = "CANARY-inline-api-key-9d04"
FILE_KEY = "CANARY-file-api-key-77c3"
PASSWORD = "CANARY-command-password-e61f"
CLIENT_SECRET = "CANARY-file-client-secret-a2b8"
INLINE_CLIENT_SECRET = "CANARY-inline-client-secret-0f5d"
WRONG_PASSWORD = "CANARY-wrong-password-3c9a"
WRONG_KEY = "CANARY-wrong-key-b7e2"
FAILING_STDOUT = "CANARY-failing-command-stdout-41d6"
FAILING_STDERR = "CANARY-failing-command-stderr-8e0b"
KIOSK_PIN = "CANARY-kiosk-pin-2468"

PLANTED = (ENV_KEY, INLINE_KEY, FILE_KEY, PASSWORD, CLIENT_SECRET, INLINE_CLIENT_SECRET, WRONG_PASSWORD,
           WRONG_KEY, FAILING_STDOUT, FAILING_STDERR, KIOSK_PIN)
ENV = {"STT_ACME_KEY": ENV_KEY, "STT_WRONG_PASSWORD": WRONG_PASSWORD}

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def python_command(code: str) -> str:
    return shlex.join([sys.executable, "-c", code])


def write_config(home: Path, url: str) -> Path:
    (home / "acme-key.secret").write_text(FILE_KEY + "\n")
    (home / "client.secret").write_text(CLIENT_SECRET + "\n")
    for name in ("acme-key.secret", "client.secret"):
        (home / name).chmod(0o600)
    password_command = python_command(f"print({PASSWORD!r})")
    wrong_key_command = python_command(f"print({WRONG_KEY!r})")
    failing_command = python_command(
        f"import sys; print({FAILING_STDOUT!r}); sys.stderr.write({FAILING_STDERR!r} + '\\n'); sys.exit(3)"
    )
    login = f'username = "{FakePlaceOS.USERNAME}"\nclient_id = "{FakePlaceOS.CLIENT_ID}"\n'
    text = f"""default_tenant = "envkey"

[kiosk]
pin = "{KIOSK_PIN}"

[tenants.envkey]
provider = "placeos"
base_url = "{url}"
api_key = {{ env = "STT_ACME_KEY" }}

[tenants.inlinekey]
provider = "placeos"
base_url = "{url}"
api_key = "{INLINE_KEY}"

[tenants.filekey]
provider = "placeos"
base_url = "{url}"
api_key = {{ file = "acme-key.secret" }}

[tenants.login]
provider = "placeos"
base_url = "{url}"
{login}password = {{ command = {toml_string(password_command)} }}
client_secret = {{ file = "client.secret" }}

[tenants.wrongpw]
provider = "placeos"
base_url = "{url}"
{login}password = {{ env = "STT_WRONG_PASSWORD" }}
client_secret = {{ file = "client.secret" }}

[tenants.wrongsecret]
provider = "placeos"
base_url = "{url}"
{login}password = {{ command = {toml_string(password_command)} }}
client_secret = "{INLINE_CLIENT_SECRET}"

[tenants.wrongkey]
provider = "placeos"
base_url = "{url}"
api_key = {{ command = {toml_string(wrong_key_command)} }}

[tenants.badcmd]
provider = "placeos"
base_url = "{url}"
api_key = {{ command = {toml_string(failing_command)} }}
"""
    path = home / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def issued_tokens() -> list[str]:
    return []


@pytest.fixture(scope="module")
def fake(issued_tokens) -> Iterator[FakePlaceOS]:
    placeos = FakePlaceOS(now=NOW)
    for key in (ENV_KEY, INLINE_KEY, FILE_KEY):
        placeos.state.api_keys[key] = "user-reception"
    placeos.state.passwords[FakePlaceOS.USERNAME.lower()] = PASSWORD
    placeos.client_secret = CLIENT_SECRET  # the OAuth application's; wrongsecret's inline one is refused
    # Every token the fake OAuth issues is a secret to look for too.
    issue = fake_auth._issue

    def recording_issue(*args, **kwargs):
        body = issue(*args, **kwargs)
        issued_tokens.extend((body["access_token"], body["refresh_token"]))
        return body

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fake_auth, "_issue", recording_issue)
        yield placeos


@pytest.fixture(scope="module")
def site(fake, tmp_path_factory) -> Iterator[tuple[Path, Path]]:
    home = tmp_path_factory.mktemp("leak-home")
    with serve_on_loopback(fake) as url:
        yield home, write_config(home, url)


@pytest.fixture
def home_env(site, monkeypatch) -> Iterator[Path]:
    """The site's home as staffterm's dirs, its env secrets set, and a DEBUG log of everything."""
    home, _config = site
    for var, sub in (("STAFFTERM_DATA_DIR", "data"), ("STAFFTERM_CONFIG_DIR", "config"), ("STAFFTERM_CACHE_DIR", "cache")):
        (home / sub).mkdir(exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    logger = logging.getLogger("staffterm")
    handler = logging.FileHandler(home / "debug.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield home
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()


def screen_text(svg: str) -> str:
    """A screenshot's text: the SVG's tags dropped and its entities (``&#160;``) decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def secrets_in(text: str, tokens: list[str]) -> list[str]:
    found = [CANARY] if CANARY in text else []
    return found + [f"token {token[:6]}…" for token in tokens if token and token in text]


def written_files(home: Path, config: Path) -> list[Path]:
    """Everything staffterm (or this test's log handler) wrote: not the config and secret files."""
    ours = {config, home / "acme-key.secret", home / "client.secret"}
    return [p for p in sorted(home.rglob("*")) if p.is_file() and p not in ours]


# --------------------------------------------------------------------------- the CLI and its files


def test_no_secret_reaches_the_cli_or_any_file_it_writes(site, home_env, fake, issued_tokens, capsys, monkeypatch):
    home, config = site
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", NOW.isoformat())
    outputs: list[tuple[str, str]] = []

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = main(["--config", str(config), *argv])
        captured = capsys.readouterr()
        outputs.append((" ".join(argv), captured.out + captured.err))
        return status, captured.out, captured.err

    for command in (("config", "show"), ("config", "check"), ("tenant", "list")):
        run(*command)
        run(*command, "--json")
    for tenant in ("envkey", "inlinekey", "filekey", "login", "wrongpw", "wrongkey", "badcmd"):
        run("--tenant", tenant, "zones", "--json")
        run("--tenant", tenant, "rooms")
        run("--tenant", tenant, "placeos", "query-users", "--q", "ada", "--json")
    run("--tenant", "wrongsecret", "zones", "--json")
    run("--tenant", "login", "placeos", "zones", "--tags", "building")
    run("--tenant", "login", "placeos", "metadata", "--id", "zone-syd-l1", "--key", "desks", "--json")
    status, out, err = run("--tenant", "login", "guests", "check-in", "booking:1004:jane.visitor@example.com")
    assert status == 0, err
    payload = out.split("Visitor pass: ", 1)[1].split()[0]
    (home / "exported").mkdir(exist_ok=True)
    assert run("qr", payload, "--svg", str(home / "exported" / "pass.svg"))[0] == 0
    assert run("qr", payload, "--png", str(home / "exported" / "pass.png"))[0] == 0

    # The runs did what they should, so the search below looked at real answers and errors.
    report = dict(outputs)
    assert '"ok": true' in report["--tenant login zones --json"] or "zone-syd" in report["--tenant login zones --json"]
    assert "refused the username or password" in report["--tenant wrongpw zones --json"]
    assert "refused the client_id" in report["--tenant wrongsecret zones --json"]
    assert "refused the API key" in report["--tenant wrongkey zones --json"]
    assert "failed with exit status 3" in report["--tenant badcmd zones --json"]
    assert "<secret: command" in report["config show"] and "<secret: inline>" in report["config show"]
    assert issued_tokens, "the password grant was never used"
    assert "GET" in (home / "debug.log").read_text()  # the HTTP layer's debug log was written

    leaks = {what: found for what, text in outputs if (found := secrets_in(text, issued_tokens))}
    files = written_files(home, config)
    assert any(p.parent.name == "tokens" for p in files) and (home / "exported" / "pass.svg") in files
    for path in files:
        # The token cache holds the session's tokens by design (0600); never a password or secret.
        tokens = [] if path.parent.name == "tokens" else issued_tokens
        found = secrets_in(path.read_bytes().decode("utf-8", "replace"), tokens)
        if found:
            leaks[str(path.relative_to(home))] = found
    assert leaks == {}


# --------------------------------------------------------------------------- the console


async def console_screens(config_path: Path, tenant: str, *, check: bool) -> str:
    from staffterm.config import load_config
    from staffterm.ui.app import StafftermApp
    from tests.functional.conftest import settle

    app = StafftermApp(config=load_config(config_path), tenant=tenant, clock=FrozenClock(NOW),
                       ui_state_path=config_path.parent / "ui-state.json")
    shots: list[str] = []
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await settle(pilot, app)
        shots.append(screen_text(app.export_screenshot()))  # the tenant's opening screen, or why it did not open
        await pilot.press("f6")
        await settle(pilot, app)
        if check:
            await pilot.press("c")
            await settle(pilot, app, rounds=6)
            pane = app.screen.pane("tenants")
            assert all(row.result is not None for row in pane.rows.values())
        table = app.screen.query_one("#tenants-table")
        for row in range(table.row_count):  # every tenant's detail
            table.move_cursor(row=row)
            await pilot.pause()
            shots.append(screen_text(app.export_screenshot()))
        shots.extend(str(n.message) for n in app._notifications)
    return "\n".join(shots)


async def test_no_secret_reaches_the_console(site, home_env, issued_tokens):
    _home, config = site
    checked = await console_screens(config, "login", check=True)
    assert "failed with exit status 3" in checked and "refused the username or password" in checked
    assert not secrets_in(checked, issued_tokens)

    for tenant, reason in (("badcmd", "failed with exit status 3"), ("wrongpw", "refused the username or password")):
        failed = await console_screens(config, tenant, check=False)
        assert reason in failed
        assert not secrets_in(failed, issued_tokens)
