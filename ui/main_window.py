"""The main window: queue of sampled records, the record, the guided verdict panel, live findings.

The window is made of parts, by composition (no mixins): it owns one AuditState (ui/state.py), what it has in hand
of the open audit, and passes it to each part, which gets the window (for its runner, dialogs' parent, status
bar and the operations of the other parts) and the widgets (ui/window_layout.py's Views) explicitly:

- session (ui/session_flow.py): opening an audit, who is working, their role, the status line;
- queue_flow (ui/queue_flow.py): the samples, the queue, its filter and search, going to a record, others' changes;
- record_flow (ui/record_flow.py): the record open and its verdict (save, undo, redo, history, flag, reasons);
- audit_actions (the programme's audits), sample_actions, findings_actions, review_actions, file_actions, help: the
  menus' actions;
- menus (ui/window_menus.py): the menu bar, and the gates that enable an action only when the person may use it.

The window keeps the names its dialogs, tests and tools use: the widgets and actions as attributes, what the state
holds as properties (w.db is w.state.db), and its operations as the parts' own methods (w.next_record is
w.queue_flow.next_record). The core is reached only through its named operations (cdi_workbench.audit.operations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox

from .audit_actions import AuditActions
from .file_actions import FileActions
from .findings_actions import FindingsActions
from .operations import Latest, Runner
from .queue_flow import QueueFlow
from .record_flow import RecordFlow
from .review_actions import ReviewActions
from .sample_actions import SampleActions
from .session_flow import SessionFlow
from .state import AuditState
from .trail_check import TrailCheck
from .window_help import Help
from .window_layout import build_views
from .window_menus import Menus

if TYPE_CHECKING:  # the dialogs are imported when first opened, not at start
    from .assign_dialog import AssignDialog
    from .challenges_dialog import ChallengesDialog
    from .disagreements_dialog import DisagreementsDialog
    from .drill_dialog import DrillDialog
    from .history_dialog import HistoryDialog
    from .import_dialog import ImportDialog
    from .package_dialog import ExportPackageDialog, MergeDialog
    from .people_dialog import PeopleDialog
    from .sample_dialog import SampleDialog


class _Held:
    """A name on the window for what its state holds: `db = _Held()` makes w.db read and set w.state.db."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, window: Any, owner: type | None = None) -> Any:
        return self if window is None else getattr(window.state, self.name)

    def __set__(self, window: Any, value: Any) -> None:
        setattr(window.state, self.name, value)


class _Done:
    """An operation of the window done by one of its parts: `next_record = _Done("queue_flow")` makes
    w.next_record the part's own method, w.queue_flow.next_record (`name` when the part calls it otherwise).
    The parts call each other's operations by these names, so one replaced on the window (a test's stand-in for
    a message box) is the one called."""

    def __init__(self, part: str, name: str = "") -> None:
        self.part, self.name = part, name

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, window: Any, owner: type | None = None) -> Any:
        return self if window is None else getattr(getattr(window, self.part), self.name)


