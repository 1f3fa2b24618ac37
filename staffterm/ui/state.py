"""What the console remembers between runs: the chosen theme, building and screen.

A tiny JSON file, ``<data dir>/ui-state.json``. Remembering is a convenience, so reading never
fails: a missing, unreadable or corrupt file (or one bad field) just means defaults. Writing is
atomic (temp file + ``os.replace``), so a crash or a second console writing at the same time
never leaves a half-written file, and the file is readable by its owner only.

Standard library only: the console reads this before its first paint.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from staffterm.errors import ConfigError, InvalidInputError
from staffterm.files import write_atomically

STATE_FILE_NAME = "ui-state.json"
STATE_VERSION = 1
FILE_MODE = 0o600

# A larger file is not ours (or is damaged): refuse to read it rather than parse megabytes.
_MAX_BYTES = 64 * 1024
_MAX_VALUE_LENGTH = 512


class UiStateWriteError(ConfigError, OSError):
    """The remembered state could not be written.

    Also an ``OSError``, so callers that guard the disk write with ``except OSError`` keep working.
    """


@dataclass(frozen=True)
class UiState:
    theme: str | None = None
    building_id: str | None = None
    last_screen: str | None = None


_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(UiState))


def ui_state_path() -> Path:
    from staffterm import paths

    return paths.data_dir() / STATE_FILE_NAME


def load_ui_state(path: Path | None = None) -> UiState:
    """The remembered state, or defaults for anything that cannot be read. Never raises."""
    target = path if path is not None else ui_state_path()
    try:
        with open(target, "rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
    except (OSError, ValueError):
        return UiState()
    if len(raw) > _MAX_BYTES:
        return UiState()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return UiState()
    if not isinstance(data, dict):
        return UiState()
    # Keep each good field even when another is damaged; unknown keys (a newer version) are ignored.
    return UiState(**{name: _clean(data.get(name)) for name in _FIELDS})


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > _MAX_VALUE_LENGTH or not value.isprintable():
        return None
    return value


def save_ui_state(state: UiState, path: Path | None = None) -> None:
    """Write ``state`` atomically with mode 0600.

    Raises ``InvalidInputError`` for a value that could not be read back, and
    ``UiStateWriteError`` (a ``ConfigError`` naming the file, and an ``OSError``) when the data
    directory cannot be written; the old file is then left as it was.
    """
    for name in _FIELDS:
        value = getattr(state, name)
        if value is not None and _clean(value) != value:
            raise InvalidInputError(
                f"Cannot remember {name} {value!r}: it must be 1-{_MAX_VALUE_LENGTH} printable characters "
                "without surrounding spaces",
                field=name,
            )
    target = path if path is not None else ui_state_path()
    payload = json.dumps({"version": STATE_VERSION, **asdict(state)}, indent=2, sort_keys=True) + "\n"
    try:
        write_atomically(target, payload.encode("utf-8"), FILE_MODE)
    except OSError as error:
        raise UiStateWriteError(
            f"Could not save the console's remembered settings to {target}: {error.strerror or error}",
            path=str(target),
            hint="Check that the data directory exists and is writable (or set STAFFTERM_DATA_DIR).",
        ) from None


def update_ui_state(path: Path | None = None, **changes: str | None) -> UiState:
    """Re-read the file, apply ``changes`` and save: keeps what another console saved meanwhile."""
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise InvalidInputError(f"Unknown UI state field(s): {', '.join(unknown)}", field=unknown[0])
    state = replace(load_ui_state(path), **changes)
    save_ui_state(state, path)
    return state
