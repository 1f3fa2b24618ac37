"""``python -m tests.fakes.graph [--port 8766]``: serve the fake Microsoft 365 tenant over HTTPS until ^C.

Prints the authority, the Graph root, the app registration and the test CA bundle to trust.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import datetime

from tests.fakes.graph.loopback import serve_https
from tests.fakes.graph.server import FakeGraph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.graph", description=__doc__)
    parser.add_argument("--port", type=int, default=8766, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--now", help="freeze the clock at this ISO time with offset (default: real time)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds each Graph request spends in the service")
    args = parser.parse_args(argv)
    now = None
    if args.now:
        now = datetime.fromisoformat(args.now)
        if now.tzinfo is None:
            parser.error("--now needs a UTC offset, e.g. 2026-03-02T09:00:00+11:00")
    fake = FakeGraph(now=now, latency=args.latency)
    # A supervisor's SIGTERM stops it as cleanly as ^C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        with serve_https(fake, args.port) as (url, ca_bundle):
            print(f"Fake Microsoft 365 serving at {url}", flush=True)
            print(f"  authority:     {url}/{fake.TENANT}   (msal: instance_discovery=False)")
            print(f"  graph root:    {url}/v1.0")
            print(f"  client id:     {fake.CLIENT_ID}")
            print(f"  client secret: {fake.CLIENT_SECRET}")
            print(f"  CA bundle:     {ca_bundle}")
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
