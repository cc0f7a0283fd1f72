"""Partner link outages as bands on the timeline's strip: when this center could not hear
a partner (and the partner could not hear it), next to the incidents of that time."""

from __future__ import annotations

from sqlalchemy import Connection

from app.sync.outages import outages_between
from app.values import format_utc, from_ms


def link_outage_bands(
    connection: Connection, start_ms: int, end_ms: int, now_ms: int
) -> list[tuple[int, int, str, str]]:
    """(down ms, up ms, label, tooltip) of the outages overlapping ``start..end``; one still
    open (or open at a replayed ``now_ms``) runs to ``now_ms``."""
    if end_ms <= start_ms:
        return []
    bands = []
    for outage in outages_between(connection, start_ms, end_ms):
        up = outage.up_at_ms if outage.up_at_ms is not None else now_ms
        still_down = up >= now_ms
        up = min(up, now_ms)
        back = "still down" if still_down else f"back up {format_utc(from_ms(up))}"
        tip = f"Link to {outage.partner} down {format_utc(from_ms(outage.down_at_ms))}, {back}" + (
            f"\n{outage.reason}" if outage.reason else ""
        )
        bands.append((outage.down_at_ms, up, f"{outage.partner} link down", tip))
    return bands
