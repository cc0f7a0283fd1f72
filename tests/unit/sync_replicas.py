"""In-process replicas for sync tests: real stores, links modelled as two directed channels.

A :class:`Channel` is one direction of a link (sender -> receiver) and does what one
:class:`app.sync.link.Session` does for that direction, step by step, so a test decides when
a batch is sent, when (and in which order, and how often) it is delivered, and when its
acknowledgement comes back:

- ``send``: ``outbox.next_ops`` for the receiver from the in-flight position (``scanned``),
  at most ``window`` batches unacknowledged; a batch with no ops is "acknowledged" at once;
- ``deliver``: the receiver checks origins (``rules.check_origins``) and applies with
  ``store.apply_remote(allowed, rules.check_writes, source=sender, refused=forged)`` (one
  batch, or several that queued up, in one transaction), then puts an ack per batch on the
  way back, as ``Session._apply_loop``;
- ``take_ack``: the sender marks the batch acknowledged and moves its persisted cursor over
  every leading acknowledged batch (``Session._advance``);
- ``connect``/``disconnect``: a new session resumes from the persisted cursor; whatever was
  on the wire (batches and acks) is lost with the connection.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from app.hlc import HybridLogicalClock
from app.oplog import Action as Action
from app.oplog import Op, decode_fields
from app.store import Change, RemoteResult, Store
from app.store.apply import ApplyResult
from app.store.digest import picture_digest
from app.sync import outbox, protocol, rules
from app.sync.digest import shared_digest
from app.sync.releasability import _release

ALL = "*"


def note_fields(incident_id: str, center: str, text: str) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "author": f"op-{center}",
        "center": center,
        "created_at": 1_795_000_000_000,
        "text": text,
    }


class Wall:
    """A wall clock that can be moved (``offset_ms``) for clock-jump scenarios."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def __call__(self) -> int:
        return time.time_ns() // 1_000_000 + self.offset_ms


