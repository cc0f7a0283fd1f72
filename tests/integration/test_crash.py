"""A few SIGKILLs per run (bench/reliability.py runs many): after each, the database is
intact, nothing reported or acknowledged is lost, nothing is half applied, and the clock
never goes backwards. A failure names its seed; replay it with the seed in the call."""

from __future__ import annotations

import os
import random

import pytest

from tests.integration.crash import catchup_kills, import_kills

SEED = int(os.environ.get("LIMES_CRASH_SEED", random.randrange(1 << 30)))

pytestmark = pytest.mark.slow


def test_killed_imports_are_all_or_nothing_and_reported_ones_stay(tmp_path):
    run = import_kills(tmp_path, kills=5, seed=SEED)
    assert run.failures == [], f"seed {SEED}"
    assert run.kills == 5


def test_killed_node_keeps_every_acknowledged_op_of_a_catch_up(tmp_path):
    run = catchup_kills(tmp_path, kills=5, seed=SEED, ops=8_000)
    assert run.failures == [], f"seed {SEED}"
    assert run.checked_ops > 0  # the kills came while acknowledged ops were already there
