"""The operational incidents of the demo: ~60 over the last 72 hours, near the border.

Deterministic for a given ``now`` (a seeded :class:`random.Random`). Each incident is placed
within 15 km of the Greek-Turkish or Bulgarian-Turkish line on either side; the center of
that side owns it. Older incidents are more often resolved or closed; some carry follow-up
notes, some are released to one partner only.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from shapely.geometry import Point

from app import values as v
from app.demo_content import BCPS, CENTER_ID, OPERATORS, PLACES, Place
from app.demo_geometry import Border, to_local, to_lonlat
from app.demo_stories import CONFIDENCES, PARTNER_SIGHTINGS, STORIES, STORY_WEIGHTS, Story
from app.records import INCIDENT, RELEASE_TO_ALL

HOURS = 72
MAX_OFFSET_M = 15_000.0
OWNER_OF = {"GRC": "GR-ORE", "BGR": "BG-SVL", "TUR": "TR-EDR"}


@dataclass
class DemoNote:
    at_ms: int
    center: str
    author: str
    text: str


@dataclass
class DemoIncident:
    id: str
    owner: str
    fields: dict[str, Any]  # the first report (as created)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (ms, fields)
    notes: list[DemoNote] = field(default_factory=list)
    country: str = ""


@cache
def _places() -> dict[str, list[tuple[Place, Point]]]:
    table: dict[str, list[tuple[Place, Point]]] = {}
    for place in PLACES:
        table.setdefault(place.country, []).append((place, to_local(Point(place.lon, place.lat))))
    return table


def nearest_place(point: Point, country: str, places: dict[str, list[tuple[Place, Point]]]) -> str:
    candidates = places.get(country) or [item for items in places.values() for item in items]
    return min(candidates, key=lambda item: item[1].distance(point))[0].name


def _status_for(age_h: float, rng: random.Random) -> str:
    if age_h < 6:
        options = ("reported", "reported", "validated", "responding")
    elif age_h < 24:
        options = ("validated", "responding", "resolved", "resolved")
    else:
        options = ("resolved", "closed", "closed", "dismissed")
    return rng.choice(options)


def _location(
    story: Story, borders: dict[str, Border], rng: random.Random, country: str | None = None
) -> tuple[Point, str, str]:
    """(local point, country of the side, name of the BCP or "") for a story; ``country``
    forces the side (the story must fit it)."""
    if story.where == "bcp":
        bcp = rng.choice([b for b in BCPS if country in (None, b.country)])
        border = borders["GRC"] if bcp.country == "GRC" else borders["BGR"]
        on_line = border.line.interpolate(border.line.project(to_local(Point(bcp.lon, bcp.lat))))
        distance = border.line.project(on_line)
        return border.point_toward(distance, bcp.country, 300.0), bcp.country, bcp.name
    if country in ("GRC", "BGR"):
        eu = country
    else:
        eu = "GRC" if story.where == "river" or rng.random() < 0.65 else "BGR"
    border = borders[eu]
    if country is None:
        country = eu if story.eu_side_only or rng.random() < 0.75 else "TUR"
    distance = rng.uniform(0.02, 0.98) * border.length_m
    if story.where == "river":
        offset = rng.uniform(50.0, 600.0)
    else:  # most reports come from close to the line
        offset = min(MAX_OFFSET_M, 300.0 + rng.expovariate(1 / 3_000.0))
    return border.point_toward(distance, country, offset), country, ""


def stories_for(country: str) -> list[Story]:
    """The stories that can happen on ``country``'s side."""
    return [
        s
        for s in STORIES
        if not (country == "TUR" and (s.eu_side_only or s.where == "bcp"))
        and not (country == "BGR" and s.where == "river")
    ]


def generate_incidents(
    borders: dict[str, Border],
    now: datetime,
    rng: random.Random,
    patrols_by_owner: dict[str, list[tuple[str, float, float]]],
    count: int = 60,
) -> list[DemoIncident]:
    """``patrols_by_owner``: (patrol id, x, y in local metres) of each center's patrols."""
    serial: dict[str, int] = {}
    incidents = []
    for _ in range(count):
        story = rng.choices(STORIES, weights=STORY_WEIGHTS)[0]
        age_h = HOURS * rng.random() ** 1.3  # a few more recent ones than old ones
        incident = make_incident(
            story, borders, now, rng, age_h=age_h, patrols_by_owner=patrols_by_owner, serial=serial
        )
        incidents.append(incident)
    return incidents


