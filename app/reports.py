"""The shift handover report: what a supervisor hands to the next shift, for a time window.

Built here as plain values and HTML (no Qt); :mod:`widgets.report_dialog` renders the HTML to
PDF with Qt's own writer and adds the map snapshot. Sections:

* new incidents: reported or learned within the window, having happened in it or at most a
  day before (a partner's late report); history imported during the shift is not news;
* changed incidents: learned before, changed within it (which fields, by which center);
* still open at the end of the window (status as held now);
* patrol activity: patrols whose shift overlaps the window, and their updates in it;
* partner links: each partner's last acknowledgement, and the link outages that overlap the
  window (down at, back up at, why, what was waiting), or "none".

Building reads in steps and reports progress; ``cancelled()`` returning True stops it between
steps (``ReportCancelled``), so a large window never leaves a half-written file.
"""

from __future__ import annotations

import csv
import html
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

from sqlalchemy import Connection

from app.domain import Incident, Patrol
from app.errors import LimesError
from app.exporting import CSV_COLUMNS, csv_row, iso_utc
from app.oplog import decode_fields
from app.store import queries as q
from app.sync.outages import Outage, outages_between
from app.values import IncidentStatus, format_utc, from_ms

SHOWN_PER_SECTION = 300  # the PDF lists this many per section; the CSV has them all
LATE_MS = 24 * 3_600_000  # a report that reaches us this late still counts as new
OPEN_STATUSES = tuple(s.value for s in IncidentStatus if s.is_open)
Progress = Callable[[float, str], None]


class ReportCancelled(LimesError):
    pass


@dataclass(frozen=True)
class Change:
    at_ms: int
    center: str
    author: str
    fields: tuple[str, ...]  # names; "deleted" for a deletion


@dataclass
class HandoverReport:
    center: str
    start_ms: int
    end_ms: int
    generated_ms: int
    new: list[Incident] = field(default_factory=list)
    changed: list[tuple[Incident, list[Change]]] = field(default_factory=list)
    still_open: list[Incident] = field(default_factory=list)
    patrols: list[tuple[Patrol, int, str]] = field(default_factory=list)  # updates, sector name
    partners: list[tuple[str, int | None]] = field(default_factory=list)  # last ack (ms)
    outages: list[Outage] = field(default_factory=list)  # overlapping the window

    @property
    def incidents(self) -> list[Incident]:
        """Every incident the report mentions, once, in time order (the CSV's rows)."""
        seen: dict[str, Incident] = {}
        for incident in [*self.new, *(i for i, _ in self.changed), *self.still_open]:
            seen.setdefault(incident.id, incident)
        return sorted(seen.values(), key=lambda i: (i.occurred_at, i.id))


def build_handover(
    connection: Connection,
    center: str,
    start_ms: int,
    end_ms: int,
    now_ms: int,
    *,
    partners: Iterable[str] = (),
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> HandoverReport:
    """The handover for ``start..end`` (UTC ms, end exclusive), read in one snapshot."""
    if end_ms <= start_ms:
        raise LimesError("report window: the end is not after the start")
    report = HandoverReport(center, start_ms, end_ms, now_ms)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("new incidents", lambda: _new(connection, report)),
        ("changes", lambda: _changed(connection, report)),
        ("open incidents", lambda: _still_open(connection, report)),
        ("patrols", lambda: _patrols(connection, report)),
        ("partner links", lambda: _partners(connection, report, partners)),
    ]
    for index, (name, step) in enumerate(steps):
        if cancelled():
            raise ReportCancelled("report cancelled")
        if progress is not None:
            progress(index / len(steps), f"Reading {name}…")
        step()
    if progress is not None:
        progress(1.0, "Done")
    return report


def _incidents(connection: Connection, where: str, params: tuple) -> list[Incident]:
    rowids = [
        row[0]
        for row in connection.exec_driver_sql(
            f"SELECT rowid FROM incidents WHERE deleted = 0 AND complete = 1 AND {where} "
            "ORDER BY occurred_at, id",
            params,
        )
    ]
    found = q.incidents_by_rowid(connection, rowids)
    return [found[rowid] for rowid in rowids]


def _new(connection: Connection, report: HandoverReport) -> None:
    start, end = report.start_ms, report.end_ms
    report.new = _incidents(
        connection,
        "occurred_at >= ? AND occurred_at < ? "
        "AND ((reported_at >= ? AND reported_at < ?) OR (learned_at >= ? AND learned_at < ?))",
        (start - LATE_MS, end, start, end, start, end),
    )


