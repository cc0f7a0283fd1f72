"""pyqtgraph renderers of the geo models: the only part of ``maps`` that imports Qt.

Each renderer owns a few graphics items in one ``pg.ViewBox`` (never one item per object) and
is fed plain values; it holds no store and decides nothing about the data.
"""

import PySide6  # noqa: F401  -- pins pyqtgraph's Qt binding before any renderer imports it
