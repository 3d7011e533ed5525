"""The main window: queue of sampled records, the record, the guided verdict panel, live findings."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from functools import partial
from html import escape
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit import review
from cdi_workbench.audit.operations import AuditHandle
from cdi_workbench.audit.roles import NotAllowed, Person
from cdi_workbench.audit.service import QUEUE_FILTERS, AuditService
from cdi_workbench.audit.undo import UndoStack
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.rules import RULE_TEXT
from cdi_workbench.timeutil import display_date

from .findings_view import FindingsView
from .operations import Latest, Runner
from .queue_model import REVIEW_FILTERS, QueueModel
from .record_view import RecordView
from .review_actions import ReviewActions
from .sample_actions import SampleAndFindingsActions
from .trail_check import TrailCheck
from .verdict_panel import VerdictPanel
from .widgets import DropDownKeys, SearchField

LIAISON_TEXT = (
    "<h2>Force liaison</h2><p>You exchange the failed records with the force: <b>Review &gt; Export failed "
    "records for the force…</b> writes the workbook the force answers, and <b>Review &gt; Import the force's "
    "responses…</b> reads its answers back.</p><p>Records, narratives, verdicts and findings are not shown to the "
    "force liaison. The audit lead decides the force's challenges.</p>")

SHORTCUTS = [
    ("Ctrl+N", "Add a crime identified"),
    ("Ctrl+0", "Zero status: no crime in this record (completes it and moves on)"),
    ("Ctrl+Enter", "Done: complete the verdict and move to the next record"),
    ("Ctrl+PgDown / Ctrl+PgUp", "Next / previous record (also Alt+Down / Alt+Up outside lists)"),
    ("Enter", "Next answer that applies; after the last, the rationale, then Done"),
    ("Tab / Shift+Tab", "Move between answers; type Y or N to answer a yes/no check, a number to pick a reason"),
    ("Delete", "Remove the selected crime (in the list of crimes identified)"),
    ("F5", "Reload the record open, with what others have saved (the window also looks every 15 seconds)"),
    ("Alt+underlined letter", "Jump to that answer"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo the last verdict change"),
    ("Ctrl+F", "Search the queue by reference or text"),
    ("Ctrl+G", "Flag the record for a second opinion, with a note"),
    ("F1", "The recording rules these checks rely on"),
    ("Ctrl+H", "The history of this record's verdicts (who, when, what, why)"),
    ("Ctrl+E", "Export the findings (Excel, PDF, JSON)"),
    ("Ctrl+O", "Open another audit database"),
    ("Ctrl+Shift+D", "Draw a sample"),
    ("Ctrl+I", "Import a force extract (CSV or Excel)"),
    ("Ctrl+/", "This list"),
]


class MainWindow(SampleAndFindingsActions, ReviewActions, QMainWindow):
    def __init__(self, user: str = "", settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings("CDI Workbench", "CDI Workbench")
        self.user = user or str(self.settings.value("auditor", "") or "")
        self.runner = Runner(self)
        self.runner.error.connect(self._show_error)
        # the findings and the agreement, worked out on a thread of their own (a record loads or saves while they
        # are in hand) and coalesced (a save while one waits adds nothing)
        self.reader = Latest(self)
        self.trail_check = TrailCheck(self)  # the audit trail's check on opening, on a thread of its own
        self.trail_check.problems.connect(self._trail_checked)
        self.db: AuditHandle | None = None
        self.svc: AuditService | None = None
        self.sample_id: int | None = None
        self.current_item: int | None = None
        self._restore_item: int | None = None
        self.person: Person | None = None  # who is acting, once the open database has identified them
        self.review_mode = False  # the queue lists the person's assigned records; the panel edits their review
        self.final_item: int | None = None  # the record whose final verdict the lead is writing (Disagreements)
        self._base: tuple[int | None, dict | None] = (None, None)  # (item, the stored verdict its edits start from)
        self.final_reason = ""
        self._first_hidden = False  # the record in view is a blind review not yet complete
        self._gates: list[tuple[QAction | QWidget, str, str]] = []  # (action or widget, need, its own tooltip)
        self.setWindowTitle("CDI Workbench")
        self.resize(1400, 860)
        self._build()
        self._build_menus()
        self._apply_role()
        self._show_no_database()
        self._position_timer = QTimer(self, singleShot=True, interval=1500)
        self._position_timer.timeout.connect(self._remember_position)
        self._findings_timer = QTimer(self, singleShot=True, interval=300)
        self._findings_timer.timeout.connect(self.refresh_findings)
        self.reader.busy_changed.connect(lambda busy: self.findings_dock.setWindowTitle(
            "Findings so far (updating…)" if busy else "Findings so far"))
        # others at work on a shared database: look every 15 seconds for changes this window has not seen
        self._seen: ops.Seen | None = None
        self._watch = QTimer(self, interval=15000)
        self._watch.timeout.connect(self.check_others)

    # ---- layout ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        left = self.left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(4, 4, 4, 4)
        self.sample_box = QComboBox(objectName="sample_box")
        self.sample_box.setAccessibleName("Sample")
        self.filter_box = QComboBox(objectName="filter_box")
        self.filter_box.addItems([f.capitalize() for f in QUEUE_FILTERS])
        self.search = SearchField(objectName="search", placeholderText="Search reference or text (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Show:"))
        row.addWidget(self.filter_box, 1)
        ll.addWidget(QLabel("Sample:"))
        ll.addWidget(self.sample_box)
        ll.addLayout(row)
        ll.addWidget(self.search)
        self.queue_model = QueueModel()
        self.queue = QTableView(objectName="queue")
        self.queue.setModel(self.queue_model)
        self.queue.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # several records can be selected (Shift/Ctrl+click) for the lead to assign them for review by hand
        self.queue.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.queue.verticalHeader().hide()
        self.queue.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.queue.horizontalHeader().setStretchLastSection(True)
        # columns sized to their contents from the first 100 rows, not 1,000 (Qt's default): a sample of 2,000
        # records took 0.4 s of the main thread to lay out at open (the rows of a column are alike in width)
        self.queue.horizontalHeader().setResizeContentsPrecision(100)
        self.queue.setWordWrap(False)  # one line per record; the findings column is elided, not wrapped
        self.queue.horizontalHeader().setMaximumSectionSize(150)  # a long offence group elided: Status in view
        self.queue.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        ll.addWidget(self.queue, 1)
        self.progress_label = QLabel(objectName="progress_label")
        ll.addWidget(self.progress_label)

        self.record_view = RecordView()
        self.panel = VerdictPanel()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.record_view)
        split.addWidget(self.panel)
        split.setSizes([510, 470, 420])
        split.setChildrenCollapsible(False)
        self.setCentralWidget(split)

        self.findings_view = FindingsView()
        self.findings_view.drill.connect(self.drill_down)
        dock = QDockWidget("Findings so far", self, objectName="findings_dock")
        dock.setWidget(self.findings_view)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.findings_dock = dock
        self.who_label = QLabel(objectName="who_label")
        self.busy_label = QLabel()
        self.busy_label.setContentsMargins(0, 0, 16, 0)  # apart from the person's name beside it
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.who_label)
        self.runner.busy_changed.connect(lambda b: self.busy_label.setText("Working…" if b else "All changes saved"))

        self.sample_box.currentIndexChanged.connect(self._sample_chosen)
        self.filter_box.currentIndexChanged.connect(lambda _i: self.load_queue())
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self.load_queue)
        self.queue.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._row_chosen(cur.row()))
        self.panel.changed.connect(self._verdict_changed)
        self.panel.finished.connect(self.next_record)
        self.panel.editor.find_crime.connect(self.find_crime)

    def _action(self, menu, text: str, keys, slot, context=Qt.ShortcutContext.WindowShortcut,  # noqa: ANN001
                need: str = "") -> QAction:
        """A menu action; `need` is what the person must be allowed to do (see _allowed), else it is disabled."""
        act = QAction(text, self)
        if need:
            self._gates.append((act, need, ""))
        if keys:
            seqs = keys if isinstance(keys, list) else [keys]
            act.setShortcuts([QKeySequence(k) for k in seqs])
        act.setShortcutContext(context)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _interval_menu(self, menu) -> None:  # noqa: ANN001 (a QMenu)
        """The published-style rates' interval: normal approximation with FPC (as inspections publish), Wilson or
        Clopper-Pearson; the dashboard, agreement and every export follow the choice."""
        from PySide6.QtGui import QActionGroup

        from cdi_workbench.statistics import SHORT

        self.interval_method = "normal"
        group = QActionGroup(self)
        group.setExclusive(True)
        self.interval_actions: dict[str, QAction] = {}
        for key, label in SHORT.items():
            act = QAction(label + (" (published, with FPC)" if key == "normal" else ""), self, checkable=True)
            act.setChecked(key == "normal")
            act.triggered.connect(lambda _checked=False, k=key: self.set_interval_method(k))
            group.addAction(act)
            menu.addAction(act)
            self.interval_actions[key] = act

    def set_interval_method(self, key: str) -> None:
        self.interval_method = key
        self.interval_actions[key].setChecked(True)
        self.refresh_findings()
        self.statusBar().showMessage(f"Rates now show the {self.interval_actions[key].text()} interval", 6000)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        f = mb.addMenu("&File")
        self._action(f, "&Open audit database…", QKeySequence.StandardKey.Open, self.choose_database)
        self.recent_menu = f.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action(f, "&Import a force extract…", "Ctrl+I", self.import_extract, need="import extracts")
        self._action(f, "&Export findings…", "Ctrl+E", self.export_findings, need="findings")
        self._action(f, "Compare with a &previous audit…", None, self.choose_previous, need="findings")
        self._interval_menu(f.addMenu("&Interval method for rates"))
        self._action(f, "Recorded crime for the annual &estimate…", None, self.edit_recorded_crime, need="audit")
        f.addSeparator()
        self._action(f, "E&xport audit package…", None, self.export_package, need="audit")
        self._action(f, "Import audit pac&kage…", None, self.import_package, need="audit")
        self._action(f, "Save a &copy…", None, self.save_copy, need="save a copy")
        f.addSeparator()
        self._action(f, "Change &who is working…", None, self.ask_user)
        self._action(f, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        e = mb.addMenu("&Edit")
        self.undo_action = self._action(e, "&Undo", QKeySequence.StandardKey.Undo, self.undo, need="edit")
        self.redo_action = self._action(e, "&Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], self.redo, need="edit")
        e.addSeparator()
        self._action(e, "Add a reason &not recorded…", None, self.add_reason, need="audit")
        r = mb.addMenu("&Record")
        self._action(r, "&Next record", ["Ctrl+PgDown", "Alt+Down"], self.next_record, need="read records")
        self.installEventFilter(DropDownKeys(self))  # but Alt+Down in a drop-down opens it (issue 11)
        self._action(r, "&Previous record", ["Ctrl+PgUp", "Alt+Up"], self.previous_record, need="read records")
        r.addSeparator()
        self._action(r, "&Add crime identified", "Ctrl+N", self.panel.add_crime, need="edit")
        self._action(r, "&Zero status", "Ctrl+0", self.panel.zero_status, need="edit")
        self._action(r, "&Done, next record", ["Ctrl+Return", "Ctrl+Enter"], self.panel.done, need="edit")
        self._action(r, "&Flag for a second opinion…", "Ctrl+G", self.flag_record, need="edit")
        self._action(r, "&Search the queue", QKeySequence.StandardKey.Find, self._focus_search, need="read records")
        self.history_action = self._action(r, "&History of this record…", "Ctrl+H", self.show_history,
                                           need="history")
        self._action(r, "&Reload this record", "F5", self.reload_record, need="read records")
        smp = mb.addMenu("&Sample")
        self._action(smp, "&Draw a sample…", "Ctrl+Shift+D", self.draw_sample, need="draw samples")
        self._action(smp, "&Extend this sample…", None, self.extend_sample, need="draw samples")
        self._action(smp, "E&xport the draw list…", None, self.export_draw_list, need="draw samples")
        self._action(smp, "&Rename this sample…", None, self.rename_sample, need="draw samples")
        self._action(smp, "De&lete this sample…", None, self.delete_sample, need="draw samples")
        self.review_menu = mb.addMenu("Re&view")
        self._build_challenge_actions(self.review_menu)
        self._build_review_actions(self.review_menu)
        h = mb.addMenu("&Help")
        self._action(h, "Recording &rules", "F1", self.show_rules)
        self._action(h, "&Keyboard shortcuts", "Ctrl+/", self.show_shortcuts)
        for menu in (f, e, r, smp, self.review_menu, h):
            menu.setToolTipsVisible(True)  # a disabled action says which role may use it

    # ---- opening -----------------------------------------------------------------------------------------
    def ask_user(self, problem: str = "") -> bool:
        """Ask who is working (again, saying why, when `problem` is given); with a database open, identify
        them on it: their role decides what the window offers."""
        title = "Not registered for this audit" if problem else "Who is working?"
        prompt = (problem + "\n\n" if problem else "") + "Your name, as it should be stamped on every verdict:"
        name, ok = QInputDialog.getText(self, title, prompt, text=self.user)
        if ok and name.strip():
            self.user = name.strip()
            self.settings.setValue("auditor", self.user)
            if self.svc:
                self.svc.user = self.user
                self.svc.undo_stack = UndoStack()  # one person's undo never writes as another
                self._update_undo()
                self.identify()
            self._update_status()
            return True
        return False

    # ---- identity and role ---------------------------------------------------------------------------------
    def identify(self) -> None:
        """Who is acting on the open database (roles.identify): then the window offers what their role may do."""
        svc = self.svc
        if svc is None:
            return

        self.runner.run(partial(ops.identify, svc), self._identified)

    def _identified(self, result: Person | NotAllowed) -> None:
        if isinstance(result, NotAllowed):
            self.person = None
            self._apply_role()
            self._clear_record_area()
            self.queue_model.set_rows([])
            self.sample_box.clear()
            self.record_view.setHtml(f"<h3>Not registered for this audit</h3><p>{escape(str(result))}.</p>"
                                     "<p>File &gt; Change who is working… to give your name as the audit lead "
                                     "registered it.</p>")
            self._update_status()
            if self.db is not None and self.db.engine.dialect.name == "postgresql":
                self._show_error("Not registered for this audit", escape(str(result)))
            elif "not registered" in str(result):
                self.ask_user(f"“{self.user}” is not registered for this audit. Only the people the audit lead "
                              "registered may open it: type your name exactly as it was registered.")
            else:
                self.ask_user(f"{result}.")
            return
        self.person = result
        self.review_mode = result.role == "reviewer" or (self.review_mode and result.may("review"))
        self.queue_model.set_review(self.review_mode)
        self._set_filters()
        self._apply_role()
        self._update_status()
        if result.may("read records"):
            self._load_samples()
        else:
            self._clear_record_area()
            self.record_view.setHtml(LIAISON_TEXT)
        self.runner.when_idle(self.refresh_findings)  # once the first record is shown: the findings never delay it

    def _allowed(self, need: str) -> tuple[bool, str]:
        """May the person do `need` now? The core answers (operations.may), from what the window is doing."""
        mode = ops.Mode.FINAL if self.panel.role == "final" else (ops.Mode.REVIEW if self.review_mode
                                                                  else ops.Mode.AUDIT)
        return ops.may(self.person, need, ops.WindowState(mode, self.panel.detail is not None, self._first_hidden,
                                                          self.db is not None))

    def _gate_actions(self) -> None:
        """Enable what the person may use, disable the rest with a tooltip saying who may."""
        for target, need, tip in self._gates:
            ok, why = self._allowed(need)
            target.setEnabled(ok)
            target.setToolTip(tip if ok else why)

    def _apply_role(self) -> None:
        """The actions the person may use, and only the parts of the window their role may see."""
        self._gate_actions()
        p = self.person
        reads = p is not None and p.may("read records")
        self.left.setVisible(reads)
        self.panel.setVisible(reads)
        self.findings_dock.setVisible(self._allowed("findings")[0])
        self.review_action.blockSignals(True)
        self.review_action.setChecked(self.review_mode)
        self.review_action.blockSignals(False)
        self.panel.role = "review" if self.review_mode else "primary"

    def _show_no_database(self, problem: str = "") -> None:
        """The empty window says what to do first (and why the last open failed)."""
        why = f"<p><b>Not opened:</b> {escape(problem)}</p>" if problem else ""
        self.record_view.setHtml(
            f"<h2>No audit database open</h2>{why}<p><b>File &gt; Open audit database…</b> (Ctrl+O), or one of "
            "<b>File &gt; Open recent</b>.</p><p>A new audit is created on the command line with <code>cdi init"
            "</code>; then <b>File &gt; Import a force extract…</b> loads the force's records and <b>Sample &gt; "
            "Draw a sample…</b> draws the records to audit.</p>")

    def _clear_record_area(self) -> None:
        self.current_item = None
        self.record_view.show_record(None)
        self.panel.clear()
        self.progress_label.setText("")
        self._gate_actions()

    def set_review_mode(self, on: bool) -> None:
        """Review > Review my assigned records: the queue lists them, and the panel edits the review."""
        if self.person is None or (on and not self.person.may("review")) or self.person.role == "reviewer":
            self._apply_role()
            return
        self.review_mode = on
        self.queue_model.set_review(on)
        self._set_filters()
        self._apply_role()
        self._update_status()
        self._clear_record_area()
        self._load_samples()

    def _set_filters(self) -> None:
        self.filter_box.blockSignals(True)
        self.filter_box.clear()
        self.filter_box.addItems([f.capitalize() for f in (REVIEW_FILTERS if self.review_mode else QUEUE_FILTERS)])
        self.filter_box.blockSignals(False)

    def _load_samples(self, select: int | None = None) -> None:
        """The sample chooser (in reviewer mode, the samples with records assigned to the person), then the
        remembered sample and position."""
        svc, person, reviewing = self.svc, self.person, self.review_mode
        if svc is None or person is None:
            return

        def work():  # noqa: ANN202
            samples = svc.samples()
            if reviewing:
                counts: dict[int, int] = {}
                for a in review.assignments(svc, reviewer=person.name):
                    counts[a.sample_id] = counts.get(a.sample_id, 0) + 1
                samples = [replace(smp, size=counts[smp.id]) for smp in samples if smp.id in counts]
            return samples, svc.recall("sample")

        def done(result) -> None:  # noqa: ANN001
            samples, remembered = result
            self._fill_samples(samples)
            if not samples:
                self.sample_id = None
                self.queue_model.set_rows([])
                self._clear_record_area()
                self.record_view.setHtml(
                    "<h3>No records are assigned to you for review yet</h3><p>The audit lead assigns records "
                    "for peer review (Review &gt; Assign records for review…); they appear here.</p>"
                    if reviewing else "<h3>No sample drawn yet</h3><p>Sample &gt; Draw a sample… (Ctrl+Shift+D) "
                    "draws one from the records imported.</p>")
                return
            self._restore_sample(str(select) if select is not None else remembered)

        self.runner.run(work, done)

    def recent(self) -> list[str]:
        return [str(p) for p in (self.settings.value("recent", [], list) or [])]

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent() or []:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _c=False, p=path: self.open_database(p))
        if not self.recent():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def choose_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open audit database", "",
                                              "Audit databases (*.db *.cdipkg);;All files (*)")
        if path:
            self.open_database(path)

    def open_database(self, target: str) -> None:
        target = str(Path(target).resolve()) if "://" not in target else target  # Open recent keeps where it was

        def failed(msg: str) -> None:
            self._show_error(f"Cannot open {target}", msg)
            if self.db is None:
                self._show_no_database(msg)

        self.runner.run(partial(ops.open_audit, target, self.user), lambda opened: self._opened(target, opened),
                        failed)

    def _opened(self, target: str, opened: ops.OpenedAudit) -> None:
        """Another audit replaces the whole state: nothing of the previous one stays on screen or in hand."""
        if self.db is not None:
            self.reader.cancel()
            self.reader.wait()  # the findings in hand read the old database: let them finish first
            self.trail_check.stop()
            self.db.close()
        self._reset_state()
        self.db, self.svc, self.info = opened.db, opened.svc, opened.info
        self.panel.set_codes(opened.codes)
        self.panel.editor.set_reasons(opened.reasons)
        recent = [p for p in self.recent() if p != target]
        self.settings.setValue("recent", [target, *recent][:8])
        # the trail's check once the first record is shown: from the last verified row, then in full, off the worker
        self.runner.when_idle(lambda db=opened.db: self.trail_check.start(db) if self.db is db else None)
        self._update_status()
        self.identify()  # then the samples, the queue and the findings, as the person's role allows
        self._watch.start()

    def _reset_state(self) -> None:
        """Forget everything of the audit open: record, queue, samples, figures, review and final-verdict modes."""
        self.person, self.sample_id, self.current_item, self._restore_item = None, None, None, None
        self.final_item, self.final_reason, self._first_hidden = None, "", False
        self._base = (None, None)
        self._seen = None
        self.review_mode = False
        self.previous_audit = None
        self.queue_model.set_rows([])
        self.sample_box.blockSignals(True)
        self.sample_box.clear()
        self.sample_box.blockSignals(False)
        self.search.clear()
        self._clear_record_area()
        self.findings_view.forget()
        self._update_undo()

    def reload_record(self) -> None:
        """Record > Reload this record (F5): the record and its verdict as stored now (after others' changes)."""
        if self.current_item is not None and self.svc is not None:
            self._load_item(self.current_item)
            self.load_queue()

    def check_others(self) -> None:
        """Has anyone changed anything since this window last looked? The change record says what: the queue and
        figures follow others' verdicts, new or changed samples reach the sample list, people's changes the role;
        if the record open was changed by someone else the status bar says so (the panel is not reloaded under
        the person's hands: F5 does it; a save made from the old state is refused anyway)."""
        svc, item, base = self.svc, self.current_item, self._base
        if svc is None or self.runner.busy or self.person is None or not self.person.may("read records"):
            return
        mode = self._mode()
        looked = item if item is not None and base[0] == item else None
        self.runner.run(partial(ops.look, svc, self._seen, looked, mode), lambda found: self._looked(found, looked),
                        lambda _msg: None)  # a missed look is made up at the next one

    def _looked(self, found: ops.Look, item: int | None) -> None:
        first = self._seen is None
        self._seen = found.seen
        if first or not found.changes:
            return
        self.apply_changes(found.changes, samples=found.samples)
        if (found.changes.verdicts and found.stored is not False and item == self.current_item
                and self._base[0] == item
                and json.dumps(found.stored, sort_keys=True) != json.dumps(self._base[1], sort_keys=True)):
            self.statusBar().showMessage("Someone else has changed the verdict on this record since you opened "
                                         "it: Record > Reload this record (F5) shows it.", 60000)

    def apply_changes(self, changes: ops.Changes, samples: list | None = None) -> None:
        """The one place a change record reaches the views: people (the role, so what is offered), samples (the
        list), verdicts (the queue), and the figures."""
        if changes.people:
            self.identify()  # then the samples, the queue and the figures again
            return
        if changes.samples:
            if samples is not None:
                self._set_samples(samples, self.sample_id)
            else:
                self._load_samples(self.sample_id)
        elif changes.verdicts:
            self.load_queue()
        if changes.findings:
            self._findings_timer.start()

    def _mode(self) -> ops.Mode:
        if self.final_item is not None and self.current_item == self.final_item and not self.review_mode:
            return ops.Mode.FINAL
        return ops.Mode.REVIEW if self.review_mode else ops.Mode.AUDIT

    def _trail_checked(self, problems: list) -> None:
        if problems:
            shown = "<br>".join(str(p) for p in problems[:10])
            box = QMessageBox(QMessageBox.Icon.Warning, "Audit trail tampered with",
                              f"<b>This database was changed outside CDI Workbench.</b> Its verdict history "
                              f"no longer matches ({len(problems)} problem(s)); do not rely on its findings "
                              f"until this is explained.<br><br>{shown}", parent=self)
            box.open()
            self.trail_warning = box
            self.statusBar().showMessage("Warning: the audit trail does not verify (cdi verify)")

    def _restore_sample(self, value: str) -> None:
        idx = self.sample_box.findData(int(value)) if value.isdigit() else -1
        self.sample_box.blockSignals(True)  # chosen once, below (a signal too would load the queue twice)
        self.sample_box.setCurrentIndex(max(idx, 0))
        self.sample_box.blockSignals(False)
        self._sample_chosen(self.sample_box.currentIndex())

    def _sample_chosen(self, index: int) -> None:
        if index < 0 or self.svc is None:
            return
        self.sample_id = self.sample_box.itemData(index)
        svc, sid = self.svc, self.sample_id

        def work() -> str:
            svc.remember("sample", str(sid))
            return svc.recall(f"position:{sid}")

        self.runner.run(work, lambda pos: self._set_restore(pos))

    def _set_restore(self, pos: str) -> None:
        if self._restore_item is None:  # a record asked for explicitly (drill-down, undo) wins over memory
            self._restore_item = int(pos) if pos.isdigit() else None
        self.load_queue()

    # ---- the queue ---------------------------------------------------------------------------------------
    def load_queue(self) -> None:
        if self.svc is None or self.sample_id is None:
            return
        want = self._restore_item or self.current_item
        filters = REVIEW_FILTERS if self.review_mode else QUEUE_FILTERS
        filt = filters[max(self.filter_box.currentIndex(), 0)]
        self.runner.run(partial(ops.load_queue, self.svc, self.sample_id, filt, self.search.text(), self.review_mode),
                        lambda q: self._queue_loaded((q.rows, q.everything), want, q.reviewing))

    def _queue_loaded(self, result: tuple[list, list], want: int | None, reviewing: bool = False) -> None:
        """Show the queue rows (QueueRow, or review.Assignment in reviewer mode) and select the wanted one."""
        rows, everything = result
        if reviewing != self.queue_model.review:
            return  # the mode changed while this was loading; the new mode's queue is on its way
        self._restore_item = None
        kind = everything[0].kind if everything else "incident"
        self.queue_model.set_kind(kind)
        self.queue_model.set_rows(rows)
        header = self.queue.horizontalHeader()  # the last column takes what is left (elided, full in a tooltip)
        for col in range(self.queue_model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col == self.queue_model.columnCount()
                                        - 1 else QHeaderView.ResizeMode.ResizeToContents)
        if self.queue_model.review:
            self.queue.setColumnHidden(2, False)
            self._show_progress(sum(a.state not in ("to review", "in progress") for a in everything),
                                len(everything), len(rows))
        else:
            self.queue.setColumnHidden(2, len({r.system for r in everything}) <= 1)
            self._show_progress(sum(r.status == "done" for r in everything), len(everything), len(rows))
        row = self.queue_model.row_of(want) if want is not None else -1
        if rows:
            self._select_row(row if row >= 0 else 0)
        else:
            progress = self.progress_label.text()
            self._clear_record_area()
            self.progress_label.setText(progress)
            if everything:  # the sample has records; the search or the filter leaves none
                text, shown = self.search.text().strip(), self.filter_box.currentText()
                why = (f"no record in this view matches “{escape(text)}”" if text
                       else f"no record is “{escape(shown.lower())}”")
                self.record_view.setHtml(f"<h3>Nothing to show</h3><p>In this sample {why}. Clear the search "
                                         "or choose Show: All.</p>")

    def _select_row(self, row: int) -> None:
        """Make `row` the one record selected and current, whatever modifier keys are held (Ctrl+PgDown moves on;
        it does not add to a selection as Ctrl+click does)."""
        idx = self.queue_model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.queue.selectionModel().setCurrentIndex(idx, flags)
        self.queue.scrollTo(idx)

    def _show_progress(self, done: int, total: int, shown: int) -> None:
        what = "assigned records reviewed" if self.review_mode else "records audited"
        self.progress_label.setText(f"{done} of {total} {what} · {shown} shown")

    def _row_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.queue_model.rows) or self.svc is None:
            return
        item_id = self.queue_model.rows[row].item_id
        if item_id == self.current_item and self.panel.detail and self.panel.detail.item_id == item_id:
            return
        self.current_item = item_id
        self._load_item(item_id)

    def _load_item(self, item_id: int) -> None:
        svc, sid, reviewing = self.svc, self.sample_id, self.review_mode
        assert svc is not None
        if not (item_id == self.final_item and not reviewing):
            self.final_item = None
        mode = self._mode() if item_id == self.current_item else (ops.Mode.REVIEW if reviewing else ops.Mode.AUDIT)
        self.panel.role = mode.value

        def done(opened: ops.OpenedRecord) -> None:
            if item_id != self.current_item or reviewing != self.review_mode:
                return  # the user has moved on
            self._base = (item_id, opened.base)  # what this window's next save expects to find stored
            self.record_view.show_record(opened.detail)
            self.panel.load(opened.detail, opened.body, opened.results, opened.from_first)
            self.panel.show_first(opened.first)
            self._first_hidden = opened.first is not None and opened.first.hidden
            self._gate_actions()
            self.panel.setEnabled(self._allowed("edit")[0])
            self._position_timer.start()  # remembered once the person pauses on a record
            typing = QApplication.focusWidget() in (self.search, self.filter_box, self.sample_box)
            if not typing:  # never take the cursor away from someone typing a search
                self.panel.focus_first()

        self.runner.run(partial(ops.open_record, svc, item_id, mode, sid), done)

    def _remember_position(self) -> None:
        if self.svc is not None and self.sample_id is not None and self.current_item is not None:
            self.runner.run(partial(ops.remember_position, self.svc, self.sample_id, self.current_item),
                            on_error=lambda _msg: None)  # a position not remembered costs nothing

    def next_record(self) -> None:
        self._step(1)

    def previous_record(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        row = self.queue.currentIndex().row()
        new = row + delta
        if 0 <= new < self.queue_model.rowCount():
            self._select_row(new)
        elif delta > 0 and self.queue_model.rowCount():
            self.statusBar().showMessage("That was the last record in this view.", 5000)

    # ---- verdicts ----------------------------------------------------------------------------------------
    def _verdict_changed(self, body: VerdictBody, label: str) -> None:
        if self.svc is None or self.current_item is None:
            return
        if not self.user and not self.ask_user():
            self.panel.say("Say who is auditing before entering verdicts (File > Change who is working…).")
            return
        svc, item_id, snapshot = self.svc, self.current_item, copy.deepcopy(body)
        sid, mode = self.sample_id, self._mode()
        final_reason = ""
        if mode == ops.Mode.FINAL:
            final_reason, self.final_reason = self.final_reason, ""  # the decision's reason goes with its first change
        expect = self._base[1] if self._base[0] == item_id else False
        self._base = (item_id, snapshot.to_json())  # the next change builds on this one

        def done(saved: ops.Saved) -> None:
            if (mode == ops.Mode.REVIEW) != self.queue_model.review:
                return  # the queue changed mode meanwhile
            self.queue_model.update_row(saved.row)
            self._show_progress(*saved.progress, len(self.queue_model.rows))
            if self.panel.detail and self.panel.detail.item_id == item_id:
                self.panel.set_results(saved.results)
                if saved.first is not None:
                    self.panel.show_first(saved.first)
                    if self._first_hidden != saved.first.hidden:
                        self._first_hidden = saved.first.hidden
                        self._gate_actions()
            self._update_undo()
            if saved.changes.findings:
                self._findings_timer.start()

        def failed(msg: str) -> None:
            self._show_error("The verdict was not saved", escape(msg))
            if "changed since" in msg:  # back to that record, as stored now; the person redoes their change on it
                if self.current_item == item_id:
                    self._load_item(item_id)
                else:
                    self.go_to_item(item_id)

        self.runner.run(partial(ops.save_verdict, svc, item_id, snapshot, mode, expect, label, sid, final_reason),
                        done, failed)

    def undo(self) -> None:
        self._undo_redo(True)

    def redo(self) -> None:
        self._undo_redo(False)

    def _undo_redo(self, undo: bool) -> None:
        if self.svc is None:
            return
        svc = self.svc
        self.runner.run(partial(ops.undo if undo else ops.redo, svc), lambda r: self._after_undo(r.item_id, undo),
                        lambda msg: (self._update_undo(), self._show_error("Not undone" if undo else "Not redone",
                                                                           escape(msg))))

    def _after_undo(self, item_id: int | None, undo: bool = True) -> None:
        if item_id is None:
            self.statusBar().showMessage("Nothing to undo." if undo else "Nothing to redo.", 3000)
            return
        self._update_undo()
        self._findings_timer.start()
        if self.queue_model.row_of(item_id) < 0:  # a record of another sample (or filtered out): go to it
            self.go_to_item(item_id)
            return
        self.current_item = item_id
        self._restore_item = item_id
        self.load_queue()
        self._load_item(item_id)

    def _update_undo(self) -> None:
        if self.svc:
            u, r = self.svc.undo_stack.undo_label, self.svc.undo_stack.redo_label
            self.undo_action.setText(f"&Undo {u[:1].lower() + u[1:]}" if u else "&Undo")  # 'Undo zero status'
            self.redo_action.setText(f"&Redo {r[:1].lower() + r[1:]}" if r else "&Redo")

    def show_history(self) -> None:
        if self.svc is None or self.current_item is None or self.panel.detail is None:
            return
        svc, item_id, ref = self.svc, self.current_item, self.panel.detail.ref

        def show(changes) -> None:  # noqa: ANN001
            from .history_dialog import HistoryDialog

            dialog = HistoryDialog(ref, changes, self)
            dialog.open()
            self.history_dialog = dialog

        self.runner.run(partial(svc.history, item_id), show)

    def find_crime(self) -> None:
        """Link a crime record that is neither linked nor offered as a candidate, by its reference."""
        if self.svc is None:
            return
        ref, ok = QInputDialog.getText(self, "Another crime record", "The crime record's reference:")
        if not ok or not ref.strip():
            return
        svc = self.svc

        def done(crime) -> None:  # noqa: ANN001
            if crime is None:
                self.panel.say(f"No crime record '{ref.strip()}' in this audit.")
            else:
                self.panel.editor.add_crime_record(crime)

        self.runner.run(partial(svc.find_crime, ref), done)

    def add_reason(self) -> None:
        if self.svc is None:
            return
        text, ok = QInputDialog.getText(self, "Add a reason not recorded",
                                        "A reason auditors can choose when a crime was not recorded:")
        if ok and text.strip():
            svc = self.svc
            self.runner.run(partial(ops.add_reason, svc, text), self.panel.editor.set_reasons,
                            lambda msg: self._show_error("The reason was not added", msg))

    def flag_record(self) -> None:
        """Flag for a second opinion with a note; on a flagged record, offer to clear the flag."""
        if self.svc is None or self.current_item is None or self.panel.detail is None:
            return
        flagged = self.panel.detail.flagged
        if flagged:
            answer = QMessageBox.question(self, "Flagged record",
                                          f"Flag note: {self.panel.detail.flag_note or '(none)'}\n\nClear the flag?")
            if answer != QMessageBox.StandardButton.Yes:
                return
            note = ""
        else:
            note, ok = QInputDialog.getText(self, "Flag for a second opinion", "Note for the reviewer:")
            if not ok:
                return
        svc, item_id = self.svc, self.current_item
        def done(result: ops.Flagged) -> None:
            self.queue_model.update_row(result.row)
            self._load_item(item_id)

        self.runner.run(partial(ops.flag, svc, item_id, not flagged, note), done)


    def import_extract(self) -> None:
        if self.db is None:
            return
        from .import_dialog import ImportDialog

        dialog = ImportDialog(self.db, self.runner, self.user, self)
        dialog.imported.connect(lambda _r: (self.load_queue(), self.refresh_findings()))
        dialog.open()
        self.import_dialog = dialog

    def save_copy(self) -> None:
        """File > Save a copy…: the open audit with every verdict, the write-ahead log included (core:
        cdi_workbench.backup, SQLite's backup API); an existing file is replaced only when the person says so."""
        if self.db is None:
            return
        from cdi_workbench.backup import why_not

        db = self.db
        if why_not(db):
            self._show_error("No copy saved", why_not(db))
            return
        here = Path(db.target)
        path, _ = QFileDialog.getSaveFileName(self, "Save a copy of the audit", str(here.with_name(
            f"{here.stem} copy{here.suffix}")), "Audit databases (*.db);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        replace = Path(path).exists()
        if replace and QMessageBox.question(
                self, "Save a copy", f"{Path(path).name} already exists. Replace it with a copy of this "
                                     "audit?") != QMessageBox.StandardButton.Yes:
            return
        assert self.svc is not None
        self.runner.run(partial(ops.save_copy, self.svc, path, replace),
                        lambda p: self.statusBar().showMessage(f"Saved a copy of the audit to {p}", 8000),
                        lambda msg: self._show_error("No copy saved", msg))

    def export_package(self) -> None:
        """Part of a sample to a .cdipkg file to audit offline (ui/package_dialog.py)."""
        from .package_dialog import open_export

        open_export(self)

    def import_package(self, path: str | None = None) -> None:
        """Merge a package back: the plan, conflicts resolved one by one, then one transaction."""
        from .package_dialog import open_import

        open_import(self, path)

    # ---- help --------------------------------------------------------------------------------------------
    def show_rules(self) -> None:
        """The rule behind the answer in focus first, then the rest."""
        keys = self.panel.rule_keys(QApplication.focusWidget())  # the record's own rules first (issue 11)
        text = "".join(f"<p><b>{k.replace('_', ' ').capitalize()}</b>: {RULE_TEXT[k][0]}<br>"
                       f"<i>Source: {RULE_TEXT[k][1]}</i></p>" for k in keys[:1])
        text += "<hr>" + "".join(f"<p><b>{k.replace('_', ' ').capitalize()}</b>: {RULE_TEXT[k][0]} "
                                 f"<i>({RULE_TEXT[k][1]})</i></p>" for k in keys[1:])
        if self.svc is not None and hasattr(self, "info"):
            text = f"<p><b>Rule set:</b> {self.info.rules.title}. {self.info.rules.source}.</p>" + text
        self._text_dialog("Recording rules", text)

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        self._text_dialog("Keyboard shortcuts", f"<table cellpadding=4>{rows}</table>")

    def _text_dialog(self, title: str, html: str) -> None:
        """Help text in a scrollable, resizable window that fits a laptop screen."""
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser

        dialog = QDialog(self)
        dialog.setWindowTitle(title)
        lay = QVBoxLayout(dialog)
        browser = QTextBrowser(objectName="help_text")
        browser.setHtml(html)
        lay.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        lay.addWidget(buttons)
        dialog.resize(620, 480)
        dialog.open()
        self.help_dialog = dialog

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _update_status(self) -> None:
        """The person and their role (or single-user mode) in the status bar, and the audit in the title."""
        p = self.person
        if self.db is None:
            who = f"{self.user or 'nobody yet (File > Change who is working…)'}"
        elif p is None:
            who = f"{self.user or 'nobody'}: not identified on this audit"
        else:
            who = f"{p.name} · {p.title}" + (" · reviewing assigned records" if self.review_mode else "")
        if hasattr(self, "info") and self.db is not None:
            i = self.info
            self.setWindowTitle(f"CDI Workbench: {i.force}, {display_date(i.period_start)} to "
                                f"{display_date(i.period_end)} ({self.db.display_name})")
            self.who_label.setText(f"{who} · {i.rules.title}")
        else:
            self.who_label.setText(who)

    def _show_error(self, title: str, details: str = "") -> None:
        QMessageBox.warning(self, "CDI Workbench", f"<b>{title}</b><br>{details}")

    def showEvent(self, event) -> None:  # noqa: ANN001
        super().showEvent(event)
        if not getattr(self, "_sized", False):
            self._sized = True
            self.resizeDocks([self.findings_dock], [self.settings.value("findings_height", 220, type=int)],
                             Qt.Orientation.Vertical)  # as tall as the person left it (issue 11)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.panel.rationale.clearFocus()  # commits a rationale being typed
        if self.findings_dock.isVisible():
            self.settings.setValue("findings_height", self.findings_dock.height())
        if self._position_timer.isActive():  # the record to come back to, not yet remembered
            self._position_timer.stop()
            self._remember_position()
        self.runner.wait()
        self.reader.cancel()
        self.reader.wait()
        self.trail_check.stop(close=True)  # a full check in hand stops at the next history row
        if self.db is not None:
            self.db.close()
        super().closeEvent(event)
