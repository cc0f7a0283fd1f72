"""wss between centers: a good certificate links; an untrusted, expired or mismatched one is
refused with a message that says which."""

from __future__ import annotations

import pytest

from tests.certs import Authority
from tests.integration.nodes import Center, Partner, free_port, wait_for
from tests.integration.test_sync_nodes import incident_ids, write_incidents


@pytest.fixture
def authority(tmp_path):
    return Authority(tmp_path)


def _pair(tmp_path, listener_tls, dialer_tls):
    a = Center("GR-ORE", tmp_path, port=free_port(), tls=listener_tls)
    a.partners = [Partner("BG-SVL")]
    b = Center("BG-SVL", tmp_path, tls=dialer_tls)
    b.partners = [Partner("GR-ORE", address=a.address)]
    return a, b


def _run(a: Center, b: Center, expect: str) -> str:
    try:
        a.start()
        b.start()
        return wait_for(
            lambda: (
                (b.link("GR-ORE").get("last_error") or "")
                if expect in (b.link("GR-ORE").get("last_error") or "")
                else ""
            ),
            20,
            f"dialer never reported {expect!r}",
        )
    finally:
        a.stop()
        b.stop()


def test_mutual_tls_link_carries_the_picture(tmp_path, authority):
    a, b = _pair(
        tmp_path,
        (*authority.issue("GR-ORE"), authority.path),
        (*authority.issue("BG-SVL"), authority.path),
    )
    write_incidents(a, "A", 20)
    try:
        a.start()
        b.start()
        wait_for(lambda: len(incident_ids(b)) == 20, 20, "nothing arrived over wss")
        wait_for(lambda: b.link("GR-ORE").get("state") == "up", 5, "status never said up")
    finally:
        a.stop()
        b.stop()


def test_untrusted_certificate_is_named(tmp_path, authority):
    stranger = Authority(tmp_path, "Other CA")
    a, b = _pair(
        tmp_path,
        (*stranger.issue("GR-ORE"), stranger.path),
        (*authority.issue("BG-SVL"), authority.path),
    )
    assert "certificate untrusted" in _run(a, b, "certificate untrusted")


def test_expired_certificate_is_named(tmp_path, authority):
    a, b = _pair(
        tmp_path,
        (*authority.issue("GR-ORE", expired=True), authority.path),
        (*authority.issue("BG-SVL"), authority.path),
    )
    assert "expired" in _run(a, b, "certificate expired")


def test_certificate_for_another_address_is_named(tmp_path, authority):
    a, b = _pair(
        tmp_path,
        (*authority.issue("GR-ORE", host="127.0.0.2"), authority.path),
        (*authority.issue("BG-SVL"), authority.path),
    )
    assert "does not match the address" in _run(a, b, "does not match")
