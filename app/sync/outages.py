"""Partner link outages, recorded as events in this center's store.

The network loop sees every change of a link's state (:class:`~app.sync.link.LinkHealth`);
the recorder turns them into outages. One opens when a link fails (down, refused, cut by the
operator) and none is open for that partner yet; it closes when the link is up again, noting
how many ops were waiting for the partner then and at most how many the partner had for us.
Dial attempts in between ("connecting") change nothing.

Writes go through the store's single writer and the loop never waits for them. An outage
still open when the center stops stays open and closes when the link next comes up: the
center was not linked meanwhile either. A center that stops with its links up records no
outage: its own stop is not a link failure.

Outages are this center's own view of its links: not replicated, not in the picture digest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from app.sync import outbox

if TYPE_CHECKING:
    from app.store import Store
    from app.sync.link import LinkHealth

log = logging.getLogger(__name__)
DOWN_STATES = frozenset({"down", "refused", "cut"})


@dataclass(frozen=True)
class Outage:
    partner: str
    down_at_ms: int
    up_at_ms: int | None  # None: still down
    reason: str
    queued_out: int | None = None  # ops waiting for the partner when the link came back
    queued_in: int | None = None  # at most this many ops came from the partner on its return

    def duration_ms(self, now_ms: int) -> int:
        return (self.up_at_ms if self.up_at_ms is not None else now_ms) - self.down_at_ms


# -- the table (on the writer's connection, or any reader's for outages_between) ------------


def open_outage(connection: Connection, partner: str, at_ms: int, reason: str) -> bool:
    """Open an outage for ``partner`` unless one is open already; True if one was opened."""
    open_id = connection.exec_driver_sql(
        "SELECT id FROM link_outages WHERE partner = ? AND up_at IS NULL", (partner,)
    ).scalar()
    if open_id is not None:
        give_reason(connection, partner, reason)
        return False
    connection.exec_driver_sql(
        "INSERT INTO link_outages (partner, down_at, reason) VALUES (?, ?, ?)",
        (partner, at_ms, reason),
    )
    return True


def give_reason(connection: Connection, partner: str, reason: str) -> None:
    """The open outage's reason, if it has none yet (the cause often follows the drop)."""
    if reason:
        connection.exec_driver_sql(
            "UPDATE link_outages SET reason = ? WHERE partner = ? AND up_at IS NULL "
            "AND reason = ''",
            (reason, partner),
        )


def close_outage(
    connection: Connection,
    partner: str,
    at_ms: int,
    queued_out: int | None = None,
    queued_in: int | None = None,
) -> bool:
    """Close ``partner``'s open outage at ``at_ms``; True if there was one."""
    closed = connection.exec_driver_sql(
        "UPDATE link_outages SET up_at = MAX(?, down_at), queued_out = ?, queued_in = ? "
        "WHERE partner = ? AND up_at IS NULL",
        (at_ms, queued_out, queued_in, partner),
    )
    return closed.rowcount > 0


def outages_between(
    connection: Connection, start_ms: int, end_ms: int, partners: Iterable[str] | None = None
) -> list[Outage]:
    """Outages that overlap ``start..end`` (UTC ms), oldest first (still open ones included)."""
    rows = connection.exec_driver_sql(
        "SELECT partner, down_at, up_at, reason, queued_out, queued_in FROM link_outages "
        "WHERE down_at < ? AND (up_at IS NULL OR up_at > ?) ORDER BY down_at, partner",
        (end_ms, start_ms),
    ).fetchall()
    wanted = None if partners is None else set(partners)
    return [Outage(*row) for row in rows if wanted is None or row[0] in wanted]


# -- the recorder (on the network loop) ------------------------------------------------------


class OutageRecorder:
    """Watches every link's health and records its outages through the store's writer."""

    def __init__(self, store: Store, me: str, relays: dict[str, bool]) -> None:
        self._store = store
        self._me = me
        self._relays = relays
        self._open: dict[str, bool] = {}  # partner -> an outage is open (absent: not known)
        self._reason: dict[str, str] = {}
        self.stopping = False  # the center stops: its links going down is no outage

    def watch(self, health: LinkHealth) -> None:
        health.watch(self.on_change)

    def on_change(self, health: LinkHealth) -> None:
        if self.stopping:
            return
        partner, state, reason = health.partner, health.state, health.last_error
        if state in DOWN_STATES:
            if self._open.get(partner):
                if reason and not self._reason.get(partner):
                    self._reason[partner] = reason
                    self._write(lambda c: give_reason(c, partner, reason))
                return
            self._open[partner], self._reason[partner] = True, reason
            at_ms = int(health.since * 1000)
            self._write(lambda c: open_outage(c, partner, at_ms, reason))
        elif state == "up" and self._open.get(partner, True):
            self._open[partner] = False
            at_ms, incoming = int(health.since * 1000), health.incoming_expected
            relay = self._relays.get(partner, False)

            def close(connection: Connection) -> bool:
                cursor = outbox.load_cursor(connection, partner)
                waiting = outbox.queued_estimate(connection, partner, cursor, self._me, relay)
                return close_outage(connection, partner, at_ms, waiting, incoming)

            self._write(close)

    def _write(self, job: Callable[[Connection], Any]) -> None:
        future: Future = self._store.writer.submit(job)
        future.add_done_callback(_log_failure)


def _log_failure(future: Future) -> None:
    error = future.exception()
    if error is not None:
        log.warning("a link outage could not be recorded: %s", error)


__all__ = [
    "Outage",
    "OutageRecorder",
    "close_outage",
    "open_outage",
    "outages_between",
]
