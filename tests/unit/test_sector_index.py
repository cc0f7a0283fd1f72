"""The sector under a point, and the hover summary of its level history."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain import LevelChange, Sector
from app.values import ImpactLevel
from maps.sector_index import HISTORY_LINES, SectorIndex, sector_summary


def _sector(sector_id, level, box):
    lon0, lat0, lon1, lat1 = box
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return Sector(
        id=sector_id, name=sector_id, country="GRC", agency="", impact=level,
        geometry={"type": "Polygon", "coordinates": [ring]},
    )  # fmt: skip


def test_overlapping_sectors_answer_with_the_highest_level():
    index = SectorIndex(
        [
            _sector("wide", ImpactLevel.LOW, (26.0, 41.0, 27.0, 42.0)),
            _sector("hot", ImpactLevel.CRITICAL, (26.4, 41.4, 26.6, 41.6)),
        ]
    )
    assert index.at(26.5, 41.5).id == "hot"
    assert index.at(26.1, 41.1).id == "wide"
    assert index.at(25.0, 41.0) is None
    assert SectorIndex().at(26.5, 41.5) is None


def test_summary_lists_the_latest_changes_first_and_counts_the_rest():
    sector = _sector("s", ImpactLevel.HIGH, (26, 41, 27, 42))
    changes = [
        LevelChange(datetime(2026, 11, 21, h, tzinfo=UTC), ImpactLevel.LOW, "GR-ORE", "anna")
        for h in range(HISTORY_LINES + 2)
    ]
    lines = sector_summary(sector, changes).splitlines()
    assert lines[0] == "s — GRC"
    assert lines[3].startswith(f"  21 Nov {HISTORY_LINES + 1:02d}:00Z")
    assert lines[-1] == "  … 2 earlier"
