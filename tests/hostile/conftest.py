"""One demo site per module, and a runner that calls ``main`` the way a terminal would."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from staffterm.cli.main import main
from tests.hostile.site_dump import Dump, dump_site, first_difference

FROZEN = "2026-11-21T07:00:00+00:00"

# What must never reach a terminal from data: C0/C1 controls (bar the newline that ends a
# line), DEL, bidi embeddings/overrides/isolates, line/paragraph separators, lone surrogates.
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# The colour escapes ``staffterm qr`` draws its code with (services.qr.qr_ansi), and only those.
QR_COLOURS = re.compile("\x1b\\[(?:[34]8;2;(?:0;0;0|255;255;255)|0)m")
# The longest message line the CLI should print: a 120 KB id is not echoed back whole.
LONGEST_MESSAGE = 1000


@dataclass
class Run:
    argv: list[str]
    rc: int
    out: str
    err: str

    def problems(self, *, must_fail: bool) -> list[str]:
        """Every way this run broke the rules (empty when it behaved)."""
        found: list[str] = []
        if self.rc not in (0, 1, 2):
            found.append(f"exit status {self.rc}")
        if must_fail and self.rc == 0:
            found.append("exit 0 for input that must be refused")
        out = self.out
        if self.argv[:1] == ["qr"] and "--json" not in self.argv:
            # The QR code itself is drawn with colour escapes the CLI writes on purpose.
            out = QR_COLOURS.sub("", out)
        for name, text in (("stdout", out), ("stderr", self.err)):
            if "Traceback" in text:
                found.append(f"traceback on {name}")
            if "unexpected error" in text:
                found.append(f"'unexpected error' on {name}")
            raw = RAW_CONTROL.search(text)
            if raw:
                found.append(f"raw control character {raw.group()!r} on {name}")
        if self.rc != 0:
            # A note on how the input was read (which zone an offset-less time was taken in) may
            # come before the refusal: it explains it; the refusal itself is one line.
            lines = [line for line in message_lines(self.err) if not line.startswith("staffterm: note:")]
            if len(lines) != 1:
                found.append(f"{len(lines)} message lines on stderr: {lines[:3]!r}")
            elif not lines[0].startswith("staffterm"):
                found.append(f"message does not start with 'staffterm': {lines[0][:80]!r}")
            elif len(lines[0]) > LONGEST_MESSAGE:
                found.append(f"a message line of {len(lines[0])} characters")
            if self.out:
                found.append("stdout written on failure without --json")
        return found


def message_lines(err: str) -> list[str]:
    """stderr without argparse's usage block and the indented lines under a heading."""
    lines: list[str] = []
    in_usage = False
    for line in err.splitlines():
        if line.startswith("usage:"):
            in_usage = True
            continue
        if in_usage and (line.startswith(" ") or not line):
            continue
        in_usage = False
        if line.startswith(" ") or line in ("clashes with:", ""):
            continue
        lines.append(line)
    return lines


def run_cli(argv: Sequence[str]) -> Run:
    """``main(argv)`` with stdout/stderr as a UTF-8 terminal would have them (strict encoding
    on stdout, backslashreplace on stderr), so text a terminal could not take fails here too."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(argv))
    for stream in (out, err):
        with contextlib.suppress(ValueError, OSError):
            stream.flush()
    return Run(list(argv), rc, out_bytes.getvalue().decode("utf-8", "replace"), err_bytes.getvalue().decode("utf-8", "replace"))


class Site:
    """The module's demo site: run commands on it and check that they changed nothing."""

    def __init__(self, root: Path) -> None:
        self.data = root / "data"
        self.config = root / "config"
        self.cache = root / "cache"
        for path in (self.data, self.config, self.cache):
            path.mkdir(exist_ok=True)
        self._state: Dump | None = None

    def env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("STAFFTERM_DATA_DIR", str(self.data))
        monkeypatch.setenv("STAFFTERM_CONFIG_DIR", str(self.config))
        monkeypatch.setenv("STAFFTERM_CACHE_DIR", str(self.cache))
        monkeypatch.setenv("STAFFTERM_FROZEN_NOW", FROZEN)
        monkeypatch.delenv("STAFFTERM_DEBUG", raising=False)

    def dump(self) -> Dump:
        return dump_site(self.data, self.config)

    def check(self, argv: Sequence[str], *, must_fail: bool, may_write: bool = False) -> list[str]:
        """Run once; the rules it broke, including any change to the site that it had no
        right to make (a refused command, or a read)."""
        if self._state is None:
            self._state = self.dump()
        run = run_cli(argv)
        found = run.problems(must_fail=must_fail)
        after = self.dump()
        if after != self._state and (run.rc != 0 or not may_write):
            what = "a refused command" if run.rc != 0 else "a command that had to be refused" if must_fail else "a read"
            found.append(f"{what} changed data ({first_difference(self._state, after)})")
        self._state = after
        return found


@pytest.fixture(scope="module")
def _site_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile-site")


@pytest.fixture
def site(_site_root, monkeypatch) -> Iterator[Site]:
    site = Site(_site_root)
    site.env(monkeypatch)
    if not any(site.data.glob("*.sqlite3")):
        warm = run_cli(["rooms", "--json"])
        assert warm.rc == 0, warm.err
    yield site


def shown(argv: Sequence[str]) -> str:
    """An argv short enough for a failure report."""
    return " ".join(repr(a) if len(a) < 60 else f"<{len(a)} chars {a[:20]!r}…>" for a in argv)
