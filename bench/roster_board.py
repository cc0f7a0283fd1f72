"""The commander's view after one edit: an officer dropped on a patrol, saved, shown again.

    QT_QPA_PLATFORM=offscreen python bench/roster_board.py [--edits 15]

Two rosters, each in a real SQLite store under a real RosterPanel and shift board:
- the demo (24 officers, 10 patrols, 12 sectors);
- bench/roster.py's size: 2,000 officers, 500 patrols over 4 weeks centred on now, 50 sectors.

For each edit the time from the drop to the window being painted again is split into the
save (preview against the rules, op-log write with fsync), reading the roster again, and
each view shown again (patrol list, board, rules, officers). The raw baseline, measured in
the same run: a bare QGraphicsScene cleared and filled with as many plain items as the board
holds, then painted. Medians.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import roster as roster_bench
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView

from app import values as v
from app.demo import seed_demo
from app.domain import Sector
from app.roster_state import RosterState
from app.settings import load_settings
from app.store import Change, Store
from widgets import roster_panel
from widgets.roster_panel import BoardPanel, RosterPanel

IMPACTS = (v.ImpactLevel.LOW, v.ImpactLevel.MEDIUM, v.ImpactLevel.HIGH, v.ImpactLevel.CRITICAL)


def big_store(path: Path, now: datetime) -> Store:
    store = Store(path, "GR-ORE", synchronous="NORMAL")
    rng = random.Random(42)
    roster_bench.START = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=14)
    officers, patrols, sectors = roster_bench.make_roster(rng, 2000, 500, 50)
    changes = [Change("officer", o.id, o.to_fields()) for o in officers]
    for index, (sector_id, countries) in enumerate(sectors.items()):
        lon, lat = 26.0 + (index % 10) * 0.06, 41.0 + (index // 10) * 0.15
        square = [[lon, lat], [lon + 0.05, lat], [lon + 0.05, lat + 0.1], [lon, lat + 0.1]]
        geometry = {"type": "Polygon", "coordinates": [[*square, square[0]]]}
        sector = Sector(
            sector_id, f"Sector {index}", countries[0], "", IMPACTS[index % 4], geometry
        )
        changes.append(Change("sector", sector.id, sector.to_fields()))
    changes += [Change("patrol", p.id, p.to_fields()) for p in patrols]
    store.commit(changes, "bench").result()
    return store


class Timings:
    """Wraps the panel's steps to time each one of every edit."""

    def __init__(self, panel: RosterPanel) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.current: dict[str, float] = defaultdict(float)
        self._wrap(roster_panel, "load_roster", "read the whole roster")
        self._wrap(roster_panel.q, "patrols_by_id", "read the saved patrols")
        self._wrap(roster_panel, "held_crew_keys", "read the saved patrols")
        self._wrap(panel._crew_edits, "refresh", "read the saved patrols")
        self._wrap(RosterState, "preview", "check the rules (preview)")
        self._wrap(panel._store, "commit", "save (op-log, fsync)", wait=True)
        self._wrap(panel.patrol_model, "set_state", "patrol list")
        self._wrap(panel.patrol_view, "resizeColumnsToContents", "patrol list")
        self._wrap(panel.board, "show_roster", "shift board")
        self._wrap(panel, "_show_violations", "rules list")
        self._wrap(panel, "_show_officers", "officer list")
        self._wrap(panel.crew_conflicts, "show_conflicts", "rules list")
        self._wrap(panel, "_show_dispatch", "dispatch")

    def _wrap(self, owner, name: str, label: str, *, wait: bool = False) -> None:
        """Time ``owner.name`` (``wait``: it returns a future; time until it is done)."""
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            begin = time.perf_counter()
            try:
                result = original(*args, **kwargs)
                if wait:
                    result.result()
                return result
            finally:
                self.current[label] += time.perf_counter() - begin

        setattr(owner, name, timed)

    def end_edit(self, total: float, paint: float) -> None:
        self.current["paint"] = paint
        self.current["other"] = total - sum(self.current.values())
        self.current["total, drop to painted"] = total
        for label, seconds in self.current.items():
            self.samples[label].append(seconds)
        self.current = defaultdict(float)


