"""Per-field last-writer-wins merge of ops into a record's state. Pure: no I/O.

A field takes an incoming value only if the op's (HLC, origin) is greater than the stamp of
the value held, so applying the same ops twice, or in any order, gives the same state.
A delete is the pseudo-field ``deleted`` set to true under the same rule (a tombstone).
Append-only kinds (notes) are created once and never changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from app.oplog import Action, Op, canonical
from app.records import RecordKind

Stamp = tuple[int, str, int]  # (HLC, origin, seq): total, even if an origin repeats an HLC
DEFAULT = "*"  # key in ``stamps`` for "every field not listed"
DELETED = "deleted"


def tombstone_hash(kind: str, record_id: str) -> bytes:
    """The row digest of a deleted record: its content no longer counts (and may be purged),
    so two centers that both hold the tombstone agree whatever edits each merged into it."""
    return hashlib.blake2b(canonical([kind, record_id, True]), digest_size=16).digest()


@dataclass
class RecordState:
    kind: RecordKind
    record_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    stamps: dict[str, Stamp] = field(default_factory=dict)
    deleted: bool = False
    changed: bool = False
    origin: str = ""  # the center whose op created this record here (it always sees it)
    purged: bool = False  # a tombstone whose content was purged (app/store/purge.py)

    def stamp_of(self, name: str) -> Stamp | None:
        if name == DELETED:  # the tombstone has its own stamp; a create never covers it
            return self.stamps.get(DELETED)
        return self.stamps.get(name) or self.stamps.get(DEFAULT)

    @property
    def complete(self) -> bool:
        if self.purged:
            return False  # its content is gone for good: readers must not see it as a record
        return DEFAULT in self.stamps or all(
            name in self.stamps for name in self.kind.required_fields
        )

    def apply(self, op: Op) -> None:
        if not self.origin:
            self.origin = op.origin
        stamp = (op.hlc, op.origin, op.seq)
        if op.action is Action.DELETE:
            self._take(DELETED, True, stamp)
            return
        if self.kind.append_only and self.stamps:
            return  # a note is written once; a second create for the same id changes nothing
        if not self.stamps and self.kind.required_fields <= op.fields.keys():
            # the common case: a record created whole by one op; one stamp for every field
            self.fields = dict(op.fields)
            self.stamps = {DEFAULT: stamp}
            self.changed = True
            return
        for name, value in op.fields.items():
            self._take(name, value, stamp)

    def _take(self, name: str, value: Any, stamp: Stamp) -> None:
        held = self.stamp_of(name)
        if held is not None and stamp <= tuple(held):
            return
        if name == DELETED:
            self.deleted = bool(value)
        else:
            self.fields[name] = value
        self.stamps[name] = stamp
        self.changed = True

    def row_hash(self) -> bytes:
        """Digest of what partners see of this record: its field values, or that it is gone."""
        if self.deleted:
            return tombstone_hash(self.kind.name, self.record_id)
        payload = canonical([self.kind.name, self.record_id, False, self.fields])
        return hashlib.blake2b(payload, digest_size=16).digest()

    def encoded_stamps(self) -> str:
        return canonical(self.stamps).decode()
