"""Officers in and out as CSV: every row checked first, errors by row, nothing half-written."""

from __future__ import annotations

import io

import pytest

from app.import_readers import ImportRowError
from app.roster_csv import export_officers, import_officers
from app.store import queries as q

HEADER = "id,name,agency,country,rank,languages,qualifications,available\n"
GOOD = (
    HEADER
    + "OFF-GR-01,Dimitris Karalis,Hellenic Police,GRC,Police Sergeant,el;en;tr,driver;interpreter,yes\n"
    + "OFF-BG-02,Desislava Ivanova,Bulgarian Border Police,bgr,Inspector,bg; en ;el,interpreter,\n"
    + 'OFF-DE-01,"Becker, Jonas",Frontex standing corps (Bundespolizei),DEU,,de;en,K9,no\n'
)


def write(tmp_path, text: str):
    path = tmp_path / "officers.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_then_export_round_trips_and_a_reimport_writes_nothing(store, tmp_path):
    report = import_officers(store, write(tmp_path, GOOD), user="Cdr. Galanis")
    assert (report.rows, report.created, report.updated) == (3, 3, 0)
    with store.read() as connection:
        officers = q.officer_index(connection)
        ops = q.counts(connection)["ops"]
    bg = officers["OFF-BG-02"]
    assert (bg.country, bg.languages, bg.available) == ("BGR", ("bg", "el", "en"), True)
    assert officers["OFF-DE-01"].name == "Becker, Jonas"
    assert officers["OFF-DE-01"].available is False
    assert officers["OFF-DE-01"].qualifications == ("k9",)

    out = io.StringIO()
    with store.read() as connection:
        assert export_officers(connection, out) == 3
    again = import_officers(store, write(tmp_path, out.getvalue()), user="Cdr. Galanis")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    with store.read() as connection:
        assert q.counts(connection)["ops"] == ops

    changed = out.getvalue().replace("Inspector,bg;el;en", "Chief Inspector,bg;el;en")
    assert import_officers(store, write(tmp_path, changed), user="x").updated == 1


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("OFF-X,Name,Agency,Greece,,el,,yes", "country", "'Greece' is not an ISO 3166 alpha-3"),
        ("OFF-X,Name,Agency,GRC,,greek,,yes", "languages", "'greek' is not an ISO 639-1"),
        ("OFF-X,Name,Agency,BGX,,bg,,yes", "country", "'BGX' is not an ISO 3166 alpha-3"),
        ("OFF-X,Name,Agency,GRC,,el;gre,,yes", "languages", "'gre' is not an ISO 639-1"),
        ("OFF-X,Name,Agency,GRC,,el,,maybe", "available", "'maybe' is not yes or no"),
        ("OFF-X,,Agency,GRC,,el,,yes", "name", "is required"),
        ("OFF-GR-01,Other,Agency,GRC,,el,,yes", "id", "already used by data row 1"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_row_and_field(
    store, tmp_path, row, field, message
):
    text = GOOD + row + "\n"
    with pytest.raises(ImportRowError) as caught:
        import_officers(store, write(tmp_path, text), user="x")
    assert caught.value.row == 4
    assert caught.value.field == field
    assert "data row 4 (file line 5" in str(caught.value)
    assert message in str(caught.value)
    with store.read() as connection:
        assert q.officers(connection) == []  # nothing of the three good rows was written


def test_an_unknown_or_missing_column_is_named(store, tmp_path):
    with pytest.raises(ImportRowError, match="unknown column 'langauges'"):
        import_officers(store, write(tmp_path, "id,name,agency,country,langauges\n"), user="x")
    with pytest.raises(ImportRowError, match="the column 'country' is missing"):
        import_officers(store, write(tmp_path, "id,name,agency\nA,B,C\n"), user="x")
