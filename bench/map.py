"""The map at 100,000 incidents with the Natural Earth 10m borders, next to raw pyqtgraph.

    python bench/map.py [--incidents 100000] [--pans 20]

Printed, each next to a raw baseline measured in the same run and the ratio (target: within
1.5x of raw):
- time to first paint: building the view, giving it the data, and painting it once;
- repaint after a pan (median of --pans pans of a tenth of the view);
- zoom from the whole of Greece down to one sector (Kastanies) in --zooms steps: the median
  and the slowest repaint of a step (what an operator sees as lag while zooming in);
- jurisdiction (country, sector, km to the border, side) for all incidents, next to the bare
  shapely STRtree nearest-segment query it is built on.

Raw pyqtgraph draws the same points (ONE scatter item, one shared brush, the same per-point
sizes) and the same border vertices (ONE NaN-separated curve) in a plain PlotWidget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import PySide6  # noqa: E402, F401  -- pin the binding before pyqtgraph

# isort: split
import pyqtgraph as pg  # noqa: E402
import shapely  # noqa: E402

from app.values import Category, ImpactLevel  # noqa: E402
from maps.geography import (  # noqa: E402
    border_paths,
    default_resources,
    lines_to_nan_xy,
    load_border_lines,
    load_countries,
)
from maps.incident_layer import DEFAULT_SIZE, IMPACT_SIZES  # noqa: E402
from maps.jurisdiction import Jurisdiction  # noqa: E402
from maps.projection import Projection  # noqa: E402

EVROS = (25.6, 40.6, 27.4, 42.3)
GREECE = (19.3, 34.8, 29.7, 41.8)
ONE_SECTOR = (26.30, 41.55, 26.62, 41.75)  # Evros-1 Kastanies
SIZE = (1400, 900)


def incidents(count: int, seed: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "ids": np.array([f"inc-{k}" for k in range(count)], dtype=object),
        "lon": rng.uniform(EVROS[0], EVROS[2], count),
        "lat": rng.uniform(EVROS[1], EVROS[3], count),
        "categories": rng.choice([c.value for c in Category], count),
        "impacts": rng.choice(["low", "medium", "high"], count),
        "statuses": rng.choice(["reported", "validated", "responding", "closed"], count),
    }


def paint(widget) -> float:
    started = time.perf_counter()
    widget.viewport().repaint()
    return time.perf_counter() - started


def settle(ms: int = 600) -> None:
    """Let the event loop run a moment, as between an operator's gestures (a view's own
    timers, such as re-clipping the land to the view, fire then)."""
    app = pg.mkQApp()
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def pan_repaints(widget, view: pg.ViewBox, pans: int) -> float:
    settle()
    times = []
    for step in range(pans):
        (x0, x1), (y0, y1) = view.viewRange()
        dx = (x1 - x0) * 0.1 * (1 if step % 4 < 2 else -1)
        view.setRange(xRange=(x0 + dx, x1 + dx), yRange=(y0, y1), padding=0)
        times.append(paint(widget))
    return statistics.median(times)


def zoom_repaints(widget, view: pg.ViewBox, projection, steps: int) -> tuple[float, float]:
    """Median and slowest repaint while zooming from GREECE to ONE_SECTOR in ``steps``."""
    (gx0, gx1), (gy0, gy1) = (
        projection.forward([GREECE[0], GREECE[2]], [GREECE[1], GREECE[3]])
    )  # fmt: skip
    (sx0, sx1), (sy0, sy1) = projection.forward(
        [ONE_SECTOR[0], ONE_SECTOR[2]], [ONE_SECTOR[1], ONE_SECTOR[3]]
    )
    times = []
    for step in range(steps + 1):
        f = step / steps
        # geometric: every step zooms in by the same factor
        width = (gx1 - gx0) * ((sx1 - sx0) / (gx1 - gx0)) ** f
        height = (gy1 - gy0) * ((sy1 - sy0) / (gy1 - gy0)) ** f
        cx = (gx0 + gx1) / 2 + ((sx0 + sx1) / 2 - (gx0 + gx1) / 2) * f
        cy = (gy0 + gy1) / 2 + ((sy0 + sy1) / 2 - (gy0 + gy1) / 2) * f
        view.setRange(
            xRange=(cx - width / 2, cx + width / 2), yRange=(cy - height / 2, cy + height / 2),
            padding=0,
        )  # fmt: skip
        times.append(paint(widget))
    return statistics.median(times), max(times)


def fit(view: pg.ViewBox, projection) -> None:
    x, y = projection.forward([EVROS[0], EVROS[2]], [EVROS[1], EVROS[3]])
    view.setRange(xRange=tuple(x), yRange=tuple(y), padding=0)


def ours(app, data, countries, world, highlighted, pans: int, zooms: int) -> tuple:
    from widgets.map_view import MapView

    started = time.perf_counter()
    view = MapView()
    view.resize(*SIZE)
    view.set_countries(countries)
    view.set_borders(world, highlighted)
    view.set_incidents(**data)
    fit(view.view, view.projection)
    view.show()
    app.processEvents()
    paint(view)
    first = time.perf_counter() - started
    repaint = pan_repaints(view, view.view, pans)
    drawn = len(view.borders.world_curve.getData()[0])
    zoom_median, zoom_worst = zoom_repaints(view, view.view, view.projection, zooms)
    view.close()
    return first, repaint, zoom_median, zoom_worst, drawn


def raw(app, data, world, highlighted, pans: int, zooms: int) -> tuple:
    projection = Projection()
    started = time.perf_counter()
    widget = pg.PlotWidget()
    widget.resize(*SIZE)
    plot = widget.getPlotItem()
    for axis in ("left", "bottom"):
        plot.hideAxis(axis)
    view = plot.getViewBox()
    view.setAspectLocked(True)
    x, y = lines_to_nan_xy(border_paths([*world, *highlighted]), projection)
    view.addItem(pg.PlotCurveItem(x, y, pen=pg.mkPen("#555", width=1), connect="finite"))
    px, py = projection.forward(data["lon"], data["lat"])
    sizes = np.array([IMPACT_SIZES.get(ImpactLevel(v), DEFAULT_SIZE) for v in data["impacts"]])
    scatter = pg.ScatterPlotItem(pxMode=True, pen=None, brush=pg.mkBrush("#d81b60"), symbol="o")
    scatter.setData(x=px, y=py, size=sizes)
    view.addItem(scatter)
    fit(view, projection)
    widget.show()
    app.processEvents()
    paint(widget)
    first = time.perf_counter() - started
    repaint = pan_repaints(widget, view, pans)
    zoom_median, zoom_worst = zoom_repaints(widget, view, projection, zooms)
    widget.close()
    return first, repaint, zoom_median, zoom_worst, len(x)


def jurisdiction(data, countries, world) -> tuple[float, float, float]:
    started = time.perf_counter()
    located = Jurisdiction(countries, world)
    built = time.perf_counter() - started
    started = time.perf_counter()
    located.locate(data["lon"], data["lat"])
    ours = time.perf_counter() - started
    mercator = Projection()
    pairs = []
    for path in border_paths(world):  # the same segments, in the same projection
        px, py = mercator.forward(*np.asarray(path).T)
        xy = np.stack([px, py], 1)
        pairs.append(np.stack([xy[:-1], xy[1:]], 1))
    segments = shapely.STRtree(shapely.linestrings(np.concatenate(pairs)))
    started = time.perf_counter()
    x, y = mercator.forward(data["lon"], data["lat"])
    segments.query_nearest(shapely.points(x, y))
    bare = time.perf_counter() - started
    return built, ours, bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--pans", type=int, default=20)
    parser.add_argument("--zooms", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = pg.mkQApp()
    resources = default_resources()
    countries = load_countries(resources.countries)
    world = load_border_lines(resources.world_borders)
    highlighted = [line for path in resources.operation_borders for line in load_border_lines(path)]
    data = incidents(args.incidents)
    vertices = sum(len(path) for path in border_paths(world))

    results = {"ours": [], "raw": []}
    for _ in range(args.rounds):  # interleaved, so both see the same load on a shared machine
        results["raw"].append(raw(app, data, world, highlighted, args.pans, args.zooms))
        results["ours"].append(
            ours(app, data, countries, world, highlighted, args.pans, args.zooms)
        )
    medians = {
        name: tuple(statistics.median(run[k] for run in runs) for k in range(4))
        for name, runs in results.items()
    }
    print(
        f"map: {args.incidents:,} incidents, {vertices:,} border vertices (Natural Earth 10m), "
        f"{SIZE[0]}x{SIZE[1]} px, median of {args.rounds} rounds"
    )
    print(
        f"  border vertices drawn: limes {results['ours'][0][4]:,} (simplified for this zoom, "
        f"within a pixel), raw {results['raw'][0][4]:,} (all)"
    )
    for label, k in (
        ("first paint", 0),
        ("repaint after a pan", 1),
        ("zoom to a sector: step", 2),
        ("  slowest step", 3),
    ):
        mine, base = medians["ours"][k], medians["raw"][k]
        print(
            f"  {label:<22} limes {mine * 1000:7.1f} ms   raw pyqtgraph {base * 1000:7.1f} ms"
            f"   ratio {mine / base:.2f}x"
        )
    built, located, bare = jurisdiction(data, countries, world)
    print(
        f"  jurisdiction of {args.incidents:,} incidents: {located * 1000:.0f} ms "
        f"(country, sector, geodesic km, side)   bare STRtree nearest-segment query "
        f"{bare * 1000:.0f} ms   ratio {located / bare:.2f}x   (index built once: "
        f"{built * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
