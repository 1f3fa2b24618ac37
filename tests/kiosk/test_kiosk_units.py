"""The kiosk's pure parts: the PIN hash and back-off, the VISIT: invite, the panel's rules, the
config's [kiosk] section and `staffterm kiosk set-pin`."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from staffterm.cli.main import main
from staffterm.config import load_config
from staffterm.errors import ConfigError, InvalidInputError
from staffterm.models import Room
from staffterm.services.kiosk_lobby import parse_visit_code
from staffterm.services.kiosk_pin import (
    FIRST_WAIT,
    FREE_TRIES,
    PinGate,
    hash_pin,
    verify_pin,
)
from staffterm.services.room_panel import (
    PRIVATE_BEFORE,
    PRIVATE_DURING,
    PanelDay,
    PanelMeeting,
    PanelRules,
    panel_status,
    shown_title,
)

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
ROOM = Room(id="rm-1", email="rm-1@acme.example", name="Thames")


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def day(*meetings: PanelMeeting, bookable: bool = True, write: bool = True) -> PanelDay:
    room = ROOM.model_copy(update={"bookable": bookable})
    return PanelDay(room, UTC, minutes(-600), minutes(840), tuple(meetings), T0, knows_events=True, can_write=write)


def test_pin_hash_is_salted_and_checks_only_the_right_pin():
    first, second = hash_pin("4826"), hash_pin("4826")
    assert first != second and first.startswith("scrypt$16384$8$1$") and "4826" not in first
    assert verify_pin("4826", first) and verify_pin("4826", second)
    assert not verify_pin("4827", first) and not verify_pin("", first) and not verify_pin("4826", "scrypt$1$x")
    with pytest.raises(InvalidInputError):
        hash_pin("12ab")


def test_the_gate_backs_off_doubling_and_ignores_tries_while_locked():
    now = [0.0]
    gate = PinGate(lambda pin: pin == "4826", lambda: now[0])
    for _ in range(FREE_TRIES - 1):
        assert not gate.attempt("0000") and gate.wait_left() == 0
    assert not gate.attempt("0000") and gate.wait_left() == FIRST_WAIT
    assert not gate.attempt("4826")  # locked: not even the right PIN
    now[0] += FIRST_WAIT
    assert not gate.attempt("1111") and gate.wait_left() == 2 * FIRST_WAIT
    now[0] += 2 * FIRST_WAIT
    assert gate.attempt("4826") and gate.failures == 0


def test_the_visit_invite_is_read_and_anything_else_is_not():
    code = parse_visit_code(" VISIT:Hannah.Lewis@fabrikam.example,bld-lon,bk-1,harry.patel@acme.example ")
    assert code and (code.email, code.resource_id, code.visit_id, code.host_email) == (
        "hannah.lewis@fabrikam.example", "bld-lon", "bk-1", "harry.patel@acme.example")
    for text in ("hannah", "VISIT:", "VISIT:a@b,c", "VISIT:nobody,r,1,h@x", "VISIT:a@b,r,,h@x"):
        assert parse_visit_code(text) is None


def test_titles_are_masked_before_and_during():
    secret = PanelMeeting(minutes(30), minutes(60), "e1", "Layoffs", private=True)
    public = PanelMeeting(minutes(30), minutes(60), "e2", "Weekly sync")
    assert shown_title(secret, T0, "titles") == PRIVATE_BEFORE
    assert shown_title(secret, minutes(40), "titles") == PRIVATE_DURING
    assert shown_title(public, T0, "titles") == "Weekly sync"
    assert shown_title(public, T0, "private") == PRIVATE_BEFORE


def test_states_and_windows():
    rules = PanelRules()
    meeting = PanelMeeting(minutes(20), minutes(50), "e1", "x")
    assert panel_status(day(meeting), T0, rules).state == "free"
    assert panel_status(day(meeting), minutes(6), rules).state == "soon"
    status = panel_status(day(meeting), minutes(15), rules)
    assert status.state == "pending" and status.pending == meeting and status.book_options == (5,)
    assert panel_status(day(meeting), minutes(14), rules).state == "soon"  # window opens 5 min before
    status = panel_status(day(meeting), minutes(29), rules)
    assert status.state == "pending" and status.to_release is None
    status = panel_status(day(meeting), minutes(30), rules)
    assert status.to_release == meeting and status.state == "busy" and not status.can_check_in
    # A panel that was off through the release time leaves the meeting alone afterwards.
    assert panel_status(day(meeting), minutes(46), rules).to_release is None
    checked = PanelMeeting(minutes(20), minutes(50), "e1", "x", checked_in=True)
    assert panel_status(day(checked), minutes(35), rules).to_release is None
    assert panel_status(day(meeting), minutes(35), PanelRules(exempt_rooms=frozenset({"rm-1"}))).to_release is None
    assert panel_status(day(meeting), minutes(35), PanelRules(auto_release=None)).to_release is None
    assert panel_status(day(meeting), T0, rules, offline=True).state == "offline"


def test_what_a_backend_cannot_do_is_not_offered():
    meeting = PanelMeeting(minutes(-5), minutes(20), "e1", "x")
    read_only = panel_status(day(meeting, write=False), T0, PanelRules())
    assert read_only.state == "busy" and not read_only.can_check_in and not read_only.can_end
    assert read_only.extend_options == () and read_only.to_release is None
    assert panel_status(day(write=False), T0, PanelRules()).book_options == ()
    assert panel_status(day(bookable=False), T0, PanelRules()).book_options == ()


def test_book_now_and_extend_fit_before_the_next_meeting():
    nxt = PanelMeeting(minutes(40), minutes(60), "e2", "x")
    assert panel_status(day(nxt), T0, PanelRules()).book_options == (15, 30)
    assert panel_status(day(), T0, PanelRules()).book_options == (15, 30, 45, 60)
    assert panel_status(day(PanelMeeting(minutes(3), minutes(60), "e2", "x")), T0, PanelRules()).book_options == ()
    now_meeting = PanelMeeting(minutes(-10), minutes(20), "e1", "x", checked_in=True)
    assert panel_status(day(now_meeting, nxt), T0, PanelRules()).extend_options == (15,)
    assert panel_status(day(now_meeting), T0, PanelRules()).extend_options == (15, 30)


def write_config(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_set_pin_stores_only_a_hash_and_keeps_every_other_setting(tmp_path, monkeypatch, capsys):
    path = write_config(tmp_path, '# my site\n[kiosk]\nbuilding = "bld-lon" # the lobby\n\n[ui]\ntheme = "high-contrast"\n')
    monkeypatch.setattr("sys.stdin", io.StringIO("482615\n"))
    assert main(["--config", str(path), "kiosk", "set-pin", "--pin-stdin"]) == 0
    text = path.read_text()
    assert "482615" not in text and "482615" not in capsys.readouterr().out
    assert "# my site" in text and "# the lobby" in text
    config = load_config(path)
    assert config.kiosk.building == "bld-lon" and config.ui.theme == "high-contrast"
    assert verify_pin("482615", config.kiosk.pin_hash)
    monkeypatch.setattr("sys.stdin", io.StringIO("99\n"))
    assert main(["--config", str(path), "kiosk", "set-pin", "--pin-stdin"]) == 1
    assert load_config(path).kiosk.pin_hash == config.kiosk.pin_hash


def test_the_kiosk_section_is_checked(tmp_path):
    with pytest.raises(ConfigError, match="kiosk.pin_hash"):
        load_config(write_config(tmp_path, '[kiosk]\npin_hash = "4826"\n'))
    with pytest.raises(ConfigError, match="kiosk.privacy"):
        load_config(write_config(tmp_path, '[kiosk]\nprivacy = "none"\n'))
    config = load_config(write_config(tmp_path, '[kiosk]\nauto_release_minutes = 0\nexempt_rooms = ["rm-lon-4-01"]\n'))
    assert config.kiosk.auto_release_minutes == 0 and config.kiosk.checkin_before_minutes == 5
