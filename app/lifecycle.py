"""An incident's life: which status changes are allowed, who may make them, and making them.

reported → validated → responding → resolved → closed, with dismissed (it did not happen) from
any open status before resolution, and reopen from resolved, closed or dismissed.

Who: the owner center alone changes an incident (EUROSUR: only the owner validates, changes
the impact level or closes it; ``app/sync/rules.py`` refuses partners' ops that try). A partner
center follows up with notes, an acknowledgement among them (:mod:`app.notes`).

Each change is one op, and the op-log already says who (``author``), which center
(``origin``) and when (``hlc``): the history needs no table of its own (:mod:`app.audit`).
Changes are planned inside the write transaction, so two operators clicking at once cannot
both move the incident from the same status.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection

from app import values as v
from app.audit import describe
from app.domain import Incident
from app.errors import LimesError, ValidationError
from app.records import INCIDENT
from app.store import Change, Store
from app.store import queries as q

S = v.IncidentStatus


class Transition(StrEnum):
    VALIDATE = "validate"
    RESPOND = "respond"
    RESOLVE = "resolve"
    CLOSE = "close"
    DISMISS = "dismiss"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Transition.VALIDATE: "Validate",
    Transition.RESPOND: "Responding",
    Transition.RESOLVE: "Resolve",
    Transition.CLOSE: "Close",
    Transition.DISMISS: "Dismiss",
    Transition.REOPEN: "Reopen",
}


@dataclass(frozen=True)
class Rule:
    """One transition: the statuses it starts from, and why it cannot start from the others."""

    sources: tuple[v.IncidentStatus, ...]
    because: str


RULES: dict[Transition, Rule] = {
    Transition.VALIDATE: Rule((S.REPORTED,), "only a reported incident is validated"),
    Transition.RESPOND: Rule((S.VALIDATED,), "a response starts on a validated incident"),
    Transition.RESOLVE: Rule(
        (S.VALIDATED, S.RESPONDING), "only a validated or responding incident is resolved"
    ),
    Transition.CLOSE: Rule((S.RESOLVED,), "only a resolved incident is closed"),
    Transition.DISMISS: Rule(
        (S.REPORTED, S.VALIDATED, S.RESPONDING),
        "only an open incident not yet resolved is dismissed",
    ),
    Transition.REOPEN: Rule(
        (S.RESOLVED, S.CLOSED, S.DISMISSED), "only a resolved, closed or dismissed incident reopens"
    ),
}


class TransitionRefused(LimesError):
    """A status change that the lifecycle or the owner rule does not allow; ``rule`` names it."""

    def __init__(self, incident_id: str, rule: str, message: str) -> None:
        self.incident_id = incident_id
        self.rule = rule
        super().__init__(f"incident {incident_id}: {message} (rule: {rule})")


def target(incident: Incident, transition: Transition) -> v.IncidentStatus:
    """The status ``transition`` leads to from where ``incident`` is.

    Reopening a dismissed incident sends it back to be validated again (someone judged that it
    did not happen); a resolved or closed one goes back to validated work.
    """
    if transition is Transition.REOPEN:
        return S.REPORTED if incident.status is S.DISMISSED else S.VALIDATED
    return {
        Transition.VALIDATE: S.VALIDATED,
        Transition.RESPOND: S.RESPONDING,
        Transition.RESOLVE: S.RESOLVED,
        Transition.CLOSE: S.CLOSED,
        Transition.DISMISS: S.DISMISSED,
    }[transition]


def refusal(incident: Incident, transition: Transition, center: str) -> TransitionRefused | None:
    """Why ``center`` may not make ``transition`` on ``incident`` now, or None if it may."""
    if incident.deleted:
        return TransitionRefused(incident.id, "deleted", "the incident was deleted")
    refused = owner_refusal(incident, center, f"{transition.value} it")
    if refused is not None:
        return refused
    rule = RULES[transition]
    if incident.status not in rule.sources:
        return TransitionRefused(
            incident.id,
            "lifecycle",
            f"cannot {transition.value} a {incident.status.value} incident: {rule.because}",
        )
    if transition is Transition.RESPOND and not incident.assigned_patrols:
        return TransitionRefused(
            incident.id, "patrol", "a response needs a patrol assigned (assign one first)"
        )
    return None


def available(incident: Incident, center: str) -> dict[Transition, TransitionRefused | None]:
    """Every transition with the reason it is refused (None: allowed), for buttons to show."""
    return {transition: refusal(incident, transition, center) for transition in Transition}


def owner_refusal(incident: Incident, center: str, what: str) -> TransitionRefused | None:
    """The owner rule: only the owner center changes an incident; partners add notes."""
    if incident.owner == center:
        return None
    return TransitionRefused(
        incident.id,
        "owner",
        f"only the owner center {incident.owner} may {what}; {center} may add a note",
    )


def check_owner(incident: Incident, center: str, what: str) -> None:
    refused = owner_refusal(incident, center, what)
    if refused is not None:
        raise refused


def _current(connection: Connection, incident_id: str) -> Incident:
    incident = q.incident(connection, incident_id, with_notes=False)
    if incident is None:
        raise TransitionRefused(incident_id, "unknown", "no such incident here")
    return incident


def apply_transition(
    store: Store, incident_id: str, transition: Transition, author: str
) -> Future[v.IncidentStatus]:
    """Move the incident to its next status as ``author`` of this center; the future raises
    :class:`TransitionRefused` if the rules say no (nothing is written then)."""

    def plan(connection: Connection) -> tuple[list[Change], v.IncidentStatus]:
        incident = _current(connection, incident_id)
        refused = refusal(incident, transition, store.center_id)
        if refused is not None:
            raise refused
        status = target(incident, transition)
        return [Change("incident", incident_id, {"status": status.value})], status

    return store.commit_planned(plan, author)


def change_impact(
    store: Store, incident_id: str, impact: object, author: str
) -> Future[v.ImpactLevel]:
    """Set the impact level; the owner center alone may (EUROSUR)."""
    level = v.parse_enum(v.ImpactLevel, impact, "impact")

    def plan(connection: Connection) -> tuple[list[Change], v.ImpactLevel]:
        incident = _current(connection, incident_id)
        check_owner(incident, store.center_id, "change its impact level")
        if incident.deleted:
            raise TransitionRefused(incident_id, "deleted", "the incident was deleted")
        if level is incident.impact:
            return [], level
        return [Change("incident", incident_id, {"impact": level.value})], level

    return store.commit_planned(plan, author)


def assign_refusal(incident: Incident, center: str) -> TransitionRefused | None:
    """Why ``center`` may not send patrols to ``incident`` now, or None if it may."""
    refused = owner_refusal(incident, center, "assign patrols to it")
    if refused is not None:
        return refused
    if incident.deleted or not incident.status.is_open or incident.status is S.RESOLVED:
        state = "deleted" if incident.deleted else incident.status.value
        return TransitionRefused(
            incident.id, "lifecycle", f"patrols are assigned to open incidents, not a {state} one"
        )
    return None


def assign_patrols(
    store: Store, incident_id: str, patrol_ids: Sequence[str], author: str
) -> Future[v.IncidentStatus]:
    """Set the patrols sent to the incident. Sending the first patrol to a validated incident
    starts the response; taking every patrol off a responding one returns it to validated."""
    wanted = sorted(set(patrol_ids))

    def plan(connection: Connection) -> tuple[list[Change], v.IncidentStatus]:
        incident = _current(connection, incident_id)
        refused = assign_refusal(incident, store.center_id)
        if refused is not None:
            raise refused
        known = {patrol.id for patrol in q.patrols(connection)}
        held = set(incident.assigned_patrols)  # one since taken off the roster may stay
        unknown = [p for p in wanted if p not in known and p not in held]
        if unknown:
            raise TransitionRefused(incident_id, "patrol", f"unknown patrol {', '.join(unknown)}")
        fields: dict[str, object] = {}
        if wanted != list(incident.assigned_patrols):
            fields["assigned_patrols"] = wanted
        status = incident.status
        if wanted and status is S.VALIDATED:
            status = S.RESPONDING
        elif not wanted and status is S.RESPONDING:
            status = S.VALIDATED
        if status is not incident.status:
            fields["status"] = status.value
        return ([Change("incident", incident_id, fields)] if fields else []), status

    return store.commit_planned(plan, author)


def new_incident_id(center: str) -> str:
    """An id no other center or workstation picks: the center, the day, a random part."""
    return f"{center}-{time.strftime('%Y%m%d', time.gmtime())}-{uuid.uuid4().hex[:8]}"


def edit_incident(
    store: Store, incident_id: str, changed: dict[str, object], seen: dict[str, object], author: str
) -> Future[dict[str, object]]:
    """Write an edit of ``changed`` fields made from the values in ``seen`` (what the editor
    showed when it opened). A field someone else changed since is refused, naming the field and
    its value now: a status or impact level is never silently overwritten."""
    checked = INCIDENT.check(changed)

    def plan(connection: Connection) -> tuple[list[Change], dict[str, object]]:
        incident = _current(connection, incident_id)
        check_owner(incident, store.center_id, "edit it")
        now = incident.to_fields()
        for name in checked:
            if name in seen and now[name] != seen[name]:
                raise ValidationError(
                    name,
                    f"was changed meanwhile (now {describe(name, now[name])}); "
                    "check it and save again",
                )
        return ([Change("incident", incident_id, checked)] if checked else []), checked

    return store.commit_planned(plan, author)
