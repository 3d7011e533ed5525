"""The start screen: recent audit databases, another file, or the bundled sample."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .widgets import named

SAMPLE_DB = Path(__file__).resolve().parent.parent / "sample_data" / "sample_audit.db"


class StartDialog(QDialog):
    def __init__(self, recent: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CDI Workbench: open an audit")
        self.chosen = ""
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<b>Recent audit databases</b>"))
        self.list = named(QListWidget(), "recent_list")
        for p in recent:
            item = QListWidgetItem(f"{Path(p).name}    {p}" if "://" not in p else p)
            item.setData(Qt.ItemDataRole.UserRole, p)
            if "://" not in p and not Path(p).exists():
                item.setText(item.text() + "    (missing)")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        if not recent:
            self.list.addItem("No recent databases yet.")
            self.list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.itemActivated.connect(lambda it: self._choose(it.data(Qt.ItemDataRole.UserRole)))
        lay.addWidget(self.list)
        buttons = QDialogButtonBox()
        browse = QPushButton("&Browse…")
        sample = QPushButton("Open the bundled &sample")
        sample.setEnabled(SAMPLE_DB.exists())
        buttons.addButton(browse, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(sample, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Open)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._open_selected)
        buttons.rejected.connect(self.reject)
        browse.clicked.connect(self._browse)
        sample.clicked.connect(lambda: self._choose(str(SAMPLE_DB)))
        lay.addWidget(buttons)
        self.resize(640, 360)
        if self.list.count() and recent:
            self.list.setCurrentRow(0)

    def _open_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self._choose(item.data(Qt.ItemDataRole.UserRole))

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open audit database", "", "Audit databases (*.db);;All files (*)")
        if path:
            self._choose(path)

    def _choose(self, path: str | None) -> None:
        if path:
            self.chosen = path
            self.accept()
