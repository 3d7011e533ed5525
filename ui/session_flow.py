"""Opening an audit and who is working on it: the database chosen (or a recent one), the person identified on it
(their role decides what the window offers and shows), the status line, the trail's check on opening.

A part of the main window (ui/main_window.py), not a mixin: it reads and changes the window's AuditState, calls
the window's operations by their names on the window (so one replaced there is the one called) and the other
parts' helpers through the window's parts; every database call goes through the runner to the core's operations.
"""

from __future__ import annotations

from functools import partial
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit.roles import NotAllowed, Person
from cdi_workbench.audit.undo import UndoStack
from cdi_workbench.timeutil import display_date

from .paths import chosen_audit, remember_audit
from .state import AuditState
from .window_layout import Views

if TYPE_CHECKING:
    from .main_window import MainWindow

LIAISON_TEXT = (
    "<h2>Force liaison</h2><p>You exchange the failed records with the force: <b>Review &gt; Export failed "
    "records for the force…</b> writes the workbook the force answers, and <b>Review &gt; Import the force's "
    "responses…</b> reads its answers back.</p><p>Records, narratives, verdicts and findings are not shown to the "
    "force liaison. The audit lead decides the force's challenges.</p>")


def ask_passphrase(parent: QWidget, request: ops.PassphraseRequest) -> str | None:
    """The window's passphrase provider: a password dialog on the main thread (twice for a new passphrase). The
    passphrase goes to the core, which keeps the key in memory for the session; never to the settings."""
    title = f"{'New' if request.new else 'Encrypted'} audit {'package' if request.package else 'database'}"
    text, ok = QInputDialog.getText(parent, title, f"{request.prompt}:", QLineEdit.EchoMode.Password)
    if not ok or not text:
        return None
    if request.new:
        again, ok = QInputDialog.getText(parent, title, "The same passphrase again:", QLineEdit.EchoMode.Password)
        if not ok or again != text:
            if ok:
                QMessageBox.warning(parent, title, "The two passphrases differ: nothing was written.")
            return None
    return text


