"""Partner sync throughput, next to raw websockets and raw sqlite3 measured in the same run.

    python bench/sync.py [--ops 100000] [--runs 1] [--throughput-only]

1. End to end: N incidents held by center A replicate to center B, two `limes node`
   processes linked over wss (mutual TLS) on 127.0.0.1. Timed from the moment B's link is
   up to the moment B holds every op; then both shared digests are compared.
2. Raw websockets: the same frames (batches of 1,000 ops as the protocol sends them) over
   one wss connection on loopback, received and decoded; no compression, as Limes' default.
3. Raw sqlite3: executemany of the same incident rows into a plain table with the same
   indexes, one transaction.
4. Conflicts: both centers edit the same 10,000 joint-patrol records while cut off; time from
   the link coming back to equal shared digests.
5. Live latency: incidents written at A at 200 ops/s; time until each is in B's store
   (B's own arrival stamp), p50 and p99.
``--runs N`` repeats 1-3 (each with fresh databases) and prints the medians, with every run's
figures; ``--throughput-only`` skips 4 and 5. The machine is shared and noisy: compare the
ratios, and medians of several runs.
Needs the test extra (cryptography) for the certificates.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
import ssl
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from store import incident_fields, raw_baseline  # noqa: E402

from app.oplog import Action, Op  # noqa: E402
from app.store import Change, Store  # noqa: E402
from app.sync import protocol  # noqa: E402
from tests.certs import Authority  # noqa: E402
from tests.integration.nodes import Center, Partner, free_port, wait_for  # noqa: E402

SECRET = "bench"


def populate(center: Center, count: int) -> list[tuple[str, dict]]:
    import random

    rng = random.Random(5)
    rows = [(f"inc-{i}", incident_fields(rng, i, center.id)) for i in range(count)]
    with Store(center.database, center.id, synchronous="NORMAL") as store:
        for start in range(0, count, 20_000):
            chunk = rows[start : start + 20_000]
            store.commit([Change("incident", rid, f) for rid, f in chunk], "bench").result()
    return rows


def op_count(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as raw:
            return raw.execute("SELECT COUNT(*) FROM ops").fetchone()[0]
    except sqlite3.Error:
        return 0


def link_up_time(log: str) -> float:
    match = re.search(r"^(\S+ \S+) INFO app\.sync\.node: link with \S+ up", log, re.M)
    if not match:
        raise RuntimeError("no link-up line in the log")
    return datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()


def end_to_end(folder: Path, count: int) -> tuple[float, bool, list]:
    a, b = linked_pair(folder)
    rows = populate(a, count)
    try:
        a.start()
        b.start()
        while op_count(b.database) < count:
            time.sleep(0.02)
        done = time.time()
        started = link_up_time(b.log())
        wait_for(lambda: b.link("GR-ORE").get("digest_match") is not None, 30, "no digest")
        equal = a.digest("BG-SVL")["partner"]["digest"] == b.digest("GR-ORE")["partner"]["digest"]
    finally:
        a.stop()
        b.stop()
    return count / (done - started), equal, rows


def raw_websockets(folder: Path, rows: list[tuple[str, dict]]) -> float:
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import serve

    authority = Authority(folder, "Raw CA")
    cert, key = authority.issue("raw")
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ssl.load_cert_chain(cert, key)
    client_ssl = ssl.create_default_context(cafile=str(authority.path))
    frames = []
    for start in range(0, len(rows), protocol.BATCH_OPS):
        ops = [
            Op("GR-ORE", start + i + 1, start + i + 1, "incident", rid, Action.SET, fields, "b")
            for i, (rid, fields) in enumerate(rows[start : start + protocol.BATCH_OPS])
        ]
        frames.append(protocol.encode(protocol.Ops(start // protocol.BATCH_OPS, ops)))

    async def run() -> float:
        received = asyncio.Event()
        got = 0

        async def handler(websocket):
            nonlocal got
            async for frame in websocket:
                got += len(protocol.decode(frame).ops)
                if got >= len(rows):
                    received.set()

        port = free_port()
        async with (
            serve(handler, "127.0.0.1", port, ssl=server_ssl, max_size=None, compression=None),
            connect(
                f"wss://127.0.0.1:{port}", ssl=client_ssl, max_size=None, compression=None
            ) as ws,
        ):
            start = time.perf_counter()
            for frame in frames:
                await ws.send(frame)
            await received.wait()
            return len(rows) / (time.perf_counter() - start)

    return asyncio.run(run())


def linked_pair(folder: Path) -> tuple[Center, Center]:
    folder.mkdir(parents=True, exist_ok=True)
    authority = Authority(folder, f"CA {folder.name}")
    a = Center("GR-ORE", folder, port=free_port(), tls=(*authority.issue("GR-ORE"), authority.path))
    b = Center("BG-SVL", folder, tls=(*authority.issue("BG-SVL"), authority.path))
    a.partners = [Partner("BG-SVL", secret=SECRET)]
    b.partners = [Partner("GR-ORE", address=a.address, secret=SECRET)]
    a.write_config()
    b.write_config()
    return a, b


def shared(center: Center, partner: str) -> str:
    from app.sync.digest import shared_digest

    with Store(center.database, center.id, synchronous="NORMAL") as store, store.read() as c:
        return shared_digest(c, partner, center.id, False)[0]


def conflicts(folder: Path, count: int = 10_000) -> float:
    from app.domain import Patrol
    from app.values import PatrolStatus, parse_utc

    a, b = linked_pair(folder)
    start, end = parse_utc("2026-11-21T06:00:00Z", "s"), parse_utc("2026-11-21T14:00:00Z", "e")
    with Store(a.database, a.id, synchronous="NORMAL") as store:
        store.commit(
            [
                Change(
                    "patrol",
                    f"p{i}",
                    Patrol(f"p{i}", f"JP-{i}", (), "4x4", start, end, "s1",
                           PatrolStatus.AVAILABLE).to_fields(),
                )
                for i in range(count)
            ],
            "bench",
        ).result()  # fmt: skip
    try:
        a.start()
        b.start()
        while op_count(b.database) < count:
            time.sleep(0.05)
        b.stop()
        with Store(a.database, a.id, synchronous="NORMAL") as store:
            store.commit(
                [Change("patrol", f"p{i}", {"status": "en_route"}) for i in range(count)], "a"
            ).result()
        with Store(b.database, b.id, synchronous="NORMAL") as store:
            store.commit(
                [Change("patrol", f"p{i}", {"status": "on_scene", "vehicle": "RHIB"})
                 for i in range(count)], "b",
            ).result()  # fmt: skip
        b.start()
        while True:
            if shared(a, b.id) == shared(b, a.id):
                done = time.time()
                break
            time.sleep(0.05)
        return done - link_up_time(b.log().split("BG-SVL stopped")[-1])
    finally:
        a.stop()
        b.stop()


def latency(folder: Path, rate: int = 200, seconds: float = 10.0) -> tuple[float, float, int]:
    a, b = linked_pair(folder)
    written: dict[str, float] = {}
    try:
        a.start()
        b.start()
        wait_for(lambda: b.link("GR-ORE").get("state") == "up", 30, "link not up")
        import random

        rng = random.Random(9)
        with Store(a.database, a.id, synchronous="NORMAL") as store:
            begin = time.perf_counter()
            index = 0
            while time.perf_counter() - begin < seconds:
                due = begin + index / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                record_id = f"live-{index}"
                store.commit(
                    [Change("incident", record_id, incident_fields(rng, index, "GR-ORE"))], "a"
                ).result()
                written[record_id] = time.time() * 1000
                index += 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with sqlite3.connect(f"file:{b.database}?mode=ro", uri=True) as raw:
                learned = dict(
                    raw.execute("SELECT id, learned_at FROM incidents WHERE id LIKE 'live-%'")
                )
            if len(learned) == len(written):
                break
            time.sleep(0.2)
    finally:
        a.stop()
        b.stop()
    delays = sorted(max(0.0, learned[i] - written[i]) for i in written if i in learned)
    return delays[len(delays) // 2], delays[int(len(delays) * 0.99) - 1], len(delays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1, help="repeat 1-3, print medians")
    parser.add_argument("--throughput-only", action="store_true", help="skip 4 and 5")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    rates, ws_rates, sql_rates, all_equal = [], [], [], True
    with tempfile.TemporaryDirectory(prefix="limes-bench-sync-") as name:
        folder = Path(name)
        for run in range(args.runs):
            rate, equal, rows = end_to_end(folder / f"throughput-{run}", args.ops)
            rates.append(rate)
            all_equal = all_equal and equal
            raw = folder / f"raw-{run}"
            raw.mkdir()
            ws_rates.append(raw_websockets(raw, rows))
            sql_rates.append(raw_baseline(raw, rows))
            if args.runs > 1:
                print(
                    f"  run {run + 1}: {rate:,.0f} ops/s end to end, raw websockets "
                    f"{ws_rates[-1]:,.0f}, raw sqlite3 {sql_rates[-1]:,.0f} "
                    f"({rate / sql_rates[-1]:.1%} of raw sqlite3)",
                    flush=True,
                )
        if not args.throughput_only:
            heal_s = conflicts(folder / "conflicts")
            p50, p99, measured = latency(folder / "latency")
    rate, ws_rate, sql_rate = (statistics.median(v) for v in (rates, ws_rates, sql_rates))
    ws_ratio, sql_ratio = (
        statistics.median(r / b for r, b in zip(rates, base, strict=True))
        for base in (ws_rates, sql_rates)
    )
    median = f", median of {args.runs} runs" if args.runs > 1 else ""
    print(
        f"sync benchmark: {args.ops:,} incidents A -> B, two node processes, wss on loopback"
        f"{median}"
    )
    print(f"  end to end (link up -> all ops in B's store): {rate:>10,.0f} ops/s")
    print(f"  digests equal afterwards:                     {all_equal}")
    print(
        f"  raw websockets, same frames over wss:         {ws_rate:>10,.0f} ops/s"
        f"   (Limes {ws_ratio:6.1%})"
    )
    print(
        f"  raw sqlite3 executemany, same rows:           {sql_rate:>10,.0f} rows/s"
        f"   (Limes {sql_ratio:6.1%})"
    )
    if args.throughput_only:
        return
    print(
        f"  10,000 records edited on both sides while cut off: equal shared digests "
        f"{heal_s:.2f} s after the link is back"
    )
    print(
        f"  live latency A -> B at 200 ops/s: p50 {p50:.0f} ms, p99 {p99:.0f} ms "
        f"({measured:,} incidents)"
    )


if __name__ == "__main__":
    main()
