"""Replay: the picture rebuilt from the op-log at T has the digest the store had at T."""

from __future__ import annotations

import random
import time

from app.hlc import pack
from app.oplog import Action, Op
from app.replay import Moment, replay, time_span
from app.store import Change, Store
from app.store.digest import picture_digest
from tests.factories import incident_fields


def _digest(store: Store) -> str:
    with store.read() as connection:
        return picture_digest(connection)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def test_what_we_knew_at_each_moment_is_the_picture_the_store_held_then(store):
    """Local edits and late, out-of-order partner ops: after every step the store's digest
    is captured; the replay at that moment must give it back."""
    rng = random.Random(3)
    base = _now_ms() - 3_600_000
    captured: list[tuple[int, str]] = []
    seq = 0
    for step in range(30):
        choice = rng.random()
        if choice < 0.4:
            store.commit(
                [Change("incident", f"ours-{step}", incident_fields(title=f"Ours {step}"))], "anna"
            ).result()
        elif choice < 0.6 and step > 3:
            target = f"ours-{rng.randrange(step)}"
            with store.read() as connection:
                exists = connection.exec_driver_sql(
                    "SELECT 1 FROM incidents WHERE id = ?", (target,)
                ).scalar()
            if exists:
                change = rng.choice(
                    [
                        Change("incident", target, {"status": "validated"}),
                        Change("incident", target, {"impact": "high", "title": "Escalated"}),
                        Change("incident", target, action=Action.DELETE),
                    ]
                )
                store.commit([change], "anna").result()
        else:
            # a partner's ops, stamped earlier than ours, some touching one record twice
            seq += 1
            record = f"theirs-{rng.randrange(5)}"
            fields = incident_fields("BG-SVL", title=f"Theirs {seq}")
            if rng.random() < 0.5:
                fields = {"status": "responding"}
            hlc = pack(base + rng.randrange(3_000_000), 0)
            store.apply_remote(
                [Op("BG-SVL", seq, hlc, "incident", record, Action.SET, fields, "boris")]
            ).result()
        time.sleep(0.003)
        captured.append((_now_ms(), _digest(store)))
        time.sleep(0.003)
    with store.read() as connection:
        for at, expected in captured:
            assert replay(connection, at, Moment.WHAT_WE_KNEW).digest() == expected
        span = time_span(connection)
        assert span is not None
        assert span[0] <= base + 3_000_000
        assert span[1] >= captured[0][0] - 60_000
        # Before anything was received the picture is empty; at the end it is today's.
        assert replay(connection, base - 1, Moment.WHAT_WE_KNEW).count("incident") == 0
        final = replay(connection, captured[-1][0], Moment.WHAT_WE_KNEW)
        assert final.digest() == picture_digest(connection)


def test_as_it_was_follows_the_writers_clocks_whatever_order_ops_arrived_in(store):
    """Ops stamped at known times arrive shuffled; the picture "as it was" at each stamp is
    the picture of a store that received exactly the ops stamped up to then."""
    base = _now_ms() - 86_400_000
    ops = []
    for seq in range(1, 25):
        record = f"theirs-{seq % 7}"
        fields = (
            incident_fields("BG-SVL", title=f"Report {seq}")
            if seq <= 7
            else {"status": ["validated", "responding", "resolved"][seq % 3]}
        )
        ops.append(
            Op("BG-SVL", seq, pack(base + seq * 60_000, 0), "incident", record, Action.SET, fields)
        )
    ops.append(Op("BG-SVL", 25, pack(base + 25 * 60_000, 0), "incident", "theirs-3", Action.DELETE))
    shuffled = ops[:]
    random.Random(4).shuffle(shuffled)
    store.apply_remote(shuffled).result()

    with Store(store.path.with_name("reference.sqlite3"), "GR-ORE") as reference:
        for op in ops:  # in stamp order: the reference holds the picture as it was
            reference.apply_remote([op]).result()
            at = op.hlc >> 16
            with store.read() as connection:
                replayed = replay(connection, at, Moment.AS_IT_WAS)
            assert replayed.digest() == _digest(reference), f"at op {op.seq}"
    with store.read() as connection:
        first = replay(connection, base + 60_000, Moment.AS_IT_WAS)
        assert [rid for rid, _ in first.visible("incident")] == ["theirs-1"]
        before_delete = dict(
            replay(connection, base + 24 * 60_000, Moment.AS_IT_WAS).visible("incident")
        )
        assert "theirs-3" in before_delete
        after = dict(replay(connection, base + 25 * 60_000, Moment.AS_IT_WAS).visible("incident"))
        assert "theirs-3" not in after
        assert after["theirs-2"]["status"] == "resolved"  # seq 23 % 3 == 2 ... last set wins


def _rows(database) -> dict[str, list[tuple]]:
    """What the views read from a picture database, table by table (not its row ids)."""
    from app.replay import PICTURE_KINDS, _columns

    with database.read() as connection:
        return {
            kind.table: connection.exec_driver_sql(
                f"SELECT {', '.join(_columns(kind))} FROM {kind.table} ORDER BY id"
            ).fetchall()
            for kind in PICTURE_KINDS
        }


def test_a_picture_moved_about_holds_what_a_fresh_one_at_each_moment_holds(store, tmp_path):
    """Scrubbing the slider back and forth rewrites only what differs; whichever way it
    went, and with the live store changing meanwhile, the views read the same rows as from a
    picture built at that moment from nothing."""
    from app.replay import PictureDatabase

    rng = random.Random(11)
    moments: list[int] = []
    seq = 0
    for step in range(24):
        if rng.random() < 0.5 or step < 4:
            record = f"ours-{rng.randrange(step + 1)}"
            fields = incident_fields(title=f"Ours {step}", impact=rng.choice(["low", "high"]))
            store.commit([Change("incident", record, fields)], "anna").result()
        elif rng.random() < 0.3:
            store.commit([Change("incident", "ours-0", action=Action.DELETE)], "anna").result()
        else:
            seq += 1
            hlc = pack(_now_ms() - rng.randrange(600_000), 0)  # stamped before ours
            fields = incident_fields("BG-SVL", title=f"Theirs {seq}")
            store.apply_remote(
                [Op("BG-SVL", seq, hlc, "incident", f"theirs-{seq % 4}", Action.SET, fields, "b")]
            ).result()
        time.sleep(0.003)
        moments.append(_now_ms())
        time.sleep(0.003)
    for moment in Moment:
        moving = PictureDatabase(store.path, moments[-1], moment, folder=tmp_path)
        try:
            order = moments[:]
            rng.shuffle(order)
            for number, at in enumerate(order):
                if number == len(order) // 2:  # the live store moves on while replaying
                    store.commit(
                        [Change("incident", "ours-1", {"title": "Edited while replaying"})],
                        "anna",
                    ).result()
                    store.commit(
                        [Change("incident", "late", incident_fields(title="Logged meanwhile"))],
                        "anna",
                    ).result()
                picture = moving.move_to(at, moment)
                assert picture.at_ms == at
                fresh = PictureDatabase(store.path, at, moment, folder=tmp_path)
                try:
                    assert _rows(moving) == _rows(fresh), (moment, number)
                    assert picture.settled_below == fresh.picture.settled_below
                finally:
                    fresh.close()
            # moved to the present: today's picture, the edits made meanwhile in it
            moving.move_to(_now_ms() + 1_000, moment)
            titles = {row[0]: row for row in _rows(moving)["incidents"]}
            assert "late" in titles
        finally:
            moving.close()
    assert not list(tmp_path.glob("limes-replay-*"))  # nothing left behind
