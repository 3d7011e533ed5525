from __future__ import annotations

from PySide6.QtCore import Qt

from .conftest import open_window, settle


def test_draw_a_stratified_sample_from_the_window(qtbot, small_db, settings) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings)
    qtbot.keyClick(w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: getattr(w, "sample_dialog", None) is not None and w.sample_dialog.isVisible())
    d = w.sample_dialog
    qtbot.waitUntil(lambda: d.total.text().startswith("3 records"), timeout=5000)
    strata = {d.table.item(r, 0).text(): d.table.item(r, 1).text() for r in range(d.table.rowCount())}
    assert strata == {"No crime linked": "2", "Violence against the person": "1"}
    d.date_from.setText("01/03/2014")
    d.date_to.setText("30/04/2014")
    qtbot.waitUntil(lambda: d.total.text().startswith("2 records"), timeout=5000)
    d.method.setCurrentIndex(d.method.findData("proportional"))
    d.size_box.setValue(2)
    d.seed.setValue(123)
    d.name.setText("From March")
    d.suggest()
    assert d.size_box.value() == 2  # the calculator never asks for more than the population
    qtbot.mouseClick(d.draw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.sample_box.currentText() == "From March (2)", timeout=5000)
    settle(qtbot, w)
    assert {r.ref for r in w.queue_model.rows} == {"INC-0001", "INC-0002"}
    w.close()
