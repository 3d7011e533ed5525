"""The records behind a figure; opening one takes the main window to it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from cdi_workbench.audit.service import QueueRow
from cdi_workbench.timeutil import display

from .queue_model import findings_text
from .widgets import named


class DrillDialog(QDialog):
    open_item = Signal(int)

    def __init__(self, title: str, rows: list[tuple[str, QueueRow]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Records behind the figure")
        lay = QVBoxLayout(self)
        heading = QLabel(f"<b>{title}</b><br>{len(rows)} record(s). Enter or double-click opens one.")
        heading.setWordWrap(True)
        lay.addWidget(heading)
        self.tree = named(QTreeWidget(), "drill_records")
        self.tree.setHeaderLabels(["Sample", "Reference", "Received", "Status", "Findings"])
        self.tree.setRootIsDecorated(False)
        for sample, r in rows:
            item = QTreeWidgetItem([sample, r.ref, display(r.received_at), r.status, findings_text(r)])
            item.setData(0, Qt.ItemDataRole.UserRole, r.item_id)
            self.tree.addTopLevelItem(item)
        for c in range(5):
            self.tree.resizeColumnToContents(c)
        self.tree.itemActivated.connect(lambda it, _c: self._open(it))
        lay.addWidget(self.tree)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(720, 420)
        first = self.tree.topLevelItem(0)  # None on an empty list
        if first is not None:
            self.tree.setCurrentItem(first)

    def _open(self, item: QTreeWidgetItem) -> None:
        self.open_item.emit(int(item.data(0, Qt.ItemDataRole.UserRole)))
        self.accept()
