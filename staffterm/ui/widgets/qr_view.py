"""A QR code drawn in the terminal: one ``▀`` per pair of modules, explicit black on white.

Each cell's foreground is the top module and its background the bottom module, in fixed
truecolour black and white: the code must read dark-on-light whatever the theme (a scanner
refuses an inverted code), so it is the one place the console hard-codes colours.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from staffterm.errors import StafftermError

_DARK = "#000000"
_LIGHT = "#ffffff"
_UPPER_HALF_BLOCK = "\u2580"

# (top_dark, bottom_dark) -> style; four styles cover every cell.
_CELL_STYLES: dict[tuple[bool, bool], Style] = {
    (top, bottom): Style(color=_DARK if top else _LIGHT, bgcolor=_DARK if bottom else _LIGHT)
    for top in (False, True)
    for bottom in (False, True)
}


def qr_text(payload: str, *, border: int = 2) -> Text:
    """The code as Rich text, one line per two module rows, runs of equal cells merged.

    Raises ``InvalidInputError`` when the payload cannot be encoded (empty or too long).
    """
    from staffterm.services.qr import qr_half_block_rows  # segno loads with the first code drawn

    text = Text(no_wrap=True, overflow="crop", end="")
    rows = qr_half_block_rows(payload, border=border)
    for index, row in enumerate(rows):
        if index:
            text.append("\n")
        run_start = 0
        for column in range(1, len(row) + 1):
            if column == len(row) or row[column] != row[run_start]:
                text.append(_UPPER_HALF_BLOCK * (column - run_start), _CELL_STYLES[row[run_start]])
                run_start = column
    return text


class QrView(Static):
    """Shows ``payload`` as a QR code; hidden while there is no payload."""

    DEFAULT_CSS = """
    QrView {
        width: auto;
        height: auto;
        display: none;
    }
    QrView.-shown {
        display: block;
    }
    QrView.-error {
        color: $error;
    }
    """

    def __init__(self, payload: str = "", *, border: int = 2, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self._border = border
        self.payload = ""
        if payload:
            self.show_payload(payload)

    def show_payload(self, payload: str) -> None:
        """Draw ``payload``; an empty payload hides the widget. A payload that cannot be encoded
        shows why instead of a code."""
        if payload == self.payload and (payload == "" or self.has_class("-shown")):
            return
        self.payload = payload
        if not payload:
            self.update("")
            self.remove_class("-shown", "-error")
            return
        try:
            rendered = qr_text(payload, border=self._border)
        except StafftermError as exc:
            self.update(Text(f"No QR code: {exc}"))
            self.add_class("-shown", "-error")
            return
        self.remove_class("-error")
        self.update(rendered)
        self.add_class("-shown")

    def clear(self) -> None:
        self.show_payload("")
