"""Valid records for tests, built through the domain layer (so they pass its checks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app import values as v
from app.domain import Patrol, new_incident

SHIFT_START = datetime(2026, 11, 22, 6, tzinfo=UTC)


def minutes_ago(minutes: float) -> int:
    """UTC milliseconds ``minutes`` before now (for what the timeline's last 24 h shows)."""
    return int((datetime.now(UTC) - timedelta(minutes=minutes)).timestamp() * 1000)


def incident_fields(center: str = "GR-ORE", **changes: Any) -> dict[str, Any]:
    """The fields of a new incident owned by ``center``, with ``changes`` applied."""
    incident = new_incident(
        id="x",
        center=center,
        reported_by="op",
        occurred_at="2026-11-20T10:00:00Z",
        lon=26.3,
        lat=41.5,
        category="smuggling",
        title="Van at the fence",
    )
    fields = incident.to_fields()
    fields.update(changes)
    return fields


def patrol(
    call_sign: str,
    crew: tuple[str, ...] = (),
    start: datetime = SHIFT_START,
    hours: float = 8,
    sector_id: str = "",
) -> Patrol:
    """A planned patrol ``PAT-<call sign>`` on an ``hours`` shift from ``start``."""
    return Patrol(
        f"PAT-{call_sign}",
        call_sign,
        crew,
        "4x4",
        start,
        start + timedelta(hours=hours),
        sector_id,
        v.PatrolStatus.PLANNED,
    )
