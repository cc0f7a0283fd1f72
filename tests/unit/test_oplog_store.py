"""The op-log store: LWW merge, idempotent apply, order independence, tombstones, notes."""

from __future__ import annotations

import random
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.hlc import pack
from app.oplog import Action, Op
from app.store import Change, Store
from app.store import queries as q
from app.store.digest import picture_digest
from tests.factories import incident_fields as _incident_fields


def _digest(store: Store) -> str:
    with store.read() as connection:
        return picture_digest(connection)


def test_create_update_reads_back_with_history_in_oplog(store):
    store.commit([Change("incident", "i1", _incident_fields())], "anna").result()
    store.commit([Change("incident", "i1", {"status": "validated"})], "anna").result()
    with store.read() as connection:
        incident = q.incident(connection, "i1")
        history = list(q.ops_of(connection, "incident", "i1"))
    assert incident.status.value == "validated"
    assert incident.title == "Van at the fence"
    assert [row[3] for row in history] == ["set", "set"]
    assert history[0][1] < history[1][1]  # per-origin sequence increases
    assert history[0][2] < history[1][2]  # HLC increases


def test_invalid_local_change_names_the_field_and_writes_nothing(store):
    with pytest.raises(ValueError, match="lat"):
        store.commit([Change("incident", "i1", _incident_fields(lat=123.0))], "anna").result()
    with store.read() as connection:
        assert q.counts(connection)["ops"] == 0


def _remote(origin, seq, hlc_ms, record_id, action=Action.SET, **fields):
    return Op(origin, seq, pack(hlc_ms, 0), "incident", record_id, action, fields, "someone")


BASE_MS = 1_795_000_000_000


def test_last_writer_wins_per_field_by_hlc_then_origin(store):
    create = _remote("BG-SVL", 1, BASE_MS, "r1", **_incident_fields("BG-SVL"))
    older = _remote("BG-SVL", 2, BASE_MS + 10, "r1", status="validated", impact="high")
    newer = _remote("TR-EDR", 1, BASE_MS + 20, "r1", status="responding")
    store.apply_remote([create, newer]).result()
    store.apply_remote([older]).result()  # arrives late: impact taken, status not
    with store.read() as connection:
        incident = q.incident(connection, "r1")
    assert incident.status.value == "responding"
    assert incident.impact.value == "high"


def test_applying_the_same_ops_twice_changes_nothing(store):
    ops = [
        _remote("BG-SVL", 1, BASE_MS, "r1", **_incident_fields("BG-SVL")),
        _remote("BG-SVL", 2, BASE_MS + 5, "r1", status="validated"),
    ]
    first = store.apply_remote(ops).result()
    digest = _digest(store)
    again = store.apply_remote(ops).result()
    assert (first.applied, again.applied, again.duplicates) == (2, 0, 2)
    assert _digest(store) == digest
    with store.read() as connection:
        assert q.counts(connection)["ops"] == 2


def test_tombstone_wins_over_concurrent_older_edit_and_stays(store):
    store.apply_remote([_remote("BG-SVL", 1, BASE_MS, "r1", **_incident_fields("BG-SVL"))]).result()
    store.apply_remote([_remote("BG-SVL", 2, BASE_MS + 50, "r1", Action.DELETE)]).result()
    store.apply_remote([_remote("TR-EDR", 1, BASE_MS + 10, "r1", title="late edit")]).result()
    with store.read() as connection:
        assert q.incident(connection, "r1").deleted
        assert q.counts(connection)["incidents"] == 0
        assert q.counts(connection)["tombstones"] == 1


def test_notes_from_two_centers_at_the_same_moment_both_survive(store):
    store.commit([Change("incident", "i1", _incident_fields())], "anna").result()
    note_fields = {"incident_id": "i1", "author": "anna", "center": "GR-ORE", "created_at": BASE_MS}
    mine = Change("note", "n-gr", {**note_fields, "text": "Patrol EVROS-11 on the way"}, Action.ADD)
    store.commit([mine], "anna").result()
    theirs = Op(
        "BG-SVL",
        1,
        pack(BASE_MS, 0),
        "note",
        "n-bg",
        Action.ADD,
        {**note_fields, "author": "ivan", "center": "BG-SVL", "text": "Seen from our side"},
        "ivan",
    )
    overwrite = Op(
        "BG-SVL",
        2,
        pack(BASE_MS + 99, 0),
        "note",
        "n-gr",
        Action.ADD,
        {**note_fields, "text": "overwritten?"},
        "ivan",
    )
    store.apply_remote([theirs, overwrite]).result()
    with store.read() as connection:
        notes = q.notes_of(connection, "i1")
    assert sorted(n.text for n in notes) == ["Patrol EVROS-11 on the way", "Seen from our side"]


