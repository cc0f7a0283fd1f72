"""Who may see a record: the originator's release list, evaluated at every hop.

A record is visible to a center when its ``releasability`` holds ``*`` or that center's id,
or when that center created it (its ``origin``) or owns it (an incident's ``owner``). A note
follows its incident. A record this center does not know yet is visible to nobody.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from app.records import RELEASE_TO_ALL

CHUNK = 500


@dataclass(frozen=True)
class Release:
    released_to: frozenset[str]
    origin: str
    owner: str

    def allows(self, center: str) -> bool:
        return (
            RELEASE_TO_ALL in self.released_to
            or center in self.released_to
            or center == self.origin
            or center == self.owner
        )


@functools.lru_cache(maxsize=4096)
def _parse(releasability: str | None) -> frozenset[str]:
    """Release lists repeat (most are ["*"]): parse each spelling once."""
    return frozenset(json.loads(releasability)) if releasability else frozenset()


@functools.lru_cache(maxsize=4096)
def _release(releasability: str | None, origin: str, owner: str | None) -> Release:
    """Releases repeat too (a few origins and owners, most lists ["*"]): one object each."""
    return Release(_parse(releasability), origin or "", owner or "")


def releases(connection: Connection, kind: str, ids: Iterable[str]) -> dict[str, Release]:
    """Current release of each record in ``ids`` of ``kind`` (missing ids: unknown here)."""
    wanted = list(dict.fromkeys(ids))
    out: dict[str, Release] = {}
    if kind == "note":
        sql = (
            "SELECT n.id, i.releasability, i.origin, i.owner FROM notes n "
            "JOIN incidents i ON i.id = n.incident_id WHERE n.id IN ({marks})"
        )
    elif kind == "incident":
        sql = "SELECT id, releasability, origin, owner FROM incidents WHERE id IN ({marks})"
    else:
        table = {"sector": "sectors", "officer": "officers", "patrol": "patrols"}[kind]
        sql = f"SELECT id, releasability, origin, NULL FROM {table} WHERE id IN ({{marks}})"
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = connection.exec_driver_sql(
            sql.format(marks=",".join("?" * len(chunk))), tuple(chunk)
        ).fetchall()  # (one call, not one per row: the sender asks this for every batch)
        for record_id, releasability, origin, owner in rows:
            out[record_id] = _release(releasability, origin, owner)
    return out
