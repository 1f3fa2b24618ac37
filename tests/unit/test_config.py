"""Loading and validating config.toml: locations, defaults, messages that name file and key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from staffterm.config import (
    GOOGLE_DEFAULT_SCOPES,
    Config,
    GoogleSettings,
    GraphSettings,
    LocalSettings,
    PlaceOSSettings,
    check_config,
    config_path,
    config_to_display_dict,
    default_config,
    load_config,
)
from staffterm.errors import ConfigError

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

FULL = """
default_tenant = "acme"

[ui]
theme = "high-contrast"
refresh_seconds = 30
day_start = "08:30"
day_end = 18:00:00
clock_24h = false
building = "bld-lon"
[ui.keymap]
"book-room" = "f6"
"check-in" = ["f7", "ctrl+i"]

[kiosk]
mode = "room"
building = "bld-lon"
room = "rm-lon-1-01"
idle_seconds = 90
pin = { env = "STAFFTERM_KIOSK_PIN" }

[mail.templates.visitor.checkin]
subject = "%{name} has arrived"
text = "for your meeting at %{time}"

[tenants.demo]
provider = "local"
database = "sites/demo.sqlite3"
demo = true
booking_limits = { desk = 1, parking = 2 }

[tenants.acme]
provider = "placeos"
base_url = "https://acme.placeos.example/"
api_key = { env = "ACME_PLACEOS_KEY" }

[tenants.m365]
provider = "graph"
tenant_id = "contoso-tenant"
client_id = "app-id"
client_secret = { file = "~/.config/staffterm/graph.secret" }
authority_host = "https://login.microsoftonline.us"
graph_url = "https://graph.microsoft.us"
mailer_from = "reception@contoso.example"
rate_limit = 5

