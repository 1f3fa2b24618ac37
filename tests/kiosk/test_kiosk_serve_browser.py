"""End to end: ``staffterm serve --kiosk panel`` on a loopback port, loaded in a real headless
Chromium: the panel renders in the browser's terminal, a key pressed in the browser books the
room, and a screenshot of it is saved to screenshots/kiosk-panel-browser.png."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.kiosk.browser import CHROMIUM, chromium_page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "screenshots" / "kiosk-panel-browser.png"
FLEET = "rm-lon-1-02"  # free all day on the demo site
# 10:00 in London: the demo day is under way.
FROZEN_NOW = "2026-11-21T10:00Z"

pytestmark = pytest.mark.subprocess


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} is not installed (Debian's package `chromium`; .ci/run installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: in CI the browser test must run, not skip")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_http(url: str, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"staffterm serve exited with {server.returncode}: {server.stderr.read()}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"staffterm serve did not answer on {url} in {timeout} s")


@pytest.fixture
def served_panel(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAFFTERM_", "TEXTUAL"))}
    env.update(
        PYTHONPATH=str(ROOT),
        STAFFTERM_DATA_DIR=str(tmp_path / "data"),
        STAFFTERM_CONFIG_DIR=str(tmp_path / "config"),
        STAFFTERM_CACHE_DIR=str(tmp_path / "cache"),
        STAFFTERM_FROZEN_NOW=FROZEN_NOW,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "staffterm", "serve", "--kiosk", "panel", "--room", FLEET, "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/", server, 20)
        yield f"http://127.0.0.1:{port}/?fontsize=13"
    finally:
        server.terminate()  # SIGTERM: textual-serve shuts its sessions down gracefully
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


async def test_the_served_panel_renders_in_chromium_and_takes_a_key(served_panel):
    _need_chromium()
    async with chromium_page(served_panel, width=940, height=420) as page:
        text = await page.wait_for_text("Fleet", timeout=25)
        assert "FREE" in text and "Book 15 min (1)" in text
        await page.press("1")  # book the room for 15 minutes, from the browser's keyboard
        text = await page.wait_for_text("Booked for 15 minutes.", timeout=15)
        assert "BUSY" in text and "until 10:15" in text
        size = await page.screenshot(SCREENSHOT)
    assert size < 200_000, f"the screenshot is {size} bytes; keep it small"
