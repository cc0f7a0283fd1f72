"""Opening a Limes database: SQLite settings, schema upgrades, and refusing what we cannot read.

Power-loss safety (deliberate): WAL journal, because readers (the views, the change feed, a
CLI export) must never wait for the writer, and ``synchronous=FULL`` by default, because an op
that this center has acknowledged to a partner or reported as imported must survive a power
cut, not only a process crash; commits are batched, so the extra fsync is paid per batch, not
per op. ``wal_autocheckpoint`` stays at SQLite's 1000 pages. Everything is configurable
(``[store]`` in config/defaults.toml).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

from app.errors import DatabaseTooNewError, LimesError

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000
SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")


def make_engine(path: Path, *, immediate: bool, synchronous: str = "FULL") -> Engine:
    """An engine on ``path``. ``immediate``: transactions take the write lock at BEGIN, so two
    writers (this window and a ``limes import`` next to it) queue instead of deadlocking."""
    if synchronous not in SYNCHRONOUS_LEVELS:
        raise LimesError(f"store.synchronous: {synchronous!r} is not one of {SYNCHRONOUS_LEVELS}")
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN IMMEDIATE is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine, path: Path) -> None:
    """Bring the schema to this version of Limes, or refuse with a message that says why."""
    script = ScriptDirectory.from_config(_alembic_config())
    current = _check_readable(path, script)
    if current == script.get_current_head():
        return
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _check_readable(path: Path, script: ScriptDirectory) -> str | None:
    """The file's schema revision, read without changing a byte of it (opening it through
    the engine would already switch it to WAL); refuse what this Limes cannot read."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = {
                row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            current = None
            if "alembic_version" in tables:
                row = raw.execute("SELECT version_num FROM alembic_version").fetchone()
                current = row[0] if row else None
        finally:
            raw.close()
    except sqlite3.DatabaseError as error:
        raise LimesError(f"{path}: not a database Limes can open ({error})") from None
    tables = {t for t in tables if not t.startswith("sqlite_")}
    if current is None and tables - {"alembic_version"}:
        raise LimesError(
            f"{path}: this SQLite file is not a Limes database "
            f"(it holds tables {', '.join(sorted(tables)[:5])}); choose another file"
        )
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise DatabaseTooNewError(
            f"{path} was written by a newer Limes (schema revision {current}; this Limes knows "
            f"up to {script.get_current_head()}). Nothing was changed. Upgrade Limes to open it."
        )
    return current