def _changed(connection: Connection, report: HandoverReport) -> None:
    changes: dict[str, list[Change]] = defaultdict(list)
    rows = connection.exec_driver_sql(
        "SELECT o.record_id, o.received_at, o.origin, o.author, o.action, o.fields "
        "FROM ops o JOIN incidents i ON i.id = o.record_id "
        "WHERE o.kind = 'incident' AND o.received_at >= ? AND o.received_at < ? "
        "AND i.learned_at < ? ORDER BY o.received_at, o.lsn",
        (report.start_ms, report.end_ms, report.start_ms),
    )
    for record_id, at, origin, author, action, raw in rows:
        names = ("deleted",) if action == "delete" else tuple(sorted(decode_fields(raw)))
        changes[record_id].append(Change(at, origin, author, names))
    if not changes:
        return
    ids = list(changes)
    found: list[Incident] = []
    for first in range(0, len(ids), 500):
        chunk = ids[first : first + 500]
        found += _incidents(connection, f"id IN ({','.join('?' * len(chunk))})", tuple(chunk))
    found.sort(key=lambda i: (i.occurred_at, i.id))
    report.changed = [(incident, changes[incident.id]) for incident in found]


def _still_open(connection: Connection, report: HandoverReport) -> None:
    marks = ",".join("?" * len(OPEN_STATUSES))
    report.still_open = _incidents(
        connection, f"learned_at < ? AND status IN ({marks})", (report.end_ms, *OPEN_STATUSES)
    )


def _patrols(connection: Connection, report: HandoverReport) -> None:
    sectors = {sector.id: sector.name for sector in q.sectors(connection)}
    updates = dict(
        connection.exec_driver_sql(
            "SELECT record_id, COUNT(*) FROM ops WHERE kind = 'patrol' "
            "AND received_at >= ? AND received_at < ? GROUP BY record_id",
            (report.start_ms, report.end_ms),
        ).fetchall()
    )
    start, end = from_ms(report.start_ms), from_ms(report.end_ms)
    report.patrols = [
        (patrol, updates.get(patrol.id, 0), sectors.get(patrol.sector_id, patrol.sector_id))
        for patrol in q.patrols(connection)
        if patrol.shift_start < end and patrol.shift_end > start
    ]


def _partners(connection: Connection, report: HandoverReport, partners: Iterable[str]) -> None:
    acked = dict(
        connection.exec_driver_sql("SELECT partner, acked_at FROM partner_cursors").fetchall()
    )
    names = sorted(set(partners))
    report.partners = [(partner, acked.get(partner)) for partner in names]
    report.outages = outages_between(connection, report.start_ms, report.end_ms, names)


# -- rendering --------------------------------------------------------------------------------

