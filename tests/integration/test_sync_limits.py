"""Limits that bound what one partner can cost a center ([sync] max_*), each set low and
pushed past by a partner that does not care; the node stays up for its other partners."""

from __future__ import annotations

import time

import pytest
from websockets.exceptions import ConnectionClosed

from app.sync import protocol
from tests.integration.hostile import HostilePeer, valid_op
from tests.integration.nodes import Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import incident_ids, write_incidents


def _center(tmp_path, *limits: str) -> Center:
    center = Center("GR-ORE", tmp_path, port=free_port(), sync_extra=list(limits))
    center.partners = [Partner("BG-SVL"), Partner("TR-EDR")]
    return center.start()


def _served(center: Center, tmp_path) -> None:
    """A real partner still gets this center's picture."""
    write_incidents(center, "after", 2)
    partner = Center("TR-EDR", tmp_path, partners=[Partner("GR-ORE", address=center.address)])
    try:
        partner.start()
        wait_for(lambda: {"after-0", "after-1"} <= incident_ids(partner), 30, "not served")
    finally:
        partner.stop()


def test_frame_over_the_size_limit_closes_only_that_link(tmp_path):
    center = _center(tmp_path, "max_frame_mb = 0.05")  # 52,428 bytes
    try:
        peer = HostilePeer(center)
        peer.send(protocol.encode(protocol.Error("x" * 40_000)))  # under the limit: fine
        peer.ping()
        peer.send(protocol.encode(protocol.Error("x" * 60_000)))
        with pytest.raises(ConnectionClosed) as closed:
            peer.until(lambda m: False)
        assert closed.value.rcvd.code == 1009  # message too big
        _served(center, tmp_path)
    finally:
        center.stop()


def test_batch_over_the_ops_limit_is_refused_whole(tmp_path):
    center = _center(tmp_path, "max_batch_ops = 5")
    try:
        peer = HostilePeer(center)
        six = [valid_op("BG-SVL", seq, f"bg-{seq}") for seq in range(1, 7)]
        peer.send(protocol.encode(protocol.Ops(3, six)))
        errors = [m for m in peer.ping() if m["type"] == "error"]
        assert errors, "no rejection"
        assert "batch 3 of 6 ops exceeds the limit of 5" in errors[0]["reason"]
        peer.send(protocol.encode(protocol.Ops(4, six[:5])))
        ack = peer.until(lambda m: m["type"] == "ack")[-1]
        assert (ack["batch"], ack["applied"]) == (4, 5)
        assert incident_ids(center) == {f"bg-{seq}" for seq in range(1, 6)}
        assert "exceeds the limit of 5" in center.log()
    finally:
        center.stop()


def test_frames_beyond_the_rate_limit_are_read_slower(tmp_path):
    center = _center(tmp_path, "max_frames_per_s = 20")
    try:
        peer = HostilePeer(center)
        started = time.monotonic()
        for at in range(1, 61):
            peer.send(protocol.encode(protocol.Ping(10_000 + at)))
        peer.until(lambda m: m["type"] == "pong" and m["at"] == 10_060)
        elapsed = time.monotonic() - started
        # 20 frames of burst, then 20 a second: the other 40 take at least 2 s
        assert elapsed >= 1.8, elapsed
        wait_for(lambda: center.link("BG-SVL").get("throttled", 0) > 0, 5, "not reported")
        assert "more than 20 frames/s" in center.log()
    finally:
        center.stop()


def test_pending_batches_per_partner_are_bounded(tmp_path):
    center = _center(tmp_path, "max_pending_batches = 2")
    try:
        peer = HostilePeer(center)
        for batch in range(1, 31):
            ops = [
                valid_op("BG-SVL", (batch - 1) * 40 + k, f"bg-{batch}-{k}") for k in range(1, 41)
            ]
            peer.send(protocol.encode(protocol.Ops(batch, ops)))
        peer.until(lambda m: m["type"] == "ack" and m["batch"] == 30, timeout=60)
        wait_for(lambda: len(incident_ids(center)) == 30 * 40, 20, "not all applied")
        wait_for(lambda: center.link("BG-SVL").get("pending_peak", 0) > 0, 5, "no status")
        assert center.link("BG-SVL")["pending_peak"] <= 2
    finally:
        center.stop()


def test_invented_ack_moves_no_cursor(tmp_path):
    """Regression: an ack for a batch never sent was taken as acknowledged."""
    center = _center(tmp_path)
    try:
        peer = HostilePeer(center)
        peer.send(protocol.encode(protocol.Ack(5, applied=1000)))
        errors = [m for m in peer.ping() if m["type"] == "error"]
        assert "ack for batch 5, which was never sent" in errors[0]["reason"]
    finally:
        center.stop()


def test_a_partner_cannot_make_the_node_repeat_costly_work(tmp_path):
    """Regression: every digest frame made the node hash the whole shared picture, and
    every resync frame made it send its whole op-log again; a partner could ask for both
    as fast as it could send."""
    center = _center(tmp_path)
    try:
        write_incidents(center, "A", 3)
        peer = HostilePeer(center)
        batch = peer.until(lambda m: m["type"] == "ops")[-1]
        peer.send(protocol.encode(protocol.Ack(batch["batch"], applied=3)))
        time.sleep(1.5)  # the link settles: digests are compared again
        for _ in range(20):
            peer.send(protocol.encode(protocol.Digest("0" * 64, 1)))
        peer.ping()
        wait_for(lambda: "shared picture with BG-SVL differs" in center.log(), 5, "no compare")
        assert center.log().count("shared picture with BG-SVL differs") <= 2
        peer.send(protocol.encode(protocol.Resync("first")))
        peer.send(protocol.encode(protocol.Resync("second")))
        answers = peer.ping()
        errors = [m["reason"] for m in answers if m["type"] == "error"]
        assert errors == ["a re-sync was already done in this session"]
        assert sum(m["type"] == "ops" for m in answers) <= 1  # the one re-sent batch
    finally:
        center.stop()
