"""Concurrent assignments by two centers: detected and shown, never merged away.

Two centers may put the same officer into two of their patrols at the same hours while their
link is down. Both assignments are kept (each patrol's crew is its own record), so after the
ops cross the officer is double-booked: an ``overlap`` violation whose two patrols had their
crews set by different centers. That is a conflict between centers, not a local slip: the
roster names both centers and the commanders settle it (one takes the officer out, or one
overrides with a reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from app.crew_versions import held_crew_keys
from app.roster_rules import Rule, Violation


@dataclass(frozen=True)
class CenterConflict:
    violation: Violation
    centers: tuple[str, str]  # who set this patrol's crew, who set the other's

    @property
    def text(self) -> str:
        return f"Conflict between {self.centers[0]} and {self.centers[1]}: {self.violation.text}"


def crew_writers(connection: Connection) -> dict[str, str]:
    """Per patrol: the center whose op set the crew it holds now (from the per-field stamps)."""
    return {patrol_id: key[0] for patrol_id, key in held_crew_keys(connection).items()}


def center_conflicts(
    violations: Iterable[Violation], writers: Mapping[str, str]
) -> list[CenterConflict]:
    """The double bookings whose two assignments were made by different centers."""
    out = []
    for violation in violations:
        if violation.rule is not Rule.OVERLAP or not violation.other_patrol:
            continue
        mine, theirs = writers.get(violation.patrol_id), writers.get(violation.other_patrol)
        if mine and theirs and mine != theirs:
            out.append(CenterConflict(violation, (mine, theirs)))
    return out
