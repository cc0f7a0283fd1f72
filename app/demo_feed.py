"""Ops as a partner center would send them, for the demo: the partner's own sequence numbers
and its own HLC stamps (taken from the scenario's times), in time order."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from app import hlc
from app.errors import LimesError
from app.oplog import Action, Op
from app.store import Store


@dataclass
class PartnerFeed:
    origin: str
    next_seq: int = 1
    last_hlc: int = 0
    _pending: list[tuple[int, int, Op]] = field(default_factory=list)

    @classmethod
    def continuing(cls, store: Store, origin: str) -> PartnerFeed:
        """A feed that goes on where ``origin``'s ops in ``store`` end."""
        with store.read() as connection:
            seq, stamp = connection.execute(
                text(
                    "SELECT COALESCE(MAX(seq), 0), COALESCE(MAX(hlc), 0) FROM ops"
                    " WHERE origin = :origin"
                ),
                {"origin": origin},
            ).one()
        return cls(origin, next_seq=seq + 1, last_hlc=stamp)

    def add(
        self,
        at_ms: int,
        kind: str,
        record_id: str,
        fields: dict[str, Any],
        *,
        action: Action = Action.SET,
        author: str = "",
    ) -> None:
        """Queue a change the partner made at ``at_ms`` (scenario time)."""
        placeholder = Op(self.origin, 0, at_ms, kind, record_id, action, dict(fields), author)
        self._pending.append((at_ms, len(self._pending), placeholder))

    def take(self) -> list[Op]:
        """The queued changes as ops: seq and HLC ascending in time order, never in the future
        of this machine's clock (the store's clock guard would refuse those)."""
        wall_ms = time.time_ns() // 1_000_000
        ops = []
        for at_ms, _, op in sorted(self._pending, key=lambda item: (item[0], item[1])):
            stamp = max(hlc.pack(min(at_ms, wall_ms), 0), self.last_hlc + 1)
            self.last_hlc = stamp
            ops.append(
                Op(
                    self.origin,
                    self.next_seq,
                    stamp,
                    op.kind,
                    op.record_id,
                    op.action,
                    op.fields,
                    op.author,
                )
            )
            self.next_seq += 1
        self._pending.clear()
        return ops

    def send(self, store: Store) -> int:
        """Apply the queued ops to ``store`` and wait; a refused op is a bug in the demo."""
        ops = self.take()
        if not ops:
            return 0
        result = store.apply_remote(ops).result()
        if result.rejected:
            op, reason = result.rejected[0]
            raise LimesError(f"demo: {self.origin} op {op.kind}/{op.record_id} refused: {reason}")
        return result.applied
