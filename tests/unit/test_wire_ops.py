"""Partner ops as they come off the wire (fields still JSON text) are judged and stored exactly
as the same ops decoded first: same verdict, same reason naming the field, same op-log bytes,
same picture."""

from __future__ import annotations

import json

import msgspec
import pytest

from app.errors import ValidationError
from app.hlc import pack
from app.oplog import Action, Op, WireOp, decode_fields
from app.records import KINDS
from app.store import Store
from app.store.digest import picture_digest
from app.sync import protocol
from tests.factories import incident_fields

BASE_MS = 1_795_000_000_000
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[26.0, 41.0], [26.1, 41.0], [26.1, 41.1], [26.0, 41.1], [26.0, 41.0]]],
}
PATROL = {
    "call_sign": "EVROS-7", "crew": ["o2", "o1"], "vehicle": "Land Rover",
    "shift_start": BASE_MS, "shift_end": BASE_MS + 28_800_000, "sector_id": "s1",
    "status": "available", "lon": 26, "lat": None, "position_at": None, "releasability": ["*"],
}  # fmt: skip
SECTOR = {"name": "Evros", "country": "GRC", "agency": "HP", "impact": "high",
          "geometry": SQUARE, "releasability": ["*"]}  # fmt: skip
NOTE = {"incident_id": "i1", "author": "anna", "center": "GR-ORE", "created_at": BASE_MS,
        "text": "Seen from our side"}  # fmt: skip

# (kind, fields as a partner may write them: key order, spacing and 26 for 26.0 are theirs)
ACCEPTED = [
    ("incident", json.dumps(incident_fields("BG-SVL"))),
    ("incident", json.dumps(incident_fields("BG-SVL", lon=26), sort_keys=False, indent=2)),
    ("incident", '{ "status" : "closed" }'),
    ("patrol", json.dumps(PATROL)),
    ("sector", json.dumps(SECTOR)),
    ("note", json.dumps(NOTE)),
    ("incident", '{"lat": 400.0, "lat": 41.5}'),  # a repeated key: the last one counts
]
REFUSED = [
    ("incident", json.dumps(incident_fields("BG-SVL", lat="north")), "lat"),
    ("incident", json.dumps(incident_fields("BG-SVL", lat=400.0)), "lat"),
    ("incident", json.dumps(incident_fields("BG-SVL", colour="red")), "colour"),
    ("incident", json.dumps(incident_fields("BG-SVL", title="")), "title"),
    ("incident", json.dumps(incident_fields("BG-SVL", occurred_at=1.5)), "occurred_at"),
    ("incident", json.dumps(incident_fields("BG-SVL", releasability="*")), "releasability"),
    ("incident", json.dumps(incident_fields("BG-SVL", status="lost")), "status"),
    ("sector", json.dumps({**SECTOR, "geometry": {**SQUARE, "coordinates": []}}), "geometry"),
    ("incident", '{"lat": 41.5, "lat": 400.0}', "lat"),
]


def _verdict(check, fields):
    try:
        return "accepted", check(fields)
    except ValidationError as error:
        return "refused", str(error)


@pytest.mark.parametrize(("kind", "text"), ACCEPTED + [(k, t) for k, t, _ in REFUSED])
def test_fields_as_text_get_the_verdict_of_fields_decoded_first(kind, text):
    record = KINDS[kind]
    as_text = _verdict(record.check_encoded, msgspec.Raw(text.encode()))
    decoded = _verdict(record.check_canonical, decode_fields(text))
    assert as_text == decoded
    if as_text[0] == "accepted":  # and the values are canonical: 26 became 26.0
        assert msgspec.json.encode(as_text[1], order="sorted") == msgspec.json.encode(
            decoded[1], order="sorted"
        )
        assert all(type(a) is type(b) for a, b in zip(as_text[1].values(), decoded[1].values()))


def _ops(cases):
    ops = []
    for seq, (kind, text, *_) in enumerate(cases, start=1):
        partial = kind == "incident" and "owner" not in text  # a change to the first one
        record_id = "r1" if partial else f"r{seq}"
        ops.append(("BG-SVL", seq, pack(BASE_MS + seq, 0), kind, record_id, Action.SET, text))
    return ops


def _apply(store, ops):
    return store.apply_remote(ops, source="BG-SVL").result()


def test_wire_ops_are_stored_and_refused_as_decoded_ops_are(tmp_path):
    create = [("incident", json.dumps(incident_fields("BG-SVL")))]
    cases = create + ACCEPTED + REFUSED
    plain = _ops(cases)
    wire = [WireOp(*op[:6], msgspec.Raw(op[6].encode()), "ivan") for op in plain]
    decoded = [Op(*op[:6], decode_fields(op[6]), "ivan") for op in plain]
    with Store(tmp_path / "a.sqlite3", "GR-ORE") as a, Store(tmp_path / "b.sqlite3", "GR-ORE") as b:
        from_wire, from_decoded = _apply(a, wire), _apply(b, decoded)
        assert from_wire.applied == from_decoded.applied == len(create + ACCEPTED)
        assert [reason for _, reason in from_wire.rejected] == [
            reason for _, reason in from_decoded.rejected
        ]
        for (_kind, _text, field), (_op, reason) in zip(REFUSED, from_wire.rejected, strict=True):
            assert field in reason
        sql = "SELECT origin, seq, fields FROM ops ORDER BY lsn"
        with a.read() as ca, b.read() as cb:
            assert ca.exec_driver_sql(sql).fetchall() == cb.exec_driver_sql(sql).fetchall()
            assert picture_digest(ca) == picture_digest(cb)
            quarantined = ca.exec_driver_sql("SELECT op FROM quarantine ORDER BY id").fetchall()
        assert len(quarantined) == len(REFUSED)
        # applying the same wire ops again changes nothing
        again = _apply(a, wire)
        assert (again.applied, again.duplicates) == (0, len(create + ACCEPTED))


def test_a_frame_whose_op_fields_are_not_an_object_is_refused_whole():
    good = '["BG-SVL",1,2,"incident","i1","set",{"status":"closed"},"ivan"]'
    for fields in ('["status"]', '"closed"', "7", "null"):
        bad = good.replace('{"status":"closed"}', fields).replace(",1,", ",2,")
        frame = f'{{"type":"ops","batch":3,"ops":[{good},{bad}]}}'
        with pytest.raises(protocol.ProtocolError, match=r"\$\.ops\[1\]\[6\]"):
            protocol.decode(frame)
    message = protocol.decode(f'{{"type":"ops","batch":3,"ops":[{good}]}}')
    assert isinstance(message, protocol.Ops)
    assert bytes(message.ops[0].fields) == b'{"status":"closed"}'
