"""Three centers writing all the time while their links are cut and restored (nodes stopped
and started): afterwards every pair holds the same shared picture and every op exactly once."""

from __future__ import annotations

import threading
import time

from app.store import Change, Store
from tests.integration.nodes import Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import same_shared_picture
from tests.unit.test_oplog_store import _incident_fields


def _writer(center: Center, stop: threading.Event, written: list[int]) -> None:
    with Store(center.database, center.id, synchronous="NORMAL") as store:
        index = 0
        while not stop.is_set():
            changes = [
                Change("incident", f"{center.id}-{index + k}", _incident_fields(center.id))
                for k in range(5)
            ]
            store.commit(changes, "writer").result()
            index += 5
            written[0] = index
            time.sleep(0.05)


def test_three_centers_converge_after_cuts_while_all_write(tmp_path):
    a = Center("GR-ORE", tmp_path, port=free_port())
    b = Center("BG-SVL", tmp_path, port=free_port())
    c = Center("TR-EDR", tmp_path, port=free_port())
    a.partners = [Partner("BG-SVL", address=b.address), Partner("TR-EDR")]
    b.partners = [Partner("GR-ORE"), Partner("TR-EDR", address=c.address)]
    c.partners = [Partner("GR-ORE", address=a.address), Partner("BG-SVL")]
    centers = (a, b, c)
    for center in centers:
        center.write_config()
        Store(center.database, center.id).close()
    stop = threading.Event()
    counts = {center.id: [0] for center in centers}
    writers = [
        threading.Thread(target=_writer, args=(center, stop, counts[center.id]), daemon=True)
        for center in centers
    ]
    try:
        for center in centers:
            center.start()
        for writer in writers:
            writer.start()
        time.sleep(1.5)
        b.stop()  # B's links go down; everyone keeps writing
        time.sleep(1.5)
        b.start()
        c.stop()
        time.sleep(1.5)
        c.start()
        time.sleep(1.0)
        stop.set()
        for writer in writers:
            writer.join(10)
        total = sum(count[0] for count in counts.values())
        for first, second in ((a, b), (b, c), (a, c)):
            wait_for(
                lambda first=first, second=second: same_shared_picture(first, second),
                60,
                f"{first.id} and {second.id} did not converge",
                interval=1.0,
            )
        for center in centers:
            with Store(center.database, center.id) as store, store.read() as connection:
                held, distinct = connection.exec_driver_sql(
                    "SELECT COUNT(*), COUNT(DISTINCT origin || ':' || seq) FROM ops"
                ).fetchone()
            assert held == distinct == total, (
                f"{center.id}: {held} ops, {distinct} distinct, {total} written"
            )
    finally:
        stop.set()
        for center in centers:
            center.stop()
