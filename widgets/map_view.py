"""The border map: land, borders, sectors, incidents and patrols in one pyqtgraph view.

The view only receives values (countries, lines, sectors, arrays of incidents, patrols) and
draws them through the renderers of :mod:`maps.render`; it never reads the store. Display
coordinates are metres of the view's :class:`~maps.projection.Projection` (Web Mercator unless
told otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import PySide6  # noqa: F401  -- pin the binding before pyqtgraph

# isort: split
import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike
from PySide6 import QtCore, QtWidgets

from app.domain import BorderLine, Patrol, Sector
from app.values import ImpactLevel
from maps.geography import Country
from maps.incident_layer import IncidentLayer, IncidentRows
from maps.layers import LayerStack
from maps.mbtiles import MBTiles, MBTilesError
from maps.overlay import Overlay
from maps.projection import Projection
from maps.render.basemap import SEA, CountryFillRenderer
from maps.render.borders import BorderRenderer
from maps.render.incidents import IncidentRenderer
from maps.render.label_layout import LabelLayout
from maps.render.layer_group import LayerGroup
from maps.render.legend import MapLegend
from maps.render.overlay import draw_overlay
from maps.render.patrols import PatrolRenderer
from maps.render.raster import RasterBasemapRenderer
from maps.render.sectors import SectorRenderer

ATTRIBUTION = "Made with Natural Earth"
# Half the width of the Web Mercator square, in metres.
MERCATOR_HALF_WIDTH = 20_037_508.34
MIN_VIEW_METRES = 300.0  # zooming in further than a few hundred metres shows nothing useful
WORLD = (-180.0, -60.0, 180.0, 80.0)
COUNTRIES, SECTORS, BORDERS, INCIDENTS, PATROLS, SECTOR_NAMES = (
    "Countries", "Sectors", "Borders", "Incidents", "Patrols", "Sector names",
)  # fmt: skip
BASEMAP = "Basemap tiles"
LAYERS = (COUNTRIES, SECTORS, BORDERS, INCIDENTS, PATROLS, SECTOR_NAMES)  # bottom first
# Live incident changes are drawn in slices of this long, so the view keeps panning meanwhile.
DRAW_BUDGET_S = 0.03


class MapView(pg.PlotWidget):
    """A pannable, zoomable map with a fixed 1:1 aspect, no axes, a legend and attribution."""

    incident_clicked = QtCore.Signal(str)
    patrol_clicked = QtCore.Signal(str)
    cursor_moved = QtCore.Signal(float, float)  # lon, lat in degrees
    map_clicked = QtCore.Signal(float, float)  # a left click: lon, lat
    context_requested = QtCore.Signal(float, float, QtCore.QPoint)  # right click: lon, lat, screen

    def __init__(
        self, parent: QtWidgets.QWidget | None = None, projection: Projection | None = None
    ) -> None:
        super().__init__(parent, background=SEA)
        self.projection = projection or Projection()
        plot = self.getPlotItem()
        for axis in ("left", "bottom", "right", "top"):
            plot.hideAxis(axis)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.layout.setContentsMargins(0, 0, 0, 0)
        self.view: pg.ViewBox = plot.getViewBox()
        self.view.setAspectLocked(True, ratio=1.0)
        self.view.disableAutoRange()
        if self.projection.is_web_mercator:
            edge = MERCATOR_HALF_WIDTH
            self.view.setLimits(
                xMin=-edge, xMax=edge, yMin=-edge, yMax=edge,
                minXRange=MIN_VIEW_METRES, minYRange=MIN_VIEW_METRES,
            )  # fmt: skip

        # Each renderer draws into its own layer group (bottom first): the layer panel sets
        # visibility, opacity and order on the group, for every item of the layer at once.
        self.layers = LayerStack(list(LAYERS))
        self.groups = {name: LayerGroup(self.view, name, z) for z, name in enumerate(LAYERS)}
        self.countries = CountryFillRenderer(self.groups[COUNTRIES])
        self.countries.follow(self.view)
        self.borders = BorderRenderer(self.groups[BORDERS])
        self.sectors = SectorRenderer(self.groups[SECTORS], labels=self.groups[SECTOR_NAMES])
        self.incident_layer = IncidentLayer(self.projection.forward)
        self.incidents = IncidentRenderer(
            self.groups[INCIDENTS], self.incident_layer, on_clicked=self.incident_clicked.emit
        )
        self._draw_timer = QtCore.QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setInterval(0)
        self._draw_timer.timeout.connect(self._draw_incidents_slice)
        self.patrols = PatrolRenderer(self.groups[PATROLS], on_clicked=self.patrol_clicked.emit)
        self.layers.changed.connect(self._on_layers_changed)
        self._overlays = 0
        self.legend = MapLegend(self.view)
        self.legend.setVisible(False)
        self._sector_levels: list[ImpactLevel] = []
        # Call signs first, then sector names where they still fit; none under the legend.
        self.labels = LabelLayout(self.view)
        self.labels.add_labels(self.patrols.map_labels)
        self.labels.add_labels(self.sectors.map_labels)
        self.labels.add_markers(self.patrols.markers)
        self.labels.add_boxes(self._legend_box)
        self.legend.toggled.connect(self.labels.schedule)

        self.attribution = pg.LabelItem(ATTRIBUTION, size="7pt", color="#5f6b73")
        self.attribution.setParentItem(self.view)
        self.attribution.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-6, -2))
        self.attribution.setZValue(1000)

        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.show_region(*(self.projection.bounds or WORLD))

    # -- what is shown -------------------------------------------------------------------------

    def show_region(
        self, lon_min: float, lat_min: float, lon_max: float, lat_max: float, padding: float = 0.02
    ) -> None:
        """Fit a lon/lat box in the view (the aspect stays 1:1, so one side gets extra room)."""
        if lon_min >= lon_max or lat_min >= lat_max:
            raise ValueError(f"empty region {lon_min}, {lat_min}, {lon_max}, {lat_max}")
        # Sample a grid, not the corners: in a transverse projection (UTM) the sides are curved.
        lon_grid, lat_grid = np.meshgrid(
            np.linspace(lon_min, lon_max, 9), np.linspace(lat_min, lat_max, 9)
        )
        x, y = self.projection.forward(lon_grid.ravel(), lat_grid.ravel())
        finite = np.isfinite(x) & np.isfinite(y)
        if not finite.any():
            return
        self.view.setRange(
            xRange=(x[finite].min(), x[finite].max()),
            yRange=(y[finite].min(), y[finite].max()),
            padding=padding,
        )

    def visible_region(self) -> tuple[float, float, float, float]:
        """(lon_min, lat_min, lon_max, lat_max) of the view's corners."""
        (x0, x1), (y0, y1) = self.view.viewRange()
        lon, lat = self.projection.inverse([x0, x1], [y0, y1])
        return float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])

    def set_countries(self, countries: Iterable[Country]) -> None:
        self.countries.set_countries(countries, self.projection)

    def set_borders(
        self, world_lines: Iterable[BorderLine], highlighted_lines: Iterable[BorderLine] = ()
    ) -> None:
        """All borders thin and grey; the operation's borders (``highlighted_lines``) strong."""
        self.borders.set_borders(world_lines, highlighted_lines, self.projection)

    def set_sectors(self, sectors: Iterable[Sector]) -> None:
        sectors = [sector for sector in sectors if not sector.deleted]
        self.sectors.set_sectors(sectors, self.projection)
        self.labels.schedule()
        # The whole scale is listed as soon as there are sectors: an operator reads the level
        # of a fill against all four, not against the ones that happen to be on the map.
        self._sector_levels = list(ImpactLevel) if sectors else []
        self._refresh_legend()

    def set_incidents(
        self,
        ids: ArrayLike | Sequence[str],
        lon: ArrayLike,
        lat: ArrayLike,
        categories: Sequence[str],
        impacts: Sequence[str],
        statuses: Sequence[str],
    ) -> None:
        """Replace all incidents (parallel sequences; lon/lat in degrees), drawn at once."""
        self.incident_layer.replace(IncidentRows.of(ids, lon, lat, categories, impacts, statuses))
        self._draw_timer.stop()
        self.incidents.draw()
        self._refresh_legend()

    def update_incidents(self, rows: IncidentRows, removed: Iterable[str] = ()) -> None:
        """Add or change ``rows``, drop ``removed``; drawn from the event loop in short slices."""
        self.incident_layer.update(rows, removed)
        if not self._draw_timer.isActive():
            self._draw_timer.start()

    @property
    def drawing(self) -> bool:
        """Whether incident changes are still being drawn."""
        return self.incidents.pending

    def _draw_incidents_slice(self) -> None:
        if self.incidents.draw(DRAW_BUDGET_S):
            self._refresh_legend()
        else:
            self._draw_timer.start()

    def set_tracks(self, tracks: dict[str, list[tuple[int, float, float]]]) -> None:
        """Patrol breadcrumbs: patrol id -> [(time ms, lon, lat)], oldest first."""
        self.patrols.set_tracks(tracks, self.projection)

    def set_patrols(self, patrols: Iterable[Patrol]) -> None:
        self.patrols.set_patrols(patrols, self.projection)
        self._refresh_legend()  # and the labels

    def _refresh_legend(self) -> None:
        self.legend.set_contents(
            sector_levels=self._sector_levels,
            categories=self.incidents.categories(),
            patrol_statuses=self.patrols.statuses(),
        )
        self.labels.schedule()  # the legend may have grown over a label

    def _legend_box(self) -> list[QtCore.QRectF]:
        return [self.legend.sceneBoundingRect()] if self.legend.isVisible() else []

    # -- layers --------------------------------------------------------------------------------

    def add_overlay(self, overlay: Overlay) -> str:
        """Draw an imported file as a new layer under the incidents; returns its layer name.

        The layer enters the stack only once it is drawn: a failure leaves nothing behind.
        """
        group = LayerGroup(self.view, overlay.name, len(self.layers.layers))
        try:
            draw_overlay(overlay, group, self.projection, self._overlays)
        except Exception:
            self.view.removeItem(group)
            raise
        self._overlays += 1
        group.name = self.layers.unique_name(overlay.name)
        self.groups[group.name] = group  # before the stack announces it
        return self.layers.add(group.name, below=INCIDENTS)

    def set_raster_basemap(self, tiles: MBTiles) -> None:
        """Tiles of an MBTiles file over the country fill, under everything else."""
        if not self.projection.is_web_mercator:
            raise MBTilesError(
                f"{tiles.path}: MBTiles tiles need the Web Mercator display (EPSG:3857)"
            )
        group = LayerGroup(self.view, BASEMAP, 0)
        self.groups[BASEMAP] = group
        self.raster = RasterBasemapRenderer(self.view, group, tiles)
        self.layers.add(BASEMAP, below=SECTORS, imported=False)

    def remove_layer(self, name: str) -> None:
        self.layers.remove(name)
        self.view.removeItem(self.groups.pop(name))

    def _on_layers_changed(self) -> None:
        for z, layer in enumerate(self.layers.layers):
            group = self.groups[layer.name]
            group.setVisible(layer.visible)
            group.setOpacity(layer.opacity)
            group.setZValue(z)

    # -- the cursor ----------------------------------------------------------------------------

    def lon_lat_at(self, scene_pos: QtCore.QPointF) -> tuple[float, float] | None:
        """Lon, lat under a scene position, or None off the map."""
        if not self.view.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.view.mapSceneToView(scene_pos)
        lon, lat = self.projection.inverse_point(point.x(), point.y())
        return (lon, lat) if np.isfinite(lon) and np.isfinite(lat) else None

    def _on_mouse_moved(self, scene_pos: QtCore.QPointF) -> None:
        where = self.lon_lat_at(scene_pos)
        if where is not None:
            self.cursor_moved.emit(*where)

    def _on_mouse_clicked(self, event) -> None:
        where = self.lon_lat_at(event.scenePos())
        if where is None:
            return
        if event.button() == QtCore.Qt.MouseButton.RightButton:
            self.context_requested.emit(*where, event.screenPos().toPoint())
        elif event.button() == QtCore.Qt.MouseButton.LeftButton:
            self.map_clicked.emit(*where)
