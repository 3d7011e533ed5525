"""The Programme menu: switch to another audit of the programme, create a new one, close or reopen the one open.

A part of the main window (ui/main_window.py), not a mixin: it reads the window's AuditState and calls the window's
operations by their names on the window; every database call goes through the runner to the core's programme
operations (cdi_workbench.audit.programme_operations), which check the person's role themselves. Switching replaces
the whole state as opening another database does (ui/session_flow.py: audit_switched).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from .state import AuditState

if TYPE_CHECKING:
    from cdi_workbench.audit import operations as ops
    from cdi_workbench.audit import programme_operations as pops
    from cdi_workbench.audit.service import AuditService

    from .main_window import MainWindow


class AuditActions:
    """The Programme menu's actions."""

    def __init__(self, window: MainWindow, state: AuditState) -> None:
        self.window, self.state = window, state

    def _programme(self, then) -> None:  # noqa: ANN001 (a callable taking the Programme)
        """The programme's audits from the core (the person identified there), then `then(programme)`."""
        from cdi_workbench.audit import programme_operations as pops

        w, svc = self.window, self.state.svc
        if svc is None:
            w.show_error("No audit database open", "File &gt; Open audit database… first.")
            return
        w.runner.run(partial(pops.programme, svc), then, lambda msg: w.show_error("The audits could not be listed",
                                                                                  msg))

    # ---- switching -----------------------------------------------------------------------------------------
    def switch_audit(self) -> None:
        """Programme > Switch audit…: the programme's audits, the one to work on chosen."""
        self._programme(self._choose)

    def _choose(self, programme: pops.Programme) -> None:
        from .audit_dialogs import SwitchAuditDialog

        w = self.window
        dialog = SwitchAuditDialog(programme, w)
        dialog.chosen.connect(self.open_audit)
        dialog.open()
        w.audit_dialog = dialog

    def open_audit(self, name: str) -> None:
        """Work on the programme's audit called `name`: the whole state replaced once the work in hand is done (the
        rationale being typed and the record's position kept first)."""
        from cdi_workbench.audit import programme_operations as pops

        w, s = self.window, self.state
        if s.svc is None:
            return
        w.panel.rationale.clearFocus()  # commits a rationale being typed, to the audit it belongs to
        w.record_flow.remember_pending_position()
        svc = s.svc

        def switch() -> None:
            if s.svc is svc:
                w.runner.run(partial(pops.switch_audit, svc, name), self._switched,
                             lambda msg: w.show_error(f"Cannot open the audit {name}", msg))

        w.runner.when_idle(switch)

    def _switched(self, opened: ops.OpenedAudit) -> None:
        w = self.window
        if opened.db is not self.state.db:  # another database was opened meanwhile
            return
        w.session.audit_switched(opened)
        w.statusBar().showMessage(f"Now working on the audit {opened.info.name}", 8000)

    # ---- the programme's audits ----------------------------------------------------------------------------
    def new_audit(self) -> None:
        """Programme > New audit…: name, period and rule set (the lead's; the core checks and refuses in words)."""
        self._programme(self._ask_new)

    def _ask_new(self, programme: pops.Programme) -> None:
        from .audit_dialogs import NewAuditDialog

        w, svc = self.window, self.state.svc
        if svc is None:
            return
        dialog = NewAuditDialog(svc, w.runner, programme, w)
        dialog.created.connect(self._created)
        dialog.open()
        w.audit_dialog = dialog

    def _created(self, created: pops.Created, switch: bool) -> None:
        row = created.row
        self.window.statusBar().showMessage(f"Created the audit {row.name} ({row.period}, {row.rules})", 8000)
        if created.warning:  # a period overlapping others': allowed, and said where it will be read
            QMessageBox.information(self.window, "The audit overlaps others", created.warning)
        if switch:
            self.open_audit(row.name)

    # ---- the month's samples from a design --------------------------------------------------------------------
    def draw_design(self) -> None:
        """Programme > Draw the month's samples from a design…: the designs and the audits from the core, then the
        dialog; the core draws (and checks the role)."""
        from cdi_workbench.audit import programme_operations as pops

        w, svc = self.window, self.state.svc
        if svc is None:
            w.show_error("No audit database open", "File &gt; Open audit database… first.")
            return
        w.runner.run(partial(pops.design_choices, svc), self._ask_design,
                     lambda msg: w.show_error("The sample designs could not be listed", msg))

    def _ask_design(self, choices: pops.DesignChoices) -> None:
        from .design_dialog import DesignDrawDialog

        w, svc = self.window, self.state.svc
        if svc is None:
            return
        dialog = DesignDrawDialog(svc, w.runner, choices, w)
        dialog.drawn.connect(partial(self._design_drawn, svc))
        dialog.open()
        w.audit_dialog = dialog

    def _design_drawn(self, svc: AuditService, drawn: pops.DesignDrawn) -> None:
        """The samples drawn reach the sample list (the audit open) and the figures, as any draw does."""
        w, s = self.window, self.state
        if s.svc is not svc:
            return
        made = [d for d in drawn.run.drawn if not d.skipped]
        w.statusBar().showMessage(f"Drew {len(made)} sample{'s' if len(made) != 1 else ''} of the design "
                                  f"'{drawn.run.design}' for the audit {drawn.run.audit}", 8000)
        if drawn.current:
            first = next((x.id for x in drawn.samples if x.name == made[0].sample), None) if made else None
            w.queue_flow.set_samples(drawn.samples, first)
        if drawn.changes.findings:
            w.findings_actions.soon()

    # ---- others' changes to the programme --------------------------------------------------------------------
    def programme_changed(self, found: pops.ProgrammeLook, before: tuple[tuple[str, bool], ...] | None) -> None:
        """Others created, closed or reopened audits: said in the status bar, the open audit's title as it now is,
        the Switch audit dialog (if open) listing the audits as they now are, the trends worked out again."""
        from cdi_workbench.audit import programme_operations as pops

        from .audit_dialogs import SwitchAuditDialog

        w, s = self.window, self.state
        old = dict(before or ())
        said = [f"{name} added" for name, _closed in found.audits if name not in old]
        said += [f"{name} {'closed' if closed else 'reopened'}" for name, closed in found.audits
                 if name in old and old[name] != closed]
        if said:
            w.statusBar().showMessage(f"The programme's audits changed: {', '.join(said)}", 15000)
        if s.info != found.info:
            s.info = found.info
            w.session.update_status()
        w.findings_view.trends_stale = True
        if w.findings_view.trends_shown():
            w.findings_actions.refresh_trends()
        dialog, svc = w.audit_dialog, s.svc
        if isinstance(dialog, SwitchAuditDialog) and dialog.isVisible() and svc is not None:
            w.runner.run(partial(pops.programme, svc), dialog.set_programme)

    def close_audit(self) -> None:
        """Programme > Close this audit…: no more samples are drawn for it and its findings read as final (the lead's;
        the lead can reopen it)."""
        w, info = self.window, self.state.info
        if info is None:
            return
        if QMessageBox.question(w, "Close the audit", f"Close the audit {info.name}? No more samples can be drawn "
                                "for it, and its findings read as final: its verdicts cannot be changed until the "
                                "audit lead reopens it.") != QMessageBox.StandardButton.Yes:
            return
        self._close(info.name, reopen=False)

    def reopen_audit(self) -> None:
        """Programme > Reopen this audit: samples can be drawn for it again."""
        if self.state.info is not None:
            self._close(self.state.info.name, reopen=True)

    def _close(self, name: str, reopen: bool) -> None:
        from cdi_workbench.audit import programme_operations as pops

        w, s = self.window, self.state
        svc = s.svc
        if svc is None:
            return

        def done(closed: pops.Closed) -> None:
            if s.svc is not svc:
                return
            s.info = closed.info
            w.session.update_status()
            w.menus.gate()  # a closed audit's verdicts read as final: the panel read-only until it is reopened
            w.views.panel.setEnabled(w.menus.allowed("edit")[0])
            w.statusBar().showMessage(f"{'Reopened' if reopen else 'Closed'} the audit {name}", 8000)
            if closed.changes.findings:
                w.refresh_findings()

        w.runner.run(partial(pops.close_audit, svc, name, reopen), done,
                     lambda msg: w.show_error(f"The audit was not {'reopened' if reopen else 'closed'}", msg))
