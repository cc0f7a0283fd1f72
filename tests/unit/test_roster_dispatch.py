"""The nearest available patrol is proposed first, by distance on the ellipsoid."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from pyproj import Geod

from app import values as v
from app.domain import Patrol
from app.roster_dispatch import nearest_patrols, rank_patrols
from app.store import Change

NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)
KASTANIES = (26.478, 41.654)


def patrol(n: int, lon: float, lat: float, status: str = "available", **shift) -> Patrol:
    start = shift.get("start", NOW - timedelta(hours=2))
    return Patrol(
        f"PAT-{n}",
        f"EVROS-{n:02d}",
        ("OFF-GR-01",),
        "4x4",
        start,
        start + timedelta(hours=8),
        "SEC-GR-1",
        v.PatrolStatus(status),
        lon,
        lat,
    )


def test_ranking_matches_a_brute_force_geodesic_reference_over_the_evros():
    rng = random.Random(3)
    geod = Geod(ellps="WGS84")
    patrols = [patrol(n, rng.uniform(25.9, 28.1), rng.uniform(40.7, 42.2)) for n in range(300)]
    for _ in range(20):
        lon, lat = rng.uniform(25.9, 28.1), rng.uniform(40.7, 42.2)
        reference = sorted(
            patrols, key=lambda p: (geod.inv(p.lon, p.lat, lon, lat)[2], p.call_sign)
        )[:5]
        ranked = rank_patrols(patrols, lon, lat, 5, now=NOW)
        assert [c.patrol.id for c in ranked] == [p.id for p in reference]
        assert [c.distance_km for c in ranked] == sorted(c.distance_km for c in ranked)
        # and a sphere agrees to within 0.5 %
        p = ranked[0].patrol
        phi1, phi2 = math.radians(p.lat), math.radians(lat)
        dphi, dlmb = phi2 - phi1, math.radians(lon - p.lon)
        a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
        haversine = 2 * 6371.0088 * math.asin(math.sqrt(a))
        assert abs(ranked[0].distance_km - haversine) / haversine < 0.005


def test_only_available_patrols_on_shift_with_a_position_are_proposed(store):
    patrols = [
        patrol(1, 26.50, 41.66, "on_scene"),  # closest but busy
        patrol(2, 26.52, 41.60),  # about 7 km
        patrol(3, 26.30, 41.20),  # Soufli, about 53 km
        patrol(4, 26.48, 41.65, start=NOW + timedelta(hours=1)),  # next shift
        patrol(5, 26.40, 41.60),
        Patrol(
            "PAT-6",
            "EVROS-06",
            (),
            "",
            NOW - timedelta(hours=1),
            NOW + timedelta(hours=1),
            "SEC-GR-1",
            v.PatrolStatus.AVAILABLE,
        ),  # no position
    ]
    store.commit([Change("patrol", p.id, p.to_fields()) for p in patrols], "cdr").result()
    with store.read() as connection:
        ranked = nearest_patrols(connection, *KASTANIES, 5, now=NOW)
    assert [c.patrol.call_sign for c in ranked] == ["EVROS-02", "EVROS-05", "EVROS-03"]
    assert 6 < ranked[0].distance_km < 8
    assert ranked[0].bearing_deg > 300 or ranked[0].bearing_deg < 60  # heading north-ish
