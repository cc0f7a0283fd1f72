"""Changes written by another process reach a running store's change feed without a restart."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from app.store import Change, Store
from app.store.feed import ChangeFeed
from tests.unit.test_oplog_store import _incident_fields

ROOT = Path(__file__).resolve().parents[2]


def test_import_in_another_process_reaches_the_feed(tmp_path):
    database = tmp_path / "center.sqlite3"
    source = tmp_path / "late.csv"
    source.write_text(
        "id,time,lat,lon,category,description\n"
        "LATE-1,2026-11-21T09:00:00Z,41.1,26.3,document_fraud,Forged visa at Kipoi\n"
    )
    seen: list[frozenset[str]] = []
    arrived = threading.Event()
    with Store(database, "GR-ORE") as store:
        feed = ChangeFeed(store, interval_s=0.05)

        def on_changes(changes):
            seen.append(changes.ids("incident"))
            if "LATE-1" in changes.ids("incident"):
                arrived.set()

        feed.records_changed.connect(on_changes)
        feed.start()
        try:
            store.commit([Change("incident", "OWN-1", _incident_fields())], "anna").result()
            env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
            result = subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "main.py"),
                    "import",
                    str(source),
                    "--database",
                    str(database),
                ],
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
            )
            assert result.returncode == 0, result.stderr
            assert arrived.wait(10), f"feed saw only {seen}"
        finally:
            feed.stop()
    assert any("OWN-1" in ids for ids in seen)