class MainWindow(QMainWindow):
    # what the state holds (ui/state.py), by the names the dialogs, tests and tools use
    user = _Held()
    db = _Held()
    svc = _Held()
    info = _Held()
    person = _Held()
    sample_id = _Held()
    current_item = _Held()
    review_mode = _Held()
    final_item = _Held()
    final_reason = _Held()
    previous_audit = _Held()
    interval_method = _Held()

    # opening an audit, who is working (ui/session_flow.py)
    recent = _Done("session")
    choose_database = _Done("session")
    open_database = _Done("session")
    ask_user = _Done("session")
    identify = _Done("session")
    set_review_mode = _Done("session")
    # the samples and the queue (ui/queue_flow.py)
    load_queue = _Done("queue_flow")
    next_record = _Done("queue_flow")
    previous_record = _Done("queue_flow")
    go_to_item = _Done("queue_flow")
    selected_items = _Done("queue_flow")
    check_others = _Done("queue_flow")
    apply_changes = _Done("queue_flow")
    _select_row = _Done("queue_flow", "select_row")
    _current_sample_name = _Done("queue_flow", "current_sample_name")
    # the record and its verdict (ui/record_flow.py)
    reload_record = _Done("record_flow")
    undo = _Done("record_flow")
    redo = _Done("record_flow")
    show_history = _Done("record_flow")
    find_crime = _Done("record_flow")
    add_reason = _Done("record_flow")
    flag_record = _Done("record_flow")
    # the Sample menu (ui/sample_actions.py)
    draw_sample = _Done("sample_actions")
    extend_sample = _Done("sample_actions")
    export_draw_list = _Done("sample_actions")
    rename_sample = _Done("sample_actions")
    delete_sample = _Done("sample_actions")
    # the findings (ui/findings_actions.py)
    refresh_findings = _Done("findings_actions")
    refresh_agreement = _Done("findings_actions")
    set_interval_method = _Done("findings_actions")
    choose_previous = _Done("findings_actions")
    edit_recorded_crime = _Done("findings_actions")
    drill_down = _Done("findings_actions")
    export_findings = _Done("findings_actions")
    export_to = _Done("findings_actions")
    # the Review menu (ui/review_actions.py)
    assign_reviews = _Done("review_actions")
    show_disagreements = _Done("review_actions")
    write_final = _Done("review_actions")
    show_people = _Done("review_actions")
    export_for_force = _Done("review_actions")
    import_force_responses = _Done("review_actions")
    show_challenges = _Done("review_actions")
    reopen_review = _Done("review_actions")
    # the programme's audits (ui/audit_actions.py)
    switch_audit = _Done("audit_actions")
    open_audit = _Done("audit_actions")
    new_audit = _Done("audit_actions")
    draw_design = _Done("audit_actions")
    close_audit = _Done("audit_actions")
    reopen_audit = _Done("audit_actions")
    # data in and out (ui/file_actions.py) and help (ui/window_help.py)
    import_extract = _Done("file_actions")
    save_copy = _Done("file_actions")
    export_package = _Done("file_actions")
    import_package = _Done("file_actions")
    show_rules = _Done("help")
    show_shortcuts = _Done("help")

    def __init__(self, user: str = "", settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings("CDI Workbench", "CDI Workbench")
        self.state = AuditState(user=user or str(self.settings.value("auditor", "") or ""))
        self.runner = Runner(self)
        self.runner.error.connect(self._show_error)
        # the findings and the agreement, worked out on a thread of their own (a record loads or saves while they
        # are in hand) and coalesced (a save while one waits adds nothing)
        self.reader = Latest(self)
        self.trail_check = TrailCheck(self)  # the audit trail's check on opening, on a thread of its own
        self.setWindowTitle("CDI Workbench")
        self.resize(1400, 860)
        self._sized = False  # the findings dock given its remembered height, once shown
        # the dialog each part last opened, kept alive and reachable (by tests and tools) as w.<name>_dialog; None
        # until one is opened
        self.sample_dialog: SampleDialog | None = None
        self.import_dialog: ImportDialog | None = None
        self.package_dialog: ExportPackageDialog | MergeDialog | None = None
        self.history_dialog: HistoryDialog | None = None
        self.drill_dialog: DrillDialog | None = None
        self.recorded_dialog: QDialog | None = None
        self.help_dialog: QDialog | None = None
        self.assign_dialog: AssignDialog | None = None
        self.disagreements_dialog: DisagreementsDialog | None = None
        self.people_dialog: PeopleDialog | None = None
        self.challenges_dialog: ChallengesDialog | None = None
        self.trail_warning: QMessageBox | None = None  # the audit trail did not verify on opening
        self.audit_dialog: QDialog | None = None  # Programme > Switch audit…, New audit… or Draw from a design…

        v = self.views = build_views(self)
        self.left, self.sample_box, self.filter_box, self.search = v.left, v.sample_box, v.filter_box, v.search
        self.queue_model, self.queue, self.progress_label = v.queue_model, v.queue, v.progress_label
        self.record_view, self.panel = v.record_view, v.panel
        self.findings_view, self.findings_dock = v.findings_view, v.findings_dock
        self.who_label, self.busy_label = v.who_label, v.busy_label

        state = self.state
        self.session = SessionFlow(self, state, v)
        self.queue_flow = QueueFlow(self, state, v)
        self.record_flow = RecordFlow(self, state, v)
        self.sample_actions = SampleActions(self, state, v)
        self.findings_actions = FindingsActions(self, state, v)
        self.review_actions = ReviewActions(self, state)
        self.file_actions = FileActions(self, state)
        self.audit_actions = AuditActions(self, state)
        self.help = Help(self, state, v.panel)
        self.menus = m = Menus(self, state, v)  # the menu bar, its actions connected to the parts above
        self.review_menu, self.recent_menu, self.interval_actions = m.review_menu, m.recent_menu, m.interval_actions
        self.undo_action, self.redo_action = m.undo_action, m.redo_action
        self.history_action, self.review_action = m.history_action, m.review_action

        self._wire()
        self.session.apply_role()
        self.session.show_no_database()

    def _wire(self) -> None:
        """The widgets' and workers' signals to the parts that answer them."""
        v, queue, records = self.views, self.queue_flow, self.record_flow
        self.trail_check.problems.connect(self.session.trail_checked)
        self.runner.busy_changed.connect(lambda b: v.busy_label.setText("Working…" if b else "All changes saved"))
        self.reader.busy_changed.connect(lambda busy: v.findings_dock.setWindowTitle(
            "Findings so far (updating…)" if busy else "Findings so far"))
        v.findings_view.drill.connect(self.findings_actions.drill_down)
        v.findings_view.units_wanted.connect(self.findings_actions.refresh_units)
        v.findings_view.trends_wanted.connect(self.findings_actions.refresh_trends)
        v.findings_view.team_wanted.connect(self.findings_actions.refresh_team)
        v.audit_label.linkActivated.connect(lambda _link: self.audit_actions.switch_audit())
        v.sample_box.currentIndexChanged.connect(queue.sample_chosen)
        v.filter_box.currentIndexChanged.connect(lambda _i: queue.load_queue())
        v.search.textChanged.connect(lambda _t: queue.search_timer.start())
        v.queue.selectionModel().currentRowChanged.connect(lambda cur, _prev: queue.row_chosen(cur.row()))
        v.panel.changed.connect(records.verdict_changed)
        v.panel.finished.connect(queue.next_record)
        v.panel.editor.find_crime.connect(records.find_crime)

    # ---- messages ----------------------------------------------------------------------------------------
    def show_error(self, title: str, details: str = "") -> None:
        """What went wrong, in a message box (through _show_error, which a test may replace)."""
        self._show_error(title, details)

    def _show_error(self, title: str, details: str = "") -> None:
        QMessageBox.warning(self, "CDI Workbench", f"<b>{title}</b><br>{details}")

    # ---- showing and closing -----------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: ANN001
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            height = self.settings.value("findings_height", 220, type=int)  # typed `object` in the stubs
            self.resizeDocks([self.findings_dock], [height if isinstance(height, int) else 220],
                             Qt.Orientation.Vertical)  # as tall as the person left it (issue 11)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.panel.rationale.clearFocus()  # commits a rationale being typed
        if self.findings_dock.isVisible():
            self.settings.setValue("findings_height", self.findings_dock.height())
        self.record_flow.remember_pending_position()  # the record to come back to, not yet remembered
        self.runner.wait()
        self.reader.cancel()
        self.reader.wait()
        self.trail_check.stop(close=True)  # a full check in hand stops at the next history row
        if self.db is not None:
            self.db.close()
        super().closeEvent(event)
