"""The demo's heartbeat: patrols move, partners report. Qt-free; the GUI calls ``step`` from a
timer every few seconds.

Each step writes at most once: either this center's on-shift patrols move a little inside
their sectors (one ``store.commit``), or, now and then, a partner center sends ops (one
``store.apply_remote``): its patrols move and it reports a new incident or moves one of its
own incidents on in its lifecycle. ``step`` never waits for the write; ``pending`` holds the
future for whoever wants to.
"""

from __future__ import annotations

import json
import random
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from shapely.geometry import Point, shape
from sqlalchemy import text

from app import values as v
from app.demo_feed import PartnerFeed
from app.demo_geometry import Border, load_borders, random_point_in, step_inside, to_local
from app.demo_geometry import to_lonlat as _to_lonlat
from app.demo_incidents import make_incident, stories_for
from app.store import Change, Store

NEXT_STATUS = {
    "reported": "validated",
    "validated": "responding",
    "responding": "resolved",
    "resolved": "closed",
}
PARTNER_COUNTRY = {"BG-SVL": "BGR", "TR-EDR": "TUR"}


class DemoSimulator:
    def __init__(
        self,
        seed: int = 7,
        *,
        partner_share: float = 0.2,
        step_m: float = 350.0,
        partners: tuple[str, ...] = ("BG-SVL", "TR-EDR"),
    ) -> None:
        self._rng = random.Random(seed)
        self._partner_share = partner_share
        self._step_m = step_m
        self._partners = partners
        self._feeds: dict[str, PartnerFeed] = {}
        self._sectors: dict[str, Any] = {}  # sector id -> polygon in local metres
        self._positions: dict[str, tuple[float, float]] = {}  # patrol id -> last written
        self._origins: dict[str, str] = {}  # patrol id -> center that created it
        self._borders: dict[str, Border] | None = None
        self.pending: Future[Any] | None = None
        self.last_action = ""

    def step(self, store: Store, now: datetime) -> None:
        now = v.parse_utc(now, "now")
        patrols = self._moving_patrols(store, now)
        if self._partners and self._rng.random() < self._partner_share:
            self._partner_step(store, now, patrols)
        else:
            self._move_local(store, now, patrols)

    # -- patrols -------------------------------------------------------------------------------

    def _moving_patrols(self, store: Store, now: datetime) -> list[dict[str, Any]]:
        now_ms = v.to_ms(now)
        with store.read() as connection:
            rows = [
                dict(row._mapping)
                for row in connection.execute(
                    text(
                        "SELECT id, sector_id, status, lon, lat FROM patrols WHERE deleted = 0"
                        " AND complete = 1 AND shift_start <= :now AND shift_end > :now"
                        " AND status IN ('available', 'en_route', 'returning', 'on_scene')"
                        " ORDER BY id"
                    ),
                    {"now": now_ms},
                )
            ]
            unknown = [row["id"] for row in rows if row["id"] not in self._origins]
            for patrol_id in unknown:
                origin = connection.execute(
                    text(
                        "SELECT origin FROM ops WHERE kind = 'patrol' AND record_id = :id"
                        " ORDER BY lsn LIMIT 1"
                    ),
                    {"id": patrol_id},
                ).scalar()
                self._origins[patrol_id] = origin or ""
            missing = {row["sector_id"] for row in rows} - set(self._sectors)
            for sector_id, geometry in connection.execute(
                text("SELECT id, geometry FROM sectors WHERE complete = 1 AND deleted = 0")
            ):
                if sector_id in missing and geometry:
                    self._sectors[sector_id] = to_local(shape(json.loads(geometry)))
        for row in rows:
            row["origin"] = self._origins.get(row["id"], "")
        return [row for row in rows if row["sector_id"] in self._sectors]

    def _next_position(self, patrol: dict[str, Any]) -> tuple[float, float]:
        polygon = self._sectors[patrol["sector_id"]]
        here = self._positions.get(patrol["id"])
        if here is None and patrol["lon"] is not None and patrol["lat"] is not None:
            point = to_local(Point(patrol["lon"], patrol["lat"]))
            here = (point.x, point.y)
        if here is None or not polygon.contains(Point(here)):
            start = random_point_in(polygon, self._rng)
            here = (start.x, start.y)
        step = self._step_m / 5 if patrol["status"] == "on_scene" else self._step_m
        moved = step_inside(polygon, here[0], here[1], self._rng, step)
        self._positions[patrol["id"]] = (moved.x, moved.y)
        lonlat = _to_lonlat(moved)
        return round(lonlat.x, 6), round(lonlat.y, 6)

    def _move_local(self, store: Store, now: datetime, patrols: list[dict[str, Any]]) -> None:
        changes = []
        for patrol in patrols:
            if patrol["origin"] != store.center_id:
                continue
            lon, lat = self._next_position(patrol)
            changes.append(
                Change(
                    "patrol", patrol["id"], {"lon": lon, "lat": lat, "position_at": v.to_ms(now)}
                )
            )
        if changes:
            self.pending = store.commit(changes, "demo simulator")
            self.last_action = f"moved {len(changes)} patrols"
        else:
            self.last_action = "nothing to move"

    # -- partners ------------------------------------------------------------------------------

    def _partner_step(self, store: Store, now: datetime, patrols: list[dict[str, Any]]) -> None:
        partner = self._rng.choice(self._partners)
        feed = self._feeds.get(partner)
        if feed is None:
            feed = self._feeds[partner] = PartnerFeed.continuing(store, partner)
        now_ms = v.to_ms(now)
        moved = 0
        for patrol in patrols:
            if patrol["origin"] == partner:
                lon, lat = self._next_position(patrol)
                feed.add(
                    now_ms,
                    "patrol",
                    patrol["id"],
                    {"lon": lon, "lat": lat, "position_at": now_ms},
                    author="demo",
                )
                moved += 1
        open_ids = self._open_incidents(store, partner)
        if open_ids and self._rng.random() < 0.5:
            incident_id, status = self._rng.choice(open_ids)
            feed.add(
                now_ms, "incident", incident_id, {"status": NEXT_STATUS[status]}, author="demo"
            )
            self.last_action = f"{partner} moved {incident_id} to {NEXT_STATUS[status]}"
        else:
            self._report_new(feed, partner, now)
        self.last_action += f"; {partner} moved {moved} patrols"
        self.pending = store.apply_remote(feed.take())

    def _open_incidents(self, store: Store, partner: str) -> list[tuple[str, str]]:
        with store.read() as connection:
            return [
                (row[0], row[1])
                for row in connection.execute(
                    text(
                        "SELECT id, status FROM incidents WHERE owner = :owner AND deleted = 0"
                        " AND complete = 1 AND status IN ('reported', 'validated', 'responding',"
                        " 'resolved') ORDER BY id"
                    ),
                    {"owner": partner},
                )
            ]

    def _report_new(self, feed: PartnerFeed, partner: str, now: datetime) -> None:
        if self._borders is None:
            self._borders = load_borders()
        country = PARTNER_COUNTRY.get(partner, "TUR")
        story = self._rng.choice(stories_for(country))
        record_id = f"{partner}-{now:%y%m%d-%H%M%S}"
        incident = make_incident(
            story,
            self._borders,
            now,
            self._rng,
            age_h=self._rng.uniform(0.05, 0.5),
            country=country,
            record_id=record_id,
        )
        fields = dict(incident.fields, status="reported")
        feed.add(fields["reported_at"], "incident", record_id, fields, author=fields["reported_by"])
        self.last_action = f"{partner} reported {record_id}: {fields['title']}"
