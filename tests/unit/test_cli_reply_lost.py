"""A write the service accepted but whose reply was cut off is done: the CLI says so and exits 0;
one whose outcome is unknown is not reported as done (exit 1, with how to check)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from staffterm.cli.main import _handled
from staffterm.errors import ReplyLostError


def _ctx(json_out: bool = False):
    return SimpleNamespace(json=json_out, display_tz=None, target=None, args=SimpleNamespace())


def _raise(error: Exception):
    def command() -> int:
        raise error
    return command


def test_an_applied_write_whose_reply_was_lost_exits_0_and_says_it_was_done(capsys):
    lost = ReplyLostError("PlaceOS carried out POST /bookings but its reply was cut off", applied=True)
    assert _handled(_ctx(), _raise(lost)) == 0
    err = capsys.readouterr().err
    assert "done" in err and "reply was cut off" in err


def test_the_json_of_an_applied_write_says_applied(capsys):
    lost = ReplyLostError("PlaceOS carried out POST /bookings but its reply was cut off", applied=True)
    assert _handled(_ctx(json_out=True), _raise(lost)) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["applied"] is True and out["error"] == "reply_lost"


def test_a_write_that_may_have_happened_is_a_failure_with_how_to_check(capsys):
    doubt = ReplyLostError("PlaceOS may have carried out DELETE /bookings/7", applied=None,
                           hint="Check with `staffterm bookings show 7` before trying again.")
    assert _handled(_ctx(), _raise(doubt)) == 1
    assert "bookings show 7" in capsys.readouterr().err
