"""Finding, reading and validating the config file, with messages that name file and key."""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from staffterm import paths
from staffterm.backends.registry import PROVIDER_NAMES
from staffterm.config.checks import file_mode, inline_secret_problems
from staffterm.config.models import (
    Config,
    KioskConfig,
    MailConfig,
    UiConfig,
    default_config,
)
from staffterm.config.providers import (
    GoogleSettings,
    GraphSettings,
    LocalSettings,
    PlaceOSSettings,
)
from staffterm.errors import ConfigError

CONFIG_ENV = paths.CONFIG_ENV
CONFIG_FILE_NAME = paths.CONFIG_FILE_NAME
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def config_path(explicit: str | Path | None = None) -> Path:
    """``--config PATH`` wins, then ``$STAFFTERM_CONFIG``, else the user config dir's file."""
    return paths.config_file(explicit)


def default_config_file() -> Path:
    return paths.config_dir() / CONFIG_FILE_NAME


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate the config at ``config_path(path)``.

    A missing file at the default location gives the built-in demo config; a missing file
    anywhere else (named by ``--config`` or ``$STAFFTERM_CONFIG``) is an error.
    """
    target = config_path(path)
    if not target.exists() and not target.is_symlink():
        if target.absolute() != default_config_file().absolute():
            raise ConfigError(
                f"the config file {target} does not exist",
                path=str(target),
                hint=f"Check the --config path or ${CONFIG_ENV}, or create the file.",
            )
        return default_config()
    text = read_config_text(target)
    return parse_config_text(text, target, mode=file_mode(target))


def read_config_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory, not a config file", path=str(path)) from None
    except FileNotFoundError:
        raise ConfigError(f"the config file {path} does not exist (is it a broken link?)", path=str(path)) from None
    except PermissionError:
        raise ConfigError(f"{path}: cannot read the config file (permission denied)", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: the config file is not UTF-8 text (byte {exc.start})", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})", path=str(path)) from None


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively: a few hundred levels
        # exhaust Python's stack. No staffterm setting nests more than a few levels.
        raise ConfigError(
            f"{path}: not valid TOML (its lists or tables are nested too deeply)", path=str(path)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if match:
            where = f"{path}: line {match.group(1)}, column {match.group(2)}"
            message = message[: match.start()]
        else:
            where = str(path)
            message = message.replace(" (at end of document)", " at the end of the file")
        raise ConfigError(f"{where}: not valid TOML ({message})", path=str(path)) from None


def parse_config_text(text: str, path: Path, *, mode: int | None = None) -> Config:
    """Validate config text as if read from ``path`` (whose permission bits are ``mode``)."""
    raw = parse_toml(text, path)
    if "source" in raw:
        raise ConfigError(f"{path}: source: unknown key", path=str(path), key="source")
    try:
        config = Config.model_validate(raw, context={"base_dir": path.absolute().parent})
    except ValidationError as exc:
        problems = _format_errors(exc)
        lines = [f"{path}: {key}: {message}" if key else f"{path}: {message}" for key, message in problems]
        raise ConfigError("\n".join(lines), path=str(path), key=problems[0][0] or None) from None
    config.source = path
    exposed = inline_secret_problems(config, mode)
    if exposed:
        raise ConfigError("\n".join(str(p) for p in exposed), path=str(path), key=exposed[0].key)
    return config


# ---------------------------------------------------------------------------------------- messages

_FRIENDLY: dict[str, str] = {
    "missing": "is required",
    "string_type": "must be a string (in quotes)",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "list_type": "must be a list",
    "string_too_short": "must not be empty",
    "path_type": "must be a file path",
}


def _all_field_names() -> list[str]:
    models = (Config, UiConfig, KioskConfig, MailConfig, LocalSettings, PlaceOSSettings, GraphSettings, GoogleSettings)
    return sorted({name for model in models for name in model.model_fields})


def _format_errors(exc: ValidationError) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for err in exc.errors(include_input=False):
        loc = [str(p) for p in err["loc"]]
        # A tenant's errors carry the union tag (tenants.acme.placeos.base_url): drop it.
        if len(loc) >= 3 and loc[0] == "tenants" and loc[2] in PROVIDER_NAMES:
            del loc[2]
        # Validators on a field of dicts/lists report the field; nested position is in the message.
        loc = [p for p in loc if not p.startswith(("function-", "[key]"))]
        kind = err["type"]
        ctx = err.get("ctx") or {}
        message = str(err["msg"])
        if kind == "value_error":
            message = message.removeprefix("Value error, ")
            if message.startswith("@"):
                sub, _, message = message[1:].partition(": ")
                loc.extend(sub.split("."))
        elif kind == "extra_forbidden":
            close = difflib.get_close_matches(loc[-1] if loc else "", _all_field_names(), n=1)
            message = "unknown key" + (f"; did you mean {close[0]!r}?" if close else " (check the spelling)")
        elif kind == "union_tag_invalid":
            message = f"unknown provider {ctx.get('tag')!r}; use one of: {', '.join(PROVIDER_NAMES)}"
            loc.append("provider")
        elif kind == "union_tag_not_found":
            message = f"is required (one of: {', '.join(PROVIDER_NAMES)})"
            loc.append("provider")
        elif kind == "literal_error":
            message = f"must be one of {ctx.get('expected')}"
        elif kind in ("greater_than_equal", "greater_than"):
            message = f"must be at least {ctx.get('ge', ctx.get('gt'))}" + (" (exclusive)" if "gt" in ctx else "")
        elif kind in ("less_than_equal", "less_than"):
            message = f"must be at most {ctx.get('le', ctx.get('lt'))}"
        elif kind == "too_short":
            message = "must not be empty"
        else:
            message = _FRIENDLY.get(kind, message[:1].lower() + message[1:])
        out.append((".".join(p if _BARE.fullmatch(p) else f'"{p}"' for p in loc), message))
    return out

