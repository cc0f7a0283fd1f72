"""The map dock: the map view fed from the store, a cursor readout and the data credits.

Incident changes are read on a worker thread (only the changed ids) and handed to the view,
which draws them in short slices: a partner's 100k catch-up never holds the GUI thread long.

In replay the map draws the picture at T (incidents, patrol positions and tracks, sector
levels) under a purple banner and frame; live changes wait and are drawn when replay ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPixmap, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.coordinates import format_position
from app.domain import Sector
from app.errors import LimesError
from app.replay import PictureDatabase
from app.settings import Settings
from app.store import Store
from app.store import queries as q
from app.store.feed import ChangeSet
from app.values import to_ms
from maps.alerts import Alert
from maps.geography import default_resources, load_border_lines, load_countries
from maps.incident_layer import IncidentRows
from maps.mbtiles import MBTiles, MBTilesError
from maps.measure import Leg
from maps.projection import Projection
from maps.render.flash import FlashRenderer
from maps.sector_index import SectorIndex, sector_summary
from widgets.background import BackgroundReads
from widgets.changed_reads import ChangedReads
from widgets.incident_placements import IncidentPlacements
from widgets.map_tools import MapContextMenu, MeasureTool
from widgets.map_view import MapView
from widgets.replay_banner import REPLAY_COLOUR, ReplayBanner

log = logging.getLogger(__name__)

IOM_CREDIT = (
    "Humanitarian incidents: IOM's Missing Migrants Project (missingmigrants.iom.int), CC BY 4.0"
)

# Around the sectors' extent when the map opens on the operation area (a fraction of its size).
OPERATION_AREA_PADDING = 0.04


class MapPanel(QWidget):
    incident_clicked = Signal(str)
    patrol_clicked = Signal(str)
    # "New incident here" from the right-click menu; the incident form opens on it.
    new_incident_requested = Signal(float, float)
    patrol_position_reported = Signal(str, float, float)  # patrol id, lon, lat

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        region: tuple[float, float, float, float] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._source: Store | PictureDatabase = store  # the live store, or a replayed picture
        self._replay_at: int | None = None
        self._track_hours = settings.map.track_hours
        self.view = MapView(projection=Projection(settings.map.crs))
        self.replay_banner = ReplayBanner("live changes wait", overlay=self.view)
        self._changed = ChangedReads(
            BackgroundReads(self), "map-incidents", self._read_incidents, self._on_incidents_read
        )
        self._generation = 0  # bumped by a full reload: older partial reads are dropped
        self._has_iom = False
        self.basemap_problem = ""
        self.basemap_credit = ""
        self._selected: str | None = None
        self._selection = pg.ScatterPlotItem(
            size=24, pen=pg.mkPen("#111111", width=2.5), brush=None, pxMode=True, symbol="o"
        )
        self._selection.setZValue(900)
        self.view.view.addItem(self._selection)

        self._readout = QLabel("—")
        self._readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._format = QComboBox()
        self._format.addItems(["dd", "dms", "mgrs"])
        self._format.setCurrentText(settings.map.coordinate_format)
        self._format.setToolTip("Coordinate format: decimal degrees, DMS or MGRS")
        self._cursor: tuple[float, float] | None = None
        self._sector_index = SectorIndex()
        self._sector_tips: dict[str, str] = {}
        self._format.currentTextChanged.connect(self._show_cursor)
        self._credit = QLabel()
        self._credit.setStyleSheet("color:#5f6b73")
        # The credit gives way to the readouts when the dock is narrow (its tooltip keeps it).
        self._credit.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._credit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(QLabel("Cursor:"))
        bar.addWidget(self._readout)
        bar.addWidget(self._format)
        self.measure_button = QToolButton()
        self.measure_button.setText("Measure")
        self.measure_button.setCheckable(True)
        self.measure_button.setToolTip(
            "Click two places on the map: geodesic distance and bearing (Esc or click to stop)"
        )
        self._measure_readout = QLabel()
        bar.addSpacing(12)
        bar.addWidget(self.measure_button)
        bar.addWidget(self._measure_readout)
        self.export_button = QToolButton()
        self.export_button.setText("Export PNG…")
        self.export_button.setToolTip("Save the map as shown now as a PNG image")
        self.export_button.clicked.connect(self._choose_export)
        bar.addWidget(self.export_button)
        bar.addWidget(self._credit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)

        self._load_basemap(settings)
        self.reload()
        if region is not None:
            self.view.show_region(*region)
        else:
            self.show_operation_area()
        self.view.incident_clicked.connect(self.incident_clicked)
        self.view.patrol_clicked.connect(self.patrol_clicked)
        self.view.cursor_moved.connect(self._on_cursor_moved)
        self.measure = MeasureTool(self.view, self)
        self.measure_button.toggled.connect(self.measure.set_active)
        self.measure.measured.connect(self._on_measured)
        self.view.map_clicked.connect(self.measure.click)
        self.view.context_requested.connect(self._on_context_requested)
        self.context_menu: MapContextMenu | None = None
        # (patrol id, call sign) of the patrol selected in the roster, set by the window
        self.selected_patrol: Callable[[], tuple[str, str] | None] = lambda: None
        self.flashes = FlashRenderer(self.view.view)
        self._flash_s = settings.alerts.flash_s
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape), self, lambda: self.measure_button.setChecked(False)
        )

    def _load_basemap(self, settings: Settings) -> None:
        resources = default_resources()
        countries = load_countries(resources.countries)
        self.view.set_countries(countries)
        world = load_border_lines(settings.map.borders or resources.world_borders)
        # Country, sector and km to the border of every incident (for forms, details, alerts).
        self.placements = IncidentPlacements(self._store, countries, world, self)
        highlighted = [
            line for path in settings.map.operation_borders for line in load_border_lines(path)
        ]
        self.view.set_borders(world, highlighted)
        if settings.map.mbtiles:
            try:
                tiles = MBTiles(settings.map.mbtiles)
                self.view.set_raster_basemap(tiles)
            except MBTilesError as error:  # the vector map still works: say why, go on
                log.warning("raster basemap: %s", error)
                self.basemap_problem = str(error)
                self._credit.setText(
                    f"<span style='color:#b71c1c'>No raster basemap: {error}</span>"
                )
                self._credit.setToolTip(str(error))
            else:
                self.basemap_credit = tiles.attribution

    # -- data ------------------------------------------------------------------------------------

    def reload(self) -> None:
        self._generation += 1
        self._changed.forget()
        with self._source.read() as connection:
            self._set_sectors(q.sectors(connection))
            rows = IncidentRows.from_columns(q.incident_positions(connection))
            self.view.set_patrols(q.patrols(connection))
        with self._store.read() as connection:  # tracks come from the op-log
            self.view.set_tracks(self._tracks(connection))
        self.view.set_incidents(*rows.columns())
        self._has_iom = False
        self._note_credits(rows)

    def apply_changes(self, changes: ChangeSet) -> None:
        if self.replaying:
            return  # drawn when replay ends: reload() then reads everything live
        if changes.ids("sector") or changes.ids("patrol"):
            with self._store.read() as connection:
                if changes.ids("sector"):
                    self._set_sectors(q.sectors(connection))
                if changes.ids("patrol"):
                    self.view.set_patrols(q.patrols(connection))
                    self.view.set_tracks(self._tracks(connection))
        if changes.ids("incident"):
            self._changed.add(changes.ids("incident"))

    def show_operation_area(self) -> bool:
        """Fit the sectors (the area the center watches) in the view, with a small margin.

        Returns False, leaving the view as it is, when there are no sectors yet.
        """
        bounds = self._sector_index.bounds()
        if bounds is None:
            return False
        self.view.show_region(*bounds, padding=OPERATION_AREA_PADDING)
        return True

    def _set_sectors(self, sectors: list[Sector]) -> None:
        self.view.set_sectors(sectors)
        self._sector_index = SectorIndex(sectors)
        self._sector_tips: dict[str, str] = {}  # sector id -> hover text, until sectors change
        self._show_sector_tip()

    def _show_sector_tip(self) -> None:
        """The hover text of the sector under the cursor: its level and level history."""
        sector = self._sector_index.at(*self._cursor) if self._cursor else None
        if sector is None:
            self.view.setToolTip("")
            return
        if sector.id not in self._sector_tips:
            with self._store.read() as connection:
                history = q.sector_history(connection, sector.id)
            if self._replay_at is not None:  # not the levels set after the replayed moment
                history = tuple(h for h in history if to_ms(h.at) <= self._replay_at)
            self._sector_tips[sector.id] = sector_summary(sector, history)
        self.view.setToolTip(self._sector_tips[sector.id])

    def snapshot(self) -> QPixmap:
        """The map as shown, without the tool bar, with the data credits written under it
        (IOM's for humanitarian incidents, the raster basemap's): what an export carries."""
        picture = self.view.grab()
        if not self._credit.text():
            return picture
        credit = QTextDocument()
        credit.setDefaultFont(self.font())
        credit.setHtml(f"<span style='color:#5f6b73'>{self._credit.text()}</span>")
        credit.setTextWidth(picture.width() - 8)
        strip = int(credit.size().height()) + 2
        out = QPixmap(picture.width(), picture.height() + strip)
        out.fill(QColor("white"))
        painter = QPainter(out)
        try:
            painter.drawPixmap(0, 0, picture)
            painter.translate(4, picture.height() + 1)
            credit.drawContents(painter)
        finally:
            painter.end()
        return out

    def export_png(self, path: Path | str) -> Path:
        """Save the map as shown (legend and credits included) as a PNG file."""
        path = Path(path)
        if path.suffix.lower() != ".png":
            path = path.with_suffix(".png")
        if not self.snapshot().save(str(path), "PNG"):
            raise LimesError(f"{path}: the map image cannot be written there")
        return path

    def _choose_export(self) -> None:
        name = f"limes-map-{datetime.now(UTC):%Y%m%dT%H%MZ}.png"
        path, _ = QFileDialog.getSaveFileName(self, "Export the map view", name, "PNG (*.png)")
        if not path:
            return
        try:
            saved = self.export_png(path)
        except LimesError as error:
            self._measure_readout.setText(f"<span style='color:#b71c1c'>{error}</span>")
        else:
            self._measure_readout.setText(f"Map saved to {saved}")

    def _tracks(self, connection) -> dict[str, list[tuple[int, float, float]]]:
        if self._track_hours <= 0:
            return {}
        until_ms = self._replay_at
        end_ms = int(time.time() * 1000) if until_ms is None else until_ms
        since_ms = end_ms - int(self._track_hours * 3_600_000)
        return q.patrol_tracks(connection, since_ms, until_ms)

    # -- replay ----------------------------------------------------------------------------------

    @property
    def replaying(self) -> bool:
        return self._replay_at is not None

    def show_replay(
        self, at_ms: int | None, picture: PictureDatabase | None, caption: str | None = None
    ) -> None:
        """Draw the replayed ``picture`` at ``at_ms`` under ``caption``; (None, None): live
        again, with every change that arrived meanwhile."""
        live = at_ms is None or picture is None
        self._source = self._store if live else picture
        self._replay_at = None if live else at_ms
        self.replay_banner.show_caption(None if live else caption)
        self.view.setStyleSheet(
            "" if live else f"QGraphicsView {{ border: 4px solid {REPLAY_COLOUR}; }}"
        )
        self.reload()
        if self._selected is not None:
            self.highlight_incident(self._selected)

    @property
    def settled(self) -> bool:
        """Whether every change handed to the panel is read and drawn."""
        return self._changed.idle and not self.view.drawing

    def _read_incidents(self, ids: frozenset[str]) -> tuple[int, IncidentRows, set[str]]:
        generation = self._generation  # read on the worker: at worst too old, then dropped
        with self._store.read() as connection:
            rows = IncidentRows.from_columns(q.incident_positions(connection, ids))
        return generation, rows, ids.difference(rows.ids.tolist())

    def _on_incidents_read(self, result: tuple[int, IncidentRows, set[str]]) -> None:
        generation, rows, removed = result
        if generation == self._generation:  # else a reload since has drawn newer data
            self.view.update_incidents(rows, removed)
            self._note_credits(rows)
            if self._selected is not None:  # it may have moved or gone
                self.highlight_incident(self._selected)

    def _note_credits(self, rows: IncidentRows) -> None:
        if not self._has_iom:
            self._has_iom = any(str(i).startswith("IOM-") for i in rows.ids[:50_000])
            credits = [c for c in (IOM_CREDIT if self._has_iom else "", self.basemap_credit) if c]
            if credits or not self.basemap_problem:
                self._credit.setText(" · ".join(credits))
            self._credit.setToolTip(self._credit.text())

    # -- selection -------------------------------------------------------------------------------

    def _position_of(self, incident_id: str) -> tuple[float, float] | None:
        return self.view.incident_layer.position(incident_id)

    def highlight_incident(self, incident_id: str) -> None:
        self._selected = incident_id
        position = self._position_of(incident_id)
        if position is None:
            self._selection.setData([])
            return
        x, y = self.view.projection.forward_point(*position)
        self._selection.setData([x], [y])

    def focus_incident(self, incident_id: str) -> None:
        position = self._position_of(incident_id)
        if position is not None:
            self.highlight_incident(incident_id)
            self.center_on(*position)

    def center_on(self, lon: float, lat: float) -> None:
        x, y = self.view.projection.forward_point(lon, lat)
        (x0, x1), (y0, y1) = self.view.view.viewRange()  # keep the zoom, move the centre
        half_w, half_h = (x1 - x0) / 2, (y1 - y0) / 2
        self.view.view.setRange(
            xRange=(x - half_w, x + half_w), yRange=(y - half_h, y + half_h), padding=0
        )

    # -- alerts ----------------------------------------------------------------------------------

    def flash_alert(self, alert: Alert) -> None:
        """Make an alerted place blink for the configured time (the view does not move)."""
        if alert.lon is not None and alert.lat is not None:
            self.flashes.flash(
                *self.view.projection.forward_point(alert.lon, alert.lat), self._flash_s
            )

    def show_alert(self, alert: Alert) -> None:
        """An operator picked an alert: centre on it, flash it, select its incident."""
        if alert.lon is None or alert.lat is None:
            return
        self.center_on(alert.lon, alert.lat)
        self.flash_alert(alert)
        if alert.record_kind == "incident":
            self.incident_clicked.emit(alert.record_id)

    # -- tools -----------------------------------------------------------------------------------

    def _on_measured(self, leg: Leg | None) -> None:
        if leg is None:
            self._measure_readout.setText("click the start" if self.measure.active else "")
        else:
            self._measure_readout.setText(f"<b>{leg.text()}</b>")

    def _on_context_requested(self, lon: float, lat: float, screen_pos: QPoint) -> None:
        self.context_menu = MapContextMenu(
            lon, lat, self._format.currentText(),
            on_new_incident=self.new_incident_requested.emit,
            on_measure_from=self._measure_from, patrol=self.selected_patrol(),
            on_patrol_here=self.patrol_position_reported.emit, parent=self,
        )  # fmt: skip
        self.context_menu.show_at(screen_pos)

    def _measure_from(self, lon: float, lat: float) -> None:
        self.measure_button.setChecked(True)
        self.measure.click(lon, lat)

    def _on_cursor_moved(self, lon: float, lat: float) -> None:
        self._cursor = (lon, lat)
        self._show_cursor()
        self._show_sector_tip()

    def _show_cursor(self) -> None:
        if self._cursor is not None:
            self._readout.setText(format_position(*self._cursor, self._format.currentText()))
