"""The two questions the roster asks a commander: save despite a broken rule, and why override."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.roster_rules import Violation
from widgets.bounded_text import BoundedTextEdit


def confirm_violations(parent: QWidget, what: str, violations: Sequence[Violation]) -> bool:
    """Ask before saving an edit that breaks rules; each broken rule is named."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Roster rules")
    box.setText(f"{what} breaks {len(violations)} rule{'s' if len(violations) > 1 else ''}:")
    box.setInformativeText(
        "\n".join(f"• {x.text}" for x in violations)
        + "\n\nSave anyway (shown as a violation until fixed or overridden)?"
    )
    save = box.addButton("Save anyway", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is save


class OverrideDialog(QDialog):
    """The reason for an override is required: it goes into the audit trail."""

    def __init__(self, parent: QWidget | None, call_sign: str, violation: Violation) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Override {violation.rule.label} for {call_sign}")
        self.reason = BoundedTextEdit(2_000, "a reason")  # as app.records checks it
        self.reason.setPlaceholderText("Why this patrol may break the rule (required)")
        self.refusal = QLabel()
        self.refusal.setStyleSheet("color:#c62828")
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        self.reason.paste_refused.connect(self._on_paste_refused)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Record override")
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(
            lambda: self.ok.setEnabled(bool(self.reason.toPlainText().strip()))
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        text = QLabel(
            f"<b>{violation.rule.label}</b>: {violation.message}<br>The override is recorded "
            "with your name, the time and the reason, and shared with the patrol."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addWidget(self.reason)
        layout.addWidget(self.refusal)
        layout.addWidget(buttons)

    def _on_paste_refused(self, why: str) -> None:
        self.refusal.setText(f"Reason {why}")
        self.refusal.show()


def ask_override_reason(parent: QWidget, call_sign: str, violation: Violation) -> str | None:
    dialog = OverrideDialog(parent, call_sign, violation)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.reason.toPlainText().strip() or None
