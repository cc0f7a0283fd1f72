"""The mark of a replayed picture: a banner and a tinted frame.

An operator must never take a replayed picture for the live one. While replay is on, every
view that shows the picture at T (map, roster) carries the same purple banner naming the
moment, and the map is framed in the same purple; the timeline's moment line is that colour
too. Both go when replay is switched off.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.replay import Moment
from app.values import format_utc, from_ms

REPLAY_COLOUR = "#6a1b9a"
_STYLE = (
    f"background:{REPLAY_COLOUR}; color:white; font-weight:bold; padding:3px 8px;border-radius:2px"
)


def replay_caption(at_ms: int, moment: Moment) -> str:
    """``REPLAY — as known at 2026-11-21 13:05Z`` (what we knew) or ``… as it was at …``."""
    words = "as it was at" if moment is Moment.AS_IT_WAS else "as known at"
    return f"REPLAY — {words} {format_utc(from_ms(at_ms))}"


class ReplayBanner(QLabel):
    """A purple strip naming the replayed moment; hidden while live.

    Given an ``overlay`` widget it floats over that widget's top edge (so a grab of the
    widget, such as the map's PNG export or the handover snapshot, carries it too);
    otherwise it sits wherever its parent's layout puts it.
    """

    def __init__(self, detail: str, overlay: QWidget | None = None) -> None:
        super().__init__(overlay)
        self._detail = detail
        self._overlay = overlay
        self.setStyleSheet(_STYLE)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.hide()
        if overlay is not None:
            overlay.installEventFilter(self)

    def show_caption(self, caption: str | None) -> None:
        """Show ``caption`` (a :func:`replay_caption`), or hide the banner (None: live)."""
        if caption is None:
            self.hide()
            return
        self.setText(f"{caption} · {self._detail}" if self._detail else caption)
        self.setToolTip(
            "This is the picture rebuilt from the op-log at that moment, not the live one. "
            "Switch Replay off in the timeline to return to live."
        )
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        if self._overlay is not None:
            width = self._overlay.width()
            self.setFixedWidth(width)
            self.adjustSize()
            self.move(0, 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._overlay and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
