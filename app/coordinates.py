"""Coordinates as operators read them: decimal degrees, degrees-minutes-seconds, MGRS."""

from __future__ import annotations

import mgrs

_MGRS = mgrs.MGRS()


def format_dd(lon: float, lat: float) -> str:
    return f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'} {abs(lon):.5f}°{'E' if lon >= 0 else 'W'}"


def _dms(value: float) -> tuple[int, int, float]:
    value = abs(value)
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    seconds = (minutes_float - minutes) * 60
    if seconds >= 59.95:
        seconds = 0.0
        minutes += 1
    if minutes == 60:
        minutes = 0
        degrees += 1
    return degrees, minutes, seconds


def format_dms(lon: float, lat: float) -> str:
    lat_d, lat_m, lat_s = _dms(lat)
    lon_d, lon_m, lon_s = _dms(lon)
    return (
        f"{lat_d:02d}°{lat_m:02d}'{lat_s:04.1f}\"{'N' if lat >= 0 else 'S'} "
        f"{lon_d:03d}°{lon_m:02d}'{lon_s:04.1f}\"{'E' if lon >= 0 else 'W'}"
    )


def format_mgrs(lon: float, lat: float) -> str:
    """MGRS at 1 m precision, grouped for reading aloud (e.g. 35T LF 12345 67890)."""
    if not -80.0 <= lat <= 84.0:
        return "outside MGRS (polar)"
    text = _MGRS.toMGRS(lat, lon, MGRSPrecision=5)
    if isinstance(text, bytes):
        text = text.decode()
    zone, square, digits = text[:3], text[3:5], text[5:]
    half = len(digits) // 2
    return f"{zone} {square} {digits[:half]} {digits[half:]}"


FORMATTERS = {"dd": format_dd, "dms": format_dms, "mgrs": format_mgrs}


def format_position(lon: float, lat: float, style: str = "dd") -> str:
    return FORMATTERS[style](lon, lat)
