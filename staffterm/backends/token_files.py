"""Private files for cached tokens: written atomically, readable only by their owner (0600, in a
0700 directory), whichever provider caches what in them.

A cache file another user could read is made owner-only before it is read; an unreadable or
missing file reads as None (a cache is a convenience: signing in again always works).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("staffterm.http")


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
