"""A hostile partner fuzzer over the wire protocol, with Hypothesis, against a real node.

The fuzzer logs in as partner BG-SVL of a running ``limes node`` (GR-ORE) and sends what
Hypothesis draws: bytes and text that are not JSON, JSON of every shape, messages with
wrong types and unknown kinds, deeply nested and oversized frames, batches of ops with
forged origins, future or impossible stamps, out-of-range numbers, unknown record kinds,
bad field values, takeovers of GR-ORE's incidents, and replays of earlier batches.

After every example the node must answer a ping (it is up and has read everything); every
frame that does not decode under the node's limits must have been answered with an
``error`` that says why, and every batch with an ``ack`` naming each op it refused. At the
end the database must hold nothing wrong (see :func:`check_nothing_wrong`) and the node
must still serve a real partner.

Used by tests/integration/test_sync_fuzz.py (a few hundred inputs) and bench/reliability.py.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from app.errors import ValidationError
from app.hlc import pack, wall_of
from app.records import KINDS
from app.sync import protocol
from tests.factories import incident_fields
from tests.integration.hostile import HostilePeer
from tests.integration.nodes import Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import incident_ids, write_incidents

FRAME_LIMIT_MB = 0.25
FRAME_LIMIT = int(FRAME_LIMIT_MB * 1024 * 1024)
BATCH_LIMIT = 50
ORIGINS = ("BG-SVL", "TR-EDR", "GR-ORE", "XX-EVIL", "")
OWN = [f"G-{i}" for i in range(3)]  # GR-ORE's incidents, which BG-SVL may not change


@dataclass
class FuzzRun:
    seed: int
    inputs: int = 0  # frames sent
    examples: int = 0
    errors: int = 0  # error answers received
    refused_ops: int = 0  # ops named as refused in acks
    applied_ops: int = 0
    reconnects: int = 0  # oversized frames close the link, as they must
    failures: list[str] = field(default_factory=list)


# -- strategies ------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)
message_types = st.sampled_from(
    [
        "hello",
        "welcome",
        "refused",
        "ops",
        "ack",
        "digest",
        "resync",
        "ping",
        "pong",
        "error",
        "launch",
        "",
        "OPS",
        "ops ",
    ]
)
stamps = st.one_of(
    st.just("now"),
    st.just("now"),
    st.just("now"),
    st.just("future"),  # beyond the clock guard
    st.integers(min_value=-(2**64), max_value=2**66),
)
seqs = st.integers(1, 400) | st.integers(1, 400) | st.integers(-(2**64), 2**66)
record_ids = (
    st.sampled_from(OWN)  # GR-ORE's: BG-SVL may not touch them
    | st.integers(1, 60).map(lambda n: f"bg-{n}")
    | st.integers(1, 60).map(lambda n: f"bg-{n}")
    | st.text(max_size=30)
)


@st.composite
def ops(draw: Any) -> list[Any]:
    """One op as the wire carries it (an array), mostly well formed, often against a rule."""
    origin = draw(st.sampled_from(["BG-SVL"] * 6 + list(ORIGINS)))
    kind = draw(st.sampled_from(["incident"] * 6 + [*KINDS, "missile"]))
    stamp = draw(stamps)
    now_ms = time.time_ns() // 1_000_000
    if stamp == "now":
        stamp = pack(now_ms, 0)
    elif stamp == "future":
        stamp = pack(now_ms + 3_600_000, 0)
    record_id = draw(record_ids)
    shape = draw(st.sampled_from(["report", "report", "change", "random"]))
    if kind == "incident" and shape == "report":
        fields: Any = incident_fields(
            draw(st.sampled_from(["BG-SVL"] * 3 + ["GR-ORE", origin or "X"]))
        )
        if draw(st.integers(0, 3)) == 0:
            fields[draw(st.sampled_from(sorted(fields)))] = draw(json_values)
    elif kind == "incident" and shape == "change":
        fields = draw(
            st.sampled_from([{"status": "closed"}, {"owner": "BG-SVL"}, {"title": "Taken over"}])
        )
    else:
        fields = draw(st.dictionaries(st.text(max_size=12), json_values, max_size=4))
        if draw(st.integers(0, 20)) == 0:
            fields = draw(json_values)  # not a mapping: the batch will not decode
    action = draw(st.sampled_from(["set"] * 4 + ["delete", "add"]))
    author = draw(st.just("ivan") | st.text(max_size=300))
    op = [origin, draw(seqs), stamp, kind, record_id, action, fields, author]
    if draw(st.integers(0, 30)) == 0:  # the whole batch will not decode
        broken = [op[:5], [*op, "extra"], dict(enumerate(op)), "op", [*op[:5], "fly", *op[6:]]]
        op = draw(st.sampled_from(broken))
    return op


# ops batches most often: they reach the write rules; huge frames end the session, so rarely
KINDS_OF_FRAME = ["bytes", "text", "json", "message", "wrong-types", "nested", "replay"]
KINDS_OF_FRAME += ["ops"] * 12 + ["replay"] * 2 + ["huge"]


@st.composite
def frames(draw: Any) -> tuple[str, Any]:
    """(what it is, the frame): one hostile frame."""
    what = draw(st.sampled_from(KINDS_OF_FRAME))
    if what == "bytes":
        return what, draw(st.binary(max_size=300))
    if what == "text":
        return what, draw(st.text(max_size=300))
    if what == "json":
        return what, json.dumps(draw(json_values))
    if what in ("message", "wrong-types"):
        message = {"type": draw(message_types)}
        names = ["batch", "ops", "at", "reason", "code", "digest", "records", "protocol"]
        for name in draw(st.lists(st.sampled_from(names), max_size=4, unique=True)):
            message[name] = draw(json_values)
        return what, json.dumps(message)
    if what == "nested":
        depth = draw(st.integers(1, 20_000) | st.integers(20_000, 200_000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        inner = opener * depth + "1" + closer * depth
        return what, f'{{"type":"ops","batch":1,"ops":[{inner}]}}'
    if what == "huge":
        return what, "x" * draw(st.integers(FRAME_LIMIT + 1, FRAME_LIMIT * 2))
    if what == "replay":
        return what, None  # the harness resends an earlier batch
    batch = draw(st.integers(min_value=-5, max_value=10_000))
    count = draw(st.integers(0, 6) | st.integers(BATCH_LIMIT - 1, BATCH_LIMIT + 2))
    return what, json.dumps(
        {
            "type": "ops",
            "batch": batch,
            "ops": draw(st.lists(ops(), min_size=count, max_size=count)),
        }
    )


# -- the run ---------------------------------------------------------------------------------


def start_target(folder: Path) -> Center:
    center = Center(
        "GR-ORE",
        folder,
        port=free_port(),
        sync_extra=[f"max_frame_mb = {FRAME_LIMIT_MB}", f"max_batch_ops = {BATCH_LIMIT}"],
    )
    center.partners = [Partner("BG-SVL"), Partner("TR-EDR")]
    write_incidents(center, "G", len(OWN))
    return center.start()


def _expect_error(frame: Any) -> bool:
    if len(frame) > FRAME_LIMIT:
        return False
    try:
        message = protocol.decode(frame, max_bytes=FRAME_LIMIT, max_batch_ops=BATCH_LIMIT)
    except protocol.ProtocolError:
        return True
    # a session answers these with an error too: out of place, or an ack of a batch never
    # sent (the node sends a few batches: its own incidents, again after each resync)
    return isinstance(message, protocol.Hello | protocol.Welcome | protocol.Refused) or (
        isinstance(message, protocol.Ack) and not 1 <= message.batch <= 1_000
    )


def fuzz(folder: Path, examples: int, run_seed: int) -> FuzzRun:
    """Run ``examples`` Hypothesis examples against one node; the counts and failures."""
    run = FuzzRun(run_seed)
    center = start_target(folder)
    state: dict[str, Any] = {"peer": HostilePeer(center), "sent_ops": []}

    def reconnect() -> None:
        run.reconnects += 1
        state["peer"] = wait_for(lambda: _try_connect(center), 20, "cannot reconnect")

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(run_seed)
    @given(st.lists(frames(), min_size=1, max_size=6))
    def example(drawn: list[tuple[str, Any]]) -> None:
        run.examples += 1
        expected_errors = 0
        batches: set[int] = set()
        closed = False
        for what, frame in drawn:
            if what == "replay":
                if not state["sent_ops"]:
                    continue
                frame = state["sent_ops"][len(state["sent_ops"]) // 2]
            run.inputs += 1
            try:
                state["peer"].send(frame)
            except ConnectionClosed:
                closed = True
                break
            if len(frame) > FRAME_LIMIT:
                closed = True
                break
            expected_errors += _expect_error(frame)
            if not _expect_error(frame):
                message = protocol.decode(frame, max_bytes=FRAME_LIMIT, max_batch_ops=BATCH_LIMIT)
                if isinstance(message, protocol.Ops):
                    batches.add(message.batch)
                    state["sent_ops"].append(frame)
        if closed:
            _expect_closed(state["peer"])
            reconnect()
            return
        answers = state["peer"].ping()
        while not batches <= {m["batch"] for m in answers if m["type"] == "ack"}:
            answers += state["peer"].until(lambda m: m["type"] == "ack")
        errors = [m for m in answers if m["type"] == "error"]
        run.errors += len(errors)
        for ack in (m for m in answers if m["type"] == "ack"):
            run.refused_ops += len(ack["rejected"])
            run.applied_ops += ack["applied"]
            assert all(reason for _o, _s, reason in ack["rejected"]), ack
        assert len(errors) >= expected_errors, (drawn, answers)
        assert all(m["reason"] for m in errors), errors
        assert center.process.poll() is None, "the node died"

    try:
        example()
    except Exception as error:
        run.failures.append(f"seed {run_seed}: {type(error).__name__}: {error}"[:2000])
    finally:
        state["peer"].close()
    try:
        run.failures += check_nothing_wrong(center)
        _still_serves(center, folder)
        log = center.log()
        if run.errors and "refused" not in log and "rejected" not in log:
            run.failures.append(f"seed {run_seed}: rejections were not logged")
    except AssertionError as error:
        run.failures.append(f"seed {run_seed}: {error}")
    finally:
        center.stop()
    return run


def _try_connect(center: Center) -> HostilePeer | None:
    try:
        return HostilePeer(center)
    except (OSError, ConnectionClosed, AssertionError, TimeoutError):
        return None  # the node may still see the old link for a moment ("busy")


def _expect_closed(peer: HostilePeer) -> None:
    try:
        peer.until(lambda m: False, timeout=20)
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None
    else:
        code = None
    if code != 1009:  # message too big
        raise AssertionError(f"an oversized frame did not close the link with 1009 ({code})")


def check_nothing_wrong(center: Center) -> list[str]:
    """What the node holds from the hostile partner obeys every rule it was meant to."""
    problems = []
    raw = sqlite3.connect(f"file:{center.database}?mode=ro", uri=True, timeout=30)
    try:
        if (integrity := raw.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
            problems.append(f"integrity_check: {integrity}")
        horizon = time.time_ns() // 1_000_000 + 120_000
        rows = raw.execute("SELECT origin, seq, hlc, kind, record_id, action, fields FROM ops")
        for origin, seq, hlc, kind, record_id, action, fields in rows:
            where = f"op {origin}/{seq} ({kind} {record_id!r})"
            if origin not in ("GR-ORE", "BG-SVL"):
                problems.append(f"{where}: forged origin applied")
            if not 0 <= seq < 2**63 or not 0 <= hlc < 2**63 or wall_of(hlc) > horizon:
                problems.append(f"{where}: impossible seq or stamp {hlc} applied")
            if kind not in KINDS or action not in ("set", "delete", "add"):
                problems.append(f"{where}: unknown kind or action applied")
                continue
            try:
                KINDS[kind].check_canonical(json.loads(fields))
            except ValidationError as error:
                problems.append(f"{where}: invalid fields applied: {error}")
        owners = dict(raw.execute("SELECT id, owner FROM incidents"))
        for record_id in OWN:
            changed = raw.execute(
                "SELECT COUNT(*) FROM ops WHERE kind = 'incident' AND record_id = ? "
                "AND origin != 'GR-ORE'",
                (record_id,),
            ).fetchone()[0]
            if changed or owners.get(record_id) != "GR-ORE":
                problems.append(f"incident {record_id} of GR-ORE was changed by a partner")
        for (record_id,) in raw.execute(
            "SELECT DISTINCT record_id FROM ops WHERE origin = 'BG-SVL' AND kind = 'incident'"
        ):
            if owners.get(record_id) not in ("BG-SVL", None):
                problems.append(f"incident {record_id}: BG-SVL wrote into {owners[record_id]}'s")
    finally:
        raw.close()
    return problems


def _still_serves(center: Center, folder: Path) -> None:
    write_incidents(center, "after-fuzz", 2)
    partner = Center("TR-EDR", folder, partners=[Partner("GR-ORE", address=center.address)])
    try:
        partner.start()
        wait_for(
            lambda: {"after-fuzz-0", "after-fuzz-1"} <= incident_ids(partner),
            30,
            "after the fuzzing the node no longer serves a real partner",
        )
    finally:
        partner.stop()
