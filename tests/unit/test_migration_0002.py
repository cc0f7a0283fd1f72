"""A database of the first release (schema 0001) opens with its patrols intact."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

from alembic import command

from app import values as v
from app.domain import Patrol
from app.store import Change, Store
from app.store import queries as q
from app.store.database import _alembic_config, make_engine

START = datetime(2026, 11, 21, 6, tzinfo=UTC)


def _patrol(patrol_id: str, call_sign: str) -> Patrol:
    return Patrol(
        id=patrol_id,
        call_sign=call_sign,
        crew=("OFF-GR-01", "OFF-DE-01"),
        vehicle="4x4 Toyota Hilux",
        shift_start=START,
        shift_end=START + timedelta(hours=8),
        sector_id="SEC-GR-1",
        status=v.PatrolStatus.PLANNED,
    )


def _as_release_0001(path) -> None:
    """Take the schema back to 0001, and stamp one patrol field by field as 0001 did when a
    record's fields arrived in several ops (no stamp for the field 0001 did not have)."""
    engine = make_engine(path, immediate=True)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    engine.dispose()
    with sqlite3.connect(path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(patrols)")}
        assert "overrides" not in columns
        (stamps,) = raw.execute("SELECT stamps FROM patrols WHERE id = 'PAT-B'").fetchone()
        stamp = json.loads(stamps)["*"]
        per_field = {name: stamp for name in columns if name in _patrol("x", "x").to_fields()}
        raw.execute("UPDATE patrols SET stamps = ? WHERE id = 'PAT-B'", (json.dumps(per_field),))


def test_a_0001_database_upgrades_with_its_patrols_intact_and_editable(tmp_path):
    path = tmp_path / "limes.sqlite3"
    with Store(path, "GR-ORE") as store:
        store.commit(
            [
                Change("patrol", p.id, p.to_fields())
                for p in (_patrol("PAT-A", "EVROS-11"), _patrol("PAT-B", "EVROS-12"))
            ],
            "commander",
        ).result()
    _as_release_0001(path)

    with Store(path, "GR-ORE") as store:
        with store.read() as connection:
            patrols = q.patrols(connection)
        assert [(p.call_sign, p.crew, p.overrides) for p in patrols] == [
            ("EVROS-11", ("OFF-DE-01", "OFF-GR-01"), ()),
            ("EVROS-12", ("OFF-DE-01", "OFF-GR-01"), ()),
        ]
        # the field-by-field patrol stays complete (visible) after a new change
        store.commit([Change("patrol", "PAT-B", {"status": "available"})], "commander").result()
        with store.read() as connection:
            statuses = {p.id: p.status for p in q.patrols(connection)}
        assert statuses == {"PAT-A": "planned", "PAT-B": "available"}


def test_patrols_travel_between_this_release_and_the_first_one(tmp_path):
    """A partner on release 0001 sends patrols without ``overrides`` (they must show here), and
    a patrol without overrides is sent without the field (so that partner accepts it)."""
    from app.hlc import pack
    from app.oplog import Action, Op

    patrol = _patrol("PAT-S", "SAKAR-21")
    fields = patrol.to_fields()
    assert "overrides" not in fields  # what a 0001 partner sends and accepts
    op = Op("BG-SVL", 1, pack(v.to_ms(START), 0), "patrol", "PAT-S", Action.SET, fields, "bg")
    with Store(tmp_path / "limes.sqlite3", "GR-ORE") as store:
        assert not store.apply_remote([op], source="BG-SVL").result().rejected
        store.commit([Change("patrol", "PAT-S", {"status": "available"})], "gr").result()
        with store.read() as connection:
            [held] = q.patrols(connection)
        assert (held.call_sign, held.status, held.overrides) == ("SAKAR-21", "available", ())
