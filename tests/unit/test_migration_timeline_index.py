"""Migration 0003 (the timeline's covering index): a 0001 database upgrades, data intact."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine

from app.store import Change, Store
from app.store import queries as q
from app.store.database import _alembic_config, head_revision
from tests.factories import incident_fields


def test_a_0001_database_upgrades_with_its_incidents_and_gets_the_timeline_index(tmp_path):
    path = tmp_path / "old.sqlite3"
    # A database as Limes 0001 wrote it: the 0001 schema, then rows copied from a store.
    with Store(tmp_path / "source.sqlite3", "GR-ORE") as source:
        source.commit([Change("incident", "i1", incident_fields(title="Van"))], "anna").result()
        with source.read() as connection:
            rows = connection.exec_driver_sql("SELECT * FROM incidents").fetchall()
            ops = connection.exec_driver_sql("SELECT * FROM ops").fetchall()
    engine = create_engine(f"sqlite:///{path}")
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        for table, data in (("incidents", rows), ("ops", ops)):
            marks = ",".join("?" * len(data[0]))
            connection.exec_driver_sql(f"INSERT INTO {table} VALUES ({marks})", [tuple(data[0])])
    engine.dispose()

    with Store(path, "GR-ORE") as store, store.read() as connection:
        indexes = {row[1] for row in connection.exec_driver_sql("PRAGMA index_list('incidents')")}
        incident = q.incident(connection, "i1")
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert "ix_incidents_timeline" in indexes
    assert "ix_incidents_occurred_at" not in indexes
    assert incident is not None
    assert incident.title == "Van"
    assert revision == head_revision()
