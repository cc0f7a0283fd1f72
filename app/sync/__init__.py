"""Partner sync: the wire protocol, the outbox per partner, write rules and the node that
links centers over websockets on one asyncio loop in its own thread."""
