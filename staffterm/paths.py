"""Where staffterm keeps its files.

Each directory can be moved with an environment variable, so tests (and people running
several sites side by side) never touch the real per-user directories.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "staffterm"

DATA_DIR_ENV = "STAFFTERM_DATA_DIR"
CONFIG_DIR_ENV = "STAFFTERM_CONFIG_DIR"
CACHE_DIR_ENV = "STAFFTERM_CACHE_DIR"
CONFIG_ENV = "STAFFTERM_CONFIG"
CONFIG_FILE_NAME = "config.toml"


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """The local site's databases and cached tokens live here."""
    override = _from_env(DATA_DIR_ENV)
    if override is not None:
        return override
    import platformdirs  # imported late: only needed when no override is set

    return platformdirs.user_data_path(APP_NAME)


def config_dir() -> Path:
    """The directory holding ``config.toml``."""
    override = _from_env(CONFIG_DIR_ENV)
    if override is not None:
        return override
    import platformdirs

    return platformdirs.user_config_path(APP_NAME)


def config_file(explicit: str | Path | None = None) -> Path:
    """``--config PATH`` wins, then ``$STAFFTERM_CONFIG``, else the user config dir's file.

    Lives here, not in ``staffterm.config``, so the console can start without importing pydantic.
    """
    if explicit is not None and str(explicit):
        return Path(explicit).expanduser()
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return config_dir() / CONFIG_FILE_NAME


def cache_dir() -> Path:
    """Disposable files (exported QR images, HTTP caches)."""
    override = _from_env(CACHE_DIR_ENV)
    if override is not None:
        return override
    import platformdirs

    return platformdirs.user_cache_path(APP_NAME)


def default_database_path(tenant_name: str) -> Path:
    """The SQLite file of a local tenant: one file per tenant in the data directory."""
    return data_dir() / f"{tenant_name}.sqlite3"
