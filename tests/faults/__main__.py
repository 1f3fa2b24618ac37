"""``python -m tests.faults --operations 400 [--backend placeos|graph] [--seed N] [--rate 0.3]``: the long soak.

Prints operations, faults by kind, lost writes, duplicates, writes reported wrongly and
unhandled errors; exits 1 unless the last four are zero.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tests.faults.graph_ops import GraphTarget
from tests.faults.placeos_ops import PlaceOSTarget
from tests.faults.proxy import FaultPlan
from tests.faults.soak import Report, run_soak

BACKENDS = {"placeos": PlaceOSTarget, "graph": GraphTarget}


async def soak(backend: str, operations: int, seed: int, rate: float) -> Report:
    with tempfile.TemporaryDirectory() as tmp:
        async with BACKENDS[backend](FaultPlan(seed=seed, rate=rate), Path(tmp)) as target:
            return await run_soak(target, operations=operations, seed=seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="placeos")
    parser.add_argument("--operations", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.3, help="share of requests broken (0..1)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = asyncio.run(soak(args.backend, args.operations, args.seed, args.rate))
    print(f"{args.backend}, seed {args.seed}, fault rate {args.rate:g}, {time.perf_counter() - started:.1f} s")
    print("\n".join(report.lines()))
    return 0 if report.clean else 1


if __name__ == "__main__":
    sys.exit(main())
