"""Cached tokens in private files: written atomically, readable only by their owner (0600, in a
0700 directory), whichever provider caches what in them. ``TokenCache`` keeps one JSON token per
account key; a provider library with its own cache format (msal) uses the two file functions.

A cache file another user could read is made owner-only before it is read; an unreadable or
missing file reads as None (a cache is a convenience: signing in again always works).
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

log = logging.getLogger("staffterm.http")

_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def read_private_text(path: Path) -> str | None:
    """The file's text, or None when it is missing or unreadable."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, 0o600)
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("ignoring an unreadable token cache %s: %s", path,
                    getattr(exc, "strerror", None) or type(exc).__name__)
        return None


def write_private_text(path: Path, text: str) -> None:
    """Replace the file with ``text``, mode 0600 from the first byte (no moment at which another
    user could read it), through a temporary file so a crash never leaves half a cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:  # a shared data dir we do not own: the file's own mode still protects it
        pass
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # a leftover temp file may have had another mode
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            fd = -1
            handle.write(text)
        os.replace(temp, path)
    finally:
        if fd >= 0:
            os.close(fd)
        temp.unlink(missing_ok=True)


class TokenCache:
    """One JSON token per account under ``directory`` (``<key>.json``, mode 0600). The key is a hash
    the provider makes of who signs in where; what else a token carries is the provider's."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        if not _KEY_PATTERN.match(key):
            raise ValueError("token cache keys are hashes (letters, digits, '-' and '_')")
        return self.directory / f"{key}.json"

    def load(self, key: str) -> dict | None:
        """The cached token, or None when missing or unreadable (a corrupt file is ignored)."""
        path = self.path(key)
        text = read_private_text(path)
        if text is None:
            return None
        try:
            token = json.loads(text)
        except ValueError:
            log.warning("ignoring a corrupt token cache file %s; it will be replaced", path)
            return None
        if not isinstance(token, dict) or not isinstance(token.get("access_token"), str) or not token["access_token"]:
            log.warning("ignoring a token cache file without a token %s; it will be replaced", path)
            return None
        return token

    def save(self, key: str, token: dict) -> None:
        write_private_text(self.path(key), json.dumps(token))

    def clear(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


def default_token_cache() -> TokenCache:
    """The cache in the user data dir (``$STAFFTERM_DATA_DIR`` in tests)."""
    from staffterm.paths import data_dir

    return TokenCache(data_dir() / "tokens")
