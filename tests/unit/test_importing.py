"""Importing incidents: all or nothing, errors that name file/row/field, idempotent re-import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app.errors import ImportFailedError
from app.import_mapping import IOM_ATTRIBUTION
from app.importing import ImportRowError, import_file
from app.store import Change, Store

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
IOM_FILE = (
    Path(__file__).resolve().parents[2] / "resources/data/iom_mmp_greece_turkey_border_50km.csv"
)
HEADER = "id,time,lat,lon,category,description"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "limes.sqlite3", "GR-ORE", synchronous="OFF") as store:
        yield store


def op_count(store: Store) -> int:
    with store.read() as connection:
        return connection.execute(text("SELECT COUNT(*) FROM ops")).scalar_one()


def incident_rows(store: Store) -> dict[str, dict]:
    with store.read() as connection:
        rows = connection.execute(text("SELECT * FROM incidents WHERE deleted = 0"))
        return {row.id: dict(row._mapping) for row in rows}


def good_row(index: int) -> str:
    return (
        f"X-{index},2026-11-20T{index % 24:02d}:15:00Z,41.{index:03d},26.5,"
        f"unauthorised_crossing,Group seen near marker {index}"
    )


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_rows_become_incidents_owned_by_this_center(store: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            good_row(1),
            good_row(2),
            'X-3,2026-11-20T10:00:00+02:00,41.5,26.4,Smuggling of goods,"Lorry, hidden load"',
        ],
    )
    report = import_file(store, path, user="op1", now=NOW)
    assert (report.created, report.updated, report.unchanged, report.rows) == (3, 0, 0, 3)
    rows = incident_rows(store)
    assert set(rows) == {"X-1", "X-2", "X-3"}
    third = rows["X-3"]
    assert third["owner"] == third["originator"] == "GR-ORE"
    assert third["reported_by"] == "op1"
    assert third["category"] == "smuggling"  # the label was accepted
    assert third["occurred_at"] == int(datetime(2026, 11, 20, 8, 0, tzinfo=UTC).timestamp() * 1000)
    assert third["reported_at"] == int(NOW.timestamp() * 1000)
    assert json.loads(third["releasability"]) == ["*"]
    assert third["description"] == "Lorry, hidden load"
    assert (third["impact"], third["status"], third["confidence"]) == ("medium", "reported", "F6")


def test_bad_row_refuses_the_whole_file_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    import_file(store, write_csv(tmp_path / "first.csv", [good_row(100)]), now=NOW)
    before = op_count(store)
    rows = [good_row(i) for i in range(1, 21)]
    rows[16] = "X-17,2026-11-20T10:00:00Z,95.5,26.5,unauthorised_crossing,bad latitude"
    path = write_csv(tmp_path / "patrol_log.csv", rows)
    with pytest.raises(ImportFailedError) as caught:
        import_file(store, path, now=NOW)
    message = str(caught.value)
    assert "patrol_log.csv" in message
    assert "data row 17" in message
    assert "file line 18" in message
    assert "lat" in message
    assert "out of range" in message
    assert caught.value.row == 17
    assert caught.value.field == "lat"
    assert op_count(store) == before
    assert set(incident_rows(store)) == {"X-100"}


@pytest.mark.parametrize(
    ("cell_row", "field", "reason"),
    [
        ("X-1,2026-11-20T10:00:00Z,nan,26.5,smuggling,d", "lat", "not a finite number"),
        ("X-1,2026-11-20T10:00:00Z,41.5,inf,smuggling,d", "lon", "not a finite number"),
        ("X-1,2026-11-20T10:00:00Z,41.5,181,smuggling,d", "lon", "out of range"),
        ("X-1,2026-11-20 10:00:00,41.5,26.5,smuggling,d", "time", "no time zone"),
        ("X-1,2026-11-20,41.5,26.5,smuggling,d", "time", "no time zone"),
        ("X-1,yesterday,41.5,26.5,smuggling,d", "time", "not an ISO 8601 time"),
        ("X-1,2027-01-01T00:00:00Z,41.5,26.5,smuggling,d", "time", "in the future"),
        ("X-1,2026-11-20T10:00:00Z,41.5,26.5,aliens,d", "category", "unknown value"),
        ("X-1,2026-11-20T10:00:00Z,,26.5,smuggling,d", "lat", "required"),
        (",2026-11-20T10:00:00Z,41.5,26.5,smuggling,d", "id", "required"),
    ],
)
def test_bad_cells_are_named(
    store: Store, tmp_path: Path, cell_row: str, field: str, reason: str
) -> None:
    path = write_csv(tmp_path / "in.csv", [good_row(1), cell_row])
    with pytest.raises(ImportRowError) as caught:
        import_file(store, path, now=NOW)
    assert "data row 2 (file line 3" in str(caught.value)
    assert f": {field}: " in str(caught.value)
    assert reason in str(caught.value)
    assert op_count(store) == 0


def test_truncated_row(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [good_row(1), good_row(2), "X-3,2026-11-20T10:00:00Z,41"])
    with pytest.raises(ImportRowError, match=r"data row 3 .*has 3 cells but the header has 6"):
        import_file(store, path, now=NOW)
    assert op_count(store) == 0


def test_wrong_encoding_names_the_byte_offset(store: Store, tmp_path: Path) -> None:
    data = "\n".join([HEADER, good_row(1), good_row(2) + " Ormenio"]).encode("utf-8")
    data = data.replace(b"Ormenio", "Orménio".encode("latin-1"))
    path = tmp_path / "latin1.csv"
    path.write_bytes(data)
    with pytest.raises(ImportFailedError) as caught:
        import_file(store, path, now=NOW)
    offset = data.index(b"\xe9")
    assert f"byte offset {offset}" in str(caught.value)
    assert "line 3" in str(caught.value)
    assert "UTF-8" in str(caught.value)
    assert op_count(store) == 0


def test_missing_column_is_named(store: Store, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        ["X-1,2026-11-20T10:00:00Z,41.5,26.5,d"],
        header="id,time,lat,lon,description",
    )
    with pytest.raises(ImportFailedError, match=r"missing required column.*category"):
        import_file(store, path, now=NOW)


def test_empty_file_and_header_only(store: Store, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFailedError, match=r"empty\.csv: the file is empty"):
        import_file(store, empty, now=NOW)
    with pytest.raises(ImportFailedError, match="no data rows"):
        import_file(store, write_csv(tmp_path / "header.csv", []), now=NOW)
    assert op_count(store) == 0


def test_duplicate_id_names_both_rows(store: Store, tmp_path: Path) -> None:
    rows = [good_row(1), good_row(2), good_row(3), good_row(2).replace("marker", "post")]
    with pytest.raises(ImportRowError) as caught:
        import_file(store, write_csv(tmp_path / "dup.csv", rows), now=NOW)
    message = str(caught.value)
    assert "data row 4" in message
    assert "data row 2" in message
    assert "'X-2'" in message
    assert op_count(store) == 0


def test_reimport_writes_only_what_changed(store: Store, tmp_path: Path) -> None:
    header = HEADER + ",title,status"
    rows = [good_row(i) + f",Title {i},validated" for i in range(1, 6)]
    path = write_csv(tmp_path / "in.csv", rows, header=header)
    import_file(store, path, now=NOW)
    before = op_count(store)
    again = import_file(store, path, now=NOW.replace(hour=13))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert op_count(store) == before  # an unchanged re-import writes no op at all

    rows[2] = rows[2].replace("Title 3", "Title three")
    rows.append(good_row(6) + ",Title 6,reported")
    report = import_file(store, write_csv(tmp_path / "in.csv", rows, header=header), now=NOW)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 4)
    assert op_count(store) == before + 2
    with store.read() as connection:
        fields = connection.execute(
            text("SELECT fields FROM ops WHERE record_id = 'X-3' ORDER BY lsn DESC LIMIT 1")
        ).scalar()
    assert json.loads(fields) == {"title": "Title three"}


def test_reimport_keeps_changes_made_in_the_app(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [good_row(1)])  # no status column
    import_file(store, path, now=NOW)
    store.commit([Change("incident", "X-1", {"status": "validated"})], "op").result()
    report = import_file(store, path, now=NOW)
    assert report.unchanged == 1
    assert incident_rows(store)["X-1"]["status"] == "validated"


def test_import_may_not_change_a_partner_record(store: Store, tmp_path: Path) -> None:
    import_file(store, write_csv(tmp_path / "in.csv", [good_row(1)]), now=NOW)
    store.commit([Change("incident", "X-1", {"owner": "BG-SVL"})], "op").result()
    before = op_count(store)
    changed = good_row(1).replace("marker", "post")
    with pytest.raises(ImportRowError, match="owned by partner center BG-SVL"):
        import_file(store, write_csv(tmp_path / "in.csv", [good_row(2), changed]), now=NOW)
    assert op_count(store) == before


def test_progress_is_reported_every_5000_rows(store: Store, tmp_path: Path) -> None:
    rows = [f"P-{i},2026-11-20T10:00:00Z,41.5,26.5,smuggling,x" for i in range(12_001)]
    calls: list[tuple[int, float]] = []
    report = import_file(
        store,
        write_csv(tmp_path / "big.csv", rows),
        now=NOW,
        progress=lambda done, fraction: calls.append((done, fraction)),
    )
    assert report.created == 12_001
    assert [done for done, _ in calls] == [5_000, 10_000, 12_001]
    fractions = [fraction for _, fraction in calls]
    assert fractions == sorted(fractions)
    assert 0 < fractions[0] < 1
    assert fractions[-1] == 1.0


def feature(index: int, lat: float = 41.5, **props: object) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [26.5, lat]},
        "properties": {
            "id": f"G-{index}",
            "time": "2026-11-20T10:00:00Z",
            "category": "suspect_vehicle",
            "description": "van",
            **props,
        },
    }


def test_geojson_import_and_feature_index_in_errors(store: Store, tmp_path: Path) -> None:
    good = tmp_path / "good.geojson"
    good.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": [feature(0), feature(1, impact="high")]}
        )
    )
    assert import_file(store, good, now=NOW).created == 2
    assert incident_rows(store)["G-1"]["impact"] == "high"
    before = op_count(store)
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [feature(5), feature(6), feature(7, lat=123.0)],
            }
        )
    )
    with pytest.raises(ImportRowError) as caught:
        import_file(store, bad, now=NOW)
    assert "bad.geojson: features[2]" in str(caught.value)
    assert ": lat: " in str(caught.value)
    assert op_count(store) == before


def test_geojson_must_be_points(store: Store, tmp_path: Path) -> None:
    line = feature(0)
    line["geometry"] = {"type": "LineString", "coordinates": [[26, 41], [27, 42]]}
    path = tmp_path / "line.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature(1), line]}))
    with pytest.raises(ImportRowError, match=r"features\[1\].*geometry: is not a Point"):
        import_file(store, path, now=NOW)


def test_iom_records_are_humanitarian_incidents_with_credit(store: Store) -> None:
    report = import_file(store, IOM_FILE, now=NOW)
    assert (report.created, report.rows) == (186, 186)
    rows = incident_rows(store)
    assert len(rows) == 186
    assert all(key.startswith("IOM-") for key in rows)
    assert {row["category"] for row in rows.values()} == {"risk_to_life"}
    assert {row["status"] for row in rows.values()} == {"closed"}
    assert {row["impact"] for row in rows.values()} == {"high"}
    assert all(IOM_ATTRIBUTION in row["description"] for row in rows.values())
    first = rows["IOM-2015.MMP00065"]
    assert first["title"] == "2 dead — Uzgaç Village, Türkiye"
    assert (
        "Harsh environmental conditions / lack of adequate shelter, food, water"
        in first["description"]
    )
    assert "date known to the day" in first["description"].lower()
    assert "http://bit.ly/1MEQNmg" in first["description"]
    assert "Türkiye-Europe land route" in first["description"]
    drowning = rows["IOM-2015.MMP00449"]
    assert drowning["title"].startswith("1 dead, 5 missing — Enez district")

    before = op_count(store)
    again = import_file(store, IOM_FILE, now=NOW.replace(day=22))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 186)
    assert op_count(store) == before


def test_blank_rows_are_skipped_but_file_lines_still_count(store: Store, tmp_path: Path) -> None:
    rows = [good_row(1), "", ",,,,,", "X-2,2026-11-20T10:00:00Z,-91,26.5,smuggling,d"]
    with pytest.raises(ImportRowError) as caught:
        import_file(store, write_csv(tmp_path / "in.csv", rows), now=NOW)
    assert "data row 2 (file line 5, counting the header as line 1)" in str(caught.value)
    rows[3] = good_row(2)
    assert import_file(store, write_csv(tmp_path / "in.csv", rows), now=NOW).created == 2


def test_quoted_multiline_cells_keep_the_row_start_line(store: Store, tmp_path: Path) -> None:
    rows = [
        good_row(1).replace("Group seen near marker 1", '"Group\nseen, near marker 1"'),
        "X-2,2026-11-20T10:00:00Z,41.5,26.5,nonsense,d",
    ]
    with pytest.raises(ImportRowError, match=r"data row 2 \(file line 4,"):
        import_file(store, write_csv(tmp_path / "in.csv", rows), now=NOW)
    assert import_file(store, write_csv(tmp_path / "ok.csv", rows[:1]), now=NOW).created == 1
    assert incident_rows(store)["X-1"]["description"] == "Group\nseen, near marker 1"


def test_malformed_csv_is_refused(store: Store, tmp_path: Path) -> None:
    rows = [good_row(1), 'X-2,2026-11-20T10:00:00Z,41.5,26.5,smuggling,"open" quote']
    with pytest.raises(ImportRowError, match=r"file line 3: malformed CSV"):
        import_file(store, write_csv(tmp_path / "in.csv", rows), now=NOW)
