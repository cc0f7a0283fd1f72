"""Every test runs away from the user's own settings and data, and Qt runs offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LIMES_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("LIMES_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in list(os.environ):
        if name.startswith("LIMES_") and "__" in name:
            monkeypatch.delenv(name)
    return home


@pytest.fixture
def store(tmp_path):
    from app.store import Store

    with Store(tmp_path / "limes.sqlite3", "GR-ORE") as opened:
        yield opened