def forget_what_is_shown(panel: RosterPanel) -> None:
    """Make the next show draw everything anew, as every save did before: the patrol list
    reset and sized, the board drawn whole, every list filled again."""
    panel.board._frame = ()
    panel.patrol_model._patrols = []  # so the next state resets the model
    panel._officer_rows.rows = []
    panel._violation_rows.rows = []


def raw_scene_ms(view: QGraphicsView, items: int, app: QApplication, rounds: int) -> float:
    """Clear a bare scene, add ``items`` plain items (half rects, half texts), paint."""
    samples = []
    for _ in range(rounds):
        begin = time.perf_counter()
        scene = view.scene()
        scene.clear()
        for index in range(items // 2):
            scene.addRect(QRectF(index % 40 * 30, index // 40 * 26, 28, 16))
            scene.addSimpleText(f"P-{index}").setPos(index % 40 * 30, index // 40 * 26)
        view.viewport().repaint()
        app.processEvents()
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples) * 1000


def measure(name: str, store: Store, edits: int, app: QApplication) -> None:
    settings = load_settings(overrides={"node": {"center_id": "GR-ORE", "user": "bench"}})
    roster_panel.confirm_violations = lambda *_args: True  # save whatever the rules say
    panel = RosterPanel(store, settings)
    board_panel = BoardPanel(panel)
    panel.resize(600, 800)
    board_panel.resize(1400, 700)
    panel.show()
    board_panel.show()
    app.processEvents()
    timings = Timings(panel)
    rng = random.Random(7)
    officers = sorted(panel.state.officers)
    for _ in range(edits):
        patrol_id = rng.choice(sorted(panel.board.bars))
        officer_id = rng.choice(officers)
        begin = time.perf_counter()
        panel._on_officer_dropped(officer_id, patrol_id, "")
        painting = time.perf_counter()
        app.processEvents()  # Qt paints what the edit made dirty
        end = time.perf_counter()
        timings.end_edit(end - begin, end - painting)
    whole_board, whole_roster = [], []
    for _ in range(edits):  # what each save cost before: the board drawn whole; all anew
        panel.board._frame = ()
        begin = time.perf_counter()
        panel._show_state()
        app.processEvents()
        whole_board.append(time.perf_counter() - begin)
        forget_what_is_shown(panel)
        begin = time.perf_counter()
        panel.reload(sectors_changed=False)
        app.processEvents()
        whole_roster.append(time.perf_counter() - begin)
    items = len(panel.board.scene().items())
    raw_scene = QGraphicsScene()
    raw_view = QGraphicsView(raw_scene)
    raw_view.resize(1400, 700)
    raw_view.show()
    raw = raw_scene_ms(raw_view, items, app, edits)
    state = panel.state
    print(
        f"\n{name}: {len(state.officers)} officers, {len(state.patrols)} patrols, "
        f"{len(state.sectors)} sectors; {len(panel.board.bars)} bars and {items} items on "
        f"the board; medians of {edits} edits"
    )
    board = statistics.median(timings.samples["shift board"]) * 1000
    for label, samples in sorted(timings.samples.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {label:<26} {statistics.median(samples) * 1000:8.1f} ms")
    total = statistics.median(timings.samples["total, drop to painted"]) * 1000
    whole = statistics.median(whole_board) * 1000
    anew = statistics.median(whole_roster) * 1000
    print(f"  raw QGraphicsScene, same item count, filled and painted: {raw:6.1f} ms")
    print(f"  shift board after an edit / raw scene: {board / raw:.2f}x")
    print(f"  for comparison: the views shown again, board drawn whole: {whole:6.1f} ms")
    print(
        f"  for comparison: everything read and drawn anew (each save before): {anew:6.1f} ms"
        f" ({anew / total:.1f}x the edit above)"
    )
    raw_view.close()
    board_panel.close()
    panel.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="limes-bench-board-") as folder:
        with Store(Path(folder) / "demo.sqlite3", "GR-ORE", synchronous="NORMAL") as demo:
            seed_demo(demo, now)
            measure("demo", demo, args.edits, app)
        with big_store(Path(folder) / "big.sqlite3", now) as big:
            measure("bench size", big, args.edits, app)


if __name__ == "__main__":
    main()
