"""Crash consistency, the SQLite way: real ``limes`` processes killed with SIGKILL at random
moments, and after every kill the database is checked as the next start would find it.

Two writers are killed:

- ``limes import`` of a fresh CSV file per round. An import reported as done must be there
  whole; a killed one must be there whole or not at all.
- ``limes node`` catching up from a partner. Every op the partner recorded as acknowledged
  must be there, and every op that is there must have its record applied with it.

Each check also runs ``PRAGMA integrity_check`` and follows the hybrid logical clock: the
stored clock never goes backwards, never lags an op the file holds, and a restarted
process stamps after everything written before it.

Used by tests/integration/test_crash.py (a few kills) and bench/reliability.py (many).
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.store import Change, Store
from tests.factories import incident_fields
from tests.integration.nodes import ROOT, Center, Partner, free_port, wait_for

IMPORT_ROWS = 8_000
CATCHUP_OPS = 20_000  # the partner writes this many more whenever the catch-up is complete


@dataclass
class CrashRun:
    seed: int
    kills: int = 0
    completed: int = 0  # rounds that finished before the kill came
    midway: int = 0  # kills that came while ops were being applied (some there, some not)
    checked_ops: int = 0  # ops that had to be present (reported or acknowledged), last check
    failures: list[str] = field(default_factory=list)


@dataclass
class Snapshot:
    """What one check found in a database."""

    integrity: str
    stored_clock: int
    newest_stamp: int
    ops: int


def check_database(path: Path) -> tuple[Snapshot, sqlite3.Connection]:
    """Open ``path`` as a restart would (recovering the WAL) and check its integrity."""
    raw = sqlite3.connect(path, timeout=30)
    integrity = raw.execute("PRAGMA integrity_check").fetchone()[0]
    stored = raw.execute("SELECT value FROM meta WHERE key = 'hlc'").fetchone()
    newest, ops = raw.execute("SELECT COALESCE(MAX(hlc), 0), COUNT(*) FROM ops").fetchone()
    return Snapshot(integrity, int(stored[0]) if stored else 0, newest, ops), raw


def _clock_checks(snapshot: Snapshot, previous_clock: int, where: str) -> list[str]:
    problems = []
    if snapshot.integrity != "ok":
        problems.append(f"{where}: integrity_check: {snapshot.integrity}")
    if snapshot.stored_clock < previous_clock:
        problems.append(
            f"{where}: stored clock went back from {previous_clock} to {snapshot.stored_clock}"
        )
    if snapshot.stored_clock < snapshot.newest_stamp:
        problems.append(
            f"{where}: stored clock {snapshot.stored_clock} is behind op {snapshot.newest_stamp}"
        )
    return problems


def _csv(path: Path, prefix: str, rows: int) -> Path:
    lines = ["id,time,lat,lon,category,description"]
    lines += [
        f"{prefix}-{i},2026-11-20T{i % 24:02d}:{i % 60:02d}:00Z,41.{i % 1000:03d},26.5,"
        f"unauthorised_crossing,Group seen near marker {i}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_kills(folder: Path, kills: int, seed: int, rows: int = IMPORT_ROWS) -> CrashRun:
    """Import a new file per round and kill ``limes import`` at a random moment in it."""
    rng = random.Random(seed)
    run = CrashRun(seed)
    center = Center("GR-ORE", folder, synchronous="FULL")
    center.write_config()
    config = ("--config", str(center.config))
    reported: set[int] = set()
    stamps: dict[int, tuple[int, int]] = {}  # round: its ops' lowest and highest stamps
    clock = 0
    duration = 0.0
    round_no = 0
    while run.kills < kills and len(run.failures) < 3:
        round_no += 1
        source = _csv(folder / f"round-{round_no}.csv", f"R{round_no}", rows)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "import", str(source), *config],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # the first round runs whole, to learn how long an import takes on this machine
        delay = None if round_no == 1 else rng.uniform(0.1, 1.1) * duration
        try:
            out, err = process.communicate(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            out, err = process.communicate()
            run.kills += 1
        else:
            if process.returncode != 0 or "imported" not in out:
                run.failures.append(f"seed {seed} round {round_no}: import failed: {err[-300:]}")
                break
            reported.add(round_no)
            run.completed += 1
            if round_no == 1:
                duration = time.monotonic() - started
        snapshot, raw = check_database(center.database)
        problems = _clock_checks(snapshot, clock, f"seed {seed} round {round_no}")
        clock = snapshot.stored_clock
        held = 0
        rounds = _rounds(raw)
        for earlier in range(1, round_no + 1):
            records, ops, low, high = rounds.get(earlier, (0, 0, 0, 0))
            if records != ops or ops not in (0, rows):
                problems.append(
                    f"seed {seed} round {round_no}: import {earlier} half applied "
                    f"({ops} ops, {records} records of {rows})"
                )
            if earlier in reported and ops != rows:
                problems.append(
                    f"seed {seed} round {round_no}: import {earlier} was reported done "
                    f"but {ops} of {rows} ops are there"
                )
            if ops:
                held += ops
                stamps[earlier] = (low, high)
        raw.close()
        if round_no in stamps:
            before = [high for r, (_low, high) in stamps.items() if r < round_no]
            if before and stamps[round_no][0] <= max(before):
                problems.append(
                    f"seed {seed} round {round_no}: stamped at {stamps[round_no][0]}, "
                    f"not after the earlier {max(before)}"
                )
        run.checked_ops = held
        run.failures += problems
    return run


def _rounds(raw: sqlite3.Connection) -> dict[int, tuple[int, int, int, int]]:
    """Per import round (ids ``R<round>-<row>``): complete records, ops, lowest and highest
    stamp, in two passes over the tables whatever the number of rounds."""
    prefix = "CAST(substr({0}, 2, instr({0}, '-') - 2) AS INTEGER)"
    records = dict(
        raw.execute(
            f"SELECT {prefix.format('id')}, COUNT(*) FROM incidents WHERE complete = 1 GROUP BY 1"
        )
    )
    return {
        round_no: (records.get(round_no, 0), ops, low, high)
        for round_no, ops, low, high in raw.execute(
            f"SELECT {prefix.format('record_id')}, COUNT(*), MIN(hlc), MAX(hlc) FROM ops GROUP BY 1"
        )
    }


def _write_more(center: Center, start: int, count: int) -> None:
    with Store(center.database, center.id, synchronous="NORMAL") as store:
        changes = [
            Change("incident", f"A-{start + i}", incident_fields(center.id, title=f"A {i}"))
            for i in range(count)
        ]
        store.commit(changes, "writer").result()


def _acknowledged(source: Center, partner: str) -> int:
    """The highest op-log position ``partner`` acknowledged, as ``source`` knows it: its
    saved cursor, or newer from its status file (updated in memory on every ack)."""
    raw = sqlite3.connect(f"file:{source.database}?mode=ro", uri=True, timeout=30)
    try:
        row = raw.execute(
            "SELECT acked_lsn FROM partner_cursors WHERE partner = ?", (partner,)
        ).fetchone()
    finally:
        raw.close()
    saved = row[0] if row else 0
    return max(saved, source.link(partner).get("acked_lsn", 0))


def catchup_kills(folder: Path, kills: int, seed: int, ops: int = CATCHUP_OPS) -> CrashRun:
    """Kill ``limes node`` while it applies a partner's catch-up, again and again."""
    rng = random.Random(seed)
    run = CrashRun(seed)
    a = Center("GR-ORE", folder, port=free_port())
    b = Center("BG-SVL", folder, synchronous="FULL")
    a.partners = [Partner("BG-SVL")]
    b.partners = [Partner("GR-ORE", address=a.address)]
    b.write_config()
    a.write_config()
    written = ops
    _write_more(a, 0, ops)
    clock = held_before = 0
    a.start()
    try:
        while run.kills < kills and len(run.failures) < 3:
            Path(str(b.database) + ".status.json").unlink(missing_ok=True)
            b.start()
            time.sleep(rng.uniform(0.0, 1.5))
            b.process.send_signal(signal.SIGKILL)
            b.process.wait(10)
            b.process = None
            run.kills += 1
            acknowledged = _acknowledged(a, "BG-SVL")
            snapshot, raw = check_database(b.database)
            where = f"seed {seed} kill {run.kills}"
            problems = _clock_checks(snapshot, clock, where)
            clock = snapshot.stored_clock
            held = {seq for (seq,) in raw.execute("SELECT seq FROM ops WHERE origin = 'GR-ORE'")}
            records = raw.execute("SELECT COUNT(*) FROM incidents WHERE complete = 1").fetchone()[0]
            raw.close()
            missing = set(range(1, acknowledged + 1)) - held  # A's seq equals its lsn here
            if missing:
                problems.append(
                    f"{where}: {len(missing)} acknowledged ops missing, first {min(missing)}"
                )
            if records != len(held):
                problems.append(f"{where}: {len(held)} ops but {records} records: half applied")
            run.checked_ops = acknowledged
            run.failures += problems
            run.midway += held_before < len(held) < written
            held_before = len(held)
            if len(held) == written:  # caught up: give it more to catch up on
                _write_more(a, written, ops)
                written += ops
        # finally it catches up whole
        b.start()
        wait_for(lambda: _count(b) == written, 120, "the partner never caught up after the kills")
    finally:
        b.stop()
        a.stop()
    return run


def _count(center: Center) -> int:
    raw = sqlite3.connect(f"file:{center.database}?mode=ro", uri=True, timeout=30)
    try:
        return raw.execute("SELECT COUNT(*) FROM ops").fetchone()[0]
    finally:
        raw.close()
