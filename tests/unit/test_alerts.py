"""Alert rules: near the line, in a hot sector, a patrol leaving its sector; floods folded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from app.domain import Patrol, Sector, new_incident
from app.settings import AlertSettings
from app.values import ImpactLevel, PatrolStatus
from maps.alerts import (
    HOT_SECTOR,
    MAX_SINGLE_ALERTS,
    NEAR_BORDER,
    PATROL_OUTSIDE,
    SUMMARY,
    AlertRules,
)
from maps.jurisdiction import Placement, Placements

RING = [[26.4, 41.4], [26.7, 41.4], [26.7, 41.6], [26.4, 41.6], [26.4, 41.4]]
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def _sector(level: ImpactLevel, sector_id: str = "s1") -> Sector:
    return Sector(
        id=sector_id, name="Evros-2 Orestiada", country="GRC", agency="HP", impact=level,
        geometry={"type": "Polygon", "coordinates": [RING]},
    )  # fmt: skip


def _incident(incident_id: str = "i1"):
    return new_incident(
        id=incident_id, center="GR-ORE", reported_by="op", occurred_at="2026-11-21T10:00:00Z",
        lon=26.5, lat=41.5, category="unauthorised_crossing", title="Group at the fence",
    )  # fmt: skip


def _placements(km, sectors):
    count = len(km)
    return Placements(
        np.array(["GRC"] * count, dtype=object),
        np.array(sectors, dtype=object),
        np.array(km, dtype=float),
        np.array(["226"] * count, dtype=object),
        np.array(["TUR"] * count, dtype=object),
    )


def _patrol(lon: float, lat: float) -> Patrol:
    return Patrol(
        id="p1", call_sign="EVROS-12", crew=("o1",), vehicle="4x4",
        shift_start=NOW, shift_end=NOW + timedelta(hours=8), sector_id="s1",
        status=PatrolStatus.EN_ROUTE, lon=lon, lat=lat,
    )  # fmt: skip


def test_screening_finds_incidents_near_the_line_and_in_hot_sectors():
    rules = AlertRules(AlertSettings(border_km=2.0))
    placed = _placements([0.5, 3.0, 8.0, 9.0], ["", "hot", "calm", ""])
    levels = {"hot": ImpactLevel.CRITICAL, "calm": ImpactLevel.LOW}
    assert list(rules.screen_incidents(placed, levels)) == [True, True, False, False]


def test_each_rule_can_be_switched_off():
    rules = AlertRules(AlertSettings(near_border=False, sector_levels=[]))
    placed = _placements([0.1], ["hot"])
    assert not rules.screen_incidents(placed, {"hot": ImpactLevel.CRITICAL}).any()


def test_an_incident_alert_says_why_and_where():
    rules = AlertRules(AlertSettings(border_km=2.0))
    sector = _sector(ImpactLevel.HIGH)
    placement = Placement("GRC", "s1", 0.4, "226", "TUR")
    (alert,) = rules.incident_alerts([_incident()], [placement], {"s1": sector})
    assert alert.kind == NEAR_BORDER
    assert "400 m from the border" in alert.text
    assert "in Evros-2 Orestiada (high impact)" in alert.text
    assert (alert.record_kind, alert.record_id) == ("incident", "i1")
    assert (alert.lon, alert.lat) == (26.5, 41.5)


def test_hot_sector_alone_is_a_reason():
    rules = AlertRules(AlertSettings(border_km=2.0))
    placement = Placement("GRC", "s1", 5.0, "226", "TUR")
    (alert,) = rules.incident_alerts(
        [_incident()], [placement], {"s1": _sector(ImpactLevel.CRITICAL)}
    )
    assert alert.kind == HOT_SECTOR


def test_a_flood_becomes_one_summary():
    rules = AlertRules(AlertSettings())
    count = MAX_SINGLE_ALERTS + 1
    (alert,) = rules.incident_alerts([], [], {}, total=count)
    assert alert.kind == SUMMARY
    assert f"{count:,} new incidents" in alert.text


def test_a_patrol_leaving_its_sector_is_alerted_once_and_again_after_returning():
    rules = AlertRules(AlertSettings(patrol_margin_km=0.3))
    sectors = {"s1": _sector(ImpactLevel.LOW)}
    assert rules.patrol_alerts([_patrol(26.5, 41.5)], sectors) == []  # inside
    assert rules.patrol_alerts([_patrol(26.7015, 41.5)], sectors) == []  # ~130 m out: jitter
    (alert,) = rules.patrol_alerts([_patrol(26.75, 41.5)], sectors)  # ~4 km east of the edge
    assert alert.kind == PATROL_OUTSIDE
    assert "EVROS-12 is 4.2 km outside its sector Evros-2 Orestiada" in alert.text
    assert rules.patrol_alerts([_patrol(26.76, 41.5)], sectors) == []  # still out: said already
    assert rules.patrol_alerts([_patrol(26.5, 41.5)], sectors) == []  # back
    assert len(rules.patrol_alerts([_patrol(26.75, 41.5)], sectors)) == 1  # left again


def test_patrol_rule_can_be_switched_off():
    rules = AlertRules(AlertSettings(patrol_outside_sector=False))
    assert rules.patrol_alerts([_patrol(27.5, 41.5)], {"s1": _sector(ImpactLevel.LOW)}) == []


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [("border_km", 0, "alerts.border_km"), ("sector_levels", ["severe"], "'severe'")],
)
def test_alert_settings_are_checked(key, value, message):
    from app.errors import ConfigError
    from app.settings import load_settings

    with pytest.raises(ConfigError, match=message):
        load_settings(overrides={"alerts": {key: value}})
