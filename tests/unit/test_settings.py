"""Settings layers and the errors a person gets for a bad file or variable."""

from __future__ import annotations

import pytest

from app.errors import ConfigError
from app.settings import load_settings, user_config_file


def test_defaults_then_user_file_then_config_file_then_environment(tmp_path):
    user = user_config_file()
    user.parent.mkdir(parents=True)
    user.write_text('[node]\ncenter_id = "GR-ORE"\nname = "Orestiada"\n')
    extra = tmp_path / "extra.toml"
    extra.write_text('[node]\nname = "Orestiada JCC"\n[ui]\nrefresh_ms = 500\n')
    settings = load_settings(extra, environ={"LIMES_UI__REFRESH_MS": "300"})
    assert settings.node.center_id == "GR-ORE"
    assert settings.node.name == "Orestiada JCC"
    assert settings.ui.refresh_ms == 300


def test_database_defaults_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LIMES_DATA_DIR", str(tmp_path / "d"))
    assert load_settings().database_path == tmp_path / "d" / "limes.sqlite3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[node\ncenter_id=1", "not valid TOML"),
        ("[nodes]\nx = 1\n", "unknown section or key 'nodes'"),
        ("[node]\ncenterid = 'x'\n", "[node] has no key 'centerid'"),
        ("[ui]\nrefresh_ms = 'fast'\n", "key ui.refresh_ms"),
        ("[ui]\nrefresh_ms = 5\n", "ui.refresh_ms: between"),
        ("[store]\nsynchronous = 'SOMETIMES'\n", "store.synchronous"),
        ("[sync]\nmax_batch_ops = 0\n", "sync.max_batch_ops: at least 1"),
        ("[sync]\nmax_pending_batches = 0\n", "sync.max_pending_batches: at least 1"),
        ("[sync]\nmax_frames_per_s = 0\n", "sync.max_frames_per_s: at least 1"),
        ("[sync]\nmax_frame_mb = 0\n", "sync.max_frame_mb: at least 0.01"),
        ("[[partners]]\nid = 'P'\nname = 'p'\naddress = 'http://x'\n", "partners[0].address"),
    ],
)
def test_bad_config_file_names_file_key_and_problem(tmp_path, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert expected in str(error.value)
    if not any(word in expected for word in ("between", "synchronous", "partners", "at least")):
        assert str(path) in str(error.value)


def test_missing_and_non_utf8_files_are_named(tmp_path):
    with pytest.raises(ConfigError, match="no such settings file"):
        load_settings(tmp_path / "nope.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[node]\nname = "Orestiáda"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin\.toml"):
        load_settings(latin)


def test_bad_environment_variable_is_named():
    with pytest.raises(ConfigError, match="LIMES_NODE__COLOUR"):
        load_settings(environ={"LIMES_NODE__COLOUR": "red"})
