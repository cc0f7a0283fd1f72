"""Where map labels go so that none covers another: greedy placement in priority order.

Each label names a point (a patrol) or an area (a sector). It offers anchors (screen pixels
of the places it may sit by) and, for each anchor, offsets of its box in order of preference.
Labels are placed in the order given (the most important first): each takes the first
anchor and offset whose box overlaps neither a label already placed nor an obstacle (a
marker it must not hide, the legend). A label with no free place is left out at this zoom;
the caller hides it, and it comes back when zooming in makes room.

No Qt here: boxes are plain (x0, y0, x1, y1) tuples in screen pixels, y down.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels

# Around a point marker: right of it first (where readers look), then left, above, below,
# then the four corners. In units of (label width, label height) plus the marker's radius.
BESIDE_POINT = (
    (0.0, -0.5, 1, 0),  # (fraction of width, fraction of height, x sign of radius, y sign)
    (-1.0, -0.5, -1, 0),
    (-0.5, -1.0, 0, -1),
    (-0.5, 0.0, 0, 1),
    (0.0, -1.0, 1, -1),
    (0.0, 0.0, 1, 1),
    (-1.0, -1.0, -1, -1),
    (-1.0, 0.0, -1, 1),
)
# On an area's anchor: centred on it, then just above or below.
ON_AREA = ((-0.5, -0.5, 0, 0), (-0.5, -1.5, 0, 0), (-0.5, 0.5, 0, 0))


@dataclass(frozen=True)
class LabelRequest:
    key: Hashable
    size: tuple[float, float]  # width, height in pixels
    anchors: Sequence[tuple[float, float]]  # pixel positions, the preferred one first
    offsets: Sequence[tuple[float, float, int, int]] = BESIDE_POINT
    clearance: float = 0.0  # the marker's radius: how far beside the anchor the box starts


@dataclass(frozen=True)
class Placement:
    anchor: int  # index into the request's anchors
    top_left: tuple[float, float]  # relative to that anchor, in pixels
    box: Box  # on screen


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes share more than an edge."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    requests: Iterable[LabelRequest], obstacles: Iterable[Box] = (), margin: float = 1.0
) -> dict[Hashable, Placement | None]:
    """A placement for each request (None: no free place), first come first served.

    ``margin`` pixels are kept free around each placed label, so neighbours never touch.
    """
    taken: list[Box] = list(obstacles)
    placed: dict[Hashable, Placement | None] = {}
    for request in requests:
        placed[request.key] = None
        width, height = request.size
        for number, (ax, ay) in enumerate(request.anchors):
            choice = _first_free(request, ax, ay, width, height, taken, margin)
            if choice is not None:
                top_left, box = choice
                placed[request.key] = Placement(number, top_left, box)
                taken.append(box)
                break
    return placed


def _first_free(
    request: LabelRequest,
    ax: float,
    ay: float,
    width: float,
    height: float,
    taken: list[Box],
    margin: float,
) -> tuple[tuple[float, float], Box] | None:
    for fx, fy, sx, sy in request.offsets:
        dx = fx * width + sx * request.clearance
        dy = fy * height + sy * request.clearance
        box = (ax + dx, ay + dy, ax + dx + width, ay + dy + height)
        grown = (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)
        if not any(overlaps(grown, other) for other in taken):
            return (dx, dy), box
    return None
