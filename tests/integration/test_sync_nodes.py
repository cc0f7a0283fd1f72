"""Partner sync between real `limes node` processes over websockets on 127.0.0.1."""

from __future__ import annotations

import sqlite3
import time

import pytest

from app.oplog import Action
from app.records import RELEASE_TO_ALL
from app.store import Change, Store
from app.store import queries as q
from tests.integration.nodes import Center, Partner, free_port, wait_for
from tests.unit.test_oplog_store import _incident_fields


def write_incidents(center: Center, prefix: str, count: int, releasability=(RELEASE_TO_ALL,)):
    with Store(center.database, center.id, synchronous="NORMAL") as store:
        changes = []
        for index in range(count):
            fields = _incident_fields(center.id, title=f"{prefix} {index}")
            fields["releasability"] = list(releasability)
            changes.append(Change("incident", f"{prefix}-{index}", fields))
        store.commit(changes, "test").result()


def incident_ids(center: Center) -> set[str]:
    if not center.database.exists():
        return set()
    with sqlite3.connect(f"file:{center.database}?mode=ro", uri=True, timeout=5) as raw:
        return {row[0] for row in raw.execute("SELECT id FROM incidents WHERE deleted = 0")}


def same_shared_picture(a: Center, b: Center) -> bool:
    return a.digest(b.id)["partner"]["digest"] == b.digest(a.id)["partner"]["digest"]


@pytest.fixture
def pair(tmp_path):
    a = Center("GR-ORE", tmp_path, port=free_port())
    b = Center("BG-SVL", tmp_path)
    a.partners = [Partner("BG-SVL")]
    b.partners = [Partner("GR-ORE", address=a.address)]
    a.write_config()
    b.write_config()
    yield a, b
    a.stop()
    b.stop()


def test_two_centers_converge_and_catch_up_after_a_cut(pair):
    a, b = pair
    write_incidents(a, "A", 1500)
    a.start()
    b.start()
    wait_for(lambda: b.link("GR-ORE").get("state") == "up", 20, "link did not come up")
    wait_for(lambda: len(incident_ids(b)) == 1500, 30, "catch-up did not arrive")

    b.stop()  # the link goes down; both sides keep working
    wait_for(lambda: a.link("BG-SVL").get("state") == "down", 10, "A did not see the link drop")
    write_incidents(a, "A-late", 700)
    write_incidents(b, "B", 300)
    b.start()
    wait_for(lambda: len(incident_ids(b)) == 2500, 30, "B did not catch up")
    wait_for(lambda: len(incident_ids(a)) == 2500, 30, "A did not receive B's incidents")
    wait_for(lambda: same_shared_picture(a, b), 30, "shared digests differ")
    wait_for(lambda: a.link("BG-SVL").get("digest_match") is True, 15, "A never saw a match")
    # every op present exactly once on both sides
    for center in (a, b):
        with Store(center.database, center.id) as store, store.read() as c:
            ops = c.exec_driver_sql(
                "SELECT COUNT(*), COUNT(DISTINCT origin || ':' || seq) FROM ops"
            )
            total, distinct = ops.fetchone()
        assert total == distinct == 2500


def test_a_change_from_another_process_reaches_the_partner_within_a_second(pair):
    a, b = pair
    a.start()
    b.start()
    wait_for(lambda: a.link("BG-SVL").get("state") == "up", 20, "link did not come up")
    write_incidents(a, "live", 1)
    written_ms = time.time() * 1000  # just after the other process committed it
    wait_for(lambda: "live-0" in incident_ids(b), 10, "the incident did not arrive", interval=0.05)
    with sqlite3.connect(f"file:{b.database}?mode=ro", uri=True) as raw:
        learned_ms = raw.execute("SELECT learned_at FROM incidents WHERE id = 'live-0'").fetchone()[
            0
        ]
    assert learned_ms - written_ms < 1000


def test_wrong_credential_and_unknown_partner_are_refused_with_the_reason(tmp_path):
    a = Center("GR-ORE", tmp_path, port=free_port(), partners=[Partner("BG-SVL")])
    wrong = Center("BG-SVL", tmp_path)
    stranger = Center("XX-UNK", tmp_path)
    try:
        a.start()
        wrong.partners = [Partner("GR-ORE", address=a.address, secret="guessed")]
        stranger.partners = [Partner("GR-ORE", address=a.address)]
        wrong.start()
        stranger.start()
        wait_for(
            lambda: "wrong credential for BG-SVL" in wrong.link("GR-ORE").get("last_error", ""),
            20,
            "the dialer was not told its credential is wrong",
        )
        assert wrong.link("GR-ORE")["state"] == "refused"
        assert "wrong credential" in a.link("BG-SVL")["last_error"]
        wait_for(
            lambda: "unknown partner 'XX-UNK'" in stranger.link("GR-ORE").get("last_error", ""),
            20,
            "the stranger was not told it is unknown",
        )
        assert a.status()["running"]
    finally:
        for center in (a, wrong, stranger):
            center.stop()


