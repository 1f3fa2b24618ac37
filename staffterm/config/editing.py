"""Adding and removing tenants in the config file without disturbing the rest of it.

tomllib only reads, so edits are textual: a new tenant is appended as a ``[tenants.NAME]``
section written by a tiny TOML writer (strings, numbers, booleans, lists, inline tables), and a
tenant is removed by cutting its section(s) out. The user's other lines and comments stay as
they are. Before the file is replaced, the edited text is parsed and compared with the old one
(exactly one tenant added or removed, nothing else changed) and validated like a load; then it
is written to a temporary file and moved into place, so a failed edit changes nothing.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any

from staffterm.backends.registry import PROVIDER_NAMES
from staffterm.config.checks import file_mode
from staffterm.config.loading import parse_config_text, parse_toml, read_config_text
from staffterm.config.models import DEMO_TENANT, TENANT_NAME_PATTERN, Config
from staffterm.errors import ConfigError
from staffterm.files import write_atomically
from staffterm.secrets import SecretRef

NEW_FILE_MODE = 0o600
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


# ---------------------------------------------------------------------------------------- writing TOML


def toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(value: Any, key: str = "value") -> str:
    """One TOML value (inline form). ``key`` only names the value in an error."""
    if isinstance(value, SecretRef):
        value = value.to_config_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, Path):
        return toml_string(str(value))
    if isinstance(value, time):
        return toml_string(value.strftime("%H:%M"))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v, key) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = ", ".join(f"{toml_key(str(k))} = {toml_value(v, f'{key}.{k}')}" for k, v in value.items() if v is not None)
        return "{ " + items + " }"
    raise ConfigError(f"{key}: cannot write a value of type {type(value).__name__} to the config file", key=key)


def tenant_section(name: str, provider: str, settings: Mapping[str, Any], newline: str = "\n") -> str:
    """``[tenants.NAME]`` with ``provider`` first; ``None`` settings are left out."""
    lines = [f"[tenants.{toml_key(name)}]", f"provider = {toml_string(provider)}"]
    for key, value in settings.items():
        if key == "provider" or value is None:
            continue
        lines.append(f"{toml_key(key)} = {toml_value(value, f'tenants.{name}.{key}')}")
    return newline.join(lines) + newline


# ---------------------------------------------------------------------------------------- finding sections


def _parse_header(line: str) -> tuple[str, ...] | None:
    """The dotted key of a ``[table]`` / ``[[array]]`` header line, or None if it is not one."""
    s = line.strip()
    double = s.startswith("[[")
    i = 2 if double else 1
    parts: list[str] = []
    while True:
        while i < len(s) and s[i] in " \t":
            i += 1
        if i >= len(s):
            return None
        if s[i] == '"':
            end = i + 1
            while end < len(s) and s[end] != '"':
                end += 2 if s[end] == "\\" else 1
            if end >= len(s):
                return None
            try:
                parts.append(json.loads(s[i : end + 1]))
            except ValueError:
                return None
            i = end + 1
        elif s[i] == "'":
            end = s.find("'", i + 1)
            if end < 0:
                return None
            parts.append(s[i + 1 : end])
            i = end + 1
        else:
            match = _BARE_KEY.match(s, i)
            if not match:
                return None
            parts.append(match.group())
            i = match.end()
        while i < len(s) and s[i] in " \t":
            i += 1
        if s.startswith("]]" if double else "]", i):
            rest = s[i + (2 if double else 1) :].strip()
            return tuple(parts) if not rest or rest.startswith("#") else None
        if i < len(s) and s[i] == ".":
            i += 1
            continue
        return None


def table_headers(lines: list[str]) -> list[tuple[int, tuple[str, ...]]]:
    """(line index, dotted key) of every table header, skipping multi-line strings and arrays."""
    headers: list[tuple[int, tuple[str, ...]]] = []
    open_string: str | None = None  # '"""' or "'''" while inside a multi-line string
    depth = 0  # brackets/braces open in a value that spans lines
    for index, line in enumerate(lines):
        if open_string is None and depth == 0 and line.lstrip().startswith("["):
            key = _parse_header(line)
            if key is not None:
                headers.append((index, key))
                continue
        j = 0
        while j < len(line):
            if open_string is not None:
                if open_string == '"""' and line[j] == "\\":
                    j += 2
                    continue
                if line.startswith(open_string, j):
                    j += 3
                    while j < len(line) and line[j] == open_string[0]:
                        j += 1
                    open_string = None
                    continue
                j += 1
                continue
            ch = line[j]
            if ch == "#":
                break
            if line.startswith('"""', j) or line.startswith("'''", j):
                open_string = line[j : j + 3]
                j += 3
                continue
            if ch in "\"'":
                j += 1
                while j < len(line) and line[j] != ch and line[j] not in "\r\n":
                    j += 2 if (ch == '"' and line[j] == "\\") else 1
                j += 1
                continue
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                depth = max(0, depth - 1)
            j += 1
    return headers


def _attached_start(lines: list[str], index: int) -> int:
    """A header's comment block directly above it (no blank line between) belongs to it."""
    while index > 0 and lines[index - 1].lstrip().startswith("#"):
        index -= 1
    return index


