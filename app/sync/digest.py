"""The digest of the picture two centers share: only records both may hold.

Center A's digest for partner B covers the records A holds that, as A knows them, both A and
B may see; B's digest for A the same from B's side. When both hold the same shared picture,
the two are equal. A record narrowed away from B after B received it drops out of both
digests once B has learned of the narrowing (the narrowing itself is sent to B).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection

from app.records import KINDS
from app.store.merge import tombstone_hash
from app.sync.releasability import _release


def shared_digest(connection: Connection, partner: str, me: str, relay: bool) -> tuple[str, int]:
    """Digest and record count of what this center (``me``) and ``partner`` should both hold
    through their link: records of either center, and on a relay link any center's."""
    digest = hashlib.blake2b(digest_size=32)
    records = 0
    for name in sorted(KINDS):
        kind = KINDS[name]
        if name == "note":
            sql = (
                "SELECT n.id, n.row_hash, n.deleted, n.origin, i.releasability, i.origin, i.owner FROM notes n "
                "JOIN incidents i ON i.id = n.incident_id ORDER BY n.id"
            )
        elif name == "incident":
            sql = (
                "SELECT id, row_hash, deleted, origin, releasability, origin, owner FROM incidents "
                "ORDER BY id"
            )
        else:
            sql = (
                f"SELECT id, row_hash, deleted, origin, releasability, origin, NULL FROM {kind.table} "
                "ORDER BY id"
            )
        digest.update(name.encode() + b"\x00")
        for (
            record_id,
            row_hash,
            deleted,
            creator,
            releasability,
            origin,
            owner,
        ) in connection.exec_driver_sql(sql):
            if not relay and creator not in (me, partner):
                continue
            release = _release(releasability, origin, owner)
            if release.allows(partner) and release.allows(me):
                if deleted:
                    row_hash = tombstone_hash(name, record_id)
                digest.update(record_id.encode() + b"\x00" + row_hash)
                records += 1
    return digest.hexdigest(), records
