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