def test_hostile_remote_ops_are_quarantined_with_a_reason(store):
    future_op = _remote("BG-SVL", 1, BASE_MS * 2, "r1", **_incident_fields("BG-SVL"))
    bad_field = _remote("BG-SVL", 2, BASE_MS, "r2", lat="north")
    unknown = Op("BG-SVL", 3, pack(BASE_MS, 0), "spaceship", "s1", Action.SET, {}, "x")
    result = store.apply_remote([future_op, bad_field, unknown]).result()
    reasons = [reason for _op, reason in result.rejected]
    assert result.applied == 0
    assert "clock guard" in reasons[0]
    assert "lat" in reasons[1]
    assert "spaceship" in reasons[2]
    with store.read() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM quarantine").scalar_one() == 3
        assert q.counts(connection)["ops"] == 0


def _random_history(seed: int) -> list[Op]:
    rng = random.Random(seed)
    ops: list[Op] = []
    seqs = {"GR-ORE": 0, "BG-SVL": 0, "TR-EDR": 0}
    for index in range(rng.randint(1, 40)):
        origin = rng.choice(list(seqs))
        seqs[origin] += 1
        record_id = f"r{rng.randint(1, 4)}"
        hlc_ms = BASE_MS + rng.randint(0, 50)  # many ties on purpose: origin breaks them
        roll = rng.random()
        if roll < 0.1:
            op = _remote(origin, seqs[origin], hlc_ms, record_id, Action.DELETE)
        elif roll < 0.4:
            op = _remote(origin, seqs[origin], hlc_ms, record_id, **_incident_fields(origin))
        else:
            op = _remote(
                origin,
                seqs[origin],
                hlc_ms,
                record_id,
                status=rng.choice(["validated", "responding", "closed"]),
                title=f"edit {index}",
            )
        ops.append(op)
    return ops


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), shuffle_seed=st.integers(0, 10_000))
def test_any_order_and_any_batching_gives_the_same_picture(tmp_path_factory, seed, shuffle_seed):
    ops = _random_history(seed)
    shuffled = list(ops)
    random.Random(shuffle_seed).shuffle(shuffled)
    folder = tmp_path_factory.mktemp("order")
    with Store(folder / "a.sqlite3", "HUB") as a, Store(folder / "b.sqlite3", "HUB") as b:
        a.apply_remote(ops).result()
        for op in shuffled:  # one op per transaction, in another order, with a duplicate
            b.apply_remote([op, op]).result()
        assert _digest(a) == _digest(b)
        with a.read() as ca, b.read() as cb:
            assert q.counts(ca) == q.counts(cb)


def test_digest_ignores_local_only_data_and_sees_value_changes(tmp_path):
    ops = _random_history(7)
    with Store(tmp_path / "a.sqlite3", "A") as a, Store(tmp_path / "b.sqlite3", "B") as b:
        a.apply_remote(ops).result()
        b.apply_remote(ops).result()
        assert _digest(a) == _digest(b)  # different center ids, learned at different times
        with a.read() as connection:
            live = connection.exec_driver_sql(
                "SELECT id FROM incidents WHERE deleted = 0 LIMIT 1"
            ).scalar_one()  # (a tombstone's content no longer counts)
        b.apply_remote([_remote("TR-EDR", 999, BASE_MS * 1 + 60_000, live, title="changed")])
        b.writer.call(lambda _c: None)
        assert _digest(a) != _digest(b)


def test_hlc_never_goes_backwards_across_restarts(tmp_path):
    path = tmp_path / "limes.sqlite3"
    with Store(path, "GR-ORE") as first:
        first.apply_remote(
            [
                _remote(
                    "BG-SVL", 1, BASE_MS * 0 + 4_000_000_000_000, "r1", **_incident_fields("BG-SVL")
                )
            ]
        ).result()
    # a partner's clock ahead of ours (but within the guard) would be quarantined now;
    # instead raise our stored clock directly and check a restarted store stamps above it
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE meta SET value = ? WHERE key = 'hlc'", (str(pack(BASE_MS * 3, 7)),))
    with Store(path, "GR-ORE") as second:
        result = second.commit([Change("incident", "i1", _incident_fields())], "anna").result()
        assert result.applied[0].hlc > pack(BASE_MS * 3, 7)


