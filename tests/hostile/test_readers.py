"""Hostile payloads and files at every reader: what a PlaceOS server (or a proxy, or a broken
release) sends, a config file and a theme file. Each ends in a model or in the project's typed
error with a plain message, never another exception: one garbled row must not take a screen down
(the backend skips it with a warning), one broken file must not stop the console."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staffterm.backends.placeos import convert, convert_bookings, convert_events
from staffterm.errors import StafftermError
from tests.fakes.placeos.server import FakePlaceOS

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Any JSON value: what a reply body can be once parsed.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=20,
)
# Values that sit at the edges of what each field means: epochs past the calendar, control
# characters, emails that are not, ids that are not strings.
EDGY = st.sampled_from([
    None, "", " ", 0, -1, 2**63, -(2**63), 1e308, float("nan"), "9999-12-31", "\x1b]0;x\x07", "a@b", "@", "\udcff",
    [], {}, [None], {"": None}, True, "Z" * 10_000, 253402300800, -62135596801,
])


def _samples() -> dict[str, list[dict]]:
    state = FakePlaceOS(now=NOW).state
    return {
        "zone": list(state.zones.values())[:3],
        "system": list(state.systems.values())[:3],
        "booking": list(state.bookings.values())[:3],
        "event": list(state.events.values())[:3],
        "user": list(state.users.values())[:3],
    }


SAMPLES = _samples()

READERS = {
    "zone": lambda d: convert.zone_from_wire(d),
    "system": lambda d: convert.room_from_wire(d),
    "user": lambda d: convert.user_from_wire(d),
    "group": lambda d: convert.group_from_wire(d),
    "calendar": lambda d: convert.calendar_from_wire(d, owner_email="ada@acme.example"),
    "booking": lambda d: convert_bookings.booking_from_wire(d, now=NOW),
    "event": lambda d: convert_events.event_from_wire(d, calendar_id="ada.room@acme.example"),
    "free/busy": lambda d: convert.availability_from_wire(d, start=NOW, end=NOW + timedelta(hours=8)),
    "guest": lambda d: convert_bookings.guest_from_wire(d),
}


def _read(reader: str, data: object) -> None:
    try:
        READERS[reader](data)
    except StafftermError as exc:
        assert exc.message and "Traceback" not in exc.message
    except TypeError as exc:  # a reader that needs keyword context it was not given is our test's fault
        if "required keyword" in str(exc) or "missing" in str(exc) and "argument" in str(exc):
            pytest.skip(f"{reader}: {exc}")
        raise


@pytest.mark.parametrize("reader", sorted(READERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=JSON)
def test_any_json_value_is_a_model_or_a_typed_error(reader, data):
    _read(reader, data)


@st.composite
def mutated(draw, kind: str):
    """A real row of the fake with some keys dropped and others set to hostile values."""
    rows = SAMPLES.get(kind) or [{}]
    row = copy.deepcopy(draw(st.sampled_from(rows)))
    keys = sorted(row)
    for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)) if keys else []:
        if draw(st.booleans()):
            row.pop(key, None)
        else:
            row[key] = draw(EDGY | JSON)
    return row


@pytest.mark.parametrize(("reader", "kind"), [
    ("zone", "zone"), ("system", "system"), ("booking", "booking"), ("event", "event"), ("user", "user"),
    ("guest", "booking"),
])
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_real_row_with_hostile_fields_is_a_model_or_a_typed_error(reader, kind, data):
    _read(reader, data.draw(mutated(kind)))


# --------------------------------------------------------------------------- files


TOML_VALUE = st.recursive(
    st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=8,
)


def _toml(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, str) else str(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.builds(lambda key, value: f"[tenants.acme]\nprovider = \"placeos\"\n{key} = {_toml(value)}\n",
                  st.sampled_from(["base_url", "api_key", "max_in_flight", "rate_limit", "timeout", "username",
                                   "demo", "provider", "path"]), TOML_VALUE),
        st.builds(lambda key, value: f"default_tenant = {_toml(value)}\n[{key}]\nx = 1\n",
                  st.sampled_from(["ui", "mail", "booking", "tenants", "kiosk", "tenants.a"]), TOML_VALUE),
    )
)
def test_any_config_text_is_a_config_or_a_config_error(tmp_path_factory, text):
    from staffterm.config.loading import parse_config_text
    from staffterm.errors import ConfigError

    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    try:
        parse_config_text(text, path, mode=0o600)
    except ConfigError as exc:
        assert str(path.name) in str(exc) or "config" in str(exc).lower()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode)
       | st.builds(lambda k, v: f'name = "x"\n[colors]\n{k} = {_toml(v)}\n'.encode(),
                   st.sampled_from(["primary", "background", "free", "busy", "x"]), TOML_VALUE))
def test_any_theme_file_is_a_theme_or_a_config_error(tmp_path_factory, data):
    from staffterm.errors import ConfigError
    from staffterm.ui.themes import load_theme_file

    path: Path = tmp_path_factory.mktemp("theme") / "hostile.toml"
    path.write_bytes(data)
    try:
        load_theme_file(path)
    except ConfigError as exc:
        assert "hostile.toml" in str(exc)
