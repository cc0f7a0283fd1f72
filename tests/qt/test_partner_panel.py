"""The partners dock tells the truth about a real link, and the Links menu cuts and restores it."""

from __future__ import annotations

import pytest

from app.settings import PartnerSettings, load_settings
from app.store import Store
from app.store.feed import ChangeFeed
from app.sync.node import Node
from tests.integration.nodes import SECRET, Center, Partner, free_port
from tests.integration.test_sync_nodes import incident_ids, write_incidents
from widgets.bridge import StoreBridge
from widgets.main_window import MainWindow


@pytest.fixture
def linked_window(qtbot, tmp_path):
    port = free_port()
    settings = load_settings(
        overrides={
            "node": {"center_id": "GR-ORE", "name": "Orestiada"},
            "store": {"path": str(tmp_path / "GR-ORE.sqlite3")},
            "sync": {"listen": f"127.0.0.1:{port}", "allow_plain": True, "heartbeat_s": 0.5},
        }
    )
    settings.partners = [
        PartnerSettings(id="BG-SVL", name="Svilengrad", credential_ref=f"plain:{SECRET}")
    ]
    partner = Center(
        "BG-SVL", tmp_path, partners=[Partner("GR-ORE", address=f"ws://127.0.0.1:{port}")]
    )
    with Store(settings.database_path, "GR-ORE", synchronous="NORMAL") as store:
        feed = ChangeFeed(store, interval_s=0.05)
        bridge = StoreBridge(feed, refresh_ms=50)
        node = Node(store, settings)
        window = MainWindow(store, settings, bridge, restore_layout=False, node=node)
        qtbot.addWidget(window)
        feed.start()
        node.start()
        partner.start()
        window.show()
        try:
            yield window, store, partner
        finally:
            partner.stop()
            node.stop()
            feed.stop()
            bridge.disconnect_feed()


def _link_text(window) -> str:
    window.partner_panel.refresh()
    model = window.partner_panel.model
    return model.index(0, 1).data() or ""


def test_the_panel_shows_the_link_and_the_menu_cuts_and_restores_it(qtbot, linked_window):
    window, store, partner = linked_window
    qtbot.waitUntil(lambda: _link_text(window).startswith("up"), timeout=20_000)
    assert window.partner_panel.model.index(0, 0).data() == "BG-SVL"

    window.link_actions["BG-SVL"].setChecked(False)
    qtbot.waitUntil(lambda: _link_text(window).startswith("cut"), timeout=10_000)
    write_incidents(Center("GR-ORE", store.path.parent), "during-cut", 5)
    qtbot.wait(1500)
    assert not any(i.startswith("during-cut") for i in incident_ids(partner))  # queued, not sent

    window.link_actions["BG-SVL"].setChecked(True)
    qtbot.waitUntil(lambda: _link_text(window).startswith("up"), timeout=20_000)
    qtbot.waitUntil(
        lambda: sum(i.startswith("during-cut") for i in incident_ids(partner)) == 5, timeout=20_000
    )
