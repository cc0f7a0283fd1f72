"""One live link with a partner: what it sends, what it receives, and its health.

The sender streams the outbox from the partner's cursor in batches, keeps at most
``window`` batches unacknowledged, and moves the cursor only when the partner acknowledges a
batch it has committed. The receiver checks every frame, applies partner ops in one
transaction per batch (write rules included) and acknowledges after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from app.store import Store
from app.sync import outbox, protocol, rules
from app.sync.digest import shared_digest

log = logging.getLogger(__name__)
APPLY_OPS = 8_000  # at most this many received ops go into one transaction
DIGEST_SETTLE_S = 1.0  # quiet time before the pictures are compared
DIGEST_RETRY_S = 5.0  # while they differ, compare again this often
CURSOR_SAVE_S = 1.0  # a cursor moved only over held-back ops is saved at most this often
DEAD_AFTER_QUIET = 3  # a link silent for this many times quiet_after_s is given up


class LinkSilent(Exception):
    """Nothing came over a link for so long that it is given up (and dialed again)."""


class PartnerTooFast(Exception):
    """A partner kept sending faster than ``max_frames_per_s`` for ``max_throttled_s``: the
    link is closed, and the node keeps it refused for a while (``throttled_backoff_s``)."""


THROTTLE_PAUSE_S = 1.0  # a partner that stops being throttled this long is no longer flooding


@dataclass
class LinkHealth:
    partner: str
    name: str
    state: str = "down"  # down, connecting, up, refused, cut
    direction: str = ""  # dialed or accepted
    since: float = 0.0
    sent_ops: int = 0
    received_ops: int = 0
    rejected_ops: int = 0
    rejected_frames: int = 0  # frames that were not a valid message, or out of place
    throttled: int = 0  # times this partner sent faster than max_frames_per_s
    pending_peak: int = 0  # most received batches waiting to be applied at once
    queued: int = 0
    acked_lsn: int = 0
    last_ack_at: float = 0.0
    last_received_at: float = 0.0
    quiet: bool = False
    digest_match: bool | None = None
    digest_checked_at: float = 0.0
    last_error: str = ""
    catching_up: bool = False
    incoming_expected: int = 0  # at most this many ops are coming from the partner
    received_at_start: int = 0  # received_ops when this session began

    @property
    def incoming_progress(self) -> float | None:
        """Share of the expected catch-up received in this session, while one is running."""
        if self.state != "up" or self.incoming_expected <= 0:
            return None
        done = self.received_ops - self.received_at_start
        return None if done >= self.incoming_expected else done / self.incoming_expected

    def __post_init__(self) -> None:
        self._watchers: list[Callable[[LinkHealth], None]] = []  # not a field: not in as_dict

    def watch(self, watcher: Callable[[LinkHealth], None]) -> None:
        """Call ``watcher(health)`` (on the loop thread) when the state or its error changes."""
        self._watchers.append(watcher)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "incoming_progress": self.incoming_progress}

    def set_state(self, state: str, error: str | None = None) -> None:
        changed = False
        if state != self.state:
            self.state = state
            self.since = time.time()
            changed = True
        if error is not None and error != self.last_error:
            self.last_error = error
            changed = True
        if changed:
            for watcher in self._watchers:
                watcher(self)


@dataclass(frozen=True)
class Limits:
    """What one partner may cost this center (``[sync]`` max_* settings)."""

    frame_bytes: int = protocol.MAX_FRAME_BYTES
    batch_ops: int = protocol.MAX_BATCH_OPS
    frames_per_s: float = 200.0
    pending_batches: int = 32
    throttled_s: float = 30.0  # throttled this long without a pause: disconnected


class Session:
    """Runs one connected link until it fails or is closed."""

    def __init__(
        self,
        *,
        store: Store,
        websocket: Any,
        health: LinkHealth,
        relay: bool,
        read: Callable[..., Any],
        changed: asyncio.Event,
        batch_ops: int,
        window: int,
        heartbeat_s: float,
        quiet_after_s: float,
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.limits = limits or Limits()
        self.ws = websocket
        self.health = health
        self.peer = health.partner
        self.relay = relay  # this link carries other centers' ops, both ways
        self.me = store.center_id
        self.read = read
        self.changed = changed
        self.batch_ops = batch_ops
        self.window = window
        self.heartbeat_s = heartbeat_s
        self.quiet_after_s = quiet_after_s
        self.inflight: deque[tuple[int | None, int]] = deque()
        self.acked_batches: set[int] = set()
        self.acked = asyncio.Event()
        self.batch_no = 0
        self.scanned = 0
        self.idle = False
        self.mismatches = 0
        self.restart_from_zero = False
        self.resync_asked = False
        self.resync_done = False
        self.incoming: asyncio.Queue[protocol.Ops] = asyncio.Queue(
            maxsize=self.limits.pending_batches
        )
        self.tokens = self.limits.frames_per_s  # a token bucket: one second of burst
        self.tokens_at = time.monotonic()
        self.throttled_since: float | None = None  # when this spell of throttling began
        self.throttled_at = 0.0  # the last frame that had to wait
        self.digest_compared_at = 0.0
        self.last_activity = time.monotonic()
        self.applying = False
        self.digest_sent_for = -1
        self.digest_sent_at = 0.0
        self.cursor_saved_at = 0.0

    async def run(self, peer_vector: dict[str, int] | None = None) -> None:
        self.scanned = await self.read(outbox.load_cursor, self.peer)
        if peer_vector is not None and self.scanned:
            held = peer_vector.get(self.me, 0)
            missing = await self.read(
                outbox.lost_acknowledged, self.peer, self.me, held, self.scanned
            )
            if missing:
                log.warning(
                    "%s holds our ops up to %d but acknowledged op %d (a new or restored "
                    "database?): sending everything again",
                    self.peer,
                    held,
                    missing,
                )
                self.scanned = 0
        self.health.acked_lsn = self.scanned
        loops = (
            self._send_loop,
            self._receive_loop,
            self._apply_loop,
            self._heartbeat_loop,
            self._watchdog_loop,
        )
        tasks = [asyncio.create_task(loop(), name=f"{loop.__name__}-{self.peer}") for loop in loops]
        try:
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # re-raise what ended the link
        except LinkSilent:
            self.ws.transport.abort()  # a closing handshake would hang on a dead link
            raise
        except PartnerTooFast as error:
            log.warning("%s", error)
            self.health.last_error = str(error)
            with contextlib.suppress(Exception):  # a flooding partner may not answer a close
                await asyncio.wait_for(self.ws.close(code=1008, reason="rate limit"), 2.0)
            self.ws.transport.abort()
            raise
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- sending ---------------------------------------------------------------------------------

    async def _send_loop(self) -> None:
        while True:
            if self.restart_from_zero:
                self.restart_from_zero = False
                self.inflight.clear()
                self.scanned = 0
            if len(self.inflight) < self.window:
                out = await self.read(
                    outbox.next_ops, self.peer, self.scanned, self.batch_ops, self.me, self.relay
                )
                if out.upto_lsn > self.scanned:
                    self.scanned = out.upto_lsn
                    if out.ops:
                        self.idle = False
                        self.health.catching_up = True
                        self.last_activity = time.monotonic()
                        self.batch_no += 1
                        await self.ws.send(
                            protocol.encode(protocol.OutgoingOps(self.batch_no, out.ops))
                        )
                        self.inflight.append((self.batch_no, out.upto_lsn))
                        self.health.sent_ops += len(out.ops)
                    else:
                        self.inflight.append((None, out.upto_lsn))
                        await self._advance()
                    continue
            if not self.inflight:
                self.health.catching_up = False
                self.idle = True
                await self._maybe_send_digest()
            self.changed.clear()
            waiters = [asyncio.create_task(self.acked.wait())]
            if len(self.inflight) < self.window:
                waiters.append(asyncio.create_task(self.changed.wait()))
            try:
                await asyncio.wait(
                    waiters,
                    timeout=min(self.heartbeat_s, DIGEST_SETTLE_S),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                for waiter in waiters:
                    waiter.cancel()
            self.acked.clear()

    async def _advance(self) -> None:
        """Move the cursor over every leading batch that is acknowledged (or was empty)."""
        upto = None
        acknowledged = False
        while self.inflight:
            batch, lsn = self.inflight[0]
            if batch is not None and batch not in self.acked_batches:
                break
            self.inflight.popleft()
            self.acked_batches.discard(batch)  # type: ignore[arg-type]
            acknowledged = acknowledged or batch is not None
            upto = lsn
        if upto is not None:
            self.health.acked_lsn = upto
            if not acknowledged and time.monotonic() - self.cursor_saved_at < CURSOR_SAVE_S:
                return  # only held-back ops passed: rescanning them after a restart is cheap
            self.cursor_saved_at = time.monotonic()
            now_ms = int(time.time() * 1000)
            await asyncio.wrap_future(
                self.store.writer.submit(
                    lambda connection: outbox.save_cursor(connection, self.peer, upto, now_ms)
                )
            )

    def _settled(self) -> bool:
        """Nothing in flight either way for a while: a digest comparison means something."""
        return (
            self.idle
            and not self.inflight
            and not self.applying
            and self.incoming.empty()
            and time.monotonic() - self.last_activity >= DIGEST_SETTLE_S
        )

    async def _maybe_send_digest(self) -> None:
        """Send the shared digest once the link has settled after a change, and again now
        and then while the pictures differ; never after every batch of a catch-up."""
        if not self._settled():
            return
        now = time.monotonic()
        if self.digest_sent_for == self.scanned and not (
            self.health.digest_match is False and now - self.digest_sent_at > DIGEST_RETRY_S
        ):
            return
        self.digest_sent_for, self.digest_sent_at = self.scanned, now
        digest, records = await self.read(shared_digest, self.peer, self.me, self.relay)
        await self.ws.send(protocol.encode(protocol.Digest(digest, records)))

    # -- receiving -------------------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        async for frame in self.ws:
            self.health.last_received_at = time.time()
            self.health.quiet = False
            await self._throttle()
            try:
                message = protocol.decode(
                    frame,
                    max_bytes=self.limits.frame_bytes,
                    max_batch_ops=self.limits.batch_ops,
                )
            except protocol.ProtocolError as error:
                await self._reject(f"bad message: {error}")
                continue
            await self._handle(message)

    async def _throttle(self) -> None:
        """Read at most ``frames_per_s`` frames a second from this partner; beyond that the
        unread frames stay in the socket and TCP slows the sender down. A burst is only
        slowed; a partner that is still being slowed after ``throttled_s`` (no pause of
        THROTTLE_PAUSE_S in between) is flooding, and the link is closed."""
        now = time.monotonic()
        rate = self.limits.frames_per_s
        self.tokens = min(rate, self.tokens + (now - self.tokens_at) * rate)
        self.tokens_at = now
        self.tokens -= 1
        if self.tokens < 0:
            if self.health.throttled == 0:
                log.warning("%s sends more than %g frames/s: reading slower", self.peer, rate)
            self.health.throttled += 1
            # Sleep jitter can refill a token between two frames of a flood, so a spell of
            # throttling ends only after a real pause, not after one frame that did not wait.
            if self.throttled_since is None or now - self.throttled_at > THROTTLE_PAUSE_S:
                self.throttled_since = now
            self.throttled_at = now
            if now - self.throttled_since >= self.limits.throttled_s:
                raise PartnerTooFast(
                    f"{self.peer} sent more than {rate:g} frames/s for "
                    f"{now - self.throttled_since:.0f} s (sync.max_throttled_s = "
                    f"{self.limits.throttled_s:g}): link closed"
                )
            await asyncio.sleep(-self.tokens / rate)

    async def _reject(self, reason: str) -> None:
        """Answer a frame we will not act on with the reason, log it, and keep the link."""
        self.health.rejected_frames += 1
        self.health.last_error = f"{reason} (from {self.peer})"
        log.warning("frame from %s refused: %s", self.peer, reason)
        await self.ws.send(protocol.encode(protocol.Error(reason)))

    async def _handle(self, message: protocol.Message) -> None:
        if isinstance(message, protocol.Ops):
            self.last_activity = time.monotonic()
            await self.incoming.put(message)  # a full queue holds the reader: backpressure
            self.health.pending_peak = max(self.health.pending_peak, self.incoming.qsize())
        elif isinstance(message, protocol.Ack):
            if message.batch > self.batch_no or message.batch < 1:  # an invented ack
                await self._reject(f"ack for batch {message.batch}, which was never sent")
                return
            if message.batch not in {batch for batch, _lsn in self.inflight}:
                return  # a late ack of a batch dropped by a re-sync, or a replay: moves nothing
            self.acked_batches.add(message.batch)
            if message.rejected:
                self.health.last_error = (
                    f"{self.peer} refused {len(message.rejected)} ops: {message.rejected[0][2]}"
                )
            self.health.last_ack_at = time.time()
            await self._advance()
            self.acked.set()
        elif isinstance(message, protocol.Digest):
            await self._on_digest(message)
        elif isinstance(message, protocol.Resync):
            if self.resync_done:  # a partner asks once per session; more would only amplify
                await self._reject("a re-sync was already done in this session")
                return
            self.resync_done = True
            log.warning("%s asks for a re-sync: %s", self.peer, message.reason)
            self.restart_from_zero = True
            self.changed.set()
        elif isinstance(message, protocol.Ping):
            await self.ws.send(protocol.encode(protocol.Pong(message.at)))
        elif isinstance(message, protocol.Pong | protocol.Error):
            if isinstance(message, protocol.Error):
                self.health.last_error = f"{self.peer} reports: {message.reason}"
        else:
            await self._reject(f"unexpected {protocol.describe(message)} during a session")

    async def _apply_loop(self) -> None:
        """Apply received batches; batches that queued up meanwhile go in one transaction,
        and each is acknowledged, in order, only after that transaction committed."""
        while True:
            messages = [await self.incoming.get()]
            while not self.incoming.empty() and sum(len(m.ops) for m in messages) < APPLY_OPS:
                messages.append(self.incoming.get_nowait())
            ops = [op for message in messages for op in message.ops]
            self.applying = True
            forged = rules.check_origins(ops, self.peer, self.relay)
            forged_keys = {op.key for op, _ in forged}
            allowed = [op for op in ops if op.key not in forged_keys]
            result = await asyncio.wrap_future(
                self.store.apply_remote(
                    allowed, rules.check_writes, source=self.peer, refused=forged
                )
            )
            rejected = forged + result.rejected
            if rejected:
                self.health.rejected_ops += len(rejected)
                self.health.last_error = (
                    f"refused {len(rejected)} ops from {self.peer}: {rejected[0][1]}"
                )
                log.warning("%s", self.health.last_error)
            self.health.received_ops += len(ops)
            self.applying = False
            self.last_activity = time.monotonic()
            self.idle = False  # what we applied may be ours to pass on, or to compare
            self.changed.set()
            reasons = {op.key: reason for op, reason in rejected}
            for index, message in enumerate(messages):
                last = index == len(messages) - 1
                refused = [
                    (op.origin, op.seq, reasons[op.key]) for op in message.ops if op.key in reasons
                ]
                ack = protocol.Ack(
                    message.batch,
                    applied=result.applied if last else 0,
                    duplicates=result.duplicates if last else 0,
                    rejected=refused[:100],
                )
                await self.ws.send(protocol.encode(ack))

    async def _on_digest(self, message: protocol.Digest) -> None:
        if not self._settled():
            return  # changes are still on their way: a comparison would mislead
        if time.monotonic() - self.digest_compared_at < DIGEST_SETTLE_S:
            return  # a partner cannot make us hash the whole picture more often than this
        self.digest_compared_at = time.monotonic()
        mine, records = await self.read(shared_digest, self.peer, self.me, self.relay)
        if not self._settled():
            return  # something moved while we computed ours
        self.health.digest_checked_at = time.time()
        self.health.digest_match = mine == message.digest
        if self.health.digest_match:
            self.mismatches = 0
            return
        self.mismatches += 1
        log.info(
            "shared picture with %s differs: %d records here, %d there",
            self.peer,
            records,
            message.records,
        )
        if self.mismatches == 3 and not self.resync_asked:  # apart while both sides are idle
            self.resync_asked = True  # once per session: a re-sync that cannot help is no loop
            log.warning("picture differs from %s three times: asking for a re-sync", self.peer)
            await self.ws.send(protocol.encode(protocol.Resync("digest differs while idle")))

    # -- liveness ----------------------------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            await self.ws.send(protocol.encode(protocol.Ping(int(time.time() * 1000))))
            self.health.queued = await self.read(
                outbox.queued_estimate, self.peer, self.health.acked_lsn, self.me, self.relay
            )

    async def _watchdog_loop(self) -> None:
        """Raise the quiet alarm, and give up a link that stays silent. Apart from the
        heartbeat, whose send can itself hang on a dead link: a half-open connection (the
        partner lost power, a black hole in the network) would stay "up" until TCP gives
        up, many minutes later, and the partner's new connection would be refused as busy."""
        while True:
            await asyncio.sleep(min(self.heartbeat_s, 1.0))
            silent = time.time() - self.health.last_received_at
            if silent > self.quiet_after_s and not self.health.quiet:
                self.health.quiet = True
                log.warning("link with %s is up but quiet for %.0f s", self.peer, silent)
            if self.incoming.full():
                continue  # we are the slow side: the partner's frames wait unread, not lost
            if silent > DEAD_AFTER_QUIET * self.quiet_after_s:
                raise LinkSilent(f"nothing from {self.peer} for {silent:.0f} s: link given up")
