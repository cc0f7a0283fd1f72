"""The time strip's marks: redrawn on every live change, so they must stay cheap to draw."""

from __future__ import annotations

import numpy as np

from widgets.time_strip import TimeStrip


def _show(strip: TimeStrip, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    strip.show_marks(
        np.sort(rng.integers(0, 10**9, count)),
        np.array(["smuggling"] * count, dtype=object),
        rng.choice(["low", "medium", "high", "unknown"], count).astype(object),
        np.arange(count),
    )


def test_marks_share_one_brush_per_impact_however_often_they_are_redrawn(qtbot):
    """Regression: a new brush per mark made each one a new symbol in pyqtgraph's atlas, so
    every redraw of 3,000 marks took 250 ms on the GUI thread, and the atlas kept growing
    (seconds of stalls while a partner's catch-up arrived)."""
    strip = TimeStrip()
    qtbot.addWidget(strip)
    strip.resize(800, 200)
    strip.show()
    _show(strip, 2000, 1)
    first = {id(brush) for brush in strip.marks.data["brush"]}
    for seed in range(2, 6):
        _show(strip, 2000, seed)
    brushes = {id(brush) for brush in strip.marks.data["brush"]}
    assert len(brushes) <= 4  # low, medium, high and the fallback
    assert brushes == first  # the same brushes every time
    strip.repaint()
    atlas = strip.marks.fragmentAtlas
    assert len(atlas._coords) <= 4  # symbols drawn once, not once per mark and redraw
