"""Link outages: recorded from the link's state changes, through the writer, once per outage,
with the reason that follows the drop; the handover lists them, or says there were none."""

from __future__ import annotations

import time

from app.reports import build_handover, to_html
from app.store import Change
from app.sync.link import LinkHealth
from app.sync.outages import OutageRecorder, outages_between
from tests.factories import incident_fields

HOUR = 3_600_000


def _flush(store) -> None:
    store.writer.submit(lambda _connection: None).result()  # jobs run in order


def _all(store):
    with store.read() as connection:
        return outages_between(connection, 0, 2**62)


def _linked(store) -> tuple[LinkHealth, OutageRecorder]:
    health = LinkHealth("BG-SVL", "Svilengrad")
    recorder = OutageRecorder(store, "GR-ORE", {"BG-SVL": False})
    recorder.watch(health)
    return health, recorder


def test_an_outage_is_recorded_from_drop_to_return_with_its_reason_and_what_waited(store):
    health, _recorder = _linked(store)
    health.set_state("connecting")
    health.set_state("up", "")
    _flush(store)
    assert _all(store) == []  # a link coming up at start is no outage

    health.set_state("down")  # the session ends first; the cause is known a moment later
    down_at = int(health.since * 1000)
    health.set_state("down", "connection closed: partner restarting")
    for _ in range(3):  # dial attempts while it stays down: still one outage
        health.set_state("connecting")
        health.set_state("down", "cannot reach wss://svilengrad:8765 (Connection refused)")
    store.commit(
        [Change("incident", f"while-down-{i}", incident_fields()) for i in range(4)], "anna"
    ).result()
    _flush(store)
    [outage] = _all(store)
    assert outage.up_at_ms is None  # still down
    assert outage.down_at_ms == down_at

    health.incoming_expected = 12
    time.sleep(0.01)
    health.set_state("up", "")
    _flush(store)
    [outage] = _all(store)
    assert outage.partner == "BG-SVL"
    assert outage.reason == "connection closed: partner restarting"  # the first cause, kept
    assert outage.up_at_ms == int(health.since * 1000) > outage.down_at_ms
    assert outage.queued_out == 4  # this center's ops the partner had not acknowledged
    assert outage.queued_in == 12


def test_a_cut_by_the_operator_is_an_outage_and_stopping_the_center_is_not(store):
    health, recorder = _linked(store)
    health.set_state("up", "")
    health.set_state("cut", "cut by operator")
    health.set_state("down", "")  # restored: dialing again
    health.set_state("up", "")
    recorder.stopping = True
    health.set_state("down")
    _flush(store)
    [outage] = _all(store)
    assert outage.reason == "cut by operator"
    assert outage.up_at_ms is not None


def test_an_outage_open_at_a_restart_closes_when_the_link_comes_back(store):
    health, _recorder = _linked(store)
    health.set_state("refused", "refused by BG-SVL: wrong credential for GR-ORE")
    _flush(store)
    again, _ = _linked(store)  # the center restarted: a new recorder knows nothing
    again.set_state("down", "cannot reach wss://svilengrad:8765")
    again.set_state("up", "")
    _flush(store)
    [outage] = _all(store)
    assert outage.reason.startswith("refused by BG-SVL")
    assert outage.up_at_ms is not None


def test_the_handover_lists_outages_in_its_window_or_says_none(store):
    now = int(time.time() * 1000)
    store.writer.submit(
        lambda c: c.exec_driver_sql(
            "INSERT INTO link_outages (partner, down_at, up_at, reason, queued_out, queued_in) "
            "VALUES ('TR-EDR', ?, ?, 'no answer from wss://edirne:8765 in time', 37, 5), "
            "('TR-EDR', ?, ?, 'old', 1, 0)",
            (now - 3 * HOUR, now - 2 * HOUR + 15 * 60_000, now - 30 * HOUR, now - 29 * HOUR),
        )
    ).result()
    with store.read() as connection:
        report = build_handover(
            connection, "GR-ORE", now - 8 * HOUR, now, now, partners=["BG-SVL", "TR-EDR"]
        )
        quiet = build_handover(
            connection, "GR-ORE", now - 20 * HOUR, now - 10 * HOUR, now, partners=["TR-EDR"]
        )
    [outage] = report.outages  # the one 30 h ago is outside the window
    assert outage.queued_out == 37
    page = to_html(report)
    assert "no answer from wss://edirne:8765 in time" in page
    assert "1 h 15 min" in page  # its length
    assert "37 to send" in page
    assert "up throughout" in page  # BG-SVL
    assert "1 link outage." in page
    assert "None: no partner link was down in this window." in to_html(quiet)
