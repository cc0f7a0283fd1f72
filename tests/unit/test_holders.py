"""Per-partner 'has it arrived': from the acknowledged cursors and the release list."""

from __future__ import annotations

from app.store import Change
from app.sync.holders import HOLDS, NOT_RELEASED, ON_ITS_WAY, holders
from app.sync.outbox import save_cursor
from tests.unit.test_oplog_store import _incident_fields


def test_holders_follow_acknowledgements_and_releases(store):
    fields = _incident_fields(releasability=["BG-SVL"])
    store.commit([Change("incident", "i1", fields)], "anna").result()
    partners = ["BG-SVL", "TR-EDR"]
    with store.read() as connection:
        assert holders(connection, "incident", "i1", partners) == [
            ("BG-SVL", ON_ITS_WAY),
            ("TR-EDR", NOT_RELEASED),
        ]
    store.writer.call(lambda connection: save_cursor(connection, "BG-SVL", 1, 0))
    with store.read() as connection:
        assert holders(connection, "incident", "i1", partners)[0] == ("BG-SVL", HOLDS)
    store.commit([Change("incident", "i1", {"title": "Changed since"})], "anna").result()
    with store.read() as connection:  # the change has not been acknowledged yet
        assert holders(connection, "incident", "i1", partners)[0] == ("BG-SVL", ON_ITS_WAY)


def test_a_held_back_op_is_not_mistaken_for_a_lost_database(store):
    from app.sync.outbox import lost_acknowledged

    store.commit([Change("incident", "i1", _incident_fields(releasability=["*"]))], "a").result()
    store.commit(
        [Change("incident", "i2", _incident_fields(releasability=["BG-SVL"]))], "a"
    ).result()
    with store.read() as connection:
        # TR-EDR acknowledged both positions but holds only op 1: op 2 was never its to hold
        assert lost_acknowledged(connection, "TR-EDR", "GR-ORE", 1, 2) == 0
        # BG-SVL says it holds nothing of ours although it acknowledged both: it lost them
        assert lost_acknowledged(connection, "BG-SVL", "GR-ORE", 0, 2) == 1
