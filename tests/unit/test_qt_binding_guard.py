"""Guard: the installed PySide6 must not have the 6.12.0-on-Python-3.11 None refcount defect.

On the defective pair every void-returning Qt call lowers the reference count of None and the
interpreter aborts after a few thousand calls ("deallocating None"). Run in a subprocess so a
defective pair fails this test instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject
obj = QObject()
before = sys.getrefcount(None)
for _ in range(20000):
    obj.setObjectName("limes")  # returns void
after = sys.getrefcount(None)
print(before - after)
"""


def test_void_qt_calls_do_not_leak_references_to_none():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"interpreter died: {result.stderr[-500:]}"
    lost = int(result.stdout.strip())
    assert lost < 1000, f"{lost} references to None lost in 20,000 void Qt calls"
