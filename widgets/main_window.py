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

from app.incident_filter import QuickRange
from app.settings import Settings, data_dir
from app.store import Store
from app.store import queries as q
from app.store.alert_log import AlertLog
from app.store.digest import picture_digest
from app.store.feed import ChangeSet
from maps.describe import placement_fields, placement_text
from maps.layer_folder import LayerFolder
from widgets.alerts_panel import AlertMonitor, AlertPanel
from widgets.background import BackgroundReads
from widgets.bridge import StoreBridge
from widgets.details_panel import DetailsPanel
from widgets.incident_actions import IncidentActions
from widgets.incident_table import IncidentTableModel
from widgets.layer_panel import LayerPanel
from widgets.map_panel import MapPanel
from widgets.partner_panel import PartnerPanel
from widgets.replay_banner import replay_caption
from widgets.report_dialog import ReportDialog
from widgets.roster_panel import BoardPanel, RosterPanel
from widgets.timeline_panel import TimelinePanel

LAYOUT_VERSION = 2


UNLISTED = (
    " is not in the timeline's current filter (its details are shown; the timeline's All"
    " range lists it)"
)


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
        self.timeline = TimelinePanel(
            store,
            self.incident_model,
            self.incident_view,
            [identity.center_id, *(p.id for p in settings.partners)],
            # The strip opens on the last day, not on years of history squeezing today against
            # its right edge; "All" is one click away.
            opening_range=QuickRange.LAST_24H,
        )
        self.details = DetailsPanel(store, settings, where=self._where)

        placeholder = QWidget()
        placeholder.setMaximumSize(0, 0)
        self.setCentralWidget(placeholder)
        self.map_dock = self._dock("Map", self.map_panel, Qt.DockWidgetArea.TopDockWidgetArea)
        self.timeline_dock = self._dock(
            "Timeline", self.timeline, Qt.DockWidgetArea.BottomDockWidgetArea
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
        # Map and roster side by side on top (alerts, partner links and map layers tabbed under
        # the roster); timeline (tabbed with the shift board) and details side by side below.
        self.splitDockWidget(self.map_dock, self.roster_dock, Qt.Orientation.Horizontal)
        self.splitDockWidget(self.timeline_dock, self.details_dock, Qt.Orientation.Horizontal)
        self.tabifyDockWidget(self.timeline_dock, self.board_dock)
        self.timeline_dock.raise_()
        self.alert_panel = AlertPanel(AlertLog(store))  # kept across restarts
        self.alerts_dock = self._dock(
            "Alerts", self.alert_panel, Qt.DockWidgetArea.TopDockWidgetArea
        )
        self.splitDockWidget(self.roster_dock, self.alerts_dock, Qt.Orientation.Vertical)
        self.node = node
        self.partner_panel: PartnerPanel | None = None
        if node is not None:
            self.partner_panel = PartnerPanel(node.status)
            self.partners_dock = self._dock(
                "Partners", self.partner_panel, Qt.DockWidgetArea.TopDockWidgetArea
            )
            self.tabifyDockWidget(self.alerts_dock, self.partners_dock)
            self._build_link_menu(node)
        self.layer_panel = LayerPanel(self.map_panel.view, LayerFolder(data_dir() / "layers"))
        self.layers_dock = self._dock(
            "Layers", self.layer_panel, Qt.DockWidgetArea.TopDockWidgetArea
        )
        self.tabifyDockWidget(self.alerts_dock, self.layers_dock)
        self.alerts_dock.raise_()
        self.resizeDocks([self.map_dock, self.timeline_dock], [640, 400], Qt.Orientation.Vertical)
        self.resizeDocks([self.map_dock, self.roster_dock], [1200, 600], Qt.Orientation.Horizontal)
        self.resizeDocks([self.roster_dock, self.alerts_dock], [420, 220], Qt.Orientation.Vertical)
        self.resizeDocks(
            [self.timeline_dock, self.details_dock], [1200, 600], Qt.Orientation.Horizontal
        )

        self._identity = QLabel()
        self._counts = QLabel()
        self._clock = QLabel()
        self._links = QLabel()  # every partner link at a glance; a click opens the Partners tab
        self._links.linkActivated.connect(lambda _link: self.partners_dock.raise_())
        for label in (self._identity, self._counts, self._links, self._clock):
            label.setContentsMargins(6, 0, 6, 0)
        self.statusBar().addWidget(self._identity)
        self.statusBar().addWidget(self._counts, 1)
        self.statusBar().addPermanentWidget(self._links)
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
            (self.timeline_dock, self.timeline.apply_changes, self.timeline.reload),
            (self.roster_dock, self.roster_panel.apply_changes, self.roster_panel.reload),
            (self.map_dock, self.map_panel.apply_changes, self.map_panel.reload),
        ]
        self._stale: set[str] = set()
        for dock, _apply, reload in self._views:
            dock.visibilityChanged.connect(
                lambda visible, dock=dock, reload=reload: self._on_dock_shown(dock, reload, visible)
            )
        bridge.records_changed.connect(self._on_records_changed)
        bridge.records_changed.connect(self.details.on_records_changed)
        bridge.records_changed.connect(self.map_panel.placements.apply_changes)  # even if hidden
        self.incident_actions = IncidentActions(
            self, store, settings, self.details, self.select_incident, bridge.records_changed
        )
        self.alert_monitor = AlertMonitor(store, self.map_panel.placements, settings.alerts, self)
        self.alert_monitor.raised.connect(self.alert_panel.add)
        self.alert_monitor.raised.connect(self.map_panel.flash_alert)
        self.alert_panel.alert_activated.connect(self.map_panel.show_alert)
        bridge.records_changed.connect(self.alert_monitor.apply_changes)
        self.incident_view.selectionModel().currentRowChanged.connect(self._on_incident_row)
        self.patrol_view.selectionModel().currentRowChanged.connect(self._on_patrol_row)
        self.map_panel.incident_clicked.connect(self.select_incident)
        self.map_panel.new_incident_requested.connect(self._new_incident_at)
        self.map_panel.selected_patrol = self.roster_panel.selected_call_sign
        self.map_panel.patrol_position_reported.connect(self.roster_panel.report_position)
        self._selection_wanted: str | None = None
        self.incident_model.modelReset.connect(self._select_when_listed)
        # The first page of a re-list may not hold it; the complete list will, if it matches.
        self.timeline.loaded.connect(lambda _count: self._select_when_listed())
        self.menuBar().addMenu("&Reports").addAction("Shift handover…", self.open_handover)
        self.map_panel.patrol_clicked.connect(self.select_patrol)
        self.timeline.replay_changed.connect(self._on_replay_changed)
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
        if self.node is not None:
            self._links.setText(links_summary(self.node.status().get("links", {})))

    @Slot(object, object)
    def _on_replay_changed(self, at_ms: int | None, picture: Any) -> None:
        """Map and roster follow the timeline's replay: the picture at T, or live again."""
        moment = self.timeline.replay.chosen_moment()
        caption = None if at_ms is None else replay_caption(at_ms, moment)
        self.map_panel.show_replay(at_ms, picture, caption)
        self.roster_panel.show_replay(at_ms, picture, caption)

    # -- selection, linked across views ------------------------------------------------------------

    @Slot(str)
    def _select_when_listed(self) -> None:
        wanted = self._selection_wanted
        if wanted is not None and self.incident_model.row_of(wanted) is not None:
            self.select_incident(wanted)

    def _say_unlisted(self, incident_id: str) -> None:
        """An incident picked on the map or in the alerts that the timeline's filter leaves
        out: say so, rather than select nothing in silence."""
        with self._store.read() as connection:
            incident = q.incident(connection, incident_id, with_notes=False)
        if incident is not None:
            self.statusBar().showMessage(
                f"“{incident.title}”{UNLISTED}",
                15_000,
            )

    def _sector_names(self) -> dict[str, str]:
        with self._store.read() as connection:
            return {sector.id: sector.name for sector in q.sectors(connection)}

    def _where(self, incident) -> str:
        """The incident's country, sector and distance to the border (the map's reckoning)."""
        placement = self.map_panel.placements.get(incident.id)
        if placement is None:
            placement = self.map_panel.placements.locate(incident.lon, incident.lat)
        return "" if placement is None else placement_text(placement, self._sector_names())

    def _new_incident_at(self, lon: float, lat: float) -> None:
        """Right-click on the map: a first report there, its place already worked out."""
        placement = self.map_panel.placements.locate(lon, lat)
        derived = None if placement is None else placement_fields(placement, self._sector_names())
        self.incident_actions.new_incident(lon, lat, derived)

    def select_incident(self, incident_id: str) -> None:
        row = self.incident_model.row_of(incident_id)
        self._selection_wanted = None
        if self.statusBar().currentMessage().endswith(UNLISTED):  # about the previous pick
            self.statusBar().clearMessage()
        if row is None:
            if self.incident_model.would_list(incident_id):
                # not listed yet (the timeline re-lists off the GUI thread): select it when it is
                self._selection_wanted = incident_id
            else:
                self._say_unlisted(incident_id)
        else:
            index = self.incident_model.index(row, 0)
            self.incident_view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.incident_view.scrollTo(index)
        self._show_details(incident_id)

    @Slot(str)
    def select_patrol(self, patrol_id: str) -> None:
        row = self.patrol_model.row_of(patrol_id)
        if row is not None:
            self.patrol_view.selectRow(row)
            self.patrol_view.scrollTo(self.patrol_model.index(row, 0))

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
        with self._store.read() as connection:
            incident = q.incident(connection, incident_id, with_notes=False)
        self.roster_panel.set_incident(incident)  # (nearest patrols to send)
        if self.details.show_incident_id(incident_id):
            self.map_panel.highlight_incident(incident_id)

    def open_handover(self) -> ReportDialog:
        dialog = ReportDialog(
            self._store,
            self._settings.node.center_id,
            [p.id for p in self._settings.partners],
            map_snapshot=self.map_panel.snapshot,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

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
        self.layer_panel.save()
        self.timeline.end_replay()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop every panel's reads (a long one gives up) before the store closes: a read
        still running on a closed store would fail at quit."""
        self.timeline.shutdown()
        for reads in self.findChildren(BackgroundReads):
            reads.shutdown()


def links_summary(links: dict[str, dict]) -> str:
    """``BG-SVL ● same · TR-EDR ● down`` in the link's colour: green when up with the same
    picture, amber when up but quiet or the pictures differ, red otherwise."""
    parts = []
    for partner, link in sorted(links.items()):
        state = link.get("state", "down")
        if state != "up":
            colour, word = "#c62828", state
        elif link.get("quiet"):
            colour, word = "#ef6c00", "quiet"
        elif link.get("digest_match") is False:
            colour, word = "#ef6c00", "differs"
        elif link.get("catching_up") or link.get("incoming_progress") is not None:
            colour, word = "#1565c0", "catching up"
        else:
            colour, word = "#2e7d32", "up"
        parts.append(f"{partner} <span style='color:{colour}'>●</span> {word}")
    return f"<a href='partners' style='color:inherit;text-decoration:none'>{' · '.join(parts)}</a>"
