"""A fault-injecting TCP proxy of our own, for partition tests: each link between two nodes
runs through one, and the test switches its faults on and off while the nodes work.

Faults are what a network between two command centers does to a TCP connection:

- ``cut``: every connection through the link is reset and new ones are refused (a partition);
- ``stall``: bytes are held, both ends see silence (a black hole) until the link heals;
- ``delay``: every chunk waits ``delay_s`` before it is passed on (latency);
- ``slow``: at most ``rate`` bytes a second (a thin satellite or radio link);
- ``heal``: back to a clean link.

TCP itself never loses, duplicates or reorders bytes inside a connection, so those faults
are modelled the way they reach Limes: a cut in the middle of a batch, after which the
sender resends from the acknowledged cursor (the partner then sees duplicates), and a
stall, after which whatever was held arrives late and in a burst.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from tests.integration.nodes import free_port


@dataclass
class Link:
    name: str
    target_port: int
    port: int = field(default_factory=free_port)
    mode: str = "heal"  # heal, cut, stall
    delay_s: float = 0.0
    rate: float = 0.0  # bytes per second; 0: unlimited
    passed: int = 0  # bytes carried
    resets: int = 0  # connections reset by a cut
    connections: set = field(default_factory=set)

    @property
    def address(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


class FaultyNetwork:
    """The proxies of one test, on one asyncio loop in a thread of their own."""

    def __init__(self) -> None:
        self.links: dict[str, Link] = {}
        self.events: list[tuple[float, str, str]] = []  # (time, link, fault): the schedule
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._servers: list[asyncio.AbstractServer] = []

    def add(self, name: str, target_port: int) -> Link:
        link = Link(name, target_port)
        self.links[name] = link
        self._call(self._serve(link))
        return link

    def fault(self, name: str, fault: str, value: float = 0.0) -> None:
        """Switch link ``name`` to ``fault`` (cut, stall, delay, slow, heal)."""
        self.events.append((self._loop.time(), name, f"{fault} {value:g}" if value else fault))
        self._call(self._fault(self.links[name], fault, value))

    def heal_all(self) -> None:
        for name in self.links:
            self.fault(name, "heal")

    def close(self) -> None:
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _call(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _serve(self, link: Link) -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if link.mode == "cut":
                writer.transport.abort()
                return
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", link.target_port)
            except OSError:
                writer.transport.abort()
                return
            pair = (writer, up_writer)
            link.connections.add(pair)
            try:
                await asyncio.gather(
                    self._pipe(link, reader, up_writer),
                    self._pipe(link, up_reader, writer),
                    return_exceptions=True,
                )
            finally:
                link.connections.discard(pair)
                for end in pair:
                    end.transport.abort()

        self._servers.append(await asyncio.start_server(handle, "127.0.0.1", link.port))

    @staticmethod
    async def _pipe(link: Link, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            while link.mode == "stall":
                await asyncio.sleep(0.02)
            if link.mode == "cut":
                return
            if link.delay_s:
                await asyncio.sleep(link.delay_s)
            if link.rate:
                await asyncio.sleep(len(data) / link.rate)
            writer.write(data)
            await writer.drain()
            link.passed += len(data)
        while link.mode == "stall":  # a black hole carries no close either
            await asyncio.sleep(0.02)
        writer.write_eof()

    @staticmethod
    async def _fault(link: Link, fault: str, value: float) -> None:
        if fault == "heal":
            link.mode, link.delay_s, link.rate = "heal", 0.0, 0.0
        elif fault == "cut":
            link.mode = "cut"
            for pair in list(link.connections):
                link.resets += 1
                for end in pair:
                    end.transport.abort()
        elif fault == "stall":
            link.mode = "stall"
        elif fault == "delay":
            link.delay_s = value
        elif fault == "slow":
            link.rate = value
        else:
            raise ValueError(f"unknown fault {fault!r}")

    async def _close(self) -> None:
        for server in self._servers:
            server.close()
        for link in self.links.values():
            for pair in list(link.connections):
                for end in pair:
                    end.transport.abort()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
