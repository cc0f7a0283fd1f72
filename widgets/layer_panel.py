"""The layer panel: which map layers show, how opaque, in what order; import a file as a layer.

It edits the view's :class:`~maps.layers.LayerStack`; the view applies it. A file that cannot
be used is refused with the reason shown in the panel (file and feature named), and the map
is left exactly as it was. Given a :class:`~maps.layer_folder.LayerFolder`, imported layers
and every layer's visibility, opacity and order are kept for the next run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.errors import LimesError
from maps.layer_folder import LayerFolder
from maps.overlay import load_overlay
from widgets.map_view import MapView

FILE_FILTER = "Map layers (*.geojson *.json *.kml);;All files (*)"
SAVE_AFTER_MS = 300  # an opacity drag is saved once it stops


class LayerPanel(QWidget):
    layer_imported = Signal(str)  # the new layer's name

    def __init__(
        self, view: MapView, folder: LayerFolder | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._folder = folder
        self.list = QListWidget()
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setToolTip("Opacity of the selected layer")
        self.opacity.valueChanged.connect(self._on_opacity)
        self.up = QPushButton("Up")
        self.up.setToolTip("Draw the selected layer over the one above it")
        self.up.clicked.connect(lambda: self._move(+1))
        self.down = QPushButton("Down")
        self.down.clicked.connect(lambda: self._move(-1))
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Add a GeoJSON or KML file (sectors, points of interest)")
        self.import_button.clicked.connect(self._choose_file)
        self.remove = QPushButton("Remove")
        self.remove.clicked.connect(self._remove_current)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        buttons = QHBoxLayout()
        for button in (self.up, self.down, self.import_button, self.remove):
            buttons.addWidget(button)
        opacity = QHBoxLayout()
        opacity.addWidget(QLabel("Opacity"))
        opacity.addWidget(self.opacity, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addLayout(opacity)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        view.layers.changed.connect(self._refill)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_AFTER_MS)
        self._save_timer.timeout.connect(self.save)
        if folder is not None:
            self._restore(folder)
            view.layers.changed.connect(self._schedule_save)
        self._refill()

    # -- kept between runs -----------------------------------------------------------------

    def _restore(self, folder: LayerFolder) -> None:
        """The layers of the last run: imported files read again, then every layer's state."""
        problems = []
        try:
            saved = folder.load()
        except LimesError as error:
            self._say(str(error), error=True)
            return
        for name, path in saved.files.items():
            try:
                overlay = dataclasses.replace(load_overlay(path), name=name)
                self._view.add_overlay(overlay)
            except LimesError as error:
                folder.forget(name)
                problems.append(f"Layer {name} not restored: {error}")
        self._view.layers.restore(saved.states)
        if problems:
            self._say(" ".join(problems), error=True)

    def _schedule_save(self) -> None:
        self._save_timer.start()

    def save(self) -> None:
        """Write the layers' state now (else it is written shortly after each change)."""
        self._save_timer.stop()
        if self._folder is None:
            return
        try:
            self._folder.save(self._view.layers)
        except OSError as error:
            self._say(f"{self._folder.path}: the layers cannot be kept ({error})", error=True)

    # -- the list mirrors the stack, top layer first ------------------------------------------

    def names(self) -> list[str]:
        """Layer names as listed: the top one (drawn last) first."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def _refill(self) -> None:
        current = self._current_name()
        self.list.blockSignals(True)
        self.list.clear()
        for layer in reversed(self._view.layers.layers):
            item = QListWidgetItem(layer.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            item.setToolTip("Imported file" if layer.imported else "Part of the map")
            self.list.addItem(item)
            if layer.name == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._show_current()

    def _current_name(self) -> str | None:
        item = self.list.currentItem()
        return item.text() if item is not None else None

    def select(self, name: str) -> None:
        self.list.setCurrentRow(self.names().index(name))

    def _show_current(self) -> None:
        name = self._current_name()
        layer = self._view.layers[name] if name else None
        for widget in (self.opacity, self.up, self.down):
            widget.setEnabled(layer is not None)
        self.remove.setEnabled(layer is not None and layer.imported)
        if layer is not None:
            self.opacity.blockSignals(True)
            self.opacity.setValue(round(layer.opacity * 100))
            self.opacity.blockSignals(False)

    # -- edits ------------------------------------------------------------------------------

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self._view.layers.set_visible(item.text(), item.checkState() == Qt.CheckState.Checked)

    def _on_opacity(self, value: int) -> None:
        name = self._current_name()
        if name:
            self._view.layers.set_opacity(name, value / 100)

    def _move(self, steps: int) -> None:
        name = self._current_name()
        if name:
            self._view.layers.move(name, steps)

    def _remove_current(self) -> None:
        name = self._current_name()
        if name and self._view.layers[name].imported:
            self._view.remove_layer(name)
            if self._folder is not None:
                self._folder.forget(name)
                self.save()
            self._say(f"Removed layer {name}.")

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a map layer", "", FILE_FILTER)
        if path:
            self.import_file(path)

    def import_file(self, path: Path | str) -> str | None:
        """Add a file as a layer; on a bad file, say why here and change nothing."""
        try:
            overlay = load_overlay(path)
            name = self._view.add_overlay(overlay)
        except LimesError as error:
            self._say(f"Not imported: {error}", error=True)
            return None
        self.select(name)
        self._say(f"Imported {Path(path).name} as layer {name} ({len(overlay.features)} features).")
        if self._folder is not None:
            try:
                self._folder.keep(path, name)
                self.save()
            except LimesError as error:  # shown now; it only will not come back next run
                self._say(f"Imported as layer {name}, but {error}", error=True)
        self.layer_imported.emit(name)
        return name

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color:#b71c1c" if error else "color:#2e7d32")
        self.message.setText(text)