class Replica:
    def __init__(self, folder: Path, center_id: str) -> None:
        self.id = center_id
        self.store = Store(folder / f"{center_id}.sqlite3", center_id, synchronous="OFF")
        self.wall = Wall()
        # the store's clock with an injectable wall (the store re-reads its persisted stamp)
        self.store.clock = HybridLogicalClock(wall=self.wall)

    def commit(self, changes: Sequence[Change], author: str = "op") -> ApplyResult:
        return self.store.commit(changes, author).result()

    def read(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self.store.read() as connection:
            return fn(connection, *args)

    def holds_visible(self, incident_id: str) -> bool:
        return bool(
            self.read(
                lambda c: c.exec_driver_sql(
                    "SELECT COUNT(*) FROM incidents WHERE id = ? AND deleted = 0 AND complete = 1",
                    (incident_id,),
                ).scalar_one()
            )
        )

    def ops(self) -> list[Op]:
        """This replica's whole op-log, in local (lsn) order."""
        rows = self.read(
            lambda c: c.exec_driver_sql(
                "SELECT origin, seq, hlc, kind, record_id, action, fields, author FROM ops "
                "ORDER BY lsn"
            ).fetchall()
        )
        return [
            Op(o, s, h, k, r, Action(a), decode_fields(f), au) for o, s, h, k, r, a, f, au in rows
        ]

    def op_keys(self) -> set[tuple[str, int]]:
        return {op.key for op in self.ops()}

    def quarantined(self) -> list[tuple[Op, str]]:
        """Refused ops held in quarantine, with the reason."""
        rows = self.read(
            lambda c: c.exec_driver_sql("SELECT op, reason FROM quarantine ORDER BY id").fetchall()
        )
        return [(msgspec.json.decode(op, type=Op), reason) for op, reason in rows]

    def quarantine(self) -> list[tuple[str, int, str]]:
        return self.read(
            lambda c: c.exec_driver_sql(
                "SELECT origin, seq, reason FROM quarantine ORDER BY id"
            ).fetchall()
        )

    def picture(self) -> str:
        return self.read(picture_digest)

    def shared(self, partner: str, relay: bool) -> tuple[str, int]:
        return self.read(shared_digest, partner, self.id, relay)

    def shared_rows(self, partner: str, relay: bool) -> dict[tuple[str, str], bytes]:
        """What :func:`shared_digest` hashes, record by record (to name a mismatch)."""

        def rows(connection: Any) -> dict[tuple[str, str], bytes]:
            out = {}
            for kind, sql in (
                (
                    "incident",
                    "SELECT id, row_hash, origin, releasability, origin, owner FROM incidents",
                ),
                (
                    "note",
                    "SELECT n.id, n.row_hash, n.origin, i.releasability, i.origin, i.owner "
                    "FROM notes n JOIN incidents i ON i.id = n.incident_id",
                ),
            ):
                for (
                    record_id,
                    row_hash,
                    creator,
                    release,
                    origin,
                    owner,
                ) in connection.exec_driver_sql(sql):
                    if not relay and creator not in (self.id, partner):
                        continue
                    if _release(release, origin, owner).allows(partner):
                        out[(kind, record_id)] = row_hash
            return out

        return self.read(rows)

    def close(self) -> None:
        self.store.close()


@dataclass
class Batch:
    session: int
    number: int
    frame: bytes  # as the sender's websocket would carry it


def encode_batch(number: int, ops: list[Any]) -> bytes:
    """The frame ``Session._send_loop`` writes for a batch of ``outbox.next_ops``."""
    outgoing = getattr(protocol, "OutgoingOps", protocol.Ops)
    return protocol.encode(outgoing(number, ops))


@dataclass
class Channel:
    """One direction of a link: ``sender`` streams its outbox to ``receiver``."""

    sender: Replica
    receiver: Replica
    relay: bool
    session: int = 0
    scanned: int = 0
    batch_no: int = 0
    inflight: deque[tuple[int | None, int]] = field(default_factory=deque)
    acked: set[int] = field(default_factory=set)
    wire: list[Batch] = field(default_factory=list)
    acks: list[tuple[int, int]] = field(default_factory=list)
    lost: bool = False  # a batch of this session vanished: only a reconnect recovers
    results: list[RemoteResult] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.sender.id}->{self.receiver.id}"

    def connect(self) -> None:
        self.session += 1
        self.scanned = self.cursor()
        self.batch_no = 0
        self.inflight.clear()
        self.acked.clear()
        self.wire.clear()
        self.acks.clear()
        self.lost = False

    def restart_from_zero(self) -> None:
        """What the sender does on a partner's ``Resync``: scan the whole log again (the
        persisted cursor stays where it is)."""
        self.inflight.clear()
        self.acked.clear()
        self.scanned = 0

    def disconnect(self) -> None:
        self.wire.clear()
        self.acks.clear()
        self.inflight.clear()
        self.acked.clear()

    def has_news(self, window: int) -> bool:
        """Whether ``send`` may find something: the sender's log has grown past ``scanned``."""
        if len(self.inflight) >= window:
            return False
        last = self.sender.read(
            lambda c: c.exec_driver_sql("SELECT COALESCE(MAX(lsn), 0) FROM ops").scalar_one()
        )
        return last > self.scanned

    def cursor(self) -> int:
        return self.sender.read(outbox.load_cursor, self.receiver.id)

    def send(self, batch_ops: int, window: int) -> bool:
        """One step of ``Session._send_loop``; True if something was sent or skipped over."""
        if len(self.inflight) >= window:
            return False
        out = self.sender.read(
            outbox.next_ops,
            self.receiver.id,
            self.scanned,
            batch_ops,
            self.sender.id,
            self.relay,
        )
        if out.upto_lsn <= self.scanned:
            return False
        self.scanned = out.upto_lsn
        if out.ops:
            self.batch_no += 1
            self.wire.append(
                Batch(self.session, self.batch_no, encode_batch(self.batch_no, list(out.ops)))
            )
            self.inflight.append((self.batch_no, out.upto_lsn))
        else:
            self.inflight.append((None, out.upto_lsn))
            self._advance()
        return True

    def deliver(
        self, index: int = 0, *, keep: bool = False, coalesce: int = 1
    ) -> RemoteResult | None:
        """The receiver applies the batch at ``index`` of the wire and the ``coalesce - 1``
        after it in one transaction, as ``Session._apply_loop`` does with batches that queued
        up, then puts an ack per batch on the way back. ``keep``: the batches also stay on
        the wire (to be delivered again)."""
        if not self.wire:
            return None
        batches = self.wire[index : index + max(1, coalesce)]
        if not keep:
            del self.wire[index : index + len(batches)]
        ops = []
        for batch in batches:
            message = protocol.decode(batch.frame)
            assert isinstance(message, protocol.Ops), message
            ops += message.ops
        forged = rules.check_origins(ops, self.sender.id, self.relay)
        forged_keys = {op.key for op, _ in forged}
        allowed = [op for op in ops if op.key not in forged_keys]
        result = self.receiver.store.apply_remote(
            allowed, rules.check_writes, source=self.sender.id, refused=forged
        ).result()
        result.rejected = forged + result.rejected
        self.results.append(result)
        self.acks += [(batch.session, batch.number) for batch in batches]
        return result

    def take_ack(self, index: int = 0) -> bool:
        """The sender reads one ack (``Session._handle`` for Ack) and advances its cursor."""
        if not self.acks:
            return False
        session, number = self.acks.pop(index)
        if session != self.session:
            return True  # an ack of an earlier session: that session's batches are forgotten
        self.acked.add(number)
        self._advance()
        return True

    def lose(self, index: int = 0) -> None:
        if self.wire:
            self.wire.pop(index)
            self.lost = True

    def _advance(self) -> None:
        upto = None
        while self.inflight:
            number, lsn = self.inflight[0]
            if number is not None and number not in self.acked:
                break
            self.inflight.popleft()
            self.acked.discard(number)  # type: ignore[arg-type]
            upto = lsn
        if upto is not None:
            now_ms = int(time.time() * 1000)
            partner = self.receiver.id
            self.sender.store.writer.call(
                lambda connection: outbox.save_cursor(connection, partner, upto, now_ms)
            )


