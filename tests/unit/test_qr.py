from __future__ import annotations

import re
import struct

import pytest

from staffterm.errors import InvalidInputError
from staffterm.services import qr

PAYLOAD = "VISIT:ada.lovelace@guest.example,rm-lon-1-01,ev-123,grace.hopper@acme.example"


def _finder_at(matrix: list[list[bool]], top: int, left: int) -> bool:
    """A 7x7 finder: dark ring, light ring, dark 3x3 core."""
    for dy in range(7):
        for dx in range(7):
            ring = max(abs(dy - 3), abs(dx - 3))
            expected = ring != 2
            if matrix[top + dy][left + dx] != expected:
                return False
    return True


def test_matrix_has_quiet_zone_and_three_finders() -> None:
    border = 2
    matrix = qr.qr_matrix(PAYLOAD, border=border)
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert (size - 2 * border - 17) % 4 == 0  # version n is 17 + 4n modules wide
    for i in range(border):
        assert not any(matrix[i]) and not any(matrix[size - 1 - i])
        assert not any(row[i] for row in matrix) and not any(row[size - 1 - i] for row in matrix)
    inner = size - 2 * border
    assert _finder_at(matrix, border, border)
    assert _finder_at(matrix, border, border + inner - 7)
    assert _finder_at(matrix, border + inner - 7, border)
    # The bottom-right corner has no finder: that is how scanners orient the code.
    assert not _finder_at(matrix, border + inner - 7, border + inner - 7)


def test_half_block_rows_reconstruct_matrix_and_pad_odd_row() -> None:
    matrix = qr.qr_matrix(PAYLOAD, border=2)
    assert len(matrix) % 2 == 1  # 4n+17 + 4 is odd, so the last row is padded
    rows = qr.qr_half_block_rows(PAYLOAD, border=2)
    assert len(rows) == (len(matrix) + 1) // 2
    rebuilt: list[list[bool]] = []
    for row in rows:
        rebuilt.append([top for top, _ in row])
        rebuilt.append([bottom for _, bottom in row])
    assert rebuilt[: len(matrix)] == matrix
    assert not any(rebuilt[-1])  # padding is light


def test_half_block_rows_even_matrix() -> None:
    matrix = [[True, False], [False, True], [True, True], [False, False]]
    assert qr.half_block_rows(matrix) == [[(True, False), (False, True)], [(True, False), (True, False)]]


def test_ansi_uses_explicit_colours_and_resets_each_line() -> None:
    out = qr.qr_ansi(PAYLOAD, border=2)
    lines = out.rstrip("\n").split("\n")
    rows = qr.qr_half_block_rows(PAYLOAD, border=2)
    assert len(lines) == len(rows)
    escape = re.compile(r"\x1b\[(38|48);2;(\d+);(\d+);(\d+)m")
    for line, row in zip(lines, rows, strict=False):
        assert line.endswith("\x1b[0m")
        # Every line sets both colours before its first cell.
        assert line.startswith("\x1b[38;2;") and "\x1b[48;2;" in line.split("\u2580", 1)[0]
        # Replay the escapes and check each cell's colours match the modules.
        fg = bg = None
        cells: list[tuple[bool, bool]] = []
        pos = 0
        body = line[: -len("\x1b[0m")]
        while pos < len(body):
            match = escape.match(body, pos)
            if match:
                rgb = tuple(int(match.group(i)) for i in (2, 3, 4))
                assert rgb in ((0, 0, 0), (255, 255, 255))
                if match.group(1) == "38":
                    fg = rgb
                else:
                    bg = rgb
                pos = match.end()
                continue
            assert body[pos] == "\u2580"
            cells.append((fg == (0, 0, 0), bg == (0, 0, 0)))
            pos += 1
        assert cells == row
    assert "\x1b[7m" not in out  # never reverse video: that depends on the terminal's colours


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_save_png_largest_scale_not_exceeding_size(tmp_path) -> None:
    path = qr.save_png(PAYLOAD, tmp_path / "pass.png", size=256, border=4)
    width, height = _png_size(path.read_bytes())
    modules = len(qr.qr_matrix(PAYLOAD, border=4))
    assert width == height == modules * (256 // modules)
    assert width <= 256 and width + modules > 256


def test_save_png_small_size_falls_back_to_scale_one(tmp_path) -> None:
    modules = len(qr.qr_matrix(PAYLOAD, border=4))
    path = qr.save_png(PAYLOAD, tmp_path / "tiny.png", size=29, border=4)
    assert _png_size(path.read_bytes()) == (modules, modules)


def test_save_png_refuses_impossible_size(tmp_path) -> None:
    with pytest.raises(InvalidInputError) as info:
        qr.save_png(PAYLOAD, tmp_path / "x.png", size=28, border=4)
    assert info.value.field == "size"
    assert not (tmp_path / "x.png").exists()


def test_save_svg_dimensions(tmp_path) -> None:
    path = qr.save_svg(PAYLOAD, tmp_path / "pass.svg", scale=8, border=4)
    text = path.read_text()
    modules = len(qr.qr_matrix(PAYLOAD, border=4))
    assert re.search(r'<svg[^>]*\bwidth="(\d+)"', text).group(1) == str(modules * 8)
    assert re.search(r'<svg[^>]*\bheight="(\d+)"', text).group(1) == str(modules * 8)
    assert "#fff" in text  # an opaque light background, not transparent


def test_make_qr_refuses_empty_and_too_long() -> None:
    with pytest.raises(InvalidInputError):
        qr.make_qr("")
    with pytest.raises(InvalidInputError) as info:
        qr.make_qr("x" * 5000)
    assert "too long" in info.value.message
    with pytest.raises(InvalidInputError):
        qr.make_qr("ok", error="z")


def test_longer_text_needs_bigger_code() -> None:
    assert len(qr.qr_matrix("a")) < len(qr.qr_matrix("a" * 200))


def test_visitor_pass_payload() -> None:
    assert (
        qr.visitor_pass_payload("Ada@Guest.Example", "rm-lon-1-01", "ev-1", "host@acme.example")
        == "VISIT:ada@guest.example,rm-lon-1-01,ev-1,host@acme.example"
    )
    with pytest.raises(InvalidInputError):
        qr.visitor_pass_payload("a,b@x.example", "r", "v", "h@x.example")
