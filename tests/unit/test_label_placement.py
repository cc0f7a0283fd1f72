"""Label placement: the most important labels first, alternatives before giving up, no overlap."""

from __future__ import annotations

from maps.label_placement import BESIDE_POINT, ON_AREA, LabelRequest, overlaps, place_labels


def test_a_lone_label_sits_right_of_its_point_clear_of_the_marker():
    placed = place_labels([LabelRequest("a", (40, 10), [(100, 100)], clearance=8)])
    assert placed["a"].box == (108, 95, 148, 105)


def test_a_crowded_label_takes_another_side_and_never_overlaps():
    requests = [
        LabelRequest("first", (40, 10), [(100, 100)], clearance=8),
        LabelRequest("second", (40, 10), [(110, 100)], clearance=8),  # 10 px to the right
    ]
    placed = place_labels(requests)
    assert placed["first"].box[0] > 100  # the first keeps the preferred place
    assert placed["second"] is not None
    assert not overlaps(placed["first"].box, placed["second"].box)
    assert placed["second"].top_left != placed["first"].top_left


def test_obstacles_are_never_covered_and_a_label_without_room_is_left_out():
    wall = (0, 0, 1000, 1000)
    assert place_labels([LabelRequest("x", (10, 10), [(500, 500)])], [wall]) == {"x": None}
    marker = (97, 97, 103, 103)
    placed = place_labels([LabelRequest("y", (20, 10), [(100, 100)], ON_AREA)], [marker])
    assert not overlaps(placed["y"].box, marker)


def test_an_area_label_moves_to_its_next_anchor_when_the_first_is_taken():
    taken = LabelRequest("patrol", (60, 12), [(100, 100)], BESIDE_POINT, clearance=8)
    sector = LabelRequest("sector", (80, 12), [(130, 100), (130, 200)], ON_AREA)
    placed = place_labels([taken, sector])
    assert placed["sector"].anchor == 1
    assert not overlaps(placed["patrol"].box, placed["sector"].box)


def test_many_labels_in_a_pile_keep_every_shown_box_apart():
    requests = [
        LabelRequest(n, (50, 12), [(200 + 7 * (n % 5), 200 + 5 * (n % 3))], clearance=8)
        for n in range(40)
    ]
    placed = [p for p in place_labels(requests).values() if p is not None]
    assert 1 < len(placed) < 40
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            assert not overlaps(a.box, b.box)
