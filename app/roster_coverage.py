"""Coverage of border sectors by patrols over time, and the gaps a commander must fill.

A sector at or above the configured impact level (``[roster] coverage_min_impact``) needs a
patrol at every moment. A patrol covers its sector over its shift [start, end) unless it is off
duty. Gaps are exact intervals in UTC milliseconds, clipped to the window asked about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app import values as v
from app.domain import Patrol, Sector


@dataclass(frozen=True)
class Gap:
    sector_id: str
    start_ms: int
    end_ms: int


def covered_intervals(
    patrols: Iterable[Patrol], start_ms: int, end_ms: int
) -> dict[str, list[tuple[int, int]]]:
    """Per sector: the merged intervals of the window during which some patrol is on it."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for patrol in patrols:
        if not patrol.sector_id or patrol.status is v.PatrolStatus.OFF_DUTY:
            continue
        start = max(v.to_ms(patrol.shift_start), start_ms)
        end = min(v.to_ms(patrol.shift_end), end_ms)
        if start < end:
            spans.setdefault(patrol.sector_id, []).append((start, end))
    merged: dict[str, list[tuple[int, int]]] = {}
    for sector_id, items in spans.items():
        out: list[tuple[int, int]] = []
        for start, end in sorted(items):
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[sector_id] = out
    return merged


def coverage_gaps(
    patrols: Iterable[Patrol],
    sectors: Iterable[Sector],
    start_ms: int,
    end_ms: int,
    min_impact: v.ImpactLevel,
) -> list[Gap]:
    """The intervals of [start_ms, end_ms) when a sector that needs coverage has none."""
    covered = covered_intervals(patrols, start_ms, end_ms)
    gaps = []
    for sector in sectors:
        if sector.impact.rank < min_impact.rank:
            continue
        cursor = start_ms
        for start, end in covered.get(sector.id, ()):
            if start > cursor:
                gaps.append(Gap(sector.id, cursor, start))
            cursor = max(cursor, end)
        if cursor < end_ms:
            gaps.append(Gap(sector.id, cursor, end_ms))
    return gaps