@dataclass
class Link:
    a: Replica
    b: Replica
    relay: bool
    up: bool = True
    forward: Channel = field(init=False)
    backward: Channel = field(init=False)

    def __post_init__(self) -> None:
        self.forward = Channel(self.a, self.b, self.relay)
        self.backward = Channel(self.b, self.a, self.relay)
        self.forward.connect()
        self.backward.connect()

    def channels(self) -> tuple[Channel, Channel]:
        return self.forward, self.backward

    def cut(self) -> None:
        self.up = False
        for channel in self.channels():
            channel.disconnect()

    def heal(self) -> None:
        if self.up:
            return
        self.up = True
        for channel in self.channels():
            channel.connect()

    def reconnect(self) -> None:
        self.cut()
        self.heal()


class Mesh:
    """Replicas ``centers`` with a link between every pair (``relay[(a, b)]`` per pair)."""

    def __init__(
        self,
        folder: Path,
        centers: Sequence[str],
        relay: Callable[[str, str], bool] = lambda _a, _b: False,
    ) -> None:
        self.replicas = {center: Replica(folder, center) for center in centers}
        self.links: dict[frozenset[str], Link] = {}
        ids = list(centers)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                self.links[frozenset((a, b))] = Link(
                    self.replicas[a], self.replicas[b], relay(a, b)
                )

    def __getitem__(self, center: str) -> Replica:
        return self.replicas[center]

    def link(self, a: str, b: str) -> Link:
        return self.links[frozenset((a, b))]

    def channel(self, sender: str, receiver: str) -> Channel:
        link = self.link(sender, receiver)
        return link.forward if link.a.id == sender else link.backward

    def channels(self) -> list[Channel]:
        return [channel for link in self.links.values() for channel in link.channels()]

    def pump(
        self,
        batch_ops: int = 100,
        window: int = 4,
        max_rounds: int = 500,
        links: Sequence[Link] | None = None,
    ) -> int:
        """Send, deliver in order and acknowledge on every up link (or on ``links``) until
        nothing moves."""
        for rounds in range(max_rounds):
            moved = False
            for link in self.links.values() if links is None else links:
                if not link.up:
                    continue
                for channel in link.channels():
                    while channel.take_ack():
                        moved = True
                    while channel.wire:
                        channel.deliver()
                        moved = True
                    while channel.send(batch_ops, window):
                        moved = True
            if not moved:
                return rounds
        raise AssertionError(f"the mesh did not go quiet within {max_rounds} rounds")

    def heal_all(self) -> None:
        """Heal every cut link, and reconnect every channel that lost a batch in its session."""
        for link in self.links.values():
            if not link.up:
                link.heal()
            elif any(channel.lost for channel in link.channels()):
                link.reconnect()

    def close(self) -> None:
        for replica in self.replicas.values():
            replica.close()
