"""Every file a person can hand Limes, broken every way we could think of: incidents (CSV and
GeoJSON) and officers (CSV). Each is refused with a message that names the file and the
place in it, and the database is exactly as it was: same digest, same counts, same ops."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import import_readers
from app.errors import LimesError
from app.importing import import_file
from app.roster_csv import import_officers
from app.store import Change, Store
from app.store import queries as q
from app.store.digest import picture_digest
from tests.factories import incident_fields

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
HEADER = "id,time,lat,lon,category,description"
ROW = "X-{n},2026-11-20T10:15:00Z,41.5,26.5,unauthorised_crossing,Group near marker {n}"
ROSTER_HEADER = "id,name,agency,country,rank,languages,qualifications,available"
ROSTER_ROW = "OFF-{n},Νίκος Παπαδόπουλος,Hellenic Police,GRC,Sergeant,el;en,driver,yes"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Iterator[Store]:
    """A store holding a few incidents and officers, shared by the module: every case must
    leave it exactly as it found it."""
    folder = tmp_path_factory.mktemp("bad-input")
    with Store(folder / "limes.sqlite3", "GR-ORE", synchronous="OFF") as opened:
        changes = [
            Change("incident", f"HELD-{n}", incident_fields("GR-ORE", title=f"held {n}"))
            for n in range(3)
        ]
        opened.commit(changes, "seed").result()
        seed = opened.path.parent / "seed.csv"
        seed.write_text("\n".join([ROSTER_HEADER, ROSTER_ROW.format(n=1)]) + "\n")
        import_officers(opened, seed, user="seed")
        yield opened


def snapshot(store: Store) -> tuple[str, dict[str, int]]:
    with store.read() as connection:
        return picture_digest(connection), q.counts(connection)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def feature(properties: dict, coordinates=(26.5, 41.5), **extra) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(coordinates)},
        "properties": properties,
        **extra,
    }


def collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


GOOD_PROPERTIES = {
    "id": "G-1",
    "time": "2026-11-20T10:15:00Z",
    "category": "smuggling",
    "description": "x",
}

# name, file name, content, the words the message must hold (file and place)
INCIDENT_CASES: list[tuple[str, str, bytes | Callable[[Path], None], list[str]]] = [
    ("empty", "in.csv", b"", ["in.csv", "empty"]),
    ("header only", "in.csv", csv_bytes(), ["in.csv", "no data rows"]),
    (
        "truncated mid-row",
        "in.csv",
        csv_bytes(ROW.format(n=1)) + b"X-2,2026-11-20T10:15:00Z,41.",
        ["in.csv", "data row 2 (file line 3", "too few cells; is the row truncated?"],
    ),
    (
        "truncated inside a quoted cell",
        "in.csv",
        csv_bytes(ROW.format(n=1)) + b'X-2,2026-11-20T10:15:00Z,41.5,26.5,smuggling,"cut',
        ["in.csv", "file line 3", "malformed CSV"],
    ),
    (
        "UTF-16",
        "in.csv",
        (HEADER + "\n" + ROW.format(n=1) + "\n").encode("utf-16"),
        ["in.csv", "line 1", "NUL byte", "UTF-16", "CSV UTF-8"],
    ),
    (
        "Latin-1 with a non-ASCII description",
        "in.csv",
        (HEADER + "\n" + ROW.format(n=1).replace("Group", "Grüppe") + "\n").encode("latin-1"),
        ["in.csv", "line 2 (byte offset", "not UTF-8", "0xfc"],
    ),
    ("binary garbage", "in.csv", bytes(range(256)) * 64, ["in.csv", "line 1", "NUL byte"]),
    (
        "a NUL inside a row",
        "in.csv",
        csv_bytes(ROW.format(n=1) + "\x00"),
        ["in.csv", "line 2", "NUL byte"],
    ),
    (
        "50 MB without a line break",
        "in.csv",
        lambda path: path.write_bytes(b"id," + b"x" * 50_000_000),
        ["in.csv", "line 1", "longer than 1 MiB"],
    ),
    (
        "a cell over the CSV field limit",
        "in.csv",
        csv_bytes("X-1,2026-11-20T10:15:00Z," + "4" * 200_000 + ",26.5,smuggling,x"),
        ["in.csv", "file line 2", "field larger than field limit"],
    ),
    (
        "a description of 100,000 characters",
        "in.csv",
        csv_bytes("X-1,2026-11-20T10:15:00Z,41.5,26.5,smuggling," + "x" * 100_000),
        ["in.csv", "data row 1", "description: is 100000 characters long (at most 20000)"],
    ),
    (
        "a time of 100,000 digits (the message stays short)",
        "in.csv",
        csv_bytes("X-1," + "9" * 100_000 + ",41.5,26.5,smuggling,x"),
        ["in.csv", "data row 1", "time:", "characters left out", "is not an ISO 8601 time"],
    ),
    (
        "NaN latitude",
        "in.csv",
        csv_bytes("X-1,2026-11-20T10:15:00Z,nan,26.5,smuggling,x"),
        ["in.csv", "data row 1", "lat: 'nan' is not a finite number"],
    ),
    (
        "infinite longitude",
        "in.csv",
        csv_bytes("X-1,2026-11-20T10:15:00Z,41.5,-inf,smuggling,x"),
        ["data row 1", "lon: '-inf' is not a finite number"],
    ),
    (
        "latitude out of range",
        "in.csv",
        csv_bytes(ROW.format(n=1), "X-2,2026-11-20T10:15:00Z,95.5,26.5,smuggling,x"),
        ["in.csv", "data row 2 (file line 3", "lat: latitude 95.5 is out of range (-90 to 90)"],
    ),
    (
        "a time before 1900",
        "in.csv",
        csv_bytes("X-1,0001-01-01T00:00:00Z,41.5,26.5,smuggling,x"),
        ["data row 1", "time:", "out of range (1900-2200)"],
    ),
    (
        "a time without a zone",
        "in.csv",
        csv_bytes("X-1,2026-11-20T10:15:00,41.5,26.5,smuggling,x"),
        ["data row 1", "time:", "no time zone"],
    ),
    (
        "duplicate ids",
        "in.csv",
        csv_bytes(ROW.format(n=1), ROW.format(n=2), ROW.format(n=1)),
        ["in.csv", "data row 3", "id: 'X-1' is already used by data row 1"],
    ),
    (
        "an id with a control character",
        "in.csv",
        csv_bytes("X-1\x07,2026-11-20T10:15:00Z,41.5,26.5,smuggling,x"),
        ["data row 1", "id:", "control characters"],
    ),
    (
        "an unknown category",
        "in.csv",
        csv_bytes("X-1,2026-11-20T10:15:00Z,41.5,26.5,=cmd|' /C calc'!A0,x"),
        ["data row 1", "category:"],
    ),
    (
        "a missing column",
        "in.csv",
        csv_bytes("X-1,2026-11-20T10:15:00Z,41.5,26.5,x", header="id,time,lat,lon,description"),
        ["in.csv", "line 1", "missing required column(s) category"],
    ),
    (
        "a column twice",
        "in.csv",
        csv_bytes(header=HEADER + ",lat"),
        ["in.csv", "line 1", "column 'lat' appears twice"],
    ),
    ("GeoJSON empty", "in.geojson", b"", ["in.geojson", "empty"]),
    (
        "GeoJSON truncated mid-JSON",
        "in.geojson",
        collection(feature(GOOD_PROPERTIES))[:-30],
        ["in.geojson", "line 1, column", "not valid JSON"],
    ),
    (
        "GeoJSON nested 100,000 deep",
        "in.geojson",
        b"[" * 100_000 + b"]" * 100_000,
        ["in.geojson", "nested too deeply"],
    ),
    (
        "GeoJSON in UTF-16",
        "in.geojson",
        collection(feature(GOOD_PROPERTIES)).decode().encode("utf-16"),
        ["in.geojson", "not UTF-8"],
    ),
    (
        "GeoJSON larger than 64 MiB",
        "in.geojson",
        lambda path: path.open("wb").truncate(65 * 1024 * 1024),
        ["in.geojson", "65 MiB", "at most 64 MiB"],
    ),
    (
        "GeoJSON NaN coordinate",
        "in.geojson",
        collection(feature(GOOD_PROPERTIES)).replace(b"26.5", b"NaN"),
        ["in.geojson", "features[0]", "lon: 'nan' is not a finite number"],
    ),
    (
        "GeoJSON coordinate 1e400",
        "in.geojson",
        collection(feature(GOOD_PROPERTIES)).replace(b"41.5", b"1e400"),
        ["features[0]", "lat: 'inf' is not a finite number"],
    ),
    (
        "GeoJSON not a point",
        "in.geojson",
        collection(
            feature(GOOD_PROPERTIES),
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
                "properties": {**GOOD_PROPERTIES, "id": "G-2"},
            },
        ),
        ["in.geojson", "features[1]", "geometry: is not a Point"],
    ),
    (
        "GeoJSON feature id that is an object",
        "in.geojson",
        collection(feature({**GOOD_PROPERTIES, "id": None}, id={"x": 1})),
        ["features[0]", "id: the feature id must be a string or a number"],
    ),
    (
        "GeoJSON 'ID' and 'id'",
        "in.geojson",
        collection(feature({**GOOD_PROPERTIES, "ID": "G-9"})),
        ["features[0]", "is given twice"],
    ),
    (
        "GeoJSON duplicate ids",
        "in.geojson",
        collection(feature(GOOD_PROPERTIES), feature(GOOD_PROPERTIES)),
        ["features[1]", "id: 'G-1' is already used by features[0]"],
    ),
]


def _write(path: Path, content: bytes | Callable[[Path], None]) -> None:
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)


@pytest.mark.parametrize(
    ("file_name", "content", "expected"),
    [case[1:] for case in INCIDENT_CASES],
    ids=[case[0] for case in INCIDENT_CASES],
)
def test_a_bad_incident_file_is_refused_with_its_place_and_writes_nothing(
    store, tmp_path, file_name, content, expected
):
    path = tmp_path / file_name
    _write(path, content)
    before = snapshot(store)
    with pytest.raises(LimesError) as refused:
        import_file(store, path, now=NOW)
    message = str(refused.value)
    for words in expected:
        assert words in message, message
    assert len(message) < 1_000, message
    assert snapshot(store) == before


def test_more_rows_than_one_import_takes_are_refused_before_memory_runs_out(
    store, tmp_path, monkeypatch
):
    monkeypatch.setattr(import_readers, "MAX_ROWS", 50)
    path = tmp_path / "many.csv"
    path.write_bytes(csv_bytes(*(ROW.format(n=n) for n in range(60))))
    before = snapshot(store)
    with pytest.raises(LimesError, match=r"many.csv: file line 52: the file has more than 50 rows"):
        import_file(store, path, now=NOW)
    geojson = tmp_path / "many.geojson"
    geojson.write_bytes(
        collection(*(feature({**GOOD_PROPERTIES, "id": f"G-{n}"}) for n in range(60)))
    )
    with pytest.raises(LimesError, match=r"many.geojson: features\[50\]: the file has more"):
        import_file(store, geojson, now=NOW)
    assert snapshot(store) == before


def test_a_bom_is_not_an_error(store, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        codecs.BOM_UTF8 + csv_bytes("BOM-1,2026-11-20T10:15:00Z,41.5,26.5,smuggling,x")
    )
    assert import_file(store, path, now=NOW).created == 1


ROSTER_CASES: list[tuple[str, bytes, list[str]]] = [
    ("empty", b"", ["officers.csv", "empty"]),
    ("header only", csv_bytes(header=ROSTER_HEADER), ["officers.csv", "no officers"]),
    (
        "truncated mid-row",
        csv_bytes(ROSTER_ROW.format(n=2), header=ROSTER_HEADER) + b"OFF-3,Ana,Poli",
        ["officers.csv", "data row 2 (file line 3", "too few cells"],
    ),
    (
        "UTF-16",
        (ROSTER_HEADER + "\n" + ROSTER_ROW.format(n=2) + "\n").encode("utf-16"),
        ["officers.csv", "line 1", "NUL byte"],
    ),
    (
        "Latin-1 names",
        (ROSTER_HEADER + "\nOFF-2,José Müller,Policía,ESP,,es,,yes\n").encode("latin-1"),
        ["officers.csv", "line 2 (byte offset", "not UTF-8"],
    ),
    ("binary garbage", bytes(range(256)) * 64, ["officers.csv", "NUL byte"]),
    (
        "a name of 100,000 characters",
        csv_bytes(f"OFF-2,{'N' * 100_000},Police,GRC,,el,,yes", header=ROSTER_HEADER),
        ["officers.csv", "data row 1", "name: is 100000 characters long"],
    ),
    (
        "a country that is not ISO alpha-3",
        csv_bytes("OFF-2,Ana,Police,Greece,,el,,yes", header=ROSTER_HEADER),
        ["data row 1", "country: 'Greece' is not an ISO 3166 alpha-3 code"],
    ),
    (
        "available neither yes nor no",
        csv_bytes("OFF-2,Ana,Police,GRC,,el,,maybe", header=ROSTER_HEADER),
        ["data row 1", "available: 'maybe' is not yes or no"],
    ),
    (
        "duplicate ids",
        csv_bytes(ROSTER_ROW.format(n=2), ROSTER_ROW.format(n=2), header=ROSTER_HEADER),
        ["data row 2", "id: 'OFF-2' is already used by data row 1"],
    ),
    (
        "an unknown column",
        csv_bytes("OFF-2,Ana", header="id,name,password"),
        ["officers.csv", "line 1", "unknown column 'password'"],
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"),
    [case[1:] for case in ROSTER_CASES],
    ids=[case[0] for case in ROSTER_CASES],
)
def test_a_bad_roster_file_is_refused_with_its_place_and_writes_nothing(
    store, tmp_path, content, expected
):
    path = tmp_path / "officers.csv"
    path.write_bytes(content)
    before = snapshot(store)
    with pytest.raises(LimesError) as refused:
        import_officers(store, path, user="cdr")
    for words in expected:
        assert words in str(refused.value), str(refused.value)
    assert snapshot(store) == before


# -- Hypothesis: good files, damaged at random -------------------------------------------------

GOOD_CSV = csv_bytes(*(ROW.format(n=n) for n in range(1, 6)))
GOOD_GEOJSON = collection(*(feature({**GOOD_PROPERTIES, "id": f"G-{n}"}) for n in range(1, 6)))
GOOD_ROSTER = csv_bytes(*(ROSTER_ROW.format(n=n) for n in range(2, 7)), header=ROSTER_HEADER)


@st.composite
def damaged(draw, good: bytes) -> bytes:
    """``good`` cut short, with bytes flipped, spliced in, or re-encoded."""
    data = bytearray(good)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["cut", "flip", "insert", "encode"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if how == "cut":
            del data[at:]
        elif how == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [b'"', b",", b"\n", b"\r", b"\x00", b"\xff\xfe", b"NaN", b"1e999", b"-", b"{"]
                )
                | st.binary(max_size=12)
            )
        elif how == "encode":
            codec = draw(st.sampled_from(["utf-16", "utf-16-le", "latin-1", "cp1253"]))
            data = bytearray(bytes(data).decode("utf-8", "replace").encode(codec, "replace"))
    return bytes(data)


FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize(
    ("file_name", "good", "load"),
    [
        ("in.csv", GOOD_CSV, lambda store, path: import_file(store, path, now=NOW)),
        ("in.geojson", GOOD_GEOJSON, lambda store, path: import_file(store, path, now=NOW)),
        ("officers.csv", GOOD_ROSTER, lambda store, path: import_officers(store, path, user="x")),
    ],
    ids=["incidents CSV", "incidents GeoJSON", "roster CSV"],
)
def test_a_damaged_file_is_imported_whole_or_refused_by_name(
    store, tmp_path, file_name, good, load
):
    path = tmp_path / file_name

    @FUZZ
    @given(data=damaged(good))
    def attempt(data: bytes) -> None:
        path.write_bytes(data)
        before = snapshot(store)
        refusal = ""
        try:
            load(store, path)
        except LimesError as error:  # anything else would be a traceback for the user
            refusal = str(error)
        if refusal:
            assert file_name in refusal
            assert len(refusal) < 1_000
            assert snapshot(store) == before

    attempt()
