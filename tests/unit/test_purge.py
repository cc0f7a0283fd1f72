"""Deleted records are purged only once every partner has acknowledged the deletion, and a
purged tombstone still does its job: the record stays gone, digests agree, seqs never repeat."""

from __future__ import annotations

from app.oplog import Action
from app.store import Change, Store
from app.store import queries as q
from app.store.digest import picture_digest
from app.sync import outbox
from app.sync.digest import shared_digest
from tests.factories import incident_fields

PARTNERS = ("BG-SVL", "TR-EDR")
DAY_MS = 86_400_000


def _ops(store: Store, after_lsn: int = 0):
    with store.read() as connection:
        return [
            outbox.to_op(op)
            for op in outbox.next_ops(
                connection, "BG-SVL", after_lsn, 10_000, store.center_id, False
            ).ops
        ]


def _ack(store: Store, partner: str) -> None:
    def save(connection):
        high = connection.exec_driver_sql("SELECT MAX(lsn) FROM ops").scalar_one()
        outbox.save_cursor(connection, partner, high, 0)

    store.writer.submit(save).result()


def _history(store: Store, record_id: str) -> list[str]:
    with store.read() as connection:
        return [row[3] for row in q.ops_of(connection, "incident", record_id)]


def _deleted_incident(store: Store) -> None:
    store.commit([Change("incident", "gone", incident_fields(title="Entered by mistake"))], "anna")
    store.commit([Change("incident", "gone", {"description": "more detail"})], "anna")
    store.commit([Change("incident", "kept", incident_fields())], "anna")
    store.commit([Change("incident", "gone", action=Action.DELETE)], "anna").result()


def test_nothing_is_purged_until_every_partner_has_acknowledged_the_delete(store):
    _deleted_incident(store)
    _ack(store, "BG-SVL")  # TR-EDR has been offline for days: it has acknowledged nothing
    result = store.purge_deleted(PARTNERS, older_than_ms=0).result()
    assert (result.records, result.ops, result.waiting) == (0, 0, 1)
    assert _history(store, "gone") == ["set", "set", "delete"]

    _ack(store, "TR-EDR")
    result = store.purge_deleted(PARTNERS, older_than_ms=0).result()
    assert (result.records, result.ops, result.waiting) == (1, 2, 0)
    assert _history(store, "gone") == ["delete"]  # the deletion itself still travels
    with store.read() as connection:
        title = connection.exec_driver_sql("SELECT title FROM incidents WHERE id='gone'").scalar()
        assert title is None  # the content is gone from the file
        assert q.incident(connection, "gone") is None
        assert q.incident(connection, "kept") is not None
        assert q.counts(connection)["incidents"] == 1
    again = store.purge_deleted(PARTNERS, older_than_ms=0).result()
    assert (again.records, again.ops) == (0, 0)

    # An edit that reaches the tombstone later (here the owner's own) does not revive it.
    store.commit([Change("incident", "gone", {"status": "validated"})], "anna").result()
    with store.read() as connection:
        assert q.incident(connection, "gone") is None


def test_a_recent_deletion_waits_for_the_grace_period(store):
    _deleted_incident(store)
    _ack(store, "BG-SVL")
    _ack(store, "TR-EDR")
    assert store.purge_deleted(PARTNERS, older_than_ms=30 * DAY_MS).result().records == 0
    assert store.purge_deleted(PARTNERS, older_than_ms=DAY_MS, now_ms=10**13).result().records == 1


def test_a_purged_tombstone_keeps_digests_equal_and_stale_history_changes_nothing(tmp_path):
    with Store(tmp_path / "a.sqlite3", "GR-ORE") as a, Store(tmp_path / "b.sqlite3", "BG-SVL") as b:
        _deleted_incident(a)
        history = _ops(a)
        b.apply_remote(history).result()
        with a.read() as ca, b.read() as cb:
            before = picture_digest(ca), shared_digest(ca, "BG-SVL", "GR-ORE", False)
            assert before == (picture_digest(cb), shared_digest(cb, "GR-ORE", "BG-SVL", False))

        _ack(a, "BG-SVL")
        assert a.purge_deleted(["BG-SVL"], older_than_ms=0).result().records == 1
        with a.read() as ca:  # B still holds the content of its tombstone; the pictures agree
            assert (picture_digest(ca), shared_digest(ca, "BG-SVL", "GR-ORE", False)) == before

        # A partner that lost its database sends the purged history again: nothing comes back.
        a.apply_remote(history, source="BG-SVL").result()
        with a.read() as ca:
            assert q.incident(ca, "gone") is None
            assert picture_digest(ca) == before[0]
            assert connection_title(ca) is None


def connection_title(connection):
    return connection.exec_driver_sql("SELECT title FROM incidents WHERE id='gone'").scalar()


def test_purging_never_lets_a_sequence_number_be_reused(store):
    store.commit([Change("incident", "gone", incident_fields())], "anna").result()
    store.commit([Change("incident", "gone", action=Action.DELETE)], "anna").result()
    store.commit([Change("incident", "gone2", incident_fields())], "anna").result()
    store.commit([Change("incident", "gone2", {"title": "last edit"})], "anna").result()
    store.commit([Change("incident", "gone", {"title": "late edit on a tombstone"})], "anna")
    store.commit([Change("incident", "gone2", action=Action.DELETE)], "anna").result()
    with store.read() as connection:
        vector = q.version_vector(connection)
    assert store.purge_deleted([], older_than_ms=0).result().records == 2
    with store.read() as connection:
        assert q.version_vector(connection) == vector
    store.commit([Change("incident", "new", incident_fields())], "anna").result()
    with store.read() as connection:
        seqs = [row[0] for row in connection.exec_driver_sql("SELECT seq FROM ops ORDER BY seq")]
    assert seqs[-1] == vector["GR-ORE"] + 1


PATROL = {
    "call_sign": "EVROS-7",
    "crew": ["o1", "o2"],
    "vehicle": "Land Rover",
    "shift_start": 1_795_000_000_000,
    "shift_end": 1_795_028_800_000,
    "sector_id": "s1",
    "status": "available",
    "lon": 26.3,
    "lat": 41.5,
    "position_at": 1_795_000_000_000,
    "releasability": ["*"],
}


def test_an_edit_made_before_the_partner_heard_of_the_deletion_does_not_revive_it(tmp_path):
    with Store(tmp_path / "a.sqlite3", "GR-ORE") as a, Store(tmp_path / "b.sqlite3", "BG-SVL") as b:
        a.commit([Change("patrol", "p1", PATROL)], "anna").result()
        b.apply_remote(_ops(a), source="GR-ORE").result()
        a.commit([Change("patrol", "p1", action=Action.DELETE)], "anna").result()
        _ack(a, "BG-SVL")
        assert a.purge_deleted(["BG-SVL"], older_than_ms=0).result().records == 1
        with a.read() as ca:
            digest = picture_digest(ca)

        # B moved the patrol after A deleted it (it had not heard yet); the move reaches A.
        b.commit([Change("patrol", "p1", {"lon": 26.4, "lat": 41.6})], "boris").result()
        with b.read() as cb:
            moved = [
                outbox.to_op(op)
                for op in outbox.next_ops(cb, "GR-ORE", 0, 100, "BG-SVL", False).ops
            ]
        a.apply_remote(moved, source="BG-SVL").result()
        with a.read() as ca:
            assert q.patrols(ca) == []
            assert picture_digest(ca) == digest
        b.apply_remote(_ops(a), source="GR-ORE").result()
        with a.read() as ca, b.read() as cb:
            assert picture_digest(cb) == picture_digest(ca)
