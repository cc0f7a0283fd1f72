"""Two centers assign the same officer at the same hours while apart: a conflict, shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app import values as v
from app.domain import Officer, Patrol
from app.oplog import Action, Op, decode_fields
from app.roster_conflicts import center_conflicts, crew_writers
from app.roster_rules import RosterLimits, RosterValidator, Rule
from app.store import Change, Store
from app.store import queries as q

START = datetime(2026, 11, 22, 6, tzinfo=UTC)


def ops_of(store: Store, after: set[tuple[str, int]]) -> list[Op]:
    with store.read() as connection:
        rows = connection.exec_driver_sql(
            "SELECT origin, seq, hlc, kind, record_id, action, fields, author FROM ops ORDER BY lsn"
        ).fetchall()
    ops = [Op(o, s, h, k, r, Action(a), decode_fields(f), au) for o, s, h, k, r, a, f, au in rows]
    return [op for op in ops if op.key not in after]


def exchange(a: Store, b: Store) -> None:
    for sender, receiver in ((a, b), (b, a)):
        with receiver.read() as connection:
            held = {(o, s) for o, s in connection.exec_driver_sql("SELECT origin, seq FROM ops")}
        result = receiver.apply_remote(ops_of(sender, held), source=sender.center_id).result()
        assert not result.rejected


def roster_conflicts(store: Store):
    with store.read() as connection:
        officers, patrols = q.officers(connection), q.patrols(connection)
        writers = crew_writers(connection)
    validator = RosterValidator(RosterLimits(), officers, patrols, {})
    return patrols, center_conflicts(validator.violations(), writers)


def test_the_same_officer_assigned_by_two_centers_while_apart_is_a_conflict_on_both(tmp_path):
    greek = Store(tmp_path / "gr.sqlite3", "GR-ORE")
    bulgarian = Store(tmp_path / "bg.sqlite3", "BG-SVL")
    try:
        officer = Officer("OFF-DE-01", "Jonas Becker", "Frontex", "DEU", "", ("de", "en"), ())
        greek.commit([Change("officer", officer.id, officer.to_fields())], "gr").result()
        for store, call_sign in ((greek, "EVROS-11"), (bulgarian, "SAKAR-21")):
            patrol = Patrol(
                f"PAT-{call_sign}",
                call_sign,
                (),
                "4x4",
                START,
                START + timedelta(hours=8),
                "",
                v.PatrolStatus.PLANNED,
            )
            store.commit([Change("patrol", patrol.id, patrol.to_fields())], "cdr").result()
        exchange(greek, bulgarian)
        # the link is down; each commander puts Becker into their own patrol, same hours
        greek.commit(
            [Change("patrol", "PAT-EVROS-11", {"crew": ["OFF-DE-01"]})], "Cdr. Galanis"
        ).result()
        bulgarian.commit(
            [Change("patrol", "PAT-SAKAR-21", {"crew": ["OFF-DE-01"]})], "Cdr. Marinova"
        ).result()
        exchange(greek, bulgarian)

        for store in (greek, bulgarian):
            patrols, conflicts = roster_conflicts(store)
            # nothing merged away: both assignments are held ...
            assert {p.call_sign: p.crew for p in patrols} == {
                "EVROS-11": ("OFF-DE-01",),
                "SAKAR-21": ("OFF-DE-01",),
            }
            # ... and shown as a conflict between the two centers, on both patrols
            assert sorted((c.violation.patrol_id, c.centers) for c in conflicts) == [
                ("PAT-EVROS-11", ("GR-ORE", "BG-SVL")),
                ("PAT-SAKAR-21", ("BG-SVL", "GR-ORE")),
            ]
            assert all(c.violation.rule is Rule.OVERLAP for c in conflicts)
            assert conflicts[0].text.startswith("Conflict between")

        # a double booking made by one center alone is a violation, not a center conflict
        greek.commit([Change("patrol", "PAT-SAKAR-21", {"crew": []})], "Cdr. Galanis").result()
        local = Patrol(
            "PAT-EVROS-12",
            "EVROS-12",
            ("OFF-DE-01",),
            "",
            START,
            START + timedelta(hours=8),
            "",
            v.PatrolStatus.PLANNED,
        )
        greek.commit([Change("patrol", local.id, local.to_fields())], "Cdr. Galanis").result()
        _patrols, conflicts = roster_conflicts(greek)
        assert conflicts == []
    finally:
        greek.close()
        bulgarian.close()
