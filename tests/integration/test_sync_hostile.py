"""A hostile or broken partner: every bad frame is refused with its reason, nothing wrong is
applied, and the node keeps serving its other partners."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app.hlc import pack
from app.oplog import Action, Op
from app.store import Store
from app.sync import protocol
from tests.integration.nodes import SECRET, Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import incident_ids, write_incidents
from tests.unit.test_oplog_store import _incident_fields


@pytest.fixture
def center(tmp_path):
    a = Center("GR-ORE", tmp_path, port=free_port())
    a.partners = [Partner("BG-SVL"), Partner("TR-EDR")]
    write_incidents(a, "A", 3)
    a.start()
    yield a
    a.stop()


def hello(center_id="BG-SVL", secret=SECRET, version=protocol.PROTOCOL_VERSION) -> bytes:
    return protocol.encode(
        protocol.Hello(protocol=version, center=center_id, name="test", credential=secret)
    )


def answer(websocket) -> dict:
    return json.loads(websocket.recv(timeout=10))


def test_wrong_protocol_version_is_refused_with_the_versions(center):
    with connect(center.address) as websocket:
        websocket.send(hello(version=99))
        reply = answer(websocket)
    assert reply["type"] == "refused"
    assert reply["code"] == "protocol-version"
    assert "99" in reply["reason"]
    assert "1" in reply["reason"]


def test_garbage_before_hello_is_refused(center):
    with connect(center.address) as websocket:
        websocket.send('{"type": "ops", "batch": 1, "ops": []}')
        assert answer(websocket)["code"] == "bad-hello"


def _drain(websocket) -> None:
    while True:
        websocket.recv(timeout=10)


def _ops_frame(batch: int, ops: list[Op]) -> bytes:
    return protocol.encode(protocol.Ops(batch, ops))


def test_a_session_survives_malformed_frames_and_refuses_bad_ops(center):
    now_ms = 1_795_000_000_000
    mine = Op("BG-SVL", 1, pack(now_ms, 0), "incident", "bg-1", Action.SET,
              _incident_fields("BG-SVL", title="Ours"), "ivan")  # fmt: skip
    forged = Op("TR-EDR", 1, pack(now_ms, 0), "incident", "tr-1", Action.SET,
                _incident_fields("TR-EDR", title="Not from you"), "x")  # fmt: skip
    takeover = Op("BG-SVL", 2, pack(now_ms, 1), "incident", "A-0", Action.SET,
                  {"status": "closed"}, "ivan")  # fmt: skip
    future = Op("BG-SVL", 3, pack(now_ms * 2, 0), "incident", "bg-2", Action.SET,
                _incident_fields("BG-SVL"), "ivan")  # fmt: skip
    bad_value = Op("BG-SVL", 4, pack(now_ms, 2), "incident", "bg-3", Action.SET,
                   {**_incident_fields("BG-SVL"), "lat": 400.0}, "ivan")  # fmt: skip
    with connect(center.address, max_size=None) as websocket:
        websocket.send(hello())
        assert answer(websocket)["type"] == "welcome"
        nested = "[" * 5000 + "]" * 5000
        garbage = ("{not json", '{"type": "launch"}', '{"type":"ops","batch":"x","ops":[]}', nested)
        for frame in garbage:
            websocket.send(frame)
            reply = answer(websocket)
            while reply["type"] in ("ops", "ping", "digest"):
                reply = answer(websocket)
            assert reply["type"] == "error"
            assert reply["reason"]
        websocket.send(_ops_frame(7, [mine, forged, takeover, future, bad_value]))
        reply = answer(websocket)
        while reply["type"] != "ack":
            reply = answer(websocket)
    assert reply["batch"] == 7
    assert reply["applied"] == 1
    reasons = {f"{origin}/{seq}": reason for origin, seq, reason in reply["rejected"]}
    assert "forged origin" in reasons["TR-EDR/1"]
    assert "owned by GR-ORE" in reasons["BG-SVL/2"]
    assert "clock guard" in reasons["BG-SVL/3"]
    assert "lat" in reasons["BG-SVL/4"]
    held = incident_ids(center)
    assert "bg-1" in held
    assert not {"tr-1", "bg-2", "bg-3"} & held
    with Store(center.database, center.id) as store, store.read() as connection:
        status = connection.exec_driver_sql("SELECT status FROM incidents WHERE id='A-0'").scalar()
        quarantined = connection.exec_driver_sql("SELECT COUNT(*) FROM quarantine").scalar()
    assert status == "reported"
    assert quarantined == 4


def test_an_oversized_frame_closes_only_that_link(center, tmp_path):
    with connect(center.address, max_size=None) as websocket:
        websocket.send(hello())
        assert answer(websocket)["type"] == "welcome"
        websocket.send("x" * (17 * 1024 * 1024))
        with pytest.raises(ConnectionClosed) as closed:
            _drain(websocket)
    assert closed.value.rcvd.code == 1009  # message too big
    # the node still serves a real partner
    partner = Center("TR-EDR", tmp_path, partners=[Partner("GR-ORE", address=center.address)])
    try:
        partner.start()
        wait_for(lambda: len(incident_ids(partner)) == 3, 20, "the partner was not served")
    finally:
        partner.stop()


def test_out_of_range_numbers_are_refused_and_the_link_stays(center):
    """Regression (found by the fuzzer): a sequence number beyond SQLite's integers ended
    the session with an OverflowError, unacknowledged, taking the good ops with it."""
    from tests.integration.hostile import HostilePeer, valid_op

    good = valid_op("BG-SVL", 1, "bg-good")
    huge = json.loads(_ops_frame(1, [valid_op("BG-SVL", 2, "bg-huge")]))["ops"][0]
    huge[1] = 2**64
    forged = json.loads(_ops_frame(1, [valid_op("TR-EDR", 3, "tr-huge")]))["ops"][0]
    forged[1] = -(2**70)
    peer = HostilePeer(center)
    try:
        frame = {"type": "ops", "batch": 1, "ops": [json.loads(_ops_frame(1, [good]))["ops"][0]]}
        frame["ops"] += [huge, forged]
        peer.send(json.dumps(frame))
        ack = peer.until(lambda m: m["type"] == "ack")[-1]
        peer.ping()  # the link is still up
    finally:
        peer.close()
    assert ack["applied"] == 1
    reasons = sorted(reason for _o, _s, reason in ack["rejected"])
    assert "forged origin" in reasons[0]
    assert "seq 18446744073709551616 is out of range" in reasons[1]
    assert "bg-good" in incident_ids(center)
