"""Geo models for the border map: GeoJSON loading, projection, countries and border lines.

Nothing here imports Qt or pyqtgraph (import-linter enforces it); the pyqtgraph renderers that
draw these models live in :mod:`maps.render`.
"""
