"""Plain domain values: what the views show and the forms produce. No I/O here.

Each value converts to and from the flat field mapping that the op-log carries
(``to_fields``/``from_fields``); the checks live in :mod:`app.records`, so a value built here
and a value received from a partner pass the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import values as v
from app.errors import ValidationError
from app.records import INCIDENT, OFFICER, PATROL, RELEASE_TO_ALL, SECTOR


@dataclass(frozen=True)
class Note:
    """One entry of an incident's append-only follow-up log."""

    id: str
    incident_id: str
    author: str
    center: str
    created_at: datetime
    text: str


@dataclass(frozen=True)
class LevelChange:
    at: datetime
    level: v.ImpactLevel
    center: str
    author: str


@dataclass(frozen=True)
class Incident:
    id: str
    owner: str
    originator: str
    reported_by: str
    occurred_at: datetime
    reported_at: datetime
    lon: float
    lat: float
    category: v.Category
    impact: v.ImpactLevel
    confidence: str
    status: v.IncidentStatus
    title: str
    description: str = ""
    assigned_patrols: tuple[str, ...] = ()
    releasability: tuple[str, ...] = (RELEASE_TO_ALL,)
    notes: tuple[Note, ...] = ()
    deleted: bool = False

    def to_fields(self) -> dict[str, Any]:
        fields = {
            "owner": self.owner,
            "originator": self.originator,
            "reported_by": self.reported_by,
            "occurred_at": v.to_ms(self.occurred_at),
            "reported_at": v.to_ms(self.reported_at),
            "lon": self.lon,
            "lat": self.lat,
            "category": self.category.value,
            "impact": self.impact.value,
            "confidence": self.confidence,
            "status": self.status.value,
            "title": self.title,
            "description": self.description,
            "assigned_patrols": list(self.assigned_patrols),
            "releasability": list(self.releasability),
        }
        return INCIDENT.check(fields)

    @classmethod
    def from_fields(cls, record_id: str, fields: Mapping[str, Any], **extra: Any) -> Incident:
        return cls(
            id=record_id,
            owner=fields["owner"],
            originator=fields["originator"],
            reported_by=fields["reported_by"] or "",
            occurred_at=v.from_ms(fields["occurred_at"]),
            reported_at=v.from_ms(fields["reported_at"]),
            lon=fields["lon"],
            lat=fields["lat"],
            category=v.Category(fields["category"]),
            impact=v.ImpactLevel(fields["impact"]),
            confidence=fields["confidence"],
            status=v.IncidentStatus(fields["status"]),
            title=fields["title"],
            description=fields["description"] or "",
            assigned_patrols=tuple(fields["assigned_patrols"] or ()),
            releasability=tuple(fields["releasability"] or ()),
            **extra,
        )


def new_incident(
    *,
    id: str,
    center: str,
    reported_by: str,
    occurred_at: object,
    lon: object,
    lat: object,
    category: object,
    title: object,
    impact: object = v.ImpactLevel.MEDIUM,
    confidence: object = v.UNKNOWN_CONFIDENCE,
    description: object = "",
    reported_at: object | None = None,
    releasability: tuple[str, ...] = (RELEASE_TO_ALL,),
    now: datetime | None = None,
) -> Incident:
    """A first report from this center, checked field by field (the message names the field)."""
    occurred = v.parse_utc(occurred_at, "occurred_at")
    reported = v.parse_utc(reported_at, "reported_at") if reported_at else (now or occurred)
    if reported < occurred:
        raise ValidationError("reported_at", "is before occurred_at")
    fields = INCIDENT.check(
        {
            "owner": center,
            "originator": center,
            "reported_by": reported_by,
            "occurred_at": v.to_ms(occurred),
            "reported_at": v.to_ms(reported),
            "lon": lon,
            "lat": lat,
            "category": category,
            "impact": impact,
            "confidence": confidence,
            "status": v.IncidentStatus.REPORTED,
            "title": title,
            "description": description,
            "assigned_patrols": [],
            "releasability": list(releasability),
        }
    )
    return Incident.from_fields(v.check_id(id), fields)


@dataclass(frozen=True)
class Sector:
    """A border section: a polygon along the line, who is responsible, how exposed it is."""

    id: str
    name: str
    country: str
    agency: str
    impact: v.ImpactLevel
    geometry: dict[str, Any]
    releasability: tuple[str, ...] = (RELEASE_TO_ALL,)
    history: tuple[LevelChange, ...] = ()
    deleted: bool = False

    def to_fields(self) -> dict[str, Any]:
        return SECTOR.check(
            {
                "name": self.name,
                "country": self.country,
                "agency": self.agency,
                "impact": self.impact.value,
                "geometry": self.geometry,
                "releasability": list(self.releasability),
            }
        )

    @classmethod
    def from_fields(cls, record_id: str, fields: Mapping[str, Any], **extra: Any) -> Sector:
        return cls(
            id=record_id,
            name=fields["name"],
            country=fields["country"],
            agency=fields["agency"] or "",
            impact=v.ImpactLevel(fields["impact"]),
            geometry=fields["geometry"],
            releasability=tuple(fields["releasability"] or ()),
            **extra,
        )


