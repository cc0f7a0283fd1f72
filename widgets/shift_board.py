"""The shift board: sectors as rows, hours as columns, patrols as bars (Gantt-style).

Each row shows the sector's impact level; hours when a sector at or above the coverage level has
no patrol are hatched red (coverage gaps). A bar carries the call sign and the crew's
nationalities; a bar that breaks a rule is outlined red with the rule's name under it.
Drag a bar to another row or hour to reassign it (snapped to the hour); drop an officer from
the officer list onto a bar to add them to the crew; double-click an empty hour to plan a new
patrol there. The board only emits what was asked;
the roster panel checks the rules and saves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QMimeData, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from app import values as v
from app.domain import Patrol
from app.roster_rules import Violation
from app.roster_state import RosterState

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
GAP_BRUSH = QBrush(QColor(211, 47, 47, 90), Qt.BrushStyle.BDiagPattern)


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


class ShiftBoard(QGraphicsView):
    patrol_moved = Signal(str, str, object)  # patrol id, sector id, new shift start (datetime)
    officer_dropped = Signal(str, str, str)  # officer id, onto patrol id, from patrol id or ""
    patrol_selected = Signal(str)
    new_patrol_requested = Signal(str, object)  # sector id, shift start (datetime)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setAcceptDrops(True)
        self.bars: dict[str, PatrolBar] = {}
        self.gap_items: list[QGraphicsRectItem] = []
        self._rows: list[tuple[str, float, float]] = []  # sector id, top, bottom
        self.start = datetime.now(UTC)
        self.hours = 24

    # -- drawing --------------------------------------------------------------------------------

    def x_of(self, moment: datetime) -> float:
        return LABEL_W + (moment - self.start) / timedelta(hours=1) * HOUR_W

    def time_at(self, x: float) -> datetime:
        hours = round((x - LABEL_W) / HOUR_W)
        return self.start + timedelta(hours=hours)

    def show_roster(self, state: RosterState, start: datetime, hours: int, now: datetime) -> None:
        scene = self.scene()
        scene.clear()
        self.bars, self.gap_items, self._rows = {}, [], []
        self.start, self.hours = start, hours
        end = start + timedelta(hours=hours)
        width = LABEL_W + hours * HOUR_W
        # the sectors that matter most on top: critical, high, ... then by name
        sectors = sorted(state.sectors.values(), key=lambda s: (-s.impact.rank, s.name))
        by_sector: dict[str, list[Patrol]] = {}
        for patrol in state.patrols.values():
            if patrol.shift_end > start and patrol.shift_start < end:
                by_sector.setdefault(patrol.sector_id, []).append(patrol)
        gaps: dict[str, list] = {}
        for gap in state.gaps(max(start, now), end):  # past hours are history, not a task
            gaps.setdefault(gap.sector_id, []).append(gap)

        conflicts = {
            c.violation.patrol_id: c.centers[1]
            for c in state.conflicts()
            if not c.violation.overridden
        }
        small = QFont()
        small.setPointSizeF(8)
        for hour in range(hours + 1):
            moment = start + timedelta(hours=hour)
            x = self.x_of(moment)
            if hour < hours and moment.hour % 2 == 0:
                label = scene.addSimpleText(f"{moment:%H}Z" if moment.hour else f"{moment:%d %b}")
                label.setFont(small)
                label.setPos(x + 2, 4)
        top = HEADER_H
        for sector in sectors:
            lanes = _lanes(sorted(by_sector.get(sector.id, []), key=lambda p: p.shift_start))
            height = max(1, len(lanes)) * LANE_H + 2 * ROW_PAD + 10
            self._rows.append((sector.id, top, top + height))
            scene.addRect(
                QRectF(0, top, width, height), QPen(QColor("#cfd8dc")), QBrush(QColor("#ffffff"))
            )
            chip = scene.addRect(
                QRectF(4, top + 5, 8, height - 10),
                QPen(Qt.PenStyle.NoPen),
                QBrush(QColor(IMPACT_COLORS[sector.impact.value])),
            )
            chip.setToolTip(f"Impact: {sector.impact.label}")
            name = scene.addSimpleText(sector.name)
            name.setPos(16, top + 4)
            countries = "/".join(state.validator.sector_countries(sector.id)) or sector.country
            needs = sector.impact.rank >= state.coverage_min_impact.rank
            detail = scene.addSimpleText(
                f"{sector.impact.label} impact · {countries}" + (" · needs cover" if needs else "")
            )
            detail.setFont(small)
            detail.setBrush(QBrush(QColor("#b71c1c" if needs else "#546e7a")))
            detail.setPos(16, top + 20)
            for gap in gaps.get(sector.id, []):
                x0 = self.x_of(v.from_ms(gap.start_ms))
                x1 = self.x_of(v.from_ms(gap.end_ms))
                item = scene.addRect(
                    QRectF(x0, top + 1, x1 - x0, height - 2), QPen(QColor("#d32f2f")), GAP_BRUSH
                )
                item.setToolTip(
                    f"Coverage gap: {sector.name} ({sector.impact.label}) has no patrol "
                    f"{v.from_ms(gap.start_ms):%d %H:%M}Z–{v.from_ms(gap.end_ms):%d %H:%M}Z"
                )
                item.setData(0, sector.id)
                self.gap_items.append(item)
                if gap.start_ms <= v.to_ms(now) < gap.end_ms:
                    item.setPen(QPen(QColor("#d32f2f"), 2))
                    alarm = scene.addSimpleText("NO PATROL NOW")
                    alarm.setBrush(QBrush(QColor("#b71c1c")))
                    bold = QFont(small)
                    bold.setBold(True)
                    alarm.setFont(bold)
                    alarm.setPos(x0 + 6, top + height / 2 - 7)
                    alarm.setZValue(1)
            for lane, patrols in enumerate(lanes):
                for patrol in patrols:
                    x0 = max(self.x_of(patrol.shift_start), LABEL_W)
                    x1 = min(self.x_of(patrol.shift_end), width)
                    rect = QRectF(x0, top + ROW_PAD + lane * LANE_H, x1 - x0, LANE_H - 10)
                    label = f"{patrol.call_sign} · {'/'.join(state.countries_of(patrol)) or '—'}"
                    bar = PatrolBar(self, patrol, rect, label)
                    bar.setZValue(2)
                    crew_conflict = state.crew_conflicts.get(patrol.id)
                    bar.mark(
                        state.violations_of(patrol.id),
                        conflicts.get(patrol.id, ""),
                        "/".join(crew_conflict.centers) if crew_conflict else "",
                    )
                    if not bar.toolTip():
                        bar.setToolTip(
                            f"{patrol.call_sign} ({patrol.status.label}), "
                            f"{patrol.shift_start:%H:%M}–{patrol.shift_end:%H:%M}Z"
                        )
                    scene.addItem(bar)
                    self.bars[patrol.id] = bar
            top += height
        for hour in range(hours + 1):
            x = self.x_of(start + timedelta(hours=hour))
            line = scene.addLine(x, HEADER_H, x, top, QPen(QColor("#eceff1")))
            line.setZValue(0.5)
        if start <= now <= end:
            x = self.x_of(now)
            now_line = scene.addLine(x, 0, x, top, QPen(QColor("#d50000"), 2))
            now_line.setZValue(4)
            label = scene.addSimpleText("now")
            label.setBrush(QBrush(QColor("#d50000")))
            label.setFont(small)
            label.setPos(x + 3, HEADER_H - 12)
        scene.setSceneRect(QRectF(0, 0, width, top))

    # -- editing ---------------------------------------------------------------------------------

    def mouseDoubleClickEvent(self, event) -> None:
        """A double click on an empty hour of a sector plans a new patrol there."""
        point = self.mapToScene(event.position().toPoint())
        sector_id = self.sector_at(point.y())
        if (
            sector_id
            and point.x() > LABEL_W
            and not isinstance(self.itemAt(event.position().toPoint()), PatrolBar)
        ):
            hour = int((point.x() - LABEL_W) // HOUR_W)
            self.new_patrol_requested.emit(sector_id, self.start + timedelta(hours=hour))
            return
        super().mouseDoubleClickEvent(event)

    def sector_at(self, y: float) -> str | None:
        for sector_id, top, bottom in self._rows:
            if top <= y < bottom:
                return sector_id
        return None

    def bar_dropped(self, bar: PatrolBar, center: QPointF) -> None:
        """A bar was dragged: its sector is the row under its centre, its start the nearest hour."""
        sector_id = self.sector_at(center.y())
        left = bar.sceneBoundingRect().left()
        patrol = bar.patrol
        if bar.rect().left() <= LABEL_W + 0.5 and self.x_of(patrol.shift_start) < LABEL_W:
            left = self.x_of(patrol.shift_start) + bar.pos().x()  # bar clipped on the left
        start = self.time_at(left)
        bar.setPos(0, 0)  # the roster redraws it where the saved patrol is
        if sector_id is None:
            return
        if sector_id != patrol.sector_id or start != patrol.shift_start:
            self.patrol_moved.emit(patrol.id, sector_id, start)

    def dragEnterEvent(self, event) -> None:
        super().dragEnterEvent(event)
        if event.mimeData().hasFormat(OFFICER_MIME):
            event.acceptProposedAction()  # even between bars, so the drag goes on to one

    def dragMoveEvent(self, event) -> None:
        super().dragMoveEvent(event)
        if event.mimeData().hasFormat(OFFICER_MIME):
            event.accept()


def _lanes(patrols: list[Patrol]) -> list[list[Patrol]]:
    """Patrols of one row in as few lanes as keep their shifts from overlapping."""
    lanes: list[list[Patrol]] = []
    for patrol in patrols:
        for lane in lanes:
            if lane[-1].shift_end <= patrol.shift_start:
                lane.append(patrol)
                break
        else:
            lanes.append([patrol])
    return lanes
