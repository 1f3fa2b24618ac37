"""Files the guest desk writes: visitor passes (SVG + PNG) and visitor logs (CSV).

Blocking file I/O: call these through ``asyncio.to_thread`` from a worker. Failures come back as
``InvalidInputError`` naming the path, so the dialog can show it and keep what was typed.
"""

from __future__ import annotations

import re
from datetime import date, tzinfo
from pathlib import Path
from typing import Any

from staffterm import paths
from staffterm.errors import InvalidInputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug(value: str, fallback: str = "guest") -> str:
    """A file-name-safe version of ``value`` (a name or an id)."""
    cleaned = _UNSAFE.sub("-", value.strip().lower()).strip("-.")
    return cleaned[:60] or fallback


def default_pass_dir() -> Path:
    return paths.cache_dir() / "passes"


def pass_file_stem(guest: Any) -> str:
    return f"pass-{slug(guest.name or guest.email)}-{slug(guest.id, 'visit')}"


def visitor_log_path(building_id: str | None, day: date) -> Path:
    return paths.data_dir() / "exports" / f"visitors-{slug(building_id or 'all', 'all')}-{day.isoformat()}.csv"


def _directory(raw: str | Path) -> Path:
    text = str(raw).strip()
    if not text:
        raise InvalidInputError("type a folder to save the pass in", field="directory")
    directory = Path(text).expanduser()
    if directory.exists() and not directory.is_dir():
        raise InvalidInputError(f"{directory} is a file, not a folder", field="directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInputError(f"cannot create the folder {directory}: {exc.strerror or exc}", field="directory") from None
    return directory


def save_pass_files(payload: str, directory: str | Path, stem: str) -> tuple[Path, Path]:
    """Write ``<stem>.svg`` and ``<stem>.png`` into ``directory`` (created if missing)."""
    from staffterm.services.qr import save_png, save_svg

    folder = _directory(directory)
    try:
        svg = save_svg(payload, folder / f"{stem}.svg")
        png = save_png(payload, folder / f"{stem}.png")
    except OSError as exc:
        raise InvalidInputError(f"cannot write the pass into {folder}: {exc.strerror or exc}", field="directory") from None
    return svg, png


def write_visitor_log(guests: list[Any], tz: tzinfo, target: Path) -> Path:
    """Write the visitor log CSV to ``target`` (its folder created if missing)."""
    from staffterm.services.reception import visitor_log_csv

    text = visitor_log_csv(guests, tz)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # The CSV already ends lines with CRLF (RFC 4180): write it byte for byte.
        with open(target, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise InvalidInputError(f"cannot write {target}: {exc.strerror or exc}", field="path") from None
    return target
