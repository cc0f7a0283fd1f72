"""Partitions, the Jepsen way: three real nodes write all the time while a fault-injecting
proxy (tests/integration/faults.py) cuts, stalls, delays and slows the links between them
on a schedule drawn from a seed. Every write and its acknowledgement is recorded; after
the links heal, the history is checked:

- no acknowledged write lost: every incident whose commit returned is held, exactly once,
  by its origin and by every partner it was released to;
- none duplicated: each center holds as many ops of an origin as that origin wrote for it;
- releasability never violated: no center holds an incident not released to it;
- equal digests: every pair of centers holds the same shared picture.

A failing seed is printed; keep it in ``REGRESSION_SEEDS`` of test_sync_jepsen.py.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.records import RELEASE_TO_ALL
from app.store import Change, Store
from tests.factories import incident_fields
from tests.integration.faults import FaultyNetwork
from tests.integration.nodes import Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import same_shared_picture

IDS = ("GR-ORE", "BG-SVL", "TR-EDR")
DIALS = (("GR-ORE", "BG-SVL"), ("BG-SVL", "TR-EDR"), ("TR-EDR", "GR-ORE"))  # dialer, listener


@dataclass
class Write:
    center: str
    record_id: str
    released_to: tuple[str, ...]
    acknowledged: bool = False


@dataclass
class JepsenRun:
    seed: int
    writes: int = 0
    acknowledged: int = 0
    ops_checked: int = 0  # (write, center) pairs checked for presence or absence
    faults: int = 0
    failures: list[str] = field(default_factory=list)


def _writer(center: Center, rng: random.Random, stop: threading.Event, history: list[Write]):
    others = [other for other in IDS if other != center.id]
    choices = [(RELEASE_TO_ALL,), (others[0],), (others[1],), ()]
    with Store(center.database, center.id, synchronous="NORMAL") as store:
        index = 0
        while not stop.is_set():
            batch = []
            for _ in range(rng.randint(1, 4)):
                released = rng.choice(choices)
                batch.append(Write(center.id, f"{center.id}-{index}", released))
                index += 1
            history.extend(batch)  # recorded before the commit: a failed one stays unacked
            changes = [
                Change(
                    "incident",
                    w.record_id,
                    incident_fields(center.id, releasability=list(w.released_to)),
                )
                for w in batch
            ]
            try:
                store.commit(changes, "writer").result()
            except Exception:
                continue
            for write in batch:
                write.acknowledged = True
            time.sleep(rng.uniform(0.01, 0.08))


def run_partitions(folder: Path, seed: int, duration_s: float) -> JepsenRun:
    rng = random.Random(seed)
    run = JepsenRun(seed)
    network = FaultyNetwork()
    centers = {cid: Center(cid, folder, port=free_port()) for cid in IDS}
    for dialer, listener in DIALS:
        link = network.add(f"{dialer}>{listener}", centers[listener].port)
        centers[dialer].partners.append(Partner(listener, address=link.address))
        centers[listener].partners.append(Partner(dialer))
    history: list[Write] = []
    stop = threading.Event()
    writers = []
    try:
        for center in centers.values():
            center.write_config()
            Store(center.database, center.id).close()
        for center in centers.values():
            center.start()
        writers = [
            threading.Thread(
                target=_writer,
                args=(center, random.Random(rng.random()), stop, history),
                daemon=True,
            )
            for center in centers.values()
        ]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + duration_s
        while time.monotonic() < deadline:
            name = rng.choice(list(network.links))
            fault = rng.choice(["cut", "cut", "stall", "delay", "slow", "heal", "heal"])
            value = {"delay": rng.uniform(0.01, 0.3), "slow": rng.choice([20_000, 200_000])}
            network.fault(name, fault, value.get(fault, 0.0))
            run.faults += 1
            time.sleep(rng.uniform(0.2, 1.5))
        network.heal_all()
        stop.set()
        for writer in writers:
            writer.join(20)
        run.writes = len(history)
        run.acknowledged = sum(w.acknowledged for w in history)
        for first, second in ((IDS[0], IDS[1]), (IDS[1], IDS[2]), (IDS[0], IDS[2])):
            a, b = centers[first], centers[second]
            wait_for(
                lambda a=a, b=b: same_shared_picture(a, b),
                90,
                f"seed {seed}: {a.id} and {b.id} did not converge after the heal",
                interval=1.0,
            )
        run.failures += _check_history(centers, history, run)
    except AssertionError as error:
        run.failures.append(str(error))
    finally:
        stop.set()
        for center in centers.values():
            center.stop()
        network.close()
    if run.failures:
        run.failures.append(f"seed {seed}: faults {network.events}")
    return run


def _check_history(centers: dict[str, Center], history: list[Write], run: JepsenRun) -> list[str]:
    problems = []
    for cid, center in centers.items():
        raw = sqlite3.connect(f"file:{center.database}?mode=ro", uri=True, timeout=30)
        try:
            held = dict(raw.execute("SELECT id, deleted FROM incidents"))
            ops_by_origin = dict(raw.execute("SELECT origin, COUNT(*) FROM ops GROUP BY origin"))
            ops_per_record = dict(
                raw.execute("SELECT record_id, COUNT(*) FROM ops GROUP BY record_id")
            )
        finally:
            raw.close()
        expected_ops = dict.fromkeys(IDS, 0)
        for write in history:
            entitled = write.center == cid or bool({cid, RELEASE_TO_ALL} & set(write.released_to))
            present = write.record_id in held
            run.ops_checked += 1
            if present and not entitled:
                problems.append(f"{cid} holds {write.record_id}, released to {write.released_to}")
            if entitled and write.acknowledged and not present:
                problems.append(f"{cid} lost acknowledged write {write.record_id}")
            if present and ops_per_record.get(write.record_id, 0) != 1:
                problems.append(
                    f"{cid} holds {ops_per_record[write.record_id]} ops of {write.record_id}"
                )
            if entitled and (write.acknowledged or present):
                expected_ops[write.center] += 1
        for origin, count in ops_by_origin.items():
            if count != expected_ops.get(origin, 0):
                problems.append(
                    f"{cid} holds {count} ops of {origin}, {expected_ops.get(origin, 0)} written for it"
                )
    return problems
