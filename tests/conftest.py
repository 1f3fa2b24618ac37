"""Shared fixtures: every test runs with its own config and data directories."""

from __future__ import annotations

import pytest


def pytest_addoption(parser, pluginmanager):
    """``-p no:xdist`` runs the tests in one process: without xdist, accept (and ignore) the
    ``-n``/``--dist`` that pyproject's addopts pass for the normal, parallel run."""
    if pluginmanager.has_plugin("xdist"):
        return
    group = parser.getgroup("xdist", "parallel runs (xdist is disabled: ignored)")
    # _addoption: pytest keeps lowercase short options for plugins, as xdist itself does.
    group._addoption("-n", "--numprocesses", dest="numprocesses", default=None, metavar="N",
                     help="ignored without xdist")
    group.addoption("--dist", dest="dist", default="no", help="ignored without xdist")


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
