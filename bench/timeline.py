"""Timeline over a million incidents: filter changes and scrolling, next to raw sqlite3.

    python bench/timeline.py [--rows 1000000] [--db /tmp/tl/bench.sqlite3] [--repeat 5]

The database is built once through the store's bulk path (``Store.commit`` of 100k creates
per transaction, ~1 min for 1M on a quiet machine) and reused if ``--db`` exists with the
right count. Measured, median of ``--repeat``:

1. Filter change: ``incident_filter.filtered_rowids`` for a few typical filters, first the
   first page the table shows at once (``limit=200``) and then the complete list, each against
   the raw indexed ``sqlite3`` query returning the same row ids, in the same run; ratios. Then
   the same in the window (offscreen): from choosing in the filter bar until the table shows
   the first page, and until it holds the complete list.
2. Scroll to the end: the model's page fetch for the last rows of a 1M list.
3. RSS of a process that holds the timeline model at 100k and at 1M incidents.
4. Replay: the picture at T (half-way and at the end of the op-log, both moments) rebuilt
   from the op-log, against reading the same ops with plain sqlite3.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import incident_filter as f
from app.hlc import pack
from app.incident_filter import IncidentFilter, QuickRange
from app.oplog import Action, Op
from app.replay import Moment, PictureDatabase, replay
from app.store import Change, Store
from app.values import Category, IncidentStatus

NOW_MS = 1_795_000_000_000
FIRST_PAGE = 200  # widgets.timeline_listing.FIRST_PAGE: what the table shows first
SPAN_MS = 2 * 365 * 24 * 3_600_000  # two years of history
OWNERS = ["GR-ORE", "BG-SVL", "TR-EDR"]
PLACES = ["Feres", "Kipi", "Orestiada", "Svilengrad", "Kapitan Andreevo", "Edirne", "Meric"]
WHAT = ["Group on foot", "Boat sighted", "Van at the fence", "Fence damage", "Drone seen"]


def incident_fields(rng: random.Random, index: int, rows: int) -> dict:
    occurred = NOW_MS - SPAN_MS + (index * SPAN_MS) // rows + rng.randrange(60_000)
    owner = rng.choice(OWNERS)
    return {
        "owner": owner,
        "originator": owner,
        "reported_by": "bench",
        "occurred_at": occurred,
        "reported_at": occurred + 120_000,
        "lon": 25.9 + rng.random() * 1.0,
        "lat": 40.8 + rng.random() * 1.0,
        "category": rng.choice(list(Category)).value,
        "impact": rng.choices(["low", "medium", "high"], weights=[6, 3, 1])[0],
        "confidence": "B2",
        "status": rng.choice(list(IncidentStatus)).value,
        "title": f"{rng.choice(WHAT)} near {rng.choice(PLACES)}",
        "description": "Reported by the tower camera; patrol informed.",
        "assigned_patrols": [],
        "releasability": ["*"],
    }


def build(path: Path, rows: int, *, chunk: int = 100_000) -> None:
    """``rows`` incidents through the store's bulk path (one transaction per ``chunk``)."""
    rng = random.Random(5)
    started = time.perf_counter()
    with Store(path, "GR-ORE", synchronous="OFF") as store:
        for first in range(0, rows, chunk):
            changes = [
                Change("incident", f"inc-{i:07d}", incident_fields(rng, i, rows))
                for i in range(first, min(rows, first + chunk))
            ]
            store.commit(changes, "bench").result()
            print(f"  built {first + len(changes):,} incidents", file=sys.stderr)
    print(f"  database built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def ensure(path: Path, rows: int) -> None:
    if path.exists():
        with sqlite3.connect(path) as connection:
            held = connection.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        if held == rows:
            return
        path.unlink()
    build(path, rows)


def build_history(path: Path, ops: int, *, chunk: int = 50_000) -> None:
    """A partner's two years of ``ops``, stamped (HLC) across the two years: four in five
    report a new incident, one in five updates one of the last thousand reported (status,
    impact: an incident is worked on in the hours after it is reported, then closed). The
    replay benchmark reads this one: a moment "as it was" falls between ops anywhere in it."""
    rng = random.Random(9)
    started = time.perf_counter()
    created = 0
    with Store(path, "GR-ORE", synchronous="OFF") as store:
        for first in range(0, ops, chunk):
            batch = []
            for seq in range(first + 1, min(ops, first + chunk) + 1):
                wall = NOW_MS - SPAN_MS + (seq * SPAN_MS) // ops
                if created < 10 or rng.random() < 0.8:
                    record, created = f"h-{created:07d}", created + 1
                    fields = incident_fields(rng, seq, ops)
                    fields.update(owner="BG-SVL", originator="BG-SVL", occurred_at=wall - 60_000)
                else:
                    record = f"h-{rng.randrange(max(0, created - 1_000), created):07d}"
                    fields = {
                        "status": rng.choice(list(IncidentStatus)).value,
                        "impact": rng.choice(["low", "medium", "high"]),
                    }
                batch.append(
                    Op("BG-SVL", seq, pack(wall, 0), "incident", record, Action.SET, fields, "b")
                )
            store.apply_remote(batch, source="BG-SVL").result()
            print(f"  history: {first + len(batch):,} ops", file=sys.stderr)
    print(f"  history built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def ensure_history(path: Path, ops: int) -> None:
    if path.exists():
        with sqlite3.connect(path) as connection:
            if connection.execute("SELECT COUNT(*) FROM ops").fetchone()[0] == ops:
                return
        path.unlink()
    build_history(path, ops)


FILTERS = {
    "7 days, high impact": IncidentFilter(quick=QuickRange.LAST_7D, impacts=frozenset({"high"})),
    "24 h, any": IncidentFilter(quick=QuickRange.LAST_24H),
    "smuggling by BG-SVL": IncidentFilter(
        categories=frozenset({"smuggling"}), owners=frozenset({"BG-SVL"})
    ),
    "high impact, all time": IncidentFilter(impacts=frozenset({"high"})),
    "text 'boat feres'": IncidentFilter(text="boat feres"),
    "everything": IncidentFilter(),
}


def raw_rowids(
    connection: sqlite3.Connection, criteria: IncidentFilter, limit: int | None = None
) -> np.ndarray:
    """The hand-written indexed query for the same rows, through plain sqlite3."""
    clauses, params = ["deleted = 0 AND complete = 1"], []
    if criteria.start_ms is not None:
        clauses.append("occurred_at >= ?")
        params.append(criteria.start_ms)
    for column, values in (
        ("category", criteria.categories),
        ("impact", criteria.impacts),
        ("owner", criteria.owners),
    ):
        if values:
            clauses.append(f"{column} = ?")
            params.append(next(iter(values)))
    for word in criteria.words:
        clauses.append("(title LIKE ? OR description LIKE ? OR id LIKE ?)")
        params += [f"%{word}%"] * 3
    sql = f"SELECT rowid FROM incidents WHERE {' AND '.join(clauses)} ORDER BY occurred_at DESC"
    if limit is not None:
        sql += f" LIMIT {limit}"
    return np.array([row[0] for row in connection.execute(sql, params)], dtype=np.int64)


def timed(action, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def bench_filters(path: Path, repeat: int) -> None:
    raw = sqlite3.connect(path)
    with Store(path, "GR-ORE") as store:
        print(
            f"filter change -> row ids in display order (median of {repeat}, ms): the first "
            f"page the table shows ({FIRST_PAGE} rows), then the complete list"
        )
        print(
            f"  {'filter':<24}{'rows':>10}   {'first page':>10}{'raw':>8}{'ratio':>7}"
            f"   {'complete':>10}{'raw':>8}{'ratio':>7}"
        )
        for name, criteria in FILTERS.items():
            resolved = criteria.resolved(NOW_MS)
            figures = []
            for limit in (FIRST_PAGE, None):

                def ours(resolved=resolved, limit=limit):
                    with store.read() as connection:
                        return f.filtered_rowids(connection, resolved, limit=limit)

                ours_ms, rowids = timed(ours, repeat)
                raw_ms, expected = timed(
                    lambda resolved=resolved, limit=limit: raw_rowids(raw, resolved, limit), repeat
                )
                assert np.array_equal(rowids, expected), name
                figures.append((ours_ms, raw_ms))
            (first_ms, first_raw), (all_ms, all_raw) = figures
            print(
                f"  {name:<24}{len(rowids):>10,}   {first_ms:>10.1f}{first_raw:>8.1f}"
                f"{first_ms / first_raw:>7.2f}   {all_ms:>10.1f}{all_raw:>8.1f}"
                f"{all_ms / all_raw:>7.2f}"
            )
        bench_scroll(store, raw, repeat)
        bench_window(store, repeat)


def bench_window(store: Store, repeat: int) -> None:
    """The user's view of a filter change: choose in the bar until the table shows the first
    page, and until it holds the complete list (the reads on the worker thread, the queued
    deliveries, the model reset and the rows appended), offscreen."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QTableView

    from widgets.incident_table import IncidentTableModel
    from widgets.timeline_panel import TimelinePanel

    app = QApplication.instance() or QApplication([])
    model = IncidentTableModel(store)
    table = QTableView()
    table.setModel(model)
    folder = Path(tempfile.mkdtemp(prefix="limes-bench-views-"))
    panel = TimelinePanel(
        store, model, table, OWNERS, now_ms=lambda: NOW_MS, views_file=folder / "v.ini"
    )
    panel.resize(1400, 700)
    panel.show()
    loop = QEventLoop()
    panel.loaded.connect(loop.quit)
    first_shown: list[float] = []
    panel.first_page_shown.connect(lambda _rows: first_shown.append(time.perf_counter()))
    QTimer.singleShot(30_000, loop.quit)
    loop.exec()  # the initial listing

    def timed_change(action) -> tuple[float, float]:
        first_shown.clear()
        started = time.perf_counter()
        action()
        loop.exec()
        done = time.perf_counter()
        first = first_shown[0] if first_shown else done  # short lists: one read
        return (first - started) * 1000, (done - started) * 1000

    def choose(combo, value):
        return lambda: combo.setCurrentIndex(combo.findData(value))

    def search(text):
        def typed() -> None:
            panel.search.setText(text)
            panel.apply_filter()  # as the typing pause does (300 ms after the last key)

        return typed

    print(
        f"filter change in the window (median of {repeat}, ms): until the table shows the "
        "first page / until it holds the complete list"
    )
    panel.quick_buttons[QuickRange.LAST_7D].click()
    loop.exec()
    cases = (
        ("7 days: impact high", choose(panel.impact, "high"), choose(panel.impact, None)),
        ("7 days: owner BG-SVL", choose(panel.owner, "BG-SVL"), choose(panel.owner, None)),
        ("all time: impact high", choose(panel.impact, "high"), choose(panel.impact, None)),
        ("all time: owner BG-SVL", choose(panel.owner, "BG-SVL"), choose(panel.owner, None)),
        ("all time: text 'boat feres'", search("boat feres"), search("")),
        ("all time: back to everything", choose(panel.owner, None), choose(panel.owner, "BG-SVL")),
    )
    for label, action, undo in cases:
        if label.startswith("all time") and not panel.quick_buttons[None].isChecked():
            panel.quick_buttons[None].click()
            loop.exec()
        if label.endswith("everything"):
            timed_change(undo)  # from one owner's list back to all of them
        firsts, completes = [], []
        for _ in range(repeat):
            first, complete = timed_change(action)
            firsts.append(first)
            completes.append(complete)
            rows = panel.model.rowCount()
            timed_change(undo)
        print(
            f"  {label:<30}{statistics.median(firsts):8.1f} / {statistics.median(completes):7.1f}"
            f"   ({rows:,} rows)"
        )
    panel.shutdown()  # its readers stop before the store closes
    app.processEvents()


def bench_scroll(store: Store, raw: sqlite3.Connection, repeat: int) -> None:
    """The table model at the end of the full list: the page a jump to the end fetches."""
    from widgets.incident_table import IncidentTableModel

    model = IncidentTableModel(store)
    model.reload()
    last = model.rowCount() - 1

    def jump() -> object:
        model._pages.clear()
        return model.index(last, 4).data()

    ours_ms, _title = timed(jump, repeat)
    page = [int(r) for r in model.rowids()[-200:]]
    marks = ",".join("?" * len(page))

    def raw_page():
        return raw.execute(f"SELECT * FROM incidents WHERE rowid IN ({marks})", page).fetchall()

    raw_ms, _rows = timed(raw_page, repeat)
    print(
        f"scroll to the end of {model.rowCount():,} rows (one page of 200): "
        f"{ours_ms:.1f} ms, raw sqlite3 {raw_ms:.1f} ms, ratio {ours_ms / raw_ms:.2f}"
    )


def bench_replay(path: Path, repeat: int) -> None:
    """The picture at T rebuilt from the op-log, against reading the same ops with sqlite3."""
    raw = sqlite3.connect(path)
    with Store(path, "GR-ORE") as store:
        print(f"replay over {raw.execute('SELECT COUNT(*) FROM ops').fetchone()[0]:,} ops")
        for share in (0.5, 1.0):
            for moment in Moment:
                first, last = log_span(raw, moment)
                at = first + int((last - first) * share)

                def ours(at=at, moment=moment):
                    with store.read() as connection:
                        return replay(connection, at, moment)

                ours_ms, picture = timed(ours, repeat)

                def copied(at=at, moment=moment):
                    database = PictureDatabase(path, at, moment)
                    database.close()
                    return database

                copy_ms, _database = timed(copied, repeat)
                column, bound = (
                    ("hlc <", (at + 1) << 16)
                    if moment is Moment.AS_IT_WAS
                    else ("received_at <=", at)
                )
                sql = (
                    "SELECT kind, record_id, origin, seq, hlc, action, fields, author FROM ops "
                    f"WHERE {column} ? ORDER BY lsn"
                )
                raw_ms, rows = timed(
                    lambda sql=sql, bound=bound: raw.execute(sql, (bound,)).fetchall(), repeat
                )
                with store.read() as connection:
                    records = replay(connection, at, moment).count("incident")
                print(
                    f"  {moment.label.lower():<13} at {share:>4.0%} of the log: {records:>9,} "
                    f"incidents ({picture.changed_across:,} merged from their ops) in "
                    f"{ours_ms:7.1f} ms, as a picture database the views read {copy_ms:7.0f} ms; "
                    f"raw read of the {len(rows):,} ops {raw_ms:6.0f} ms; "
                    f"ratio {ours_ms / raw_ms:.3f}"
                )

        bench_scrub(path, raw, repeat)


def log_span(raw: sqlite3.Connection, moment: Moment) -> tuple[int, int]:
    """The first and last moment of the log by ``moment``'s clock (writers' or ours)."""
    if moment is Moment.AS_IT_WAS:
        low, high = raw.execute("SELECT MIN(hlc), MAX(hlc) FROM ops").fetchone()
        return low >> 16, high >> 16
    return raw.execute("SELECT MIN(received_at), MAX(received_at) FROM ops").fetchone()


def bench_scrub(path: Path, raw: sqlite3.Connection, repeat: int) -> None:
    """The slider moved while replaying: the picture database the views read is rewritten in
    place for what differs between the two moments, not built anew."""
    for moment in Moment:
        _scrub(path, *log_span(raw, moment), repeat, moment)


def raw_copy_ms(path: Path) -> float:
    """The floor under a views' database: one INSERT ... SELECT of every shown incident into a
    fresh file with the same table and readers' indexes (no journal, no sync)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = sqlite3.connect(Path(folder) / "copy.sqlite3", isolation_level=None, uri=True)
        try:
            copy.execute("PRAGMA journal_mode = OFF")
            copy.execute("PRAGMA synchronous = OFF")
            copy.execute("ATTACH DATABASE ? AS live", (f"file:{path}?mode=ro",))
            wanted = "name = 'incidents' OR (tbl_name = 'incidents' AND name NOT LIKE '%lsn')"
            for (sql,) in copy.execute(
                f"SELECT sql FROM live.sqlite_master WHERE sql IS NOT NULL AND ({wanted}) "
                "ORDER BY type DESC"  # the table first
            ).fetchall():
                copy.execute(sql)
            started = time.perf_counter()
            copy.execute("BEGIN")
            copy.execute(
                "INSERT INTO main.incidents SELECT * FROM live.incidents "
                "WHERE deleted = 0 AND complete = 1"
            )
            copy.execute("COMMIT")
            return (time.perf_counter() - started) * 1000
        finally:
            copy.close()


def _scrub(path: Path, first: int, last: int, repeat: int, moment: Moment) -> None:
    started = time.perf_counter()
    database = PictureDatabase(path, last, moment)
    built_ms = (time.perf_counter() - started) * 1000
    raw_ms = raw_copy_ms(path)
    try:
        print(
            f"  scrubbing ({moment.label.lower()}): entering replay at the end {built_ms:,.0f} ms; "
            f"raw sqlite3 INSERT ... SELECT of the shown incidents into a table with the "
            f"timeline's index {raw_ms:,.0f} ms; ratio {built_ms / raw_ms:.2f}"
        )
        for label, a, b in (
            ("a step of 1% of the log", 0.50, 0.51),
            ("from the end to half-way", 1.0, 0.5),
        ):
            times, rewritten = [], []
            for _ in range(repeat):
                for share in (a, b):
                    started = time.perf_counter()
                    database.move_to(first + int((last - first) * share), moment)
                    times.append((time.perf_counter() - started) * 1000)
                    rewritten.append(database.rewritten)
            print(
                f"    {label:<26} {statistics.median(times):8.0f} ms per move "
                f"({statistics.median(rewritten):,.0f} records rewritten; built anew: see above)"
            )
    finally:
        database.close()


RSS_PROBE = """
import sys, resource
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.store import Store
from widgets.incident_table import IncidentTableModel
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
with Store({path!r}, 'GR-ORE') as store:
    before = rss()
    model = IncidentTableModel(store)
    model.reload()
    for row in range(0, model.rowCount(), max(1, model.rowCount() // 40)):
        model.index(row, 4).data()
    model.index(model.rowCount() - 1, 4).data()
    print(f"{{model.rowCount()}} {{before:.0f}} {{rss():.0f}}")
"""


def rss_at(path: Path) -> tuple[int, float, float]:
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", RSS_PROBE.format(root=root, path=str(path))],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "limes-bench")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    small, large = (
        args.folder / "timeline-100k.sqlite3",
        args.folder / f"timeline-{args.rows}.sqlite3",
    )
    ensure(small, 100_000)
    ensure(large, args.rows)
    history = args.folder / f"history-{args.rows}.sqlite3"
    ensure_history(history, args.rows)
    print(f"timeline benchmark, {args.rows:,} incidents (machine shared: compare ratios)")
    bench_filters(large, args.repeat)
    bench_replay(history, args.repeat)
    for path in (small, large):
        rows, before, after = rss_at(path)
        print(
            f"RSS with the timeline model over {rows:>9,} incidents: {after:6.0f} MB "
            f"({after - before:+.0f} MB for the model)"
        )


if __name__ == "__main__":
    main()
