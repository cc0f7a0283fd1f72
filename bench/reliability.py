"""The long versions of the reliability tests, with one table at the end.

    python bench/reliability.py [--kills 50] [--partition-runs 3] [--partition-s 30]
                                [--fuzz 2000] [--soak-s 120] [--seed N]

1. Crash consistency: ``limes import`` and ``limes node`` (applying a partner's catch-up)
   killed with SIGKILL at random moments, ``--kills`` times each, every kill checked
   (tests/integration/crash.py).
2. Partitions: three nodes writing through the fault-injecting proxy, ``--partition-runs``
   runs of ``--partition-s`` seconds, the history checked after the heal
   (tests/integration/jepsen.py).
3. Hostile partner: ``--fuzz`` Hypothesis examples against a real node
   (tests/integration/fuzz.py).
4. Soak: a node under steady writes with flapping links for ``--soak-s`` seconds; memory
   and descriptors at start and end (tests/integration/soak.py).

Every part draws from ``--seed`` (random by default); a failure prints its seed, and the
matching test replays it (see docs/reliability.md). Exit status 1 if anything failed.
Needs the test extra (Hypothesis).
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.crash import catchup_kills, import_kills  # noqa: E402
from tests.integration.fuzz import fuzz  # noqa: E402
from tests.integration.jepsen import run_partitions  # noqa: E402
from tests.integration.soak import soak  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs per writer")
    parser.add_argument("--partition-runs", type=int, default=3)
    parser.add_argument("--partition-s", type=float, default=30.0)
    parser.add_argument("--fuzz", type=int, default=2000, help="Hypothesis examples")
    parser.add_argument("--soak-s", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the fuzzer's rejections are expected; the table tells
    rows: list[tuple[str, str, str]] = []
    failures: list[str] = []

    def part(name: str, job, describe) -> None:
        print(f"{name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="limes-reliability-") as folder:
            result = job(Path(folder))
        failures.extend(result.failures)
        status = "ok" if not result.failures else f"FAILED ({len(result.failures)})"
        rows.append((name, describe(result), f"{status}, {time.monotonic() - started:.0f} s"))

    seed = args.seed
    part(
        "kills: limes import",
        lambda f: import_kills(f, args.kills, seed),
        lambda r: (
            f"{r.kills} kills survived, {r.completed} imports finished first, "
            f"{r.checked_ops:,} ops held (reported or committed)"
        ),
    )
    part(
        "kills: limes node catch-up",
        lambda f: catchup_kills(f, args.kills, seed),
        lambda r: (
            f"{r.kills} kills survived, {r.midway} mid-apply, "
            f"{r.checked_ops:,} acknowledged ops held"
        ),
    )
    for index in range(args.partition_runs):
        part(
            f"partitions, run {index + 1}",
            lambda f, s=seed + index: run_partitions(f, s, args.partition_s),
            lambda r: (
                f"seed {r.seed}: {r.faults} faults, {r.acknowledged:,} acknowledged "
                f"writes, {r.ops_checked:,} (write, center) pairs checked"
            ),
        )
    part(
        "hostile partner fuzz",
        lambda f: fuzz(f, args.fuzz, seed),
        lambda r: (
            f"{r.inputs:,} frames in {r.examples:,} examples; {r.errors:,} errors "
            f"answered, {r.refused_ops:,} ops refused, {r.reconnects} oversized-frame closes"
        ),
    )
    part(
        "soak",
        lambda f: soak(f, args.soak_s, seed),
        lambda r: (
            f"{r.duration_s:.0f} s, {r.flaps} flaps, {r.written:,} writes; RSS "
            f"{r.start[0] / 1024:.1f} -> {r.end[0] / 1024:.1f} MB, fds {r.start[1]} -> {r.end[1]}"
        ),
    )
    print(f"\nLimes reliability, seed {seed} (machine shared with other work)\n")
    width = max(len(name) for name, _, _ in rows)
    print(f"| {'part':<{width}} | result | status |")
    print(f"|{'-' * (width + 2)}|---|---|")
    for name, result, status in rows:
        print(f"| {name:<{width}} | {result} | {status} |")
    for failure in failures:
        print(f"FAILURE: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
