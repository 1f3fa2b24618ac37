"""Secrets: given inline or by env/command/file, resolved on demand, never shown."""

from __future__ import annotations

import json
import shlex
import sys

import pytest
from pydantic import BaseModel, ValidationError

from staffterm.errors import ConfigError
from staffterm.http.redaction import redact
from staffterm.secrets import SecretRef, iter_secret_refs

SECRET = "s3cr3t-Value-42"


def python_command(code: str) -> str:
    return shlex.join([sys.executable, "-c", code])


class Holder(BaseModel):
    key: SecretRef
    others: dict[str, SecretRef] = {}


# ------------------------------------------------------------------------------ parsing


def test_a_string_is_an_inline_secret():
    ref = SecretRef.model_validate(SECRET)
    assert ref.kind == "inline" and ref.is_inline
    assert ref.resolve() == SECRET


@pytest.mark.parametrize("kind", ["env", "command", "file"])
def test_a_table_names_one_reference(kind):
    ref = SecretRef.model_validate({kind: "something"})
    assert ref.kind == kind
    assert ref.value == "something"
    assert not ref.is_inline


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"env": "A", "file": "b"}, "exactly one of env, command, file"),
        ({}, "exactly one of env, command, file"),
        ({"envv": "A"}, "unknown key 'envv'"),
        ({"env": ""}, "env must be a non-empty string"),
        ({"env": 5}, "env must be a non-empty string"),
        (42, "must be a string or a table"),
        ("", "the secret is empty"),
        ("<secret: env ACME_KEY>", "redacted display of a secret"),
    ],
)
def test_malformed_secrets_are_refused_with_a_reason(data, expected):
    with pytest.raises(ValidationError) as info:
        SecretRef.model_validate(data)
    assert expected in str(info.value)


def test_a_redacted_dump_cannot_come_back_as_a_secret():
    dumped = Holder(key={"env": "ACME_KEY"}).model_dump()
    with pytest.raises(ValidationError, match="redacted display"):
        Holder.model_validate(dumped)


# ------------------------------------------------------------------------------ never shown


@pytest.mark.parametrize(
    "ref, shown",
    [
        (SecretRef.inline(SECRET), "<secret: inline>"),
        (SecretRef.from_env("ACME_KEY"), "<secret: env ACME_KEY>"),
        (SecretRef.from_command("pass show acme"), "<secret: command pass, 3 words>"),
        (SecretRef.from_command("echo s3cr3t-in-the-command"), "<secret: command echo, 2 words>"),
        (SecretRef.from_command("/usr/bin/op read op://vault/acme"), "<secret: command /usr/bin/op, 3 words>"),
        # A first word that is not a program name (an assignment, bad quoting) is not shown either.
        (SecretRef.from_command("TOKEN=abc123 pass show"), "<secret: command, 3 words>"),
        (SecretRef.from_command('echo "unterminated s3cr3t'), "<secret: command, cannot be parsed>"),
        (SecretRef.from_file("~/acme.secret"), "<secret: file ~/acme.secret>"),
    ],
)
def test_repr_str_and_dumps_show_only_the_reference(ref, shown):
    assert repr(ref) == shown
    assert str(ref) == shown
    assert f"{ref}" == shown
    assert ref.model_dump() == shown
    assert ref.model_dump(mode="json") == shown
    assert ref.model_dump_json() == json.dumps(shown)


def test_an_inline_secret_never_leaks_through_a_containing_model():
    holder = Holder(key=SECRET, others={"pin": "98765-unique"})
    for text in (
        repr(holder),
        str(holder),
        holder.model_dump_json(),
        json.dumps(holder.model_dump(mode="json")),
        str(holder.model_dump()),
        repr(list(holder.__repr_args__())),
    ):
        assert SECRET not in text
        assert "98765-unique" not in text
        assert "<secret: inline>" in text


def test_to_config_value_gives_back_what_declares_the_secret():
    assert SecretRef.inline(SECRET).to_config_value() == SECRET
    assert SecretRef.from_env("X").to_config_value() == {"env": "X"}


# ------------------------------------------------------------------------------ resolving


def test_env_secret_resolves(monkeypatch):
    monkeypatch.setenv("STAFFTERM_TEST_SECRET", SECRET)
    assert SecretRef.from_env("STAFFTERM_TEST_SECRET").resolve() == SECRET


def test_missing_env_variable_is_named(monkeypatch):
    monkeypatch.delenv("STAFFTERM_TEST_MISSING", raising=False)
    with pytest.raises(ConfigError, match="STAFFTERM_TEST_MISSING is not set"):
        SecretRef.from_env("STAFFTERM_TEST_MISSING").resolve()


