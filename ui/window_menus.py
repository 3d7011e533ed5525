"""The main window's menus, and the gates on them: an action needing a permission is enabled only while the person
may use it (the core answers: operations.may), else disabled with a tooltip saying who may.

Menus builds the menu bar from the window's parts (their methods are the actions' slots) and keeps the actions
the window changes later (undo and redo texts, the review mode's check, the interval method's choice)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from cdi_workbench.audit import operations as ops

from .state import AuditState
from .widgets import DropDownKeys
from .window_layout import Views

if TYPE_CHECKING:
    from .main_window import MainWindow


class Menus:
    """The menu bar of `window`, its gated actions, and what the person may do now (`allowed`)."""

    def __init__(self, window: MainWindow, state: AuditState, views: Views) -> None:
        self.window, self.state, self.views = window, state, views
        self.gates: list[tuple[QAction | QWidget, str, str]] = []  # (action or widget, need, its own tooltip)
        self.interval_actions: dict[str, QAction] = {}
        self._build()

    def _action(self, menu: QMenu, text: str, keys, slot, context=Qt.ShortcutContext.WindowShortcut,  # noqa: ANN001
                need: str = "") -> QAction:
        """A menu action; `need` is what the person must be allowed to do (see allowed), else it is disabled."""
        act = QAction(text, self.window)
        if need:
            self.gates.append((act, need, ""))
        if keys:
            seqs = keys if isinstance(keys, list) else [keys]
            act.setShortcuts([QKeySequence(k) for k in seqs])
        act.setShortcutContext(context)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build(self) -> None:
        w, panel = self.window, self.views.panel
        session, queue, records, files = w.session, w.queue_flow, w.record_flow, w.file_actions
        samples, findings, help_ = w.sample_actions, w.findings_actions, w.help
        mb = w.menuBar()
        f = mb.addMenu("&File")
        self._action(f, "&Open audit database…", QKeySequence.StandardKey.Open, session.choose_database)
        self.recent_menu = f.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action(f, "&Import a force extract…", "Ctrl+I", files.import_extract, need="import extracts")
        self._action(f, "&Export findings…", "Ctrl+E", findings.export_findings, need="findings")
        self._action(f, "Export &verdicts…", None, files.export_verdicts, need="export verdicts")
        self._action(f, "Compare with a &previous audit…", None, findings.choose_previous, need="findings")
        self._interval_menu(f.addMenu("&Interval method for rates"))
        self._action(f, "Recorded crime for the annual &estimate…", None, findings.edit_recorded_crime,
                     need="audit")
        f.addSeparator()
        self._action(f, "E&xport audit package…", None, files.export_package, need="audit")
        self._action(f, "Import audit pac&kage…", None, files.import_package, need="audit")
        self._action(f, "Save a &copy…", None, files.save_copy, need="save a copy")
        f.addSeparator()
        self._action(f, "Change &who is working…", None, session.ask_user)
        self._action(f, "&Quit", QKeySequence.StandardKey.Quit, w.close)
        # the programme's audits (Alt+P: the letters of 'Audit' are the verdict panel's mnemonics: Alt+A adds a crime)
        a = self._audit_menu(mb.addMenu("&Programme"))
        e = mb.addMenu("&Edit")
        self.undo_action = self._action(e, "&Undo", QKeySequence.StandardKey.Undo, records.undo, need="edit")
        self.redo_action = self._action(e, "&Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], records.redo, need="edit")
        e.addSeparator()
        self._action(e, "Add a reason &not recorded…", None, records.add_reason, need="audit")
        r = mb.addMenu("&Record")
        self._action(r, "&Next record", ["Ctrl+PgDown", "Alt+Down"], queue.next_record, need="read records")
        w.installEventFilter(DropDownKeys(w))  # but Alt+Down in a drop-down opens it (issue 11)
        self._action(r, "&Previous record", ["Ctrl+PgUp", "Alt+Up"], queue.previous_record, need="read records")
        r.addSeparator()
        self._action(r, "&Add crime identified", "Ctrl+N", panel.add_crime, need="edit")
        self._action(r, "&Zero status", "Ctrl+0", panel.zero_status, need="edit")
        self._action(r, "&Done, next record", ["Ctrl+Return", "Ctrl+Enter"], panel.done, need="edit")
        self._action(r, "&Flag for a second opinion…", "Ctrl+G", records.flag_record, need="edit")
        self._action(r, "&Search the queue", QKeySequence.StandardKey.Find, queue.focus_search, need="read records")
        self.history_action = self._action(r, "&History of this record…", "Ctrl+H", records.show_history,
                                           need="history")
        self._action(r, "&Reload this record", "F5", records.reload_record, need="read records")
        smp = mb.addMenu("&Sample")
        self._action(smp, "&Draw a sample…", "Ctrl+Shift+D", samples.draw_sample, need="draw samples")
        self._action(smp, "&Extend this sample…", None, samples.extend_sample, need="draw samples")
        self._action(smp, "E&xport the draw list…", None, samples.export_draw_list, need="draw samples")
        self._action(smp, "&Rename this sample…", None, samples.rename_sample, need="draw samples")
        self._action(smp, "De&lete this sample…", None, samples.delete_sample, need="draw samples")
        self.review_menu = mb.addMenu("Re&view")
        self._review_actions(self.review_menu)
        h = mb.addMenu("&Help")
        self._action(h, "Recording &rules", "F1", help_.show_rules)
        self._action(h, "&Keyboard shortcuts", "Ctrl+/", help_.show_shortcuts)
        for menu in (f, a, e, r, smp, self.review_menu, h):
            menu.setToolTipsVisible(True)  # a disabled action says which role may use it

    def _audit_menu(self, menu: QMenu) -> QMenu:
        """The programme's audits: the one the window works on, a new one, closing and reopening (the lead's)."""
        audits = self.window.audit_actions
        self.switch_audit_action = self._action(menu, "&Switch audit…", "Ctrl+Shift+A", audits.switch_audit,
                                                need="database")
        self.new_audit_action = self._action(menu, "&New audit…", None, audits.new_audit, need="plan audits")
        self.draw_design_action = self._action(menu, "&Draw the month's samples from a design…", None,
                                               audits.draw_design, need="draw samples")
        menu.addSeparator()
        self.close_audit_action = self._action(menu, "&Close this audit…", None, audits.close_audit,
                                               need="plan audits")
        self.reopen_audit_action = self._action(menu, "&Reopen this audit", None, audits.reopen_audit,
                                                need="plan audits")
        self.reopen_audit_action.setVisible(False)
        menu.addSeparator()
        # the force's sub-codes, disposal types and extra checks: anyone may read them, the lead changes them (the
        # core says which, and refuses anyone else)
        self.local_config_action = self._action(menu, "&Local configuration…", "Ctrl+Shift+L", self.local_config,
                                                need="database")
        return menu

    def local_config(self) -> None:
        """Programme > Local configuration… (ui/local_config_dialog.py, imported when first opened)."""
        from .local_config_dialog import open_local_config

        open_local_config(self.window)

    def show_audit(self, closed: bool) -> None:
        """Close this audit… while it is open, Reopen this audit once it is closed."""
        self.close_audit_action.setVisible(not closed)
        self.reopen_audit_action.setVisible(closed)

    def _review_actions(self, menu: QMenu) -> None:
        """The force's challenge round, then peer review, kept together in the Review menu."""
        reviews = self.window.review_actions
        self._action(menu, "E&xport failed records for the force…", None, reviews.export_for_force,
                     need="exchange with the force")
        self._action(menu, "&Import the force's responses…", None, reviews.import_force_responses,
                     need="exchange with the force")
        self._action(menu, "The force's &challenges…", None, reviews.show_challenges, need="decide challenges")
        menu.addSeparator()
        self.review_action = self._action(menu, "&Review my assigned records", None,
                                          self.window.session.set_review_mode, need="review mode")
        self.review_action.setCheckable(True)  # triggered(checked) switches the mode
        self._action(menu, "E&xport my assigned records…", None, reviews.export_my_assignment, need="review")
        self._action(menu, "&Assign records for review…", None, reviews.assign_reviews, need="assign reviews")
        self._action(menu, "&Disagreements…", None, reviews.show_disagreements, need="adjudicate")
        self._action(menu, "Re&open the sealed review of this record…", None, reviews.reopen_review,
                     need="reopen reviews")
        menu.addSeparator()
        self._action(menu, "&People…", None, reviews.show_people, need="manage people")

    def _interval_menu(self, menu: QMenu) -> None:
        """The published-style rates' interval: normal approximation with FPC (as inspections publish), Wilson or
        Clopper-Pearson; the dashboard, agreement and every export follow the choice."""
        from cdi_workbench.statistics import SHORT

        group = QActionGroup(self.window)
        group.setExclusive(True)
        findings = self.window.findings_actions
        for key, label in SHORT.items():
            act = QAction(label + (" (published, with FPC)" if key == "normal" else ""), self.window, checkable=True)
            act.setChecked(key == self.state.interval_method)
            act.triggered.connect(lambda _checked=False, k=key: findings.set_interval_method(k))
            group.addAction(act)
            menu.addAction(act)
            self.interval_actions[key] = act

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.window.session.recent()
        for path in recent:
            act = self.recent_menu.addAction(path)
            act.triggered.connect(lambda _c=False, p=path: self.window.session.open_database(p))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    # ---- the gates ------------------------------------------------------------------------------------------
    def allowed(self, need: str) -> tuple[bool, str]:
        """May the person do `need` now? The core answers (operations.may), from what the window is doing."""
        s, panel = self.state, self.views.panel
        if need == "database":
            return (True, "") if s.db is not None else (False, "Open an audit database first")
        mode = ops.Mode.FINAL if panel.role == "final" else (ops.Mode.REVIEW if s.review_mode else ops.Mode.AUDIT)
        closed = s.info.name if s.info is not None and s.info.closed else ""
        return ops.may(s.person, need, ops.WindowState(mode, panel.detail is not None, s.first_hidden,
                                                       s.db is not None, s.sealed if s.review_mode else "", closed))

    def gate(self) -> None:
        """Enable what the person may use, disable the rest with a tooltip saying who may."""
        for target, need, tip in self.gates:
            ok, why = self.allowed(need)
            target.setEnabled(ok)
            target.setToolTip(tip if ok else why)

    def show_review_mode(self) -> None:
        """Review > Review my assigned records checked as the state says, without switching anything."""
        self.review_action.blockSignals(True)
        self.review_action.setChecked(self.state.review_mode)
        self.review_action.blockSignals(False)
