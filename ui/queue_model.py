"""The queue of sampled records as a Qt table model over plain QueueRow values."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from cdi_workbench.audit.operations import REVIEW_FILTERS, review_filter  # noqa: F401 (re-exported)
from cdi_workbench.audit.service import QueueRow
from cdi_workbench.classification import CANCELLATION_GROUPS
from cdi_workbench.kinds import RecordKind
from cdi_workbench.timeutil import display

COLUMNS = ["#", "Reference", "System", "Received", "Status", "Findings"]
# In reviewer mode the queue lists the records assigned to the person (review.Assignment rows) instead.
REVIEW_COLUMNS = ["#", "Reference", "Review", "Assigned", "State"]  # who assigned it: in the tooltip

# What the System and Received columns hold for each kind of record.
KIND_HEADINGS = {"incident": ("System", "Received"), "referral": ("System", "Received"),
                 "disposal": ("Type", "Issued"), "cancellation": ("Offence group", "Cancelled"),
                 "n100": ("Reason code", "Recorded"), "crime": ("Code", "Recorded")}


def findings_text(r: QueueRow) -> str:
    if r.status == "to do":
        return ""
    if r.kind in RecordKind.REPORTS:
        if r.n_crimes == 0:
            return "zero status"
        parts = [f"{r.n_recorded}/{r.n_crimes} recorded"]
        if r.n_misclassified:
            parts.append(f"{r.n_misclassified} misclassified")
        if r.n_late:
            parts.append(f"{r.n_late} late")
        return ", ".join(parts)
    return f"{r.n_failed_checks} check(s) failed" if r.n_failed_checks else "all checks met"


class QueueModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []  # QueueRow, or review.Assignment in reviewer mode
        self.kind = "incident"
        self.review = False

    def set_review(self, review: bool) -> None:
        """Reviewer mode: the rows are review.Assignment values (the person's assigned records)."""
        if review != self.review:
            self.beginResetModel()
            self.review, self.rows = review, []
            self.endResetModel()

    def set_kind(self, kind: str) -> None:
        if kind != self.kind:
            self.kind = kind
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 2, 3)

    def set_rows(self, rows: list[QueueRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def update_row(self, row) -> None:  # noqa: ANN001 (a QueueRow, or an Assignment in reviewer mode)
        for i, r in enumerate(self.rows):
            if r.item_id == row.item_id:
                self.rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
                return

    def row_of(self, item_id: int) -> int:
        return next((i for i, r in enumerate(self.rows) if r.item_id == item_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(REVIEW_COLUMNS if self.review else COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if self.review:
                return REVIEW_COLUMNS[section]
            if section in (2, 3):
                return KIND_HEADINGS.get(self.kind, ("System", "Received"))[section - 2]
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if self.review:
            return self._review_data(r, col, role)
        if role == Qt.ItemDataRole.DisplayRole:
            status = r.status + (" ⚑" if r.flagged else "")
            system = CANCELLATION_GROUPS.get(r.system, r.system) if r.kind == RecordKind.CANCELLATION else r.system
            return [str(r.position), r.ref, system, display(r.received_at), status, findings_text(r)][col]
        if role == Qt.ItemDataRole.FontRole and r.status == "to do":
            return _bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            if r.flagged:
                return "Flagged for a second opinion"
            if col == self.columnCount() - 1:
                return findings_text(r) or None
        return None

    @staticmethod
    def _review_data(a, col: int, role: int) -> Any:  # noqa: ANN001 (review.Assignment)
        if role == Qt.ItemDataRole.DisplayRole:
            return [str(a.position), a.ref, a.mode, display(a.assigned_at), a.state][col]
        if role == Qt.ItemDataRole.FontRole and a.state == "to review":
            return _bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 2:
                return ("Blind: the first verdict is shown once your review is complete" if a.mode == "blind"
                        else "Open: your review starts from the first verdict; agree or change each check")
            return f"Assigned by {a.assigned_by}, {display(a.assigned_at)}"
        return None


_BOLD: list[QFont] = []


def _bold() -> QFont:
    """One bold font for every row that asks (made once, after the application exists)."""
    if not _BOLD:
        font = QFont()
        font.setBold(True)
        _BOLD.append(font)
    return _BOLD[0]