def test_empty_env_variable_is_refused(monkeypatch):
    monkeypatch.setenv("STAFFTERM_TEST_EMPTY", "")
    with pytest.raises(ConfigError, match="STAFFTERM_TEST_EMPTY is empty"):
        SecretRef.from_env("STAFFTERM_TEST_EMPTY").resolve()


def test_command_secret_resolves_without_its_trailing_newline():
    ref = SecretRef.from_command(python_command(f"print({SECRET!r})"))
    assert ref.resolve() == SECRET


@pytest.mark.parametrize(
    "code",
    [
        # The secret on stdout, a hint of it on stderr: neither is shown.
        f"import sys; print({SECRET!r}); sys.stderr.write('vault is sealed\\n'); sys.exit(3)",
        # A partial secret on stderr, which no redaction of stdout would catch.
        f"import sys; sys.stderr.write('bad token ' + {SECRET!r}[:-3] + '\\n'); sys.exit(3)",
    ],
)
def test_a_failing_command_shows_its_exit_status_and_a_hint_never_its_output(code):
    with pytest.raises(ConfigError) as info:
        SecretRef.from_command(python_command(code)).resolve()
    shown = json.dumps(info.value.to_json_dict()) + str(info.value)
    assert SECRET[:-3] not in shown
    assert "vault is sealed" not in shown and "bad token" not in shown
    assert "failed with exit status 3" in info.value.message
    assert "run the command yourself" in info.value.hint.lower()


def test_a_command_stopped_by_a_signal_says_so():
    code = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    with pytest.raises(ConfigError, match="stopped by signal 15"):
        SecretRef.from_command(python_command(code)).resolve()


def test_unknown_command_is_reported():
    with pytest.raises(ConfigError, match="not found"):
        SecretRef.from_command("staffterm-no-such-program-xyz --flag").resolve()


def test_command_printing_nothing_is_refused():
    with pytest.raises(ConfigError, match="printed nothing"):
        SecretRef.from_command(python_command("pass")).resolve()


def test_unparsable_command_is_refused():
    with pytest.raises(ConfigError, match="cannot be parsed"):
        SecretRef.from_command('echo "unterminated').resolve()


def test_file_secret_resolves_with_trailing_newline_stripped(tmp_path):
    secret_file = tmp_path / "acme.secret"
    secret_file.write_text(SECRET + "\n")
    assert SecretRef.from_file(secret_file).resolve() == SECRET


def test_file_secret_expands_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "key.txt").write_text(SECRET)
    assert SecretRef.from_file("~/key.txt").resolve() == SECRET


def test_relative_file_secret_is_read_beside_the_config(tmp_path, monkeypatch):
    (tmp_path / "graph.secret").write_text(SECRET + "\r\n")
    monkeypatch.chdir("/")
    ref = SecretRef.model_validate({"file": "graph.secret"}, context={"base_dir": tmp_path})
    assert ref.file_path() == tmp_path / "graph.secret"
    assert ref.resolve() == SECRET


def test_missing_secret_file_is_named(tmp_path):
    missing = tmp_path / "nope.secret"
    with pytest.raises(ConfigError, match="does not exist") as info:
        SecretRef.from_file(missing).resolve()
    assert str(missing) in str(info.value)


def test_empty_secret_file_is_refused(tmp_path):
    empty = tmp_path / "empty.secret"
    empty.write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        SecretRef.from_file(empty).resolve()


# ------------------------------------------------------------------------------ redact and walk


def test_redact_replaces_every_known_secret():
    text = f"token={SECRET} and again {SECRET}; pin 1234"
    assert redact(text, [SECRET, "1234", ""]) == "token=*** and again ***; pin ***"


def test_redact_prefers_the_longest_secret():
    assert redact("abcdef", ["abc", "abcdef"]) == "***"


def test_redact_with_no_secrets_changes_nothing():
    assert redact("nothing to hide", []) == "nothing to hide"


def test_iter_secret_refs_names_dotted_keys():
    holder = Holder(key={"env": "A"}, others={"pin": "1", "api": {"file": "/x"}})
    found = {key: ref.describe() for key, ref in iter_secret_refs(holder)}
    assert found == {"key": "<secret: env A>", "others.pin": "<secret: inline>", "others.api": "<secret: file /x>"}


def test_secret_ref_is_immutable():
    ref = SecretRef.from_env("A")
    with pytest.raises(ValidationError):
        ref.value = "B"  # type: ignore[misc]
