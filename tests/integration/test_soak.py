"""A node under steady writes with its links flapping keeps flat memory and descriptors
(tests/integration/soak.py; bench/reliability.py runs it for minutes)."""

from __future__ import annotations

import random

import pytest

from tests.integration.soak import soak

pytestmark = pytest.mark.slow


def test_node_with_flapping_links_keeps_memory_and_descriptors_flat(tmp_path):
    seed = random.randrange(1 << 30)
    run = soak(tmp_path, duration_s=8, seed=seed)
    assert run.failures == [], run.failures
    assert run.flaps > 10
    (rss_start, fds_start), (rss_end, fds_end) = run.start, run.end
    # connections come and go with the flaps: a few descriptors either way, not a climb
    assert fds_end <= fds_start + 4, run.samples
    assert rss_end <= rss_start * 1.25, run.samples