def test_two_stores_on_one_file_never_reuse_a_sequence_number(tmp_path):
    path = tmp_path / "shared.sqlite3"
    with Store(path, "GR-ORE") as window, Store(path, "GR-ORE") as cli:
        futures = []
        for index in range(20):
            target = window if index % 2 else cli
            fields = _incident_fields()
            futures.append(target.commit([Change("incident", f"i{index}", fields)], "anna"))
        for future in futures:
            future.result()
        with window.read() as connection:
            seqs = [row[0] for row in connection.exec_driver_sql("SELECT seq FROM ops")]
    assert sorted(seqs) == list(range(1, 21))


def test_a_release_change_is_recorded_for_the_sync_to_resend_history(store):
    store.commit(
        [Change("incident", "i1", _incident_fields(releasability=["BG-SVL"]))], "a"
    ).result()
    store.commit([Change("incident", "i1", {"title": "renamed"})], "a").result()
    with store.read() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM release_changes").scalar_one() == 0
    store.commit([Change("incident", "i1", {"releasability": ["BG-SVL", "TR-EDR"]})], "a").result()
    with store.read() as connection:
        rows = connection.exec_driver_sql(
            "SELECT kind, record_id, before FROM release_changes"
        ).fetchall()
        origin = connection.exec_driver_sql("SELECT origin FROM incidents").scalar_one()
    assert rows == [("incident", "i1", '["BG-SVL"]')]
    assert origin == "GR-ORE"


def test_only_the_owner_changes_an_incident_partners_add_notes(store):
    theirs = _remote("BG-SVL", 1, BASE_MS, "r1", **_incident_fields("BG-SVL"))
    store.apply_remote([theirs]).result()
    with pytest.raises(ValueError, match="owned by BG-SVL"):
        store.commit([Change("incident", "r1", {"status": "closed"})], "anna").result()
    note = {"incident_id": "r1", "author": "anna", "center": "GR-ORE", "created_at": BASE_MS}
    store.commit(
        [Change("note", "n1", {**note, "text": "Seen from our side"}, Action.ADD)], "a"
    ).result()
    with store.read() as connection:
        assert q.incident(connection, "r1").status.value == "reported"
        assert [n.text for n in q.notes_of(connection, "r1")] == ["Seen from our side"]


OLDER_PATROL = {  # schema 0001: no "overrides" yet
    "call_sign": "EVROS-7",
    "crew": ["o1"],
    "vehicle": "",
    "shift_start": BASE_MS,
    "shift_end": BASE_MS + 8 * 3_600_000,
    "sector_id": "s1",
    "status": "available",
    "lon": None,
    "lat": None,
    "position_at": None,
    "releasability": ["*"],
}


def test_a_patrol_created_by_an_older_limes_without_its_newer_fields_is_whole(store):
    older = OLDER_PATROL
    create = Op("BG-SVL", 1, pack(BASE_MS, 0), "patrol", "p1", Action.SET, older, "boris")
    store.apply_remote([create]).result()
    with store.read() as connection:
        (patrol,) = q.patrols(connection)
    assert (patrol.call_sign, patrol.overrides) == ("EVROS-7", ())


def test_a_late_field_left_out_hashes_alike_whether_the_row_was_stored_in_between(tmp_path):
    """Found in the demo: a patrol created without ``overrides`` and then moved gave two
    centers different digests, by whether they merged the move into a stored row."""
    create = Op("GR-ORE", 1, pack(BASE_MS, 0), "patrol", "p1", Action.SET, OLDER_PATROL, "anna")
    move = Op("GR-ORE", 2, pack(BASE_MS + 1, 0), "patrol", "p1", Action.SET, {"lon": 26.4}, "a")
    with Store(tmp_path / "a.sqlite3", "A") as a, Store(tmp_path / "b.sqlite3", "B") as b:
        a.apply_remote([create]).result()
        a.apply_remote([move]).result()  # the row was stored, then merged into
        b.apply_remote([create, move]).result()  # both merged in memory
        assert _digest(a) == _digest(b)
