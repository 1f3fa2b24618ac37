"""Admin · Mail: the local site's outbox, newest first, with the highlighted mail in full.

Only backends that keep an outbox (``Capability.OUTBOX``: the local site) show this tab; the
mails are the notices staffterm sent (a guest arrived, a meeting was cancelled…).
"""

from __future__ import annotations

import re
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist

from staffterm.capabilities import Capability
from staffterm.ui.screens.admin.pane import AdminPane, fit_columns, plain

OUTBOX_LIMIT = 200



def outbox_columns(width: int) -> list[tuple[str, str, int | None]]:
    """Sent, To and Subject; a narrow pane drops To (the preview shows it)."""
    columns: list[tuple[str, str, int | None]] = [("sent", "Sent", 12)]
    if width >= 48:
        columns.append(("to", "To", 22 if width >= 70 else 16))
    return columns + [("subject", "Subject", None)]


_TAG = re.compile(r"<[^>]+>")


class OutboxPane(AdminPane):
    CAPABILITY = Capability.OUTBOX
    DEFAULT_CSS = """
    OutboxPane #outbox-body {
        height: 1fr;
    }
    OutboxPane #outbox-table {
        width: 3fr;
        min-width: 36;
    }
    OutboxPane #mail-scroll {
        width: 2fr;
        min-width: 30;
        padding: 0 1;
        border-left: solid $primary 40%;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mails: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="outbox-body"):
            yield DataTable(id="outbox-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="mail-scroll"):
                yield Static("Loading the outbox…", id="mail-preview")

    def focus_first(self) -> None:
        self.query_one("#outbox-table", DataTable).focus()

    def load(self) -> None:
        self._load_outbox()

    @work(exclusive=True, group="admin-outbox", exit_on_error=False, name="load-outbox")
    async def _load_outbox(self) -> None:
        mails = await self.app.session.directory.outbox(limit=OUTBOX_LIMIT)
        # Newest first whatever order the backend keeps; mails without a time go last.
        mails = sorted(mails, key=lambda m: m.sent_at.timestamp() if m.sent_at else float("-inf"), reverse=True)
        self.mails = {(mail.id or f"mail-{index}"): mail for index, mail in enumerate(mails)}
        self._fill()
        self.loaded()

    def _fill(self) -> None:
        table = self.query_one("#outbox-table", DataTable)
        keep = self._highlighted_id()
        width = table.size.width or 48
        columns = outbox_columns(width)
        fit_columns(table, columns, width)
        table.clear()
        tz = self.app.building_tz
        for key, mail in self.mails.items():
            cells = {
                "sent": plain(f"{mail.sent_at.astimezone(tz):%d %b %H:%M}" if mail.sent_at else "—"),
                "to": plain(", ".join(mail.to)),
                "subject": plain(mail.subject),
            }
            table.add_row(*(cells[column] for column, _, _ in columns), key=key)
        if keep in self.mails:
            table.move_cursor(row=table.get_row_index(keep))
        self._preview()

    def repaint_cells(self) -> None:
        if self.mails and self.is_mounted:
            self._fill()

    def _highlighted_id(self) -> str | None:
        table = self.query_one("#outbox-table", DataTable)
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except CellDoesNotExist:  # no valid cursor yet
            return None

    @on(DataTable.RowHighlighted, "#outbox-table")
    def _highlighted(self) -> None:
        self._preview()

    def _preview(self) -> None:
        preview = self.query_one("#mail-preview", Static)
        if not self.mails:
            preview.update(Content.styled("The outbox is empty: no mail has been sent yet.", "dim"))
            return
        mail = self.mails.get(self._highlighted_id() or "")
        if mail is not None:
            preview.update(mail_content(mail, self.app.building_tz))


def mail_content(mail: Any, tz: Any) -> Content:
    """One mail as a reader sees it: headers, then the text (or the HTML's text)."""
    parts: list[Any] = [(mail.subject, "bold"), "\n"]
    headers = [
        ("From", mail.sender or ""),
        ("To", ", ".join(mail.to)),
        ("Cc", ", ".join(mail.cc)),
        ("Bcc", ", ".join(mail.bcc)),
        ("Reply-To", mail.reply_to or ""),
        ("Sent", f"{mail.sent_at.astimezone(tz):%a %d %b %Y %H:%M} ({tz})" if mail.sent_at else ""),
    ]
    for label, value in headers:
        if value:
            parts += [(f"{label}: ", "dim"), value, "\n"]
    parts.append("\n")
    body = mail.text or _TAG.sub("", mail.html or "").strip()
    parts.append(body if body else ("(no text)", "dim italic"))
    return Content.assemble(*parts)
