"""Settings: declared once with their types, defaults in config/defaults.toml.

Layers, later wins: the defaults file, the user's file (platformdirs config path), the file
given with ``--config``, then ``LIMES_<SECTION>__<KEY>`` environment variables. Every error
names the file (or variable), the key and the problem.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
import platformdirs

from app.errors import ConfigError
from app.settings_limits import check_limits

APP_NAME = "limes"
DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "config" / "defaults.toml"
ENV_PREFIX = "LIMES_"


class NodeSettings(msgspec.Struct, forbid_unknown_fields=True):
    center_id: str
    name: str
    country: str = ""
    agency: str = ""
    user: str = ""


class StoreSettings(msgspec.Struct, forbid_unknown_fields=True):
    path: str = ""
    synchronous: str = "FULL"
    max_clock_drift_s: float = 120
    purge_deleted_after_days: float = 30
    purge_every_s: float = 600


class MapSettings(msgspec.Struct, forbid_unknown_fields=True):
    crs: str = "EPSG:3857"
    region: list[float] = []
    borders: str = ""
    operation_borders: list[str] = []
    coordinate_format: str = "dd"
    track_hours: float = 4.0
    mbtiles: str = ""


class AlertSettings(msgspec.Struct, forbid_unknown_fields=True):
    near_border: bool = True
    border_km: float = 2.0
    sector_levels: list[str] = msgspec.field(default_factory=lambda: ["high", "critical"])
    patrol_outside_sector: bool = True
    patrol_margin_km: float = 0.3
    flash_s: float = 6.0


class UiSettings(msgspec.Struct, forbid_unknown_fields=True):
    refresh_ms: int = 250


class PartnerSettings(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    name: str
    country: str = ""
    agency: str = ""
    address: str = ""  # ws:// or wss:// URL to dial; empty: the partner dials us
    credential_ref: str = ""  # env:NAME, file:PATH or plain:SECRET (tests and demos only)
    relay: bool = False  # may carry other centers' ops to us


class SyncSettings(msgspec.Struct, forbid_unknown_fields=True):
    listen: str = ""
    certificate: str = ""
    key: str = ""
    trust: str = ""
    allow_plain: bool = False
    heartbeat_s: float = 5.0
    quiet_after_s: float = 20.0
    reconnect_max_s: float = 30.0
    batch_ops: int = 1000
    window_batches: int = 16
    max_frame_mb: float = 16.0
    max_batch_ops: int = 2_000
    max_frames_per_s: float = 200.0
    max_pending_batches: int = 32
    max_throttled_s: float = 30.0
    throttled_backoff_s: float = 60.0
    max_connections_without_hello: int = 32
    compress: bool = False


class RosterSettings(msgspec.Struct, forbid_unknown_fields=True):
    max_shift_h: float = 12.0
    min_rest_h: float = 11.0
    coverage_min_impact: str = "high"
    straddle_min_share: float = 0.25


class Settings(msgspec.Struct, forbid_unknown_fields=True):
    node: NodeSettings
    store: StoreSettings
    map: MapSettings
    ui: UiSettings
    sync: SyncSettings = msgspec.field(default_factory=SyncSettings)
    roster: RosterSettings = msgspec.field(default_factory=RosterSettings)
    alerts: AlertSettings = msgspec.field(default_factory=AlertSettings)
    releases: dict[str, list[str]] = {}
    partners: list[PartnerSettings] = []

    @property
    def database_path(self) -> Path:
        if self.store.path:
            return Path(self.store.path).expanduser()
        return data_dir() / "limes.sqlite3"

    @property
    def user(self) -> str:
        if self.node.user:
            return self.node.user
        try:
            return getpass.getuser()
        except Exception:  # no login name in some containers
            return "operator"


def config_dir() -> Path:
    return Path(os.environ.get("LIMES_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return Path(os.environ.get("LIMES_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def user_config_file() -> Path:
    return config_dir() / "limes.toml"


def load_settings(
    config_file: Path | str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    environ = os.environ if environ is None else environ
    merged: dict[str, Any] = _read_toml(DEFAULTS_FILE)
    sources = [str(DEFAULTS_FILE)]
    set_in: dict[str, str] = {}  # "section.key" (or a top-level key): the file that set it
    user_file = user_config_file()
    for path in (user_file if user_file.exists() else None, config_file):
        if path is None:
            continue
        layer = _read_toml(Path(path))
        _check_known(layer, merged, str(path))
        _merge(merged, layer)
        sources.append(str(path))
        set_in.update(dict.fromkeys(_keys_of(layer), str(path)))
    env_layer = _env_layer(environ, merged)
    _merge(merged, env_layer)
    for section, keys in env_layer.items():
        for key in keys:
            variable = f"{ENV_PREFIX}{section}__{key}".upper()
            set_in[f"{section}.{key}"] = f"environment variable {variable}"
    if overrides:
        _merge(merged, {key: dict(value) for key, value in overrides.items()})
    try:
        settings = msgspec.convert(merged, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise ConfigError(
            f"settings from {', '.join(sources)}{' and LIMES_ variables' if env_layer else ''}: "
            f"{_key_of(error)}"
        ) from None
    try:
        _check_values(settings)
        check_limits(settings)
    except ConfigError as error:
        raise ConfigError(_with_source(str(error), set_in)) from None
    return settings


def _keys_of(layer: Mapping[str, Any]) -> list[str]:
    keys = []
    for section, value in layer.items():
        keys.append(section)
        if isinstance(value, dict):
            keys += [f"{section}.{key}" for key in value]
    return keys


def _with_source(message: str, set_in: Mapping[str, str]) -> str:
    """The message with the file (or variable) that set the key it names, when not a default."""
    found = re.search(r"(?:key |keys )?\b(partners|releases|[a-z]+\.[a-z_]+)\b", message)
    if found is None:
        return message
    key = found.group(1)
    source = set_in.get(key) or set_in.get(key.partition(".")[0])
    if source is None or not message.startswith("settings: "):
        return message
    return f"settings: {source}: {message.removeprefix('settings: ')}"


MAX_FILE_BYTES = 1024 * 1024  # a settings file is a few KB; anything this big is not one


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ConfigError(f"{path}: larger than 1 MiB; this is not a settings file")
        if b"\x00" in data:
            raise ConfigError(
                f"{path}: not UTF-8 text (it holds NUL bytes: UTF-16, or a binary file); "
                "save it as UTF-8"
            )
        return tomllib.loads(data.decode("utf-8").removeprefix("\ufeff"))  # Notepad's BOM
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such settings file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a settings file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML (arrays nested too deeply)") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror})") from None


FREE_SECTIONS = {"releases"}  # their keys are values (categories), checked in _check_values


def _check_known(layer: dict[str, Any], known: dict[str, Any], source: str) -> None:
    for section, value in layer.items():
        if section not in known:
            raise ConfigError(f"{source}: unknown section or key {section!r}")
        if section in FREE_SECTIONS:
            continue
        if isinstance(value, dict):
            if not isinstance(known[section], dict):
                raise ConfigError(f"{source}: {section!r} is a value, not a [section]")
            for key in value:
                if key not in known[section]:
                    raise ConfigError(f"{source}: [{section}] has no key {key!r}")
        elif isinstance(known[section], dict):
            raise ConfigError(f"{source}: {section!r} must be a [section]")


def _merge(into: dict[str, Any], layer: Mapping[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _env_layer(environ: Mapping[str, str], known: dict[str, Any]) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        if section not in known or not isinstance(known[section], dict):
            continue  # LIMES_DATA_DIR and friends are not settings keys
        if key not in known[section]:
            raise ConfigError(f"environment variable {name}: [{section}] has no key {key!r}")
        default = known[section][key]
        layer.setdefault(section, {})[key] = _env_value(name, raw, default)
    return layer


def _env_value(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, str):
        return raw
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"environment variable {name}: {raw!r} is not a TOML value") from None


def _key_of(error: msgspec.ValidationError) -> str:
    # msgspec says e.g. "Expected `int`, got `str` - at `$.ui.refresh_ms`"
    text = str(error)
    message, _, where = text.partition(" - at `$.")
    if where:
        return f"key {where.rstrip('`')}: {message}"
    return text


def _check_values(settings: Settings) -> None:
    from app.store.database import SYNCHRONOUS_LEVELS
    from app.values import check_id

    try:
        check_id(settings.node.center_id, "node.center_id")
    except ValueError as error:
        raise ConfigError(f"settings: {error}") from None
    if settings.store.synchronous.upper() not in SYNCHRONOUS_LEVELS:
        raise ConfigError(
            f"settings: key store.synchronous: {settings.store.synchronous!r} is not one of "
            f"{', '.join(SYNCHRONOUS_LEVELS)}"
        )
    if settings.store.purge_deleted_after_days < 0:
        raise ConfigError("settings: key store.purge_deleted_after_days: 0 or more days")
    if settings.store.purge_every_s < 1:
        raise ConfigError("settings: key store.purge_every_s: at least 1 second")
    if settings.map.region and len(settings.map.region) != 4:
        raise ConfigError("settings: key map.region: give lon_min, lat_min, lon_max, lat_max")
    if settings.map.coordinate_format not in ("dd", "dms", "mgrs"):
        raise ConfigError("settings: key map.coordinate_format: one of dd, dms, mgrs")
    if not 0 <= settings.map.track_hours <= 48:
        raise ConfigError("settings: key map.track_hours: between 0 and 48 (hours)")
    if not 20 <= settings.ui.refresh_ms <= 10_000:
        raise ConfigError("settings: key ui.refresh_ms: between 20 and 10000")
    from app.values import Category, ImpactLevel

    categories = {c.value for c in Category}
    for category, release in settings.releases.items():
        if category not in categories:
            raise ConfigError(
                f"settings: [releases] {category!r} is not a category "
                f"(one of {', '.join(sorted(categories))})"
            )
        for center in release:
            try:
                check_id(center, f"releases.{category}")
            except ValueError as error:
                raise ConfigError(f"settings: {error}") from None
    _check_roster(settings.roster)
    alerts = settings.alerts
    if not 0 < alerts.border_km <= 100:
        raise ConfigError("settings: key alerts.border_km: between 0 and 100 (km)")
    levels = {level.value for level in ImpactLevel}
    for level in alerts.sector_levels:
        if level not in levels:
            raise ConfigError(
                f"settings: key alerts.sector_levels: {level!r} is not one of "
                f"{', '.join(sorted(levels))}"
            )
    if not 0 <= alerts.patrol_margin_km <= 50:
        raise ConfigError("settings: key alerts.patrol_margin_km: between 0 and 50 (km)")
    if not 0 <= alerts.flash_s <= 120:
        raise ConfigError("settings: key alerts.flash_s: between 0 and 120 (seconds)")
    sync = settings.sync
    if sync.listen and not _host_port_ok(sync.listen):
        raise ConfigError(f"settings: key sync.listen: {sync.listen!r} is not HOST:PORT")
    if bool(sync.certificate) != bool(sync.key):
        raise ConfigError("settings: keys sync.certificate and sync.key go together")
    if not 1 <= sync.batch_ops <= 2000:
        raise ConfigError("settings: key sync.batch_ops: between 1 and 2000")
    for key, lowest in (
        ("max_frame_mb", 0.01),
        ("max_batch_ops", 1),
        ("max_frames_per_s", 1),
        ("max_pending_batches", 1),
        ("max_throttled_s", 1),
        ("throttled_backoff_s", 0),
        ("max_connections_without_hello", 1),
    ):
        if not getattr(sync, key) >= lowest:  # "not >=" refuses nan too
            raise ConfigError(f"settings: key sync.{key}: at least {lowest}")
    seen = set()
    for index, partner in enumerate(settings.partners):
        if partner.id in seen or partner.id == settings.node.center_id:
            raise ConfigError(f"settings: partners[{index}].id {partner.id!r} is not unique")
        seen.add(partner.id)
        if partner.address and not partner.address.startswith(("ws://", "wss://")):
            raise ConfigError(
                f"settings: partners[{index}].address {partner.address!r} is not ws:// or wss://"
            )
        if partner.address.startswith("ws://") and not sync.allow_plain:
            raise ConfigError(
                f"settings: partners[{index}].address {partner.address!r} is plain ws://; "
                "use wss:// or set sync.allow_plain = true explicitly"
            )
        if partner.credential_ref and not partner.credential_ref.startswith(
            ("env:", "file:", "plain:")
        ):
            raise ConfigError(
                f"settings: partners[{index}].credential_ref: use env:NAME, file:PATH or plain:SECRET"
            )


def _check_roster(roster: RosterSettings) -> None:
    from app.values import ImpactLevel

    if not 1 <= roster.max_shift_h <= 24:
        raise ConfigError("settings: key roster.max_shift_h: between 1 and 24 hours")
    if not 0 <= roster.min_rest_h <= 48:
        raise ConfigError("settings: key roster.min_rest_h: between 0 and 48 hours")
    if roster.coverage_min_impact not in {level.value for level in ImpactLevel}:
        raise ConfigError(
            "settings: key roster.coverage_min_impact: one of low, medium, high, critical"
        )
    if not 0 < roster.straddle_min_share <= 0.5:
        raise ConfigError("settings: key roster.straddle_min_share: above 0 and at most 0.5")


def _host_port_ok(text: str) -> bool:
    host, _, port = text.rpartition(":")
    return bool(host) and port.isdigit() and 0 < int(port) < 65536
