"""Two centers edit the roster at once while apart: the same officer assigned by both, or the
same patrol's crew edited by both. Either is a conflict, shown on both, never merged away."""

from __future__ import annotations

import pytest

from app.crew_versions import CrewEdits
from app.domain import Officer
from app.roster_conflicts import center_conflicts, crew_writers
from app.roster_rules import RosterLimits, RosterValidator, Rule
from app.store import Change, Store
from app.store import queries as q
from app.store.digest import picture_digest
from tests import factories
from tests.roster_views import add_to_crew, roster_of
from tests.store_exchange import exchange, send


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
            patrol = factories.patrol(call_sign)
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
        local = factories.patrol("EVROS-12", ("OFF-DE-01",))
        greek.commit([Change("patrol", local.id, local.to_fields())], "Cdr. Galanis").result()
        _patrols, conflicts = roster_conflicts(greek)
        assert conflicts == []
    finally:
        greek.close()
        bulgarian.close()


@pytest.fixture
def centers(tmp_path):
    with (
        Store(tmp_path / "gr.sqlite3", "GR-ORE") as greek,
        Store(tmp_path / "bg.sqlite3", "BG-SVL") as bulgarian,
    ):
        yield greek, bulgarian


OFFICERS = [
    Officer("OFF-GR-01", "Eleni Papadaki", "Hellenic Police", "GRC", "", ("el", "en"), ()),
    Officer("OFF-BG-01", "Georgi Petkov", "Border Police", "BGR", "", ("bg", "en"), ()),
    Officer("OFF-BG-02", "Daniela Ivanova", "Border Police", "BGR", "", ("bg", "en"), ()),
    Officer("OFF-DE-01", "Jonas Becker", "Frontex", "DEU", "", ("de", "en"), ()),
]


def digest(store: Store) -> str:
    with store.read() as connection:
        return picture_digest(connection)


def test_one_crew_edited_by_two_centers_while_apart_is_a_conflict_both_settle_alike(centers):
    greek, bulgarian = centers
    greek.commit([Change("officer", o.id, o.to_fields()) for o in OFFICERS], "gr").result()
    patrol = factories.patrol("EVROS-11", ("OFF-BG-01", "OFF-GR-01"))
    greek.commit([Change("patrol", patrol.id, patrol.to_fields())], "Cdr. Galanis").result()
    exchange(greek, bulgarian)
    # the link is down; each commander adds an officer to the same joint patrol
    add_to_crew(greek, roster_of(greek), patrol.id, "OFF-DE-01", "Cdr. Galanis")
    add_to_crew(bulgarian, roster_of(bulgarian), patrol.id, "OFF-BG-02", "Cdr. Marinova")
    assert roster_of(greek).crew_conflicts == {}  # each alone sees nothing wrong yet
    exchange(greek, bulgarian)

    seen = []
    for store in (greek, bulgarian):
        roster = roster_of(store)
        [conflict] = roster.crew_conflicts.values()
        # both versions are shown, the one held (the later) first; nothing merged away
        versions = [(x.center, x.author, x.crew) for x in conflict.versions]
        assert sorted(versions) == [
            ("BG-SVL", "Cdr. Marinova", ("OFF-BG-01", "OFF-BG-02", "OFF-GR-01")),
            ("GR-ORE", "Cdr. Galanis", ("OFF-BG-01", "OFF-DE-01", "OFF-GR-01")),
        ]
        assert roster.patrols[patrol.id].crew == conflict.versions[0].crew
        seen.append(versions)
    assert seen[0] == seen[1]
    assert digest(greek) == digest(bulgarian)

    # Svilengrad settles on both officers together; Orestiada learns of it
    roster = roster_of(bulgarian)
    conflict = roster.crew_conflicts[patrol.id]
    both = ("OFF-BG-01", "OFF-BG-02", "OFF-DE-01", "OFF-GR-01")
    preview = roster.settled(conflict, both)
    bulgarian.commit(preview.changes(roster.patrols), "Cdr. Marinova").result()
    exchange(greek, bulgarian)
    for store in (greek, bulgarian):
        roster = roster_of(store)
        assert roster.crew_conflicts == {}
        assert roster.patrols[patrol.id].crew == both
    assert digest(greek) == digest(bulgarian)

    # an edit made after seeing the other's is no conflict
    add_to_crew(greek, roster_of(greek), patrol.id, "OFF-BG-02", "Cdr. Galanis")  # held
    roster = roster_of(greek)
    edited = roster.without_officer(patrol.id, "OFF-DE-01")
    greek.commit(roster.preview([edited]).changes(roster.patrols), "Cdr. Galanis").result()
    exchange(greek, bulgarian)
    assert roster_of(bulgarian).crew_conflicts == {}


def test_settling_on_the_crew_already_held_still_ends_the_conflict(centers):
    greek, bulgarian = centers
    patrol = factories.patrol("SAKAR-21", ("OFF-BG-01",))
    bulgarian.commit([Change("patrol", patrol.id, patrol.to_fields())], "Cdr. M").result()
    exchange(greek, bulgarian)
    add_to_crew(greek, roster_of(greek), patrol.id, "OFF-GR-01", "Cdr. G")
    add_to_crew(bulgarian, roster_of(bulgarian), patrol.id, "OFF-BG-02", "Cdr. M")
    send(bulgarian, greek)
    roster = roster_of(greek)
    conflict = roster.crew_conflicts[patrol.id]
    held = roster.patrols[patrol.id].crew
    greek.commit(roster.settled(conflict, held).changes(roster.patrols), "Cdr. G").result()
    exchange(greek, bulgarian)
    for store in (greek, bulgarian):
        assert roster_of(store).crew_conflicts == {}
        assert roster_of(store).patrols[patrol.id].crew == held
    assert digest(greek) == digest(bulgarian)


def test_an_edit_saved_from_a_view_older_than_a_partners_change_is_a_conflict(centers):
    """The commander's view was read before the partner's change arrived: saving from it
    must not silently overwrite that change (the incident form refuses; the roster shows)."""
    greek, bulgarian = centers
    patrol = factories.patrol("EVROS-12", ("OFF-GR-01",))
    greek.commit([Change("patrol", patrol.id, patrol.to_fields())], "Cdr. G").result()
    exchange(greek, bulgarian)
    edits = CrewEdits()
    stale_view = roster_of(greek, edits)
    add_to_crew(bulgarian, roster_of(bulgarian), patrol.id, "OFF-BG-01", "Cdr. M")
    send(bulgarian, greek)  # arrives while the commander is dragging
    add_to_crew(greek, stale_view, patrol.id, "OFF-DE-01", "Cdr. G")
    roster = roster_of(greek, edits)  # read on from where the view had read the op-log
    [conflict] = roster.crew_conflicts.values()
    assert [x.crew for x in conflict.versions] == [
        ("OFF-DE-01", "OFF-GR-01"),  # held: the later
        ("OFF-BG-01", "OFF-GR-01"),  # Svilengrad's, not lost
    ]
