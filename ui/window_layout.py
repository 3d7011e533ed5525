"""The main window's widgets: the queue pane, the record, the verdict panel, the findings dock and the status bar.

build_views lays them out in the window and hands them back as one Views object; it connects no signal (the window
wires them to its parts, ui/main_window.py) and holds no audit state (ui/state.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit.service import QUEUE_FILTERS

from .findings_view import FindingsView
from .queue_model import QueueModel
from .record_view import RecordView
from .verdict_panel import VerdictPanel
from .widgets import SearchField, named


@dataclass
class Views:
    """The window's widgets, as its parts reach them."""

    left: QWidget  # the queue pane: sample, filter, search, queue, progress
    sample_box: QComboBox
    filter_box: QComboBox
    search: SearchField
    queue_model: QueueModel
    queue: QTableView
    progress_label: QLabel
    record_view: RecordView
    panel: VerdictPanel
    findings_view: FindingsView
    findings_dock: QDockWidget
    who_label: QLabel  # the status bar: who is working, in which role, under which rules
    busy_label: QLabel  # the status bar: 'Working…' or 'All changes saved'
    audit_label: QLabel  # above the queue: the audit of the programme open, with a link to switch


def build_views(window: QMainWindow) -> Views:
    """The queue, the record and the panel side by side, the findings docked below, the status bar's labels."""
    left = QWidget()
    ll = QVBoxLayout(left)
    ll.setContentsMargins(4, 4, 4, 4)
    audit_label = named(QLabel(), "audit_label")
    audit_label.setTextFormat(Qt.TextFormat.RichText)
    audit_label.setWordWrap(True)
    ll.addWidget(audit_label)
    sample_box = named(QComboBox(), "sample_box")
    sample_box.setAccessibleName("Sample")
    filter_box = named(QComboBox(), "filter_box")
    filter_box.addItems([f.capitalize() for f in QUEUE_FILTERS])
    search = named(SearchField(placeholderText="Search reference or text (Ctrl+F)"), "search")
    search.setClearButtonEnabled(True)
    row = QHBoxLayout()
    row.addWidget(QLabel("Show:"))
    row.addWidget(filter_box, 1)
    ll.addWidget(QLabel("Sample:"))
    ll.addWidget(sample_box)
    ll.addLayout(row)
    ll.addWidget(search)
    queue_model = QueueModel()
    queue = named(QTableView(), "queue")
    queue.setModel(queue_model)
    queue.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    # several records can be selected (Shift/Ctrl+click) for the lead to assign them for review by hand
    queue.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    queue.verticalHeader().hide()
    header = queue.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    # columns sized to their contents from the first 100 rows, not 1,000 (Qt's default): a sample of 2,000
    # records took 0.4 s of the main thread to lay out at open (the rows of a column are alike in width)
    header.setResizeContentsPrecision(100)
    queue.setWordWrap(False)  # one line per record; the findings column is elided, not wrapped
    header.setMaximumSectionSize(150)  # a long offence group elided: Status in view
    queue.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    ll.addWidget(queue, 1)
    progress_label = named(QLabel(), "progress_label")
    ll.addWidget(progress_label)

    record_view = RecordView()
    panel = VerdictPanel()
    split = QSplitter(Qt.Orientation.Horizontal)
    split.addWidget(left)
    split.addWidget(record_view)
    split.addWidget(panel)
    split.setSizes([510, 470, 420])
    split.setChildrenCollapsible(False)
    window.setCentralWidget(split)

    findings_view = FindingsView()
    dock = named(QDockWidget("Findings so far", window), "findings_dock")
    dock.setWidget(findings_view)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    who_label = named(QLabel(), "who_label")
    busy_label = QLabel()
    busy_label.setContentsMargins(0, 0, 16, 0)  # apart from the person's name beside it
    window.statusBar().addPermanentWidget(busy_label)
    window.statusBar().addPermanentWidget(who_label)
    return Views(left, sample_box, filter_box, search, queue_model, queue, progress_label, record_view, panel,
                 findings_view, dock, who_label, busy_label, audit_label)
