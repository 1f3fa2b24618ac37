"""Secrets in the configuration: given inline or by reference, never shown.

In ``config.toml`` a secret is either an inline string (allowed only in a file that only its
owner can read) or a table with exactly one of::

    api_key = { env = "ACME_PLACEOS_KEY" }            # an environment variable
    password = { command = "pass show placeos" }      # a command that prints it
    client_secret = { file = "~/.config/staffterm/graph.secret" }   # a file holding it

A ``SecretRef`` only says where the secret lives; ``resolve()`` fetches it. Its ``repr``,
``str`` and every ``model_dump`` show the reference (``<secret: env ACME_PLACEOS_KEY>``) and
never an inline value, so configs can be printed, logged and dumped as JSON safely. A command
line can carry a secret too (``echo s3cr3t``, ``op read --session TOKEN``), so a command is
shown only by its program name and length (``<secret: command pass, 3 words>``), and a command
that fails is reported by its exit status alone: its output, on stdout or stderr, may hold the
secret or part of it and is never shown.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_serializer, model_validator

from staffterm.errors import ConfigError

SecretKind = Literal["inline", "env", "command", "file"]
REFERENCE_KINDS: tuple[str, ...] = ("env", "command", "file")
COMMAND_TIMEOUT_SECONDS = 10
_DISPLAY_PREFIX = "<secret:"


class SecretRef(BaseModel):
    """Where a secret lives. Build from TOML (a string or ``{env|command|file = ...}``) or with
    the ``inline`` / ``from_env`` / ``from_command`` / ``from_file`` constructors."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    kind: SecretKind
    value: str = Field(repr=False, min_length=1)
    # Relative ``file`` references are read relative to the config file that named them.
    _base_dir: Path | None = PrivateAttr(default=None)

    # ------------------------------------------------------------------ construction

    @classmethod
    def inline(cls, secret: str) -> SecretRef:
        return cls(kind="inline", value=secret)

    @classmethod
    def from_env(cls, variable: str) -> SecretRef:
        return cls(kind="env", value=variable)

    @classmethod
    def from_command(cls, command: str) -> SecretRef:
        return cls(kind="command", value=command)

    @classmethod
    def from_file(cls, path: str | Path) -> SecretRef:
        return cls(kind="file", value=str(path))

    @model_validator(mode="before")
    @classmethod
    def _from_toml(cls, data: Any) -> Any:
        if isinstance(data, SecretRef):
            return data
        if isinstance(data, str):
            if data.startswith(_DISPLAY_PREFIX) and data.endswith(">"):
                raise ValueError(
                    "this is the redacted display of a secret, not the secret itself; "
                    "give the real value or a reference like { env = \"NAME\" }"
                )
            if not data:
                raise ValueError("the secret is empty")
            return {"kind": "inline", "value": data}
        if isinstance(data, dict):
            if set(data) == {"kind", "value"}:
                return data
            keys = sorted(str(k) for k in data)
            refs = [k for k in keys if k in REFERENCE_KINDS]
            unknown = [k for k in keys if k not in REFERENCE_KINDS]
            if unknown:
                raise ValueError(f"unknown key {unknown[0]!r} in a secret; use exactly one of env, command, file")
            if len(refs) != 1:
                raise ValueError("a secret table needs exactly one of env, command, file")
            kind = refs[0]
            value = data[kind]
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{kind} must be a non-empty string")
            return {"kind": kind, "value": value.strip() if kind != "command" else value}
        raise ValueError("must be a string or a table with exactly one of env, command, file")

    @model_validator(mode="after")
    def _remember_base_dir(self, info: ValidationInfo) -> SecretRef:
        context = info.context if isinstance(info.context, dict) else {}
        base_dir = context.get("base_dir")
        if base_dir is not None:
            self._base_dir = Path(base_dir)
        return self

    # ------------------------------------------------------------------ display, never the value

    def describe(self) -> str:
        if self.kind == "inline":
            return "<secret: inline>"
        if self.kind == "command":
            return f"<secret: {_command_summary(self.value)}>"
        return f"<secret: {self.kind} {self.value}>"

    @property
    def program(self) -> str | None:
        """A ``command`` reference's program as it may be shown (None if it should not be)."""
        if self.kind != "command":
            return None
        try:
            argv = shlex.split(self.value)
        except ValueError:
            return None
        return _showable_program(argv)

    def __repr__(self) -> str:
        return self.describe()

    __str__ = __repr__

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # pydantic's rich/devtools reprs are built from this; keep them value-free too.
        yield None, self.describe()

    @model_serializer(mode="plain")
    def _serialize(self) -> str:
        return self.describe()

    @property
    def is_inline(self) -> bool:
        return self.kind == "inline"

    def to_config_value(self) -> str | dict[str, str]:
        """The TOML value that declares this secret (an inline secret's value itself).

        Only for writing a config file; never for display.
        """
        if self.kind == "inline":
            return self.value
        return {self.kind: self.value}

    # ------------------------------------------------------------------ resolution

    def file_path(self) -> Path | None:
        """Where a ``file`` reference points (``~`` expanded, relative to the config file)."""
        if self.kind != "file":
            return None
        path = Path(self.value).expanduser()
        if not path.is_absolute() and self._base_dir is not None:
            path = self._base_dir / path
        return path

    def resolve(self) -> str:
        """Fetch the secret. Raises ``ConfigError`` saying what to fix; never shows the secret."""
        if self.kind == "inline":
            return self.value
        if self.kind == "env":
            return self._resolve_env()
        if self.kind == "command":
            return self._resolve_command()
        return self._resolve_file()

    def _resolve_env(self) -> str:
        secret = os.environ.get(self.value)
        if secret is None:
            raise ConfigError(
                f"the environment variable {self.value} is not set",
                hint=f"Set {self.value} before starting staffterm, or reference the secret another way.",
            )
        if not secret:
            raise ConfigError(f"the environment variable {self.value} is empty", hint=f"Put the secret in {self.value}.")
        return secret

    def _resolve_command(self) -> str:
        try:
            argv = shlex.split(self.value)
        except ValueError as exc:
            raise ConfigError(f"the secret command cannot be parsed ({exc})", hint="Check its quoting.") from None
        if not argv:
            raise ConfigError("the secret command is empty")
        shown = _showable_program(argv)
        program = repr(shown) if shown else "(its program name is not shown)"
        try:
            result = subprocess.run(argv, capture_output=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False)
        except FileNotFoundError:
            raise ConfigError(f"the secret command {program} was not found", hint="Check that it is installed and on PATH.") from None
        except PermissionError:
            raise ConfigError(f"the secret command {program} cannot be run (permission denied)") from None
        except subprocess.TimeoutExpired:
            raise ConfigError(
                f"the secret command {program} did not finish within {COMMAND_TIMEOUT_SECONDS} s",
                hint="It may be waiting for input; unlock its keyring or agent first.",
            ) from None
        if result.returncode != 0:
            # Neither stdout nor stderr is shown, not even redacted: either may hold the secret or
            # a part of it (a vault echoing a token it refuses), which no redaction can recognise.
            if result.returncode < 0:
                what = f"was stopped by signal {-result.returncode}"
            else:
                what = f"failed with exit status {result.returncode}"
            raise ConfigError(
                f"the secret command {program} {what}",
                hint="Run the command yourself to see why; its output is not shown here, as it may hold the secret.",
            )
        stdout = result.stdout.decode("utf-8", errors="replace")
        secret = stdout.rstrip("\r\n")
        if not secret:
            raise ConfigError(f"the secret command {program} printed nothing")
        return secret

    def _resolve_file(self) -> str:
        path = self.file_path()
        assert path is not None
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"the secret file {path} does not exist", path=str(path)) from None
        except IsADirectoryError:
            raise ConfigError(f"the secret file {path} is a directory", path=str(path)) from None
        except PermissionError:
            raise ConfigError(f"the secret file {path} cannot be read (permission denied)", path=str(path)) from None
        except UnicodeDecodeError:
            raise ConfigError(f"the secret file {path} is not UTF-8 text", path=str(path)) from None
        secret = text.rstrip("\r\n")
        if not secret:
            raise ConfigError(f"the secret file {path} is empty", path=str(path))
        return secret


def _showable_program(argv: list[str]) -> str | None:
    """The program of a command line, if it can be shown: not an assignment (``TOKEN=…``)."""
    if not argv or not argv[0] or "=" in argv[0]:
        return None
    return argv[0]


def _command_summary(command: str) -> str:
    """A command reference for display: its program and how many words it has, never its arguments."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return "command, cannot be parsed"
    program = _showable_program(argv)
    words = f"{len(argv)} word" + ("" if len(argv) == 1 else "s")
    return f"command {program}, {words}" if program else f"command, {words}"


def iter_secret_refs(node: Any, prefix: str = "") -> Iterator[tuple[str, SecretRef]]:
    """Every ``SecretRef`` inside a model/dict/list, with its dotted key (``tenants.acme.api_key``)."""
    if isinstance(node, SecretRef):
        yield prefix, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from iter_secret_refs(getattr(node, name), f"{prefix}.{name}" if prefix else name)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from iter_secret_refs(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            yield from iter_secret_refs(value, f"{prefix}[{index}]")
