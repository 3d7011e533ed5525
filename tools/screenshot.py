"""Grab the main window on a record, for looking at what a person sees.

QT_QPA_PLATFORM=offscreen python tools/screenshot.py DB "SAMPLE NAME" REF OUT.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.main_window import MainWindow  # noqa: E402


def wait(app: QApplication, cond, ms: int = 10000) -> None:  # noqa: ANN001
    from PySide6.QtCore import QElapsedTimer
    t = QElapsedTimer()
    t.start()
    while not cond() and t.elapsed() < ms:
        app.processEvents()


def main(db: str, sample: str, ref: str, out: str, codes: str = "") -> None:
    app = QApplication.instance() or QApplication([])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(user="Inspector Example", settings=settings)
    w.show()
    w.open_database(db)
    wait(app, lambda: w.panel.detail is not None and not w.runner.busy)
    idx = next(i for i in range(w.sample_box.count()) if w.sample_box.itemText(i).startswith(sample))
    w.sample_box.setCurrentIndex(idx)
    wait(app, lambda: any(r.ref == ref for r in w.queue_model.rows) and not w.runner.busy)
    w.queue.selectRow(w.queue_model.row_of(next(r.item_id for r in w.queue_model.rows if r.ref == ref)))
    wait(app, lambda: w.panel.detail is not None and w.panel.detail.ref == ref and not w.runner.busy)
    for code in filter(None, codes.split(",")):  # optionally add crimes, "8L,3B", to see the editor
        w.panel.add_crime()
        w.panel.editor.code.setText(code)
        w.panel.editor._code_done()
        w.panel.editor.recorded.setCurrentIndex(2)
        w.panel.editor._emit("pick")
        wait(app, lambda: not w.runner.busy)
    for _ in range(20):
        app.processEvents()
    w.grab().save(out)
    w.close()
    app.quit()


if __name__ == "__main__":
    main(*sys.argv[1:6])
