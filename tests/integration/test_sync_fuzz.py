"""A hostile partner fuzzed with Hypothesis against a real node (tests/integration/fuzz.py):
the node stays up, refuses every bad frame and op with its reason, applies nothing wrong,
and still serves a real partner. bench/reliability.py runs thousands of inputs."""

from __future__ import annotations

import os
import random

import pytest

from tests.integration.fuzz import fuzz

SEED = int(os.environ.get("LIMES_FUZZ_SEED", random.randrange(1 << 30)))


@pytest.mark.slow
def test_hostile_partner_fuzzing_applies_nothing_wrong(tmp_path):
    run = fuzz(tmp_path, examples=100, run_seed=SEED)
    assert run.failures == [], "\n".join(run.failures)
    assert run.inputs >= 100
    assert run.errors > 0
    assert run.refused_ops > 0
