"""The access token a tenant's requests carry, for an admin who needs it (the Graph API driver's
``access_token``): masked until asked to reveal (r), copyable (c), never written to the log or a
notification. Only ever opened after the warning in ``ACCESS_TOKEN_WARNING`` was confirmed."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from staffterm.ui.dialogs.base import StafftermModal

ACCESS_TOKEN_WARNING = (
    "The access token acts as this tenant: whoever holds it can read the calendars, the directory and "
    "the mail it was granted, and send mail as the app, until it expires (about an hour). Never paste it "
    "into a ticket, a chat or an e-mail. Show it?"
)


def masked(token: str) -> str:
    """What is shown before revealing: its length and its first characters (a JWT's header)."""
    return f"{token[:6]}{'•' * 24} ({len(token)} characters; r reveals)"


class AccessTokenDialog(StafftermModal):
    DEFAULT_CSS = """
    AccessTokenDialog > Vertical {
        width: 90;
    }
    AccessTokenDialog #access-token {
        margin: 1 0;
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss_token", "Close", id="token-close"),
        Binding("r", "reveal", "Reveal", id="token-reveal"),
        Binding("c", "copy", "Copy", id="token-copy"),
    ]

    def __init__(self, tenant: str, token: str) -> None:
        super().__init__()
        self.tenant = tenant
        self._token = token
        self.revealed = False

    def __repr__(self) -> str:  # never the token
        return f"AccessTokenDialog({self.tenant})"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(f"Access token of {self.tenant}", style="bold"))
            yield Static(Text(masked(self._token)), id="access-token")
            yield Static(Text("r reveals · c copies · Escape closes. Do not paste it into tickets.", style="dim"))

    def action_reveal(self) -> None:
        self.revealed = not self.revealed
        self.query_one("#access-token", Static).update(Text(self._token if self.revealed else masked(self._token)))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self._token)
        self.app.notify("The access token is copied.", timeout=3)

    def action_dismiss_token(self) -> None:
        self._token = ""
        self.dismiss(None)
