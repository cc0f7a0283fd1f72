"""The op: the unit of change, of replication and of history.

Every change to a record is one op, keyed by (origin center, per-origin sequence number),
stamped by the origin's hybrid logical clock. Ops are immutable once written.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

import msgspec


class Action(StrEnum):
    SET = "set"  # set the given fields (creating the record if it does not exist)
    DELETE = "delete"  # tombstone: the record is deleted everywhere, the op is kept
    ADD = "add"  # create an append-only child (a note); never overwritten


class Op(msgspec.Struct, frozen=True, array_like=True, omit_defaults=True, gc=False):
    origin: str
    seq: int
    hlc: int
    kind: str
    record_id: str
    action: Action
    fields: dict[str, Any] = {}
    author: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.origin, self.seq)

    @property
    def stamp(self) -> tuple[int, str, int]:
        """The order in which concurrent writes to one field win: (HLC, origin, seq)."""
        return (self.hlc, self.origin, self.seq)


class WireOp(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """An op as a partner sent it: on the wire exactly an :class:`Op`, but its ``fields`` stay
    the JSON text they arrived as. The store decodes them once, against the schema of the op's
    kind (``RecordKind.check_encoded``), instead of into a dict first and checking that."""

    origin: str
    seq: int
    hlc: int
    kind: str
    record_id: str
    action: Action
    fields: msgspec.Raw = msgspec.Raw(b"{}")
    author: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.origin, self.seq)


_encoder = msgspec.json.Encoder(order="sorted")
_fields_decoder = msgspec.json.Decoder(dict[str, Any])


# Canonical JSON (sorted keys): equal values give equal bytes. The encoder's own method,
# not a function around it, because the store calls these for every op it applies.
canonical: Callable[[Any], bytes] = _encoder.encode
encode_fields: Callable[[dict[str, Any]], bytes] = _encoder.encode


def decode_fields(data: bytes | str) -> dict[str, Any]:
    return _fields_decoder.decode(data)