@dataclass(frozen=True)
class BorderLine:
    """A stretch of international boundary and the two countries it separates (ISO3)."""

    id: str
    name: str
    country_a: str
    country_b: str
    coordinates: tuple[tuple[tuple[float, float], ...], ...]  # one or more lon/lat paths


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    agency: str
    country: str
    rank: str = ""
    languages: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    available: bool = True
    releasability: tuple[str, ...] = (RELEASE_TO_ALL,)
    deleted: bool = False

    def to_fields(self) -> dict[str, Any]:
        return OFFICER.check(
            {
                "name": self.name,
                "agency": self.agency,
                "country": self.country,
                "rank": self.rank,
                "languages": list(self.languages),
                "qualifications": list(self.qualifications),
                "available": self.available,
                "releasability": list(self.releasability),
            }
        )

    @classmethod
    def from_fields(cls, record_id: str, fields: Mapping[str, Any], **extra: Any) -> Officer:
        return cls(
            id=record_id,
            name=fields["name"],
            agency=fields["agency"],
            country=fields["country"],
            rank=fields["rank"] or "",
            languages=tuple(fields["languages"] or ()),
            qualifications=tuple(fields["qualifications"] or ()),
            available=bool(fields["available"]),
            releasability=tuple(fields["releasability"] or ()),
            **extra,
        )


@dataclass(frozen=True)
class Override:
    """A commander's recorded decision to let a patrol break one rule (an audit-trail entry)."""

    rule: str
    officers: tuple[str, ...]
    reason: str
    by: str
    at: datetime

    def to_fields(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "officers": sorted(self.officers),
            "reason": self.reason,
            "by": self.by,
            "at": v.to_ms(self.at),
        }

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> Override:
        return cls(
            rule=fields["rule"],
            officers=tuple(fields["officers"]),
            reason=fields["reason"],
            by=fields["by"],
            at=v.from_ms(fields["at"]),
        )


@dataclass(frozen=True)
class Patrol:
    """A joint patrol: a crew (often of several countries) on a shift in a sector."""

    id: str
    call_sign: str
    crew: tuple[str, ...]
    vehicle: str
    shift_start: datetime
    shift_end: datetime
    sector_id: str
    status: v.PatrolStatus
    lon: float | None = None
    lat: float | None = None
    position_at: datetime | None = None
    releasability: tuple[str, ...] = (RELEASE_TO_ALL,)
    overrides: tuple[Override, ...] = ()
    deleted: bool = False

    def __post_init__(self) -> None:
        if self.shift_end <= self.shift_start:
            raise ValidationError("shift_end", "is not after shift_start")

    def to_fields(self) -> dict[str, Any]:
        """The patrol's fields; ``overrides`` only when there are some (see late_fields)."""
        fields = PATROL.check(
            {
                "call_sign": self.call_sign,
                "crew": list(self.crew),
                "vehicle": self.vehicle,
                "shift_start": v.to_ms(self.shift_start),
                "shift_end": v.to_ms(self.shift_end),
                "sector_id": self.sector_id,
                "status": self.status.value,
                "lon": self.lon,
                "lat": self.lat,
                "position_at": None if self.position_at is None else v.to_ms(self.position_at),
                "releasability": list(self.releasability),
                "overrides": [override.to_fields() for override in self.overrides],
            }
        )
        if not fields["overrides"]:
            del fields["overrides"]
        return fields

    @classmethod
    def from_fields(cls, record_id: str, fields: Mapping[str, Any], **extra: Any) -> Patrol:
        position_at = fields.get("position_at")
        return cls(
            id=record_id,
            call_sign=fields["call_sign"],
            crew=tuple(fields["crew"] or ()),
            vehicle=fields["vehicle"] or "",
            shift_start=v.from_ms(fields["shift_start"]),
            shift_end=v.from_ms(fields["shift_end"]),
            sector_id=fields["sector_id"] or "",
            status=v.PatrolStatus(fields["status"]),
            lon=fields.get("lon"),
            lat=fields.get("lat"),
            position_at=None if position_at is None else v.from_ms(position_at),
            releasability=tuple(fields["releasability"] or ()),
            overrides=tuple(Override.from_fields(o) for o in fields.get("overrides") or ()),
            **extra,
        )


@dataclass(frozen=True)
class PartnerCenter:
    """A partner command center this node links with. Local configuration, never replicated."""

    id: str
    name: str
    country: str
    agency: str = ""
    address: str = ""
    credential_ref: str = ""
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        v.check_id(self.id, "partners.id")
        v.check_text(self.name, "partners.name", required=True, max_len=120)
        if self.address and not self.address.startswith(("ws://", "wss://")):
            raise ValidationError(
                "partners.address", f"{self.address!r} is not a ws:// or wss:// URL"
            )
