"""Starting the window: the store, the change feed, the bridge, the demo, the snapshot."""

from __future__ import annotations

import logging
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.demo_network import demo_partners_settings
from app.errors import LimesError
from app.settings import PartnerSettings, Settings
from app.store import Store, open_store
from app.store.feed import ChangeFeed
from maps.geography import default_resources
from widgets.bridge import StoreBridge
from widgets.main_window import MainWindow

log = logging.getLogger(__name__)
SNAPSHOT_SETTLE_MS = 1200
SNAPSHOT_LINKS_WAIT_S = 20.0
DEMO_STEP_MS = 3000


def _store_for(settings: Settings) -> Store:
    return open_store(
        settings.database_path,
        settings.node.center_id,
        synchronous=settings.store.synchronous.upper(),
        max_clock_drift_ms=int(settings.store.max_clock_drift_s * 1000),
    )


def _demo_settings(settings: Settings, folder: Path, listen: str = "") -> Settings:
    node = msgspec.structs.replace(
        settings.node,
        center_id="GR-ORE",
        name="Orestiada Joint Coordination Centre",
        country="GRC",
        agency="Hellenic Police",
    )
    store = msgspec.structs.replace(settings.store, path=str(folder / "demo.sqlite3"))
    resources = default_resources()
    map_settings = msgspec.structs.replace(
        settings.map,
        operation_borders=[str(path) for path in resources.operation_borders],
    )
    sync = msgspec.structs.replace(settings.sync, listen=listen, allow_plain=True, heartbeat_s=2.0)
    partners = [msgspec.convert(p, PartnerSettings) for p in demo_partners_settings()]
    return msgspec.structs.replace(
        settings, node=node, store=store, map=map_settings, sync=sync, partners=partners
    )


def run_window(settings: Settings, *, demo: bool = False, snapshot: Path | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Limes")
    app.setOrganizationName("Limes")
    demo_folder = tempfile.TemporaryDirectory(prefix="limes-demo-") if demo else None
    region = tuple(settings.map.region) if settings.map.region else None
    simulator = None
    network = None
    try:
        if demo_folder is not None:
            from app.demo import DemoSimulator, seed_demo
            from app.demo_network import DemoNetwork

            folder = Path(demo_folder.name)
            listen = f"127.0.0.1:{DemoNetwork.pick_port()}"
            settings = _demo_settings(settings, folder, listen)
            store = _store_for(settings)
            scenario = seed_demo(store, datetime.now(UTC))
            region = scenario.region
            simulator = DemoSimulator(partner_share=0.0)  # the partners are real nodes now
            network = DemoNetwork(folder, store, listen)
            network.prepare()
        else:
            store = _store_for(settings)
    except LimesError as error:
        if snapshot is None and QApplication.platformName() != "offscreen":
            QMessageBox.critical(None, "Limes cannot start", str(error))
        raise

    feed = ChangeFeed(store, interval_s=0.25)
    bridge = StoreBridge(feed, settings.ui.refresh_ms)
    node = None
    if settings.partners:
        from app.sync.node import Node

        node = Node(store, settings)
    window = MainWindow(
        store,
        settings,
        bridge,
        region=region,
        restore_layout=snapshot is None,
        title_suffix=" — DEMO" if demo else "",
        node=node,
    )
    feed.start()
    if node is not None:
        node.start()
    if network is not None:
        network.start()
    _keep_window_alive(window)
    timers = []
    if simulator is not None:
        step = QTimer(window)
        step.timeout.connect(lambda: _demo_step(simulator, store))
        step.start(DEMO_STEP_MS)
        timers.append(step)

    result = {"code": 0}
    if snapshot is not None:
        window.resize(1800, 1100)

        def take_snapshot() -> None:
            app.processEvents()
            saved = window.grab().save(str(snapshot))
            if not saved:
                print(f"limes: could not write {snapshot}", file=sys.stderr)
                result["code"] = 1
            else:
                print(f"snapshot saved to {snapshot}", file=sys.stderr)
            window.close()

        started = time.monotonic()

        def when_links_are_up() -> None:
            """With partners, show the picture once every link is up (or after 20 s anyway:
            a snapshot of links that stay down shows why), then let it settle."""
            links = node.health.values() if node is not None else ()
            waiting = any(health.state != "up" for health in links)
            if waiting and time.monotonic() - started < SNAPSHOT_LINKS_WAIT_S:
                QTimer.singleShot(200, when_links_are_up)
                return
            QTimer.singleShot(SNAPSHOT_SETTLE_MS, take_snapshot)

        when_links_are_up()
    window.show()

    def shut_down() -> None:
        for timer in timers:
            timer.stop()
        if network is not None:
            network.stop()
        if node is not None:
            node.stop()
        feed.stop()
        bridge.disconnect_feed()
        window.shutdown()
        store.close()
        if demo_folder is not None:
            demo_folder.cleanup()

    app.aboutToQuit.connect(shut_down)
    _quit_on_signals(app, timers)
    code = app.exec()
    return result["code"] or code


def _demo_step(simulator, store: Store) -> None:
    try:
        simulator.step(store, datetime.now(UTC))
    except Exception:  # the demo must never take the window down
        log.exception("demo step failed")


def _keep_window_alive(window: MainWindow) -> None:
    """An unexpected error in a slot is logged and shown in the status bar; the window stays."""

    def report(kind, error, trace) -> None:
        log.error("unexpected error", exc_info=(kind, error, trace))
        window.statusBar().showMessage(f"Internal error (logged): {kind.__name__}: {error}", 15000)

    sys.excepthook = report


def _quit_on_signals(app: QApplication, timers: list[QTimer]) -> None:
    """SIGINT and SIGTERM close the window the normal way, so the demo's partner nodes, the
    network thread and the store are shut down cleanly. Python only sees a signal while it
    runs, so a short timer lets it in now and then."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    timers.append(wake)
