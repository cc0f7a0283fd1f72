"""The main window: map, timeline, roster and details as docks over one store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QMainWindow,
    QTableView,
    QWidget,
)

from app.settings import Settings, data_dir
from app.store import Store
from app.store import queries as q
from app.store.digest import picture_digest
from app.store.feed import ChangeSet
from app.sync.holders import holders
from widgets.background import BackgroundReads
from widgets.bridge import StoreBridge
from widgets.details_panel import DetailsPanel
from widgets.incident_table import IncidentTableModel
from widgets.map_panel import MapPanel
from widgets.partner_panel import PartnerPanel
from widgets.roster_panel import BoardPanel, RosterPanel

LAYOUT_VERSION = 1


class MainWindow(QMainWindow):
    def __init__(
        self,
        store: Store,
        settings: Settings,
        bridge: StoreBridge,
        *,
        region: tuple[float, float, float, float] | None = None,
        restore_layout: bool = True,
        title_suffix: str = "",
        node: Any = None,
    ) -> None:
        super().__init__()
        self._store = store
        self._settings = settings
        identity = settings.node
        self.setWindowTitle(f"Limes — {identity.name} ({identity.center_id}){title_suffix}")
        self.setDockNestingEnabled(True)
        self.resize(1600, 1000)

        self.map_panel = MapPanel(store, settings, region=region)
        self.incident_model = IncidentTableModel(store, self)
        self.incident_view = self._table(self.incident_model, stretch_column=4)
        self.roster_panel = RosterPanel(store, settings)
        self.patrol_model = self.roster_panel.patrol_model
        self.patrol_view = self.roster_panel.patrol_view
        self.details = DetailsPanel()

        placeholder = QWidget()
        placeholder.setMaximumSize(0, 0)
        self.setCentralWidget(placeholder)
        self.map_dock = self._dock("Map", self.map_panel, Qt.DockWidgetArea.TopDockWidgetArea)
        self.timeline_dock = self._dock(
            "Timeline", self.incident_view, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.details_dock = self._dock(
            "Incident details", self.details, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.roster_dock = self._dock(
            "Roster", self.roster_panel, Qt.DockWidgetArea.TopDockWidgetArea
        )
        self.board_dock = self._dock(
            "Shift board",
            BoardPanel(self.roster_panel),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        # Map and roster side by side on top; timeline and details side by side below.
        self.splitDockWidget(self.map_dock, self.roster_dock, Qt.Orientation.Horizontal)
        self.splitDockWidget(self.timeline_dock, self.details_dock, Qt.Orientation.Horizontal)
        self.tabifyDockWidget(self.timeline_dock, self.board_dock)
        self.timeline_dock.raise_()
        self.node = node
        self.partner_panel: PartnerPanel | None = None
        if node is not None:
            self.partner_panel = PartnerPanel(node.status)
            self.partners_dock = self._dock(
                "Partners", self.partner_panel, Qt.DockWidgetArea.TopDockWidgetArea
            )
            self.splitDockWidget(self.roster_dock, self.partners_dock, Qt.Orientation.Vertical)
            self.resizeDocks(
                [self.roster_dock, self.partners_dock], [640, 140], Qt.Orientation.Vertical
            )
            self._build_link_menu(node)
        self.resizeDocks([self.map_dock, self.timeline_dock], [660, 300], Qt.Orientation.Vertical)
        self.resizeDocks([self.map_dock, self.roster_dock], [1150, 600], Qt.Orientation.Horizontal)
        self.resizeDocks(
            [self.timeline_dock, self.details_dock], [1150, 600], Qt.Orientation.Horizontal
        )

        self._identity = QLabel()
        self._counts = QLabel()
        self._clock = QLabel()
        for label in (self._identity, self._counts, self._clock):
            label.setContentsMargins(6, 0, 6, 0)
        self.statusBar().addWidget(self._identity)
        self.statusBar().addWidget(self._counts, 1)
        self.statusBar().addPermanentWidget(self._clock)
        self._identity.setText(
            f"<b>{identity.center_id}</b> · {identity.name}"
            + (
                f" ({identity.country}{', ' + identity.agency if identity.agency else ''})"
                if identity.country
                else ""
            )
            + f" · database {store.path}"
        )
        self._reads = BackgroundReads(self)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._update_clock)
        self._tick.start(1000)
        self._update_clock()
        self._update_counts()

        self._views = [
            (self.timeline_dock, self.incident_model.apply_changes, self.incident_model.reload),
            (self.roster_dock, self.roster_panel.apply_changes, self.roster_panel.reload),
            (self.map_dock, self.map_panel.apply_changes, self.map_panel.reload),
        ]
        self._stale: set[str] = set()
        for dock, _apply, reload in self._views:
            dock.visibilityChanged.connect(
                lambda visible, dock=dock, reload=reload: self._on_dock_shown(dock, reload, visible)
            )
        bridge.records_changed.connect(self._on_records_changed)
        self.incident_view.selectionModel().currentRowChanged.connect(self._on_incident_row)
        self.patrol_view.selectionModel().currentRowChanged.connect(self._on_patrol_row)
        self.map_panel.incident_clicked.connect(self.select_incident)
        self._layout_file = data_dir() / "window.ini"
        if restore_layout:
            self._restore_layout()

    # -- building --------------------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower().replace(' ', '-')}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _table(self, model, *, stretch_column: int) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(22)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        view.resizeColumnsToContents()
        return view

    def _build_link_menu(self, node: Any) -> None:
        menu = self.menuBar().addMenu("&Links")
        self.link_actions: dict[str, QAction] = {}
        for partner in sorted(node.partners):
            action = QAction(f"Link to {partner}", self, checkable=True, checked=True)
            action.setToolTip("Uncheck to cut the link (queued changes wait); check to restore")
            action.toggled.connect(
                lambda enabled, partner=partner: node.set_link_enabled(partner, enabled)
            )
            menu.addAction(action)
            self.link_actions[partner] = action

    # -- live updates ----------------------------------------------------------------------------

    @Slot(object)
    def _on_records_changed(self, changes: ChangeSet) -> None:
        # A hidden dock does not redraw; it is marked stale and reloads when shown again.
        for dock, apply, _reload in self._views:
            if dock.isVisible():
                apply(changes)
            else:
                self._stale.add(dock.objectName())
        current = self.incident_view.currentIndex()
        if current.isValid() and current.data(Qt.ItemDataRole.UserRole) in changes.ids("incident"):
            self._show_details(current.data(Qt.ItemDataRole.UserRole))
        self._update_counts()

    def _on_dock_shown(self, dock: QDockWidget, reload, visible: bool) -> None:
        if visible and dock.objectName() in self._stale:
            self._stale.discard(dock.objectName())
            reload()

    def _update_counts(self) -> None:
        store = self._store

        def read() -> tuple[dict[str, int], str]:
            with store.read() as connection:
                return q.counts(connection), picture_digest(connection)

        self._reads.request("counts", read, self._show_counts)

    def _show_counts(self, result: tuple[dict[str, int], str]) -> None:
        counts, digest = result
        self._counts.setText(
            f"{counts['incidents']:,} incidents · {counts['patrols']:,} patrols · "
            f"{counts['sectors']:,} sectors · picture {digest[:8]}"
        )
        self._counts.setToolTip(
            f"Picture digest {digest}\nEqual digests: two centers hold the same picture."
        )

    def _update_clock(self) -> None:
        now = datetime.now(UTC)
        local = now.astimezone()
        self._clock.setText(f"<b>{now:%H:%M:%S}Z</b>  {now:%d %b %Y} · local {local:%H:%M}")

    # -- selection, linked across views ------------------------------------------------------------

    @Slot(str)
    def select_incident(self, incident_id: str) -> None:
        row = self.incident_model.row_of(incident_id)
        if row is not None:
            index = self.incident_model.index(row, 0)
            self.incident_view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.incident_view.scrollTo(index)
        self._show_details(incident_id)

    def _on_incident_row(self, current, _previous) -> None:
        incident_id = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        if incident_id:
            self._show_details(incident_id)
            self.map_panel.focus_incident(incident_id)

    def _on_patrol_row(self, current, _previous) -> None:
        patrol = self.patrol_model.patrol_at(current.row()) if current.isValid() else None
        if patrol is not None and patrol.lon is not None:
            self.map_panel.center_on(patrol.lon, patrol.lat)

    def _show_details(self, incident_id: str) -> None:
        partners = [p.id for p in self._settings.partners]
        with self._store.read() as connection:
            incident = q.incident(connection, incident_id)
            held = holders(connection, "incident", incident_id, partners) if partners else None
        self.roster_panel.set_incident(incident)
        if incident is None:
            self.details.show_nothing()
        else:
            self.details.show_incident(incident, held)
            self.map_panel.highlight_incident(incident_id)

    # -- layout, kept between runs ---------------------------------------------------------------

    def _qsettings(self) -> QSettings:
        Path(self._layout_file).parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(self._layout_file), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        stored = self._qsettings()
        geometry = stored.value("geometry")
        state = stored.value("state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)

    def save_layout(self) -> None:
        stored = self._qsettings()
        stored.setValue("geometry", self.saveGeometry())
        stored.setValue("state", self.saveState(LAYOUT_VERSION))
        stored.sync()

    def closeEvent(self, event) -> None:
        self.save_layout()
        super().closeEvent(event)
