"""Signing in to a Microsoft 365 tenant as yourself from the console (device code): the page to
open and the code to enter, shown as text that can be selected or copied (c copies the code, u
the page); the wait for the sign-in, polled off the event loop (each msal call runs in a worker
thread, the waits between polls are the loop's sleep); then who is signed in, or why not in
plain words. Escape cancels: the worker is cancelled and the polling stops with it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static
from textual.worker import Worker

from staffterm.errors import StafftermError
from staffterm.ui.dialogs.base import StafftermModal

# (show) -> the signed-in account; ``show(code, url, message)`` is called once the code is known.
StartSignIn = Callable[[Callable[[str, str, str], None]], Awaitable[str]]


class DeviceSignInDialog(StafftermModal):
    """Dismisses with the signed-in account, or None (cancelled or failed)."""

    DEFAULT_CSS = """
    DeviceSignInDialog > Vertical {
        width: 72;
    }
    DeviceSignInDialog #sign-in-code {
        text-style: bold;
        margin: 1 0 0 0;
    }
    DeviceSignInDialog #sign-in-status {
        margin: 1 0;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Cancel", id="sign-in-cancel"),
        Binding("c", "copy('code')", "Copy code", id="sign-in-copy-code"),
        Binding("u", "copy('url')", "Copy page", id="sign-in-copy-url"),
    ]

    def __init__(self, tenant: str, start: StartSignIn) -> None:
        super().__init__()
        self.tenant = tenant
        self._start = start
        self.code = ""
        self.url = ""
        self.account: str | None = None
        self.error: StafftermError | None = None
        self._worker: Worker[Any] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(f"Sign in to {self.tenant}", style="bold"))
            yield Static("", id="sign-in-url")
            yield Static("", id="sign-in-code")
            yield Static(Text("Asking Microsoft for a sign-in code…", style="italic"), id="sign-in-status")

    def on_mount(self) -> None:
        self._worker = self._sign_in()

    def _show(self, code: str, url: str, _message: str) -> None:
        # Called on the loop (the sign-in is a coroutine; only msal's calls run in threads).
        self.code, self.url = code, url
        self.query_one("#sign-in-url", Static).update(Text.assemble("Open ", (url, "underline"), " in a browser"))
        self.query_one("#sign-in-code", Static).update(Text.assemble("and enter the code  ", (code, "bold reverse")))
        self._status(Text("Waiting for you to sign in… (c copies the code, u the page, Escape cancels)",
                          style="italic"))

    def _status(self, text: Text) -> None:
        self.query_one("#sign-in-status", Static).update(text)

    @work(exclusive=True, group="device-sign-in", exit_on_error=False, name="device-sign-in")
    async def _sign_in(self) -> None:
        try:
            account = await self._start(self._show)
        except StafftermError as exc:
            self.error = exc
            words = Text("Not signed in: ", style="bold $text-error")
            words.append(exc.message, style="")
            if exc.hint:
                words.append(f"\n{exc.hint}", style="dim")
            words.append("\nEscape closes.", style="dim")
            self._status(words)
            return
        self.account = account
        self._status(Text.assemble(("Signed in as ", "bold"), (account, "bold"), ("\nEscape closes.", "dim")))
        self.app.notify(f"Signed in to {self.tenant} as {account}.", title="Sign-in", markup=False)

    def action_copy(self, what: str) -> None:
        value = self.code if what == "code" else self.url
        if value:
            self.app.copy_to_clipboard(value)
            self.app.notify("The code is copied." if what == "code" else "The page's address is copied.", timeout=3)

    def action_close(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()  # the sign-in's task is cancelled: no further poll is sent
        self.dismiss(self.account)
