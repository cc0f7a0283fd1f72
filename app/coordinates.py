"""Coordinates as operators read them: decimal degrees, degrees-minutes-seconds, MGRS."""

from __future__ import annotations

import math
import re

import mgrs

from app.errors import ValidationError

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


# -- reading what people type ------------------------------------------------------------------

_MGRS_RE = re.compile(r"^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z]{2})(\d*)$")
_EXAMPLE = (
    "give latitude and longitude, e.g. 41.50234, 26.31012 or 41°30'08\"N 26°18'36\"E, "
    "or MGRS, e.g. 35T MF 41575 94500"
)
_HEMISPHERES = {"N": 1, "S": -1, "E": 1, "W": -1}
# One coordinate: up to three numbers (degrees, minutes, seconds) with any of ° ' " or spaces
# between them, and an optional hemisphere letter before or after.
_PART_RE = re.compile(
    r"""^\s*([NSEW])?\s*([+-]?\d+(?:[.,]\d+)?)\s*(?:°|d|\s)?\s*
    (?:(\d+(?:[.,]\d+)?)\s*(?:'|′|m|\s)?\s*)?
    (?:(\d+(?:[.,]\d+)?)\s*(?:"|″|''|s)?\s*)?([NSEW])?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


def parse_position(text: str, field: str = "position") -> tuple[float, float]:
    """(lon, lat) from decimal degrees, DMS or MGRS, latitude first as operators read it:
    ``41.50234, 26.31012``, ``41°30'08"N 26°18'36"E``, ``35T LF 12345 67890``.
    The error names ``field`` and what was wrong."""
    raw = text.strip()
    if not raw:
        raise ValidationError(field, "is required (decimal, DMS or MGRS)")
    compact = re.sub(r"\s+", "", raw).upper()
    if _MGRS_RE.match(compact):
        return _parse_mgrs(compact, field)
    if re.match(r"^\d{1,2}[A-Z]", compact):
        raise ValidationError(
            field, f"{raw!r} is not a valid MGRS reference (e.g. 35T LF 12345 67890)"
        )
    if not re.search(r"\d", raw):
        raise ValidationError(field, f"{raw!r}: {_EXAMPLE}")
    lat_text, lon_text = _split_pair(raw, field)
    lat = _parse_part(lat_text, field, "NS")
    lon = _parse_part(lon_text, field, "EW")
    for name, number, text in (("latitude", lat, lat_text), ("longitude", lon, lon_text)):
        if not math.isfinite(number):  # a number too long for a float
            raise ValidationError(field, f"{name} {text!r} is not a finite number")
    if not -90.0 <= lat <= 90.0:
        raise ValidationError(field, f"latitude {lat:.10g} is out of range (-90 to 90)")
    if not -180.0 <= lon <= 180.0:
        raise ValidationError(field, f"longitude {lon:.10g} is out of range (-180 to 180)")
    return lon, lat


def _split_pair(raw: str, field: str) -> tuple[str, str]:
    if raw.count(",") == 1 or ";" in raw:
        first, second = re.split(r"[,;]", raw, maxsplit=1)
        return first, second
    parts = raw.split()
    if len(parts) == 2:
        return parts[0], parts[1]
    # "41 30 08 N 26 18 36 E": split after the latitude's hemisphere letter, or
    # "N 41 30 08 E 26 18 36": before the longitude's
    pattern = r"^([NS].*?)\s*([EW].*)$" if raw[:1].upper() in "NS" else r"^(.*?[NS])\s*(.+)$"
    match = re.match(pattern, raw, re.IGNORECASE)
    if match:
        return match.group(1), match.group(2)
    raise ValidationError(field, f"{raw!r}: {_EXAMPLE}")


def _parse_part(text: str, field: str, letters: str) -> float:
    axis = "latitude" if letters == "NS" else "longitude"
    match = _PART_RE.match(text.replace(",", "."))
    if match is None:
        raise ValidationError(field, f"{axis} {text.strip()!r} is not decimal degrees or DMS")
    before, degrees, minutes, seconds, after = match.groups()
    hemisphere = (before or after or "").upper()
    if hemisphere and hemisphere not in letters:
        raise ValidationError(field, f"{axis} {text.strip()!r} has hemisphere {hemisphere}")
    value = float(degrees)
    for part, limit, name in ((minutes, 60, "minutes"), (seconds, 60, "seconds")):
        if part is not None and float(part) >= limit:
            raise ValidationError(field, f"{axis} {text.strip()!r}: {name} must be under {limit}")
    magnitude = abs(value) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    sign = -1 if value < 0 or str(degrees).startswith("-") else 1
    return sign * _HEMISPHERES.get(hemisphere, 1) * magnitude


def _parse_mgrs(compact: str, field: str) -> tuple[float, float]:
    digits = _MGRS_RE.match(compact).group(4)  # type: ignore[union-attr]
    if len(digits) % 2 or len(digits) > 10:
        raise ValidationError(
            field,
            f"MGRS {compact!r} needs an even number of digits (easting and northing, up to 5 each)",
        )
    try:
        lat, lon = _MGRS.toLatLon(compact.encode())
    except Exception as error:  # the library says little more than "invalid"
        raise ValidationError(
            field, f"{compact!r} is not a valid MGRS reference ({error})"
        ) from None
    return float(lon), float(lat)
