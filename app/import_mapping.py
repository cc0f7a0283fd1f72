"""What the cells of an import row mean: the generic incident layout and the IOM adapter.

Each mapper turns one :class:`~app.import_readers.SourceRow` into an :class:`ImportedRecord`:
the checked incident fields for a new record, and the names of the fields the file really
gave (only those are compared with, and written over, a record that already exists).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app import values as v
from app.errors import ValidationError
from app.import_readers import ImportRowError, SourceRow
from app.records import INCIDENT, RELEASE_TO_ALL

REQUIRED_COLUMNS = ("id", "time", "lat", "lon", "category", "description")
IOM_COLUMNS = ("dead", "missing", "route")
IOM_ATTRIBUTION = "Source: IOM's Missing Migrants Project (missingmigrants.iom.int), CC BY 4.0."
IOM_CHANGES = (
    "Changes: columns selected and renamed, rows without a date removed, regional subset "
    "clipped by distance to the Natural Earth border; mapped to a Limes incident."
)
IOM_CONFIDENCE = "B2"  # IOM compiles from official, NGO and media sources it checks: usually
# reliable, probably true; not A1 because most records rest on one secondary source
FUTURE_TOLERANCE = timedelta(minutes=10)  # clock differences between machines


@dataclass(frozen=True)
class ImportedRecord:
    record_id: str
    fields: dict[str, Any]  # every incident field, checked
    given: frozenset[str]  # the fields the file itself set
    row: SourceRow


@dataclass(frozen=True)
class Defaults:
    """What an import fills in that the file does not say."""

    center: str
    user: str
    now: datetime
    # default release list per category (settings [releases]); "*" for every partner
    release_by_category: Mapping[str, list[str]] = field(default_factory=dict)


Mapper = Callable[[SourceRow, Defaults], ImportedRecord]


def mapper_for(columns: tuple[str, ...], file_name: str) -> Mapper:
    """The generic mapper, or the IOM adapter for a Missing Migrants Project extract."""
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportRowError(
            f"{file_name}: line 1: missing required column(s) {', '.join(missing)} "
            f"(found: {', '.join(columns)})",
            line=1,
            field=missing[0],
        )
    if all(name in columns for name in IOM_COLUMNS):
        return map_iom_row
    return map_generic_row


def _cell(row: SourceRow, name: str) -> str:
    value = row.cells.get(name)
    return "" if value is None else str(value).strip()


def _located(row: SourceRow, error: ValidationError) -> ImportRowError:
    return ImportRowError(
        f"{row.where}: {error.field}: {error.message}",
        row=row.row,
        line=row.line,
        field=error.field,
    )


def _required(row: SourceRow, name: str) -> str:
    text = _cell(row, name)
    if not text:
        raise ValidationError(name, "is required (the cell is empty)")
    return text


def _occurred_at(row: SourceRow, defaults: Defaults) -> int:
    moment = v.parse_utc(_required(row, "time"), "time")
    if moment > defaults.now + FUTURE_TOLERANCE:
        raise ValidationError("time", f"{moment.isoformat()} is in the future")
    return v.to_ms(moment)


def _finish(
    row: SourceRow, defaults: Defaults, fields: dict[str, Any], given: set[str]
) -> ImportedRecord:
    fields.setdefault("reported_by", defaults.user)
    fields.update(
        owner=defaults.center,
        originator=defaults.center,
        reported_at=max(v.to_ms(defaults.now), fields["occurred_at"]),
        assigned_patrols=[],
    )
    fields.setdefault(
        "releasability",
        list(defaults.release_by_category.get(fields["category"], [RELEASE_TO_ALL])),
    )
    record_id = v.check_id(_required(row, "id"), "id")
    return ImportedRecord(record_id, INCIDENT.check(fields), frozenset(given), row)


def map_generic_row(row: SourceRow, defaults: Defaults) -> ImportedRecord:
    """Columns id, time, lat, lon, category, description; optional title, impact, confidence,
    status, reported_by, releasability ('BG-SVL;TR-EDR' or '*'). Extra columns (an export's
    owner, reported_at...) are ignored."""
    try:
        description = _cell(row, "description")
        category = v.parse_enum(v.Category, _required(row, "category"), "category")
        fields: dict[str, Any] = {
            "occurred_at": _occurred_at(row, defaults),
            "lat": v.check_lat(_required(row, "lat"), "lat"),
            "lon": v.check_lon(_required(row, "lon"), "lon"),
            "category": category.value,
            "description": description,
        }
        given = {"occurred_at", "lat", "lon", "category", "description"}
        optional = {
            "title": lambda text: v.check_text(text, "title", required=True, max_len=200),
            "impact": lambda text: INCIDENT.checks["impact"](text, "impact"),
            "confidence": v.check_confidence,
            "status": lambda text: v.parse_enum(v.IncidentStatus, text, "status").value,
            "reported_by": lambda text: v.check_text(
                text, "reported_by", required=False, max_len=120
            ),
            # partner center ids separated by ';', or '*' for every partner
            "releasability": lambda text: INCIDENT.checks["releasability"](
                [part.strip() for part in text.split(";") if part.strip()], "releasability"
            ),
        }
        for name, check in optional.items():
            text = _cell(row, name)
            if text:
                fields[name] = check(text)
                given.add(name)
        fields.setdefault("title", _default_title(category, description))
        fields.setdefault("impact", v.ImpactLevel.MEDIUM.value)
        fields.setdefault("confidence", v.UNKNOWN_CONFIDENCE)
        fields.setdefault("status", v.IncidentStatus.REPORTED.value)
        return _finish(row, defaults, fields, given)
    except ValidationError as error:
        raise _located(row, error) from None


def _default_title(category: v.Category, description: str) -> str:
    first_line = description.splitlines()[0].strip() if description else ""
    if not first_line:
        return category.label
    return first_line if len(first_line) <= 80 else first_line[:79].rstrip() + "…"


def _count(row: SourceRow, name: str) -> int | None:
    text = _cell(row, name)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValidationError(name, f"{text!r} is not a number of people") from None
    if not number.is_integer() or number < 0:
        raise ValidationError(name, f"{text!r} is not a whole number of people")
    return int(number)


def map_iom_row(row: SourceRow, defaults: Defaults) -> ImportedRecord:
    """An IOM Missing Migrants Project record as a closed humanitarian incident.

    People who died or went missing: category risk to life, impact high, status closed
    (historical), the cause of death and IOM's location verbatim, and IOM's credit.
    """
    try:
        dead, missing = _count(row, "dead"), _count(row, "missing")
        location = _cell(row, "description")
        country = _cell(row, "country")
        figures = [f"{n} {word}" for n, word in ((dead, "dead"), (missing, "missing")) if n]
        title = f"{', '.join(figures) or 'Dead or missing'} — {location or country or 'location unknown'}"
        if len(title) > 200:
            title = title[:199].rstrip() + "…"
        lines = [
            f"People who died or went missing during migration, as recorded by IOM's Missing "
            f"Migrants Project (record {_required(row, 'id')}).",
            f"Cause of death (IOM, verbatim): {_cell(row, 'category') or 'not recorded'}",
            f"Dead: {dead if dead is not None else 'not recorded'}; "
            f"missing: {missing if missing is not None else 'not recorded'}",
            f"Location (IOM, verbatim): {location or 'not recorded'}",
            f"Country: {country or 'not recorded'}",
            f"Migration route: {_cell(row, 'route') or 'not recorded'}",
            "Date known to the day; IOM records no time of day (shown as 00:00Z).",
        ]
        if _cell(row, "source_url"):
            lines.append(f"Source URL: {_cell(row, 'source_url')}")
        lines += [IOM_ATTRIBUTION, IOM_CHANGES]
        fields: dict[str, Any] = {
            "occurred_at": _occurred_at(row, defaults),
            "lat": v.check_lat(_required(row, "lat"), "lat"),
            "lon": v.check_lon(_required(row, "lon"), "lon"),
            "category": v.Category.RISK_TO_LIFE.value,
            "impact": v.ImpactLevel.HIGH.value,
            "confidence": IOM_CONFIDENCE,
            "status": v.IncidentStatus.CLOSED.value,
            "title": title,
            "description": "\n".join(lines),
        }
        record = _finish(row, defaults, fields, set(fields))
        iom_id = v.check_id(_required(row, "id"), "id")
        return ImportedRecord(f"IOM-{iom_id}", record.fields, record.given, row)
    except ValidationError as error:
        raise _located(row, error) from None
