"""The SQLite store: op-log, materialized records, one writer, readers, change feed, digest."""

from app.store.store import Change, RemoteResult, Store, open_store

__all__ = ["Change", "RemoteResult", "Store", "open_store"]
