"""The command line as a user runs it: real processes, real database files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def limes(*args: str, env_extra: dict[str, str] | None = None, timeout: float = 120):
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


def op_count(database: Path) -> int:
    with sqlite3.connect(database) as raw:
        return raw.execute("SELECT COUNT(*) FROM ops").fetchone()[0]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "center.sqlite3"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


GOOD = (
    "id,time,lat,lon,category,description\n"
    "A-1,2026-11-20T10:00:00Z,41.70,26.35,unauthorised_crossing,Group of 12 near Kastanies\n"
    "A-2,2026-11-20T11:30:00Z,41.50,26.50,smuggling,Cigarettes in a truck\n"
)


def test_import_then_digest_then_export(database, tmp_path):
    source = write(tmp_path / "incidents.csv", GOOD)
    result = limes("import", str(source), "--database", str(database))
    assert result.returncode == 0, result.stderr
    assert "2 new" in result.stdout

    digest = limes("digest", "--database", str(database))
    assert digest.returncode == 0, digest.stderr
    report = json.loads(digest.stdout)
    assert report["counts"]["incidents"] == 2
    assert len(report["digest"]) == 64

    out = tmp_path / "out.geojson"
    exported = limes(
        "export", "--format", "geojson", "--output", str(out), "--database", str(database)
    )
    assert exported.returncode == 0, exported.stderr
    features = json.loads(out.read_text())["features"]
    assert sorted(f["properties"]["id"] for f in features) == ["A-1", "A-2"]
    assert not out.with_name(out.name + ".partial").exists()

    again = limes("import", str(source), "--database", str(database))
    assert again.returncode == 0
    assert "2 unchanged" in again.stdout
    assert (
        json.loads(limes("digest", "--database", str(database)).stdout)["digest"]
        == report["digest"]
    )


def test_broken_csv_is_refused_with_its_row_and_nothing_is_written(database, tmp_path):
    limes("import", str(write(tmp_path / "ok.csv", GOOD)), "--database", str(database))
    before = op_count(database)
    broken = write(
        tmp_path / "broken.csv",
        GOOD.replace("A-1", "B-1").replace("A-2", "B-2")
        + "B-3,2026-11-20T12:00:00Z,141.0,26.1,smuggling,Bad latitude\n",
    )
    result = limes("import", str(broken), "--database", str(database))
    assert result.returncode == 2
    assert "broken.csv" in result.stderr
    assert "row 3" in result.stderr
    assert "lat" in result.stderr
    assert "Traceback" not in result.stderr
    assert op_count(database) == before


def test_bad_config_names_file_and_key(tmp_path):
    config = write(tmp_path / "site.toml", "[ui]\nrefresh_ms = 'soon'\n")
    result = limes("digest", "--config", str(config))
    assert result.returncode == 2
    assert "site.toml" in result.stderr
    assert "ui.refresh_ms" in result.stderr


def test_database_from_a_newer_limes_is_refused(database, tmp_path):
    limes("import", str(write(tmp_path / "ok.csv", GOOD)), "--database", str(database))
    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    result = limes("digest", "--database", str(database))
    assert result.returncode == 2
    assert "newer Limes" in result.stderr


def test_help_documents_every_command():
    result = limes("--help")
    assert result.returncode == 0
    for word in ("--demo", "--snapshot", "import", "export", "digest", "--config"):
        assert word in result.stdout


def test_demo_snapshot_writes_a_png_of_the_window(tmp_path):
    target = tmp_path / "window.png"
    result = limes("--demo", "--snapshot", str(target), timeout=180)
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(target))
    assert image.width() >= 1200
    assert image.height() >= 800
    # the map is drawn: many distinct colours, not an empty grey window
    sample = {
        image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 23)
    }
    assert len(sample) > 40


def test_roster_import_refuses_a_bad_row_then_imports_and_exports(database, tmp_path):
    header = "id,name,agency,country,rank,languages,qualifications,available\n"
    good = "OFF-GR-01,Dimitris Karalis,Hellenic Police,GRC,Sergeant,el;en,driver,yes\n"
    bad = write(tmp_path / "bad.csv", header + good + "OFF-2,Eleni,Hellenic Police,XX,,el,,yes\n")
    result = limes("roster", "import", str(bad), "--database", str(database))
    assert result.returncode == 2
    assert "data row 2" in result.stderr
    assert "country" in result.stderr
    assert op_count(database) == 0

    result = limes(
        "roster",
        "import",
        str(write(tmp_path / "ok.csv", header + good)),
        "--database",
        str(database),
    )
    assert result.returncode == 0, result.stderr
    assert "1 new" in result.stdout
    out = tmp_path / "out.csv"
    result = limes("roster", "export", str(out), "--database", str(database))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == header + good
