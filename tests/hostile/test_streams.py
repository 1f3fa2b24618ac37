"""The CLI as a real process when its output cannot be written or encoded, or its arguments
are not UTF-8: a write that was saved says so (exit 0), a read that could not print fails
(exit 1), bad bytes are refused (exit 2); never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FROZEN = "2026-11-21T07:00:00+00:00"

pytestmark = pytest.mark.subprocess

BOOK = ["bookings", "create", "--type", "desk", "--asset", "desk-lon-2-01", "--user", "ada.lovelace@acme.example",
        "--end", "2026-11-24T10:00", "--title", "Café"]


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAFFTERM_", "PYTHONIOENCODING", "LC_", "LANG"))}
    env.update(
        PYTHONPATH=str(ROOT), STAFFTERM_DATA_DIR=str(home / "data"), STAFFTERM_CONFIG_DIR=str(home / "config"),
        STAFFTERM_CACHE_DIR=str(home / "cache"), STAFFTERM_FROZEN_NOW=FROZEN, **extra,
    )
    return env


def _staffterm(home: Path, args: list, *, stdout=subprocess.PIPE, shell_suffix: str = "", **env: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "staffterm", *args]
    if shell_suffix:
        # Closing a standard stream needs the shell: `>&-`.
        quoted = " ".join("'" + str(a).replace("'", "'\\''") + "'" for a in command)
        return subprocess.run(["sh", "-c", f"exec {quoted} {shell_suffix}"], stderr=subprocess.PIPE, stdout=stdout,
                              env=_env(home, **env), cwd=ROOT, timeout=60)
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, env=_env(home, **env), cwd=ROOT, timeout=60)


def _booked_ids(home: Path, day: str) -> list[str]:
    done = _staffterm(home, ["bookings", "--start", day, "--user", "ada.lovelace@acme.example", "--json"])
    assert done.returncode == 0, done.stderr
    return [b["id"] for b in json.loads(done.stdout)]


def _plain(err: bytes) -> str:
    text = err.decode("utf-8")
    assert "Traceback" not in text and "unexpected error" not in text and "Exception ignored" not in text, text
    return text


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_write_whose_confirmation_hits_a_full_disk_is_still_saved_and_says_so(home):
    with open("/dev/full", "w") as full:
        done = _staffterm(home, [*BOOK, "--start", "2026-11-24T09:00"], stdout=full)
    err = _plain(done.stderr)
    assert done.returncode == 0 and "saved" in err and "No space left on device" in err
    assert len(_booked_ids(home, "2026-11-24")) == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_read_that_hits_a_full_disk_fails_with_one_line(home):
    with open("/dev/full", "w") as full:
        done = _staffterm(home, ["rooms"], stdout=full)
    err = _plain(done.stderr)
    assert done.returncode == 1 and err.strip().count("\n") == 0 and "could not print" in err


def test_closed_stdout_after_a_write_says_saved_and_after_a_read_fails(home):
    wrote = _staffterm(home, [*BOOK, "--start", "2026-11-24T09:00"], stdout=None, shell_suffix=">&-")
    assert wrote.returncode == 0 and "saved" in _plain(wrote.stderr)
    assert len(_booked_ids(home, "2026-11-24")) == 1
    read = _staffterm(home, ["rooms", "--json"], stdout=None, shell_suffix=">&-")
    assert read.returncode == 1 and "standard output is closed" in _plain(read.stderr)
    # The site file never became stdout: it still opens and lists the booking.
    assert len(_booked_ids(home, "2026-11-24")) == 1


def test_a_closed_pipe_after_a_write_says_saved_and_after_a_read_is_quiet(home):
    for args, status in (([*BOOK, "--start", "2026-11-24T09:00"], 0), (["rooms"], 1)):
        read_end, write_end = os.pipe()
        os.close(read_end)  # nobody will read: the first write gets EPIPE
        try:
            done = _staffterm(home, args, stdout=write_end)
        finally:
            os.close(write_end)
        err = _plain(done.stderr)
        assert done.returncode == status, err
        assert ("saved" in err) if status == 0 else err == ""


def test_an_ascii_terminal_gets_escapes_in_tables_and_exact_json(home):
    assert _staffterm(home, [*BOOK, "--start", "2026-11-24T09:00"]).returncode == 0
    for env in ({"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}):
        table = _staffterm(home, ["bookings", "--start", "2026-11-24"], **env)
        assert table.returncode == 0, _plain(table.stderr)
        assert b"Caf\\xe9" in table.stdout
        as_json = _staffterm(home, ["bookings", "--start", "2026-11-24", "--json"], **env)
        assert as_json.returncode == 0, _plain(as_json.stderr)
        assert [b["title"] for b in json.loads(as_json.stdout.decode("ascii"))] == ["Café"]
        qr = _staffterm(home, ["qr", "hello"], **env)
        assert qr.returncode == 1 and "cannot draw a QR code" in _plain(qr.stderr)


def test_arguments_that_are_not_utf8_are_refused_naming_them(home):
    done = _staffterm(home, ["bookings", "show", b"bk-\xff\xfe"])
    err = _plain(done.stderr)
    assert done.returncode == 2 and "argument 3" in err and "not UTF-8" in err and "\\udcff" in err


def test_an_endless_file_argument_is_refused_after_a_bounded_read(home):
    started = time.monotonic()
    done = _staffterm(home, ["placeos", "signal", "--channel", "c", "--payload", "@/dev/zero"])
    assert done.returncode == 2 and "1 MiB" in _plain(done.stderr)
    assert time.monotonic() - started < 20


def test_a_billion_pixel_qr_is_refused_at_once(home):
    png = home / "code.png"
    done = _staffterm(home, ["qr", "hello", "--png", str(png), "--size", "1000000000"])
    assert done.returncode == 2 and "at most 4096" in _plain(done.stderr) and not png.exists()
