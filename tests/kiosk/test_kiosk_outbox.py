"""The lobby's durable outbox: check-ins taken during an outage are sent exactly once, in
order, when the backend returns, and a process killed with -9 at any step resumes without
losing or repeating the host's mail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from staffterm.backends.local import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.services.kiosk_outbox import NOTICE_VERSION_KEY, KioskOutbox
from staffterm.services.session import Session
from tests.kiosk.conftest import NOW

HANNAH = "gst-20261121-lon-06"  # host harry.patel@acme.example, due 10:30: check-in is open


async def walk_in(session) -> str:
    """A second guest whose check-in is open now (the demo's others come later in the day)."""
    guest = await session.reception.register_walk_in(
        "Walter Brandt", "walter.brandt@adatum.example", "chloe.evans@acme.example", zone_id="bld-lon"
    )
    return guest.id
ROOT = Path(__file__).resolve().parents[2]


async def test_check_ins_during_an_outage_are_sent_once_in_order_when_it_returns(demo_session, outage, tmp_path):
    session = Session.for_backend(outage, clock=demo_session.clock)
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    walter = await walk_in(demo_session)
    outage.down = True
    first = await outbox.add(HANNAH, taken_at=NOW, notice_version="3")
    second = await outbox.add(walter, taken_at=NOW)
    result = await outbox.drain(session.reception)
    assert result.backend_down and result.waiting == 2 and result.sent == []
    assert await demo_session.backend.list_outbox() == []
    outage.down = False
    result = await outbox.drain(session.reception)
    assert result.sent == [first, second] and result.waiting == 0
    again = await outbox.drain(session.reception)
    assert again.sent == [] and again.waiting == 0
    mails = await demo_session.backend.list_outbox()
    assert sorted(m.subject for m in mails) == ["Hannah Lewis has arrived", "Walter Brandt has arrived"]
    assert [c for c in outage.calls if c == "check_in_guest"] == ["check_in_guest", "check_in_guest"]
    hannah = await demo_session.backend.get_guest(HANNAH)
    assert hannah.checked_in and hannah.extension_data[NOTICE_VERSION_KEY] == "3"


async def test_an_outage_mid_queue_keeps_the_order(demo_session, outage, tmp_path):
    session = Session.for_backend(outage, clock=demo_session.clock)
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    walter = await walk_in(demo_session)
    await outbox.add(HANNAH, taken_at=NOW)
    await outbox.add(walter, taken_at=NOW)
    sent_mail = outage.inner.send_mail

    async def down_after_first(message):
        await sent_mail(message)
        outage.down = True  # the network drops right after Hannah's host was told

    outage.inner.send_mail = down_after_first
    result = await outbox.drain(session.reception)
    assert result.backend_down and len(result.sent) == 1 and result.waiting == 1
    assert not (await demo_session.backend.get_guest(walter)).checked_in
    outage.down = False
    outage.inner.send_mail = sent_mail
    result = await outbox.drain(session.reception)
    assert len(result.sent) == 1 and result.waiting == 0
    assert len(await demo_session.backend.list_outbox()) == 2


def run_child(tmp_path: Path, *args: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.kiosk.outbox_child", "--database", str(tmp_path / "site.sqlite3"),
         "--outbox", str(tmp_path / "outbox.sqlite3"), *args],
        cwd=ROOT, env=env, timeout=120, capture_output=True, text=True,
    )
    assert done.returncode in (0, -9), done.stderr
    return done.returncode


async def site(tmp_path: Path):
    clock = FrozenClock(NOW)
    backend = LocalBackend("demo", database=tmp_path / "site.sqlite3", clock=clock)
    await backend.open()
    return backend


@pytest.mark.parametrize("step", ["after_check_in", "before_send", "after_send"])
async def test_killed_mid_send_the_host_is_told_exactly_once_after_a_restart(tmp_path, step):
    backend = await site(tmp_path)
    try:
        walter = await walk_in(Session.for_backend(backend, clock=FrozenClock(NOW)))
    finally:
        await backend.close()
    assert run_child(tmp_path, "--add", HANNAH, "--add", walter, "--drain", "--die", step) == -9
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    states = [e.state for e in await outbox.entries()]
    assert states[0] == {"after_check_in": "queued", "before_send": "notifying", "after_send": "notifying"}[step]
    assert states[1] == "queued"
    assert run_child(tmp_path, "--drain") == 0
    assert [e.state for e in await outbox.entries()] == ["done", "done"]
    backend = await site(tmp_path)
    try:
        mails = await backend.list_outbox()
        assert sorted(m.subject for m in mails) == ["Hannah Lewis has arrived", "Walter Brandt has arrived"]
        assert (await backend.get_guest(HANNAH)).checked_in and (await backend.get_guest(walter)).checked_in
    finally:
        await backend.close()
    assert run_child(tmp_path, "--drain") == 0  # a third start sends nothing more
    backend = await site(tmp_path)
    try:
        assert len(await backend.list_outbox()) == 2
    finally:
        await backend.close()
