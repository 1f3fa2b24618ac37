"""Several desks (processes) on one local site file: what a small office does for real.

Each test starts child processes running ``tests.multiproc.child`` and checks the file after.
"""

from __future__ import annotations

import sqlite3

import pytest

from staffterm.backends.local_db import SCHEMA_VERSION
from tests.multiproc.child import first_open
from tests.multiproc.desks import Crowd

pytestmark = pytest.mark.multiproc

FIRST_OPENERS = 20


def test_many_processes_opening_a_new_file_at_once_all_succeed_and_the_schema_is_made_once(tmp_path):
    database = tmp_path / "new-site.sqlite3"
    crowd = Crowd(tmp_path, FIRST_OPENERS)
    crowd.start(first_open, database)
    crowd.release()
    lines = [line for child in crowd.results() for line in child]
    errors = [line for line in lines if line["event"] != "opened"]
    assert errors == []
    assert len(lines) == FIRST_OPENERS
    # Every step of the schema ran exactly once, in one of the processes.
    assert sum(line["migrations"] for line in lines) == SCHEMA_VERSION
    assert {line["rooms"] for line in lines} == {40}
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        # The demo estate was written once: one audit line for it, not one per process.
        seeded = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'demo_estate_seeded'").fetchone()[0]
        assert seeded == 1
    finally:
        conn.close()
