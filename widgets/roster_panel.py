"""The commander's roster: patrols, crews, officers, rule violations, dispatch, and the board.

Everything is read into one :class:`~app.roster_state.RosterState` on each change; an edit (a
drag on the board, an officer dropped on a crew, a status key) is previewed against the rules
first. If it breaks a rule the commander is asked, naming each rule; nothing is saved unless
confirmed. A rule is waived only by an override with a reason (recorded on the patrol, in the
op-log, so it is in the audit trail).

In replay the roster shows the picture at T (patrols, crews, statuses, sectors, time on shift
reckoned at T) under a purple banner, and refuses every edit: the past is not edited.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QDrag, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import values as v
from app.crew_versions import CrewConflict, CrewEdits, held_crew_keys
from app.domain import Incident, Patrol
from app.errors import LimesError
from app.replay import PictureDatabase
from app.roster_dispatch import rank_patrols
from app.roster_rules import RosterLimits, Violation
from app.roster_state import Preview, RosterState, override_change
from app.settings import Settings
from app.store import Change, Store
from app.store import queries as q
from app.store.feed import ChangeSet
from maps.geography import default_resources, load_countries
from maps.sector_territory import sector_countries
from widgets.crew_conflicts import CrewConflictBox, ask_crew_choice, officer_names
from widgets.dispatch_box import DispatchBox
from widgets.list_rows import ListRow, RowList
from widgets.patrol_history_view import PatrolHistoryView
from widgets.patrol_table import PatrolTableModel, PatrolTableView
from widgets.replay_banner import ReplayBanner
from widgets.roster_dialogs import ask_override_reason, confirm_violations
from widgets.shift_board import ShiftBoard, officer_mime

BOARD_BEFORE_H = 8  # the board shows the last 8 hours and the next 24
BOARD_HOURS = 32
BOARD_STEP_H = 8  # the board's earlier/later buttons move it by one shift
WRAPPED_RULES = 60  # up to this many broken rules are shown whole, wrapped


@functools.cache
def _countries() -> list[Any]:
    return load_countries(default_resources().countries)


def load_roster(
    store: Store | PictureDatabase,
    settings: Settings,
    territory: dict[str, tuple[str, ...]] | None = None,
    crew_edits: CrewEdits | None = None,
) -> RosterState:
    """The roster as the store (or a replayed picture) holds it, with each sector's territory
    from the map's countries (``territory``: those already known, kept when no sector
    changed) and the crews edited at once (``crew_edits``: what was read of the op-log
    before, brought up to date; a replayed picture has no op-log, so no crew conflicts)."""
    replayed = isinstance(store, PictureDatabase)
    crew_edits = CrewEdits() if replayed or crew_edits is None else crew_edits
    with store.read() as connection:
        officers, patrols = q.officers(connection), q.patrols(connection)
        sectors, crew_keys = q.sectors(connection), held_crew_keys(connection)
        if not replayed:
            crew_edits.refresh(connection)
    roster = settings.roster
    if territory is None or set(territory) != {s.id for s in sectors}:
        territory = sector_countries(sectors, _countries(), roster.straddle_min_share)
    return RosterState(
        RosterLimits.from_hours(roster.max_shift_h, roster.min_rest_h),
        v.ImpactLevel(roster.coverage_min_impact),
        officers,
        patrols,
        sectors,
        territory,
        crew_keys=crew_keys,
        crew_conflicts=crew_edits.conflicts({patrol.id for patrol in patrols}),
    )


class OfficerList(QListWidget):
    """Officers to drag onto a patrol (from the crew list: moved out of that crew)."""

    def __init__(self, from_patrol: Callable[[], str] = lambda: "") -> None:
        super().__init__()
        self._from_patrol = from_patrol
        self.setDragEnabled(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def startDrag(self, actions: Any) -> None:
        item = self.currentItem()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(officer_mime(item.data(Qt.ItemDataRole.UserRole), self._from_patrol()))
        drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction)


class RosterPanel(QWidget):
    """The roster dock's content; :attr:`board` goes in a dock of its own."""

    patrols_changed = Signal()

    def __init__(self, store: Store, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._source: Store | PictureDatabase = store  # the live store, or a replayed picture
        self._replay_at: datetime | None = None
        self._settings = settings
        self._user = settings.user
        self._incident: Incident | None = None
        self._crew_edits = CrewEdits()
        self.state = load_roster(store, settings, crew_edits=self._crew_edits)

        self.replay_banner = ReplayBanner("read-only; live changes wait")
        self.patrol_model = PatrolTableModel(self)
        self.patrol_model.clock = self._now
        self.patrol_view = PatrolTableView()
        self.patrol_view.setModel(self.patrol_model)
        self.patrol_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.patrol_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.patrol_view.setAlternatingRowColors(True)
        self.patrol_view.verticalHeader().setVisible(False)
        self.patrol_view.verticalHeader().setDefaultSectionSize(22)
        header = self.patrol_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(60)  # widths from the first rows, not all 500
        self.patrol_view.setToolTip(
            "Status keys: P planned, A available, E en route, S on scene, R returning, O off duty"
        )

        self.crew_label = QLabel("Crew")
        self.crew_list = OfficerList(self._selected_patrol_id)
        self.crew_list.setToolTip("Drag onto another patrol to move; Del removes from the crew")
        self.remove_button = QPushButton("Remove from crew")
        self.officer_list = OfficerList()
        self.officer_list.setToolTip("Drag an officer onto a patrol on the shift board")
        self.officer_list.setUniformItemSizes(True)
        self._officer_rows = RowList(self.officer_list)
        self.violation_list = QListWidget()
        self.violation_list.setWordWrap(True)
        self._violation_rows = RowList(self.violation_list)
        self.override_button = QPushButton("Override with a reason…")
        self.override_button.setEnabled(False)
        self.crew_conflicts = CrewConflictBox()
        self.rules_label = QLabel()
        self.message = QLabel()  # the last edit that could not be saved, and why
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b71c1c")
        self.dispatch = DispatchBox()

        crew_box = _column(self.crew_label, self.crew_list, self.remove_button)
        officers_box = _column(
            QLabel("Officers, free first (drag onto a patrol)"), self.officer_list
        )
        people = QSplitter(Qt.Orientation.Horizontal)
        people.addWidget(crew_box)
        people.addWidget(officers_box)
        self.history = PatrolHistoryView(store)
        self.people_tabs = QTabWidget()
        self.people_tabs.addTab(people, "Crew && officers")
        self.people_tabs.addTab(self.history, "History")
        rules_box = _column(
            self.crew_conflicts,
            self.rules_label,
            self.violation_list,
            self.message,
            self.override_button,
        )
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(rules_box)
        lower.addWidget(self.dispatch)
        splitter = QSplitter(Qt.Orientation.Vertical)
        for widget in (self.patrol_view, self.people_tabs, lower):
            splitter.addWidget(widget)
        splitter.setSizes([230, 170, 170])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.replay_banner)
        layout.addWidget(splitter)

        self.board = ShiftBoard()
        self.board.patrol_moved.connect(self._on_patrol_moved)
        self.board.officer_dropped.connect(self._on_officer_dropped)
        self.board.patrol_selected.connect(self.select_patrol)
        self.board.new_patrol_requested.connect(self.plan_patrol)
        self.board_offset_h = 0  # moved by the board's earlier/later buttons
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.crew_list,
            self._remove_selected_crew_member,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self._tick = QTimer(self)  # time on shift and the board's "now" move with the clock
        self._tick.timeout.connect(self._show_state)
        self._tick.start(60_000)
        self.patrol_view.status_key.connect(self._on_status_key)
        self.patrol_view.selectionModel().currentRowChanged.connect(self._on_patrol_row)
        self.remove_button.clicked.connect(self._remove_selected_crew_member)
        self.violation_list.currentRowChanged.connect(
            lambda row: self.override_button.setEnabled(
                row >= 0 and self._violation_at(row) and not self.read_only
            )
        )
        self.violation_list.itemDoubleClicked.connect(
            lambda item: self.select_patrol(item.data(Qt.ItemDataRole.UserRole).patrol_id)
        )
        self.override_button.clicked.connect(self._override_selected)
        self.crew_conflicts.settle_requested.connect(self._on_settle_requested)
        self.dispatch.send_requested.connect(self.send)
        self._show_state()

    # -- reading -------------------------------------------------------------------------------

    def reload(self, *, sectors_changed: bool = True) -> None:
        known = None if sectors_changed else self._territory()
        self.state = load_roster(self._source, self._settings, known, self._crew_edits)
        self._show_state()

    # -- replay ----------------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """In replay: the roster shows the past, which is not edited."""
        return self._replay_at is not None

    def _now(self) -> datetime:
        """Now, or the replayed moment (time on shift, free officers, the board's now)."""
        return self._replay_at or datetime.now(UTC)

    def show_replay(
        self, at_ms: int | None, picture: PictureDatabase | None, caption: str | None = None
    ) -> None:
        """Show the replayed ``picture`` at ``at_ms``, read-only, under ``caption``;
        (None, None): live and editable again, with every change that arrived meanwhile."""
        live = at_ms is None or picture is None
        self._source = self._store if live else picture
        self._replay_at = None if live else v.from_ms(at_ms)
        self.replay_banner.show_caption(None if live else caption)
        self.dispatch.setEnabled(live)
        self.remove_button.setEnabled(live)
        self.override_button.setEnabled(False)
        self.board.setAcceptDrops(live)
        self.reload()

    def _refuse_in_replay(self) -> bool:
        if self.read_only:
            self.message.setText("Replay is on: the roster shows the past and cannot be edited.")
        return self.read_only

    def _territory(self) -> dict[str, tuple[str, ...]]:
        return {s: self.state.validator.sector_countries(s) for s in self.state.sectors}

    def apply_changes(self, changes: ChangeSet) -> None:
        if self.read_only:
            return  # shown when replay ends: reload() then reads everything live
        if changes.ids("officer") or changes.ids("sector"):
            self.reload(sectors_changed=bool(changes.ids("sector")))
        elif changes.ids("patrol"):
            self.refresh_patrols(changes.ids("patrol"))

    def refresh_patrols(self, patrol_ids: Collection[str]) -> None:
        """Read these patrols again and show what changed: a partner's edit, or the echo of
        this desk's own save (then nothing is redrawn). Only their rules are checked again;
        a patrol that only reported a position moves the dispatch list, not the board."""
        with self._store.read() as connection:
            held = q.patrols_by_id(connection, patrol_ids)
            keys = held_crew_keys(connection, patrol_ids)
            self._crew_edits.refresh(connection)
        state = self.state
        changed = [patrol for patrol in held.values() if state.patrols.get(patrol.id) != patrol]
        removed = [p for p in patrol_ids if p not in held and p in state.patrols]
        conflicts = self._crew_edits.conflicts((set(state.patrols) - set(removed)) | set(held))
        keys_moved = any(state.crew_keys.get(k) != key for k, key in keys.items())
        conflicts_changed = conflicts != state.crew_conflicts
        if not (changed or removed or keys_moved or conflicts_changed):
            return  # the echo of what is shown already
        positions_only = not (removed or conflicts_changed) and all(
            patrol.id in state.patrols and _moved_only(state.patrols[patrol.id], patrol)
            for patrol in changed
        )
        state.take(changed, removed, keys, conflicts)
        if positions_only:
            self._show_dispatch()
            selected = self._selected_patrol_id()
            if any(patrol.id == selected for patrol in changed):
                self.history.show_patrol(state, selected)  # (read only if its tab is shown)
        else:
            self._show_state()

    def _show_state(self) -> None:
        selected = self._selected_patrol_id()
        if self.patrol_model.set_state(self.state):
            self.patrol_view.resizeColumnsToContents()  # (from the first rows: see __init__)
            with QSignalBlocker(self.patrol_view.selectionModel()):
                self.select_patrol(selected)
        now = self._now()
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(
            hours=self.board_offset_h - BOARD_BEFORE_H
        )
        self.board.show_roster(self.state, start, BOARD_HOURS, now)
        self.crew_conflicts.show_conflicts(
            list(self.state.crew_conflicts.values()),
            self._call_sign,
            officer_names(self.state.officers),
        )
        self._show_violations()
        self._show_selected()
        self._show_dispatch()
        self.patrols_changed.emit()

    def _show_violations(self) -> None:
        found = sorted(
            self.state.violations(),
            key=lambda x: (x.overridden, self._call_sign(x.patrol_id), x.rule.value),
        )
        active = sum(1 for x in found if not x.overridden)
        self.rules_label.setText(
            f"<b>Rules</b>: {active} broken"
            + (f", {len(found) - active} overridden" if len(found) > active else "")
            if found
            else "<b>Rules</b>: all kept"
        )
        conflicts = {id(c.violation): c for c in self.state.conflicts()}
        rows = []
        for violation in found:
            conflict = conflicts.get(id(violation))
            text = f"{self._call_sign(violation.patrol_id)} — "
            text += conflict.text if conflict else violation.text
            color = "#6d4c41" if violation.overridden else "#b71c1c"
            rows.append(ListRow(violation, text, color, text, violation))
        wrap = len(rows) <= WRAPPED_RULES  # a long list: one line each, the rest in the tooltip
        if self.violation_list.wordWrap() != wrap:
            self.violation_list.setWordWrap(wrap)
            self.violation_list.setUniformItemSizes(not wrap)
        self._violation_rows.show(rows)

    def _show_officers(self) -> None:
        """Officers free for the selected patrol's shift (or, with none selected, now) first."""
        patrol = self.state.patrols.get(self._selected_patrol_id())
        if patrol is not None:
            start, end, besides = v.to_ms(patrol.shift_start), v.to_ms(patrol.shift_end), patrol.id
        else:
            start = v.to_ms(self._now())
            end, besides = start + 1, ""
        found = []
        for officer in self.state.officers.values():
            busy = self.state.validator.busy(officer.id, start, end, besides=besides)
            found.append(
                (bool(busy) or not officer.available, officer.country, officer.name, officer, busy)
            )
        rows = []
        for blocked, _country, _name, officer, busy in sorted(found, key=lambda r: r[:3]):
            text = f"{officer.name} ({officer.country}) · {'/'.join(officer.languages)}" + (
                f" · {', '.join(officer.qualifications)}" if officer.qualifications else ""
            )
            if busy:
                text += f" — in {', '.join(self._call_sign(p) for p in busy)}"
            elif not officer.available:
                text += " — unavailable"
            tooltip = f"{officer.rank}, {officer.agency}"
            rows.append(
                ListRow(officer.id, text, "#9e9e9e" if blocked else "", tooltip, officer.id)
            )
        self._officer_rows.show(rows)

    def _show_crew(self, patrol: Patrol | None) -> None:
        self.crew_list.clear()
        self.remove_button.setEnabled(patrol is not None and not self.read_only)
        self.history.show_patrol(self.state, patrol.id if patrol else "")
        if patrol is None:
            self.crew_label.setText("Crew (select a patrol)")
            return
        self.crew_label.setText(f"<b>Crew of {patrol.call_sign}</b>")
        for officer_id in patrol.crew:
            officer = self.state.officers.get(officer_id)
            text = (
                f"{officer.name} ({officer.country}) · {'/'.join(officer.languages)}"
                if officer
                else f"{officer_id} (not in this center's roster)"
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, officer_id)
            self.crew_list.addItem(item)

    def _call_sign(self, patrol_id: str) -> str:
        patrol = self.state.patrols.get(patrol_id)
        return patrol.call_sign if patrol else patrol_id

    def _violation_at(self, row: int) -> bool:
        item = self.violation_list.item(row)
        return item is not None and not item.data(Qt.ItemDataRole.UserRole).overridden

    # -- selection -----------------------------------------------------------------------------

    def _selected_patrol_id(self) -> str:
        index = self.patrol_view.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) or "" if index.isValid() else ""

    def selected_call_sign(self) -> tuple[str, str] | None:
        """(id, call sign) of the selected patrol, or None (nothing selected, or a replay)."""
        patrol = self.state.patrols.get(self._selected_patrol_id())
        if patrol is None or self.read_only:
            return None
        return patrol.id, patrol.call_sign

    def report_position(self, patrol_id: str, lon: float, lat: float) -> bool:
        """A position radioed in (or read off the map): the patrol is at lon, lat now. Goes
        through the op-log like a tracker's report, so partners and the track see it."""
        fix = {"lon": round(lon, 6), "lat": round(lat, 6), "position_at": v.to_ms(self._now())}
        return self._commit([Change("patrol", patrol_id, fix)])

    def select_patrol(self, patrol_id: str) -> None:
        row = self.patrol_model.row_of(patrol_id)
        if row is not None:
            self.patrol_view.selectRow(row)
            self.patrol_view.setCurrentIndex(self.patrol_model.index(row, 0))

    def _on_patrol_row(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        """The selected patrol's crew and history, the officers free for its shift first."""
        patrol = self.state.patrols.get(self._selected_patrol_id())
        self._show_crew(patrol)
        self._show_officers()
        for patrol_id, bar in self.board.bars.items():
            bar.setSelected(patrol is not None and patrol_id == patrol.id)

    # -- edits ---------------------------------------------------------------------------------

    def _save(self, preview: Preview, what: str) -> bool:
        """Save a previewed edit; one that breaks a rule only if the commander confirms."""
        if self._refuse_in_replay():
            self.state.revert(preview)
            self._show_state()
            return False
        if preview.new_violations and not confirm_violations(self, what, preview.new_violations):
            self.state.revert(preview)
            self._show_state()
            return False
        changes = preview.changes(self.state.patrols)
        return self._commit(changes)

    def _commit(self, changes: list[Change]) -> bool:
        if self._refuse_in_replay():
            return False
        if not changes:
            return True
        try:
            self._store.commit(changes, self._user).result()
        except LimesError as error:
            self.message.setText(f"Not saved: {error}")
            self.reload()
            return False
        self.message.clear()
        # at once, and only what was saved: the feed's echo of it will then change nothing
        self.refresh_patrols({c.record_id for c in changes if c.kind == "patrol"})
        return True

    def _on_patrol_moved(self, patrol_id: str, sector_id: str, start: datetime) -> None:
        moved = self.state.moved(patrol_id, sector_id, start)
        sector = self.state.sectors.get(sector_id)
        what = (
            f"Move {moved.call_sign} to {sector.name if sector else sector_id}, {start:%d %H:%M}Z"
        )
        self._save(self.state.preview([moved]), what)

    def _on_officer_dropped(self, officer_id: str, patrol_id: str, from_patrol: str) -> None:
        edited = self.state.with_officer(patrol_id, officer_id, from_patrol)
        if not edited:
            return
        officer = self.state.officers.get(officer_id)
        name = officer.name if officer else officer_id
        what = f"Put {name} in {self._call_sign(patrol_id)}"
        if from_patrol and from_patrol != patrol_id:
            what += f" (out of {self._call_sign(from_patrol)})"
        self._save(self.state.preview(edited), what)

    def move_board(self, hours: int) -> None:
        """Show the board ``hours`` later (0: back to now)."""
        self.board_offset_h = self.board_offset_h + hours if hours else 0
        self._show_state()

    def plan_patrol(self, sector_id: str, start: datetime) -> None:
        """A new planned patrol, 8 h in ``sector_id`` from ``start``, crew to be dragged in."""
        sector = self.state.sectors.get(sector_id)
        if sector is None:
            return
        call_sign = f"{sector.name.split()[0].upper()}-{start:%d%H}"
        taken = {p.call_sign for p in self.state.patrols.values()}
        suffix = 2
        base = call_sign
        while call_sign in taken:
            call_sign, suffix = f"{base}-{suffix}", suffix + 1
        patrol = Patrol(
            id=f"PAT-{uuid.uuid4().hex[:12]}",
            call_sign=call_sign,
            crew=(),
            vehicle="",
            shift_start=start,
            shift_end=start + timedelta(hours=8),
            sector_id=sector_id,
            status=v.PatrolStatus.PLANNED,
        )
        if self._commit([Change("patrol", patrol.id, patrol.to_fields())]):
            self.select_patrol(patrol.id)

    def _remove_selected_crew_member(self) -> None:
        item = self.crew_list.currentItem()
        patrol_id = self._selected_patrol_id()
        if item is None or not patrol_id:
            return
        officer_id = item.data(Qt.ItemDataRole.UserRole)
        edited = self.state.without_officer(patrol_id, officer_id)
        self._save(
            self.state.preview([edited]),
            f"Take {item.text().split(' (')[0]} out of {self._call_sign(patrol_id)}",
        )

    def _on_settle_requested(self, conflict: CrewConflict) -> None:
        call_sign = self._call_sign(conflict.patrol_id)
        crew = ask_crew_choice(self, call_sign, conflict, officer_names(self.state.officers))
        if crew is not None:
            self.settle_crew(conflict, crew)

    def settle_crew(self, conflict: CrewConflict, crew: tuple[str, ...]) -> bool:
        """Give the patrol ``crew``, replacing every version in conflict (checked against
        the rules first, like any edit)."""
        if conflict.patrol_id not in self.state.patrols:
            return False
        what = f"Settle the crew of {self._call_sign(conflict.patrol_id)}"
        return self._save(self.state.settled(conflict, crew), what)

    def _on_status_key(self, patrol_id: str, status: v.PatrolStatus) -> None:
        patrol = self.state.patrols.get(patrol_id)
        if patrol is not None and patrol.status is not status:
            self._commit([Change("patrol", patrol_id, {"status": status.value})])
            self.select_patrol(patrol_id)

    def _override_selected(self) -> None:
        item = self.violation_list.currentItem()
        if item is None:
            return
        violation: Violation = item.data(Qt.ItemDataRole.UserRole)
        reason = ask_override_reason(self, self._call_sign(violation.patrol_id), violation)
        if reason is None:
            return
        self.override(violation, reason)

    def override(self, violation: Violation, reason: str) -> bool:
        """Record the commander's override of one violation, with its reason, on the patrol.
        The patrol's overrides are read inside the write, so none recorded meanwhile is lost."""
        if self._refuse_in_replay():
            return False
        at = datetime.now(UTC)

        def plan(connection: Any) -> tuple[list[Change], None]:
            current = {p.id: p for p in q.patrols(connection)}.get(violation.patrol_id)
            if current is None:
                raise LimesError(f"patrol {violation.patrol_id} is no longer in the roster")
            return [override_change(current, violation, reason, self._user, at)], None

        try:
            self._store.commit_planned(plan, self._user).result()
        except LimesError as error:
            self.message.setText(f"Override not recorded: {error}")
            return False
        self.message.clear()
        self.refresh_patrols({violation.patrol_id})
        return True

    # -- dispatch ------------------------------------------------------------------------------

    def set_incident(self, incident: Incident | None) -> None:
        self._incident = incident
        self._show_dispatch()

    def _show_dispatch(self) -> None:
        incident = self._incident
        candidates = (
            rank_patrols(self.state.patrols.values(), incident.lon, incident.lat, 5)
            if incident is not None
            else []
        )
        self.dispatch.show_candidates(incident, candidates, self._describe_for_dispatch)

    def _describe_for_dispatch(self, patrol: Patrol) -> str:
        crew = "/".join(self.state.countries_of(patrol)) or "no crew"
        broken = sorted(
            {x.rule.label for x in self.state.violations_of(patrol.id) if not x.overridden}
        )
        return crew + (f" · ⚠ {', '.join(broken)}" if broken else "")

    def send(self, patrol_id: str, incident: Incident) -> bool:
        """The patrol goes en route. An incident this center owns gets it assigned, and is
        responding if it was waiting for a patrol (a resolved one keeps its status)."""
        changes = [Change("patrol", patrol_id, {"status": v.PatrolStatus.EN_ROUTE.value})]
        if incident.owner == self._store.center_id:
            fields: dict[str, Any] = {
                "assigned_patrols": sorted({*incident.assigned_patrols, patrol_id})
            }
            if incident.status in (v.IncidentStatus.REPORTED, v.IncidentStatus.VALIDATED):
                fields["status"] = v.IncidentStatus.RESPONDING.value
            changes.append(Change("incident", incident.id, fields))
        return self._commit(changes)


def _moved_only(before: Patrol, after: Patrol) -> bool:
    """Only a new position: the board, the list and the rules are as they were."""
    return before == dataclasses.replace(
        after, lon=before.lon, lat=before.lat, position_at=before.position_at
    )


def _column(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.setSpacing(2)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class BoardPanel(QWidget):
    """The shift board with its legend and earlier/now/later buttons, for a dock of its own."""

    def __init__(self, roster: RosterPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        board = roster.board
        legend = QLabel(
            "Drag a patrol to another sector or hour; drop an officer on a patrol; "
            "double-click an empty hour to plan a patrol. "
            "<span style='color:#b71c1c'>Red hatch: no patrol (coverage gap)</span>; "
            "<span style='color:#b71c1c'>⚠ red outline: rule broken</span>."
        )
        legend.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(legend, 1)
        for text, hours in (("◀ Earlier", -BOARD_STEP_H), ("Now", 0), ("Later ▶", BOARD_STEP_H)):
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, h=hours: roster.move_board(h))
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addWidget(board, 1)