[tenants.gw]
provider = "google"
domain = "acme.example"
service_account_email = "staffterm@acme.iam.gserviceaccount.com"
private_key = { command = "pass show gw-key" }
service_user = "admin@acme.example"
"""


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    monkeypatch.delenv("STAFFTERM_CONFIG", raising=False)
    for name in ("CONFIG_DIR", "DATA_DIR", "CACHE_DIR"):
        target = tmp_path / "user" / name.lower()
        monkeypatch.setenv(f"STAFFTERM_{name}", str(target))


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    os.chmod(path, mode)
    return path


def config_error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


# ------------------------------------------------------------------------------ where the file is


def test_explicit_path_wins_over_env(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFTERM_CONFIG", str(tmp_path / "env.toml"))
    assert config_path(tmp_path / "cli.toml") == tmp_path / "cli.toml"


def test_env_names_the_file_when_no_explicit_path(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFTERM_CONFIG", str(tmp_path / "env.toml"))
    assert config_path() == tmp_path / "env.toml"


def test_default_path_is_in_the_config_dir(tmp_path):
    assert config_path() == tmp_path / "user" / "config_dir" / "config.toml"


def test_explicit_path_expands_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_path("~/my.toml") == tmp_path / "my.toml"


# ------------------------------------------------------------------------------ defaults


def test_missing_default_file_gives_the_demo_site():
    config = load_config()
    assert config.source is None
    assert config.default_tenant == "demo"
    name, settings = config.tenant()
    assert name == "demo"
    assert isinstance(settings, LocalSettings) and settings.demo is True
    assert config.ui.theme == "staffterm-dark"
    assert config.ui.day_start == time(7, 0) and config.ui.day_end == time(19, 0)
    assert config == default_config()


def test_the_default_location_named_explicitly_still_means_the_demo_site():
    # The CLI always passes config_path(--config); a fresh machine must still open the demo.
    config = load_config(config_path(None))
    assert config.source is None
    assert config.tenant_names() == ["demo"]


@posix_only
def test_a_broken_link_at_the_default_location_is_an_error(tmp_path):
    config_dir = tmp_path / "user" / "config_dir"
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").symlink_to(tmp_path / "gone.toml")
    with pytest.raises(ConfigError, match="broken link"):
        load_config()


def test_missing_explicit_file_is_an_error_naming_it(tmp_path):
    missing = tmp_path / "nope.toml"
    err = config_error(missing)
    assert str(missing) in str(err)
    assert "does not exist" in str(err)
    assert err.path == str(missing)


def test_missing_file_named_by_env_is_an_error(tmp_path, monkeypatch):
    missing = tmp_path / "from-env.toml"
    monkeypatch.setenv("STAFFTERM_CONFIG", str(missing))
    with pytest.raises(ConfigError, match="from-env.toml"):
        load_config()


def test_env_override_is_read(tmp_path, monkeypatch):
    path = write(tmp_path / "env.toml", '[tenants.office]\nprovider = "local"\n')
    monkeypatch.setenv("STAFFTERM_CONFIG", str(path))
    config = load_config()
    assert config.source == path
    assert config.tenant_names() == ["office"]


def test_empty_file_is_the_demo_site(tmp_path):
    config = load_config(write(tmp_path / "config.toml", "# nothing yet\n"))
    assert config.tenant_names() == ["demo"]
    assert config.default_tenant == "demo"


def test_default_tenant_is_the_first_tenant(tmp_path):
    text = '[tenants.zeta]\nprovider = "local"\n[tenants.alpha]\nprovider = "local"\n'
    config = load_config(write(tmp_path / "c.toml", text))
    assert config.default_tenant == "zeta"
    assert config.tenant()[0] == "zeta"
    assert config.tenant("alpha")[0] == "alpha"


def test_config_dir_file_is_loaded_by_default(tmp_path):
    config_dir = tmp_path / "user" / "config_dir"
    config_dir.mkdir(parents=True)
    write(config_dir / "config.toml", '[ui]\ntheme = "paper"\n')
    assert load_config().ui.theme == "paper"


# ------------------------------------------------------------------------------ a full file


def test_full_example_loads(tmp_path):
    path = write(tmp_path / "config.toml", FULL)
    config = load_config(path)
    assert config.default_tenant == "acme"
    assert config.ui.theme == "high-contrast"
    assert config.ui.day_start == time(8, 30) and config.ui.day_end == time(18, 0)
    assert config.ui.keymap == {"book-room": "f6", "check-in": "f7,ctrl+i"}
    assert config.kiosk.mode == "room" and config.kiosk.room == "rm-lon-1-01"
    assert config.kiosk.pin is not None and config.kiosk.pin.kind == "env"
    assert config.mail.templates["visitor"]["checkin"]["subject"] == "%{name} has arrived"

    demo = config.tenants["demo"]
    assert isinstance(demo, LocalSettings)
    assert demo.database == tmp_path / "sites" / "demo.sqlite3"  # relative to the config file
    assert demo.booking_limits == {"desk": 1, "parking": 2}

    name, acme = config.tenant()
    assert name == "acme" and isinstance(acme, PlaceOSSettings)
    assert acme.base_url == "https://acme.placeos.example"  # trailing slash dropped
    assert acme.max_in_flight == 10 and acme.verify_tls is True

    m365 = config.tenants["m365"]
    assert isinstance(m365, GraphSettings)
    assert m365.graph_url == "https://graph.microsoft.us"
    assert m365.rate_limit == 5 and m365.max_in_flight == 4 and m365.queue_size == 100

    gw = config.tenants["gw"]
    assert isinstance(gw, GoogleSettings)
    assert gw.scopes == list(GOOGLE_DEFAULT_SCOPES)
    assert gw.user_agent == "staffterm"
    assert gw.token_url == "https://oauth2.googleapis.com/token"


def test_senders_and_dotted_placeholders(tmp_path):
    text = (
        '[mail]\nsender = "desk@acme.example"\n'
        '[mail.templates.booking.host]\nsubject = "%{guest.name} for %{host name}"\n'
        '[mail.templates.visitor.checkin]\n'  # an empty table switches a template off
        '[tenants.office]\nprovider = "local"\nmailer_from = "front@acme.example"\n'
    )
    config = load_config(write(tmp_path / "config.toml", text))
    assert config.mail.sender == "desk@acme.example"
    assert config.mail.templates["visitor"]["checkin"] == {}
    office = config.tenants["office"]
    assert isinstance(office, LocalSettings) and office.mailer_from == "front@acme.example"


def test_local_database_defaults_to_the_data_dir(tmp_path):
    settings = LocalSettings(provider="local")
    assert settings.database_path("office") == tmp_path / "user" / "data_dir" / "office.sqlite3"


def test_unknown_tenant_lists_known_names(tmp_path):
    config = load_config(write(tmp_path / "config.toml", FULL))
    with pytest.raises(ConfigError) as info:
        config.tenant("acne")
    text = str(info.value)
    assert "'acne'" in text
    for known in ("demo", "acme", "m365", "gw"):
        assert known in text


def test_a_default_tenant_that_does_not_exist_fails_only_when_used(tmp_path):
    path = write(tmp_path / "config.toml", 'default_tenant = "gone"\n[tenants.office]\nprovider = "local"\n')
    config = load_config(path)
    assert config.tenant("office")[0] == "office"
    with pytest.raises(ConfigError, match="'gone'.*default_tenant") as info:
        config.tenant()
    assert info.value.key == "default_tenant"
    assert "office" in str(info.value)


# ------------------------------------------------------------------------------ validation messages


def only_line(err: ConfigError) -> str:
    lines = err.message.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(
    "text, key, fragment",
    [
        ('[tenants.acme]\nprovider = "placeos"\nbase_url = "acme.example"\napi_key = { env = "K" }\n',
         "tenants.acme.base_url", "must start with http:// or https://"),
        ('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://a.example"\n',
         "tenants.acme.api_key", "is required (or username + password + client_id)"),
        ('[tenants.acme]\nprovider = "placeos"\napi_key = { env = "K" }\nbase_url = "https://acme.example:99999"\n', "tenants.acme.base_url", "port 99999 is not a port number (1-65535)"),
        ('[tenants.acme]\nprovider = "placeos"\napi_key = { env = "K" }\nbase_url = "https://acme.example:0"\n', "tenants.acme.base_url", "port 0 is not a port number (1-65535)"),
        ('[tenants.acme]\nprovider = "placeos"\napi_key = { env = "K" }\nbase_url = "https://acme.example:https"\n', "tenants.acme.base_url", "port 'https' is not a port number (1-65535)"),
        ('[tenants.acme]\nprovider = "placeos"\napi_key = { env = "K" }\nbase_url = "https://[::1"\n', "tenants.acme.base_url", "is not a valid URL"),
        ('[tenants.acme]\nprovider = "placeos"\napi_key = { env = "K" }\nbase_url = "https://acme_example!.com"\n', "tenants.acme.base_url", "'acme_example!.com' is not a valid host name"),
        ('[tenants.acme]\nprovider = "placeos"\napi_key = { env = "K" }\nbase_url = "https://a..example"\n', "tenants.acme.base_url", "'a..example' is not a valid host name"),
        ('[tenants.acme]\nprovider = "placeos"\napi_key = { env = "K" }\nbase_url = "https://desk:pw-unique@acme.example"\n', "tenants.acme.base_url", "must not contain a user name or password"),
        ('[tenants.m]\nprovider = "graph"\ntenant_id = "t"\nclient_id = "c"\nclient_secret = { env = "S" }\nauthority_host = "https://login.example:70000"\n',
         "tenants.m.authority_host", "port 70000 is not a port number (1-65535)"),
        ('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://a.example"\nusername = "u"\npassword = { env = "P" }\n',
         "tenants.acme.client_id", "is required when signing in"),
        ('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://a.example"\napi_key = { env = "K" }\nusername = "u"\n',
         "tenants.acme.api_key", "not both"),
        ('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://a.example"\napi_key = { env = "K" }\nbase_ulr = "x"\n',
         "tenants.acme.base_ulr", "unknown key; did you mean 'base_url'?"),
        ('[tenants.m]\nprovider = "graph"\nclient_id = "c"\nclient_secret = { env = "S" }\n',
         "tenants.m.tenant_id", "is required"),
        ('[tenants.m]\nprovider = "graph"\ntenant_id = "t"\nclient_id = "c"\n',
         "tenants.m.client_secret", "is required"),
        ('[tenants.m]\nprovider = "graph"\ntenant_id = "t"\nclient_id = " "\nclient_secret = { env = "S" }\n',
         "tenants.m.client_id", "must not be empty"),
        ('[tenants.m]\nprovider = "graph"\ntenant_id = "t"\nclient_id = "c"\nclient_secret = { env = "S" }\ngraph_url = "graph.microsoft.com"\n',
         "tenants.m.graph_url", "must start with http:// or https://"),
        ('[tenants.g]\nprovider = "google"\nservice_account_email = "sa@x.example"\nprivate_key = { env = "K" }\n',
         "tenants.g.service_user", "is required"),
        ('[tenants.g]\nprovider = "google"\nservice_account_email = "sa@x.example"\nservice_user = "a@x.example"\n',
         "tenants.g.private_key", "is required"),
        ('[tenants.g]\nprovider = "google"\nservice_account_email = "sa"\nprivate_key = { env = "K" }\nservice_user = "a@x.example"\n',
         "tenants.g.service_account_email", "must be an email address"),
        ('[tenants.g]\nprovider = "google"\nservice_account_email = "sa@x.example"\nprivate_key = { env = "K" }\nservice_user = "a@x.example"\nscopes = []\n',
         "tenants.g.scopes", "must not be empty"),
        ('[tenants.g]\nprovider = "google"\nservice_account_email = "sa@x.example"\nprivate_key = { env = "K" }\nservice_user = "a@x.example"\nscopes = ["calendar"]\n',
         "tenants.g.scopes.0", "must be a scope URL"),
        ('[tenants.x]\nprovider = "exchange"\n', "tenants.x.provider", "unknown provider 'exchange'"),
        ('[tenants.x]\ndemo = true\n', "tenants.x.provider", "is required"),
        ('[tenants.x]\nprovider = "local"\nearly_checkin_seconds = -1\n', "tenants.x.early_checkin_seconds", "must be at least 0"),
        ('[tenants.x]\nprovider = "local"\nbooking_limits = { desk = "one" }\n', "tenants.x.booking_limits.desk", "must be a whole number"),
        ('[tenants."bad name"]\nprovider = "local"\n', 'tenants."bad name"', "tenant name may use only"),
        ('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://a.example"\napi_key = { env = "K", file = "f" }\n',
         "tenants.acme.api_key", "exactly one of env, command, file"),
        ('[ui]\nrefresh_seconds = 1\n', "ui.refresh_seconds", "must be at least 5"),
        ('[ui]\nrefresh_seconds = 7200\n', "ui.refresh_seconds", "must be at most 3600"),
        ('[ui]\nrefresh_seconds = "often"\n', "ui.refresh_seconds", "must be a whole number"),
        ('[ui]\nday_start = "7am"\n', "ui.day_start", "must be a time as HH:MM"),
        ('[ui]\nday_end = "24:00"\n', "ui.day_end", "must be a time as HH:MM"),
        ('[ui]\nday_start = "19:00"\nday_end = "07:00"\n', "ui.day_end", "must be later than day_start (19:00)"),
        ('[ui]\ntheme = ""\n', "ui.theme", "must not be empty"),
        ('[ui]\nclock_24h = "yes please"\n', "ui.clock_24h", "must be true or false"),
        ('[ui]\nthem = "x"\n', "ui.them", "did you mean 'theme'?"),
        ('[ui.keymap]\n"book-room" = ""\n', "ui.keymap.book-room", "give at least one key"),
        ('[kiosk]\nmode = "wall"\n', "kiosk.mode", "must be one of 'lobby' or 'room'"),
        ('[kiosk]\nmode = "room"\n', "kiosk.room", 'is required when mode = "room"'),
        ('[kiosk]\nidle_seconds = 1\n', "kiosk.idle_seconds", "must be at least 10"),
        ('[mail.templates.visitor.checkin]\nsubjct = "x"\n', "mail.templates.visitor.checkin.subjct", "unknown template part"),
        ('[mail.templates.visitor.checkin]\nsubject = "%{name has arrived"\n', "mail.templates.visitor.checkin.subject", "malformed placeholder"),
        ('colour = "red"\n', "colour", "unknown key"),
        ('source = "/etc/passwd"\n', "source", "unknown key"),
        ('default_tenant = ""\n', "default_tenant", "must be a tenant name"),
    ],
)
def test_each_validation_message_names_file_and_key(tmp_path, text, key, fragment):
    path = write(tmp_path / "config.toml", text)
    err = config_error(path)
    line = only_line(err)
    assert line.startswith(f"{path}: {key}: "), line
    assert fragment in line, line
    assert err.path == str(path)
    assert err.key == key


@pytest.mark.parametrize(
    "base_url",
    ["https://acme.example:8443", "http://127.0.0.1:1", "https://acme.example:", "https://[::1]:65535/sub", "https://bücher.example", "https://acme"],
)
def test_good_urls_pass_the_url_check(tmp_path, base_url):
    text = f'[tenants.acme]\nprovider = "placeos"\napi_key = {{ env = "K" }}\nbase_url = "{base_url}"\n'
    assert load_config(write(tmp_path / "c.toml", text)).tenants["acme"].base_url == base_url.rstrip("/")


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 5000 + "]" * 5000 + "\n",
        "x = " + "{ a = " * 5000 + "1" + " }" * 5000 + "\n",
        "[ui]\nkeymap = " + "[" * 400 + "]" * 400 + "\n",
    ],
    ids=["deep-list", "deep-table", "moderately-deep"],
)
def test_deeply_nested_toml_is_a_plain_error_naming_the_file(tmp_path, text):
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.message.startswith(f"{path}: ")
    assert info.value.path == str(path)
    assert "recursion" not in info.value.message.lower()



def test_several_problems_are_reported_one_per_line(tmp_path):
    text = (
        '[ui]\nrefresh_seconds = 1\ntheme = ""\n'
        '[tenants.acme]\nprovider = "placeos"\nbase_url = "ftp://acme"\napi_key = { env = "K" }\n'
        '[tenants.m]\nprovider = "graph"\n'
    )
    path = write(tmp_path / "config.toml", text)
    lines = config_error(path).message.splitlines()
    keys = {line.split(": ")[1] for line in lines}
    assert {"ui.refresh_seconds", "ui.theme", "tenants.acme.base_url", "tenants.m.tenant_id",
            "tenants.m.client_id", "tenants.m.client_secret"} <= keys
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_toml_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path / "config.toml", '[ui]\ntheme = "ok"\nrefresh_seconds = \n')
    err = config_error(path)
    assert str(path) in str(err)
    assert "line 3" in str(err)
    assert "not valid TOML" in str(err)


def test_duplicate_key_is_a_syntax_error(tmp_path):
    path = write(tmp_path / "config.toml", '[ui]\ntheme = "a"\ntheme = "b"\n')
    assert "line 3" in str(config_error(path))


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b'[ui]\ntheme = "\xff"\n')
    assert "not UTF-8" in str(config_error(path))


def test_directory_is_not_a_config_file(tmp_path):
    assert "is a directory" in str(config_error(tmp_path))


def test_validation_errors_never_echo_a_secret(tmp_path):
    # A wrong type near an inline secret must not make the secret appear in the message.
    text = '[tenants.acme]\nprovider = "placeos"\nbase_url = 5\napi_key = "hunter2-unique"\n'
    err = config_error(write(tmp_path / "config.toml", text))
    assert "hunter2-unique" not in str(err)
    assert "tenants.acme.base_url" in str(err)


# ------------------------------------------------------------------------------ inline secrets and file modes


INLINE = '[tenants.acme]\nprovider = "placeos"\nbase_url = "https://a.example"\napi_key = "hunter2-unique"\n'


@posix_only
def test_inline_secret_refused_in_a_world_readable_file(tmp_path):
    path = write(tmp_path / "config.toml", INLINE, mode=0o644)
    err = config_error(path)
    text = str(err)
    assert "tenants.acme.api_key" in text
    assert f"chmod 600 {path}" in text
    assert "hunter2-unique" not in text
    assert err.key == "tenants.acme.api_key"


@posix_only
def test_inline_secret_refused_in_a_group_readable_file(tmp_path):
    path = write(tmp_path / "config.toml", INLINE + '[kiosk]\npin = "2468"\n', mode=0o640)
    lines = config_error(path).message.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["tenants.acme.api_key", "kiosk.pin"]


@posix_only
def test_inline_secret_accepted_in_an_owner_only_file(tmp_path):
    path = write(tmp_path / "config.toml", INLINE, mode=0o600)
    _, acme = load_config(path).tenant("acme")
    assert isinstance(acme, PlaceOSSettings) and acme.api_key is not None
    assert acme.api_key.resolve() == "hunter2-unique"


@posix_only
def test_references_are_fine_in_a_world_readable_file(tmp_path):
    path = write(tmp_path / "config.toml", FULL, mode=0o644)
    assert load_config(path).default_tenant == "acme"


# ------------------------------------------------------------------------------ display


def test_display_dict_is_json_and_leaks_no_secret(tmp_path):
    text = INLINE + '[kiosk]\npin = "2468-unique"\n[tenants.m]\nprovider = "graph"\ntenant_id = "t"\nclient_id = "c"\nclient_secret = "graph-secret-unique"\n'
    path = write(tmp_path / "config.toml", text, mode=0o600)
    config = load_config(path)
    shown = config_to_display_dict(config)
    dumped = json.dumps(shown)
    for secret in ("hunter2-unique", "2468-unique", "graph-secret-unique"):
        assert secret not in dumped
        assert secret not in repr(config)
    assert shown["tenants"]["acme"]["api_key"] == "<secret: inline>"
    assert shown["source"] == str(path)
    assert shown["ui"]["day_start"] == "07:00"


def test_display_dict_shows_references(tmp_path):
    config = load_config(write(tmp_path / "config.toml", FULL))
    shown = config_to_display_dict(config)
    json.dumps(shown)
    assert shown["tenants"]["acme"]["api_key"] == "<secret: env ACME_PLACEOS_KEY>"
    assert shown["tenants"]["gw"]["private_key"] == "<secret: command pass, 3 words>"
    assert shown["kiosk"]["pin"] == "<secret: env STAFFTERM_KIOSK_PIN>"
    assert shown["default_tenant"] == "acme"
    assert shown["ui"]["day_end"] == "18:00"


def test_built_in_default_displays_without_a_source():
    shown = config_to_display_dict(load_config())
    assert shown["source"] is None
    assert shown["tenants"]["demo"]["provider"] == "local"


def test_secret_refs_lists_every_secret_with_its_key(tmp_path):
    config = load_config(write(tmp_path / "config.toml", FULL))
    assert {key for key, _ in config.secret_refs()} == {
        "kiosk.pin", "tenants.acme.api_key", "tenants.m365.client_secret", "tenants.gw.private_key"
    }


# ------------------------------------------------------------------------------ static checks


def problems_by_key(config: Config) -> dict[str, tuple[str, str]]:
    return {p.key or "": (p.severity, p.message) for p in check_config(config)}


def test_check_reports_a_default_tenant_that_does_not_exist(tmp_path):
    config = load_config(write(tmp_path / "c.toml", 'default_tenant = "gone"\n[tenants.a]\nprovider = "local"\n'))
    severity, message = problems_by_key(config)["default_tenant"]
    assert severity == "error" and "'gone'" in message and "a" in message


def test_check_of_a_clean_config_finds_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("ACME_KEY", "x")
    text = '[tenants.acme]\nprovider = "placeos"\nbase_url = "https://a.example"\napi_key = { env = "ACME_KEY" }\n'
    assert check_config(load_config(write(tmp_path / "c.toml", text))) == []
    assert check_config(load_config()) == []


def test_check_warns_about_unreachable_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("ACME_PLACEOS_KEY", raising=False)
    monkeypatch.delenv("STAFFTERM_KIOSK_PIN", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    config = load_config(write(tmp_path / "config.toml", FULL))
    found = problems_by_key(config)
    assert found["tenants.acme.api_key"] == ("warning", "the environment variable ACME_PLACEOS_KEY is not set here")
    assert "does not exist" in found["tenants.m365.client_secret"][1]
    assert "'pass' is not on PATH" in found["tenants.gw.private_key"][1]
    assert "kiosk.pin" in found


def test_check_of_a_secret_command_shows_only_a_showable_program_name(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    text = ('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://acme.example"\n'
            'api_key = { command = "VAULT_TOKEN=tok-9f8e7d-unique vault read acme" }\n')
    config = load_config(write(tmp_path / "config.toml", text))
    severity, message = problems_by_key(config)["tenants.acme.api_key"]
    assert severity == "warning" and "tok-9f8e7d-unique" not in message
    assert "does not start with a program name" in message


@posix_only
def test_check_warns_about_a_readable_secret_file(tmp_path):
    secret = write(tmp_path / "graph.secret", "x", mode=0o644)
    text = f'[tenants.m]\nprovider = "graph"\ntenant_id = "t"\nclient_id = "c"\nclient_secret = {{ file = "{secret}" }}\n'
    found = problems_by_key(load_config(write(tmp_path / "c.toml", text)))
    assert "chmod 600" in found["tenants.m.client_secret"][1]


@posix_only
def test_check_reports_inline_secrets_once_the_file_became_readable(tmp_path):
    path = write(tmp_path / "config.toml", INLINE, mode=0o600)
    config = load_config(path)
    os.chmod(path, 0o644)
    severity, message = problems_by_key(config)["tenants.acme.api_key"]
    assert severity == "error" and f"chmod 600 {path}" in message


def test_check_warns_about_plain_http_and_unchecked_tls(tmp_path, monkeypatch):
    monkeypatch.setenv("K", "x")
    text = (
        '[tenants.acme]\nprovider = "placeos"\nbase_url = "http://acme.example"\napi_key = { env = "K" }\nverify_tls = false\n'
        '[tenants.fake]\nprovider = "placeos"\nbase_url = "http://127.0.0.1:8080"\napi_key = { env = "K" }\n'
    )
    found = problems_by_key(load_config(write(tmp_path / "c.toml", text)))
    assert found["tenants.acme.base_url"][0] == "warning"
    assert "tenants.acme.verify_tls" in found
    assert "tenants.fake.base_url" not in found  # a loopback test server is fine


def test_check_problem_renders_file_key_and_message(tmp_path):
    config = load_config(write(tmp_path / "c.toml", 'default_tenant = "gone"\n[tenants.a]\nprovider = "local"\n'))
    problem = check_config(config)[0]
    assert str(problem).startswith(f"{tmp_path / 'c.toml'}: default_tenant: ")
    assert problem.to_json_dict()["severity"] == "error"


def test_importing_config_does_not_import_textual():
    code = "import sys, staffterm.config, staffterm.secrets; print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'msal', 'google')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2])))
    assert out.stdout.strip() == "[]"
