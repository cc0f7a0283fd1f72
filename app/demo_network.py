"""The demo's partner centers: real `limes node` processes on 127.0.0.1, each with its own
database, that report and update incidents and move their patrols over real links.

The window's center (GR-ORE) listens; each partner dials it. Each partner database starts
with what that partner would hold: every op of the seeded picture released to it (its own
ops included), so its sequence numbers continue where its history ends.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from app import values as v
from app.demo_geometry import load_borders
from app.demo_incidents import make_incident, stories_for
from app.demo_sim import NEXT_STATUS, PARTNER_COUNTRY, DemoSimulator
from app.store import Change, Store
from app.sync.outbox import save_cursor, to_op
from app.sync.protocol import OutgoingOp
from app.sync.releasability import releases

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
DEMO_SECRET = "limes-demo-only"
PARTNER_NAMES = {
    "BG-SVL": ("Svilengrad Border Police Sector", "BGR", "Border Police"),
    "TR-EDR": ("Edirne Gendarmerie Command", "TUR", "Gendarmerie"),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bootstrap_partner(source: Store, target: Store, partner: str) -> int:
    """Give ``target`` (partner's new database) every op of ``source`` released to it."""
    import msgspec

    with source.read() as connection:
        rows = connection.exec_driver_sql(
            "SELECT origin, seq, hlc, kind, record_id, action, fields, author FROM ops ORDER BY lsn"
        ).fetchall()
        visible: dict[tuple[str, str], bool] = {}
        by_kind: dict[str, list[str]] = {}
        for row in rows:
            by_kind.setdefault(row[3], []).append(row[4])
        for kind, ids in by_kind.items():
            for record_id, release in releases(connection, kind, ids).items():
                visible[(kind, record_id)] = release.allows(partner)
    ops = [
        to_op(OutgoingOp(*row[:6], msgspec.Raw(row[6]), row[7]))
        for row in rows
        if visible.get((row[3], row[4]))
    ]
    target.apply_remote(ops).result()
    return len(ops)


class PartnerSimulator(DemoSimulator):
    """A partner center's own activity, written as its own local changes."""

    def __init__(self, center: str, seed: int = 11) -> None:
        super().__init__(seed, partner_share=1.0, partners=(center,))
        self.center = center

    def step(self, store: Store, now: datetime) -> None:
        now = v.parse_utc(now, "now")
        patrols = self._moving_patrols(store, now)
        changes = []
        for patrol in patrols:
            if patrol["origin"] == self.center:
                lon, lat = self._next_position(patrol)
                changes.append(
                    Change(
                        "patrol",
                        patrol["id"],
                        {"lon": lon, "lat": lat, "position_at": v.to_ms(now)},
                    )
                )
        roll = self._rng.random()
        open_ids = self._open_incidents(store, self.center)
        if roll < 0.3 and open_ids:
            incident_id, status = self._rng.choice(open_ids)
            changes.append(Change("incident", incident_id, {"status": NEXT_STATUS[status]}))
            self.last_action = f"moved {incident_id} to {NEXT_STATUS[status]}"
        elif roll < 0.55:
            changes.append(self._new_incident(now))
        if changes:
            self.pending = store.commit(changes, f"{self.center} duty officer")

    def _new_incident(self, now: datetime) -> Change:
        if self._borders is None:
            self._borders = load_borders()
        country = PARTNER_COUNTRY.get(self.center, "TUR")
        story = self._rng.choice(stories_for(country))
        record_id = f"{self.center}-{now:%y%m%d-%H%M%S}"
        incident = make_incident(
            story, self._borders, now, self._rng,
            age_h=self._rng.uniform(0.02, 0.2), country=country, record_id=record_id,
        )  # fmt: skip
        fields = dict(incident.fields, status="reported", owner=self.center, originator=self.center)
        self.last_action = f"reported {record_id}: {fields['title']}"
        return Change("incident", record_id, fields)


def partner_config(folder: Path, partner: str, home_address: str) -> Path:
    name, country, agency = PARTNER_NAMES[partner]
    path = folder / f"{partner}.toml"
    path.write_text(
        "\n".join(
            [
                "[node]",
                f'center_id = "{partner}"',
                f'name = "{name}"',
                f'country = "{country}"',
                f'agency = "{agency}"',
                "[store]",
                f'path = "{folder / (partner + ".sqlite3")}"',
                'synchronous = "NORMAL"',
                "[sync]",
                "allow_plain = true  # demo on 127.0.0.1 only",
                "heartbeat_s = 2.0",
                "reconnect_max_s = 3.0",
                "[[partners]]",
                'id = "GR-ORE"',
                'name = "Orestiada Joint Coordination Centre"',
                f'address = "{home_address}"',
                f'credential_ref = "plain:{DEMO_SECRET}"',
            ]
        )
        + "\n"
    )
    return path


class DemoNetwork:
    """Starts and stops the partner node processes of the demo."""

    def __init__(
        self,
        folder: Path,
        home: Store,
        listen: str,
        partners: tuple[str, ...] = ("BG-SVL", "TR-EDR"),
    ) -> None:
        self.folder = folder
        self.home = home
        self.listen = listen  # where the home center listens; the partners dial it
        self.partners = partners
        self.processes: dict[str, subprocess.Popen[Any]] = {}

    @staticmethod
    def pick_port() -> int:
        return free_port()

    def prepare(self) -> None:
        """Each partner starts with what it would hold, and both ends of each link know that
        it holds it (cursors at the end of the log), so the first sync sends only news."""
        with self.home.read() as connection:
            home_end = connection.exec_driver_sql("SELECT COALESCE(MAX(lsn), 0) FROM ops").scalar()
        now_ms = int(time.time() * 1000)
        for partner in self.partners:
            partner_config(self.folder, partner, f"ws://{self.listen}")
            with Store(self.folder / f"{partner}.sqlite3", partner, synchronous="NORMAL") as store:
                bootstrap_partner(self.home, store, partner)
                store.writer.call(
                    lambda connection: save_cursor(
                        connection,
                        "GR-ORE",
                        connection.exec_driver_sql("SELECT MAX(lsn) FROM ops").scalar() or 0,
                        now_ms,
                    )
                )
            self.home.writer.call(
                lambda connection, partner=partner: save_cursor(
                    connection, partner, home_end, now_ms
                )
            )

    def start(self) -> None:
        for partner in self.partners:
            log_file = (self.folder / f"{partner}.log").open("ab")
            self.processes[partner] = subprocess.Popen(
                [
                    sys.executable, str(ROOT / "main.py"), "node", "--simulate",
                    "--config", str(self.folder / f"{partner}.toml"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=log_file,
                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            )  # fmt: skip

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def demo_partners_settings() -> list[dict[str, Any]]:
    return [
        {
            "id": partner,
            "name": name,
            "country": country,
            "agency": agency,
            "credential_ref": f"plain:{DEMO_SECRET}",
        }
        for partner, (name, country, agency) in PARTNER_NAMES.items()
    ]


def simulate_forever(store: Store, center: str, stop: Any, every_s: float = 4.0) -> None:
    """The partner's own activity, until ``stop`` (a threading.Event) is set. A simulated
    partner belongs to the window that started it: when that process is gone (killed, not
    closed), the node stops too instead of lingering."""
    simulator = PartnerSimulator(center, seed=hash(center) % 1000)
    rng = random.Random(center)
    parent = os.getppid()
    while not stop.wait(every_s * rng.uniform(0.6, 1.4)):
        if os.getppid() != parent:
            log.warning("the window that started this partner is gone: stopping")
            os.kill(os.getpid(), signal.SIGTERM)
            return
        try:
            simulator.step(store, datetime.now().astimezone())
        except Exception:  # the simulation must never take the node down
            log.exception("partner simulation step failed")


__all__ = ["DemoNetwork", "PartnerSimulator", "bootstrap_partner"]
