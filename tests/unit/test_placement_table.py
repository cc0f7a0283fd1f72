"""The placement table: columns keyed by incident id, updated in place, removed by id."""

from __future__ import annotations

import numpy as np
import pytest

from maps.jurisdiction import Placements
from maps.placement_table import PlacementTable


def _placements(countries, km):
    count = len(countries)
    return Placements(
        np.array(countries, dtype=object),
        np.array(["s1"] * count, dtype=object),
        np.array(km, dtype=float),
        np.array(["226"] * count, dtype=object),
        np.array(["TUR"] * count, dtype=object),
    )


def test_update_adds_and_changes_by_id():
    table = PlacementTable()
    table.update(["a", "b"], _placements(["GRC", "GRC"], [1.0, 2.0]))
    table.update(["b", "c"], _placements(["TUR", "BGR"], [5.0, 6.0]))
    assert len(table) == 3
    assert table.get("a").border_km == 1.0
    assert (table.get("b").country, table.get("b").border_km) == ("TUR", 5.0)
    assert table.get("c").country == "BGR"


def test_growth_past_capacity_keeps_earlier_rows():
    table = PlacementTable()
    ids = [f"i{k}" for k in range(5000)]
    for start in range(0, 5000, 700):
        chunk = ids[start : start + 700]
        table.update(chunk, _placements(["GRC"] * len(chunk), np.arange(len(chunk)) + start))
    assert table.get("i0").border_km == 0
    assert table.get("i4999").border_km == 4999


def test_remove_and_replace():
    table = PlacementTable()
    table.update(["a", "b"], _placements(["GRC", "GRC"], [1.0, 2.0]))
    table.remove(["a", "unknown"])
    assert table.get("a") is None
    assert "b" in table
    table.replace(["z"], _placements(["TUR"], [9.0]))
    assert len(table) == 1
    assert table.get("b") is None


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        PlacementTable().update(["a", "b"], _placements(["GRC"], [1.0]))
