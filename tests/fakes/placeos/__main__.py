"""``python -m tests.fakes.placeos [--port 8765]``: serve the fake PlaceOS until ^C.

Prints the base URL and the credentials to put in a staffterm PlaceOS tenant.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import datetime

from tests.fakes.placeos.loopback import serve_on_loopback
from tests.fakes.placeos.server import FakePlaceOS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.placeos", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--now", help="freeze the clock at this ISO time with offset (default: real time)")
    parser.add_argument("--no-seed", action="store_true", help="start with an empty site")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    args = parser.parse_args(argv)
    now = None
    if args.now:
        now = datetime.fromisoformat(args.now)
        if now.tzinfo is None:
            parser.error("--now needs a UTC offset, e.g. 2026-03-02T09:00:00+11:00")
    fake = FakePlaceOS(now=now, seed=not args.no_seed, latency=args.latency)
    # A supervisor's SIGTERM stops it as cleanly as ^C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        with serve_on_loopback(fake, args.port) as url:
            print(f"Fake PlaceOS serving at {url}", flush=True)
            print(f"  X-API-Key (admin):   {fake.API_KEY}")
            print(f"  X-API-Key (user):    {fake.USER_KEY}")
            print(f"  password grant:      username={fake.USERNAME} password={fake.PASSWORD} "
                  f"client_id={fake.CLIENT_ID} (client_secret, optional: {fake.client_secret})")
            print("Press ^C to stop.", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
    except OSError as exc:
        print(f"cannot serve on port {args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
