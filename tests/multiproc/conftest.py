"""Multi-process tests: several staffterm processes sharing one local site file."""

from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "multiproc: starts several staffterm processes on one SQLite file (a few seconds each)"
    )
