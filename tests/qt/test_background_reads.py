"""Reads on the worker thread: delivered on the GUI thread, quiet when shut down."""

from __future__ import annotations

import logging
import threading

from widgets.background import BackgroundReads


def test_a_read_still_queued_at_shutdown_is_dropped_without_an_error(qtbot, caplog):
    """Regression: shutting down with a read queued logged "background read ... failed"
    (a CancelledError delivered like a result)."""
    reads = BackgroundReads()
    release = threading.Event()
    delivered = []
    reads.request("slow", lambda: release.wait(5), delivered.append)
    reads.request("queued", lambda: "never read", delivered.append)
    threading.Timer(0.1, release.set).start()
    with caplog.at_level(logging.ERROR, logger="widgets.background"):
        reads.shutdown()  # waits for "slow"; "queued" is cancelled
        qtbot.waitUntil(lambda: delivered == [True], timeout=3000)
        qtbot.wait(50)
    assert delivered == [True]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
