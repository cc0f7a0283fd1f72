"""Bad input through the real command line: `limes` says what is wrong and where, in one line,
exits with status 2 (no traceback), and the database file is exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.integration.test_cli import GOOD, limes, write


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    database = tmp_path / "center.sqlite3"
    result = limes("import", str(write(tmp_path / "good.csv", GOOD)), "--database", str(database))
    assert result.returncode == 0, result.stderr
    return database


CASES = [
    (
        ["import"],
        "deep.geojson",
        b"[" * 100_000 + b"]" * 100_000,
        "deep.geojson: not GeoJSON (arrays or objects nested too deeply to read)",
    ),
    (
        ["import"],
        "unicode.csv",
        (GOOD.replace("Kastanies", "Καστανιές")).encode("utf-16"),
        "unicode.csv: line 1 (byte offset 3): the file holds a NUL byte",
    ),
    (
        ["import"],
        "cut.csv",
        GOOD.encode()[:-40],
        "cut.csv: data row 2 (file line 3, counting the header as line 1): has 3 cells but the header has 6 (too few cells; is the row truncated?)",
    ),
    (
        ["roster", "import"],
        "officers.csv",
        "id,name,agency,country\nO-1,José Müller,Policía,ESP\n".encode("latin-1"),
        "officers.csv: line 2 (byte offset 30): the file is not UTF-8 text",
    ),
]


@pytest.mark.parametrize(
    ("command", "name", "content", "expected"), CASES, ids=[case[1] for case in CASES]
)
def test_a_bad_file_is_one_clear_line_and_the_database_is_untouched(
    database, tmp_path, command, name, content, expected
):
    path = tmp_path / name
    path.write_bytes(content)
    before = _file_digest(database)
    result = limes(*command, str(path), "--database", str(database))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    assert _file_digest(database) == before


def test_a_bad_settings_file_stops_every_command_with_file_and_key(tmp_path):
    config = write(tmp_path / "limes.toml", '[map]\ncrs = "EPSG:999999"\n')
    result = limes("digest", "--config", str(config), "--database", str(tmp_path / "x.sqlite3"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"settings: {config}: key map.crs: 'EPSG:999999' is not a coordinate" in result.stderr


def test_a_node_with_missing_certificate_files_names_them(tmp_path):
    config = write(
        tmp_path / "limes.toml",
        '[node]\ncenter_id = "GR-ORE"\nname = "x"\n'
        f'[store]\npath = "{tmp_path / "n.sqlite3"}"\n'
        '[sync]\nlisten = "127.0.0.1:8"\n'
        f'certificate = "{tmp_path / "nowhere.pem"}"\nkey = "{tmp_path / "nowhere.key"}"\n'
        '[[partners]]\nid = "BG-SVL"\nname = "Svilengrad"\ncredential_ref = "plain:s"\n',
    )
    result = limes("node", "--config", str(config), timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"sync.certificate {tmp_path / 'nowhere.pem'}" in result.stderr
    assert "No such file or directory" in result.stderr


def test_a_node_whose_partner_secret_is_missing_names_the_partner(tmp_path):
    config = write(
        tmp_path / "limes.toml",
        '[node]\ncenter_id = "GR-ORE"\nname = "x"\n'
        f'[store]\npath = "{tmp_path / "n.sqlite3"}"\n'
        "[sync]\nallow_plain = true\n"
        '[[partners]]\nid = "BG-SVL"\nname = "Svilengrad"\naddress = "ws://127.0.0.1:9"\n'
        'credential_ref = "env:LIMES_TEST_NO_SUCH_SECRET"\n',
    )
    result = limes("node", "--config", str(config), timeout=60)
    assert result.returncode == 2
    assert (
        "partner BG-SVL: credential_ref 'env:LIMES_TEST_NO_SUCH_SECRET': environment variable "
        "LIMES_TEST_NO_SUCH_SECRET is not set"
    ) in result.stderr
