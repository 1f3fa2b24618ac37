"""What the Graph fault soak found, each pinned by a test that failed before its fix.

Built on the soak's own target (``graph_ops.GraphTarget``): the backend signed in as the app
through msal, against the in-process fake, with the faulty hop switched off unless a test
breaks one request on purpose.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from staffterm.errors import StafftermError
from staffterm.models import EventDraft
from tests.faults.graph_ops import NOW, ORGANISER, GraphTarget
from tests.faults.proxy import Fault, FaultPlan


def _quiet() -> FaultPlan:
    return FaultPlan(seed=1, rate=0.0)


async def test_a_token_revoked_by_the_tenant_is_renewed_through_msal_and_the_read_goes_on(tmp_path: Path) -> None:
    # Found by the soak: after a 401, forgetting msal's cached access tokens removed them while
    # iterating msal's own search generator ("dictionary changed size during iteration").
    async with GraphTarget(_quiet(), tmp_path) as target:
        backend = target.backend
        assert backend is not None
        await backend.list_users(limit=5)
        target.fake.state.tokens.clear()
        users = await backend.list_users(limit=5)
    assert len(users) == 5
    token_calls = [r for r in target.fake.requests if r.url.path.endswith("/oauth2/v2.0/token")]
    assert len(token_calls) == 2


def _break_first(method: str, path_end: str) -> FaultPlan:
    """A plan that breaks only the first ``method`` request whose path ends so: the server acts,
    then the connection is reset before its reply arrives."""
    broken: list[bool] = []

    def spare(request: httpx.Request) -> bool:
        if request.method == method and request.url.path.endswith(path_end) and not broken:
            broken.append(True)
            return False
        return True

    return FaultPlan(seed=1, rate=1.0, kinds=(Fault.RESET_AFTER,), spare=spare)


async def _booked(target: GraphTarget) -> tuple[str, str]:
    """A meeting made in a room (no faults yet): (room, the room's copy's id)."""
    backend = target.backend
    assert backend is not None
    room = "room.ada@acme.example"
    start = NOW + timedelta(days=5)
    made = await backend.create_event(room, EventDraft(title="Board", start=start, end=start + timedelta(minutes=30),
                                                       host=ORGANISER, room_ids=[room]), idempotency_key="tx-1")
    return room, made.id


@pytest.mark.parametrize("comment", [None, "Cancelled at the front desk"])
async def test_a_delete_whose_reply_was_lost_is_done_when_graph_then_says_the_meeting_is_gone(
        tmp_path: Path, comment: str | None) -> None:
    # Found by the soak: the DELETE took effect, its reply was reset, the re-sent DELETE met
    # Outlook's 404 ErrorItemNotFound for the item it had just deleted, and the desk was told
    # the delete failed. A cancel's lost reply left "may have happened" where Graph can say.
    method, path_end = ("POST", "/cancel") if comment else ("DELETE", "")
    async with GraphTarget(_break_first(method, path_end), tmp_path) as target:
        target.transport.enabled = False
        room, event_id = await _booked(target)
        target.transport.enabled = True
        backend = target.backend
        assert backend is not None
        await backend.delete_event(room, event_id, comment=comment)  # done: no error
        assert [i.fault for i in target.transport.injected] == [Fault.RESET_AFTER]
        assert not [e for e in target.fake.state.events.values() if e.get("transactionId") == "tx-1"]


async def test_a_cut_off_token_reply_never_puts_the_token_in_the_log(tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    # Found by the soak: msal logs a token reply it cannot parse, body and all
    # (msal/oauth2cli/oauth2.py, _obtain_token: "Token response is not in json format: %s"); a
    # reply cut off half way carried the first half of the access token onto stderr.
    plan = _break_first("POST", "/oauth2/v2.0/token")
    plan.kinds = (Fault.TRUNCATED,)
    caplog.set_level(logging.DEBUG, logger="msal")
    async with GraphTarget(plan, tmp_path) as target:
        backend = target.backend
        assert backend is not None
        with pytest.raises(StafftermError):
            await backend.list_users(limit=5)  # the sign-in's reply was cut off: a clear error
        assert [i.fault for i in target.transport.injected] == [Fault.TRUNCATED]
        issued = list(target.fake.state.tokens)
        assert await backend.list_users(limit=5)  # and the next call signs in again
    said = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("msal"))
    assert "not in json format" in said  # msal still says what went wrong
    assert issued and not any(token[:40] in said for token in issued)
    assert "eyJ" not in said  # no piece of a JWT (msal's own debug lines mask the token as ********)
