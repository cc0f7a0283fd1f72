"""A center on the network: one asyncio loop (in its own thread, or the main thread of a
headless node) that listens for partners, dials the partners it has addresses for, and runs
one :class:`~app.sync.link.Session` per linked partner.

Nothing here touches Qt. The window reads :meth:`Node.status` and is told of changes through
the ``status_changed`` signal, emitted on the loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hmac
import json
import logging
import os
import random
import signal
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from psygnal import Signal
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from app import __version__
from app.errors import ConfigError
from app.settings import PartnerSettings, Settings
from app.store import Store
from app.store import queries as q
from app.store.feed import ChangeFeed
from app.sync import protocol
from app.sync.admission import HelloGate
from app.sync.credentials import (
    client_context,
    describe_tls_error,
    resolve_credential,
    server_context,
)
from app.sync.link import Limits, LinkHealth, LinkSilent, PartnerTooFast, Session
from app.sync.outages import OutageRecorder

log = logging.getLogger(__name__)
HELLO_TIMEOUT_S = 10.0
# A partner's catch-up decodes thousands of ops per batch, each a dict with lists, alive until
# the batch is applied: at Python's default of 700 new objects the collector ran about 400
# times per 100,000 ops, three of them full passes over every object of the process, some 7%
# of a headless node's time (bench/sync.py). Collections every 5,000 objects cost a quarter of
# that; what startup made (modules, settings, engines) is frozen, never traversed again.
GC_YOUNG_THRESHOLD = 5_000


class LinkRefused(Exception):
    """The other side, or this one, refused the link; the text says why."""


class Node:
    status_changed = Signal()

    def __init__(self, store: Store, settings: Settings, *, feed: ChangeFeed | None = None):
        self.store = store
        self.settings = settings
        self.sync = settings.sync
        self.me = settings.node.center_id
        self.partners: dict[str, PartnerSettings] = {p.id: p for p in settings.partners}
        for partner in settings.partners:
            if partner.address or self.sync.listen:
                resolve_credential(partner)  # fail at start, with the reason, not at first dial
        self._server_ssl = server_context(self.sync) if self.sync.listen else None
        self.limits = Limits(
            frame_bytes=int(self.sync.max_frame_mb * 1024 * 1024),
            batch_ops=self.sync.max_batch_ops,
            frames_per_s=self.sync.max_frames_per_s,
            pending_batches=self.sync.max_pending_batches,
            throttled_s=self.sync.max_throttled_s,
        )
        self._hello_gate = HelloGate(self.sync.max_connections_without_hello)
        self._refused_until: dict[str, float] = {}  # partner: monotonic time it may return
        self.health = {p.id: LinkHealth(p.id, p.name) for p in settings.partners}
        # Each link's outages, recorded in the store (the handover's partner links).
        self.outages = OutageRecorder(store, self.me, {p.id: p.relay for p in settings.partners})
        for health in self.health.values():
            self.outages.watch(health)
        self._sessions: dict[str, tuple[Session, Any]] = {}
        self._cut: set[str] = set()
        self._wakeups: dict[str, asyncio.Event] = {}
        self._feed = feed or ChangeFeed(store, interval_s=0.02, details=False)
        self._own_feed = feed is None
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="limes-sync-read")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._tasks: set[asyncio.Task] = set()
        self.status_path = Path(str(store.path) + ".status.json")
        self.listening_on: str = ""
        self._ready = threading.Event()

    # -- running ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Run the loop in its own thread (for the window)."""
        self._thread = threading.Thread(target=self._run_thread, name="limes-network", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run_thread(self) -> None:
        asyncio.run(self._main())

    def run_forever(self) -> None:
        """Run in this thread until SIGINT or SIGTERM (headless ``limes node``)."""
        gc.freeze()
        gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
        asyncio.run(self._main(handle_signals=True))

    def stop(self) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None:
            self._thread.join(15)
        self._readers.shutdown(wait=False, cancel_futures=True)

    async def _main(self, handle_signals: bool = False) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._loop.add_signal_handler(sig, self._stopping.set)
        self._feed.records_changed.connect(self._on_records_changed)
        if self._own_feed:
            self._feed.start()
        server = None
        try:
            if self.sync.listen:
                host, _, port = self.sync.listen.rpartition(":")
                server = await serve(
                    self._accept,
                    host,
                    int(port),
                    create_connection=self._hello_gate.connection,
                    ssl=self._server_ssl,
                    max_size=self.limits.frame_bytes,
                    max_queue=self.limits.pending_batches,
                    ping_interval=None,
                    compression="deflate" if self.sync.compress else None,
                )
                bound = server.sockets[0].getsockname()
                self.listening_on = f"{host}:{bound[1]}"
                log.info("%s listening on %s", self.me, self.listening_on)
            for partner in self.partners.values():
                if partner.address:
                    self._spawn(self._dial_forever(partner), f"dial-{partner.id}")
            self._spawn(self._status_loop(), "status")
            self._spawn(self._purge_loop(), "purge")
            self._ready.set()
            await self._stopping.wait()
        finally:
            self._ready.set()
            self.outages.stopping = True  # this center stopping is no link outage
            self._feed.records_changed.disconnect(self._on_records_changed)
            if self._own_feed:
                self._feed.stop()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if server is not None:
                server.close()
                await server.wait_closed()
            for health in self.health.values():
                health.set_state("down")
            self._write_status()
            log.info("%s stopped", self.me)

    def _spawn(self, coroutine: Any, name: str) -> asyncio.Task:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)  # strong reference until it ends
        task.add_done_callback(self._tasks.discard)
        return task

    def _on_records_changed(self, _changes: Any) -> None:  # on the feed thread
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        for event in self._wakeups.values():
            event.set()

    async def read(self, function: Any, *args: Any) -> Any:
        """Run ``function(connection, *args)`` on a reader thread: the loop never blocks on SQLite."""

        def job() -> Any:
            with self.store.read() as connection:
                return function(connection, *args)

        return await asyncio.get_running_loop().run_in_executor(self._readers, job)

    # -- cutting links (the demo's "cut" action, tests) -----------------------------------------

    def set_link_enabled(self, partner: str, enabled: bool) -> None:
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._set_link_enabled, partner, enabled)

    def _set_link_enabled(self, partner: str, enabled: bool) -> None:
        if enabled:
            self._cut.discard(partner)
            self.health[partner].set_state("down", "")
            self._wake_all()
        else:
            self._cut.add(partner)
            session = self._sessions.get(partner)
            if session is not None:
                self._spawn(session[1].close(code=1001, reason="link cut by operator"), "cut")
            self.health[partner].set_state("cut", "cut by operator")
        self.status_changed.emit()

    # -- dialing -----------------------------------------------------------------------------------

    async def _dial_forever(self, partner: PartnerSettings) -> None:
        backoff = 0.5
        health = self.health[partner.id]
        while True:
            while partner.id in self._cut:
                await asyncio.sleep(0.2)
            await asyncio.sleep(max(0.0, self._refused_until.get(partner.id, 0) - time.monotonic()))
            started = time.monotonic()
            health.set_state("connecting")
            try:
                await self._dial(partner)
            except asyncio.CancelledError:
                raise
            except LinkRefused as refusal:
                health.set_state("refused", str(refusal))
                log.warning("link to %s refused: %s", partner.id, refusal)
            except Exception as error:
                health.set_state("down", _describe(error, partner))
                log.info("link to %s down: %s", partner.id, health.last_error)
            self.status_changed.emit()
            if time.monotonic() - started > 10:
                backoff = 0.5  # it was up for a while: try again soon
            delay = min(backoff, self.sync.reconnect_max_s) * random.uniform(0.5, 1.5)
            backoff = min(backoff * 2, self.sync.reconnect_max_s)
            await asyncio.sleep(delay)

    async def _dial(self, partner: PartnerSettings) -> None:
        ssl_context = client_context(self.sync) if partner.address.startswith("wss://") else None
        async with connect(
            partner.address,
            ssl=ssl_context,
            max_size=self.limits.frame_bytes,
            max_queue=self.limits.pending_batches,
            open_timeout=HELLO_TIMEOUT_S,
            ping_interval=None,
            compression="deflate" if self.sync.compress else None,
        ) as websocket:
            vector = await self.read(q.version_vector)
            hello = protocol.Hello(
                protocol=protocol.PROTOCOL_VERSION,
                center=self.me,
                name=self.settings.node.name,
                credential=resolve_credential(partner),
                vector=vector,
                software=f"limes {__version__}",
            )
            await websocket.send(protocol.encode(hello))
            reply = await _first_message(websocket)
            if isinstance(reply, protocol.Refused):
                raise LinkRefused(f"refused by {partner.id}: {reply.reason}")
            if not isinstance(reply, protocol.Welcome):
                raise LinkRefused(f"{partner.id} answered {protocol.describe(reply)} to hello")
            if reply.center != partner.id:
                raise LinkRefused(
                    f"{partner.address} is center {reply.center}, not {partner.id} as configured"
                )
            await self._run_session(partner, websocket, "dialed", reply.vector, vector)

    # -- accepting ---------------------------------------------------------------------------------

    async def _accept(self, websocket: Any) -> None:
        try:
            hello = await _first_message(websocket)
        except (LinkRefused, TimeoutError) as error:
            await _refuse(websocket, "bad-hello", str(error) or "no hello within 10 s")
            return
        finally:
            self._hello_gate.release(websocket)  # it has said something: the hello is decided
        if not isinstance(hello, protocol.Hello):
            await _refuse(websocket, "bad-hello", f"expected hello, got {protocol.describe(hello)}")
            return
        partner = self.partners.get(hello.center)
        if partner is not None and _same_secret(hello.credential, partner):
            await self._replace_quiet_session(partner.id)
        if hello.protocol != protocol.PROTOCOL_VERSION:
            reason = (
                f"protocol version {hello.protocol} not supported "
                f"(this center speaks {protocol.PROTOCOL_VERSION})"
            )
            code = "protocol-version"
        elif partner is None:
            reason, code = f"unknown partner {hello.center!r}", "unknown-partner"
        elif not _same_secret(hello.credential, partner):
            reason, code = f"wrong credential for {hello.center}", "bad-credential"
        elif hello.center in self._cut:
            reason, code = f"link with {hello.center} is cut by the operator", "busy"
        elif hello.center in self._sessions:
            reason, code = f"a link with {hello.center} is already up", "busy"
        elif (wait := self._refused_until.get(hello.center, 0) - time.monotonic()) > 0:
            reason = (
                f"{hello.center} was disconnected for sending faster than "
                f"{self.sync.max_frames_per_s:g} frames/s; it may reconnect in {wait:.0f} s"
            )
            code = "rate-limited"
        else:
            reason, code = "", ""
        if reason:
            log.warning("refused %s: %s", hello.center, reason)
            if partner is not None:
                self.health[partner.id].last_error = f"refused its hello: {reason}"
            await _refuse(websocket, code, reason)
            return
        welcome = protocol.Welcome(
            protocol=protocol.PROTOCOL_VERSION,
            center=self.me,
            name=self.settings.node.name,
            vector=await self.read(q.version_vector),
        )
        await websocket.send(protocol.encode(welcome))
        health = self.health[partner.id]
        try:
            await self._run_session(partner, websocket, "accepted", hello.vector, welcome.vector)
        except (ConnectionClosed, LinkSilent) as error:
            health.set_state("down", _describe(error, partner))
        finally:
            self.status_changed.emit()

    async def _replace_quiet_session(self, partner: str) -> None:
        """The partner dials again while its link here is quiet: the old connection is
        half-open (the partner restarted behind a black hole). Drop it for the new one."""
        entry = self._sessions.get(partner)
        if entry is None or not self.health[partner].quiet:
            return
        log.warning("%s dials again while its link here is quiet: dropping the old one", partner)
        entry[1].transport.abort()
        for _ in range(100):
            if partner not in self._sessions:
                return
            await asyncio.sleep(0.05)

    # -- sessions ----------------------------------------------------------------------------------

    async def _run_session(
        self,
        partner: PartnerSettings,
        websocket: Any,
        direction: str,
        theirs: dict[str, int],
        ours: dict[str, int],
    ) -> None:
        health = self.health[partner.id]
        # What the partner holds and we do not, by sequence numbers: an upper bound of the
        # catch-up coming our way (what it may not send us is in it too), for the progress.
        carried = [o for o in theirs if o == partner.id or (partner.relay and o != self.me)]
        health.incoming_expected = sum(max(0, theirs[o] - ours.get(o, 0)) for o in carried)
        health.received_at_start = health.received_ops
        wakeup = asyncio.Event()
        session = Session(
            store=self.store,
            websocket=websocket,
            health=health,
            relay=partner.relay,
            read=self.read,
            changed=wakeup,
            batch_ops=self.sync.batch_ops,
            window=self.sync.window_batches,
            heartbeat_s=self.sync.heartbeat_s,
            quiet_after_s=self.sync.quiet_after_s,
            limits=self.limits,
        )
        self._sessions[partner.id] = (session, websocket)
        self._wakeups[partner.id] = wakeup
        health.direction = direction
        health.last_received_at = time.time()
        health.set_state("up", "")
        log.info("link with %s up (%s)", partner.id, direction)
        self.status_changed.emit()
        try:
            await session.run(theirs)
        except PartnerTooFast as error:
            backoff = self.sync.throttled_backoff_s
            self._refused_until[partner.id] = time.monotonic() + backoff
            health.set_state("down", f"{error}; refused for {backoff:g} s")
            log.warning("%s: refused for %g s (sync.throttled_backoff_s)", partner.id, backoff)
        finally:
            self._sessions.pop(partner.id, None)
            self._wakeups.pop(partner.id, None)
            if health.state == "up":
                health.set_state("down")
            self.status_changed.emit()

    # -- status --------------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        return {
            "center": self.me,
            "listening": self.listening_on,
            "without_hello": len(self._hello_gate.waiting),
            "refused_without_hello": self._hello_gate.refused,
            "pid": os.getpid(),
            "at": time.time(),
            "links": {partner: health.as_dict() for partner, health in self.health.items()},
        }

    async def _purge_loop(self) -> None:
        """Purge deleted records once every partner has acknowledged their deletion."""
        every = self.settings.store.purge_every_s
        older_than_ms = int(self.settings.store.purge_deleted_after_days * 86_400_000)
        while True:
            await asyncio.sleep(every)
            try:
                result = await asyncio.wrap_future(
                    self.store.purge_deleted(list(self.partners), older_than_ms=older_than_ms)
                )
            except Exception:
                log.exception("%s: purging deleted records failed; retrying later", self.me)
                continue
            if result.records:
                log.info(
                    "%s purged %d deleted records (%d ops); %d tombstones wait for partners",
                    self.me,
                    result.records,
                    result.ops,
                    result.waiting,
                )

    async def _status_loop(self) -> None:
        while True:
            self._write_status()
            self.status_changed.emit()
            await asyncio.sleep(1.0)

    def _write_status(self) -> None:
        temporary = self.status_path.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps(self.status(), indent=2, sort_keys=True))
            temporary.replace(self.status_path)
        except OSError as error:
            log.warning("cannot write %s: %s", self.status_path, error)


