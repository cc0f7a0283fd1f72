"""Admission of incoming connections before they say who they are.

:class:`HelloGate` counts the connections that have not said hello yet and closes new ones
beyond ``[sync] max_connections_without_hello``, so a peer that opens sockets and holds
them silent cannot exhaust this center's descriptors or memory; partners whose links are up
are not affected (they said hello long ago).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from websockets.asyncio.server import ServerConnection

log = logging.getLogger(__name__)
REFUSAL_LOG_EVERY_S = 10.0  # a flood of refused connections is logged once per this, counted


class HelloGate:
    """Bounds the connections that have not said hello yet.

    A connection counts from the moment it is accepted (for ``wss://``, once its TLS
    handshake is done, which asyncio bounds by the same 10 s) until its first frame has been
    read, or it is gone. A peer that opens sockets and says nothing would otherwise hold
    each for up to 20 s (websocket handshake, then hello), as many as it likes; beyond
    ``limit`` at once, new connections are closed at once, and the refusals are logged.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waiting: set[ServerConnection] = set()
        self.refused = 0
        self._logged_at = 0.0
        self._refused_since_log = 0

    def connection(self, *args: Any, **kwargs: Any) -> ServerConnection:
        """The websocket server's connection factory: connections that report to this gate."""
        return _GatedConnection(self, *args, **kwargs)

    def admit(self, connection: ServerConnection, peer: Any) -> bool:
        if len(self.waiting) < self.limit:
            self.waiting.add(connection)
            return True
        self.refused += 1
        self._refused_since_log += 1
        now = time.monotonic()
        if now - self._logged_at >= REFUSAL_LOG_EVERY_S:
            log.warning(
                "connection from %s closed: %d connections have not said hello yet "
                "(sync.max_connections_without_hello = %d); %d refused since the last report",
                _address(peer),
                len(self.waiting),
                self.limit,
                self._refused_since_log,
            )
            self._logged_at, self._refused_since_log = now, 0
        return False

    def release(self, connection: Any) -> None:
        self.waiting.discard(connection)


class _GatedConnection(ServerConnection):
    def __init__(self, gate: HelloGate, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if not self.gate.admit(self, transport.get_extra_info("peername")):
            transport.abort()  # before the websocket handshake: costs a socket for no time

    def connection_lost(self, exc: Exception | None) -> None:
        self.gate.release(self)
        super().connection_lost(exc)


def _address(peer: Any) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)
