"""The Timeline dock: filter bar, saved views, the time strip and the lazy incident table.

The strip's visible window narrows the table: zoom or pan and the table lists what the strip
shows. Every read (the table's row ids, the strip's marks or counts) runs on a worker thread
and arrives through a queued signal, so a million incidents never freeze the window; the
newest request wins. The table shows the newest page of a new filter first and the rest once
it is read (widgets/timeline_listing.py); the selection is kept across both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import incident_filter as f
from app.errors import ValidationError
from app.incident_filter import IncidentFilter, QuickRange
from app.replay import Moment, PictureDatabase, time_span
from app.settings import data_dir
from app.store import Store
from app.store import queries as q
from app.store.feed import ChangeSet
from app.values import Category, ImpactLevel, IncidentStatus, to_ms
from widgets.background import BackgroundReads
from widgets.incident_table import IncidentTableModel
from widgets.replay_bar import ReplayBar
from widgets.time_strip import LANES, TimeStrip
from widgets.timeline_listing import TimelineListing
from widgets.timeline_outages import link_outage_bands

MAX_MARKS = 3000  # more marks than this in the window: the strip shows counts per bin
BINS_MS = (
    60_000,
    300_000,
    900_000,
    f.HOUR_MS,
    3 * f.HOUR_MS,
    6 * f.HOUR_MS,
    f.DAY_MS,
    7 * f.DAY_MS,
)
OPEN = "open"  # the status choice "any open status"
OPEN_STATUSES = frozenset(s.value for s in IncidentStatus if s.is_open)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def bin_for(span_ms: int, bins: int = 240) -> int:
    """The smallest round bin that cuts ``span_ms`` into at most ``bins`` bars."""
    return next((b for b in BINS_MS if span_ms / b <= bins), BINS_MS[-1])


@dataclass
class StripContent:
    start_ms: int
    bin_ms: int
    counts: np.ndarray | None  # (lanes, bins) when zoomed out
    marks: dict[str, np.ndarray] | None  # when few enough
    outages: list[tuple[int, int, str, str]] = field(default_factory=list)  # partner links


class TimelinePanel(QWidget):
    """Emits ``incident_selected`` (id) when an incident is chosen in the strip or the table."""

    incident_selected = Signal(str)
    first_page_shown = Signal(int)  # the newest rows are shown; the rest is being read
    loaded = Signal(int)  # the complete list is shown in the table: its length
    # (at UTC ms, PictureDatabase) when a replayed moment is shown; (None, None) back to live.
    # The picture's ``read()`` has the store's incidents and sectors tables (for the map).
    replay_changed = Signal(object, object)

    def __init__(
        self,
        store: Store,
        model: IncidentTableModel,
        table: QTableView,
        centers: Sequence[str],
        *,
        now_ms: Callable[[], int] = _now_ms,
        views_file: Path | None = None,
        opening_range: QuickRange | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``opening_range``: the quick range selected at first (None: all time)."""
        super().__init__(parent)
        self._store = store
        self.model = model
        self.table = table
        self._now_ms = now_ms
        self._views_file = views_file or data_dir() / "timeline_views.ini"
        self._reads = BackgroundReads(self)
        self.listing = TimelineListing(model, self)
        self.listing.first_page_shown.connect(self._on_first_page)
        self.listing.loaded.connect(self._on_listed)
        self._selection_wanted: str | None = None  # kept across a re-list until it is listed
        # The strip's counts over years can take longer than the table's row ids: on their
        # own thread they never hold up the table.
        self._strip_reads = BackgroundReads(self)
        self._tickets: dict[str, object] = {}
        self._source: Store | PictureDatabase = store  # what the views read: live or replayed
        self._base = IncidentFilter()
        self._criteria = IncidentFilter()  # base narrowed to the strip's window

        self.strip = TimeStrip()
        self.summary = QLabel()
        self.summary.setStyleSheet("color:#444")
        self._build_filter_bar(centers)
        self.quick_buttons[opening_range].setChecked(True)
        self.replay = ReplayBar()
        self.replay.toggle.toggled.connect(self._on_replay_toggled)
        self.replay.moment_chosen.connect(self._on_moment_chosen)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.strip)
        splitter.addWidget(table)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(self._bar)
        layout.addWidget(self.replay)
        layout.addWidget(splitter, 1)

        self.strip.window_changed.connect(self._load_window)
        self.strip.mark_clicked.connect(self._on_mark_clicked)
        table.selectionModel().currentRowChanged.connect(self._on_row)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.model.rowsInserted.connect(lambda *_: self._restore_selection())
        self.apply_filter()

    # -- the filter bar --------------------------------------------------------------------------

    def _build_filter_bar(self, centers: Sequence[str]) -> None:
        self._bar = QHBoxLayout()
        self._bar.setSpacing(4)
        self.quick_buttons: dict[QuickRange | None, QToolButton] = {}
        group = QButtonGroup(self)
        for quick, label in [(None, "All"), *((r, r.label) for r in QuickRange)]:
            button = QToolButton(text=label, checkable=True)
            button.setToolTip("Show all time" if quick is None else f"Show {label.lower()} (UTC)")
            group.addButton(button)
            self.quick_buttons[quick] = button
            self._bar.addWidget(button)
        group.buttonClicked.connect(lambda _button: self.apply_filter())

        self.category = self._combo("Any category", [(c.value, c.label) for c in Category])
        self.impact = self._combo(
            "Any impact", [(lvl.value, lvl.label) for lvl in ImpactLevel if lvl.value != "critical"]
        )
        self.status = self._combo(
            "Any status", [(OPEN, "Open"), *((s.value, s.label) for s in IncidentStatus)]
        )
        self.owner = self._combo("Any owner", [(c, c) for c in centers])
        with self._store.read() as connection:
            sectors = q.sectors(connection)
        self.sector = self._combo("Any sector", [(s.id, s.name) for s in sectors])
        self.search = QLineEdit(placeholderText="Search title, text, id…", clearButtonEnabled=True)
        self.search.setMinimumWidth(160)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self._bar.addWidget(self.search, 1)

        self.views = QComboBox()
        self.views.setToolTip("Saved views (kept on this workstation)")
        self.views.setMinimumWidth(130)
        self._refresh_views()
        self.views.activated.connect(lambda index: self._on_view_chosen(index))
        save = QToolButton(text="Save view…")
        save.clicked.connect(self._ask_view_name)
        forget = QToolButton(text="Delete view")
        forget.clicked.connect(lambda: self.delete_view(self.views.currentText()))
        for widget in (self.views, save, forget):
            self._bar.addWidget(widget)
        self._bar.addWidget(self.summary)

    def _combo(self, anything: str, items: Sequence[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(anything, None)
        for value, label in items:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self._bar.addWidget(combo)
        return combo

    def current_filter(self) -> IncidentFilter:
        """The criteria the bar shows (a quick range stays rolling)."""
        quick = next((r for r, b in self.quick_buttons.items() if b.isChecked()), None)
        status = self.status.currentData()

        def chosen(combo: QComboBox) -> frozenset[str]:
            value = combo.currentData()
            return frozenset() if value is None else frozenset({value})

        return IncidentFilter(
            quick=quick,
            categories=chosen(self.category),
            impacts=chosen(self.impact),
            statuses=OPEN_STATUSES if status == OPEN else chosen(self.status),
            owners=chosen(self.owner),
            sectors=chosen(self.sector),
            text=self.search.text().strip(),
        )

    def set_filter(self, criteria: IncidentFilter) -> None:
        """Show ``criteria`` in the bar (first of each set; the bar picks one value) and apply."""
        self.quick_buttons[criteria.quick].setChecked(True)
        statuses = criteria.statuses
        widgets = (
            (self.category, criteria.categories),
            (self.impact, criteria.impacts),
            (self.status, {OPEN} if statuses == OPEN_STATUSES else statuses),
            (self.owner, criteria.owners),
            (self.sector, criteria.sectors),
        )
        for combo, values in widgets:
            combo.blockSignals(True)
            index = combo.findData(min(values)) if values else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.setText(criteria.text)
        self.search.blockSignals(False)
        self.apply_filter()

    # -- loading ---------------------------------------------------------------------------------

    @Slot()
    def apply_filter(self) -> None:
        """Take the bar's criteria: list them in the table at once; meanwhile fit the strip to
        their time range and draw it."""
        self._debounce.stop()
        self._base = self.current_filter().resolved(self._clock())
        base, store, now = self._base, self._source, self._clock()
        self._load_rows(base)

        def read() -> tuple[int, int] | None:
            with store.read() as connection:
                return f.time_range(connection, base)

        self._request("range", read, lambda found: self._fit(base, found, now))

    def _request(self, key: str, read: Callable[[], Any], deliver: Callable[[Any], None]) -> None:
        """Read off the GUI thread; only the newest request per key is delivered."""
        ticket = self._tickets[key] = object()

        def done(result: tuple[object, Any]) -> None:
            got, value = result
            if got is self._tickets.get(key):
                deliver(value)
            elif isinstance(value, PictureDatabase) and value is not self._source:
                value.close()  # built for a moment no longer wanted (a moved one is kept)

        reads = self._strip_reads if key in ("range", "strip") else self._reads
        reads.request(key, lambda: (ticket, read()), done)

    def _fit(self, base: IncidentFilter, found: tuple[int, int] | None, now: int) -> None:
        start = base.start_ms if base.start_ms is not None else (found[0] if found else now)
        end = base.end_ms if base.end_ms is not None else max(found[1] if found else now, now)
        pad = max((end - start) // 40, 60_000)
        self.strip.set_window(start - pad, end + pad, notify=False)
        self._load_strip(base)

    def _load_window(self, start_ms: int, end_ms: int) -> None:
        self._load(f.within(self._base, start_ms, end_ms))

    def _load(self, criteria: IncidentFilter) -> None:
        self._load_rows(criteria)
        self._load_strip(criteria)

    def _load_rows(self, criteria: IncidentFilter) -> None:
        self._criteria = criteria
        self.listing.list(self._source, criteria)

    def _load_strip(self, criteria: IncidentFilter) -> None:
        store, live = self._source, self._store
        start, end = self.strip.window()
        until = self.replay.at() or self._now_ms()

        def read_strip() -> StripContent:
            bin_ms = bin_for(end - start)
            first = start - start % bin_ms
            with live.read() as connection:  # outages are this center's, never replayed
                outages = link_outage_bands(connection, start, min(end, until), until)
            with store.read() as connection:
                counts = f.histogram(connection, criteria, first, end, bin_ms, lanes=LANES)
                if counts.sum() <= MAX_MARKS:
                    # Only the window's: live incidents can fall outside it, and the
                    # window's count is what keeps the marks under MAX_MARKS.
                    marks = f.marks(connection, f.within(criteria, first, end))
                    return StripContent(first, bin_ms, None, marks, outages)
            return StripContent(first, bin_ms, counts, None, outages)

        self._request("strip", read_strip, self._show_strip)

    def _on_first_page(self, shown: int) -> None:
        self.summary.setText(f"newest <b>{shown:,}</b> of … incidents, counting…")
        self.first_page_shown.emit(shown)

    def _on_listed(self, listed: int) -> None:
        self.summary.setText(f"<b>{listed:,}</b> incidents")
        self.loaded.emit(listed)

    def _show_strip(self, content: StripContent) -> None:
        self.strip.show_outages(content.outages)
        if content.marks is not None:
            m = content.marks
            self.strip.show_marks(m["occurred_at"], m["category"], m["impact"], m["rowid"])
        else:
            self.strip.show_counts(content.start_ms, content.bin_ms, content.counts)
        self._show_selection_mark()

    def apply_changes(self, changes: ChangeSet) -> None:
        """Live updates: the table refreshes what changed; the strip recounts its window.
        A replay stays at its moment."""
        if not changes.ids("incident") or self.replaying:
            return
        self.listing.apply_changes(changes.ids("incident"))  # checked on the worker
        self._load_strip(self._criteria)

    def reload(self) -> None:
        self.apply_filter()

    # -- replay -----------------------------------------------------------------------------------

    @property
    def replaying(self) -> bool:
        return self._source is not self._store

    def _clock(self) -> int:
        """Now, or the replayed moment: quick ranges count back from it."""
        at = self.replay.at()
        return self._now_ms() if at is None else at

    def _on_replay_toggled(self, on: bool) -> None:
        if not on:
            return
        store, now = self._store, self._now_ms()

        def read() -> tuple[int, int] | None:
            with store.read() as connection:
                return time_span(connection)

        def deliver(span: tuple[int, int] | None) -> None:
            start, end = span or (now - f.HOUR_MS, now)
            self.replay.set_span(start, max(end, now))
            self.replay.set_at(max(end, now))

        self._request("span", read, deliver)

    def _on_moment_chosen(self, at: int | None, moment: Moment) -> None:
        self.strip.show_moment(at)
        if at is None:
            self._tickets.pop("replay", None)  # a picture still being written is not shown
            self._show_source(self._store, None, moment)
            return
        store = self._store
        shown = self._source if isinstance(self._source, PictureDatabase) else None

        def read() -> PictureDatabase:
            # Scrubbing moves the picture shown (rewriting what differs); the first moment,
            # or one after replay was left, builds one.
            if shown is not None and shown.move_to(at, moment) is not None:
                return shown
            return PictureDatabase(store.path, at, moment)

        self._request("replay", read, lambda database: self._show_source(database, at, moment))

    def _show_source(self, source: Store | PictureDatabase, at: int | None, moment: Moment) -> None:
        old, was_replaying = self._source, self.replaying
        self._source = source
        self.model.set_source(source)
        if was_replaying and source is not self._store and self._base.quick is None:
            self._load(f.within(self._base, *self.strip.window()))  # keep the user's zoom
        else:
            self.apply_filter()
        if isinstance(old, PictureDatabase) and old is not source:
            old.close()
        self.replay_changed.emit(at, source if at is not None else None)

    # -- selection, linked both ways -------------------------------------------------------------

    def selected_id(self) -> str | None:
        current = self.table.currentIndex()
        return current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None

    def _remember_selection(self) -> None:
        self._selection_wanted = self.selected_id() or self._selection_wanted

    def _restore_selection(self) -> None:
        """After a re-list: select the incident selected before, once it is listed (the first
        page may not hold it; the complete list does, if it still matches)."""
        wanted = self._selection_wanted
        if wanted is not None:
            row = self.model.row_of(wanted)
            if row is not None:
                self._select_row(row)
            elif self.model.complete:
                self._selection_wanted = None  # no longer matches the filter
        self._show_selection_mark()

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    @Slot(int)
    def _on_mark_clicked(self, rowid: int) -> None:
        row = self.model.row_of_rowid(rowid)
        if row is not None:
            self._select_row(row)

    def _on_row(self, current, _previous) -> None:
        if current.isValid():
            self._selection_wanted = None  # chosen now (a reset only clears the current row)
        self._show_selection_mark()
        incident_id = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        if incident_id:
            self.incident_selected.emit(incident_id)

    def _show_selection_mark(self) -> None:
        current = self.table.currentIndex()
        incident = self.model.incident_at(current.row()) if current.isValid() else None
        if incident is None:
            self.strip.mark_selected(None, None)
        else:
            self.strip.mark_selected(to_ms(incident.occurred_at), incident.category.value)

    # -- saved views (local to this workstation, not replicated) ---------------------------------

    def _stored_views(self) -> QSettings:
        self._views_file.parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(self._views_file), QSettings.Format.IniFormat)

    def view_names(self) -> list[str]:
        stored = self._stored_views()
        stored.beginGroup("views")
        names = sorted(stored.childKeys(), key=str.casefold)
        stored.endGroup()
        return names

    def save_view(self, name: str) -> None:
        name = name.strip()
        if not name or "/" in name or "\\" in name:
            raise ValidationError("view name", "give a name without slashes")
        stored = self._stored_views()
        stored.setValue(f"views/{name}", json.dumps(self.current_filter().to_json()))
        stored.sync()
        self._refresh_views(select=name)

    def apply_view(self, name: str) -> None:
        raw = self._stored_views().value(f"views/{name}")
        if raw is None:
            raise ValidationError("view", f"no saved view named {name!r}")
        self.set_filter(IncidentFilter.from_json(json.loads(str(raw))))

    def delete_view(self, name: str) -> None:
        if name not in self.view_names():
            return
        stored = self._stored_views()
        stored.remove(f"views/{name}")
        stored.sync()
        self._refresh_views()

    def _refresh_views(self, select: str | None = None) -> None:
        self.views.blockSignals(True)
        self.views.clear()
        self.views.addItem("Saved views…", None)
        for name in self.view_names():
            self.views.addItem(name, name)
        self.views.setCurrentIndex(max(0, self.views.findData(select)) if select else 0)
        self.views.blockSignals(False)

    def _on_view_chosen(self, index: int) -> None:
        name = self.views.itemData(index)
        if name:
            try:
                self.apply_view(name)
            except ValidationError as error:
                self.summary.setText(f"<span style='color:#c62828'>{error}</span>")

    def _ask_view_name(self) -> None:
        name, ok = QInputDialog.getText(self, "Save view", "Name of this view:")
        if ok and name.strip():
            try:
                self.save_view(name)
            except ValidationError as error:
                self.summary.setText(f"<span style='color:#c62828'>{error}</span>")

    def end_replay(self) -> None:
        """Back to live, the replayed picture's temporary file removed (on closing the window)."""
        if self.replay.toggle.isChecked():
            self.replay.toggle.setChecked(False)
        if isinstance(self._source, PictureDatabase):
            self._source.close()
            self._source = self._store
            self.model.set_source(self._store)
            self.replay_changed.emit(None, None)  # the map and roster let go of it too

    def shutdown(self) -> None:
        self.listing.shutdown()
        self._reads.shutdown()
        self._strip_reads.shutdown()
        self.end_replay()
