"""The shift handover: sections read back from the PDF Qt wrote, the CSV, cancel."""

from __future__ import annotations

import csv
import time

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QColor, QImage

from app.reports import ReportCancelled, build_handover
from app.store import Change
from tests.factories import incident_fields
from widgets.report_dialog import ReportDialog


def _now() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture
def shift(store):
    """A van reported before the shift and validated during it; a boat and a closed case
    reported during it; a patrol on shift."""
    store.commit(
        [Change("incident", "before", incident_fields(title="Van parked at the fence"))], "anna"
    ).result()
    time.sleep(0.02)
    start = _now()
    time.sleep(0.02)
    store.commit(
        [
            Change(
                "incident",
                "boat",
                incident_fields(
                    title="Boat on the river", impact="high", occurred_at=start, reported_at=start
                ),
            ),
            # a partner's report of last night, reaching us late: still news
            Change(
                "incident",
                "done",
                incident_fields(
                    title="False alarm",
                    status="dismissed",
                    occurred_at=start - 6 * 3_600_000,
                    reported_at=start - 6 * 3_600_000,
                ),
            ),
            Change(
                "incident",
                "fixed",
                incident_fields(title="Fence cut and repaired", status="resolved", impact="high"),
            ),
            Change("incident", "before", {"status": "validated"}),
            Change(
                "patrol",
                "p1",
                {
                    "call_sign": "EVROS-21",
                    "crew": ["o1", "o2"],
                    "vehicle": "4x4",
                    "shift_start": start - 3_600_000,
                    "shift_end": start + 7 * 3_600_000,
                    "sector_id": "",
                    "status": "on_scene",
                    "lon": 26.3,
                    "lat": 41.5,
                    "position_at": start,
                    "releasability": ["*"],
                },
            ),
        ],
        "boris",
    ).result()
    return start, _now() + 60_000


def test_the_handover_pdf_has_every_section_and_the_incidents_of_the_shift(
    qtbot, store, shift, tmp_path
):
    start, end = shift
    map_image = QImage(400, 300, QImage.Format.Format_RGB32)
    map_image.fill(QColor("#b3d1e6"))
    dialog = ReportDialog(store, "GR-ORE", ["BG-SVL"], map_snapshot=lambda: map_image)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path))
    dialog.set_window(start, end)
    with qtbot.waitSignal(dialog.written, timeout=15000) as written:
        dialog.generate_button.click()
    folder = written.args[0]
    assert dialog.progress.value() == 100
    pages = PdfReader(folder / "handover.pdf").pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    for section in (
        "Shift handover",
        "Summary",
        "New incidents",
        "Changed incidents",
        "Still open",
        "Patrol activity",
        "Partner links",
        "Map",
    ):
        assert section in text, section
    new_part = text[text.index("New incidents") : text.index("Changed incidents")]
    assert "Boat on the river" in new_part
    assert "False alarm" in new_part
    assert "Van parked" not in new_part
    changed_part = text[text.index("Changed incidents") : text.index("Still open")]
    assert "Van parked at the fence" in changed_part
    assert "status" in changed_part
    open_part = text[text.index("Still open") : text.index("Patrol activity")]
    assert "Boat on the river" in open_part
    assert "False alarm" not in open_part  # dismissed
    # what needs acting on, most severe first; resolved ones apart, waiting for closure
    acting, waiting = open_part.split("Resolved, awaiting closure")
    assert acting.index("Boat on the river") < acting.index("Van parked at the fence")
    assert "Fence cut and repaired" in waiting
    assert "Fence cut" not in acting
    assert "1 resolved, awaiting closure" in text
    assert "EVROS-21" in text
    assert "BG-SVL" in text
    assert "None: no partner link was down in this window." in text  # outages: said plainly
    assert (folder / "map.png").exists()
    assert "<img src='map.png'" in (folder / "handover.html").read_text()
    with open(folder / "incidents.csv", newline="") as source:
        rows = list(csv.DictReader(source))
    assert sorted(row["id"] for row in rows) == ["before", "boat", "done", "fixed"]


def test_a_window_that_ends_before_it_starts_is_refused(qtbot, store, tmp_path):
    dialog = ReportDialog(store, "GR-ORE", [])
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path / "reports"))
    dialog.set_window(_now(), _now() - 3_600_000)
    with qtbot.waitSignal(dialog.failed, timeout=3000) as failed:
        dialog.generate_button.click()
    assert "not after its start" in failed.args[0]
    assert not (tmp_path / "reports").exists()


def test_a_cancelled_report_stops_between_steps(store, shift):
    start, end = shift
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 2

    with store.read() as connection, pytest.raises(ReportCancelled):
        build_handover(connection, "GR-ORE", start, end, end, cancelled=cancelled)
    assert len(asked) == 3
