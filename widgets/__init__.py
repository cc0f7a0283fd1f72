"""The Qt panels and the main window. Everything here runs on the GUI thread and only reads
the store; writes are submitted to the store's writer and come back through the change feed."""

import PySide6  # noqa: F401  (pin the binding before pyqtgraph picks one)
