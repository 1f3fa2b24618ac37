"""The limits one argument cannot get past: numbers, dates, ids, @file sizes, QR sizes."""

from __future__ import annotations

import argparse
import importlib
import time

import pytest

from staffterm.cli.arg_types import (
    ARGUMENT_FILE_LIMIT,
    LARGEST_NUMBER,
    QR_MAX_PNG_SIZE,
    identifier,
    non_negative_int,
    png_size,
    positive_int,
    read_argument_file,
    time_arg,
)
from staffterm.cli.parser import WRITE_HANDLERS, build_parser, command_writes
from staffterm.errors import InvalidInputError
from staffterm.services import qr
from tests.hostile.conftest import run_cli


def test_whole_numbers_stop_at_what_placeos_parses():
    assert positive_int(str(LARGEST_NUMBER)) == LARGEST_NUMBER == 2**31 - 1
    for text in (str(LARGEST_NUMBER + 1), "9" * 5000):
        with pytest.raises(argparse.ArgumentTypeError, match="too large"):
            non_negative_int(text)
    with pytest.raises(argparse.ArgumentTypeError, match="1 or more"):
        positive_int("0")
    assert png_size(str(QR_MAX_PNG_SIZE)) == QR_MAX_PNG_SIZE
    with pytest.raises(argparse.ArgumentTypeError, match="at most 4096"):
        png_size("1000000000")


def test_times_stop_two_days_short_of_the_calendars_ends():
    assert time_arg("0001-01-03").text == "0001-01-03"
    assert time_arg("9999-12-29T23:59+14:00").text
    for text in ("0001-01-02", "0001-01-01T00:00", "9999-12-30", "9999-12-31T23:59-23:59"):
        with pytest.raises(argparse.ArgumentTypeError, match="edge of the calendar"):
            time_arg(text)


def test_ids_are_not_blank_and_hold_no_control_characters():
    assert identifier("rm-lon-1-01") == "rm-lon-1-01"
    assert identifier("AAMkAG+/=@x.example") == "AAMkAG+/=@x.example"
    for text in ("", "  ", "a\nb", "\x1b[2J", "\u202eevil"):
        with pytest.raises(argparse.ArgumentTypeError):
            identifier(text)


def test_an_at_file_larger_than_the_cap_is_refused_from_its_size_unread(tmp_path, monkeypatch):
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(ARGUMENT_FILE_LIMIT + 1)  # sparse: the size alone must refuse it
    reads: list[int] = []
    real_open = open

    def counting_open(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        real_read = handle.read
        handle.read = lambda n=-1: reads.append(n) or real_read(n)  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr("builtins.open", counting_open)
    with pytest.raises(argparse.ArgumentTypeError, match="at most 1 MiB"):
        read_argument_file(str(big))
    assert reads == []


def test_an_at_file_within_the_cap_is_read_and_bad_ones_are_named(tmp_path):
    exact = tmp_path / "exact.json"
    exact.write_bytes(b'"' + b"a" * (ARGUMENT_FILE_LIMIT - 2) + b'"')
    assert len(read_argument_file(str(exact))) == ARGUMENT_FILE_LIMIT
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'"caf\xe9"')
    with pytest.raises(argparse.ArgumentTypeError, match="not UTF-8"):
        read_argument_file(str(latin))
    with pytest.raises(argparse.ArgumentTypeError, match="cannot read"):
        read_argument_file(str(tmp_path / "missing.json"))
    with pytest.raises(argparse.ArgumentTypeError, match="cannot read"):
        read_argument_file(str(tmp_path))


def test_an_endless_at_file_costs_one_bounded_read():
    started = time.monotonic()
    with pytest.raises(argparse.ArgumentTypeError, match="more than 1 MiB"):
        read_argument_file("/dev/zero")
    assert time.monotonic() - started < 5


def test_qr_limits_are_refused_before_any_encoding(tmp_path):
    assert qr.MAX_PNG_SIZE == QR_MAX_PNG_SIZE
    started = time.monotonic()
    with pytest.raises(InvalidInputError, match="too long"):
        qr.make_qr("9" * (qr.MAX_QR_CHARACTERS + 1))
    assert time.monotonic() - started < 0.5
    with pytest.raises(InvalidInputError, match="surrogate"):
        qr.make_qr("a\udcff")
    with pytest.raises(InvalidInputError, match="too large"):
        qr.save_png("hello", tmp_path / "x.png", size=qr.MAX_PNG_SIZE + 1)
    with pytest.raises(InvalidInputError, match="1 to 100"):
        qr.save_svg("hello", tmp_path / "x.svg", scale=101)
    assert not list(tmp_path.iterdir())
    assert qr.save_png("hello", tmp_path / "ok.png", size=qr.MAX_PNG_SIZE).exists()


def test_every_write_handler_exists_and_reads_are_not_writes():
    for spec in WRITE_HANDLERS:
        module, _, name = spec.partition(":")
        assert callable(getattr(importlib.import_module(f"staffterm.cli.{module}"), name)), spec
    parse = lambda *argv: build_parser(list(argv)).parse_args(list(argv))  # noqa: E731
    assert command_writes(parse("bookings", "delete", "bk-1"))
    assert command_writes(parse("qr", "x", "--svg", "x.svg"))
    assert command_writes(parse("placeos", "signal", "--channel", "c", "--payload", "{}"))
    assert not command_writes(parse("qr", "x"))
    assert not command_writes(parse("bookings"))
    assert not command_writes(parse("placeos", "zone", "--zone_id", "z"))


def test_an_unrecognised_argument_is_echoed_escaped_on_one_line(site):
    run = run_cli(["rooms", "\x1b]0;pwned\x07\nstaffterm: all good", "x" * 120_000])
    assert run.rc == 2
    last = run.err.splitlines()[-1]
    assert "\\x1b]0;pwned\\x07\\nstaffterm: all good" in last and len(last) < 600
    assert "\x1b" not in run.err and run.err.count("all good") == 1
