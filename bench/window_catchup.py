"""A partner's catch-up arriving in the window: how long it takes, and how usable the window
stays meanwhile.

    python bench/window_catchup.py [--ops 100000]

A partner `limes node` process holds N incidents; a window (offscreen) with its own node
dials it. The timeline is set to its All range first (it opens on the last 24 h, and the
partner's incidents are older). Printed: the time until the timeline lists all N, and the gaps
between ticks of a 20 ms GUI timer during that time (median, p99, max, and how many passed
100 ms) next to the 20 ms the timer asks for.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from store import incident_fields  # noqa: E402

from app.settings import PartnerSettings, load_settings  # noqa: E402
from app.store import Change, Store  # noqa: E402
from tests.integration.nodes import Center, Partner, free_port  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--limit-s", type=float, default=120.0)
    args = parser.parse_args()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.store.feed import ChangeFeed
    from app.sync.node import Node
    from widgets.bridge import StoreBridge
    from widgets.main_window import MainWindow

    folder = Path(tempfile.mkdtemp(prefix="limes-bench-catchup-"))
    partner = Center("BG-SVL", folder, port=free_port(), partners=[Partner("GR-ORE")])
    rng = random.Random(3)
    with Store(partner.database, partner.id, synchronous="NORMAL") as store:
        for start in range(0, args.ops, 20_000):
            store.commit(
                [
                    Change("incident", f"p-{i}", incident_fields(rng, i, partner.id))
                    for i in range(start, min(start + 20_000, args.ops))
                ],
                "bench",
            ).result()
    partner.start()

    app = QApplication([])
    settings = load_settings(
        overrides={
            "node": {"center_id": "GR-ORE", "name": "Orestiada"},
            "store": {"path": str(folder / "GR-ORE.sqlite3"), "synchronous": "NORMAL"},
            "sync": {"allow_plain": True},
        }
    )
    settings.partners = [
        PartnerSettings(
            id="BG-SVL", name="Svilengrad", address=partner.address,
            credential_ref="plain:s3cret-for-tests",
        )
    ]  # fmt: skip
    store = Store(settings.database_path, "GR-ORE", synchronous="NORMAL")
    feed = ChangeFeed(store)
    bridge = StoreBridge(feed, settings.ui.refresh_ms)
    node = Node(store, settings)
    window = MainWindow(store, settings, bridge, restore_layout=False, node=node)
    window.show()
    window.timeline.quick_buttons[None].click()  # All: the partner's incidents are not recent
    feed.start()
    node.start()
    gaps: list[float] = []
    state = {"last": time.perf_counter(), "start": time.perf_counter(), "done": None}

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - state["last"])
        state["last"] = now
        model = window.incident_model
        if state["done"] is None and model.complete and model.rowCount() >= args.ops:
            state["done"] = now - state["start"]
            app.quit()
        elif now - state["start"] > args.limit_s:
            app.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    app.exec()
    timer.stop()
    window.shutdown()  # its readers stop before the store closes
    node.stop()
    feed.stop()
    store.close()
    partner.stop()
    gaps.sort()
    print(f"window catch-up: {args.ops:,} incidents from a partner node")
    done = state["done"]
    print(f"  all listed in the timeline after: {done:.1f} s" if done else "  not complete in time")
    over = sum(gap > 0.1 for gap in gaps)
    print(
        f"  GUI timer (asks for 20 ms): median {gaps[len(gaps) // 2] * 1000:.0f} ms, "
        f"p99 {gaps[int(len(gaps) * 0.99)] * 1000:.0f} ms, max {gaps[-1] * 1000:.0f} ms; "
        f"{over} of {len(gaps):,} gaps over 100 ms"
    )


if __name__ == "__main__":
    main()
