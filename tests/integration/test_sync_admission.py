"""Connections that never say hello, and partners that never stop flooding: a real node is
attacked over real sockets while a real partner keeps being served."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import connect

from app.sync import protocol
from tests.integration.hostile import HostilePeer
from tests.integration.nodes import SECRET, Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import incident_ids, write_incidents


def _linked_pair(tmp_path, *limits: str) -> tuple[Center, Center]:
    """GR-ORE listening with ``limits``, and TR-EDR dialing it as a real partner."""
    center = Center("GR-ORE", tmp_path, port=free_port(), sync_extra=list(limits))
    center.partners = [Partner("BG-SVL"), Partner("TR-EDR")]
    center.start()
    partner = Center("TR-EDR", tmp_path, partners=[Partner("GR-ORE", address=center.address)])
    partner.start()
    wait_for(lambda: center.link("TR-EDR").get("state") == "up", 30, "partner not linked")
    return center, partner


def _served(center: Center, partner: Center, prefix: str) -> None:
    """A write at the center still reaches the real partner."""
    write_incidents(center, prefix, 2)
    wait_for(
        lambda: {f"{prefix}-0", f"{prefix}-1"} <= incident_ids(partner), 30, "partner not served"
    )


def _closed_by_node(sock: socket.socket, within: float) -> bool:
    """True if the node closes this silent connection within ``within`` seconds."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def _websocket_refused(address: str) -> bool:
    try:
        with connect(address, open_timeout=5) as websocket:
            websocket.send(protocol.encode(protocol.Ping(1)))
            websocket.recv(timeout=5)
    except (ConnectionClosed, OSError, TimeoutError, InvalidHandshake):
        return True
    return False


def test_connections_that_never_say_hello_are_bounded(tmp_path):
    center, partner = _linked_pair(tmp_path, "max_connections_without_hello = 4")
    silent: list[socket.socket] = []
    upgraded = contextlib.ExitStack()
    try:
        port = center.port
        for _ in range(2):  # TCP only: not even the websocket handshake
            silent.append(socket.create_connection(("127.0.0.1", port)))
        for _ in range(2):  # a websocket, but no hello
            upgraded.enter_context(connect(center.address, open_timeout=10))
        wait_for(lambda: center.status().get("without_hello") == 4, 10, "not counted")

        extra = socket.create_connection(("127.0.0.1", port))
        assert _closed_by_node(extra, within=3), "a fifth silent connection was kept"
        extra.close()
        assert _websocket_refused(center.address), "a websocket got past the limit"
        assert "have not said hello yet (sync.max_connections_without_hello = 4)" in center.log()
        wait_for(lambda: center.status().get("refused_without_hello", 0) >= 2, 5, "no count")

        _served(center, partner, "during")  # the linked partner never noticed

        upgraded.close()
        for sock in silent:
            sock.close()
        wait_for(lambda: center.status().get("without_hello") == 0, 10, "not released")
        peer = HostilePeer(center)  # room again: a partner's hello is welcome
        peer.ping()
        peer.close()
    finally:
        upgraded.close()
        for sock in silent:
            sock.close()
        partner.stop()
        center.stop()


def test_a_silent_connection_is_released_by_the_hello_timeout(tmp_path):
    center = Center(
        "GR-ORE", tmp_path, port=free_port(), sync_extra=["max_connections_without_hello = 1"]
    )
    center.partners = [Partner("BG-SVL")]
    center.start()
    try:
        with connect(center.address, open_timeout=10) as mute:
            wait_for(lambda: center.status().get("without_hello") == 1, 10, "not counted")
            refused = json.loads(mute.recv(timeout=15))  # no hello within 10 s
            assert refused["code"] == "bad-hello"
        wait_for(lambda: center.status().get("without_hello") == 0, 5, "not released")
        HostilePeer(center).close()
    finally:
        center.stop()


def _flood(peer: HostilePeer, stop: threading.Event) -> None:
    at = 1_000_000
    try:
        while not stop.is_set():
            at += 1
            peer.send(protocol.encode(protocol.Ping(at)))
    except (ConnectionClosed, OSError):
        pass


def test_a_burst_is_slowed_but_a_sustained_flood_is_disconnected_and_backed_off(tmp_path):
    center, partner = _linked_pair(
        tmp_path, "max_frames_per_s = 20", "max_throttled_s = 3", "throttled_backoff_s = 4"
    )
    try:
        peer = HostilePeer(center)
        for at in range(1, 41):  # 20 frames of burst, 20 more read over one second
            peer.send(protocol.encode(protocol.Ping(at)))
        peer.until(lambda m: m["type"] == "pong" and m["at"] == 40)
        time.sleep(1.5)  # a pause: the next spell of throttling starts from zero
        peer.ping()  # the burst was slowed, not refused
        wait_for(lambda: center.link("BG-SVL").get("throttled", 0) > 0, 5, "not throttled")

        stop = threading.Event()
        flooding = threading.Thread(target=_flood, args=(peer, stop), daemon=True)
        started = time.monotonic()
        flooding.start()
        with pytest.raises(ConnectionClosed) as closed:
            peer.until(lambda m: False, timeout=30)
        lasted = time.monotonic() - started
        stop.set()
        flooding.join(10)
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1008
        assert 2.5 <= lasted <= 20, lasted
        # The peer sees the close before the node has logged the refusal that follows it.
        wait_for(
            lambda: "BG-SVL: refused for 4 s (sync.throttled_backoff_s)" in center.log(),
            5,
            "refusal not logged",
        )
        log = center.log()
        assert "BG-SVL sent more than 20 frames/s for 3 s (sync.max_throttled_s = 3)" in log
        wait_for(
            lambda: "refused for 4 s" in center.link("BG-SVL").get("last_error", ""),
            5,
            "not in the link status",
        )

        with connect(center.address, open_timeout=10) as again:  # too soon
            again.send(
                protocol.encode(protocol.Hello(protocol.PROTOCOL_VERSION, "BG-SVL", "x", SECRET))
            )
            refusal = json.loads(again.recv(timeout=10))
        assert refusal["code"] == "rate-limited"
        assert "sending faster than 20 frames/s" in refusal["reason"]

        _served(center, partner, "flooded")  # the other partner carried on all along

        time.sleep(4)
        HostilePeer(center).ping()  # the back-off is over
    finally:
        partner.stop()
        center.stop()
