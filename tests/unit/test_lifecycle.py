"""Incident lifecycle on a real store: allowed and refused transitions, the owner rule."""

from __future__ import annotations

import pytest

from app import values as v
from app.errors import ValidationError
from app.lifecycle import (
    Transition,
    TransitionRefused,
    apply_transition,
    assign_patrols,
    available,
    change_impact,
    edit_incident,
)
from app.oplog import Action, Op
from app.store import Change, Store
from app.store import queries as q
from app.sync.rules import check_writes
from tests.factories import incident_fields

S = v.IncidentStatus


def _status(store: Store, incident_id: str = "i1") -> S:
    with store.read() as connection:
        return q.incident(connection, incident_id).status


def _move(store: Store, transition: Transition, author: str = "anna") -> S:
    return apply_transition(store, "i1", transition, author).result()


def _patrol(store: Store, patrol_id: str = "p1") -> None:
    fields = {
        "call_sign": patrol_id.upper(),
        "crew": [],
        "vehicle": "",
        "shift_start": 1_700_000_000_000,
        "shift_end": 1_700_028_800_000,
        "sector_id": "",
        "status": "available",
        "lon": None,
        "lat": None,
        "position_at": None,
        "releasability": ["*"],
    }
    store.commit([Change("patrol", patrol_id, fields)], "cmd").result()


@pytest.fixture
def reported(store):
    store.commit([Change("incident", "i1", incident_fields())], "anna").result()
    return store


def test_the_whole_life_of_an_incident_with_who_and_when_in_the_op_log(reported):
    store = reported
    _patrol(store)
    assert _move(store, Transition.VALIDATE, "sofia") is S.VALIDATED
    assert assign_patrols(store, "i1", ["p1"], "sofia").result() is S.RESPONDING
    assert _move(store, Transition.RESOLVE, "nikos") is S.RESOLVED
    assert _move(store, Transition.CLOSE, "sofia") is S.CLOSED
    assert _status(store) is S.CLOSED
    with store.read() as connection:
        ops = list(q.ops_of(connection, "incident", "i1"))
    statuses = [
        (author, fields) for _o, _s, _h, _a, fields, author, _r in ops if b'"status"' in fields
    ]
    assert [author for author, _ in statuses] == ["anna", "sofia", "sofia", "nikos", "sofia"]
    stamps = [row[2] for row in ops]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)


@pytest.mark.parametrize(
    ("path", "refused", "rule"),
    [
        ([], Transition.CLOSE, "only a resolved incident is closed"),
        ([], Transition.RESOLVE, "only a validated or responding incident is resolved"),
        ([], Transition.REOPEN, "only a resolved, closed or dismissed incident reopens"),
        ([Transition.VALIDATE], Transition.VALIDATE, "only a reported incident is validated"),
        ([Transition.VALIDATE], Transition.RESPOND, "needs a patrol assigned"),
        ([Transition.DISMISS], Transition.VALIDATE, "only a reported incident is validated"),
        ([Transition.VALIDATE, Transition.RESOLVE], Transition.DISMISS, "not yet resolved"),
    ],
)
def test_refused_transitions_name_the_rule_and_write_nothing(reported, path, refused, rule):
    for step in path:
        _move(reported, step)
    with reported.read() as connection:
        before = q.counts(connection)["ops"]
    with pytest.raises(TransitionRefused, match=rule):
        _move(reported, refused)
    with reported.read() as connection:
        assert q.counts(connection)["ops"] == before


def test_reopen_sends_a_dismissed_incident_back_to_validation_and_a_closed_one_to_work(reported):
    _move(reported, Transition.DISMISS)
    assert _move(reported, Transition.REOPEN) is S.REPORTED
    _move(reported, Transition.VALIDATE)
    _move(reported, Transition.RESOLVE)
    _move(reported, Transition.CLOSE)
    assert _move(reported, Transition.REOPEN) is S.VALIDATED


