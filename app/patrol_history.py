"""A patrol's history: every change to it, who made it, at which center, when.

Read from the op-log exactly as an incident's audit trail is (:mod:`app.audit`), so both
tell the same story the same way. What a patrol adds: its shift start and end move together
(one entry per move), and its position is reported every few minutes while it moves, so a
run of position reports from one center and source becomes one entry ("12 reports,
13:05–14:10Z") and the commander's decisions (crew, sector, shift, status, overrides with
their reason) are not buried under the track.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import Connection

from app import values as v
from app.audit import CREATED, DELETED, AuditEntry, describe, record_entries
from app.roster_rules import Rule
from app.store import queries as q

POSITION = "position"
SHIFT = "shift"
# Fields changed together by one op, shown as one value: name -> its fields, in order.
_COMPOSITES = {POSITION: ("lon", "lat"), SHIFT: ("shift_start", "shift_end")}
_PART_OF = {part: name for name, parts in _COMPOSITES.items() for part in parts}
# Not a change anyone made: the fix time travels with the position; the crew's base
# (app/crew_versions.py) is bookkeeping for concurrent crew edits.
_HIDDEN = frozenset({"position_at", "crew_base"})


def patrol_history(connection: Connection, patrol_id: str) -> list[AuditEntry]:
    """Every change to the patrol, oldest first."""
    state: dict[str, Any] = {}
    rows = q.ops_of(connection, "patrol", patrol_id)
    return list(_summarised(record_entries(rows, "call_sign", "call_sign", state), state))


def _summarised(entries: Iterable[AuditEntry], state: Mapping[str, Any]) -> Iterator[AuditEntry]:
    """``entries`` with each composite's parts changed by one op as one entry, and each run
    of position reports from one center as one entry; ``state``: the patrol as it stands
    after the entry last read."""
    pending: AuditEntry | None = None  # the entry being built, yielded when the next starts
    for entry in entries:
        name = _PART_OF.get(entry.field)
        if name is None:
            if entry.field in _HIDDEN:
                continue
            if pending is not None:
                yield pending
                pending = None
            yield entry
            continue
        parts = _COMPOSITES[name]
        new = tuple(state.get(part) for part in parts)
        if pending is not None and (pending.field, pending.center, pending.author) == (
            name,
            entry.center,
            entry.author,
        ):
            if pending.seq == entry.seq:  # another part of the same op (same center)
                pending = dataclasses.replace(pending, new=new)
                continue
            if name == POSITION:  # the next report of a run
                pending = dataclasses.replace(
                    pending,
                    at=entry.at,
                    learned_at=entry.learned_at,
                    new=new,
                    count=pending.count + 1,
                    seq=entry.seq,
                    since=pending.since or pending.at,
                )
                continue
        if pending is not None:
            yield pending
        old = tuple(entry.old if part == entry.field else state.get(part) for part in parts)
        pending = dataclasses.replace(entry, field=name, old=old, new=new)
    if pending is not None:
        yield pending


def patrol_change_text(entry: AuditEntry, names: Mapping[str, str]) -> str:
    """An entry of :func:`patrol_history` as the commander reads it; ``names``: officers,
    sectors and patrols by what people call them rather than by their ids."""
    if entry.field == CREATED:
        return f"added to the roster: {entry.new}"
    if entry.field == DELETED:
        return "deleted"
    if entry.field == "crew":
        old, new = set(entry.old or ()), set(entry.new or ())
        moves = [f"+ {names.get(o, o)}" for o in sorted(new - old)]
        moves += [f"− {names.get(o, o)}" for o in sorted(old - new)]
        return "crew: " + (", ".join(moves) or "unchanged")
    if entry.field == "sector_id":
        old, new = (names.get(x, x) if x else "none" for x in (entry.old, entry.new))
        return f"sector: {old} → {new}"
    if entry.field == SHIFT:
        return f"shift: {_shift(entry.old)} → {_shift(entry.new)}"
    if entry.field == POSITION:
        where = _position(entry.new)
        if entry.count > 1 and entry.since is not None:
            return (
                f"position: {entry.count} reports {entry.since:%H:%M}–{entry.at:%H:%M}Z, "
                f"last {where}"
            )
        return f"position: {where}"
    if entry.field == "overrides":
        return _overrides_text(entry.old or [], entry.new or [], names)
    return f"{entry.label}: {describe(entry.field, entry.old)} → {describe(entry.field, entry.new)}"


def _shift(window: tuple[Any, ...]) -> str:
    start, end = window
    if start is None or end is None:
        return "—"
    start, end = v.from_ms(start), v.from_ms(end)
    return f"{start:%d %b %H:%M}–{end:%H:%M}Z" + (" (+1 day)" if end.date() > start.date() else "")


def _position(point: tuple[Any, ...]) -> str:
    lon, lat = point
    return "none" if lon is None or lat is None else f"{lat:.5f}, {lon:.5f}"


def _overrides_text(old: list[Any], new: list[Any], names: Mapping[str, str]) -> str:
    """What an op changed in the patrol's overrides: each one recorded, with its reason."""
    recorded = [o for o in new if o not in old]
    withdrawn = [o for o in old if o not in new]
    parts = []
    for override in recorded:
        officers = ", ".join(names.get(o, o) for o in override["officers"])
        parts.append(
            f"override: {_rule_label(override['rule'])}"
            + (f" for {officers}" if officers else "")
            + f" — “{override['reason']}”"
        )
    parts += [f"override withdrawn: {_rule_label(o['rule'])}" for o in withdrawn]
    return "; ".join(parts) or "overrides: unchanged"


def _rule_label(rule: str) -> str:
    try:
        return Rule(rule).label
    except ValueError:
        return rule
