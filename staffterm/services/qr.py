"""QR codes for visitor passes: a module matrix, half-block rows for the console, 24-bit ANSI
for the CLI, and SVG/PNG files.

Terminal output never relies on the terminal's own colours: every cell carries an explicit black
or white foreground and background, so the code reads dark-on-light (as scanners expect) on any
theme. segno's ``terminal(compact=True)`` assumes a dark background, so it is not used.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import segno
from segno.encoder import DataOverflowError

from staffterm.errors import InvalidInputError

#: Error-correction levels segno accepts (lower case).
ERROR_LEVELS = ("l", "m", "q", "h")

#: Width in modules of the smallest (version 1) QR code, before the quiet zone.
SMALLEST_SYMBOL = 21

#: Most characters any QR code holds: 7,089 digits (version 40, level L, numeric mode; ISO/IEC
#: 18004 table 7). Longer text is refused before the encoder searches every version for room.
MAX_QR_CHARACTERS = 7089

#: Widest PNG written, in pixels: a version-40 code at 4096 px is over 20 px a module, more
#: than any printer or screen needs; an unbounded size made a multi-gigabyte image.
MAX_PNG_SIZE = 4096

#: Largest SVG scale (user units per module); the file's size does not grow with it, but the
#: drawing's stated width does, and beyond this no viewer shows it whole.
MAX_SVG_SCALE = 100

DARK_RGB = (0x00, 0x00, 0x00)
LIGHT_RGB = (0xFF, 0xFF, 0xFF)
UPPER_HALF_BLOCK = "\u2580"
ANSI_RESET = "\x1b[0m"


def make_qr(text: str, *, error: str = "m") -> segno.QRCode:
    """Encode ``text`` as a (never micro) QR code.

    Raises ``InvalidInputError`` for empty text, an unknown error level, or text too long for
    any QR version at that level.
    """
    if not isinstance(text, str) or text == "":
        raise InvalidInputError("nothing to encode: the QR text is empty", field="text")
    if len(text) > MAX_QR_CHARACTERS:
        raise InvalidInputError(
            f"the QR text is too long ({len(text)} characters): no QR code holds more than {MAX_QR_CHARACTERS}",
            field="text",
            hint="Shorten the text, e.g. encode a short link or token instead.",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a non-UTF-8 byte that reached us) has no bytes a scanner could read.
        raise InvalidInputError("the QR text is not valid Unicode text (it holds a lone surrogate)", field="text") from None
    level = str(error).lower()
    if level not in ERROR_LEVELS:
        raise InvalidInputError(
            f"unknown QR error-correction level {error!r}", field="error", hint="Use one of l, m, q, h."
        )
    try:
        return segno.make(text, error=level, micro=False)
    except DataOverflowError:
        raise InvalidInputError(
            f"the QR text is too long ({len(text)} characters) for a QR code at error level {level.upper()}",
            field="text",
            hint="Shorten the text, e.g. encode a short link or token instead.",
        ) from None


def _check_border(border: int) -> int:
    if not isinstance(border, int) or border < 0:
        raise InvalidInputError(f"QR border must be a whole number of modules >= 0, not {border!r}", field="border")
    return border


def qr_matrix(text: str, *, border: int = 2) -> list[list[bool]]:
    """Module rows including the quiet zone; ``True`` is a dark module."""
    code = make_qr(text)
    return [[bool(v) for v in row] for row in code.matrix_iter(scale=1, border=_check_border(border))]


def half_block_rows(matrix: list[list[bool]]) -> list[list[tuple[bool, bool]]]:
    """Pair matrix rows top/bottom; an odd final row is padded with light modules."""
    rows: list[list[tuple[bool, bool]]] = []
    for top_index in range(0, len(matrix), 2):
        top = matrix[top_index]
        bottom = matrix[top_index + 1] if top_index + 1 < len(matrix) else [False] * len(top)
        rows.append(list(zip(top, bottom, strict=False)))
    return rows


def qr_half_block_rows(text: str, *, border: int = 2) -> list[list[tuple[bool, bool]]]:
    """One entry per terminal cell: ``(top_dark, bottom_dark)``. Terminal cells are about 1:2,
    so two modules per cell give square modules."""
    return half_block_rows(qr_matrix(text, border=border))


def _fg(rgb: tuple[int, int, int]) -> str:
    return f"\x1b[38;2;{rgb[0]};{rgb[1]};{rgb[2]}m"


def _bg(rgb: tuple[int, int, int]) -> str:
    return f"\x1b[48;2;{rgb[0]};{rgb[1]};{rgb[2]}m"


def qr_ansi(text: str, *, border: int = 2) -> str:
    """The code as lines of ``▀`` with explicit 24-bit colours (foreground = top module,
    background = bottom module), each line starting with both colours set and ending in a reset.

    Escapes are repeated only when a colour changes within a line; each line is self-contained so
    a pager or a wrapped terminal cannot carry a colour across lines.
    """
    lines: list[str] = []
    for row in qr_half_block_rows(text, border=border):
        parts: list[str] = []
        current_top: bool | None = None
        current_bottom: bool | None = None
        for top, bottom in row:
            if top != current_top:
                parts.append(_fg(DARK_RGB if top else LIGHT_RGB))
                current_top = top
            if bottom != current_bottom:
                parts.append(_bg(DARK_RGB if bottom else LIGHT_RGB))
                current_bottom = bottom
            parts.append(UPPER_HALF_BLOCK)
        parts.append(ANSI_RESET)
        lines.append("".join(parts))
    return "\n".join(lines) + "\n"


def svg_text(text: str, *, scale: int = 8, border: int = 4) -> str:
    """The code as SVG text (black on an opaque white background)."""
    if not isinstance(scale, int) or not 1 <= scale <= MAX_SVG_SCALE:
        raise InvalidInputError(f"SVG scale must be a whole number from 1 to {MAX_SVG_SCALE}, not {scale!r}", field="scale")
    code = make_qr(text)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, border=_check_border(border), dark="#000", light="#fff")
    return out.getvalue().decode("utf-8")


def save_svg(text: str, path: str | os.PathLike[str], *, scale: int = 8, border: int = 4) -> Path:
    """Write an SVG (black on an opaque white background) and return its path."""
    target = Path(path)
    target.write_text(svg_text(text, scale=scale, border=border), encoding="utf-8")
    return target


def png_scale(symbol_width: int, size: int) -> int:
    """Pixels per module for a PNG about ``size`` pixels wide.

    The largest whole scale whose image does not exceed ``size``, but at least 1: a code whose
    modules (plus quiet zone) outnumber ``size`` is written at scale 1, wider than asked. Whole
    scales keep every module a crisp square, which matters more to scanners than exact size.
    """
    return max(1, size // symbol_width)


def png_bytes(text: str, *, size: int = 256, border: int = 4) -> bytes:
    """A PNG about ``size`` pixels wide (see ``png_scale``)."""
    border = _check_border(border)
    smallest = SMALLEST_SYMBOL + 2 * border
    if not isinstance(size, int) or size < smallest:
        raise InvalidInputError(
            f"PNG size {size!r} is too small: a QR code with a {border}-module border needs at least {smallest} px",
            field="size",
        )
    if size > MAX_PNG_SIZE:
        raise InvalidInputError(f"PNG size {size} is too large: at most {MAX_PNG_SIZE} px", field="size")
    code = make_qr(text)
    width, _ = code.symbol_size(scale=1, border=border)
    out = io.BytesIO()
    code.save(out, kind="png", scale=png_scale(width, size), border=border, dark="#000", light="#fff")
    return out.getvalue()


def save_png(text: str, path: str | os.PathLike[str], *, size: int = 256, border: int = 4) -> Path:
    """Write a PNG about ``size`` pixels wide (see ``png_scale``) and return its path."""
    target = Path(path)
    target.write_bytes(png_bytes(text, size=size, border=border))
    return target


def visitor_pass_payload(guest_email: str, resource_id: str, visit_id: str, host_email: str) -> str:
    """The PlaceOS visitor QR text: ``VISIT:<guest_email>,<resource_id>,<visit_id>,<host_email>``.

    Commas would shift the fields a scanner reads, so they are refused in every part.
    """
    parts = {"guest_email": guest_email, "resource_id": resource_id, "visit_id": visit_id, "host_email": host_email}
    for name, value in parts.items():
        if "," in value:
            raise InvalidInputError(f"{name} {value!r} contains a comma, which the visitor pass format cannot hold", field=name)
    if not guest_email.strip():
        raise InvalidInputError("a visitor pass needs the guest's email", field="guest_email")
    return f"VISIT:{guest_email.strip().lower()},{resource_id},{visit_id},{host_email.strip().lower()}"
