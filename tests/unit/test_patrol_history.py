"""A patrol's history read from real op sequences of two centers, as the commander reads it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from app import hlc
from app import values as v
from app.audit import CREATED
from app.domain import Patrol
from app.oplog import Action, Op, decode_fields
from app.patrol_history import POSITION, SHIFT, patrol_change_text, patrol_history
from app.roster_rules import Rule, Violation
from app.roster_state import override_change
from app.store import Change, Store
from app.store import queries as q

START = datetime(2026, 11, 22, 6, tzinfo=UTC)
NAMES = {
    "OFF-GR-01": "Eleni Papadaki (GRC)",
    "OFF-BG-01": "Georgi Petkov (BGR)",
    "SEC-GR-1": "Kipoi",
    "SEC-GR-2": "Feres",
}


def _send(sender: Store, receiver: Store) -> None:
    with receiver.read() as connection:
        held = {(o, s) for o, s in connection.exec_driver_sql("SELECT origin, seq FROM ops")}
    with sender.read() as connection:
        rows = connection.exec_driver_sql(
            "SELECT origin, seq, hlc, kind, record_id, action, fields, author FROM ops ORDER BY lsn"
        ).fetchall()
    ops = [Op(o, s, h, k, r, Action(a), decode_fields(f), au) for o, s, h, k, r, a, f, au in rows]
    fresh = [op for op in ops if op.key not in held]
    assert not receiver.apply_remote(fresh, source=sender.center_id).result().rejected


def _patrol(patrol_id: str, call_sign: str, officer: str, status: v.PatrolStatus) -> Patrol:
    """An eight-hour 4x4 patrol in Kipoi from START, crewed by ``officer``."""
    end = START + timedelta(hours=8)
    return Patrol(patrol_id, call_sign, (officer,), "4x4", START, end, "SEC-GR-1", status)


def test_every_change_with_who_where_when_and_positions_summarised(tmp_path):
    with (
        Store(tmp_path / "gr.sqlite3", "GR-ORE") as greek,
        Store(tmp_path / "bg.sqlite3", "BG-SVL") as bulgarian,
    ):
        patrol = _patrol("PAT-1", "EVROS-11", "OFF-GR-01", v.PatrolStatus.PLANNED)
        greek.commit([Change("patrol", patrol.id, patrol.to_fields())], "Cdr. Galanis").result()
        _send(greek, bulgarian)
        bulgarian.commit(
            [Change("patrol", "PAT-1", {"crew": ["OFF-BG-01", "OFF-GR-01"]})], "Cdr. Marinova"
        ).result()
        _send(bulgarian, greek)
        later = START + timedelta(hours=2)
        greek.commit(
            [
                Change(
                    "patrol",
                    "PAT-1",
                    {
                        "sector_id": "SEC-GR-2",
                        "shift_start": v.to_ms(later),
                        "shift_end": v.to_ms(later + timedelta(hours=8)),
                    },
                )
            ],
            "Cdr. Galanis",
        ).result()
        greek.commit([Change("patrol", "PAT-1", {"status": "available"})], "Op. Nikou").result()
        for step in range(3):  # three position reports from the field
            fix = {"lon": 26.3 + step / 100, "lat": 41.5, "position_at": v.to_ms(later)}
            greek.commit([Change("patrol", "PAT-1", fix)], "tracker").result()
        greek.commit([Change("patrol", "PAT-1", {"status": "en_route"})], "Op. Nikou").result()
        greek.commit([Change("patrol", "PAT-1", {"lon": 26.4, "lat": 41.6})], "tracker").result()
        with greek.read() as connection:
            held = {p.id: p for p in q.patrols(connection)}["PAT-1"]
        broken = Violation(Rule.LANGUAGE, "PAT-1", ("OFF-BG-01", "OFF-GR-01"), "no shared language")
        override = override_change(held, broken, "Interpreter on the radio", "Cdr. Galanis", later)
        greek.commit([override], "Cdr. Galanis").result()
        time.sleep(0.01)

        with greek.read() as connection:
            entries = patrol_history(connection, "PAT-1")

    rows = [(e.field, e.center, e.author, patrol_change_text(e, NAMES)) for e in entries]
    assert rows == [
        (CREATED, "GR-ORE", "Cdr. Galanis", "added to the roster: EVROS-11"),
        ("crew", "BG-SVL", "Cdr. Marinova", "crew: + Georgi Petkov (BGR)"),
        ("sector_id", "GR-ORE", "Cdr. Galanis", "sector: Kipoi → Feres"),
        (SHIFT, "GR-ORE", "Cdr. Galanis", "shift: 22 Nov 06:00–14:00Z → 22 Nov 08:00–16:00Z"),
        ("status", "GR-ORE", "Op. Nikou", "status: Planned → Available"),
        (
            POSITION,
            "GR-ORE",
            "tracker",
            f"position: 3 reports {entries[5].since:%H:%M}–{entries[5].at:%H:%M}Z, "
            "last 41.50000, 26.32000",
        ),
        ("status", "GR-ORE", "Op. Nikou", "status: Available → En route"),
        (POSITION, "GR-ORE", "tracker", "position: 41.60000, 26.40000"),
        (
            "overrides",
            "GR-ORE",
            "Cdr. Galanis",
            "override: Common language for Georgi Petkov (BGR), Eleni Papadaki (GRC)"
            " — “Interpreter on the radio”",
        ),
    ]
    assert entries[5].count == 3
    assert entries[5].old == (None, None)
    assert entries[7].old == (26.32, 41.5)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert entries[1].learned_at >= entries[1].at  # a partner's change: when we learned it


def test_a_deleted_patrol_says_so_last(tmp_path):
    with Store(tmp_path / "gr.sqlite3", "GR-ORE") as store:
        patrol = Patrol(
            "PAT-2",
            "EVROS-12",
            (),
            "",
            START,
            START + timedelta(hours=8),
            "",
            v.PatrolStatus.PLANNED,
        )
        store.commit([Change("patrol", patrol.id, patrol.to_fields())], "a").result()
        store.commit([Change("patrol", "PAT-2", {}, Action.DELETE)], "b").result()
        with store.read() as connection:
            entries = patrol_history(connection, "PAT-2")
    assert [patrol_change_text(e, {}) for e in entries] == [
        "added to the roster: EVROS-12",
        "deleted",
    ]


def test_reports_made_in_the_same_millisecond_are_each_counted(tmp_path):
    """A tracker gateway batching fixes stamps them within one millisecond: each is a report
    of its own, not parts of one op (found when the run above counted 2 of 3)."""
    with (
        Store(tmp_path / "gr.sqlite3", "GR-ORE") as greek,
        Store(tmp_path / "bg.sqlite3", "BG-SVL") as bulgarian,
    ):
        patrol = _patrol("PAT-3", "EVROS-13", "OFF-BG-01", v.PatrolStatus.AVAILABLE)
        bulgarian.commit([Change("patrol", patrol.id, patrol.to_fields())], "Cdr. M").result()
        _send(bulgarian, greek)
        wall = int(time.time() * 1000) + 1_000  # after the patrol was created
        fixes = [
            Op("BG-SVL", 2 + n, hlc.pack(wall, n), "patrol", "PAT-3", Action.SET,
               {"lon": 26.3 + n / 100, "lat": 41.5}, "tracker")
            for n in range(3)
        ]  # fmt: skip
        assert not greek.apply_remote(fixes, source="BG-SVL").result().rejected
        with greek.read() as connection:
            entries = patrol_history(connection, "PAT-3")
    assert [(e.field, e.count) for e in entries] == [(CREATED, 1), (POSITION, 3)]
    assert patrol_change_text(entries[1], {}).startswith("position: 3 reports")
    assert entries[1].new == (26.32, 41.5)
