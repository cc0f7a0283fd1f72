"""A partner link cut between two real `limes node` processes and restored: both centers
record the outage (down at, back up at, why, what waited), and the handover PDF lists it."""

from __future__ import annotations

import time

from pypdf import PdfReader

from app.store import Store
from app.sync.outages import outages_between
from tests.integration.faults import FaultyNetwork
from tests.integration.nodes import Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import incident_ids, write_incidents
from widgets.report_dialog import ReportDialog


def _outages(center: Center):
    with (
        Store(center.database, center.id, synchronous="NORMAL") as store,
        store.read() as connection,
    ):
        return outages_between(connection, 0, 2**62)


def test_a_cut_link_is_recorded_on_both_sides_and_reaches_the_handover(qtbot, tmp_path):
    network = FaultyNetwork()
    a = Center("GR-ORE", tmp_path, port=free_port(), partners=[Partner("BG-SVL")])
    link = network.add("BG-SVL>GR-ORE", a.port)
    b = Center("BG-SVL", tmp_path, partners=[Partner("GR-ORE", address=link.address)])
    write_incidents(a, "A", 3)
    try:
        a.start()
        b.start()
        wait_for(lambda: len(incident_ids(b)) == 3, 30, "no first catch-up")
        assert _outages(a) == []
        assert _outages(b) == []

        before_cut = int(time.time() * 1000)  # the record keeps whole milliseconds
        network.fault(link.name, "cut")
        wait_for(lambda: a.link("BG-SVL").get("state") == "down", 10, "A did not see the cut")
        wait_for(lambda: b.link("GR-ORE").get("state") == "down", 10, "B did not see the cut")
        write_incidents(a, "while-cut", 5)  # queued for BG-SVL meanwhile
        time.sleep(1.5)
        [open_on_a] = _outages(a)
        assert open_on_a.up_at_ms is None  # still down, already on record

        before_heal = int(time.time() * 1000)
        network.fault(link.name, "heal")
        wait_for(lambda: len(incident_ids(b)) == 8, 30, "B did not catch up after the cut")
        wait_for(lambda: all(o.up_at_ms for o in _outages(a) + _outages(b)), 10, "not closed")
        [on_a] = _outages(a)
        [on_b] = _outages(b)
    finally:
        b.stop()  # for A, BG-SVL stopping is an outage too: still open when A stops
        a.stop()
        network.close()

    assert on_a.partner == "BG-SVL"
    assert on_b.partner == "GR-ORE"
    for outage in (on_a, on_b):
        assert before_cut <= outage.down_at_ms <= before_heal
        assert outage.up_at_ms >= before_heal
        assert outage.reason, outage
    assert on_a.queued_out == 5  # A's incidents written while the link was cut
    assert on_b.queued_in is not None
    assert on_b.queued_in >= 5

    with Store(a.database, a.id, synchronous="NORMAL") as store:
        dialog = ReportDialog(store, "GR-ORE", ["BG-SVL"])
        qtbot.addWidget(dialog)
        dialog.folder.setText(str(tmp_path / "reports"))
        dialog.set_window(int(before_cut) - 3_600_000, int(time.time() * 1000) + 60_000)
        with qtbot.waitSignal(dialog.written, timeout=15000) as written:
            dialog.generate_button.click()
        dialog.close()
    pages = PdfReader(written.args[0] / "handover.pdf").pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    outages_part = text[text.index("Link outages") :]
    assert "BG-SVL" in outages_part
    assert on_a.reason[:30] in outages_part
    assert "5 to send" in outages_part
    assert "2 link outages" in text  # in the summary: the cut, and B stopping before A
    assert "still down" in outages_part
