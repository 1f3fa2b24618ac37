"""The console tests' ``settle`` helper: what a test (or a snapshot) sees after it must not depend
on how fast the machine is."""

from __future__ import annotations

import asyncio
import threading

from staffterm.ui.widgets.status_header import StatusHeader
from tests.functional.conftest import settle


def _shown_header(app) -> str:
    return str(app.screen.query_one(StatusHeader).render())


async def test_settle_waits_for_the_database_queue_and_repaints_the_header(make_app, demo_session):
    """Database work outside any worker (here: held up on the database thread) used to outlive
    ``settle``, and a snapshot caught "2 queued · 0 in flight" in the header."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        backend = demo_session.backend
        gate = threading.Event()
        # One operation holds the database thread; two more wait behind it.
        held = asyncio.ensure_future(backend._db.run(lambda conn: gate.wait(5), write=False))
        behind = [asyncio.ensure_future(backend.list_rooms()) for _ in range(2)]
        for _ in range(100):
            await pilot.pause(0.01)
            if backend.request_stats() == (2, 1):
                break
        assert backend.request_stats() == (2, 1)
        await pilot.pause(StatusHeader.QUEUE_POLL_SECONDS + 0.1)
        assert "2 queued · 1 in flight" in _shown_header(app)  # the header polled the queue
        threading.Timer(0.3, gate.set).start()

        await settle(pilot, app)

        assert backend.request_stats() == (0, 0)
        assert held.done() and all(task.done() for task in behind)
        assert "queued" not in _shown_header(app) and "in flight" not in _shown_header(app)


async def test_the_header_under_a_dialog_keeps_following_the_queue(make_app, demo_session):
    """A dialog (find a free room) leaves the screen under it visible: its header must not keep
    the queue counts of the moment the dialog opened."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        under = app.screen
        backend = demo_session.backend
        gate = threading.Event()
        held = asyncio.ensure_future(backend._db.run(lambda conn: gate.wait(5), write=False))
        behind = [asyncio.ensure_future(backend.list_rooms()) for _ in range(2)]
        for _ in range(100):
            await pilot.pause(0.01)
            if backend.request_stats() == (2, 1):
                break
        await pilot.pause(StatusHeader.QUEUE_POLL_SECONDS + 0.1)
        assert "2 queued · 1 in flight" in str(under.query_one(StatusHeader).render())
        await pilot.press("n")  # find a free room: a modal over the zones screen
        await pilot.pause(0.1)
        assert app.screen is not under and app.screen.is_modal
        gate.set()
        await asyncio.gather(held, *behind)
        await pilot.pause(StatusHeader.QUEUE_POLL_SECONDS * 3)
        shown = str(under.query_one(StatusHeader).render())
        assert "queued" not in shown and "in flight" not in shown, shown
