"""The settings file, broken every way a person or an editor can break it: each error names
the file (or variable) and the key, and nothing but a ConfigError comes out."""

from __future__ import annotations

import codecs

import pytest

from app.errors import ConfigError
from app.settings import load_settings

PARTNER = '[[partners]]\nid = "BG-SVL"\nname = "Svilengrad"\n'

# name, file content, the words the message must hold besides the file's path
CASES: list[tuple[str, bytes, list[str]]] = [
    ("syntax error", b'[node]\ncenter_id = "GR-ORE\n', ["not valid TOML", "line 2"]),
    ("truncated", b'[sync]\nlisten = "0.0.0.0:87', ["not valid TOML", "Unterminated string"]),
    ("UTF-16", '[node]\ncenter_id = "GR-ORE"\n'.encode("utf-16"), ["not UTF-8", "NUL"]),
    ("Latin-1", '[node]\nname = "Orestiáda"\n'.encode("latin-1"), ["not UTF-8", "byte 21"]),
    ("binary garbage", bytes(range(256)) * 8, ["not UTF-8"]),
    ("nested 5,000 deep", b"[node]\nname = " + b"[" * 5000 + b"]" * 5000, ["nested too deeply"]),
    ("over 1 MiB", b"# " + b"x" * (1024 * 1024) + b"\n", ["larger than 1 MiB"]),
    ("wrong type", b'[ui]\nrefresh_ms = "fast"\n', ["key ui.refresh_ms", "Expected `int`"]),
    ("unknown key", b'[node]\ncolour = "red"\n', ["[node] has no key 'colour'"]),
    ("unknown section", b'[nodes]\ncenter_id = "X"\n', ["unknown section or key 'nodes'"]),
    ("a section as a value", b"sync = 5\n", ["'sync' must be a [section]"]),
    ("NaN rate", b"[sync]\nmax_frames_per_s = nan\n", ["key sync.max_frames_per_s"]),
    ("infinite frame", b"[sync]\nmax_frame_mb = inf\n", ["key sync.max_frame_mb", "inf"]),
    ("negative heartbeat", b"[sync]\nheartbeat_s = -1\n", ["key sync.heartbeat_s", "above 0"]),
    ("zero quiet time", b"[sync]\nquiet_after_s = 0\n", ["key sync.quiet_after_s"]),
    ("negative reconnect", b"[sync]\nreconnect_max_s = -3\n", ["key sync.reconnect_max_s"]),
    ("zero window", b"[sync]\nwindow_batches = 0\n", ["key sync.window_batches"]),
    ("NaN clock drift", b"[store]\nmax_clock_drift_s = nan\n", ["key store.max_clock_drift_s"]),
    ("negative drift", b"[store]\nmax_clock_drift_s = -5\n", ["key store.max_clock_drift_s"]),
    ("NaN purge", b"[store]\npurge_every_s = nan\n", ["key store.purge_every_s"]),
    ("NaN days", b"[store]\npurge_deleted_after_days = nan\n", ["store.purge_deleted_after_days"]),
    ("huge refresh", b"[ui]\nrefresh_ms = 99999999999\n", ["key ui.refresh_ms: between"]),
    ("float for int", b"[sync]\nmax_batch_ops = 1e30\n", ["key sync.max_batch_ops"]),
    ("NaN throttle", b"[sync]\nmax_throttled_s = nan\n", ["key sync.max_throttled_s"]),
    (
        "zero connections before hello",
        b"[sync]\nmax_connections_without_hello = 0\n",
        ["key sync.max_connections_without_hello: at least 1"],
    ),
    ("NaN in the region", b"[map]\nregion = [nan, 0, 1, 1]\n", ["key map.region"]),
    ("region inverted", b"[map]\nregion = [30, 50, 20, 40]\n", ["key map.region", "minimum"]),
    ("region off the globe", b"[map]\nregion = [-500, 0, 1, 1]\n", ["key map.region"]),
    ("region of 3 numbers", b"[map]\nregion = [1, 2, 3]\n", ["key map.region"]),
    ("unknown CRS", b'[map]\ncrs = "EPSG:999999"\n', ["key map.crs", "'EPSG:999999'"]),
    ("missing borders", b'[map]\nborders = "/nonexistent.geojson"\n', ["key map.borders"]),
    ("listen port", b'[sync]\nlisten = "0.0.0.0:99999"\n', ["key sync.listen", "HOST:PORT"]),
    ("huge center id", b'[node]\ncenter_id = "' + b"A" * 100_000 + b'"\n', ["node.center_id"]),
    (
        "certificate without key",
        b'[sync]\ncertificate = "/etc/limes/c.pem"\n',
        ["sync.certificate and sync.key"],
    ),
    ("a release list that is text", b'[releases]\nsmuggling = "BG-SVL"\n', ["key releases"]),
    ("a release to no category", b'[releases]\nfishing = ["BG-SVL"]\n', ["'fishing'"]),
    ("partners not tables", b'partners = ["BG-SVL"]\n', ["key partners[0]"]),
    ("partners as one section", b'[partners]\nid = "BG-SVL"\n', ["'partners' is a value"]),
    (
        "partner without name",
        b'[[partners]]\nid = "BG-SVL"\n',
        ["key partners[0]", "missing required field `name`"],
    ),
    (
        "partner with an unknown key",
        PARTNER.encode() + b'secret = "x"\n',
        ["key partners[0]", "unknown field `secret`"],
    ),
    ("partner id empty", b'[[partners]]\nid = ""\nname = "x"\n', ["partners[0].id: is required"]),
    (
        "partner id with a control character",
        b'[[partners]]\nid = "BG\\u0007"\nname = "x"\n',
        ["partners[0].id", "control characters"],
    ),
    (
        "partner twice",
        (PARTNER * 2).encode(),
        ["partners[1].id 'BG-SVL' is not unique"],
    ),
    (
        "partner address without host",
        PARTNER.encode() + b'address = "wss://"\n',
        ["partners[0].address 'wss://' names no host"],
    ),
    (
        "partner address over http",
        PARTNER.encode() + b'address = "http://x:1"\n',
        ["partners[0].address", "not ws:// or wss://"],
    ),
    (
        "partner on plain ws",
        PARTNER.encode() + b'address = "ws://x:1"\n',
        ["partners[0].address", "allow_plain"],
    ),
    (
        "credential in an unknown form",
        PARTNER.encode() + b'credential_ref = "s3cret"\n',
        ["partners[0].credential_ref", "env:NAME, file:PATH or plain:SECRET"],
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_a_bad_settings_file_is_refused_naming_the_file_and_the_key(tmp_path, content, expected):
    path = tmp_path / "limes.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as refused:
        load_settings(path, environ={})
    message = str(refused.value)
    assert str(path) in message, message
    for words in expected:
        assert words in message, message
    assert len(message) < 1_000


def test_an_environment_variable_is_named_as_the_place():
    with pytest.raises(ConfigError, match="environment variable LIMES_SYNC__HEARTBEAT_S: key"):
        load_settings(environ={"LIMES_SYNC__HEARTBEAT_S": "-2"})


def test_a_value_from_the_defaults_is_not_blamed_on_the_users_file(tmp_path):
    path = tmp_path / "limes.toml"
    path.write_text('[node]\nname = "x"\n[ui]\nrefresh_ms = 5\n')
    with pytest.raises(ConfigError, match=rf"settings: {path}: key ui.refresh_ms: between"):
        load_settings(path, environ={})


def test_an_editors_bom_and_an_empty_file_are_fine(tmp_path):
    path = tmp_path / "limes.toml"
    path.write_bytes(codecs.BOM_UTF8 + b'[node]\ncenter_id = "GR-ORE"\n')
    assert load_settings(path, environ={}).node.center_id == "GR-ORE"
    path.write_bytes(b"")
    assert load_settings(path, environ={}).node.center_id == "LOCAL"
