"""Soak: one node under a steady load of writes while both of its links flap (cut and
healed through tests/integration/faults.py), for a fixed time. Its resident memory and
open file descriptors are sampled every second; after the run both partners must hold
everything. Used by tests/integration/test_soak.py (short) and bench/reliability.py."""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.store import Change, Store
from tests.factories import incident_fields
from tests.integration.faults import FaultyNetwork
from tests.integration.nodes import Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import incident_ids

WARM_UP_S = 4.0  # imports, caches and first catch-ups settle before the first sample


@dataclass
class SoakRun:
    seed: int
    duration_s: float
    written: int = 0
    flaps: int = 0
    samples: list[tuple[float, int, int]] = field(default_factory=list)  # (s, RSS kB, fds)
    failures: list[str] = field(default_factory=list)

    @property
    def start(self) -> tuple[int, int]:
        return self.samples[0][1:] if self.samples else (0, 0)

    @property
    def end(self) -> tuple[int, int]:
        return self.samples[-1][1:] if self.samples else (0, 0)


def process_usage(pid: int) -> tuple[int, int]:
    """Resident memory (kB) and open file descriptors of process ``pid``."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def soak(folder: Path, duration_s: float, seed: int, batch: int = 10) -> SoakRun:
    """``batch`` incidents every 50 ms (0: links flap with no load, to tell the memory the
    growing database costs from what the flapping would)."""
    rng = random.Random(seed)
    run = SoakRun(seed, duration_s)
    network = FaultyNetwork()
    hub = Center("GR-ORE", folder, port=free_port())
    partners = []
    for cid in ("BG-SVL", "TR-EDR"):
        link = network.add(cid, hub.port)
        partners.append(Center(cid, folder, partners=[Partner("GR-ORE", address=link.address)]))
        hub.partners.append(Partner(cid))
    stop = threading.Event()
    counter = [0]

    def write() -> None:
        with Store(hub.database, hub.id, synchronous="NORMAL") as store:
            while not stop.is_set() and batch:
                n = counter[0]
                changes = [
                    Change("incident", f"S-{n + k}", incident_fields(hub.id)) for k in range(batch)
                ]
                store.commit(changes, "soak").result()
                counter[0] = n + batch
                time.sleep(0.05)  # about 200 incidents a second

    writer = threading.Thread(target=write, daemon=True)
    try:
        hub.start()
        for partner in partners:
            partner.start()
        writer.start()
        started = time.monotonic()
        next_sample = started + WARM_UP_S
        while (now := time.monotonic()) < started + WARM_UP_S + duration_s:
            if now >= next_sample:
                run.samples.append((round(now - started, 1), *process_usage(hub.process.pid)))
                next_sample += 1.0
            name = rng.choice(list(network.links))
            network.fault(name, rng.choice(["cut", "heal", "stall", "heal"]))
            run.flaps += 1
            time.sleep(rng.uniform(0.1, 0.6))
        run.samples.append((round(time.monotonic() - started, 1), *process_usage(hub.process.pid)))
        stop.set()
        writer.join(10)
        network.heal_all()
        run.written = counter[0]
        for partner in partners:
            wait_for(
                lambda p=partner: len(incident_ids(p)) == run.written,
                120,
                f"seed {seed}: {partner.id} did not catch up after the soak",
            )
    except AssertionError as error:
        run.failures.append(str(error))
    finally:
        stop.set()
        for center in (hub, *partners):
            center.stop()
        network.close()
    return run
