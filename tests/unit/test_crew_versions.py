"""Concurrent crew edits: which versions are in conflict, what settling on both gives, and, over
three real stores exchanging ops in any order, that no crew edit is ever silently lost."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.crew_versions import CrewConflict, CrewEdits, CrewVersion, unreplaced
from app.oplog import Action, Op
from app.store import Change, Store
from app.store import queries as q
from app.store.digest import picture_digest
from tests import factories
from tests.roster_views import roster_of
from tests.store_exchange import send


def version(origin: str, seq: int, hlc: int, crew: str, base: list[tuple[str, int]] | None):
    return CrewVersion(
        (origin, seq), hlc, tuple(crew.split()), None if base is None else frozenset(base), "x"
    )


def test_versions_edited_from_the_same_one_are_both_open_and_a_settle_closes_them():
    created = version("GR", 1, 10, "a b", None)
    greek = version("GR", 2, 20, "a b c", [("GR", 1)])
    bulgarian = version("BG", 1, 15, "a", [("GR", 1)])  # earlier stamp, still not replaced
    assert unreplaced([created, greek, bulgarian]) == [greek, bulgarian]
    settle = version("BG", 2, 30, "a c", [("GR", 2), ("BG", 1)])
    assert unreplaced([created, greek, bulgarian, settle]) == [settle]


def test_a_crew_written_without_a_base_replaces_everything_stamped_before_it():
    created = version("GR", 1, 10, "a", None)
    greek = version("GR", 2, 20, "a b", [("GR", 1)])
    older_limes = version("TR", 1, 25, "a d", None)
    assert unreplaced([created, greek, older_limes]) == [older_limes]
    later = version("GR", 3, 30, "a e", [("GR", 2)])  # made without seeing TR's
    assert unreplaced([created, greek, older_limes, later]) == [later, older_limes]


def test_both_changes_together_from_the_crew_they_were_edited_from():
    greek = version("GR", 2, 20, "a b c", [("GR", 1)])  # added c
    bulgarian = version("BG", 1, 15, "b", [("GR", 1)])  # took a out
    assert CrewConflict("P", (greek, bulgarian), ("a", "b")).merged() == ("b", "c")
    assert CrewConflict("P", (greek, bulgarian)).merged() == ("a", "b", "c")  # no common crew


CENTERS = ("GR-ORE", "BG-SVL", "TR-EDR")
OFFICERS = ("O1", "O2", "O3", "O4", "O5")
STEP = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(OFFICERS)),
    st.tuples(st.just("settle"), st.integers(0, 2), st.just("")),
    st.tuples(st.just("send"), st.integers(0, 2), st.integers(0, 2)),
)


def test_no_crew_edit_is_lost_silently_and_every_center_sees_the_same_conflicts():
    """Each center edits one patrol's crew from what it holds (an officer in or out), or
    settles the conflict it sees on both changes; ops travel between any two centers at any
    time. After everything is exchanged: equal digests, the same conflict at every center,
    and each version ever written is held, in the conflict, or was replaced by an edit made
    at a center that had it (never lost without someone having seen it)."""
    folder = Path(tempfile.mkdtemp(prefix="limes-crew-"))
    stores = [Store(folder / f"{c}.sqlite3", c, synchronous="OFF") for c in CENTERS]
    patrols = itertools.count()

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(STEP, max_size=14))
    def run(steps):
        patrol = factories.patrol(f"P{next(patrols)}", ("O1",))
        stores[0].commit([Change("patrol", patrol.id, patrol.to_fields())], "cdr").result()
        for other in stores[1:]:
            send(stores[0], other)
        seen_when_written: dict[tuple[str, int], set[tuple[str, int]]] = {}

        def versions_held(store: Store) -> set[tuple[str, int]]:
            edits = CrewEdits()
            with store.read() as connection:
                edits.refresh(connection)
            return set(edits._versions.get(patrol.id, {}))

        def commit(store: Store, preview, roster) -> None:
            seen = versions_held(store)
            result = store.commit(preview.changes(roster.patrols), "cdr").result()
            key = (store.center_id, result.applied[0].seq)
            seen_when_written[key] = seen

        for action, at, what in steps:
            store = stores[at]
            roster = roster_of(store)
            if action == "edit":
                held = roster.patrols[patrol.id]
                if what in held.crew:
                    edited = [roster.without_officer(patrol.id, what)]
                else:
                    edited = roster.with_officer(patrol.id, what)
                commit(store, roster.preview(edited), roster)
            elif action == "settle" and patrol.id in roster.crew_conflicts:
                conflict = roster.crew_conflicts[patrol.id]
                commit(store, roster.settled(conflict, conflict.merged()), roster)
            elif action == "send" and at != what:
                send(store, stores[what])
        for _ in range(2):
            for a, b in itertools.permutations(stores, 2):
                send(a, b)

        digests, conflicts = set(), set()
        for store in stores:
            with store.read() as connection:
                digests.add(picture_digest(connection))
            roster = roster_of(store)
            conflict = roster.crew_conflicts.get(patrol.id)
            conflicts.add(conflict and tuple(x.key for x in conflict.versions))
            held_key = roster.crew_keys[patrol.id]
        assert len(digests) == 1
        assert len(conflicts) == 1
        [open_keys] = conflicts
        for key in seen_when_written:
            if key == held_key or (open_keys and key in open_keys):
                continue
            assert any(key in seen for seen in seen_when_written.values()), (
                f"crew version {key} was lost without any center having seen it"
            )

    try:
        run()
    finally:
        for store in stores:
            store.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_a_partners_crew_base_that_names_no_op_is_refused_with_the_field_named(tmp_path):
    with Store(tmp_path / "gr.sqlite3", "GR-ORE") as store:
        patrol = factories.patrol("EVROS-11", ("O1",))
        store.commit([Change("patrol", patrol.id, patrol.to_fields())], "cdr").result()
        for base, reason in (
            ([["BG-SVL", 0]], "crew_base: 0 is not an op's sequence number"),
            ([["BG-SVL"]], "crew_base"),
            ("GR-ORE/1", "crew_base"),
        ):
            bad = Op("BG-SVL", 1, store.clock.now(), "patrol", patrol.id, Action.SET,
                     {"crew": ["O2"], "crew_base": base}, "x")  # fmt: skip
            [(_op, why)] = store.apply_remote([bad], source="BG-SVL").result().rejected
            assert reason in why
        with store.read() as connection:
            assert [p.crew for p in q.patrols(connection)] == [("O1",)]  # nothing half-applied
