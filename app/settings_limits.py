"""Checks on settings that the type alone does not make: no NaN, infinity, zero or negative
timers and limits, a map region with its minimum before its maximum, files that exist, a CRS
that pyproj knows, partners with a usable id and address. Each error names the key."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import ConfigError

if TYPE_CHECKING:
    from app.settings import Settings

POSITIVE_SECONDS = (  # finite and above 0: a NaN or a negative timer would spin or never fire
    ("store", "max_clock_drift_s"),
    ("sync", "heartbeat_s"),
    ("sync", "quiet_after_s"),
    ("sync", "reconnect_max_s"),
    ("sync", "max_frame_mb"),
    ("sync", "max_frames_per_s"),
)


def check_limits(settings: Settings) -> None:
    """Numbers and names the checks above do not cover: NaN, infinity, zero or negative
    timers and counts, an inverted map region, a partner without a usable id or address."""
    for section, key in POSITIVE_SECONDS:
        value = getattr(getattr(settings, section), key)
        if not (math.isfinite(value) and value > 0):
            raise ConfigError(f"settings: key {section}.{key}: {value!r} is not a number above 0")
    if not math.isfinite(settings.store.purge_deleted_after_days):
        raise ConfigError("settings: key store.purge_deleted_after_days: not a finite number")
    if not math.isfinite(settings.store.purge_every_s):
        raise ConfigError("settings: key store.purge_every_s: not a finite number")
    if not 1 <= settings.sync.window_batches <= 1000:
        raise ConfigError("settings: key sync.window_batches: between 1 and 1000")
    if not math.isfinite(settings.sync.max_throttled_s):
        raise ConfigError("settings: key sync.max_throttled_s: not a finite number")
    if not math.isfinite(settings.sync.throttled_backoff_s):
        raise ConfigError("settings: key sync.throttled_backoff_s: not a finite number")
    region = settings.map.region
    if region:
        lon_min, lat_min, lon_max, lat_max = region
        if not (-180 <= lon_min < lon_max <= 180 and -90 <= lat_min < lat_max <= 90):
            raise ConfigError(
                f"settings: key map.region: {region} is not lon_min, lat_min, lon_max, lat_max "
                "within longitude -180..180 and latitude -90..90, minimum before maximum"
            )
    for key, paths in (
        ("map.borders", [settings.map.borders] if settings.map.borders else []),
        ("map.operation_borders", settings.map.operation_borders),
    ):
        for path in paths:
            if not Path(path).expanduser().is_file():
                raise ConfigError(f"settings: key {key}: {path} is not a file")
    if settings.map.crs.strip().upper() not in ("EPSG:3857", "3857"):
        _check_crs(settings.map.crs)
    from app.values import check_id

    for index, partner in enumerate(settings.partners):
        try:
            check_id(partner.id, f"partners[{index}].id")
        except ValueError as error:
            raise ConfigError(f"settings: {error}") from None
        if partner.address:
            host = partner.address.partition("://")[2].split("/")[0]
            if not host or host.startswith(":"):
                raise ConfigError(
                    f"settings: partners[{index}].address {partner.address!r} names no host "
                    "(e.g. wss://svilengrad.example:8765)"
                )


def _check_crs(crs: str) -> None:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    text = crs.strip()
    try:
        CRS.from_user_input(f"EPSG:{text}" if text.isdigit() else text)
    except CRSError as error:
        raise ConfigError(
            f"settings: key map.crs: {crs!r} is not a coordinate reference system pyproj "
            f"knows ({str(error).splitlines()[0]})"
        ) from None
