"""Three nodes writing through a fault-injecting proxy (tests/integration/jepsen.py): after
the heal no acknowledged write is lost or duplicated, nothing reached a center it was not
released to, and every pair holds the same shared picture. A random seed per run; seeds
that once failed stay below as regression tests. bench/reliability.py runs longer ones."""

from __future__ import annotations

import os
import random

import pytest

from tests.integration.jepsen import run_partitions

SEED = int(os.environ.get("LIMES_JEPSEN_SEED", random.randrange(1 << 30)))
REGRESSION_SEEDS: list[int] = []

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("seed", [SEED, *REGRESSION_SEEDS])
def test_partitions_lose_duplicate_and_leak_nothing(tmp_path, seed):
    run = run_partitions(tmp_path, seed, duration_s=8)
    assert run.failures == [], "\n".join(run.failures)
    assert run.acknowledged > 100
    assert run.faults >= 5
