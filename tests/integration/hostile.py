"""A hand-driven partner for the hostile-partner tests: it says hello as a configured
partner, then sends whatever frames a test gives it and reads what the node answers."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from websockets.sync.client import connect

from app.hlc import pack
from app.oplog import Action, Op
from app.sync import protocol
from tests.factories import incident_fields
from tests.integration.nodes import SECRET, Center

_pings = itertools.count(1)


def valid_op(origin: str, seq: int, record_id: str, **changes: Any) -> Op:
    """An incident report by ``origin`` that a node must accept from it."""
    now_ms = time.time_ns() // 1_000_000
    fields = incident_fields(origin, **changes)
    return Op(origin, seq, pack(now_ms, 0), "incident", record_id, Action.SET, fields, "ivan")


class HostilePeer:
    def __init__(self, center: Center, as_id: str = "BG-SVL") -> None:
        self._connection = connect(center.address, max_size=None, open_timeout=10)
        self.ws = self._connection.__enter__()
        hello = protocol.Hello(protocol.PROTOCOL_VERSION, as_id, "hostile", SECRET)
        self.ws.send(protocol.encode(hello))
        welcome = self.receive()
        assert welcome["type"] == "welcome", welcome

    def send(self, frame: bytes | str) -> None:
        self.ws.send(frame)

    def receive(self, timeout: float = 15) -> dict:
        return json.loads(self.ws.recv(timeout=timeout))

    def until(self, done, timeout: float = 20) -> list[dict]:
        """Every message up to and including the first for which ``done(message)``."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            message = self.receive(max(0.1, deadline - time.monotonic()))
            seen.append(message)
            if done(message):
                return seen

    def ping(self) -> list[dict]:
        """Everything the node sent before it answered a ping sent now: the node has read
        (and answered) every frame sent before it."""
        at = next(_pings)
        self.send(protocol.encode(protocol.Ping(at)))
        return self.until(lambda m: m["type"] == "pong" and m["at"] == at)

    def close(self) -> None:
        self._connection.__exit__(None, None, None)
