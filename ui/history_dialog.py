"""The history of one record's verdicts: who changed what, when and why (read-only; exportable)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.timeutil import display

from .export_options import PSEUDONYMISE, PSEUDONYMISE_TIP
from .widgets import named

ROLE_WORDS = {"primary": "Auditor's verdict", "review": "Review", "final": "Final verdict"}
ACTION_WORDS = {"set": "changed", "undo": "undone", "redo": "redone", "flag": "flag", "import": "imported",
                "merge": "merged from a package", "assign": "assigned", "unassign": "withdrawn",
                "challenge": "challenge decided", "export": "exported", "delete": "removed with its sample",
                "seal": "sealed (blind review complete)", "reopen": "reopened by the lead"}


def describe(body: dict | None, action: str = "") -> str:
    """A short reading of a history row's new value: a verdict's answers, a flag, an assignment, a decision."""
    if body is None:
        return {"unassign": "assignment withdrawn", "delete": "verdict removed"}.get(action, "(none)")
    if action == "export":
        return f"{body.get('what')} to {body.get('file')}"
    if action == "reopen":
        return "review reopened: it may be changed until it is complete again"
    if "removed" in body and "challenge" in body:
        return "force's challenge removed with its sample"
    if action == "assign" or "reviewer" in body and "mode" in body:
        return f"assigned to {body.get('reviewer')} for {body.get('mode')} review ({body.get('basis')})"
    if action == "challenge" or "decision" in body and "failure" in body:
        return f"force's challenge ({body.get('failure')}): {body.get('decision')}"
    if "flagged" in body:
        return ("flagged: " + (body.get("note") or "")) if body["flagged"] else "flag cleared"
    crimes = body.get("crimes") or []
    parts = []
    if body.get("zero_status"):
        parts.append("zero status")
    for n, c in enumerate(crimes, 1):
        rec = f"recorded {c.get('crime_ref')}" if c.get("crime_id") else (
            f"not recorded ({c.get('not_recorded_reason')})" if c.get("not_recorded_reason") else "recorded by ?")
        parts.append(f"{n}. {c.get('expected_code') or '?'} {rec}")
    checks = body.get("checks") or {}
    parts += [f"{k.replace('_', ' ')}: {'yes' if v else 'no'}" for k, v in checks.items()]
    if body.get("rape_code"):
        parts.append(f"should have been recorded as {body['rape_code']}")
    if body.get("complete"):
        parts.append("complete")
    return "; ".join(parts) or "(empty)"


class HistoryDialog(QDialog):
    def __init__(self, ref: str, changes: list, parent: QWidget | None = None,
                 exporter: Callable[..., None] | None = None) -> None:
        """`exporter(path)` writes the history to a file through the core (which checks the role and records the
        export in the trail); `exporter(path, True)` writes it pseudonymised."""
        super().__init__(parent)
        self.exporter = exporter
        self.setWindowTitle(f"History of {ref}")
        self.changes = changes
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"<b>{ref}</b>: every change, oldest first. Nothing here can be edited."))
        self.tree = named(QTreeWidget(), "history")
        self.tree.setHeaderLabels(["When", "Who", "Of", "What", "Now", "Reason"])
        self.tree.setRootIsDecorated(False)
        for ch in changes:
            self.tree.addTopLevelItem(QTreeWidgetItem([display(ch.at), ch.who, ROLE_WORDS.get(ch.role, ch.role),
                                                       ACTION_WORDS.get(ch.action, ch.action),
                                                       describe(ch.new_body, ch.action), ch.reason]))
        for c in range(6):
            self.tree.resizeColumnToContents(c)
        lay.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        # the export's free text pseudonymised, the report beside it (cdi_workbench.pseudonymise_exports)
        self.pseudonymise = named(QCheckBox(PSEUDONYMISE), "pseudonymise")
        self.pseudonymise.setToolTip(PSEUDONYMISE_TIP)
        buttons.addButton(self.pseudonymise, QDialogButtonBox.ButtonRole.ActionRole)
        export = QPushButton("&Export…")
        buttons.addButton(export, QDialogButtonBox.ButtonRole.ActionRole)
        export.clicked.connect(self.export)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(900, 420)

    def export(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export the history", "history.csv", "CSV (*.csv)")
        if not path or self.exporter is None:
            return
        if self.pseudonymise.isChecked():
            self.exporter(path, True)  # as `cdi history --csv --pseudonymise` writes it
        else:
            self.exporter(path)  # as `cdi history --csv` writes it