class SessionFlow:
    """The audit open and the person acting on it."""

    def __init__(self, window: MainWindow, state: AuditState, views: Views) -> None:
        self.window, self.state, self.views = window, state, views

    # ---- opening -----------------------------------------------------------------------------------------
    def recent(self) -> list[str]:
        recent = self.window.settings.value("recent", [], list)  # typed `object` in the stubs
        return [str(p) for p in recent] if isinstance(recent, list) else []

    def choose_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open audit database", "",
                                              "Audit databases (*.db *.cdipkg);;All files (*)")
        if path:
            self.open_database(path)

    def open_database(self, target: str) -> None:
        target = str(Path(target).resolve()) if "://" not in target else target  # Open recent keeps where it was

        def failed(msg: str) -> None:
            self.window.show_error(f"Cannot open {target}", msg)
            if self.state.db is None:
                self.show_no_database(msg)

        if not ops.unlock(target, partial(ask_passphrase, self.window)):  # an encrypted file: asked once a session
            return
        audit = chosen_audit(self.window.settings, target)  # the audit of the programme last open in it
        self.window.runner.run(partial(ops.open_audit, target, self.state.user, audit),
                               partial(self._opened, target), failed)

    def _opened(self, target: str, opened: ops.OpenedAudit) -> None:
        """Another audit replaces the whole state: nothing of the previous one stays on screen or in hand."""
        w, s = self.window, self.state
        if s.db is not None:
            w.reader.cancel()
            w.reader.wait()  # the findings in hand read the old database: let them finish first
            w.trail_check.stop()
            s.db.close()
        self._install(opened)
        recent = [p for p in self.recent() if p != target]
        w.settings.setValue("recent", [target, *recent][:8])
        # the trail's check once the first record is shown: from the last verified row, then in full, off the worker
        w.runner.when_idle(partial(self._check_trail, opened.db))
        self.identify()  # then the samples, the queue and the findings, as the person's role allows
        w.queue_flow.watch.start()

    def audit_switched(self, opened: ops.OpenedAudit) -> None:
        """Another audit of the same programme replaces the whole state, as another database does (the database
        stays open, and its trail's check with it): nothing of the previous audit stays on screen or in hand."""
        w = self.window
        w.reader.cancel()
        w.reader.wait()  # the findings in hand are the previous audit's: let them finish first, then forget them
        self._install(opened)
        self.identify()

    def _install(self, opened: ops.OpenedAudit) -> None:
        """The opened audit in hand and on show (its period's codes, the reasons), remembered for this database."""
        w, s = self.window, self.state
        self._forget_audit()
        s.db, s.svc, s.info = opened.db, opened.svc, opened.info
        self.views.panel.set_codes(opened.codes)
        self.views.panel.editor.set_reasons(opened.reasons)
        remember_audit(w.settings, opened.db.target, opened.info.name)
        w.record_flow.update_undo()  # the new service's undo (nothing of the previous audit's to undo)
        self.update_status()

    def _check_trail(self, db: ops.AuditHandle) -> None:
        if self.state.db is db:
            self.window.trail_check.start(db)

    def _forget_audit(self) -> None:
        """Forget everything of the audit open: record, queue, samples, figures, review and final-verdict modes."""
        v = self.views
        self.state.forget_audit()
        v.queue_model.set_rows([])
        v.sample_box.blockSignals(True)
        v.sample_box.clear()
        v.sample_box.blockSignals(False)
        v.search.clear()
        self.window.record_flow.clear()
        v.findings_view.forget()
        self.window.record_flow.update_undo()

    def show_no_database(self, problem: str = "") -> None:
        """The empty window says what to do first (and why the last open failed)."""
        why = f"<p><b>Not opened:</b> {escape(problem)}</p>" if problem else ""
        self.views.record_view.setHtml(
            f"<h2>No audit database open</h2>{why}<p><b>File &gt; Open audit database…</b> (Ctrl+O), or one of "
            "<b>File &gt; Open recent</b>.</p><p>A new audit is created on the command line with <code>cdi init"
            "</code>; then <b>File &gt; Import a force extract…</b> loads the force's records and <b>Sample &gt; "
            "Draw a sample…</b> draws the records to audit.</p>")

    def trail_checked(self, problems: list) -> None:
        if problems:
            shown = "<br>".join(str(p) for p in problems[:10])
            box = QMessageBox(QMessageBox.Icon.Warning, "Audit trail tampered with",
                              f"<b>This database was changed outside CDI Workbench.</b> Its verdict history "
                              f"no longer matches ({len(problems)} problem(s)); do not rely on its findings "
                              f"until this is explained.<br><br>{shown}", parent=self.window)
            box.open()
            self.window.trail_warning = box
            self.window.statusBar().showMessage("Warning: the audit trail does not verify (cdi verify)")

    # ---- who is working ----------------------------------------------------------------------------------
    def ask_user(self, problem: str = "") -> bool:
        """Ask who is working (again, saying why, when `problem` is given); with a database open, identify
        them on it: their role decides what the window offers."""
        s = self.state
        title = "Not registered for this audit" if problem else "Who is working?"
        prompt = (problem + "\n\n" if problem else "") + "Your name, as it should be stamped on every verdict:"
        name, ok = QInputDialog.getText(self.window, title, prompt, text=s.user)
        if ok and name.strip():
            s.user = name.strip()
            self.window.settings.setValue("auditor", s.user)
            if s.svc:
                s.svc.user = s.user
                s.svc.undo_stack = UndoStack()  # one person's undo never writes as another
                self.window.record_flow.update_undo()
                self.identify()
            self.update_status()
            return True
        return False

    def identify(self) -> None:
        """Who is acting on the open database (roles.identify): then the window offers what their role may do."""
        svc = self.state.svc
        if svc is None:
            return
        self.window.runner.run(partial(ops.identify, svc), self._identified)

    def _identified(self, result: Person | NotAllowed) -> None:
        w, s, v = self.window, self.state, self.views
        if isinstance(result, NotAllowed):
            s.person = None
            self.apply_role()
            w.record_flow.clear()
            v.queue_model.set_rows([])
            v.sample_box.clear()
            v.record_view.setHtml(f"<h3>Not registered for this audit</h3><p>{escape(str(result))}.</p>"
                                  "<p>File &gt; Change who is working… to give your name as the audit lead "
                                  "registered it.</p>")
            self.update_status()
            if s.db is not None and s.db.engine.dialect.name == "postgresql":
                w.show_error("Not registered for this audit", escape(str(result)))
            elif "not registered" in str(result):
                self.ask_user(f"“{s.user}” is not registered for this audit. Only the people the audit lead "
                              "registered may open it: type your name exactly as it was registered.")
            else:
                self.ask_user(f"{result}.")
            return
        s.person = result
        s.review_mode = result.role == "reviewer" or (s.review_mode and result.may("review"))
        v.queue_model.set_review(s.review_mode)
        w.queue_flow.set_filters()
        self.apply_role()
        self.update_status()
        if result.may("read records"):
            w.queue_flow.load_samples()
        else:
            w.record_flow.clear()
            v.record_view.setHtml(LIAISON_TEXT)
        w.runner.when_idle(w.refresh_findings)  # once the first record is shown: the findings never delay it

    def apply_role(self) -> None:
        """The actions the person may use, and only the parts of the window their role may see."""
        menus, v, p = self.window.menus, self.views, self.state.person
        menus.gate()
        reads = p is not None and p.may("read records")
        v.left.setVisible(reads)
        v.panel.setVisible(reads)
        v.findings_dock.setVisible(menus.allowed("findings")[0])
        menus.show_review_mode()
        v.panel.role = "review" if self.state.review_mode else "primary"

    def set_review_mode(self, on: bool) -> None:
        """Review > Review my assigned records: the queue lists them, and the panel edits the review."""
        p = self.state.person
        if p is None or (on and not p.may("review")) or p.role == "reviewer":
            self.apply_role()
            return
        self.state.review_mode = on
        self.views.queue_model.set_review(on)
        self.window.queue_flow.set_filters()
        self.apply_role()
        self.update_status()
        self.window.record_flow.clear()
        self.window.queue_flow.load_samples()

    def update_status(self) -> None:
        """The person and their role (or single-user mode) in the status bar, and the audit in the title."""
        s, p = self.state, self.state.person
        if s.db is None:
            who = f"{s.user or 'nobody yet (File > Change who is working…)'}"
        elif p is None:
            who = f"{s.user or 'nobody'}: not identified on this audit"
        else:
            who = f"{p.name} · {p.title}" + (" · reviewing assigned records" if s.review_mode else "")
        i = s.info
        if i is not None and s.db is not None:
            closed = " (closed)" if i.closed else ""
            self.window.setWindowTitle(f"CDI Workbench: audit {i.name}{closed} · {i.force}, "
                                       f"{display_date(i.period_start)} to {display_date(i.period_end)} "
                                       f"({s.db.display_name})")
            self.window.menus.show_audit(i.closed)
            self.views.audit_label.setText(
                f"Audit: <b>{escape(i.name)}</b>{closed} · {display_date(i.period_start)} to "
                f"{display_date(i.period_end)} · <a href='switch'>Switch audit…</a>")
            self.views.who_label.setText(f"{who} · {i.rules.title}")
        else:
            self.views.who_label.setText(who)
            self.views.audit_label.setText("")
