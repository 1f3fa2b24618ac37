"""``staffterm placeos …``: every command of the seed Staff API driver is reachable, with its
parameters parsed the way PlaceOS wants them (epoch seconds, comma lists, JSON bodies)."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

import pytest

from staffterm.backends.placeos.commands import BY_NAME, COMMANDS
from staffterm.cli.main import main
from staffterm.cli.parser import build_parser
from staffterm.cli.provider_args import call_arguments, parse_epoch, parse_json

# The "Commands" of /work/shared/seeds/staff-api-driver.txt, in its order.
SEED_COMMANDS = (
    "get_system systems systems_in_building staff_details user create_user update_user delete_user revive_user "
    "resource_token query_users guest_details update_guest query_guests query_events update_event delete_event "
    "patch_event_metadata replace_event_metadata metadata metadata_children write_metadata merge_metadata zone zones "
    "create_booking update_booking reject approve booking_state booking_check_in booking_delete query_bookings "
    "get_booking signal"
).split()

# Each seed command's parameters, as the seed names them (the seed's typo ``foce_removal`` included).
SEED_PARAMS = {
    "systems": "q zone_id capacity bookable features limit offset",
    "zones": "q limit offset parent tags",
    "query_users": "q limit offset authority_id include_deleted",
    "query_events": "period_start period_end zones systems capacity features bookable include_cancelled",
    "create_booking": "booking_type asset_id user_id user_email user_name zones booking_start booking_end checked_in "
    "approved title description time_zone extension_data utm_source limit_override",
    "update_booking": "booking_id booking_start booking_end asset_id title description timezone extension_data approved "
    "checked_in limit_override",
    "query_bookings": "type period_start period_end zones user email state created_before created_after approved "
    "rejected checked_in",
    "delete_user": "id foce_removal",
    "write_metadata": "id key payload description",
    "merge_metadata": "id key payload description",
    "signal": "channel payload",
}


def test_every_seed_command_is_in_the_table() -> None:
    assert sorted(c.name for c in COMMANDS if c.in_seed) == sorted(SEED_COMMANDS)


@pytest.mark.parametrize("name", sorted(SEED_PARAMS))
def test_seed_parameters_are_accepted(name: str) -> None:
    accepted = {n for p in BY_NAME[name].params for n in (p.name, *p.aliases)}
    assert set(SEED_PARAMS[name].split()) <= accepted


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_each_command_parses(name: str) -> None:
    command = BY_NAME[name]
    argv = ["placeos", name.replace("_", "-")]
    for param in command.params:
        if param.required:
            value = {"json": '{"a": 1}', "time": "1700000000", "int": "3", "bool": "true", "list": "a,b"}.get(param.kind, "x")
            argv += [f"--{param.name}", value]
    args = build_parser(argv).parse_args(argv)
    assert args.driver_spec == name
    given = call_arguments(args, command)
    assert set(given) == {p.name for p in command.params if p.required}


def test_values_are_parsed_by_kind() -> None:
    argv = [
        "placeos", "create_booking", "--booking_type", "desk", "--asset-id", "desk-1", "--zones", "zone-a, zone-b",
        "--booking_start", "2026-11-21T09:00Z", "--booking-end", "1795338000", "--extension_data", '{"x": [1]}',
        "--limit_override", "2", "--checked_in", "no",
    ]
    args = build_parser(argv).parse_args(argv)
    given = call_arguments(args, BY_NAME["create_booking"])
    assert given == {
        "booking_type": "desk", "asset_id": "desk-1", "zones": ["zone-a", "zone-b"],
        "booking_start": int(datetime(2026, 11, 21, 9, tzinfo=timezone.utc).timestamp()), "booking_end": 1795338000,
        "extension_data": {"x": [1]}, "limit_override": 2, "checked_in": False,
    }


def test_the_seeds_typo_spelling_still_works() -> None:
    argv = ["placeos", "delete_user", "--id", "user-1", "--foce_removal", "true"]
    assert call_arguments(build_parser(argv).parse_args(argv), BY_NAME["delete_user"]) == {"id": "user-1", "force_removal": True}


def test_bad_values_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["placeos", "metadata"]) == 2  # --id is required
    assert main(["placeos", "zones", "--limit", "many"]) == 2
    assert main(["placeos", "signal", "--channel", "c", "--payload", "{not json"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_json_from_a_file(tmp_path) -> None:
    body = tmp_path / "user.json"
    body.write_text('{"name": "Ada"}')
    assert parse_json(f"@{body}") == {"name": "Ada"}
    with pytest.raises(argparse.ArgumentTypeError, match="cannot read"):
        parse_json(f"@{tmp_path / 'missing.json'}")


def test_epoch_parsing() -> None:
    assert parse_epoch("1700000000") == 1700000000
    assert parse_epoch("2026-11-21T10:00:00+00:00") == int(datetime(2026, 11, 21, 10, tzinfo=timezone.utc).timestamp())
    with pytest.raises(argparse.ArgumentTypeError):
        parse_epoch("next tuesday")


def test_a_non_placeos_tenant_is_refused(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    config = tmp_path / "config.toml"
    config.write_text('[tenants.office]\nprovider = "local"\n')
    assert main(["--config", str(config), "placeos", "zones"]) == 1
    assert "needs a PlaceOS tenant" in capsys.readouterr().err


def test_commands_lists_every_command(capsys) -> None:
    assert main(["placeos", "commands", "--json"]) == 0
    import json

    listed = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in listed] == [c.name for c in COMMANDS]


def _client_keywords(command) -> tuple[set[str], bool]:
    """The keywords the raw client method behind ``command`` takes, and whether it takes **more."""
    import inspect

    from staffterm.backends.placeos.engine import EngineAPI
    from staffterm.backends.placeos.staff import StaffAPI

    method = getattr(EngineAPI if command.api == "engine" else StaffAPI, command.method)
    params = list(inspect.signature(method).parameters.values())[1:]
    named = {p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    return named, any(p.kind is p.VAR_KEYWORD for p in params)


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_every_filter_the_client_knows_is_reachable_from_the_command_line(name: str) -> None:
    # A filter the raw client sends but the CLI cannot name is a PlaceOS feature nobody can reach.
    command = BY_NAME[name]
    named, _ = _client_keywords(command)
    assert named - {p.name for p in command.params} == set()


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_every_command_line_option_is_a_parameter_of_the_client(name: str) -> None:
    command = BY_NAME[name]
    named, takes_more = _client_keywords(command)
    if not takes_more:
        assert {p.name for p in command.params} <= named


def test_query_bookings_passes_the_extra_filters_through() -> None:
    argv = [
        "placeos", "query_bookings", "--type", "desk", "--include_checked_out", "true", "--event_id", "ev-1",
        "--extension_data", '{"visitor": true}', "--asset_id", "desk-3", "--limit", "50", "--deleted", "false",
    ]
    given = call_arguments(build_parser(argv).parse_args(argv), BY_NAME["query_bookings"])
    assert given == {
        "type": "desk", "include_checked_out": True, "event_id": "ev-1", "extension_data": {"visitor": True},
        "asset_id": "desk-3", "limit": 50, "deleted": False,
    }
