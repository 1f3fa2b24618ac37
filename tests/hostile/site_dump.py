"""A deterministic dump of everything a command could change: every table of every SQLite site
in the data dir, and every file in the config dir.

Two dumps compare equal exactly when no row and no config byte changed, whatever order SQLite
returns rows in (rows are sorted by their ``repr``; tables and files by name).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

Dump = list[tuple[str, Any]]


def dump_sqlite(path: Path) -> Dump:
    """Schema and rows of every table, sorted; read through a read-only connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        objects = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        dump: Dump = [("schema", objects)]
        for kind, name, _sql in objects:
            if kind != "table":
                continue
            quoted = '"' + name.replace('"', '""') + '"'
            rows = conn.execute(f"SELECT * FROM {quoted}").fetchall()
            dump.append((name, sorted(rows, key=repr)))
        return dump
    finally:
        conn.close()


def dump_site(data_dir: Path, config_dir: Path) -> Dump:
    """Every ``*.sqlite3`` site under ``data_dir`` and every file under ``config_dir``."""
    dump: Dump = []
    for path in sorted(Path(data_dir).glob("*.sqlite3")):
        dump.append((f"site {path.name}", dump_sqlite(path)))
    for path in sorted(p for p in Path(config_dir).rglob("*") if p.is_file()):
        dump.append((f"config {path.relative_to(config_dir)}", path.read_bytes()))
    return dump


def first_difference(before: Dump, after: Dump) -> str:
    """Which file, table or config file changed, for an assertion message that says where to look."""
    left, right = dict(before), dict(after)
    for name in sorted(set(left) | set(right)):
        if name not in left:
            return f"{name} appeared"
        if name not in right:
            return f"{name} disappeared"
        if left[name] != right[name]:
            if name.startswith("site "):
                tables_before, tables_after = dict(left[name]), dict(right[name])
                for table in sorted(set(tables_before) | set(tables_after)):
                    rows_before, rows_after = tables_before.get(table, []), tables_after.get(table, [])
                    if rows_before != rows_after:
                        return f"{name}, table {table}: {len(rows_before)} rows before, {len(rows_after)} after"
            return f"{name} changed"
    return "no difference"
