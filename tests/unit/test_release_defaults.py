"""The originator decides who receives its records: per category in settings, per record in
an import file."""

from __future__ import annotations

import json

import pytest

from app.errors import ConfigError
from app.importing import import_file
from app.settings import load_settings


def test_release_lists_by_category_and_per_record(store, tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('[releases]\ntrafficking = ["BG-SVL"]\ndocument_fraud = []\n')
    settings = load_settings(config)
    source = tmp_path / "in.csv"
    source.write_text(
        "id,time,lat,lon,category,description,releasability\n"
        "T-1,2026-11-20T10:00:00Z,41.5,26.3,trafficking,Minors with an unrelated adult,\n"
        "D-1,2026-11-20T10:05:00Z,41.5,26.3,document_fraud,Forged permit,\n"
        "S-1,2026-11-20T10:10:00Z,41.5,26.3,smuggling,Cigarettes,\n"
        "S-2,2026-11-20T10:15:00Z,41.5,26.3,smuggling,Cigarettes,BG-SVL;TR-EDR\n"
    )
    import_file(store, source, release_by_category=settings.releases)
    with store.read() as connection:
        rows = connection.exec_driver_sql("SELECT id, releasability FROM incidents").fetchall()
        held = {record_id: release for record_id, release in rows}
    assert json.loads(held["T-1"]) == ["BG-SVL"]
    assert json.loads(held["D-1"]) == []
    assert json.loads(held["S-1"]) == ["*"]
    assert json.loads(held["S-2"]) == ["BG-SVL", "TR-EDR"]


def test_a_release_for_an_unknown_category_is_named(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('[releases]\nsmuggeling = ["BG-SVL"]\n')
    with pytest.raises(ConfigError, match="'smuggeling' is not a category"):
        load_settings(config)
