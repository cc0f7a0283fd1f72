"""Valid records for tests, built through the domain layer (so they pass its checks)."""

from __future__ import annotations

from typing import Any

from app.domain import new_incident


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
