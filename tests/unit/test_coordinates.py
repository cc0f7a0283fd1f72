"""Positions typed as operators type them: decimal, DMS, MGRS; errors that say what is wrong."""

from __future__ import annotations

import pytest

from app.coordinates import format_dd, format_dms, format_mgrs, parse_position
from app.errors import ValidationError


@pytest.mark.parametrize(
    "text",
    [
        "41.50000, 26.30000",
        "41.5N 26.3E",
        "41,5 26,3",
        "41°30'00\"N 26°18'00\"E",
        "41 30 00 N 26 18 00 E",
        "N 41 30 00 E 26 18 00",
        "35T MF 41575 94500",
        "35tmf4157594500",
    ],
)
def test_every_notation_reads_the_same_place(text):
    lon, lat = parse_position(text)
    assert lon == pytest.approx(26.3, abs=1e-4)
    assert lat == pytest.approx(41.5, abs=1e-4)


@pytest.mark.parametrize("fmt", [format_dd, format_dms, format_mgrs])
def test_what_we_show_reads_back(fmt):
    lon, lat = parse_position(fmt(-9.14, 38.72))
    assert (lon, lat) == (pytest.approx(-9.14, abs=1e-4), pytest.approx(38.72, abs=1e-4))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is required"),
        ("95, 10", "latitude 95 is out of range"),
        ("41.5, 200", "longitude 200 is out of range"),
        ("35T LF 1234 567", "even number of digits"),
        ("99Z ZZ 123", "not a valid MGRS reference"),
        ("41°70'N 26E", "minutes must be under 60"),
        ("41.5E 26.3N", "has hemisphere E"),
        ("north of the river", "give latitude and longitude"),
    ],
)
def test_bad_positions_name_the_field_and_the_problem(text, message):
    with pytest.raises(ValidationError, match=message) as caught:
        parse_position(text)
    assert caught.value.field == "position"
