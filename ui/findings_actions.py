"""The findings: worked out again (coalesced, off the record's worker), the peer review agreement beside them, the
records behind a figure, a previous audit's figures in brackets, the rates' interval method, the recorded-crime
figures for the annual estimate, and the export (Excel, PDF, JSON; pseudonymised and password-protected if ticked).

A part of the main window (ui/main_window.py), not a mixin: it reads and changes the window's AuditState, calls
the window's operations by their names on the window (so one replaced there is the one called) and the other
parts' helpers through the window's parts; every database call goes through the runner (or the findings' own
reader) to the core's operations.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QLineEdit

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit.service import AuditService
from cdi_workbench.findings import Findings
from cdi_workbench.reports.protect import PROTECTABLE

from . import export_options
from .paths import export_start, remember_export
from .state import AuditState
from .window_layout import Views

if TYPE_CHECKING:
    from .main_window import MainWindow


class FindingsActions:
    """The findings dock's figures, and the File menu's findings actions."""

    def __init__(self, window: MainWindow, state: AuditState, views: Views) -> None:
        self.window, self.state, self.views = window, state, views
        self.timer = QTimer(window, singleShot=True, interval=300)  # a burst of saves: one refresh (see soon)
        self.timer.timeout.connect(self.refresh_findings)
        views.findings_view.trends_view.window_chosen.connect(lambda _key: self.trends_window_chosen())

    def soon(self) -> None:
        """Refresh the findings once the saves in hand have settled (300 ms)."""
        self.timer.start()

    def findings(self, db: ops.AuditHandle | None = None, audit: str | None = None) -> Findings:
        """Compute the findings (in a worker) of the audit open in the window (or `audit` of `db`), with a previous
        audit's figures in brackets if chosen."""
        s = self.state
        if db is None:
            db, audit = s.db, s.svc.audit if s.svc is not None else None
        assert db is not None
        return ops.findings(db, s.interval_method, s.previous_audit, audit)

    def refresh_findings(self) -> None:
        """Work the findings out again, off the record's worker (the window's reader): the next record never waits
        for them, and a refresh asked while one waits is the same refresh. The By unit tab's figures too, while it
        is shown (else when it is next shown)."""
        w, s = self.window, self.state
        if s.db is None or s.svc is None or not w.menus.allowed("findings")[0]:
            return
        db, svc = s.db, s.svc

        def show(findings: Findings) -> None:
            if s.svc is svc:  # not the figures of an audit or a database closed meanwhile
                self.views.findings_view.show_findings(findings)

        def failed(msg: str) -> None:
            if s.svc is svc:
                w.show_error("The findings could not be worked out", msg)

        w.reader.request("findings", partial(self.findings, db, svc.audit), show, failed)
        view = self.views.findings_view
        view.units_stale = view.trends_stale = view.team_stale = True
        if view.units_shown():
            self.refresh_units()
        if view.trends_shown():
            self.refresh_trends()
        if view.team_shown():
            self.refresh_team()
        w.refresh_agreement()

    def refresh_units(self) -> None:
        """The findings by owning unit of the audit open (the By unit tab), off the record's worker."""
        from cdi_workbench.audit.programme_operations import findings_by_unit

        method, view = self.state.interval_method, self.views.findings_view
        self.work_out_shown("by unit", "units_stale", lambda svc: findings_by_unit(svc.db, method, svc.audit),
                            view.show_by_unit, "The findings by unit could not be worked out", in_dialog=True)

    def refresh_trends(self) -> None:
        """The key figures across the programme's audits of the window chosen on the Trends tab (this month, last
        month, the last 6 or 12 months, all), off the record's worker: every audit's findings are worked out, so only
        while the tab is shown, coalesced with the other figures."""
        from cdi_workbench.audit.programme_operations import trends

        method, view = self.state.interval_method, self.views.findings_view.trends_view
        window = view.time_window()
        self.work_out_shown("trends", "trends_stale", lambda svc: trends(svc, method, window), view.show_trends,
                            "The trends could not be worked out")

    def refresh_team(self) -> None:
        """Who has audited what in the audit open (the Team tab), off the record's worker, while it is shown."""
        from cdi_workbench.audit.programme_operations import team

        view = self.views.findings_view
        self.work_out_shown("team", "team_stale", team, view.show_team, "The team could not be shown")

    def trends_window_chosen(self) -> None:
        """Another window of audits chosen on the Trends tab: the trends worked out again for it (now if the tab is
        shown, else when it is next shown); the choice stays while the window is open."""
        view = self.views.findings_view
        view.trends_stale = True
        if view.trends_shown():
            self.refresh_trends()

    def work_out_shown(self, key: str, stale: str, operation: Callable[[AuditService], Any],
                       show: Callable[..., None], failure: str, in_dialog: bool = False) -> None:
        """A findings tab's figures worked out while the tab is shown: `operation(svc)` on the window's reader (the
        request `key`, coalesced), its result given to the view's setter `show`, for the audit still open. The tab's
        `stale` flag (on the findings view) is cleared now and set again on failure, which is said in `failure`'s
        words: in a message box if `in_dialog`, else on the tab (`show(None, words)`)."""
        w, s = self.window, self.state
        if s.db is None or s.svc is None or not w.menus.allowed("findings")[0]:
            return
        svc, view = s.svc, self.views.findings_view
        setattr(view, stale, False)

        def shown(found: object) -> None:
            if s.svc is svc:  # not the figures of an audit or a database closed meanwhile
                show(found)

        def failed(msg: str) -> None:
            if s.svc is svc:
                setattr(view, stale, True)
                if in_dialog:
                    w.show_error(failure, msg)
                else:
                    show(None, f"{failure}: {msg}")

        w.reader.request(key, partial(operation, svc), shown, failed)

    def refresh_agreement(self) -> None:
        """Auditor and reviewer agreement per check, for the findings view's 'Peer review agreement' tab."""
        w, s = self.window, self.state
        if s.db is None or not w.menus.allowed("findings")[0]:
            return
        from cdi_workbench.audit.review_operations import review_figures
        from cdi_workbench.reports.common import ReviewFigures

        db, svc = s.db, s.svc  # on the findings' own worker, coalesced (see refresh_findings)
        method = s.interval_method
        if svc is None:
            return

        def work() -> ReviewFigures:  # the role checked in the core; the lead's decisions and the final verdict too
            figures: ReviewFigures = review_figures(svc, method)
            return figures

        def show(review: ReviewFigures) -> None:
            if s.db is db and s.svc is svc:
                self.views.findings_view.show_agreement(review)

        def failed(msg: str) -> None:
            if s.db is db and s.svc is svc:
                w.show_error("The peer review agreement could not be worked out", msg)

        w.reader.request("agreement", work, show, failed)

    def set_interval_method(self, key: str) -> None:
        actions = self.window.menus.interval_actions
        self.state.interval_method = key
        actions[key].setChecked(True)
        self.window.refresh_findings()
        self.window.statusBar().showMessage(f"Rates now show the {actions[key].text()} interval", 6000)

    def choose_previous(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "The previous audit to compare with", "",
                                              "Audit databases (*.db);;All files (*)")
        if path:
            from .session_flow import ask_passphrase

            # an encrypted previous audit: its passphrase asked here, on the window's thread, once a session (a
            # wrong one is refused in words when the figures are worked out, and forgotten)
            if not ops.unlock(path, partial(ask_passphrase, self.window)):
                return
        self.state.previous_audit = path or None
        self.window.refresh_findings()
        if path:
            self.window.statusBar().showMessage(f"Figures now show the previous audit's in brackets: {path}", 8000)

    def edit_recorded_crime(self) -> None:
        """The force's police-recorded crime (12 months to the end of the period) per group: 0 leaves it out."""
        if self.state.db is None:
            return
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QSpinBox

        from cdi_workbench.findings import RATE_GROUPS

        w, db, audit = self.window, self.state.db, (self.state.svc.audit if self.state.svc else None)  # the open one

        def show(values: dict[str, int]) -> None:
            dialog = QDialog(w)
            dialog.setWindowTitle("Recorded crime for the annual estimate")
            form = QFormLayout(dialog)
            form.addRow(QLabel("Police-recorded crime for the 12 months to the end of the audit period, excluding "
                               "fraud (0 leaves a group out of the estimate):", wordWrap=True))
            boxes = {}
            for key, label in RATE_GROUPS:
                box = QSpinBox(maximum=50_000_000, value=values.get(key, 0))
                box.setGroupSeparatorShown(True)  # a property of QAbstractSpinBox: not a keyword in the stubs
                form.addRow(label + ":", box)
                boxes[key] = box
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
            form.addRow(buttons)
            buttons.rejected.connect(dialog.reject)

            def save() -> None:
                figures = {k: (b.value() or None) for k, b in boxes.items()}
                w.runner.run(partial(ops.set_recorded_crime, db, figures, self.state.user, audit), w.apply_changes,
                             lambda msg: w.show_error("Not saved", msg))
                dialog.accept()

            buttons.accepted.connect(save)
            dialog.open()
            w.recorded_dialog = dialog

        w.runner.run(partial(ops.recorded_crime, db, audit), show)

    def drill_down(self, items: list[int], title: str) -> None:
        """Show the records behind a figure; opening one goes to it in its sample."""
        svc = self.state.svc
        if svc is None:
            return
        w = self.window

        def show(rows) -> None:  # noqa: ANN001
            from .drill_dialog import DrillDialog

            dialog = DrillDialog(title, rows, w)
            dialog.open_item.connect(w.go_to_item)
            dialog.open()
            w.drill_dialog = dialog

        w.runner.run(partial(svc.rows_for_items, items), show)

    def export_findings(self) -> None:
        w, db = self.window, self.state.db
        if db is None:
            return
        path, chosen, pseudonymise, *protect = export_options.save_file_name(  # with the pseudonymise and
            w, "Export findings", export_start(w.settings, db, "findings.xlsx"),  # protect check boxes
            "Excel workbook (*.xlsx);;PDF report (*.pdf);;JSON (*.json)")
        if path:
            remember_export(w.settings, path)
            target = Path(path)
            if target.suffix.lower() not in (".xlsx", ".pdf", ".json"):  # the type chosen, when none was typed
                ext = next((e for e in (".xlsx", ".pdf", ".json") if e in chosen), ".xlsx")
                target = target.with_name(target.name + ext)
            password = None
            if protect and protect[0] and target.suffix.lower() in PROTECTABLE:  # JSON: the dialog said it stays plain
                password = self.ask_password()
                if password is None:
                    return  # cancelled, empty or two that differ: nothing written
            w.export_to(target, pseudonymise, password)

    def ask_password(self) -> str | None:
        """The password for a protected export, asked twice (echo off); None, with a message if need be, when it is
        cancelled, empty, or the two differ. It is handed to the export and never kept."""
        w = self.window
        title = "Protect the export"
        first, ok = QInputDialog.getText(w, title, "Password for the file:", QLineEdit.EchoMode.Password)
        if not ok:
            return None
        if not first:
            w.show_error("Not exported", "No password was given: nothing was written.")
            return None
        again, ok = QInputDialog.getText(w, title, "The same password again:", QLineEdit.EchoMode.Password)
        if not ok:
            return None
        if again != first:
            w.show_error("Not exported", "The two passwords differ: nothing was written.")
            return None
        return first

    def export_to(self, path: Path, pseudonymise: bool = False, password: str | None = None) -> None:
        """Export the findings to `path`; pseudonymised, with the report beside it (cdi_workbench.pseudonymise); with
        `password` (a PDF or workbook only), protected with it (cdi_workbench.reports.protect)."""
        w = self.window
        if path.suffix.lower() not in (".xlsx", ".pdf", ".json"):
            w.show_error("Cannot export", f"{path.name}: choose a .xlsx, .pdf or .json file name")
            return
        if self.state.db is None:
            return
        from cdi_workbench.reports import export_findings
        from cdi_workbench.reports.common import review_figures
        from cdi_workbench.reports.protect import protected

        db, user = self.state.db, self.state.user
        audit = self.state.svc.audit if self.state.svc is not None else None  # the audit open in the window

        def export() -> Path:  # the core checks the role and records the export in the trail
            findings = self.findings(db, audit)  # computed once: the review figures reuse it
            method = self.state.interval_method
            review = review_figures(db, method=method, findings=findings)
            if pseudonymise:  # the free text pseudonymised before the writer sees it; the report beside the file
                from cdi_workbench.pseudonymise_exports import export_findings as export_pseudonymised
                from cdi_workbench.pseudonymise_exports import pseudonymise_findings

                with protected(password):  # the one findings export underneath writes it protected
                    return export_pseudonymised(db, user, pseudonymise_findings(db, findings, review), path)
            return export_findings(db, user, findings, path, review, password=password)

        done = (f"Exported the findings to {path}" + (", password-protected" if password else "")
                + (", pseudonymised (what was replaced: beside it, "
                   f"{path.name}.pseudonymisation.txt)" if pseudonymise else ""))
        w.runner.run(export, lambda _r: w.statusBar().showMessage(done, 8000),
                     lambda msg: w.show_error("Export failed", msg))
