"""Audit trails read from real op sequences, and note logs under concurrent writers."""

from __future__ import annotations

import threading
import time
from concurrent.futures import wait

import pytest

from app.audit import CREATED, DELETED, NOTE, describe, trail
from app.errors import ValidationError
from app.lifecycle import Transition, apply_transition
from app.notes import ACKNOWLEDGED, acknowledge, add_note
from app.oplog import Action, Op, decode_fields
from app.store import Change, Store
from app.store import queries as q
from app.sync.rules import check_writes
from tests.factories import incident_fields


def _ops(store: Store, after_lsn: int = 0) -> list[Op]:
    """This store's op-log from ``after_lsn`` on, as a partner would receive it."""
    with store.read() as connection:
        rows = connection.exec_driver_sql(
            "SELECT origin, seq, hlc, kind, record_id, action, fields, author FROM ops "
            "WHERE lsn > ? ORDER BY lsn",
            (after_lsn,),
        ).fetchall()
    return [
        Op(o, s, h, k, r, Action(a), decode_fields(f), author)
        for o, s, h, k, r, a, f, author in rows
    ]


@pytest.fixture
def pair(tmp_path):
    with (
        Store(tmp_path / "gr.sqlite3", "GR-ORE") as gr,
        Store(tmp_path / "bg.sqlite3", "BG-SVL") as bg,
    ):
        gr.commit([Change("incident", "i1", incident_fields())], "anna").result()
        bg.apply_remote(_ops(gr), check_writes, source="GR-ORE").result()
        yield gr, bg


def test_audit_trail_names_field_old_new_who_where_and_both_times(pair):
    gr, bg = pair
    apply_transition(gr, "i1", Transition.VALIDATE, "sofia").result()
    gr.commit(
        [Change("incident", "i1", {"impact": "high", "title": "Van at the fence"})], "nikos"
    ).result()
    time.sleep(0.01)
    add_note(bg, "i1", "Our patrol sees the van", "ivan").result()
    gr.apply_remote(_ops(bg), check_writes, source="BG-SVL").result()
    gr.commit([Change("incident", "i1", {}, Action.DELETE)], "sofia").result()

    with gr.read() as connection:
        entries = trail(connection, "i1")
    rows = [(e.field, e.old, e.new, e.author, e.center) for e in entries]
    assert rows == [
        (CREATED, None, "Van at the fence", "anna", "GR-ORE"),
        ("status", "reported", "validated", "sofia", "GR-ORE"),
        ("impact", "medium", "high", "nikos", "GR-ORE"),  # the unchanged title is not listed
        (NOTE, None, "Our patrol sees the van", "ivan", "BG-SVL"),
        (DELETED, None, True, "sofia", "GR-ORE"),
    ]
    times = [e.at for e in entries]
    assert times == sorted(times)
    note = entries[3]
    assert note.learned_at >= note.at  # learned by GR-ORE when the exchange happened
    assert describe("status", "validated") == "Validated"
    assert describe("releasability", ["*"]) == "all partners"


def test_partner_sees_the_owners_trail_with_when_it_learned_each_change(pair):
    gr, bg = pair
    lsn = len(_ops(gr))
    apply_transition(gr, "i1", Transition.VALIDATE, "sofia").result()
    time.sleep(0.08)  # the link is slow: BG learns of the validation later than it was made
    bg.apply_remote(_ops(gr, lsn), check_writes, source="GR-ORE").result()
    with bg.read() as connection:
        entries = trail(connection, "i1")
    validated = entries[-1]
    assert (validated.field, validated.new, validated.center) == ("status", "validated", "GR-ORE")
    assert (validated.learned_at - validated.at).total_seconds() >= 0.08


def test_notes_from_two_centers_at_once_both_survive_on_both_sides(pair):
    gr, bg = pair
    lsn_gr, lsn_bg = len(_ops(gr)), len(_ops(bg))
    add_note(gr, "i1", "EVROS-11 sent", "anna").result()
    add_note(bg, "i1", "Seen from our tower", "ivan").result()
    acknowledge(bg, "i1", "ivan").result()
    # exchange in both directions, each side receiving twice (a retried batch)
    for _ in range(2):
        gr.apply_remote(_ops(bg, lsn_bg), check_writes, source="BG-SVL").result()
        bg.apply_remote(_ops(gr, lsn_gr), check_writes, source="GR-ORE").result()
    logs = []
    for store in (gr, bg):
        with store.read() as connection:
            logs.append([(n.center, n.author, n.text) for n in q.notes_of(connection, "i1")])
    assert logs[0] == logs[1]
    assert sorted(logs[0]) == [
        ("BG-SVL", "ivan", ACKNOWLEDGED),
        ("BG-SVL", "ivan", "Seen from our tower"),
        ("GR-ORE", "anna", "EVROS-11 sent"),
    ]


def test_many_operators_adding_notes_at_once_keep_every_note(store):
    store.commit([Change("incident", "i1", incident_fields())], "anna").result()
    futures = []
    lock = threading.Lock()

    def operator(name: str) -> None:
        for index in range(20):
            future = add_note(store, "i1", f"{name} {index}", name)
            with lock:
                futures.append(future)

    threads = [threading.Thread(target=operator, args=(f"op{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait(futures)
    with store.read() as connection:
        notes = q.notes_of(connection, "i1")
    assert len(notes) == 80 == len({n.id for n in notes})


def test_a_note_needs_text_and_an_incident_this_center_holds(store):
    with pytest.raises(ValidationError, match="text: is required"):
        add_note(store, "i1", "   ", "anna")
    with pytest.raises(ValidationError, match="no incident 'i9'"):
        add_note(store, "i9", "hello", "anna").result()


def test_ops_arriving_out_of_order_give_the_trail_in_the_order_they_were_made(pair):
    gr, bg = pair
    lsn = len(_ops(gr))
    apply_transition(gr, "i1", Transition.VALIDATE, "sofia").result()
    gr.commit([Change("incident", "i1", {"impact": "high"})], "sofia").result()
    gr.commit([Change("incident", "i1", {"impact": "low"})], "nikos").result()
    validate, high, low = _ops(gr, lsn)
    for op in (low, validate, high):  # a relay delivers them shuffled
        bg.apply_remote([op], check_writes, source="GR-ORE").result()
    with bg.read() as connection:
        entries = trail(connection, "i1")
        incident = q.incident(connection, "i1")
    assert [(e.field, e.old, e.new, e.author) for e in entries[1:]] == [
        ("status", "reported", "validated", "sofia"),
        ("impact", "medium", "high", "sofia"),
        ("impact", "high", "low", "nikos"),
    ]
    assert incident.impact.value == "low"  # the merge agrees with the trail's last word