def test_releasability_is_respected_through_a_relay(tmp_path):
    hub = Center("HUB", tmp_path, port=free_port())
    a = Center("GR-ORE", tmp_path)
    c = Center("TR-EDR", tmp_path)
    hub.partners = [Partner("GR-ORE", relay=True), Partner("TR-EDR", relay=True)]
    a.partners = [Partner("HUB", address=hub.address, relay=True)]
    c.partners = [Partner("HUB", address=hub.address, relay=True)]
    for center in (hub, a, c):
        center.write_config()
    write_incidents(a, "everyone", 5)
    write_incidents(a, "hub-and-tr", 5, releasability=("HUB", "TR-EDR"))
    write_incidents(a, "hub-only", 5, releasability=("HUB",))
    try:
        hub.start()
        a.start()
        c.start()
        wait_for(lambda: len(incident_ids(hub)) == 15, 30, "the hub did not receive")
        wait_for(lambda: len(incident_ids(c)) == 10, 30, "TR-EDR did not receive via the hub")
        held = incident_ids(c)
        assert not any(i.startswith("hub-only") for i in held)
        # widening the release later sends the record's history on, through the relay
        with Store(a.database, a.id) as store:
            store.commit(
                [Change("incident", "hub-only-0", {"releasability": ["HUB", "TR-EDR"]})], "t"
            ).result()
        wait_for(lambda: "hub-only-0" in incident_ids(c), 30, "widened record did not arrive")
        with Store(c.database, c.id) as store, store.read() as connection:
            widened = q.incident(connection, "hub-only-0")
        assert widened is not None
        assert widened.title == "hub-only 0"  # the whole record, not a fragment
        assert not any(i.startswith("hub-only") and i != "hub-only-0" for i in incident_ids(c))
    finally:
        for center in (hub, a, c):
            center.stop()


def test_a_partner_that_lost_its_database_gets_everything_again(pair):
    a, b = pair
    write_incidents(a, "A", 300)
    a.start()
    b.start()
    wait_for(lambda: len(incident_ids(b)) == 300, 30, "first sync did not arrive")
    b.stop()
    for leftover in b.folder.glob(f"{b.id}.sqlite3*"):
        leftover.unlink()  # the partner's disk was replaced
    b.start()
    wait_for(lambda: len(incident_ids(b)) == 300, 10, "the restored partner was not re-sent")
    assert "new or restored database" in a.log()


def _history_and_title(center: Center, record_id: str) -> tuple[list[str], str | None]:
    with sqlite3.connect(f"file:{center.database}?mode=ro", uri=True, timeout=5) as raw:
        actions = [
            action
            for (action,) in raw.execute(
                "SELECT action FROM ops WHERE record_id = ? ORDER BY lsn", (record_id,)
            )
        ]
        title = raw.execute("SELECT title FROM incidents WHERE id = ?", (record_id,)).fetchone()
    return actions, title[0] if title else None


def test_a_deletion_reaches_a_partner_offline_for_days_before_anything_is_purged(pair):
    a, b = pair
    for center in (a, b):
        center.store_settings = ["purge_deleted_after_days = 0", "purge_every_s = 1"]
    write_incidents(a, "A", 3)
    a.start()
    b.start()
    wait_for(lambda: len(incident_ids(b)) == 3, 30, "B did not receive A's incidents")
    b.stop()  # B goes offline; A deletes one incident and edits another meanwhile
    with Store(a.database, a.id, synchronous="NORMAL") as store:
        store.commit([Change("incident", "A-0", {"title": "Corrected title"})], "anna").result()
        store.commit([Change("incident", "A-0", action=Action.DELETE)], "anna").result()
    time.sleep(3)  # several purge rounds: B has not acknowledged the deletion, nothing goes
    assert _history_and_title(a, "A-0") == (["set", "set", "delete"], "Corrected title")

    b.start()
    wait_for(lambda: incident_ids(b) == {"A-1", "A-2"}, 30, "the deletion did not reach B")
    wait_for(lambda: _history_and_title(a, "A-0") == (["delete"], None), 15, "A did not purge")
    wait_for(lambda: _history_and_title(b, "A-0")[1] is None, 15, "B did not purge")
    assert "purged 1 deleted records" in a.log()
    wait_for(lambda: same_shared_picture(a, b), 15, "shared digests differ after purging")
    assert a.digest()["digest"] == b.digest()["digest"]
