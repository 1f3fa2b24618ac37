"""A kiosk process for the outbox crash tests: queues a check-in (``add``) and/or drains the
outbox, killing itself with SIGKILL at the step named by ``--die`` (no cleanup, no flush: as a
power cut or ``kill -9`` would)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

from staffterm.backends.local import LocalBackend
from staffterm.clock import FrozenClock
from staffterm.services.kiosk_outbox import KioskOutbox
from staffterm.services.session import Session

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(args: argparse.Namespace) -> None:
    clock = FrozenClock(NOW)
    backend = LocalBackend("demo", database=Path(args.database), clock=clock)
    session = Session.for_backend(backend, clock=clock)
    outbox = KioskOutbox(Path(args.outbox), tenant="demo")
    async with session:
        for guest_id in args.add or []:
            await outbox.add(guest_id, taken_at=clock.now(), notice_version="2", kiosk="lobby-1")
        if args.die == "after_check_in":
            real_check_in = backend.check_in_guest

            async def check_in_then_die(guest_id, **kwargs):
                await real_check_in(guest_id, **kwargs)
                die()

            backend.check_in_guest = check_in_then_die  # type: ignore[method-assign]
        elif args.die in ("before_send", "after_send"):
            real_send = backend.send_mail

            async def send_and_die(message):
                if args.die == "before_send":
                    die()
                await real_send(message)
                die()

            backend.send_mail = send_and_die  # type: ignore[method-assign]
        if args.drain:
            await outbox.drain(session.reception)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--outbox", required=True)
    parser.add_argument("--add", action="append")
    parser.add_argument("--drain", action="store_true")
    parser.add_argument("--die", choices=["after_check_in", "before_send", "after_send"])
    asyncio.run(main(parser.parse_args()))