def make_incident(
    story: Story,
    borders: dict[str, Border],
    now: datetime,
    rng: random.Random,
    *,
    age_h: float,
    country: str | None = None,
    patrols_by_owner: dict[str, list[tuple[str, float, float]]] | None = None,
    serial: dict[str, int] | None = None,
    record_id: str | None = None,
) -> DemoIncident:
    """One incident of ``story`` that happened ``age_h`` hours before ``now``."""
    point, country, bcp = _location(story, borders, rng, country)
    owner = OWNER_OF[country]
    occurred = (now - timedelta(hours=age_h)).replace(second=0, microsecond=0)
    reported = min(occurred + timedelta(minutes=rng.randint(3, 50)), now)
    partner = rng.choice([c for c in ("GR-ORE", "BG-SVL", "TR-EDR") if c != owner])
    words = {
        "place": nearest_place(point, country, _places()),
        "bcp": bcp,
        "n": rng.randint(4, 38),
        "k": rng.randint(2, 40),
        "partner": partner,
    }
    if record_id is None:
        serial = {} if serial is None else serial
        serial[owner] = serial.get(owner, 0) + 1
        record_id = f"{owner}-{occurred:%y%m%d}-{serial[owner]:03d}"
    lonlat = to_lonlat(point)
    fields = {
        "owner": owner,
        "originator": owner,
        "reported_by": rng.choice(OPERATORS[owner]),
        "occurred_at": v.to_ms(occurred),
        "reported_at": v.to_ms(reported),
        "lon": round(lonlat.x, 6),
        "lat": round(lonlat.y, 6),
        "category": story.category,
        "impact": rng.choice(story.impacts),
        "confidence": rng.choice(CONFIDENCES),
        "status": "reported",
        "title": story.title.format(**words),
        "description": story.description.format(**words),
        "assigned_patrols": [],
        "releasability": _releasability(story, owner, rng),
    }
    incident = DemoIncident(record_id, owner, INCIDENT.check(fields), country=country)
    status = _status_for(age_h, rng)
    # only patrols on shift now can have been sent to it
    patrols = (patrols_by_owner or {}).get(owner, []) if age_h < 6 else []
    _add_progress(incident, status, v.to_ms(now), point, patrols, rng)
    _add_notes(incident, story, words, v.to_ms(now), rng)
    return incident


def _releasability(story: Story, owner: str, rng: random.Random) -> list[str]:
    """Trafficking and fraud cases of EU centers stay between EU partners."""
    if owner == "TR-EDR" or story.category not in ("trafficking", "document_fraud"):
        return [RELEASE_TO_ALL]
    if rng.random() < 0.3:
        return [RELEASE_TO_ALL]
    return ["BG-SVL"] if owner == CENTER_ID else [CENTER_ID]


def _add_progress(
    incident: DemoIncident,
    status: str,
    now_ms: int,
    point: Point,
    patrols: list[tuple[str, float, float]],
    rng: random.Random,
) -> None:
    """The later status changes that lead to ``status``, as separate, timed updates."""
    path = {
        "reported": [],
        "validated": ["validated"],
        "responding": ["validated", "responding"],
        "resolved": ["validated", "responding", "resolved"],
        "closed": ["validated", "resolved", "closed"],
        "dismissed": ["dismissed"],
    }[status]
    at = incident.fields["reported_at"]
    span = max(now_ms - at, 60_000)
    for step in path:
        at = min(at + int(span * rng.uniform(0.05, 0.3)), now_ms)
        update: dict[str, Any] = {"status": step}
        if step == "responding" and patrols:
            nearest = min(patrols, key=lambda p: math.hypot(p[1] - point.x, p[2] - point.y))
            update["assigned_patrols"] = [nearest[0]]
        incident.updates.append((at, update))


def _add_notes(
    incident: DemoIncident, story: Story, words: dict[str, Any], now_ms: int, rng: random.Random
) -> None:
    start = incident.fields["reported_at"]
    span = max(now_ms - start, 60_000)
    texts = list(story.follow_ups)
    if texts and rng.random() < 0.55:
        for index, text in enumerate(texts[: rng.randint(1, len(texts))], start=1):
            at = min(start + span * index // (len(texts) + 1), now_ms)
            author = rng.choice(OPERATORS[incident.owner])
            incident.notes.append(DemoNote(at, incident.owner, author, text.format(**words)))
    partner = words["partner"]
    released = incident.fields["releasability"]
    if rng.random() < 0.2 and (RELEASE_TO_ALL in released or partner in released):
        # a partner adds what it saw from its side
        at = min(start + span // 3 + 60_000, now_ms)
        incident.notes.append(
            DemoNote(at, partner, rng.choice(OPERATORS[partner]), rng.choice(PARTNER_SIGHTINGS))
        )
