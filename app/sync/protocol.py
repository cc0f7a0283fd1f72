"""The wire protocol between Limes centers, version 1 (see docs/protocol.md).

One JSON message per websocket text frame, tagged by ``type``. Every inbound frame is decoded
against these schemas with a size limit before anything is applied; a frame that does not
decode is answered with an ``error`` and the link stays up.
"""

from __future__ import annotations

from typing import Any

import msgspec

from app.oplog import WireOp

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_BATCH_OPS = 2_000
BATCH_OPS = 1_000


class Hello(msgspec.Struct, tag="hello", forbid_unknown_fields=True):
    protocol: int
    center: str
    name: str
    credential: str
    vector: dict[str, int] = {}
    software: str = ""


class Welcome(msgspec.Struct, tag="welcome", forbid_unknown_fields=True):
    protocol: int
    center: str
    name: str
    vector: dict[str, int] = {}


class Refused(msgspec.Struct, tag="refused", forbid_unknown_fields=True):
    code: str  # unknown-partner, bad-credential, protocol-version, bad-hello, busy,
    # rate-limited
    reason: str


class Ops(msgspec.Struct, tag="ops", forbid_unknown_fields=True):
    batch: int
    ops: list[WireOp]  # each op's fields are checked against its kind when it is applied


class OutgoingOp(msgspec.Struct, array_like=True, frozen=True):
    """An op as the sender writes it: ``fields`` stays the canonical JSON from the op-log,
    never decoded and re-encoded. On the wire it is exactly an :class:`~app.oplog.Op`."""

    origin: str
    seq: int
    hlc: int
    kind: str
    record_id: str
    action: str
    fields: msgspec.Raw
    author: str


class OutgoingOps(msgspec.Struct, tag="ops"):
    batch: int
    ops: list[OutgoingOp]


class Ack(msgspec.Struct, tag="ack", forbid_unknown_fields=True):
    batch: int
    applied: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, int, str]] = []


class Digest(msgspec.Struct, tag="digest", forbid_unknown_fields=True):
    digest: str
    records: int


class Resync(msgspec.Struct, tag="resync", forbid_unknown_fields=True):
    reason: str


class Ping(msgspec.Struct, tag="ping", forbid_unknown_fields=True):
    at: int


class Pong(msgspec.Struct, tag="pong", forbid_unknown_fields=True):
    at: int


class Error(msgspec.Struct, tag="error", forbid_unknown_fields=True):
    reason: str


Message = Hello | Welcome | Refused | Ops | Ack | Digest | Resync | Ping | Pong | Error

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Message)


class ProtocolError(Exception):
    """A frame that is not a valid message; the text says what is wrong with it."""


def encode(message: Message | OutgoingOps) -> bytes:
    return _encoder.encode(message)


def decode(
    frame: bytes | str, *, max_bytes: int = MAX_FRAME_BYTES, max_batch_ops: int = MAX_BATCH_OPS
) -> Message:
    size = len(frame)
    if size > max_bytes:
        raise ProtocolError(f"frame of {size:,} bytes exceeds the limit of {max_bytes:,}")
    try:
        message = _decoder.decode(frame)
    except msgspec.DecodeError as error:
        raise ProtocolError(f"malformed message: {error}") from None
    if isinstance(message, Ops):
        if len(message.ops) > max_batch_ops:
            raise ProtocolError(
                f"batch {message.batch} of {len(message.ops):,} ops exceeds the limit of "
                f"{max_batch_ops:,}; nothing of it was applied"
            )
        for index, op in enumerate(message.ops):
            if memoryview(op.fields)[:1] != b"{":  # (valid JSON: its first byte tells its type)
                raise ProtocolError(
                    f"malformed message: Expected `object` - at `$.ops[{index}][6]`"
                )
    return message


def describe(message: Any) -> str:
    return type(message).__name__.lower()
