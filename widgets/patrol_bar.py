"""One patrol's bar on the shift board, and the colours and drag payload the board shares.

A bar is drawn from what it shows (:attr:`PatrolBar.look`): the board replaces a bar only when
that changes, so an edit redraws the bars it touched, not the board.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
)

from app.domain import Patrol
from app.roster_rules import Violation

if TYPE_CHECKING:
    from widgets.shift_board import ShiftBoard

OFFICER_MIME = "application/x-limes-officer"  # payload: "officer_id\nfrom_patrol_id"
LABEL_W = 190.0
HOUR_W = 34.0
HEADER_H = 24.0
LANE_H = 26.0
ROW_PAD = 4.0
IMPACT_COLORS = {
    "low": "#a5d6a7",
    "medium": "#ffe082",
    "high": "#ffab91",
    "critical": "#ef5350",
}
STATUS_COLORS = {
    "available": "#43a047",
    "en_route": "#1e88e5",
    "on_scene": "#e53935",
    "returning": "#78909c",
    "planned": "#9e9e9e",
    "off_duty": "#cfd8dc",
}


def officer_mime(officer_id: str, from_patrol: str = "") -> QMimeData:
    mime = QMimeData()
    mime.setData(OFFICER_MIME, f"{officer_id}\n{from_patrol}".encode())
    return mime


class PatrolBar(QGraphicsRectItem):
    """One patrol's shift on its sector's row; movable, accepts officers dropped on it."""

    def __init__(self, board: ShiftBoard, patrol: Patrol, rect: QRectF, label: str) -> None:
        super().__init__(rect)
        self.board = board
        self.patrol = patrol
        self.violations: list[Violation] = []
        self.look: tuple[object, ...] = ()  # what the board drew it from
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptDrops(True)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setBrush(QBrush(QColor(STATUS_COLORS.get(patrol.status.value, "#9e9e9e"))))
        self.setPen(QPen(QColor("#37474f"), 1))
        text = QGraphicsSimpleTextItem(label, self)
        text.setBrush(QBrush(QColor("white" if patrol.status.value != "off_duty" else "black")))
        font = QFont()
        font.setPointSizeF(8.5)
        font.setBold(True)
        text.setFont(font)
        text.setPos(
            rect.left() + 4, rect.top() + (rect.height() - text.boundingRect().height()) / 2
        )
        self.label = text

    def mark(
        self, violations: list[Violation], conflict: str = "", crew_conflict: str = ""
    ) -> None:
        """Outline in red (dashed when every violation is overridden) and say which rules;
        ``conflict`` names the other center of a double booking, ``crew_conflict`` the
        centers whose concurrent crew edits are not settled yet."""
        self.violations = violations
        if not violations and not crew_conflict:
            return
        active = [x for x in violations if not x.overridden]
        pen = QPen(QColor("#b71c1c"), 3)
        if not active and not crew_conflict:
            pen = QPen(QColor("#6d4c41"), 2, Qt.PenStyle.DashLine)
        self.setPen(pen)
        rules = sorted({x.rule.label for x in (active or violations)})
        if crew_conflict:
            rules.insert(0, f"Crew conflict {crew_conflict}")
        prefix = f"⚠ Conflict with {conflict}: " if conflict else ("⚠ " if active else "✓ ")
        if crew_conflict and not conflict:
            prefix = "⚠ "
        marker = QGraphicsSimpleTextItem(prefix + ", ".join(rules), self)
        urgent = bool(active or crew_conflict)
        marker.setBrush(QBrush(QColor("#b71c1c" if urgent else "#6d4c41")))
        font = QFont()
        font.setPointSizeF(7.5)
        font.setBold(urgent)
        marker.setFont(font)
        rect = self.rect()
        marker.setPos(rect.left() + 2, rect.bottom() - 1)
        marker.setZValue(3)
        self.marker = marker
        lines = [x.text for x in violations]
        if crew_conflict:
            lines.insert(0, f"Crew edited at once by {crew_conflict}: settle it in the roster")
        self.setToolTip("\n".join(lines))

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.board.patrol_selected.emit(self.patrol.id)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self.pos().manhattanLength() > 3:
            self.board.bar_dropped(self, self.sceneBoundingRect().center())

    def dragEnterEvent(self, event) -> None:
        event.setAccepted(event.mimeData().hasFormat(OFFICER_MIME))

    def dropEvent(self, event) -> None:
        officer_id, _, from_patrol = (
            bytes(event.mimeData().data(OFFICER_MIME)).decode().partition("\n")
        )
        self.board.officer_dropped.emit(officer_id, self.patrol.id, from_patrol)
        event.acceptProposedAction()
