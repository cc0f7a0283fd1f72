"""The roster as a commander at a store sees it, and the edits a commander makes, without Qt
(what the roster panel loads and saves; the territory of sectors left out)."""

from __future__ import annotations

from app import values as v
from app.crew_versions import CrewEdits, held_crew_keys
from app.roster_rules import RosterLimits
from app.roster_state import RosterState
from app.store import Store
from app.store import queries as q


def roster_of(store: Store, edits: CrewEdits | None = None) -> RosterState:
    """The roster as a commander at ``store`` sees it (what the roster panel loads)."""
    edits = edits or CrewEdits()
    with store.read() as connection:
        officers, patrols = q.officers(connection), q.patrols(connection)
        keys = held_crew_keys(connection)
        edits.refresh(connection)
    return RosterState(
        RosterLimits(),
        v.ImpactLevel.HIGH,
        officers,
        patrols,
        [],
        {},
        crew_keys=keys,
        crew_conflicts=edits.conflicts({p.id for p in patrols}),
    )


def add_to_crew(store: Store, roster: RosterState, patrol_id: str, officer_id: str, who: str):
    """What a drop on the shift board saves: the crew the commander saw, plus one officer."""
    preview = roster.preview(roster.with_officer(patrol_id, officer_id))
    store.commit(preview.changes(roster.patrols), who).result()
