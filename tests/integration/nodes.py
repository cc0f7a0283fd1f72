"""Real `limes node` processes on 127.0.0.1 for the sync tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Partner:
    id: str
    address: str = ""
    secret: str = SECRET
    relay: bool = False


@dataclass
class Center:
    id: str
    folder: Path
    port: int | None = None
    partners: list[Partner] = field(default_factory=list)
    process: subprocess.Popen | None = None
    tls: tuple[Path, Path, Path] | None = None  # certificate, key, trusted CA
    synchronous: str = "NORMAL"  # FULL where power-loss settings are what is tested
    store_settings: list[str] = field(default_factory=list)  # more [store] lines
    sync_extra: list[str] = field(default_factory=list)  # more [sync] lines, e.g. limits

    @property
    def scheme(self) -> str:
        return "wss" if self.tls else "ws"

    @property
    def database(self) -> Path:
        return self.folder / f"{self.id}.sqlite3"

    @property
    def config(self) -> Path:
        return self.folder / f"{self.id}.toml"

    @property
    def address(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def write_config(self) -> None:
        lines = [
            "[node]",
            f'center_id = "{self.id}"',
            f'name = "Center {self.id}"',
            "[store]",
            f'path = "{self.database}"',
            f'synchronous = "{self.synchronous}"',
            *self.store_settings,
            "[sync]",
            f"allow_plain = {'false' if self.tls else 'true'}",
            "heartbeat_s = 0.5",
            "quiet_after_s = 3.0",
            "reconnect_max_s = 1.0",
            *self.sync_extra,
        ]
        if self.port:
            lines.append(f'listen = "127.0.0.1:{self.port}"')
        if self.tls:
            certificate, key, trust = self.tls
            lines += [f'certificate = "{certificate}"', f'key = "{key}"', f'trust = "{trust}"']
        for partner in self.partners:
            lines += [
                "[[partners]]",
                f'id = "{partner.id}"',
                f'name = "Center {partner.id}"',
                f'address = "{partner.address}"',
                f'credential_ref = "plain:{partner.secret}"',
                f"relay = {'true' if partner.relay else 'false'}",
            ]
        self.config.write_text("\n".join(lines) + "\n")

    def limes(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *args, "--config", str(self.config)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )

    def start(self) -> Center:
        self.write_config()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "node", "--config", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / f"{self.id}.log", "ab"),  # noqa: SIM115
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        wait_for(lambda: self.status().get("running"), 30, f"{self.id} did not start")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(15)
        self.process = None

    def status(self) -> dict:
        path = Path(str(self.database) + ".status.json")
        try:
            status = json.loads(path.read_text())
        except (OSError, ValueError):
            return {}
        status["running"] = self.process is not None and time.time() - status["at"] < 3
        return status

    def link(self, partner: str) -> dict:
        return self.status().get("links", {}).get(partner, {})

    def digest(self, partner: str | None = None) -> dict:
        result = self.limes("digest", *(["--partner", partner] if partner else []))
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def log(self) -> str:
        path = self.folder / f"{self.id}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def wait_for(condition, timeout: float, message: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{message} (after {timeout} s; last: {last!r})")