async def _first_message(websocket: Any) -> protocol.Message:
    frame = await asyncio.wait_for(websocket.recv(), HELLO_TIMEOUT_S)
    try:
        return protocol.decode(frame)
    except protocol.ProtocolError as error:
        raise LinkRefused(str(error)) from None


async def _refuse(websocket: Any, code: str, reason: str) -> None:
    with contextlib.suppress(ConnectionClosed):
        await websocket.send(protocol.encode(protocol.Refused(code, reason)))
        await websocket.close(code=1008, reason=code)


def _same_secret(presented: str, partner: PartnerSettings) -> bool:
    try:
        expected = resolve_credential(partner)
    except ConfigError:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


def _describe(error: BaseException, partner: PartnerSettings) -> str:
    if isinstance(error, ssl.SSLError):
        return describe_tls_error(error)
    if isinstance(error, LinkSilent):
        return str(error)
    if isinstance(error, OSError) and not isinstance(error, TimeoutError):
        return f"cannot reach {partner.address} ({error.strerror or error})"
    if isinstance(error, TimeoutError):
        return f"no answer from {partner.address} in time"
    if isinstance(error, InvalidURI):
        return f"bad address {partner.address}"
    if isinstance(error, InvalidHandshake):
        return f"websocket handshake with {partner.address} failed ({error})"
    if isinstance(error, ConnectionClosed):
        reason = error.rcvd.reason if error.rcvd else ""
        return f"connection closed{': ' + reason if reason else ''}"
    return f"{type(error).__name__}: {error}"
