"""Which countries' territory a border sector covers, from the map's country polygons.

A sector belongs to its own country (the sector record says which). It also *straddles* onto
a neighbour when at least ``min_share`` of its area lies in that neighbour's polygon. The
share is a threshold, not any overlap, because country polygons are generalised (Natural
Earth 1:50m is off by hundreds of metres along a river border): a 5 km deep sector drawn on
the Greek bank of the Evros shows up to a fifth of its area "in Turkey" on that data.
"""

from __future__ import annotations

from collections.abc import Iterable

import shapely
from shapely.geometry import shape

from app.domain import Sector
from maps.geography import Country


def sector_countries(
    sectors: Iterable[Sector], countries: Iterable[Country], min_share: float
) -> dict[str, tuple[str, ...]]:
    """For each sector: its own country, then the countries it straddles onto, sorted."""
    countries = list(countries)
    tree = shapely.STRtree([country.geometry for country in countries])
    out: dict[str, tuple[str, ...]] = {}
    for sector in sectors:
        polygon = shape(sector.geometry)
        found = {sector.country}
        area = polygon.area
        if area > 0:
            for index in tree.query(polygon, predicate="intersects"):
                country = countries[int(index)]
                if country.adm0_a3 in found:
                    continue
                if country.geometry.intersection(polygon).area / area >= min_share:
                    found.add(country.adm0_a3)
        out[sector.id] = tuple(sorted(found))
    return out
