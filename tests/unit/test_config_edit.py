"""add_tenant / remove_tenant: textual edits that keep the user's file, validated before writing."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from staffterm.config import GraphSettings, PlaceOSSettings, add_tenant, load_config, remove_tenant
from staffterm.config.editing import table_headers, tenant_section, toml_value
from staffterm.errors import ConfigError
from staffterm.secrets import SecretRef

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

ORIGINAL = """\
# staffterm config for the London office
default_tenant = "demo"   # the embedded site

[ui]
theme = "staffterm-dark"  # dark, for the night shift
refresh_seconds = 30

# The demo site, kept for training
[tenants.demo]
provider = "local"
demo = true
"""

MULTI = """\
# top comment
[tenants.demo]
provider = "local"
demo = true

# Acme's own small office
[tenants.acme]
provider = "local"
early_checkin_seconds = 600   # ten minutes
[tenants.acme.booking_limits]
# (sub-tables of a tenant go with it)
desk = 1

# Microsoft 365, the head office
[tenants.m365]
provider = "graph"
tenant_id = "t"
client_id = "c"
client_secret = { env = "GRAPH_SECRET" }

[mail.templates.visitor.checkin]
subject = "%{name} has arrived"
text = '''
[tenants.fake]
not a header: inside a multi-line string
'''
"""


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    monkeypatch.delenv("STAFFTERM_CONFIG", raising=False)
    for name in ("CONFIG_DIR", "DATA_DIR", "CACHE_DIR"):
        monkeypatch.setenv(f"STAFFTERM_{name}", str(tmp_path / "user" / name.lower()))


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    os.chmod(path, mode)
    return path


ACME = {"base_url": "https://acme.placeos.example", "api_key": {"env": "ACME_KEY"}, "timeout_seconds": 20}


# ------------------------------------------------------------------------------ add


def test_add_then_remove_round_trips_the_file_exactly(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL)
    config = add_tenant(path, "acme", "placeos", ACME)
    assert config.tenant_names() == ["demo", "acme"]
    text = path.read_text()
    assert text.startswith(ORIGINAL)  # nothing above was touched, comments included
    assert "[tenants.acme]" in text
    assert load_config(path).tenants["acme"] == config.tenants["acme"]

    remove_tenant(path, "acme")
    assert path.read_text() == ORIGINAL


def test_added_tenant_loads_with_its_settings(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL)
    add_tenant(path, "m365", "graph", {
        "tenant_id": "contoso",
        "client_id": "app",
        "client_secret": SecretRef.from_file("~/graph.secret"),
        "graph_url": "https://graph.microsoft.us",
        "rate_limit": 2.5,
        "verify_tls": False,
        "room_list": None,  # left out
    })
    settings = load_config(path).tenants["m365"]
    assert isinstance(settings, GraphSettings)
    assert (settings.client_secret.kind, settings.client_secret.value) == ("file", "~/graph.secret")
    assert settings.rate_limit == 2.5 and settings.verify_tls is False
    assert settings.room_list is None
    assert "room_list" not in path.read_text()


@posix_only
def test_add_creates_a_missing_file_owner_only(tmp_path):
    path = tmp_path / "new" / "config.toml"
    config = add_tenant(path, "acme", "placeos", ACME)
    assert path.exists()
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert config.tenant_names() == ["acme"]
    assert load_config(path).default_tenant == "acme"


@posix_only
def test_add_keeps_the_file_mode(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL, mode=0o640)
    add_tenant(path, "acme", "placeos", ACME)
    assert os.stat(path).st_mode & 0o777 == 0o640


@posix_only
def test_add_inline_secret_to_a_readable_file_is_refused_and_changes_nothing(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL, mode=0o644)
    with pytest.raises(ConfigError) as info:
        add_tenant(path, "acme", "placeos", {"base_url": "https://a.example", "api_key": "hunter2-unique"})
    assert f"chmod 600 {path}" in str(info.value)
    assert "hunter2-unique" not in str(info.value)
    assert path.read_text() == ORIGINAL


@posix_only
def test_add_inline_secret_to_an_owner_only_file_works(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL)
    add_tenant(path, "acme", "placeos", {"base_url": "https://a.example", "api_key": 'quote"and\\slash'})
    _, acme = load_config(path).tenant("acme")
    assert isinstance(acme, PlaceOSSettings) and acme.api_key is not None
    assert acme.api_key.resolve() == 'quote"and\\slash'


def test_add_duplicate_is_refused(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL)
    with pytest.raises(ConfigError, match="already exists") as info:
        add_tenant(path, "demo", "local", {})
    assert info.value.key == "tenants.demo"
    assert path.read_text() == ORIGINAL


def test_add_invalid_settings_is_refused_and_changes_nothing(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL)
    with pytest.raises(ConfigError) as info:
        add_tenant(path, "acme", "placeos", {"base_url": "acme.example", "api_key": {"env": "K"}})
    assert f"{path}: tenants.acme.base_url: must start with http:// or https://" in str(info.value)
    assert path.read_text() == ORIGINAL
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temp file left behind


@pytest.mark.parametrize("name", ["", "a b", "a.b", "-x", "x" * 65])
def test_add_bad_name_is_refused(tmp_path, name):
    path = write(tmp_path / "config.toml", ORIGINAL)
    with pytest.raises(ConfigError, match="tenant name"):
        add_tenant(path, name, "local", {})
    assert path.read_text() == ORIGINAL


def test_add_unknown_provider_is_refused(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL)
    with pytest.raises(ConfigError, match="unknown provider 'exchange'"):
        add_tenant(path, "x", "exchange", {})


def test_add_provider_mismatch_is_refused(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL)
    with pytest.raises(ConfigError, match="provider"):
        add_tenant(path, "x", "local", {"provider": "graph"})


def test_add_to_a_broken_file_is_refused(tmp_path):
    path = write(tmp_path / "config.toml", "[ui\n")
    with pytest.raises(ConfigError, match="line 1"):
        add_tenant(path, "x", "local", {})
    assert path.read_text() == "[ui\n"


def test_add_where_tenants_is_an_inline_table_is_refused(tmp_path):
    text = 'tenants = { demo = { provider = "local" } }\n'
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError):
        add_tenant(path, "acme", "placeos", ACME)
    assert path.read_text() == text


def test_add_to_a_file_without_final_newline(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL.rstrip("\n"))
    add_tenant(path, "office", "local", {"booking_limits": {"desk": 1}})
    assert load_config(path).tenant_names() == ["demo", "office"]


def test_add_keeps_windows_line_endings(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(ORIGINAL.replace("\n", "\r\n").encode())
    os.chmod(path, 0o600)
    add_tenant(path, "office", "local", {})
    data = path.read_bytes()
    assert b"[tenants.office]\r\nprovider = \"local\"\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


@posix_only
def test_add_through_a_symlink_edits_the_target(tmp_path):
    real = write(tmp_path / "dotfiles-config.toml", ORIGINAL)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    add_tenant(link, "office", "local", {})
    assert link.is_symlink()
    assert "[tenants.office]" in real.read_text()


# ------------------------------------------------------------------------------ remove


def test_remove_keeps_every_other_line_and_comment(tmp_path):
    path = write(tmp_path / "config.toml", MULTI)
    config = remove_tenant(path, "acme")
    assert config.tenant_names() == ["demo", "m365"]
    text = path.read_text()
    assert "acme" not in text.lower()
    assert "# Acme's own small office" not in text  # its own comment goes with it
    expected = MULTI.split("# Acme's own small office\n")[0] + "# Microsoft 365" + MULTI.split("# Microsoft 365", 1)[1]
    assert text == expected
    assert "# Microsoft 365, the head office" in text
    assert "not a header: inside a multi-line string" in text


def test_remove_the_last_section_in_the_file(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL + '\n[tenants.office]\nprovider = "local"\n')
    remove_tenant(path, "office")
    assert path.read_text() == ORIGINAL


def test_remove_unknown_tenant_lists_known_ones(tmp_path):
    path = write(tmp_path / "config.toml", MULTI)
    with pytest.raises(ConfigError, match="no tenant 'acne'") as info:
        remove_tenant(path, "acne")
    assert "demo, acme, m365" in str(info.value)
    assert path.read_text() == MULTI


def test_remove_the_last_tenant_is_refused(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL)
    with pytest.raises(ConfigError, match="last tenant"):
        remove_tenant(path, "demo")
    assert path.read_text() == ORIGINAL


def test_remove_the_default_tenant_is_refused(tmp_path):
    path = write(tmp_path / "config.toml", ORIGINAL)
    add_tenant(path, "office", "local", {})
    before = path.read_text()
    with pytest.raises(ConfigError, match="default tenant") as info:
        remove_tenant(path, "demo")
    assert info.value.key == "default_tenant"
    assert path.read_text() == before


def test_remove_from_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        remove_tenant(tmp_path / "nope.toml", "demo")


def test_remove_a_tenant_written_as_an_inline_table_is_refused(tmp_path):
    text = '[tenants]\ndemo = { provider = "local" }\noffice = { provider = "local" }\n'
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError, match="by hand"):
        remove_tenant(path, "office")
    assert path.read_text() == text


def test_remove_tenant_with_quoted_header(tmp_path):
    text = ORIGINAL + '\n[ tenants . "office" ]  # quoted and spaced\nprovider = "local"\n'
    path = write(tmp_path / "config.toml", text)
    remove_tenant(path, "office")
    assert path.read_text() == ORIGINAL


@posix_only
def test_remove_keeps_the_file_mode(tmp_path):
    path = write(tmp_path / "config.toml", MULTI, mode=0o640)
    remove_tenant(path, "m365")
    assert os.stat(path).st_mode & 0o777 == 0o640


# ------------------------------------------------------------------------------ the writer and scanner


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        'quote " backslash \\ tab \t newline \n bell \x07 unicode é',
        42,
        -1.5,
        True,
        ["a", "b"],
        {"env": "X"},
        {"desk": 1, "parking lot": 2},
        [],
        {},
    ],
)
def test_toml_value_round_trips_through_tomllib(value):
    assert tomllib.loads(f"k = {toml_value(value)}")["k"] == value


def test_toml_value_refuses_what_it_cannot_write():
    with pytest.raises(ConfigError, match="cannot write a value of type object"):
        toml_value(object(), "tenants.x.thing")


def test_tenant_section_puts_provider_first():
    text = tenant_section("office", "local", {"demo": True, "provider": "local"})
    assert text == '[tenants.office]\nprovider = "local"\ndemo = true\n'


def test_table_headers_skip_multiline_strings_and_arrays():
    lines = MULTI.splitlines(keepends=True) + ["scopes = [\n", "  [1, 2],\n", "]\n", "[last]\n"]
    keys = [key for _, key in table_headers(lines)]
    assert keys == [
        ("tenants", "demo"),
        ("tenants", "acme"),
        ("tenants", "acme", "booking_limits"),
        ("tenants", "m365"),
        ("mail", "templates", "visitor", "checkin"),
        ("last",),
    ]
