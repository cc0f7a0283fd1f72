"""Partner link outages appear on the timeline's strip as bands, next to the incidents."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QTableView

from app.incident_filter import QuickRange
from app.store import Change
from tests.factories import incident_fields
from widgets.incident_table import IncidentTableModel
from widgets.timeline_panel import TimelinePanel

HOUR = 3_600_000


def test_an_outage_in_the_window_is_a_band_on_the_strip_with_its_reason(qtbot, store, tmp_path):
    now = time.time_ns() // 1_000_000
    store.commit(
        [Change("incident", "i1", incident_fields(occurred_at=now - 2 * HOUR))], "anna"
    ).result()
    store.writer.submit(
        lambda c: c.exec_driver_sql(
            "INSERT INTO link_outages (partner, down_at, up_at, reason) VALUES "
            "('TR-EDR', ?, ?, 'no answer from wss://edirne:8765 in time'), "
            "('BG-SVL', ?, NULL, 'cut by operator'), ('BG-SVL', ?, ?, 'long ago')",
            (now - 5 * HOUR, now - 4 * HOUR, now - HOUR, now - 80 * HOUR, now - 79 * HOUR),
        )
    ).result()
    model = IncidentTableModel(store)
    table = QTableView()
    table.setModel(model)
    panel = TimelinePanel(
        store, model, table, ["GR-ORE"], views_file=tmp_path / "v.ini",
        opening_range=QuickRange.LAST_24H,
    )  # fmt: skip
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: len(panel.strip.outages) == 2, timeout=5000)
    (first, first_label), (second, _label) = panel.strip.outages
    assert first.getRegion() == ((now - 5 * HOUR) / 1000, (now - 4 * HOUR) / 1000)
    assert first_label.textItem.toPlainText() == "TR-EDR link down"
    assert "no answer from wss://edirne:8765 in time" in first.toolTip()
    assert "back up" in first.toolTip()
    assert "still down" in second.toolTip()  # the open one runs to now
    assert second.getRegion()[1] >= (now - 1000) / 1000