def _without_tenant_sections(lines: list[str], name: str) -> list[str]:
    headers = table_headers(lines)
    spans: list[tuple[int, int]] = []
    for position, (index, key) in enumerate(headers):
        if key[:2] != ("tenants", name):
            continue
        end = _attached_start(lines, headers[position + 1][0]) if position + 1 < len(headers) else len(lines)
        spans.append((_attached_start(lines, index), end))
    kept = list(lines)
    for start, end in reversed(spans):
        del kept[start:end]
        # Do not leave two blank lines (or a trailing blank line) where the section was.
        if start > 0 and not kept[start - 1].strip() and (start == len(kept) or not kept[start].strip()):
            del kept[start - 1]
    return kept


# ---------------------------------------------------------------------------------------- the edits


def _real_target(path: str | Path) -> Path:
    path = Path(path).expanduser()
    # Editing through a symlink (dotfiles) must update the file it points at, not replace the link.
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _tenants_of(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    tenants = raw.get("tenants", {})
    if not isinstance(tenants, dict):
        raise ConfigError(f"{path}: tenants: must be a table", path=str(path), key="tenants")
    return tenants


def _refuse_unsafe_edit(path: Path, what: str) -> ConfigError:
    return ConfigError(
        f"{path}: cannot {what} automatically without changing other settings; nothing was changed",
        path=str(path),
        key="tenants",
        hint="Edit the file by hand.",
    )


def add_tenant(path: str | Path, name: str, provider: str, settings: Mapping[str, Any]) -> Config:
    """Append tenant ``name`` to the config file at ``path`` (created with mode 0600 if missing).

    A new file holds only this tenant, so it replaces the built-in demo site as the default.
    Returns the config as it now loads. Refuses (changing nothing) a bad name, a tenant that
    already exists, or settings that would not validate.
    """
    target = _real_target(path)
    if not TENANT_NAME_PATTERN.fullmatch(name or ""):
        raise ConfigError(
            f"tenant name {name!r} may use only letters, digits, '-' and '_' (at most 64, starting with a letter or digit)",
            path=str(target),
            key="tenants",
        )
    if provider not in PROVIDER_NAMES:
        raise ConfigError(
            f"unknown provider {provider!r}", path=str(target), key=f"tenants.{name}.provider",
            hint=f"Use one of: {', '.join(PROVIDER_NAMES)}."
        )
    if settings.get("provider", provider) != provider:
        raise ConfigError(
            f"tenants.{name}.provider: the settings say {settings['provider']!r} but the provider is {provider!r}",
            path=str(target),
            key=f"tenants.{name}.provider",
        )
    exists = target.exists()
    old_text = read_config_text(target) if exists else ""
    old_raw = parse_toml(old_text, target)
    if name in _tenants_of(old_raw, target):
        raise ConfigError(
            f"{target}: tenants.{name}: a tenant with this name already exists",
            path=str(target),
            key=f"tenants.{name}",
            hint=f"Choose another name, or remove it first with `staffterm tenant remove {name}`.",
        )
    newline = _newline_of(old_text)
    section = tenant_section(name, provider, settings, newline)
    prefix = old_text
    if prefix and not prefix.endswith(("\n", "\r")):
        prefix += newline
    if prefix.strip():
        prefix += newline
    new_text = prefix + section

    new_raw = parse_toml(new_text, target)
    new_tenants = _tenants_of(new_raw, target)
    added = new_tenants.pop(name, None)
    if not new_tenants and "tenants" not in old_raw:
        new_raw.pop("tenants", None)
    if added != parse_toml(section, target)["tenants"][name] or new_raw != old_raw:
        raise _refuse_unsafe_edit(target, f"add tenant {name!r}")
    mode = (file_mode(target) if exists else NEW_FILE_MODE) or NEW_FILE_MODE
    config = parse_config_text(new_text, target, mode=mode)
    write_atomically(target, new_text, mode)
    return config


def remove_tenant(path: str | Path, name: str) -> Config:
    """Remove tenant ``name`` (its ``[tenants.NAME]`` section and sub-tables) from the file.

    Refuses (changing nothing) an unknown tenant, the last tenant, and the ``default_tenant``.
    Returns the config as it now loads.
    """
    target = _real_target(path)
    if not target.exists():
        raise ConfigError(
            f"the config file {target} does not exist, so there is no tenant to remove",
            path=str(target),
            hint=f"Without a config file staffterm runs only the built-in {DEMO_TENANT!r} site.",
        )
    old_text = read_config_text(target)
    old_raw = parse_toml(old_text, target)
    tenants = _tenants_of(old_raw, target)
    if name not in tenants:
        known = ", ".join(tenants) or "none"
        raise ConfigError(f"{target}: there is no tenant {name!r}", path=str(target), key=f"tenants.{name}",
                          hint=f"Known tenants: {known}.")
    if len(tenants) == 1:
        raise ConfigError(
            f"{target}: tenants.{name}: cannot remove the last tenant",
            path=str(target),
            key=f"tenants.{name}",
            hint="Add another tenant first, or delete the config file to return to the demo site.",
        )
    if old_raw.get("default_tenant") == name:
        raise ConfigError(
            f"{target}: default_tenant: {name!r} is the default tenant",
            path=str(target),
            key="default_tenant",
            hint="Set default_tenant to another tenant first.",
        )
    new_text = "".join(_without_tenant_sections(old_text.splitlines(keepends=True), name))

    new_raw = parse_toml(new_text, target)
    expected = dict(old_raw, tenants={k: v for k, v in tenants.items() if k != name})
    if new_raw != expected:
        raise _refuse_unsafe_edit(target, f"remove tenant {name!r}")
    mode = file_mode(target) or NEW_FILE_MODE
    config = parse_config_text(new_text, target, mode=mode)
    write_atomically(target, new_text, mode)
    return config
