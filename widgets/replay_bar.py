"""The replay controls: a time slider over the op-log, play/pause at a chosen speed, and which
moment counts (as it was, or what we knew).

The bar only says which moment the user wants (``moment_chosen``: UTC ms, or None for live);
the timeline panel rebuilds the picture off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from app.replay import Moment
from app.values import format_utc, from_ms

STEPS = 2000  # slider resolution
TICK_MS = 250
SPEEDS = (("1 min/s", 60), ("10 min/s", 600), ("1 h/s", 3600), ("6 h/s", 21_600))


class ReplayBar(QWidget):
    moment_chosen = Signal(object, object)  # at (UTC ms) or None for live, Moment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._span = (0, 1)
        self.toggle = QToolButton(text="Replay", checkable=True)
        self.toggle.setToolTip("Replay the picture at a past moment, rebuilt from the op-log")
        self.moment = QComboBox()
        for moment in (Moment.WHAT_WE_KNEW, Moment.AS_IT_WAS):
            self.moment.addItem(moment.label, moment.value)
        self.moment.setToolTip(
            "As it was: by when things were stamped by the center that wrote them.\n"
            "What we knew: by when this center received them (for after-action reviews)."
        )
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, STEPS)
        self.slider.setValue(STEPS)
        self.when = QLabel("Live")
        self.when.setMinimumWidth(190)
        self.play = QToolButton(text="▶ Play", checkable=True)
        self.speed = QComboBox()
        for label, factor in SPEEDS:
            self.speed.addItem(label, factor)
        self.speed.setCurrentIndex(2)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.toggle, self.moment, self.slider, self.when, self.play, self.speed):
            layout.addWidget(widget, 1 if widget is self.slider else 0)
        self._settle = QTimer(self, singleShot=True, interval=150)
        self._settle.timeout.connect(self._emit)
        self._ticker = QTimer(self, interval=TICK_MS)
        self._ticker.timeout.connect(self._advance)
        self._at: int | None = None
        self.toggle.toggled.connect(self._on_toggled)
        self.slider.valueChanged.connect(self._on_slider)
        self.moment.currentIndexChanged.connect(lambda _i: self._settle.start())
        self.play.toggled.connect(self._on_play)
        self._on_toggled(False)
        self._settle.stop()  # live at start: nothing to announce

    def set_span(self, start_ms: int, end_ms: int) -> None:
        """The moments the op-log covers (the slider's ends)."""
        self._span = (start_ms, max(end_ms, start_ms + 1))

    def at(self) -> int | None:
        return self._at

    def set_at(self, at_ms: int) -> None:
        """Jump to ``at_ms`` (turning replay on)."""
        self.toggle.setChecked(True)
        start, end = self._span
        self._at = min(max(at_ms, start), end)
        self.slider.blockSignals(True)
        self.slider.setValue(round((self._at - start) / (end - start) * STEPS))
        self.slider.blockSignals(False)
        self._settle.start()

    def _on_toggled(self, on: bool) -> None:
        for widget in (self.moment, self.slider, self.play, self.speed):
            widget.setEnabled(on)
        if not on:
            self.play.setChecked(False)
            self._at = None
            self.when.setText("Live")
            # Back to live at once, not after the slider's settling delay: nothing is left
            # pending to fire once the window (and its store) have closed.
            self._settle.stop()
            self._emit()
            return
        self._on_slider(self.slider.value())

    def _on_slider(self, value: int) -> None:
        start, end = self._span
        self._at = start + (end - start) * value // STEPS
        self._settle.start()

    def _on_play(self, playing: bool) -> None:
        self.play.setText("⏸ Pause" if playing else "▶ Play")
        if playing:
            self._ticker.start()
        else:
            self._ticker.stop()

    def _advance(self) -> None:
        if self._at is None:
            return
        step = self.speed.currentData() * TICK_MS
        if self._at + step >= self._span[1]:
            self.play.setChecked(False)
        self.set_at(self._at + step)

    def chosen_moment(self) -> Moment:
        return Moment(self.moment.currentData())

    def _emit(self) -> None:
        moment = self.chosen_moment()
        if self._at is not None:
            prefix = "As it was" if moment is Moment.AS_IT_WAS else "Known"
            self.when.setText(f"<b>{prefix} at {format_utc(from_ms(self._at))}</b>")
        self.moment_chosen.emit(self._at, moment)
