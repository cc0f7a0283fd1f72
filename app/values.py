"""The vocabulary of the picture: categories, levels, statuses, and the checks on plain values.

Enum values are the stable wire and database spellings; ``label`` is what people read.
"""

from __future__ import annotations

import functools
import math
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from app.errors import ValidationError


class Category(StrEnum):
    """Event categories after EUROSUR (Regulation 2021/581), grouped as operators use them."""

    UNAUTHORISED_CROSSING = "unauthorised_crossing"
    RISK_TO_LIFE = "risk_to_life"
    SMUGGLING = "smuggling"
    TRAFFICKING = "trafficking"
    DOCUMENT_FRAUD = "document_fraud"
    SUSPECT_VEHICLE = "suspect_vehicle"
    SUSPECT_VESSEL = "suspect_vessel"
    SUSPECT_PERSON = "suspect_person"
    CRISIS_SAR = "crisis_sar"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]

    @property
    def group(self) -> str:
        """EUROSUR's top-level group of this category."""
        return _CATEGORY_GROUPS[self]


_CATEGORY_LABELS = {
    Category.UNAUTHORISED_CROSSING: "Unauthorised crossing",
    Category.RISK_TO_LIFE: "Humanitarian: risk to life",
    Category.SMUGGLING: "Smuggling of goods",
    Category.TRAFFICKING: "Trafficking in human beings",
    Category.DOCUMENT_FRAUD: "Document fraud",
    Category.SUSPECT_VEHICLE: "Suspect vehicle",
    Category.SUSPECT_VESSEL: "Suspect vessel",
    Category.SUSPECT_PERSON: "Suspect person",
    Category.CRISIS_SAR: "Crisis / search and rescue",
    Category.OTHER: "Other",
}

_CATEGORY_GROUPS = {
    Category.UNAUTHORISED_CROSSING: "Unauthorised border crossing",
    Category.RISK_TO_LIFE: "Unauthorised border crossing",
    Category.SMUGGLING: "Cross-border crime",
    Category.TRAFFICKING: "Cross-border crime",
    Category.DOCUMENT_FRAUD: "Cross-border crime",
    Category.SUSPECT_VEHICLE: "Other events",
    Category.SUSPECT_VESSEL: "Other events",
    Category.SUSPECT_PERSON: "Other events",
    Category.CRISIS_SAR: "Crisis situations",
    Category.OTHER: "Other events",
}


class ImpactLevel(StrEnum):
    """Impact of an event. Sectors may also be raised to a temporary ``critical``."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {
    ImpactLevel.LOW: 0,
    ImpactLevel.MEDIUM: 1,
    ImpactLevel.HIGH: 2,
    ImpactLevel.CRITICAL: 3,
}

INCIDENT_IMPACT_LEVELS = (ImpactLevel.LOW, ImpactLevel.MEDIUM, ImpactLevel.HIGH)


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    VALIDATED = "validated"
    RESPONDING = "responding"
    RESOLVED = "resolved"
    CLOSED = "closed"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_open(self) -> bool:
        return self not in (IncidentStatus.CLOSED, IncidentStatus.DISMISSED)


class PatrolStatus(StrEnum):
    """Unit status in computer-aided-dispatch terms."""

    PLANNED = "planned"
    AVAILABLE = "available"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    OFF_DUTY = "off_duty"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Confidence as the Admiralty (NATO AJP-2.1) code that border intelligence uses: source
# reliability A-F and information credibility 1-6, e.g. "B2".
_RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
_CREDIBILITY = {
    "1": "confirmed",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}
_CONFIDENCE_RE = re.compile(r"^[A-F][1-6]$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
UNKNOWN_CONFIDENCE = "F6"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: object, field: str) -> E:
    """Accept an enum member, its value, or its label (any case); name the field otherwise."""
    if isinstance(value, enum):
        return value
    lookup = _enum_lookup(enum)
    member = lookup.get(value) if isinstance(value, str) else None  # the fast, common case
    if member is None:
        text = str(value).strip()
        member = lookup.get(text.lower().replace(" ", "_").replace("-", "_")) or lookup.get(
            text.lower()
        )
        if member is None:
            allowed = ", ".join(m.value for m in enum)
            raise ValidationError(field, f"unknown value {text!r} (allowed: {allowed})")
    return member  # type: ignore[return-value]


@functools.cache
def _enum_lookup(enum: type[StrEnum]) -> dict[str, StrEnum]:
    lookup: dict[str, StrEnum] = {}
    for member in enum:
        label = getattr(member, "label", None)
        if isinstance(label, str):
            lookup[label.lower()] = member
    for member in enum:
        lookup[str(member.value)] = member
    return lookup


def check_confidence(value: object, field: str = "confidence") -> str:
    text = str(value).strip().upper()
    if not _CONFIDENCE_RE.match(text):
        raise ValidationError(
            field,
            f"{value!r} is not an Admiralty code (reliability A-F + credibility 1-6, e.g. B2)",
        )
    return text


def describe_confidence(code: str) -> str:
    return f"{code}: source {_RELIABILITY[code[0]]}, information {_CREDIBILITY[code[1]]}"


def check_lat(value: object, field: str = "lat") -> float:
    lat = _finite_float(value, field)
    if not -90.0 <= lat <= 90.0:
        raise ValidationError(field, f"latitude {lat} is out of range (-90 to 90)")
    return lat


def check_lon(value: object, field: str = "lon") -> float:
    lon = _finite_float(value, field)
    if not -180.0 <= lon <= 180.0:
        raise ValidationError(field, f"longitude {lon} is out of range (-180 to 180)")
    return lon


def _finite_float(value: object, field: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(field, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValidationError(field, f"{value!r} is not a finite number")
    return number


def check_text(value: object, field: str, *, required: bool, max_len: int) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError(field, "is required")
    if len(text) > max_len:
        raise ValidationError(field, f"is {len(text)} characters long (at most {max_len})")
    return text


def check_id(value: object, field: str = "id") -> str:
    text = check_text(value, field, required=True, max_len=128)
    if _CONTROL_RE.search(text):
        raise ValidationError(field, f"{text!r} contains control characters")
    return text


def parse_utc(value: object, field: str) -> datetime:
    """A timezone-aware UTC datetime from a datetime or an ISO 8601 string.

    A naive time is refused: joint operations run on UTC and a guess would shift events.
    """
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if not text:
            raise ValidationError(field, "is required")
        try:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise ValidationError(
                field, f"{text!r} is not an ISO 8601 time (e.g. 2026-11-21T14:05:00Z)"
            ) from None
    if moment.tzinfo is None:
        raise ValidationError(field, f"{value!s} has no time zone; give UTC, e.g. ...Z")
    moment = moment.astimezone(UTC)
    if not 1900 <= moment.year <= 2200:
        raise ValidationError(field, f"{moment.isoformat()} is out of range (1900-2200)")
    return moment


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def format_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")
