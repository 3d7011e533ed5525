"""The queue repainted many times must not leak references (PySide6 6.12.0 lost one reference to None per
None or new QFont returned from data(), and aborted the process with 'none_dealloc' within minutes of use)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QTableView

from cdi_workbench.audit.service import QueueRow
from ui.queue_model import QueueModel


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: nothing to count")
def test_repainting_the_queue_keeps_none_alive(qtbot) -> None:  # noqa: ANN001
    model = QueueModel()
    model.set_rows([QueueRow(i, i + 1, "incident", "Incident", f"INC-{i:04d}", datetime(2014, 3, 1, tzinfo=UTC),
                             "to do" if i % 2 else "done", bool(i % 5 == 0), 1, 1, 0, 0, 0) for i in range(40)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(700, 900)
    view.show()
    qtbot.waitExposed(view)
    for _ in range(5):
        view.viewport().repaint()
    before = sys.getrefcount(None)
    for _ in range(200):
        view.viewport().repaint()
    assert before - sys.getrefcount(None) < 20  # 6.12.0: one lost per repaint, and more per new QFont
