"""Opening databases: WAL and pragmas, migrations, refusing what this Limes cannot read."""

from __future__ import annotations

import sqlite3

import pytest

from app.errors import DatabaseTooNewError, LimesError
from app.store import Store
from app.store.database import head_revision


def test_new_database_is_wal_with_foreign_keys_and_current_schema(tmp_path):
    path = tmp_path / "limes.sqlite3"
    with Store(path, "GR-ORE") as store, store.read() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 5000
        revision = connection.exec_driver_sql(
            "SELECT version_num FROM alembic_version"
        ).scalar_one()
    assert revision == head_revision()


def test_database_from_a_newer_limes_is_refused_untouched(tmp_path):
    path = tmp_path / "limes.sqlite3"
    Store(path, "GR-ORE").close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = path.read_bytes()
    with pytest.raises(DatabaseTooNewError, match=r"newer Limes .*9999_future"):
        Store(path, "GR-ORE")
    assert path.read_bytes() == before


def test_other_sqlite_file_and_garbage_file_are_refused_with_the_reason(tmp_path):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(LimesError, match="not a Limes database"):
        Store(other, "GR-ORE")
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(LimesError, match="not a database"):
        Store(garbage, "GR-ORE")


def test_schema_created_by_migrations_matches_the_code(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.store.schema import metadata

    with Store(tmp_path / "limes.sqlite3", "GR-ORE") as store, store.read() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_closing_a_store_closes_its_files(tmp_path):
    """A long-running process opens and closes stores (exports, digests): no file stays open."""
    import os

    path = tmp_path / "limes.sqlite3"
    Store(path, "GR-ORE").close()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        with Store(path, "GR-ORE") as store, store.read() as connection:
            connection.exec_driver_sql("SELECT COUNT(*) FROM ops").scalar()
    assert len(os.listdir("/proc/self/fd")) == before
