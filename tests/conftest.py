"""Shared fixtures: every test runs with its own config and data directories."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory, monkeypatch):
    """Never let a test read or write the real user's config or data."""
    root = tmp_path_factory.mktemp("staffterm-home")
    for var, sub in (("STAFFTERM_DATA_DIR", "data"), ("STAFFTERM_CONFIG_DIR", "config"), ("STAFFTERM_CACHE_DIR", "cache")):
        path = root / sub
        path.mkdir()
        monkeypatch.setenv(var, str(path))
    monkeypatch.delenv("STAFFTERM_CONFIG", raising=False)
    monkeypatch.delenv("STAFFTERM_FROZEN_NOW", raising=False)
    return root
