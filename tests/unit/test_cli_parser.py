"""The command line's grammar: global options anywhere, bad usage is exit 2."""

from __future__ import annotations

import pytest

from staffterm.cli.main import main
from staffterm.cli.parser import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "--tenant", "demo", "rooms"],
        ["rooms", "--json", "--tenant", "demo"],
        ["--tenant", "demo", "rooms", "--json"],
    ],
)
def test_global_options_work_before_or_after_the_command(argv):
    args = build_parser().parse_args(argv)
    assert args.json is True and args.tenant == "demo" and args.handler == "places:rooms"


def test_global_options_reach_nested_actions():
    args = build_parser().parse_args(["--config", "/x.toml", "bookings", "approve", "bk-1", "--json"])
    assert (args.config, args.json, args.booking_id, args.handler) == ("/x.toml", True, "bk-1", "bookings:approve_booking")


def test_an_option_given_after_the_command_is_not_lost_by_an_earlier_level():
    args = build_parser().parse_args(["--tenant", "a", "guests", "check-in", "g-1"])
    assert args.tenant == "a" and not hasattr(args, "json")


def test_repeatable_options_collect():
    args = build_parser().parse_args(
        ["events", "create", "--room", "rm-1", "--title", "T", "--start", "2026-11-21T09:00", "--end", "2026-11-21T10:00",
         "--attendee", "a@x.example", "--attendee", "b@x.example"]
    )
    assert args.attendees == ["a@x.example", "b@x.example"] and args.handler == "places:create_event"


def test_features_split_on_commas():
    args = build_parser().parse_args(["rooms", "--features", "video, whiteboard"])
    assert args.features == ["video", "whiteboard"]


@pytest.mark.parametrize(
    "argv",
    [
        ["nonsense"],
        ["rooms", "--capacity", "many"],
        ["rooms", "--capacity", "-1"],
        ["freebusy", "--start", "2026-11-21"],  # neither --zone nor --room
        ["freebusy", "--zone", "bld-lon", "--room", "rm-lon-1-01"],
        ["bookings", "create", "--type", "desk", "--asset", "d", "--user", "a@x.example", "--start", "2026-11-21T09:00"],
        ["bookings", "approve"],
        ["events", "delete", "ev-1"],  # --calendar missing
        ["mail"],
        ["config"],
        ["tenant", "add", "x"],  # --provider missing
        ["tenant", "add", "x", "--provider", "exchange"],
        ["tenant", "add", "x", "--provider", "local", "--set", "novalue"],
        ["qr", "hello", "--svg", "a.svg", "--png", "a.png"],
        ["mail", "outbox", "--limit", "0"],
    ],
)
def test_bad_usage_exits_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "error:" in err


@pytest.mark.parametrize("bad", ["tomorrow", "2026-11-31", "21/11/2026 09:00"])
def test_an_unparseable_time_exits_2_and_says_what_to_type(bad, capsys):
    assert main(["bookings", "--start", bad]) == 2
    err = capsys.readouterr().err
    assert bad in err and "ISO 8601" in err


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("zones", "rooms", "freebusy", "events", "bookings", "guests", "users", "groups", "mail", "qr", "config",
                    "tenant", "demo"):
        assert command in out
    assert "STAFFTERM_FROZEN_NOW" in out


def test_listing_events_without_a_calendar_is_bad_usage(capsys):
    assert main(["events"]) == 2
    assert "--calendar" in capsys.readouterr().err


def test_size_without_png_is_bad_usage(capsys, tmp_path):
    assert main(["qr", "hello", "--svg", str(tmp_path / "a.svg"), "--size", "300"]) == 2
    assert "--size" in capsys.readouterr().err
    assert not (tmp_path / "a.svg").exists()


def test_a_bad_frozen_clock_is_bad_usage(capsys, monkeypatch):
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", "2026-11-21T09:00")
    assert main(["rooms"]) == 2
    assert "STAFFTERM_FROZEN_NOW" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["rooms", "--json"], "rooms"),
        (["--config", "rooms", "zones"], "zones"),  # "rooms" here is the config file's name
        (["--tenant=x", "--json", "bookings", "show", "b"], "bookings"),
        (["--help"], None),
        (["nonsense"], None),
        ([], None),
    ],
)
def test_the_command_is_found_past_global_options(argv, command):
    from staffterm.cli.parser import command_named_in

    assert command_named_in(argv) == command


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "rooms", "--capacity", "4"],
        ["--config", "c.toml", "bookings", "create", "--type", "desk", "--asset", "d", "--user", "u@x.example",
         "--start", "2026-11-21T09:00", "--end", "2026-11-21T10:00", "--zone", "bld-lon"],
        ["tenant", "add", "x", "--provider", "local", "--set", "demo=true", "--json"],
    ],
)
def test_the_one_command_parser_reads_argv_like_the_full_one(argv):
    assert vars(build_parser(argv).parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv, console",
    [([], True), (["--tenant", "demo"], True), (["--config=x.toml"], True), (["--tenant"], False),
     (["rooms"], False), (["--json"], False), (["-h"], False), (["romos"], False)],
)
def test_only_global_options_open_the_console_with_a_lean_parser(argv, console):
    from staffterm.cli.parser import opens_console

    assert opens_console(argv) is console
    if console:
        args = build_parser(argv).parse_args(argv)
        assert args.command is None
