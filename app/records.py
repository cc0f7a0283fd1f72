"""The replicated record kinds and their fields.

A record is a flat mapping of field name to a JSON-native value (str, int, float, bool, list,
dict or None). This module is the single description of which fields each kind has, which of
them are stored as JSON, and how a field value received from anywhere (a form, an import, a
partner) is checked before it may touch the store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import UnionType
from typing import Annotated, Any, Literal, TypedDict, Union, get_args, get_origin

import msgspec
from msgspec import UNSET, Meta, UnsetType

from app import values as v
from app.errors import ValidationError

FieldCheck = Callable[[Any, str], Any]
_fields_decoder = msgspec.json.Decoder(dict[str, Any])


def _text(max_len: int, *, required: bool = False) -> FieldCheck:
    return lambda value, field: v.check_text(value, field, required=required, max_len=max_len)


def _enum(enum: type) -> FieldCheck:
    return lambda value, field: v.parse_enum(enum, value, field).value


def _incident_impact(value: Any, field: str) -> str:
    level = v.parse_enum(v.ImpactLevel, value, field)
    if level not in v.INCIDENT_IMPACT_LEVELS:
        raise ValidationError(field, "an incident's impact level is low, medium or high")
    return level.value


def _ms(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"{value!r} is not a time in UTC milliseconds")
    if not -2_208_988_800_000 <= value <= 7_258_118_400_000:  # 1900..2200
        raise ValidationError(field, "time is out of range (1900-2200)")
    return value


def _optional_ms(value: Any, field: str) -> int | None:
    return None if value is None else _ms(value, field)


def _optional_lat(value: Any, field: str) -> float | None:
    return None if value is None else v.check_lat(value, field)


def _optional_lon(value: Any, field: str) -> float | None:
    return None if value is None else v.check_lon(value, field)


def _id_list(max_items: int) -> FieldCheck:
    def check(value: Any, field: str) -> list[str]:
        if not isinstance(value, list | tuple):
            raise ValidationError(field, f"{value!r} is not a list")
        if len(value) > max_items:
            raise ValidationError(field, f"has {len(value)} entries (at most {max_items})")
        items = [v.check_id(item, field) for item in value]
        return sorted(set(items))

    return check


def _short_list(max_items: int, max_len: int) -> FieldCheck:
    def check(value: Any, field: str) -> list[str]:
        if not isinstance(value, list | tuple):
            raise ValidationError(field, f"{value!r} is not a list")
        if len(value) > max_items:
            raise ValidationError(field, f"has {len(value)} entries (at most {max_items})")
        return sorted({v.check_text(item, field, required=True, max_len=max_len) for item in value})

    return check


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field, f"{value!r} is not true or false")
    return value


def _geometry(value: Any, field: str) -> dict[str, Any]:
    from app.geometry_check import check_polygon_geojson

    return check_polygon_geojson(value, field)


OVERRIDE_KEYS = ("rule", "officers", "reason", "by", "at")


def _overrides(value: Any, field: str) -> list[dict[str, Any]]:
    """A patrol's rule overrides: who waived which rule, for which officers, when and why."""
    if not isinstance(value, list | tuple):
        raise ValidationError(field, f"{value!r} is not a list")
    if len(value) > 50:
        raise ValidationError(field, f"has {len(value)} entries (at most 50)")
    out = []
    for entry in value:
        if not isinstance(entry, Mapping) or set(entry) != set(OVERRIDE_KEYS):
            raise ValidationError(field, f"an override has the keys {', '.join(OVERRIDE_KEYS)}")
        out.append(
            {
                "rule": v.check_id(entry["rule"], f"{field}.rule"),
                "officers": sorted({v.check_id(o, f"{field}.officers") for o in entry["officers"]}),
                "reason": v.check_text(
                    entry["reason"], f"{field}.reason", required=True, max_len=2000
                ),
                "by": v.check_text(entry["by"], f"{field}.by", required=True, max_len=120),
                "at": _ms(entry["at"], f"{field}.at"),
            }
        )
    return out


