"""The incident layer model: arrays keyed by id, changed by difference, chunked per style."""

from __future__ import annotations

import numpy as np
import pytest

from maps.incident_layer import CHUNK_POINTS, IncidentLayer, IncidentRows
from maps.projection import Projection


def _rows(ids, category="smuggling", status="reported", impact="high", lon=26.3, lat=41.2):
    count = len(ids)
    return IncidentRows.of(
        ids, [lon] * count, [lat] * count, [category] * count, [impact] * count, [status] * count
    )


@pytest.fixture
def layer():
    return IncidentLayer(Projection().forward)


def _all_ids(layer: IncidentLayer) -> list[str]:
    return sorted(
        i for style in layer.styles() for key in _keys(layer, style) for i in layer.chunk(key).ids
    )


def _keys(layer, style):
    number = 0
    keys = []
    while True:
        try:
            layer.chunk((*style, number))
        except IndexError:
            return keys
        keys.append((*style, number))
        number += 1


def test_adding_one_incident_touches_only_its_chunk(layer):
    layer.update(_rows([f"s-{i}" for i in range(1000)]))
    layer.update(_rows([f"c-{i}" for i in range(1000)], category="crisis_sar"))
    layer.take_dirty()
    layer.update(_rows(["new"], category="crisis_sar"))
    assert layer.take_dirty() == [("crisis_sar", False, 0)]
    assert len(layer) == 2001
    assert layer.position("new") == pytest.approx((26.3, 41.2))


def test_a_change_of_status_moves_the_incident_to_the_dimmed_style(layer):
    layer.update(_rows(["a", "b"]))
    layer.take_dirty()
    layer.update(_rows(["a"], status="closed", lon=26.5))
    assert set(layer.take_dirty()) == {("smuggling", False, 0), ("smuggling", True, 0)}
    assert list(layer.chunk(("smuggling", False, 0)).ids) == ["b"]
    assert list(layer.chunk(("smuggling", True, 0)).ids) == ["a"]
    assert layer.position("a") == pytest.approx((26.5, 41.2))


def test_removed_ids_leave_and_unknown_ones_are_ignored(layer):
    layer.update(_rows(["a", "b", "c"]))
    layer.update(IncidentRows.empty(), removed=["b", "never-seen"])
    assert _all_ids(layer) == ["a", "c"]
    assert "b" not in layer
    assert layer.position("b") is None


def test_a_style_grows_in_chunks_and_new_ones_land_in_the_last(layer):
    count = CHUNK_POINTS + 10
    layer.update(_rows([f"i-{k}" for k in range(count)]))
    assert len(layer.chunk(("smuggling", False, 0))) == CHUNK_POINTS
    assert len(layer.chunk(("smuggling", False, 1))) == 10
    layer.take_dirty()
    layer.update(_rows(["late"]))
    assert layer.take_dirty() == [("smuggling", False, 1)]


def test_drawn_arrays_are_never_changed_in_place(layer):
    layer.update(_rows(["a", "b"]))
    drawn = layer.chunk(("smuggling", False, 0)).ids
    layer.update(IncidentRows.empty(), removed=["a"])
    assert list(drawn) == ["a", "b"]  # a renderer's clicks still map to what it drew


def test_replace_empties_every_old_chunk(layer):
    layer.update(_rows(["a"], category="crisis_sar"))
    layer.take_dirty()
    layer.replace(_rows(["z"]))
    assert set(layer.take_dirty()) == {("crisis_sar", False, 0), ("smuggling", False, 0)}
    assert layer.styles() == [("smuggling", False)]


def test_sizes_follow_impact_and_coordinates_are_projected(layer):
    rows = IncidentRows.of(
        ["a", "b", "c"], [26.0, 26.0, 26.0], [41.0, 41.0, 41.0], ["smuggling"] * 3,
        ["low", "medium", "high"], ["reported"] * 3,
    )  # fmt: skip
    layer.update(rows)
    chunk = layer.chunk(("smuggling", False, 0))
    assert list(chunk.size) == sorted(chunk.size)
    assert len(set(chunk.size)) == 3
    x, y = Projection().forward(26.0, 41.0)
    assert np.allclose(chunk.x, x)
    assert np.allclose(chunk.y, y)


def test_rows_of_unequal_length_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        IncidentRows.of(["a"], [1.0, 2.0], [1.0], ["x"], ["low"], ["reported"])