CSS = """
body { font-family: sans-serif; font-size: 9pt; color: #222; }
h1 { font-size: 15pt; margin-bottom: 2px; }
h2 { font-size: 11.5pt; color: #1d3557; border-bottom: 1px solid #999; margin-top: 14px; }
table { border-collapse: collapse; width: 100%; }
th { background: #e8edf3; text-align: left; padding: 2px 4px; }
td { padding: 2px 4px; border-bottom: 1px solid #ddd; vertical-align: top; }
.high { color: #c62828; font-weight: bold; } .medium { color: #b26a00; } .low { color: #2e7d32; }
.muted { color: #666; }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _incident_rows(
    incidents: list[Incident], extra: Callable[[Incident], str] | None = None
) -> str:
    if not incidents:
        return "<p class='muted'>None.</p>"
    head = "<tr><th>Time (UTC)</th><th>Category</th><th>Impact</th><th>Status</th><th>Title</th><th>Owner</th>"
    head += "<th>Changes</th></tr>" if extra else "</tr>"
    rows = []
    for incident in incidents[:SHOWN_PER_SECTION]:
        rows.append(
            f"<tr><td>{format_utc(incident.occurred_at)}</td><td>{_e(incident.category.label)}</td>"
            f"<td class='{incident.impact.value}'>{_e(incident.impact.label)}</td>"
            f"<td>{_e(incident.status.label)}</td><td>{_e(incident.title)}</td>"
            f"<td>{_e(incident.owner)}</td>"
            + (f"<td>{extra(incident)}</td>" if extra else "")
            + "</tr>"
        )
    more = len(incidents) - SHOWN_PER_SECTION
    tail = f"<p class='muted'>… and {more:,} more (all in the CSV).</p>" if more > 0 else ""
    return f"<table>{head}{''.join(rows)}</table>{tail}"


def to_html(report: HandoverReport, *, map_image: str | None = None) -> str:
    """The report as one HTML document; ``map_image`` is the file name of the map snapshot."""
    changes = {incident.id: found for incident, found in report.changed}

    def describe(incident: Incident) -> str:
        return "<br>".join(
            f"{format_utc(from_ms(c.at_ms))[11:]} {_e(', '.join(c.fields))} "
            f"<span class='muted'>({_e(c.center)}{', ' + _e(c.author) if c.author else ''})</span>"
            for c in changes[incident.id][-6:]
        )

    high_open = sum(1 for i in report.still_open if i.impact.value == "high")
    # What the next shift must act on first (most severe first), apart from what is resolved
    # and waits only for its owner to close it.
    awaiting_closure = [i for i in report.still_open if i.status is IncidentStatus.RESOLVED]
    needing_action = sorted(
        (i for i in report.still_open if i.status is not IncidentStatus.RESOLVED),
        key=lambda i: (-i.impact.rank, i.occurred_at, i.id),
    )
    patrol_rows = "".join(
        f"<tr><td>{_e(p.call_sign)}</td><td>{_e(p.status.label)}</td><td>{_e(sector)}</td>"
        f"<td>{format_utc(p.shift_start)} – {format_utc(p.shift_end)[11:]}</td>"
        f"<td>{len(p.crew)}</td><td>{updates}</td></tr>"
        for p, updates, sector in report.patrols
    )
    down_ms: dict[str, int] = defaultdict(int)
    for outage in report.outages:
        down_ms[outage.partner] += _overlap_ms(outage, report)
    partner_rows = "".join(
        f"<tr><td>{_e(partner)}</td><td>{format_utc(from_ms(acked)) if acked else 'never'}</td>"
        f"<td>{_duration(down_ms[partner]) if down_ms[partner] else 'up throughout'}</td></tr>"
        for partner, acked in report.partners
    )
    window = f"{format_utc(from_ms(report.start_ms))} – {format_utc(from_ms(report.end_ms))}"
    parts = [
        f"<html><head><meta charset='utf-8'><title>Shift handover {window}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Shift handover — {_e(report.center)}</h1>",
        f"<p><b>Window:</b> {window} (UTC) · generated {format_utc(from_ms(report.generated_ms))}</p>",
        "<h2>Summary</h2>",
        f"<p>{len(report.new):,} new incidents · {len(report.changed):,} changed · "
        f"{len(report.still_open):,} still open ({high_open:,} high impact; "
        f"{len(awaiting_closure):,} resolved, awaiting closure) · "
        f"{len(report.patrols):,} patrols on shift · "
        f"{_plural(len(report.outages), 'link outage')}.</p>",
        "<h2>Map</h2>",
        f"<p><img src='{_e(map_image)}' width='640'></p>"
        if map_image
        else "<p class='muted'>No map snapshot.</p>",
        "<h2>New incidents</h2>",
        _incident_rows(report.new),
        "<h2>Changed incidents</h2>",
        _incident_rows([i for i, _ in report.changed], describe),
        "<h2>Still open</h2>",
        "<p class='muted'>Status as held when the report was generated; most severe first.</p>",
        _incident_rows(needing_action),
        "<h3>Resolved, awaiting closure by their owner</h3>",
        _incident_rows(awaiting_closure),
        "<h2>Patrol activity</h2>",
        "<table><tr><th>Call sign</th><th>Status</th><th>Sector</th><th>Shift (UTC)</th>"
        f"<th>Crew</th><th>Updates in window</th></tr>{patrol_rows}</table>"
        if report.patrols
        else "<p class='muted'>No patrol on shift in this window.</p>",
        "<h2>Partner links</h2>",
        "<table><tr><th>Partner</th><th>Last acknowledgement</th><th>Down in window</th></tr>"
        f"{partner_rows}</table>"
        if report.partners
        else "<p class='muted'>No partners configured.</p>",
        "<h3>Link outages</h3>",
        _outage_rows(report),
        "</body></html>",
    ]
    return "\n".join(parts)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _duration(ms: int) -> str:
    minutes = max(0, ms) // 60_000
    if minutes < 1:
        return "under 1 min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _overlap_ms(outage: Outage, report: HandoverReport) -> int:
    end = outage.up_at_ms if outage.up_at_ms is not None else report.generated_ms
    return max(0, min(end, report.end_ms) - max(outage.down_at_ms, report.start_ms))


def _outage_rows(report: HandoverReport) -> str:
    if not report.outages:
        return "<p>None: no partner link was down in this window.</p>"
    rows = []
    for outage in report.outages:
        back = (
            format_utc(from_ms(outage.up_at_ms))
            if outage.up_at_ms is not None
            else "<b>still down</b>"
        )
        waiting = []
        if outage.queued_out is not None:
            waiting.append(f"{outage.queued_out:,} to send")
        if outage.queued_in:
            waiting.append(f"up to {outage.queued_in:,} to receive")
        rows.append(
            f"<tr><td>{_e(outage.partner)}</td><td>{format_utc(from_ms(outage.down_at_ms))}</td>"
            f"<td>{back}</td><td>{_duration(outage.duration_ms(report.generated_ms))}</td>"
            f"<td>{_e(outage.reason) or '<span class=muted>not known</span>'}</td>"
            f"<td>{', '.join(waiting) or '—'}</td></tr>"
        )
    return (
        "<table><tr><th>Partner</th><th>Down (UTC)</th><th>Back up (UTC)</th><th>Length</th>"
        f"<th>Reason</th><th>Ops waiting on return</th></tr>{''.join(rows)}</table>"
    )


def write_csv(report: HandoverReport, out: TextIO) -> int:
    """The report's incidents in the export's CSV columns (it imports back); the row count."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    incidents = report.incidents
    for incident in incidents:
        fields = incident.to_fields()
        values = {
            **fields,
            "id": incident.id,
            "time": iso_utc(fields["occurred_at"]),
            "reported_at": iso_utc(fields["reported_at"]),
        }
        writer.writerow(csv_row(values))
    return len(incidents)


__all__ = ["HandoverReport", "ReportCancelled", "build_handover", "to_html", "write_csv"]
