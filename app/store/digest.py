"""The picture digest: one hash over every shared record's values.

Each record row carries ``row_hash`` (BLAKE2b of its kind, id, tombstone and shared field
values, computed when it is merged). The picture digest hashes those in (kind, id) order, so
two stores holding the same picture have the same digest whatever order their ops arrived in,
and local-only data (when we learned of a record, op-log positions) never enters it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from app.records import KINDS, RELEASE_TO_ALL
from app.store.merge import tombstone_hash


def picture_digest(connection: Connection, *, partner: str | None = None) -> str:
    """Hex digest of the picture; with ``partner``: only what is released to that partner."""
    digest = hashlib.blake2b(digest_size=32)
    for name in sorted(KINDS):
        kind = KINDS[name]
        where = ""
        params: tuple[str, ...] = ()
        if partner is not None and "releasability" in kind.fields:
            where = "WHERE releasability LIKE ? OR releasability LIKE ?"
            params = (f'%"{RELEASE_TO_ALL}"%', f'%"{partner}"%')
        rows = connection.exec_driver_sql(
            f"SELECT id, row_hash, deleted FROM {kind.table} {where} ORDER BY id", params
        )
        digest_kind(digest, name, rows)
    return digest.hexdigest()


def digest_kind(digest: Any, name: str, rows: Iterable[tuple[str, bytes, Any]]) -> None:
    """Feed one kind's (id, row_hash, deleted) rows, in id order, into ``digest``."""
    digest.update(name.encode() + b"\x00")
    for record_id, row_hash, deleted in rows:
        if deleted:  # (rows written before tombstones hashed alike are judged the same way)
            row_hash = tombstone_hash(name, record_id)
        digest.update(record_id.encode() + b"\x00" + row_hash)
