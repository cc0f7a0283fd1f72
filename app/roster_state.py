"""What the commander's view edits: the roster in memory, its rules, and the edits as changes.

Qt-free. The view reads one :class:`RosterState`, previews each edit against the rules
(:meth:`RosterState.preview`) before anything is saved, and commits the resulting
:class:`~app.store.Change` list through the store like any other write (op-log, partners).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from app import values as v
from app.crew_versions import CrewConflict, Key
from app.domain import Officer, Override, Patrol, Sector
from app.roster_conflicts import CenterConflict, center_conflicts
from app.roster_coverage import Gap, coverage_gaps
from app.roster_rules import RosterLimits, RosterValidator, Violation, active_violations
from app.store import Change


def _key(violation: Violation) -> tuple[str, str, tuple[str, ...], str]:
    return (violation.rule.value, violation.patrol_id, violation.officers, violation.other_patrol)


@dataclass(frozen=True)
class Preview:
    """An edit checked against the rules before it is saved."""

    patrols: tuple[Patrol, ...]  # the patrols as they would be saved
    new_violations: tuple[Violation, ...]  # what the edit breaks that was not broken before
    # per patrol: the crew versions its crew replaces (app/crew_versions.py)
    crew_bases: Mapping[str, tuple[Key, ...]] = dataclasses.field(default_factory=dict)
    settles: frozenset[str] = frozenset()  # patrols whose crew is written even if unchanged

    def changes(self, before: Mapping[str, Patrol]) -> list[Change]:
        """Only the fields that differ, so a concurrent edit of another field survives. A
        crew goes with the versions it replaces, so that a concurrent crew edit is seen as
        one (a conflict) instead of being silently overwritten."""
        out = []
        for patrol in self.patrols:
            fields = patrol.to_fields()
            old = before.get(patrol.id)
            if old is not None:
                held = old.to_fields()
                fields = {
                    name: value
                    for name, value in fields.items()
                    if held.get(name) != value or (name == "crew" and patrol.id in self.settles)
                }
            if "crew" in fields and self.crew_bases.get(patrol.id):
                fields["crew_base"] = [list(key) for key in sorted(self.crew_bases[patrol.id])]
            if fields:
                out.append(Change("patrol", patrol.id, fields))
        return out


class RosterState:
    def __init__(
        self,
        limits: RosterLimits,
        coverage_min_impact: v.ImpactLevel,
        officers: Iterable[Officer],
        patrols: Iterable[Patrol],
        sectors: Iterable[Sector],
        sector_countries: Mapping[str, Iterable[str]],
        crew_writers: Mapping[str, str] | None = None,
        crew_keys: Mapping[str, Key] | None = None,
        crew_conflicts: Mapping[str, CrewConflict] | None = None,
    ) -> None:
        self.crew_keys = dict(crew_keys or {})  # patrol id -> the op whose crew it holds
        self.crew_writers = dict(crew_writers or {})  # patrol id -> center that set its crew
        self.crew_writers.update((patrol, key[0]) for patrol, key in self.crew_keys.items())
        # patrols whose crew two edits made at once (neither seeing the other), unsettled
        self.crew_conflicts = dict(crew_conflicts or {})
        self.coverage_min_impact = coverage_min_impact
        self.officers = {officer.id: officer for officer in officers}
        self.patrols = {patrol.id: patrol for patrol in patrols}
        self.sectors = {sector.id: sector for sector in sectors}
        self.validator = RosterValidator(
            limits, self.officers.values(), self.patrols.values(), sector_countries
        )

    # -- reading ------------------------------------------------------------------------------

    def violations_of(self, patrol_id: str) -> list[Violation]:
        return self.validator.violations_of(patrol_id)

    def violations(self) -> list[Violation]:
        return self.validator.violations()

    def conflicts(self) -> list[CenterConflict]:
        """Double bookings of an officer by two different centers."""
        return center_conflicts(self.validator.violations(), self.crew_writers)

    def gaps(self, start: datetime, end: datetime) -> list[Gap]:
        return coverage_gaps(
            self.patrols.values(),
            self.sectors.values(),
            v.to_ms(start),
            v.to_ms(end),
            self.coverage_min_impact,
        )

    def countries_of(self, patrol: Patrol) -> list[str]:
        return sorted({self.officers[o].country for o in patrol.crew if o in self.officers})

    def take(
        self,
        patrols: Iterable[Patrol],
        removed: Iterable[str] = (),
        crew_keys: Mapping[str, Key] | None = None,
        crew_conflicts: Mapping[str, CrewConflict] | None = None,
    ) -> None:
        """Patrols as the store holds them now (saved here, or changed by a partner): the
        roster and its rules are brought up to date for these alone."""
        for patrol in patrols:
            self.patrols[patrol.id] = patrol
            self.validator.upsert_patrol(patrol)
        for patrol_id in removed:
            self.patrols.pop(patrol_id, None)
            self.validator.remove_patrol(patrol_id)
            self.crew_keys.pop(patrol_id, None)
        for patrol_id, key in (crew_keys or {}).items():
            self.crew_keys[patrol_id] = key
            self.crew_writers[patrol_id] = key[0]
        if crew_conflicts is not None:
            self.crew_conflicts = dict(crew_conflicts)

    # -- edits ----------------------------------------------------------------------------------

    def preview(self, edited: Iterable[Patrol], settling: CrewConflict | None = None) -> Preview:
        """Apply ``edited`` to the rules only, and say what it newly breaks. The roster's
        rules stay as edited; :meth:`revert` undoes a preview that is not saved. Each crew
        replaces the version shown, or (``settling``) every version of the conflict."""
        edited = tuple(edited)
        bases = {
            patrol.id: (self.crew_keys[patrol.id],)
            for patrol in edited
            if patrol.id in self.crew_keys
        }
        if settling is not None:
            bases[settling.patrol_id] = tuple(version.key for version in settling.versions)
        before = {_key(x) for x in active_violations(self.validator.violations())}
        for patrol in edited:
            self.validator.upsert_patrol(patrol)
        new = tuple(
            x for x in active_violations(self.validator.violations()) if _key(x) not in before
        )
        settles = frozenset({settling.patrol_id} if settling else ())
        return Preview(edited, new, bases, settles)

    def settled(self, conflict: CrewConflict, crew: Iterable[str]) -> Preview:
        """The patrol with the crew the commander chose to settle ``conflict``, previewed."""
        patrol = dataclasses.replace(
            self.patrols[conflict.patrol_id], crew=tuple(sorted(set(crew)))
        )
        return self.preview([patrol], settling=conflict)

    def revert(self, preview: Preview) -> None:
        for patrol in preview.patrols:
            original = self.patrols.get(patrol.id)
            if original is None:
                self.validator.remove_patrol(patrol.id)
            else:
                self.validator.upsert_patrol(original)

    def moved(self, patrol_id: str, sector_id: str, start: datetime) -> Patrol:
        """The patrol on another sector and/or shift start, its shift length kept."""
        patrol = self.patrols[patrol_id]
        length = patrol.shift_end - patrol.shift_start
        return dataclasses.replace(
            patrol, sector_id=sector_id, shift_start=start, shift_end=start + length
        )

    def with_officer(self, patrol_id: str, officer_id: str, from_patrol: str = "") -> list[Patrol]:
        """The patrol with one more officer; dragged from another crew, that crew loses them."""
        patrol = self.patrols[patrol_id]
        out = []
        if officer_id not in patrol.crew:
            out.append(dataclasses.replace(patrol, crew=tuple(sorted({*patrol.crew, officer_id}))))
        if from_patrol and from_patrol != patrol_id and from_patrol in self.patrols:
            out.append(self.without_officer(from_patrol, officer_id))
        return out

    def without_officer(self, patrol_id: str, officer_id: str) -> Patrol:
        patrol = self.patrols[patrol_id]
        return dataclasses.replace(patrol, crew=tuple(o for o in patrol.crew if o != officer_id))


def override_change(
    patrol: Patrol, violation: Violation, reason: str, by: str, at: datetime
) -> Change:
    """The change that records a commander's override of ``violation`` on ``patrol`` (its
    audit entry: who, when, which rule, for which officers, why). The field is one value in
    the op-log, so the change carries the patrol's whole list: read it where it is written."""
    override = Override(violation.rule.value, violation.officers, reason.strip(), by, at)
    edited = dataclasses.replace(patrol, overrides=(*patrol.overrides, override))
    fields = edited.to_fields()  # checks the reason (required, length) and the rest
    return Change("patrol", patrol.id, {"overrides": fields["overrides"]})
