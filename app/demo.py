"""A live demo scenario on the Greek-Turkish (Evros) and Bulgarian-Turkish land borders.

``seed_demo(store, now)`` fills an empty store as the Orestiada Joint Coordination Centre
(GR-ORE) would see it: border sectors on both EU sides, the roster, joint patrols on shift now,
the IOM Missing Migrants records of the area (humanitarian, historical), and about 60
operational incidents of the last 72 hours, some of them owned by the partner centers in
Svilengrad (BG-SVL) and Edirne (TR-EDR), which arrive as partner ops. The real data: borders
from Natural Earth, IOM records; everything operational is invented. Deterministic for a
given ``now``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shapely.geometry import Point
from sqlalchemy import text

from app import values as v
from app.demo_content import (
    BG_AGENCY,
    BG_SECTORS,
    CENTER_ID,
    CENTER_NAME,
    GR_AGENCY,
    GR_SECTORS,
    OFFICERS,
    OPERATORS,
    PARTNERS,
    PATROLS,
    PatrolPlan,
)
from app.demo_feed import PartnerFeed
from app.demo_geometry import (
    DATA_DIR,
    Border,
    SectorShape,
    bounds_lonlat,
    load_borders,
    random_point_in,
    sector_shapes,
    step_inside,
    to_lonlat,
)
from app.demo_incidents import DemoIncident, generate_incidents
from app.demo_sim import DemoSimulator
from app.domain import Officer, PartnerCenter, Patrol, Sector
from app.errors import LimesError
from app.importing import import_file
from app.oplog import Action
from app.store import Change, Store

__all__ = ["DemoScenario", "DemoSimulator", "seed_demo"]

IOM_FILE = DATA_DIR / "iom_mmp_greece_turkey_border_50km.csv"
BORDER_FILES = (
    DATA_DIR / "greece_turkey_border.geojson",
    DATA_DIR / "bulgaria_turkey_border.geojson",
)
SECTOR_DEPTH_M = 5_000.0
SEED = 20_251_121
AUTHOR = "demo"
ATTRIBUTION = (
    "Borders: Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.",
    "Source: IOM's Missing Migrants Project (missingmigrants.iom.int), CC BY 4.0. Changes: "
    "columns selected and renamed, rows without a date removed, regional subsets clipped by "
    "distance to the Natural Earth border.",
    "Demo scenario: all officers, patrols and operational incidents are fictional.",
)


@dataclass(frozen=True)
class DemoScenario:
    center_id: str
    partners: tuple[PartnerCenter, ...]
    region: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max
    counts: dict[str, int]
    center_name: str = CENTER_NAME
    border_files: tuple[Path, ...] = BORDER_FILES
    attribution: tuple[str, ...] = field(default=ATTRIBUTION)


def seed_demo(store: Store, now: datetime) -> DemoScenario:
    """Fill an empty store with the demo scenario, as seen at ``now`` (UTC)."""
    if store.center_id != CENTER_ID:
        raise LimesError(f"the demo runs as center {CENTER_ID}, not {store.center_id!r}")
    now = v.parse_utc(now, "now")
    with store.read() as connection:
        if connection.execute(text("SELECT COUNT(*) FROM ops")).scalar():
            raise LimesError("the demo needs an empty database (this one already holds data)")
    rng = random.Random(SEED ^ v.to_ms(now))
    start_ms = v.to_ms(now - timedelta(hours=72))
    borders = load_borders()
    bg_feed, tr_feed = PartnerFeed("BG-SVL"), PartnerFeed("TR-EDR")
    feeds = {"BG-SVL": bg_feed, "TR-EDR": tr_feed}

    gr_shapes = sector_shapes(borders["GRC"], "GRC", len(GR_SECTORS), SECTOR_DEPTH_M)
    bg_shapes = sector_shapes(borders["BGR"], "BGR", len(BG_SECTORS), SECTOR_DEPTH_M)[::-1]
    shapes = {"GR-ORE": gr_shapes, "BG-SVL": bg_shapes}
    sector_ids = {
        "GR-ORE": [f"SEC-GR-{i + 1}" for i in range(len(gr_shapes))],
        "BG-SVL": [f"SEC-BG-{i + 1}" for i in range(len(bg_shapes))],
    }
    _seed_sectors(store, bg_feed, gr_shapes, bg_shapes, sector_ids, start_ms, now)
    _seed_officers(store, bg_feed, start_ms)
    patrol_points = _seed_patrols(store, bg_feed, shapes, sector_ids, borders, now, rng)

    iom = import_file(store, IOM_FILE, user="IOM import (demo)", now=now)
    incidents = generate_incidents(borders, now, rng, patrol_points)
    _seed_incidents(store, feeds, incidents)
    for feed in feeds.values():
        feed.send(store)

    all_shapes = [s.lonlat for s in gr_shapes + bg_shapes]
    counts = {
        "sectors": len(all_shapes),
        "officers": len(OFFICERS),
        "patrols": len(PATROLS),
        "iom_incidents": iom.rows,
        "incidents": len(incidents),
        "partner_incidents": sum(1 for i in incidents if i.owner != CENTER_ID),
        "notes": sum(len(i.notes) for i in incidents),
    }
    return DemoScenario(CENTER_ID, PARTNERS, bounds_lonlat(all_shapes, 0.03), counts)


def _seed_sectors(
    store: Store,
    bg_feed: PartnerFeed,
    gr_shapes: list[SectorShape],
    bg_shapes: list[SectorShape],
    ids: dict[str, list[str]],
    start_ms: int,
    now: datetime,
) -> None:
    changes = [
        Change(
            "sector",
            ids["GR-ORE"][i],
            Sector(
                ids["GR-ORE"][i], name, "GRC", GR_AGENCY, v.ImpactLevel(level), shape.geojson
            ).to_fields(),
        )
        for i, ((name, level), shape) in enumerate(zip(GR_SECTORS, gr_shapes))
    ]
    store.commit(changes, AUTHOR).result()
    # Evros-2 Orestiada is raised twice after a run of crossings: medium -> high -> critical.
    for level in ("high", "critical"):
        store.commit(
            [Change("sector", ids["GR-ORE"][1], {"impact": level})], OPERATORS["GR-ORE"][2]
        ).result()
    for i, ((name, level), shape) in enumerate(zip(BG_SECTORS, bg_shapes)):
        first = "low" if i == 0 else level
        sector = Sector(
            ids["BG-SVL"][i], name, "BGR", BG_AGENCY, v.ImpactLevel(first), shape.geojson
        )
        bg_feed.add(start_ms, "sector", sector.id, sector.to_fields(), author=AUTHOR)
    # Sakar-1's level history, in scenario time: low, medium 40 h ago, high 8 h ago.
    for hours, level in ((40, "medium"), (8, "high")):
        bg_feed.add(
            v.to_ms(now - timedelta(hours=hours)),
            "sector",
            ids["BG-SVL"][0],
            {"impact": level},
            author=OPERATORS["BG-SVL"][0],
        )


def _seed_officers(store: Store, bg_feed: PartnerFeed, start_ms: int) -> None:
    local = []
    for suffix, (name, agency, country, rank, languages, skills) in OFFICERS.items():
        officer = Officer(f"OFF-{suffix}", name, agency, country, rank, languages, skills)
        if country == "BGR":
            bg_feed.add(start_ms, "officer", officer.id, officer.to_fields(), author=AUTHOR)
        else:
            local.append(Change("officer", officer.id, officer.to_fields()))
    store.commit(local, AUTHOR).result()


def _patrol_point(
    plan: PatrolPlan, shape: SectorShape, border: Border, country: str, rng: random.Random
) -> tuple[float, float]:
    """Local metres: boats close to the river, land units anywhere in their sector."""
    if plan.on_river:
        for _ in range(20):
            along = shape.line.interpolate(rng.uniform(0.1, 0.9), normalized=True)
            point = border.point_toward(
                border.line.project(along), country, rng.uniform(80.0, 400.0)
            )
            if shape.local.contains(point):
                return point.x, point.y
    point = random_point_in(shape.local, rng)
    return point.x, point.y


def _seed_patrols(
    store: Store,
    bg_feed: PartnerFeed,
    shapes: dict[str, list[SectorShape]],
    sector_ids: dict[str, list[str]],
    borders: dict[str, Border],
    now: datetime,
    rng: random.Random,
) -> dict[str, list[tuple[str, float, float]]]:
    hour = now.replace(minute=0, second=0, microsecond=0)
    local = []
    track: list[Change] = []
    points: dict[str, list[tuple[str, float, float]]] = {}
    for plan in PATROLS:
        country = "GRC" if plan.owner == CENTER_ID else "BGR"
        shape = shapes[plan.owner][plan.sector]
        x, y = _patrol_point(plan, shape, borders[country], country, rng)
        lonlat = _lonlat_of(x, y)
        start = hour - timedelta(hours=plan.started_hours_ago)
        patrol = Patrol(
            id=f"PAT-{plan.call_sign}",
            call_sign=plan.call_sign,
            crew=tuple(f"OFF-{member}" for member in plan.crew),
            vehicle=plan.vehicle,
            shift_start=start,
            shift_end=start + timedelta(hours=8),
            sector_id=sector_ids[plan.owner][plan.sector],
            status=v.PatrolStatus(plan.status),
            lon=round(lonlat[0], 6),
            lat=round(lonlat[1], 6),
            position_at=now - timedelta(seconds=rng.randint(5, 240)),
        )
        points.setdefault(plan.owner, []).append((patrol.id, x, y))
        if plan.owner == CENTER_ID:
            local.append(Change("patrol", patrol.id, patrol.to_fields()))
            track.extend(_past_fixes(patrol, shape, x, y, patrol.position_at or now, rng))
        else:
            bg_feed.add(
                v.to_ms(patrol.position_at or start),
                "patrol",
                patrol.id,
                patrol.to_fields(),
                author=AUTHOR,
            )
    store.commit(local, AUTHOR).result()
    store.commit(track, AUTHOR).result()
    return points


TRACK_FIXES = 12  # the last three hours, a fix every quarter of an hour
TRACK_STEP_M = 900.0


def _past_fixes(
    patrol: Patrol, shape: SectorShape, x: float, y: float, now: datetime, rng: random.Random
) -> list[Change]:
    """Earlier positions of a patrol (its breadcrumbs): a walk inside its sector that ends
    where it is now (at ``now``); the latest fix comes last, so the record ends there."""
    walk = [(x, y)]
    for _ in range(TRACK_FIXES):
        step = step_inside(shape.local, *walk[-1], rng, TRACK_STEP_M)
        walk.append((step.x, step.y))
    fixes = []
    for back, (px, py) in reversed(list(enumerate(walk))):
        lon, lat = (patrol.lon, patrol.lat) if back == 0 else _lonlat_of(px, py)
        at = v.to_ms(now - timedelta(minutes=15 * back))
        fields = {"lon": round(lon, 6), "lat": round(lat, 6), "position_at": at}
        fixes.append(Change("patrol", patrol.id, fields))
    return fixes


def _lonlat_of(x: float, y: float) -> tuple[float, float]:
    point = to_lonlat(Point(x, y))
    return point.x, point.y


def _seed_incidents(
    store: Store, feeds: dict[str, PartnerFeed], incidents: list[DemoIncident]
) -> None:
    created: list[Change] = []
    updates: list[Change] = []
    notes: list[Change] = []
    for incident in incidents:
        feed = feeds.get(incident.owner)
        author = incident.fields["reported_by"]
        if feed is None:
            created.append(Change("incident", incident.id, incident.fields))
        else:
            feed.add(
                incident.fields["reported_at"],
                "incident",
                incident.id,
                incident.fields,
                author=author,
            )
        for at_ms, fields in sorted(incident.updates, key=lambda item: item[0]):
            if feed is None:
                updates.append(Change("incident", incident.id, fields))
            else:
                feed.add(at_ms, "incident", incident.id, fields, author=author)
        for number, note in enumerate(incident.notes, start=1):
            fields = {
                "incident_id": incident.id,
                "author": note.author,
                "center": note.center,
                "created_at": note.at_ms,
                "text": note.text,
            }
            note_id = f"{incident.id}-N{number}"
            if note.center == CENTER_ID:
                notes.append(Change("note", note_id, fields, Action.ADD))
            else:
                feeds[note.center].add(
                    note.at_ms, "note", note_id, fields, action=Action.ADD, author=note.author
                )
    for batch in (created, updates, notes):
        if batch:
            store.commit(batch, AUTHOR).result()


def demo_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
