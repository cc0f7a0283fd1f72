"""The core runs with Qt made unimportable: every module of app/ and the geo models of maps/."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import importlib, pkgutil, sys
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6"):
            raise ImportError(f"Qt is not allowed in the core: {name}")
        return None
sys.meta_path.insert(0, NoQt())
import app, maps
names = []
for package in (app, maps):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name.startswith("maps.render") or ".migrations" in info.name:
            continue
        importlib.import_module(info.name)
        names.append(info.name)
print(len(names))
"""


def test_every_core_module_imports_without_qt():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    imported = int(result.stdout.strip())
    expected = sum(
        1
        for package in ("app", "maps")
        for info in pkgutil.walk_packages([str(ROOT / package)], package + ".")
        if not info.name.startswith("maps.render") and ".migrations" not in info.name
    )
    assert imported == expected >= 10
