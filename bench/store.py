"""Store throughput next to raw sqlite3, measured in the same run.

    python bench/store.py [--rows 100000] [--repeat 3]

1. Bulk import: N new incidents through the store (validation, op-log row, record row with
   per-field stamps and row digest, one transaction) against raw ``sqlite3.executemany`` of
   the same incident rows into a plain table with the same indexes.
2. Partner catch-up: N ops from another origin through ``Store.apply_remote`` (schema check,
   clock guard, duplicate check, op-log, merge) against the same raw baseline.
Prints rows/s, the median over ``--repeat`` runs, and the ratio to raw. Target: >= 33%.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.hlc import pack
from app.oplog import Action, Op
from app.records import INCIDENT
from app.store import Change, Store

BASE_MS = 1_795_000_000_000
CATEGORIES = ["unauthorised_crossing", "smuggling", "trafficking", "risk_to_life", "other"]


def incident_fields(rng: random.Random, index: int, origin: str) -> dict:
    return {
        "owner": origin,
        "originator": origin,
        "reported_by": "bench",
        "occurred_at": BASE_MS + index * 1000,
        "reported_at": BASE_MS + index * 1000 + 60_000,
        "lon": 26.0 + rng.random(),
        "lat": 40.8 + rng.random(),
        "category": rng.choice(CATEGORIES),
        "impact": rng.choice(["low", "medium", "high"]),
        "confidence": "B2",
        "status": "reported",
        "title": f"Incident {index}",
        "description": "Group of people seen near the river bank, heading west." * 2,
        "assigned_patrols": [],
        "releasability": ["*"],
    }


def raw_baseline(folder: Path, rows: list[tuple[str, dict]]) -> float:
    path = folder / "raw.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    columns = ", ".join(f"{name}" for name in INCIDENT.fields)
    connection.execute(f"CREATE TABLE incidents (id TEXT PRIMARY KEY, {columns})")
    connection.execute("CREATE INDEX ix_occurred ON incidents (occurred_at)")
    marks = ",".join("?" * (len(INCIDENT.fields) + 1))
    # Timed from the same Python dicts the store gets, to committed rows: the raw path too
    # has to turn records into parameter tuples.
    start = time.perf_counter()
    params = [
        (
            record_id,
            *[
                json.dumps(fields[n], separators=(",", ":"))
                if n in INCIDENT.json_fields
                else fields[n]
                for n in INCIDENT.fields
            ],
        )
        for record_id, fields in rows
    ]
    connection.execute("BEGIN")
    connection.executemany(f"INSERT INTO incidents VALUES ({marks})", params)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - start
    connection.close()
    return len(rows) / elapsed


def store_import(folder: Path, rows: list[tuple[str, dict]]) -> float:
    with Store(folder / "import.sqlite3", "GR-ORE") as store:
        changes = [Change("incident", record_id, fields) for record_id, fields in rows]
        start = time.perf_counter()
        store.commit(changes, "bench").result()
        elapsed = time.perf_counter() - start
    return len(rows) / elapsed


def store_apply_remote(folder: Path, rows: list[tuple[str, dict]]) -> float:
    ops = [
        Op("BG-SVL", seq, pack(BASE_MS + seq, 0), "incident", record_id, Action.SET, fields, "b")
        for seq, (record_id, fields) in enumerate(rows, start=1)
    ]
    with Store(folder / "remote.sqlite3", "GR-ORE") as store:
        start = time.perf_counter()
        result = store.apply_remote(ops).result()
        elapsed = time.perf_counter() - start
        assert result.applied == len(ops), result.rejected[:3]
    return len(rows) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(1)
    results: dict[str, list[float]] = {"raw": [], "import": [], "apply": []}
    for run in range(args.repeat):
        rows = [(f"bench-{run}-{i}", incident_fields(rng, i, "BG-SVL")) for i in range(args.rows)]
        with tempfile.TemporaryDirectory(prefix="limes-bench-") as name:
            folder = Path(name)
            results["raw"].append(raw_baseline(folder, rows))
            results["import"].append(store_import(folder, rows))
            results["apply"].append(store_apply_remote(folder, rows))
    raw = statistics.median(results["raw"])
    print(f"store benchmark: {args.rows:,} incidents, median of {args.repeat} runs")
    print(f"  raw sqlite3 executemany (same rows, same indexes): {raw:>10,.0f} rows/s")
    for key, label in (
        ("import", "bulk import through the store"),
        ("apply", "apply 100k partner ops"),
    ):
        value = statistics.median(results[key])
        print(f"  {label:<48} {value:>10,.0f} rows/s   {value / raw:6.1%} of raw")


if __name__ == "__main__":
    main()
