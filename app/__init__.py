"""Limes core: domain values, the store with its op-log, settings and commands.

Nothing in this package imports Qt or pyqtgraph (enforced by import-linter and by
tests/unit/test_core_without_qt.py), so the same core runs in the window, on the command
line and in a headless node.
"""

__version__ = "0.1.0"
