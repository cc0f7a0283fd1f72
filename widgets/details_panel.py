"""The details dock: everything about the selected incident, its follow-up log included."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser

from app.domain import Incident
from app.values import describe_confidence, format_utc


class DetailsPanel(QTextBrowser):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenExternalLinks(False)
        self.show_nothing()

    def show_nothing(self) -> None:
        self.setHtml("<p style='color:#777'>Select an incident on the map or in the timeline.</p>")

    def show_incident(
        self, incident: Incident, holders: list[tuple[str, str]] | None = None
    ) -> None:
        notes = "".join(
            f"<li><b>{format_utc(n.created_at)}</b> {escape(n.author)} ({escape(n.center)}): "
            f"{escape(n.text)}</li>"
            for n in incident.notes
        )
        released = ", ".join(incident.releasability) or "this center only"
        released = "all partners" if released == "*" else released
        description = escape(incident.description).replace("\n", "<br>")
        self.setHtml(
            f"<h3 style='margin:0'>{escape(incident.title)}</h3>"
            f"<p style='margin:2px 0;color:#555'>{escape(incident.category.label)} · "
            f"impact <b>{incident.impact.label}</b> · {incident.status.label}</p>"
            "<table cellspacing=0 cellpadding=1>"
            f"<tr><td>Occurred</td><td>{format_utc(incident.occurred_at)}</td></tr>"
            f"<tr><td>Reported</td><td>{format_utc(incident.reported_at)} by "
            f"{escape(incident.reported_by)}</td></tr>"
            f"<tr><td>Position</td><td>{incident.lat:.5f}, {incident.lon:.5f}</td></tr>"
            f"<tr><td>Owner</td><td>{escape(incident.owner)} (from {escape(incident.originator)})"
            "</td></tr>"
            f"<tr><td>Confidence</td><td>{escape(describe_confidence(incident.confidence))}</td></tr>"
            f"<tr><td>Released to</td><td>{escape(released)}</td></tr>"
            + (f"<tr><td>Partners</td><td>{_holders_html(holders)}</td></tr>" if holders else "")
            + "</table>"
            f"<p>{description}</p>"
            + (f"<b>Follow-ups</b><ul style='margin-top:0'>{notes}</ul>" if notes else "")
        )


_HOLDER_STYLE = {
    "holds": ("#2e7d32", "✓ holds it"),
    "on its way": ("#b26a00", "… on its way"),
    "not released": ("#757575", "not released"),
}


def _holders_html(holders: list[tuple[str, str]]) -> str:
    parts = []
    for partner, state in holders:
        color, text = _HOLDER_STYLE.get(state, ("#000", state))
        parts.append(f"{escape(partner)} <span style='color:{color}'>{text}</span>")
    return " · ".join(parts)