def _op_keys(value: Any, field: str) -> list[list[Any]]:
    """Ops named by their (origin, seq) keys: the crew versions a crew edit replaces."""
    if not isinstance(value, list | tuple):
        raise ValidationError(field, f"{value!r} is not a list")
    if len(value) > 20:
        raise ValidationError(field, f"has {len(value)} entries (at most 20)")
    keys = set()
    for entry in value:
        if not isinstance(entry, list | tuple) or len(entry) != 2:
            raise ValidationError(field, f"{entry!r} is not an [origin, seq] pair")
        origin, seq = entry
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            raise ValidationError(field, f"{seq!r} is not an op's sequence number")
        keys.add((v.check_id(origin, field), seq))
    return [list(key) for key in sorted(keys)]


def _leaf_types(annotation: Any) -> set[Any]:
    """The plain types inside Annotated[...] / X | None / list[...] (one level)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _leaf_types(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return set().union(*(_leaf_types(arg) for arg in get_args(annotation)))
    return {origin or annotation}


_AT_FIELD = re.compile(r"at `\$\.(\w+)")

# Canonical types of field values (what the op-log carries), for RecordKind.struct.
# No regex patterns here: they cost 4x the rest of the check. Control characters in ids are
# refused where people type them (values.check_id); here only shape and size matter.
Id = Annotated[str, Meta(min_length=1, max_length=128)]
IdList = Annotated[list[Id], Meta(max_length=200)]
Ms = Annotated[int, Meta(ge=-2_208_988_800_000, le=7_258_118_400_000)]
Lon = Annotated[float, Meta(ge=-180.0, le=180.0)]
Lat = Annotated[float, Meta(ge=-90.0, le=90.0)]
Confidence = Literal[tuple(r + c for r in "ABCDEF" for c in "123456")]  # type: ignore[valid-type]


def _one_of(enum: type) -> Any:
    """The values of an enum as a Literal: checked in C, and kept as plain strings."""
    return Literal[tuple(member.value for member in enum)]  # type: ignore[valid-type]


def _t(max_len: int, *, required: bool = False) -> Any:
    if required:
        return Annotated[str, Meta(min_length=1, max_length=max_len)]
    return Annotated[str, Meta(max_length=max_len)]


def _short_list_type(max_items: int, max_len: int) -> Any:
    return Annotated[
        list[Annotated[str, Meta(min_length=1, max_length=max_len)]], Meta(max_length=max_items)
    ]


class OverrideFields(TypedDict):
    rule: Annotated[str, Meta(min_length=1, max_length=128)]
    officers: Annotated[
        list[Annotated[str, Meta(min_length=1, max_length=128)]], Meta(max_length=20)
    ]
    reason: Annotated[str, Meta(min_length=1, max_length=2000)]
    by: Annotated[str, Meta(min_length=1, max_length=120)]
    at: Annotated[int, Meta(ge=-2_208_988_800_000, le=7_258_118_400_000)]


RELEASE_TO_ALL = "*"
"""In a ``releasability`` list: every partner center (the default for new records)."""


@dataclass(frozen=True)
class RecordKind:
    """One replicated kind: its table, its shared fields in column order, its checks."""

    name: str
    table: str
    checks: Mapping[str, FieldCheck]
    types: Mapping[str, Any]
    json_fields: frozenset[str]
    append_only: bool = False
    bool_fields: frozenset[str] = frozenset()
    deep_fields: frozenset[str] = field(default=frozenset())
    # Fields added after the first release: a record is complete without them, and a create
    # omits them while empty, so partners on an older release still accept it.
    late_fields: frozenset[str] = field(default=frozenset())

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.checks)

    @cached_property
    def required_fields(self) -> frozenset[str]:
        """The fields a record needs to be complete (shown)."""
        return frozenset(self.checks) - self.late_fields

    @cached_property
    def struct(self) -> type[msgspec.Struct]:
        """The canonical form of this kind's fields, checked in C by msgspec (any subset)."""
        assert set(self.types) == set(self.checks), self.name
        return msgspec.defstruct(
            f"{self.name.capitalize()}Fields",
            [(name, self.types[name] | UnsetType, UNSET) for name in self.checks],
            forbid_unknown_fields=True,
            gc=False,  # holds JSON values only: never part of a reference cycle
        )

    @cached_property
    def _decoder(self) -> msgspec.json.Decoder:
        return msgspec.json.Decoder(self.struct)

    @cached_property
    def _float_fields(self) -> tuple[str, ...]:
        return tuple(n for n, t in self.types.items() if float in _leaf_types(t))

    @cached_property
    def _list_fields(self) -> tuple[str, ...]:
        return tuple(n for n, t in self.types.items() if list in _leaf_types(t))

    def check_canonical(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Check fields that should already be in canonical form (from the domain layer or a
        partner) at C speed; the error still names the field. The store calls this on every op."""
        try:
            msgspec.convert(fields, self.struct)
        except msgspec.ValidationError as error:
            self.check(fields)  # the friendlier message, where one of ours applies
            text = str(error)
            match = _AT_FIELD.search(text)
            name = match.group(1) if match else "fields"
            raise ValidationError(name, text.split(" - at ")[0]) from None
        # Valid as given; make numbers and sequences the one JSON-native form they take
        # everywhere (26 and 26.0 must hash alike once read back from SQLite).
        checked = fields if type(fields) is dict else dict(fields)
        for name in self._float_fields:
            value = checked.get(name)
            if type(value) is int:
                checked = checked if checked is not fields else dict(fields)
                checked[name] = float(value)
        for name in self._list_fields:
            value = checked.get(name)
            if value is not None and type(value) is not list:
                checked = checked if checked is not fields else dict(fields)
                checked[name] = list(value)
        if self.deep_fields:  # (the intersection below costs more than the check for most kinds)
            for name in self.deep_fields & checked.keys():
                checked = checked if checked is not fields else dict(fields)
                checked[name] = self.checks[name](checked[name], name)
        return checked

    def check_encoded(self, data: bytes | msgspec.Raw) -> dict[str, Any]:
        """:meth:`check_canonical` of fields given as JSON text (a partner's op), decoded and
        checked in one pass in C; anything that does not pass goes the way of a decoded dict,
        so the verdict and the error naming the field are the same."""
        try:
            checked = msgspec.to_builtins(self._decoder.decode(data))
        except msgspec.DecodeError:
            try:
                fields = _fields_decoder.decode(data)
            except msgspec.DecodeError as error:
                raise ValidationError("fields", str(error)) from None
            return self.check_canonical(fields)
        if self.deep_fields:
            for name in self.deep_fields & checked.keys():
                checked[name] = self.checks[name](checked[name], name)
        return checked

    def decode_row(self, row: Any, offset: int = 1) -> dict[str, Any]:
        """Field values from a database row whose columns ``offset...`` are this kind's fields."""
        fields: dict[str, Any] = {}
        for index, name in enumerate(self.fields, start=offset):
            value = row[index]
            if value is not None:
                if name in self.json_fields:
                    value = json.loads(value)
                elif name in self.bool_fields:
                    value = bool(value)
            fields[name] = value
        return fields

    def check(self, fields: Mapping[str, Any], *, where: str | None = None) -> dict[str, Any]:
        """Checked and normalised copies of ``fields``; an unknown or bad field is named."""
        checked: dict[str, Any] = {}
        for name, value in fields.items():
            check = self.checks.get(name)
            if check is None:
                raise ValidationError(name, f"is not a field of {self.name}", where)
            try:
                checked[name] = check(value, name)
            except ValidationError as error:
                raise error.at(where) if where else error from None
        return checked


INCIDENT = RecordKind(
    name="incident",
    table="incidents",
    checks={
        "owner": lambda value, field: v.check_id(value, field),
        "originator": lambda value, field: v.check_id(value, field),
        "reported_by": _text(120),
        "occurred_at": _ms,
        "reported_at": _ms,
        "lon": lambda value, field: v.check_lon(value, field),
        "lat": lambda value, field: v.check_lat(value, field),
        "category": _enum(v.Category),
        "impact": _incident_impact,
        "confidence": lambda value, field: v.check_confidence(value, field),
        "status": _enum(v.IncidentStatus),
        "title": _text(200, required=True),
        "description": _text(20_000),
        "assigned_patrols": _id_list(50),
        "releasability": _id_list(200),
    },
    types={
        "owner": Id,
        "originator": Id,
        "reported_by": _t(120),
        "occurred_at": Ms,
        "reported_at": Ms,
        "lon": Lon,
        "lat": Lat,
        "category": _one_of(v.Category),
        "impact": Literal["low", "medium", "high"],
        "confidence": Confidence,
        "status": _one_of(v.IncidentStatus),
        "title": _t(200, required=True),
        "description": _t(20_000),
        "assigned_patrols": Annotated[list[Id], Meta(max_length=50)],
        "releasability": IdList,
    },
    json_fields=frozenset({"assigned_patrols", "releasability"}),
)

NOTE = RecordKind(
    name="note",
    table="notes",
    checks={
        "incident_id": lambda value, field: v.check_id(value, field),
        "author": _text(120, required=True),
        "center": lambda value, field: v.check_id(value, field),
        "created_at": _ms,
        "text": _text(20_000, required=True),
    },
    types={
        "incident_id": Id,
        "author": _t(120, required=True),
        "center": Id,
        "created_at": Ms,
        "text": _t(20_000, required=True),
    },
    json_fields=frozenset(),
    append_only=True,
)

SECTOR = RecordKind(
    name="sector",
    table="sectors",
    checks={
        "name": _text(120, required=True),
        "country": _text(3, required=True),
        "agency": _text(120),
        "impact": _enum(v.ImpactLevel),
        "geometry": _geometry,
        "releasability": _id_list(200),
    },
    types={
        "name": _t(120, required=True),
        "country": _t(3, required=True),
        "agency": _t(120),
        "impact": _one_of(v.ImpactLevel),
        "geometry": dict[str, Any],
        "releasability": IdList,
    },
    json_fields=frozenset({"geometry", "releasability"}),
    deep_fields=frozenset({"geometry"}),
)

OFFICER = RecordKind(
    name="officer",
    table="officers",
    checks={
        "name": _text(120, required=True),
        "agency": _text(120, required=True),
        "country": _text(3, required=True),
        "rank": _text(60),
        "languages": _short_list(20, 8),
        "qualifications": _short_list(30, 40),
        "available": _bool,
        "releasability": _id_list(200),
    },
    types={
        "name": _t(120, required=True),
        "agency": _t(120, required=True),
        "country": _t(3, required=True),
        "rank": _t(60),
        "languages": _short_list_type(20, 8),
        "qualifications": _short_list_type(30, 40),
        "available": bool,
        "releasability": IdList,
    },
    json_fields=frozenset({"languages", "qualifications", "releasability"}),
    bool_fields=frozenset({"available"}),
)

PATROL = RecordKind(
    name="patrol",
    table="patrols",
    checks={
        "call_sign": _text(40, required=True),
        "crew": _id_list(20),
        "vehicle": _text(80),
        "shift_start": _ms,
        "shift_end": _ms,
        "sector_id": _text(128),
        "status": _enum(v.PatrolStatus),
        "lon": _optional_lon,
        "lat": _optional_lat,
        "position_at": _optional_ms,
        "releasability": _id_list(200),
        "overrides": _overrides,
        # The crew versions (ops, by origin and seq) the crew written with it replaces: what
        # tells a concurrent crew edit from a later one (app/crew_versions.py).
        "crew_base": _op_keys,
    },
    types={
        "call_sign": _t(40, required=True),
        "crew": Annotated[list[Id], Meta(max_length=20)],
        "vehicle": _t(80),
        "shift_start": Ms,
        "shift_end": Ms,
        "sector_id": _t(128),
        "status": _one_of(v.PatrolStatus),
        "lon": Lon | None,
        "lat": Lat | None,
        "position_at": Ms | None,
        "releasability": IdList,
        "overrides": Annotated[list[OverrideFields], Meta(max_length=50)],
        "crew_base": Annotated[list[tuple[Id, Annotated[int, Meta(ge=1)]]], Meta(max_length=20)],
    },
    json_fields=frozenset({"crew", "releasability", "overrides", "crew_base"}),
    deep_fields=frozenset({"crew_base"}),  # [origin, seq] pairs as lists, whatever came in
    late_fields=frozenset({"overrides", "crew_base"}),  # schema 0002, 0004
)

KINDS: dict[str, RecordKind] = {
    kind.name: kind for kind in (INCIDENT, NOTE, SECTOR, OFFICER, PATROL)
}


def kind_named(name: str) -> RecordKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValidationError("kind", f"unknown record kind {name!r}") from None
