"""Static checks of a loaded config (no network), and its secret-free display form."""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from staffterm.config.models import Config
from staffterm.config.providers import LocalSettings


def file_mode(path: Path) -> int | None:
    """Permission bits of ``path`` on POSIX, ``None`` where they mean nothing (Windows)."""
    if os.name != "posix":
        return None
    return stat.S_IMODE(path.stat().st_mode)


@dataclass(frozen=True)
class ConfigProblem:
    """One finding of ``check_config``: ``error`` stops a tenant working, ``warning`` is risky."""

    severity: Literal["error", "warning"]
    key: str | None
    message: str
    path: Path | None = None

    def __str__(self) -> str:
        parts = [str(self.path)] if self.path else []
        if self.key:
            parts.append(self.key)
        parts.append(self.message)
        return ": ".join(parts)

    def to_json_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "key": self.key, "message": self.message, "path": str(self.path) if self.path else None}


def inline_secret_problems(config: Config, mode: int | None) -> list[ConfigProblem]:
    """Inline secrets in a file that others can read (``mode`` is the file's permission bits)."""
    if config.source is None or mode is None or not mode & 0o077:
        return []
    return [
        ConfigProblem(
            "error",
            key,
            f"an inline secret is only allowed in a file only you can read, and this file is readable by others "
            f"(mode {mode:04o}); run `chmod 600 {config.source}` or give the secret by reference, "
            f'e.g. {{ env = "NAME" }}',
            config.source,
        )
        for key, ref in config.secret_refs()
        if ref.is_inline
    ]


def _loopback(host: str | None) -> bool:
    return host in ("localhost", "127.0.0.1", "::1") or bool(host and host.startswith("127."))


def check_config(config: Config) -> list[ConfigProblem]:
    """Static checks that need no network: what would break, or leak, when staffterm runs."""
    source = config.source
    problems: list[ConfigProblem] = []

    def add(severity: Literal["error", "warning"], key: str | None, message: str) -> None:
        problems.append(ConfigProblem(severity, key, message, source))

    if config.default_tenant not in config.tenants:
        add("error", "default_tenant", f"names no tenant {config.default_tenant!r}; known tenants: {', '.join(config.tenants)}")
    if source is not None and source.exists():
        problems.extend(inline_secret_problems(config, file_mode(source)))
    for key, ref in config.secret_refs():
        if ref.kind == "env" and not os.environ.get(ref.value):
            add("warning", key, f"the environment variable {ref.value} is not set here")
        elif ref.kind == "file":
            target = ref.file_path()
            assert target is not None
            if not target.is_file():
                add("warning", key, f"the secret file {target} does not exist")
            elif os.name == "posix" and stat.S_IMODE(target.stat().st_mode) & 0o077:
                add("warning", key, f"the secret file {target} is readable by others; run `chmod 600 {target}`")
        elif ref.kind == "command":
            # Only the program name is ever shown: the rest of a command line may hold a secret.
            program = ref.program
            if program is None:
                add("warning", key, "the secret command does not start with a program name (it is run without a "
                    "shell, so NAME=value prefixes and unbalanced quotes do not work)")
            elif shutil.which(program) is None:
                add("warning", key, f"the secret command {program!r} is not on PATH")
    for name, settings in config.tenants.items():
        if isinstance(settings, LocalSettings):
            continue
        if not settings.verify_tls:
            add("warning", f"tenants.{name}.verify_tls",
                "TLS certificates are not checked; anyone on the network path can read the credentials")
        for field_name in ("base_url", "authority_host", "graph_url", "calendar_url", "directory_url", "token_url"):
            url = getattr(settings, field_name, None)
            if url and url.startswith("http://") and not _loopback(urlsplit(url).hostname):
                add("warning", f"tenants.{name}.{field_name}", "uses plain http://; credentials would travel unencrypted")
    return problems


# ---------------------------------------------------------------------------------------- display and edits


def config_to_display_dict(config: Config) -> dict[str, Any]:
    """Everything JSON-able for ``staffterm config show``: secrets only by reference."""
    shown = config.model_dump(mode="json")
    return {"source": str(config.source) if config.source else None, **shown}

