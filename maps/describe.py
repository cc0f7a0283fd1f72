"""Where a point lies, in words an operator reads at a glance (the form, the details dock)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from maps.jurisdiction import Placement


def placement_fields(placement: Placement, sector_names: Mapping[str, str]) -> dict[str, str]:
    """Country, sector and distance to the border, each empty when unknown."""
    distance = ""
    if not math.isnan(placement.border_km):
        km = placement.border_km
        distance = f"{km:.1f} km" if km < 10 else f"{km:.0f} km"
        if placement.across:
            distance += f" ({placement.across} across)"
    return {
        "Country": placement.country or "at sea or outside the mapped countries",
        "Sector": sector_names.get(placement.sector_id, placement.sector_id) or "outside sectors",
        "Border": distance,
    }


def placement_text(placement: Placement, sector_names: Mapping[str, str]) -> str:
    fields = placement_fields(placement, sector_names)
    parts = [fields["Country"], fields["Sector"]]
    if fields["Border"]:
        parts.append(f"{fields['Border']} from the border")
    return " · ".join(parts)
