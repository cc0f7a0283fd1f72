"""Links that die without a word (a partner losing power, a black hole in the network):
the silent link is given up and dialed again, and a partner that comes back is not refused
as "busy" because of its old, half-open connection. Regression tests: before, such a link
stayed "up" until TCP gave up, many minutes later."""

from __future__ import annotations

import pytest

from tests.integration.faults import FaultyNetwork
from tests.integration.hostile import HostilePeer
from tests.integration.nodes import Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import incident_ids, write_incidents


@pytest.fixture
def stalled_pair(tmp_path):
    """GR-ORE listens; BG-SVL dials it through a proxy; both linked, then the proxy stalls."""
    network = FaultyNetwork()
    a = Center("GR-ORE", tmp_path, port=free_port(), partners=[Partner("BG-SVL")])
    link = network.add("BG-SVL>GR-ORE", a.port)
    b = Center("BG-SVL", tmp_path, partners=[Partner("GR-ORE", address=link.address)])
    write_incidents(a, "A", 3)
    try:
        a.start()
        b.start()
        wait_for(lambda: len(incident_ids(b)) == 3, 30, "no first catch-up")
        network.fault(link.name, "stall")
        yield a, b, network, link
    finally:
        b.stop()
        a.stop()
        network.close()


def test_silent_link_is_given_up_and_dialed_again(stalled_pair):
    a, b, network, link = stalled_pair
    write_incidents(a, "B", 2)  # written while the link is a black hole
    wait_for(lambda: b.link("GR-ORE").get("quiet"), 10, "no quiet alarm")
    wait_for(
        lambda: "link given up" in b.link("GR-ORE").get("last_error", ""),
        20,
        "the dialer kept a silent link",
    )
    network.fault(link.name, "heal")
    wait_for(lambda: {"B-0", "B-1"} <= incident_ids(b), 30, "no catch-up after the redial")


def test_partner_back_behind_a_black_hole_is_not_refused_as_busy(stalled_pair):
    a, _b, _network, _link = stalled_pair
    wait_for(lambda: a.link("BG-SVL").get("quiet"), 10, "no quiet alarm at the listener")
    peer = HostilePeer(a)  # BG-SVL again, on a new connection that does get through
    try:
        peer.ping()
    finally:
        peer.close()
    assert "dropping the old one" in a.log()
