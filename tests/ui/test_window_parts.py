"""The window composed of parts (issue 11): the names its dialogs, tests and tools use still reach the part that
does the work, and what the state holds reads and writes through the window's names."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from ui.main_window import MainWindow, _Done, _Held
from ui.state import AuditState


def test_every_name_of_the_window_reaches_its_part(qtbot, settings: QSettings) -> None:  # noqa: ANN001
    w = MainWindow(user="Inspector Test", settings=settings)
    qtbot.addWidget(w)
    done = {k: v for k, v in vars(MainWindow).items() if isinstance(v, _Done)}
    assert {"open_database", "next_record", "go_to_item", "refresh_findings", "export_to", "import_package",
            "_select_row", "_current_sample_name", "set_interval_method", "apply_changes"} <= done.keys()
    for name, d in done.items():
        method = getattr(w, name)
        assert callable(method), name
        assert method.__self__ is getattr(w, d.part), name  # the part's own method, not a copy of the window's
    held = [k for k, v in vars(MainWindow).items() if isinstance(v, _Held)]
    assert isinstance(w.state, AuditState) and w.user == w.state.user == "Inspector Test"
    for name in held:
        assert getattr(w, name) == getattr(w.state, name), name
    w.sample_id = 7
    assert w.state.sample_id == 7
    w.sample_id = None
    # the widgets are the layout's, under the names the tests use
    assert w.panel is w.views.panel and w.queue is w.views.queue and w.findings_dock is w.views.findings_dock
    assert w.interval_actions is w.menus.interval_actions and w.review_menu is w.menus.review_menu
