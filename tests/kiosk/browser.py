"""A headless Chromium driven over its DevTools protocol (CDP), for the browser kiosk test.

Only what the test needs: open a page, read the text of the terminal textual-serve draws on it,
press a key, take a screenshot. The websocket client is aiohttp's, which textual-serve already
brings, so the test adds no dependency.

textual-serve's page draws the terminal on a canvas (xterm.js with its WebGL and canvas
renderers), so its text is not in the DOM. The page keeps its terminal object in a closure; a
script run before the page's own catches it as it is built: textual-serve's ``textual.js``
constructs its terminal wrapper with ``this.fitAddon = new FitAddon``, a plain assignment, which
a setter on ``Object.prototype`` sees first. The terminal's text is then read from xterm.js's
public buffer API (``terminal.buffer.active.getLine(i).translateToString``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = "/usr/bin/chromium"
# Flags that run Chromium headless as root in a container, with nothing fetched in the background.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
)

CATCH_TERMINAL = """
window.__staffterm_terminals = [];
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "fitAddon", {value, writable: true, configurable: true, enumerable: true});
    window.__staffterm_terminals.push(this);
  },
});
"""

READ_TERMINAL = """
(() => {
  const wrapper = (window.__staffterm_terminals || [])[0];
  if (!wrapper || !wrapper.terminal) return null;
  const buffer = wrapper.terminal.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""

KEYS = {
    # key: (code, windows virtual key code, text)
    **{str(d): (f"Digit{d}", 48 + d, str(d)) for d in range(10)},
    "Escape": ("Escape", 27, ""),
    "Enter": ("Enter", 13, "\r"),
}


class Page:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        await self.socket.send_json({"id": message_id, "method": method, "params": params})
        while True:
            reply = await self.socket.receive_json()
            if reply.get("id") != message_id:
                continue  # an event: the test does not subscribe to any it needs
            if "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']}")
            return reply.get("result", {})

    async def terminal_text(self) -> str | None:
        result = await self.call("Runtime.evaluate", expression=READ_TERMINAL, returnByValue=True)
        return result.get("result", {}).get("value")

    async def wait_for_text(self, wanted: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        text: str | None = None
        while time.monotonic() < deadline:
            text = await self.terminal_text()
            if text and wanted in text:
                return text
            await asyncio.sleep(0.2)
        raise AssertionError(f"{wanted!r} never appeared in the browser's terminal; it showed:\n{text}")

    async def press(self, key: str) -> None:
        code, vk, text = KEYS[key]
        await self.call("Runtime.evaluate", expression="window.__staffterm_terminals[0].terminal.focus()")
        down: dict[str, Any] = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk}
        if text:
            down["text"] = text
        await self.call("Input.dispatchKeyEvent", **down)
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=vk)

    async def screenshot(self, path: Path) -> int:
        result = await self.call("Page.captureScreenshot", format="png")
        data = base64.b64decode(result["data"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return len(data)


def _devtools_port(profile: Path, process: subprocess.Popen, timeout: float) -> int:
    """Chromium writes the port it chose (``--remote-debugging-port=0``) to DevToolsActivePort."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with status {process.returncode} before it was ready")
        with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
            return int(marker.read_text().splitlines()[0])
        time.sleep(0.1)
    raise RuntimeError("chromium did not open its DevTools port in time")


@contextlib.asynccontextmanager
async def chromium_page(url: str, *, width: int, height: int, timeout: float = 20.0) -> AsyncIterator[Page]:
    """A headless Chromium showing ``url``, with the terminal catcher installed before it loads."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    # Started from a thread: forking a browser is not instant, and the test's event loop stays free.
    process = await asyncio.to_thread(
        subprocess.Popen,
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
         f"--window-size={width},{height}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "LANG": "C.UTF-8"},
    )
    try:
        port = await asyncio.to_thread(_devtools_port, profile, process, timeout)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as reply:
                targets = json.loads(await reply.text())
            page_target = next(t for t in targets if t.get("type") == "page")
            async with http.ws_connect(page_target["webSocketDebuggerUrl"], max_msg_size=64 * 1024 * 1024) as socket:
                page = Page(socket)
                await page.call("Page.enable")
                await page.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
                await page.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
                await page.call("Page.navigate", url=url)
                yield page
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
        shutil.rmtree(profile, ignore_errors=True)