def test_available_lists_every_transition_with_why_it_is_refused(reported):
    with reported.read() as connection:
        incident = q.incident(connection, "i1")
    choices = available(incident, "GR-ORE")
    assert {t for t, why in choices.items() if why is None} == {
        Transition.VALIDATE,
        Transition.DISMISS,
    }
    assert choices[Transition.CLOSE].rule == "lifecycle"


def test_a_partner_center_may_not_validate_change_impact_or_close_but_may_note(tmp_path):
    with Store(tmp_path / "bg.sqlite3", "BG-SVL") as partner:
        owner_create = Op(
            "GR-ORE", 1, partner.clock.now(), "incident", "i1", Action.SET, incident_fields(), "a"
        )
        partner.apply_remote([owner_create]).result()
        with partner.read() as connection:
            incident = q.incident(connection, "i1")
        refused = available(incident, "BG-SVL")
        assert all(why is not None and why.rule == "owner" for why in refused.values())
        with pytest.raises(TransitionRefused, match="only the owner center GR-ORE may validate"):
            apply_transition(partner, "i1", Transition.VALIDATE, "ivan").result()
        with pytest.raises(TransitionRefused, match="GR-ORE may change its impact level"):
            change_impact(partner, "i1", "high", "ivan").result()
        assert _status(partner) is S.REPORTED


def test_a_forged_status_change_from_a_partner_is_refused_by_the_owner(reported):
    _move(reported, Transition.VALIDATE)
    forged = Op(
        "BG-SVL", 1, reported.clock.now(), "incident", "i1", Action.SET, {"status": "closed"}, "x"
    )
    result = reported.apply_remote([forged], check_writes, source="BG-SVL").result()
    assert result.applied == 0
    assert "owned by GR-ORE" in result.rejected[0][1]
    assert _status(reported) is S.VALIDATED


def test_impact_changes_and_patrol_assignment_follow_the_status(reported):
    _patrol(reported, "p1")
    _patrol(reported, "p2")
    assert change_impact(reported, "i1", "High", "sofia").result() is v.ImpactLevel.HIGH
    with pytest.raises(ValueError, match="impact"):
        change_impact(reported, "i1", "huge", "sofia")
    # a patrol sent to a reported incident does not validate it
    assert assign_patrols(reported, "i1", ["p1"], "sofia").result() is S.REPORTED
    _move(reported, Transition.VALIDATE)
    assert _move(reported, Transition.RESPOND) is S.RESPONDING
    assert assign_patrols(reported, "i1", [], "sofia").result() is S.VALIDATED
    with pytest.raises(TransitionRefused, match="unknown patrol nope"):
        assign_patrols(reported, "i1", ["p2", "nope"], "sofia").result()
    with reported.read() as connection:
        incident = q.incident(connection, "i1")
    assert incident.impact is v.ImpactLevel.HIGH
    assert incident.assigned_patrols == ()


def test_two_operators_validating_at_once_one_wins_the_other_is_told(reported):
    first = apply_transition(reported, "i1", Transition.VALIDATE, "sofia")
    second = apply_transition(reported, "i1", Transition.VALIDATE, "nikos")
    assert first.result() is S.VALIDATED
    with pytest.raises(TransitionRefused, match="cannot validate a validated incident"):
        second.result()


def test_an_edit_never_silently_overwrites_a_change_made_meanwhile(reported):
    with reported.read() as connection:
        seen = q.incident(connection, "i1").to_fields()
    change_impact(reported, "i1", "high", "sofia").result()  # while nikos has the form open
    with pytest.raises(ValidationError, match="impact: was changed meanwhile \\(now High\\)"):
        edit_incident(reported, "i1", {"impact": "low"}, seen, "nikos").result()
    edit_incident(reported, "i1", {"title": "Two vans"}, seen, "nikos").result()  # untouched
    with reported.read() as connection:
        incident = q.incident(connection, "i1")
    assert (incident.impact, incident.title) == (v.ImpactLevel.HIGH, "Two vans")
