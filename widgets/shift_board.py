"""The shift board: sectors as rows, hours as columns, patrols as bars (Gantt-style).

Each row shows the sector's impact level; hours when a sector at or above the coverage level has
no patrol are hatched red (coverage gaps). A bar carries the call sign and the crew's
nationalities; a bar that breaks a rule is outlined red with the rule's name under it.
Drag a bar to another row or hour to reassign it (snapped to the hour); drop an officer from
the officer list onto a bar to add them to the crew; double-click an empty hour to plan a new
patrol there. The board only emits what was asked; the roster panel checks the rules and saves.

Shown again after an edit, the board redraws only what changed (bars whose look changed, rows
whose gaps changed) as long as every row keeps its lanes and the hours shown are the same;
otherwise (a patrol moved to another row, a new one, the clock's next minute) it is drawn
whole. bench/roster_board.py measures both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from app import values as v
from app.domain import Patrol, Sector
from app.roster_coverage import Gap
from app.roster_state import RosterState
from widgets.patrol_bar import (  # noqa: F401  (the board's names, as its users import them)
    IMPACT_COLORS,
    OFFICER_MIME,
    STATUS_COLORS,
    PatrolBar,
    officer_mime,
)

LABEL_W = 190.0
HOUR_W = 34.0
HEADER_H = 24.0
LANE_H = 26.0
ROW_PAD = 4.0
GAP_BRUSH = QBrush(QColor(211, 47, 47, 90), Qt.BrushStyle.BDiagPattern)


@dataclass(frozen=True)
class _Row:
    """What one sector's row shows: its patrols in lanes, and its coverage gaps."""

    sector: Sector
    countries: str
    needs_cover: bool
    lanes: tuple[tuple[Patrol, ...], ...]
    gaps: tuple[Gap, ...]

    @property
    def height(self) -> float:
        return max(1, len(self.lanes)) * LANE_H + 2 * ROW_PAD + 10

    @property
    def frame(self) -> tuple[object, ...]:
        """What fixes the row's place and header: equal frames, same rows below it."""
        return (self.sector, self.countries, self.needs_cover, len(self.lanes))


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
        self._drawn: dict[str, _Row] = {}  # what each row shows now
        self._gap_items_of: dict[str, list[QGraphicsItem]] = {}  # per sector: gaps, alarms
        self._frame: tuple[object, ...] = ()  # the whole board's; equal: only update
        self.start = datetime.now(UTC)
        self.hours = 24
        self.last_redraw = ""  # "whole", or how many bars and rows were redrawn (for tests)

    # -- drawing --------------------------------------------------------------------------------

    def x_of(self, moment: datetime) -> float:
        return LABEL_W + (moment - self.start) / timedelta(hours=1) * HOUR_W

    def time_at(self, x: float) -> datetime:
        hours = round((x - LABEL_W) / HOUR_W)
        return self.start + timedelta(hours=hours)

    def show_roster(self, state: RosterState, start: datetime, hours: int, now: datetime) -> None:
        rows = self._plan(state, start, hours, now)
        minute = now.replace(second=0, microsecond=0)
        frame = (start, hours, minute, tuple(row.frame for row in rows))
        if frame == self._frame:
            self._update(state, rows, now)
        else:
            self._draw_whole(state, rows, start, hours, now)
            self._frame = frame

    def _plan(self, state: RosterState, start: datetime, hours: int, now: datetime) -> list[_Row]:
        end = start + timedelta(hours=hours)
        # the sectors that matter most on top: critical, high, ... then by name
        sectors = sorted(state.sectors.values(), key=lambda s: (-s.impact.rank, s.name))
        by_sector: dict[str, list[Patrol]] = {}
        for patrol in state.patrols.values():
            if patrol.shift_end > start and patrol.shift_start < end:
                by_sector.setdefault(patrol.sector_id, []).append(patrol)
        gaps: dict[str, list[Gap]] = {}
        # past hours are history, not a task; from this minute on (redrawn every minute)
        for gap in state.gaps(max(start, now.replace(second=0, microsecond=0)), end):
            gaps.setdefault(gap.sector_id, []).append(gap)
        return [
            _Row(
                sector,
                "/".join(state.validator.sector_countries(sector.id)) or sector.country,
                sector.impact.rank >= state.coverage_min_impact.rank,
                tuple(
                    tuple(lane)
                    for lane in _lanes(
                        sorted(by_sector.get(sector.id, []), key=lambda p: (p.shift_start, p.id))
                    )
                ),
                tuple(gaps.get(sector.id, [])),
            )
            for sector in sectors
        ]

    def _draw_whole(
        self, state: RosterState, rows: list[_Row], start: datetime, hours: int, now: datetime
    ) -> None:
        scene = self.scene()
        scene.clear()
        self.bars, self.gap_items, self._rows = {}, [], []
        self._drawn, self._gap_items_of = {}, {}
        self.start, self.hours = start, hours
        end = start + timedelta(hours=hours)
        width = LABEL_W + hours * HOUR_W
        small = QFont()
        small.setPointSizeF(8)
        for hour in range(hours):
            moment = start + timedelta(hours=hour)
            if moment.hour % 2 == 0:
                label = scene.addSimpleText(f"{moment:%H}Z" if moment.hour else f"{moment:%d %b}")
                label.setFont(small)
                label.setPos(self.x_of(moment) + 2, 4)
        top = HEADER_H
        looks = self._looks(state)
        for row in rows:
            sector, height = row.sector, row.height
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
            detail = scene.addSimpleText(
                f"{sector.impact.label} impact · {row.countries}"
                + (" · needs cover" if row.needs_cover else "")
            )
            detail.setFont(small)
            detail.setBrush(QBrush(QColor("#b71c1c" if row.needs_cover else "#546e7a")))
            detail.setPos(16, top + 20)
            self._draw_gaps(row, top, now)
            for lane, patrols in enumerate(row.lanes):
                for patrol in patrols:
                    self._draw_bar(patrol, lane, top, looks[patrol.id])
            self._drawn[sector.id] = row
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
        self.last_redraw = "whole"

    def _update(self, state: RosterState, rows: list[_Row], now: datetime) -> None:
        """Every row keeps its place: redraw the bars whose look changed and the gaps that
        changed, nothing else."""
        looks = self._looks(state)
        scene = self.scene()
        bars_redrawn, rows_redrawn = 0, 0
        shown: set[str] = set()
        for (sector_id, top, _bottom), row in zip(self._rows, rows, strict=True):
            if row.gaps != self._drawn[sector_id].gaps:
                for item in self._gap_items_of.pop(sector_id, []):
                    scene.removeItem(item)
                self.gap_items = [i for i in self.gap_items if i.scene() is not None]
                self._draw_gaps(row, top, now)
                rows_redrawn += 1
            for lane, patrols in enumerate(row.lanes):
                for patrol in patrols:
                    shown.add(patrol.id)
                    bar = self.bars.get(patrol.id)
                    look = (lane, top, looks[patrol.id])
                    if bar is not None and bar.look == look:
                        continue
                    if bar is not None:
                        scene.removeItem(bar)
                    self._draw_bar(patrol, lane, top, looks[patrol.id])
                    bars_redrawn += 1
            self._drawn[sector_id] = row
        for patrol_id in set(self.bars) - shown:
            scene.removeItem(self.bars.pop(patrol_id))
            bars_redrawn += 1
        self.last_redraw = f"{bars_redrawn} bars, {rows_redrawn} rows of gaps"

    def _looks(self, state: RosterState) -> dict[str, tuple[object, ...]]:
        """Per patrol: everything its bar shows (equal looks, same bar)."""
        doubles = {
            c.violation.patrol_id: c.centers[1]
            for c in state.conflicts()
            if not c.violation.overridden
        }
        looks = {}
        for patrol in state.patrols.values():
            crew_conflict = state.crew_conflicts.get(patrol.id)
            looks[patrol.id] = (
                patrol,
                f"{patrol.call_sign} · {'/'.join(state.countries_of(patrol)) or '—'}",
                tuple(state.violations_of(patrol.id)),
                doubles.get(patrol.id, ""),
                "/".join(crew_conflict.centers) if crew_conflict else "",
            )
        return looks

    def _draw_bar(self, patrol: Patrol, lane: int, top: float, look: tuple[object, ...]) -> None:
        _patrol, label, violations, double, crew_conflict = look
        width = LABEL_W + self.hours * HOUR_W
        x0 = max(self.x_of(patrol.shift_start), LABEL_W)
        x1 = min(self.x_of(patrol.shift_end), width)
        rect = QRectF(x0, top + ROW_PAD + lane * LANE_H, x1 - x0, LANE_H - 10)
        bar = PatrolBar(self, patrol, rect, label)
        bar.setZValue(2)
        bar.mark(list(violations), double, crew_conflict)
        if not bar.toolTip():
            bar.setToolTip(
                f"{patrol.call_sign} ({patrol.status.label}), "
                f"{patrol.shift_start:%H:%M}–{patrol.shift_end:%H:%M}Z"
            )
        bar.look = (lane, top, look)
        self.scene().addItem(bar)
        self.bars[patrol.id] = bar

    def _draw_gaps(self, row: _Row, top: float, now: datetime) -> None:
        scene = self.scene()
        sector, height = row.sector, row.height
        items: list[QGraphicsItem] = []
        for gap in row.gaps:
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
            items.append(item)
            if gap.start_ms <= v.to_ms(now) < gap.end_ms:
                item.setPen(QPen(QColor("#d32f2f"), 2))
                alarm = scene.addSimpleText("NO PATROL NOW")
                alarm.setBrush(QBrush(QColor("#b71c1c")))
                bold = QFont()
                bold.setPointSizeF(8)
                bold.setBold(True)
                alarm.setFont(bold)
                alarm.setPos(x0 + 6, top + height / 2 - 7)
                alarm.setZValue(1)
                items.append(alarm)
        self._gap_items_of[sector.id] = items

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
