"""A measured leg: geodesic distance, true bearing, and a path that follows the geodesic."""

from __future__ import annotations

import numpy as np
import pytest

from maps.measure import Leg


def test_edirne_to_orestiada_is_about_19_km_due_south():
    leg = Leg((26.555, 41.677), (26.531, 41.503))
    assert leg.km == pytest.approx(19.4, abs=0.3)
    assert 180 < leg.bearing < 190
    assert leg.text().startswith("19.")
    assert "bearing 18" in leg.text()


def test_short_legs_read_in_metres():
    leg = Leg((26.0, 41.0), (26.0, 41.002))  # about 222 m north
    assert leg.text().startswith("222 m")
    assert "bearing 000.0°" in leg.text()


def test_the_path_runs_from_start_to_end_along_the_geodesic():
    leg = Leg((-74.0, 40.7), (2.35, 48.85))  # New York to Paris: a great circle bows north
    lon, lat = leg.path()
    assert (lon[0], lat[0]) == (-74.0, 40.7)
    assert (lon[-1], lat[-1]) == (2.35, 48.85)
    assert np.max(lat) > 51  # well north of both ends, unlike the straight chord
