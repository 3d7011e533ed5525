"""The Review menu: peer review (assigning, disagreements and the lead's final verdict, people) and the force's
challenge round (the failed records out to the force, its responses back, its challenges decided).

A part of the main window (ui/main_window.py), not a mixin: it reads and changes the window's AuditState, calls
the window's operations by their names on the window (so one replaced there is the one called) and the other
parts' helpers through the window's parts; every database call goes through the runner to the core's operations.
"""

from __future__ import annotations

from functools import partial
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog

from cdi_workbench.audit import operations as ops

from .state import AuditState

if TYPE_CHECKING:
    from .main_window import MainWindow


class ReviewActions:
    """Review-menu actions of the main window."""

    def __init__(self, window: MainWindow, state: AuditState) -> None:
        self.window, self.state = window, state

    # ---- peer review ---------------------------------------------------------------------------------------
    def assign_reviews(self) -> None:
        w, s = self.window, self.state
        if s.svc is None or s.person is None:
            return
        from .assign_dialog import AssignDialog

        svc = s.svc

        def show(samples) -> None:  # noqa: ANN001
            dialog = AssignDialog(svc, w.runner, samples, s.sample_id, w.selected_items(),
                                  not s.person.registered if s.person else True, w)
            dialog.assigned.connect(self._assignments_changed)
            dialog.open()
            w.assign_dialog = dialog

        w.runner.run(svc.samples, show)

    def reopen_review(self) -> None:
        """The lead reopens the sealed blind review of the record in view, with a reason (the core refuses anyone
        else, a review that is not sealed, and no reason)."""
        w, s = self.window, self.state
        if s.svc is None or s.current_item is None:
            return
        reason, ok = QInputDialog.getText(w, "Reopen a sealed review",
                                          "Why may the reviewer change their sealed review? (it goes in the history)")
        if not ok or not reason.strip():
            return
        svc, item_id = s.svc, s.current_item

        def done(changes: ops.Changes) -> None:
            w.statusBar().showMessage("The review is reopened: its reviewer may change it; completed again, it is "
                                      "sealed again.", 5000)
            w.apply_changes(changes)
            w.reload_record()

        w.runner.run(partial(ops.reopen_review, svc, item_id, reason), done,
                     lambda msg: w.show_error("The review was not reopened", escape(msg)))

    def export_my_assignment(self, path: str | None = None) -> None:
        """The records assigned to the person for review as one audit package, without naming positions (blind
        where the assignment is blind: the core decides; audit.assignment_export)."""
        w, s = self.window, self.state
        if s.svc is None:
            return
        from cdi_workbench.audit import review_operations as rops

        svc = s.svc

        def chosen(mine: dict[str, list[int]]) -> None:
            if not mine:
                w.show_error("Nothing to export", "No records are assigned to you for review.")
                return
            sample = next(iter(mine))
            if len(mine) > 1:
                sample, ok = QInputDialog.getItem(w, "Export my assigned records",
                                                  "Your records to review are in several samples: which one?",
                                                  list(mine), 0, False)
                if not ok:
                    return
            target = path
            if not target:
                target, _ = QFileDialog.getSaveFileName(w, "Export my assigned records", f"{sample}-mine.cdipkg",
                                                        "Audit package (*.cdipkg)")
            if not target:
                return
            w.runner.run(partial(rops.export_my_assignment, svc, target, sample, True), done,
                         lambda msg: w.show_error("Your records were not exported", escape(msg)))

        def done(r) -> None:  # noqa: ANN001 (packages.ExportResult)
            blind = f"; {r.blind} blind (nothing of the auditor's verdict)" if r.blind else ""
            w.statusBar().showMessage(f"Wrote {r.path.name}: your {r.items} record(s) of '{r.sample}' (positions "
                                      f"{r.positions}){blind}. Bring it back with File > Import audit package…",
                                      10000)

        w.runner.run(partial(rops.my_assignment, svc), chosen,
                     lambda msg: w.show_error("Your records were not exported", escape(msg)))

    def _assignments_changed(self) -> None:
        if self.state.review_mode:
            self.window.queue_flow.load_samples(self.state.sample_id)

    def show_disagreements(self) -> None:
        w, svc = self.window, self.state.svc
        if svc is None:
            return
        from .disagreements_dialog import DisagreementsDialog

        dialog = DisagreementsDialog(svc, w.runner, w)
        dialog.open_item.connect(w.go_to_item)
        dialog.decided.connect(self._decided)
        dialog.write_final.connect(self.write_final)
        dialog.open()
        w.disagreements_dialog = dialog

    def write_final(self, item_id: int, reason: str) -> None:
        """The lead writes the final verdict on a disagreement: the record opens with the panel on the final
        verdict (starting from the reviewer's answers); the first change carries the lead's reason."""
        self.state.final_item, self.state.final_reason = item_id, reason
        self.window.go_to_item(item_id)

    def _decided(self) -> None:
        self.window.refresh_findings()
        if self.state.review_mode:
            self.window.load_queue()

    def show_people(self) -> None:
        w, s = self.window, self.state
        if s.db is None:
            return
        from .people_dialog import PeopleDialog

        dialog = PeopleDialog(s.db, w.runner, s.user, w, me=s.person.name if s.person is not None else "")
        dialog.changed.connect(w.identify)  # the first person registered ends single-user mode
        dialog.open()
        w.people_dialog = dialog

    # ---- the force's challenges ----------------------------------------------------------------------------
    def export_for_force(self, path: str | None = None) -> None:
        w, s = self.window, self.state
        if s.db is None:
            return
        if not path:
            path, _ = QFileDialog.getSaveFileName(w, "Export failed records for the force", "for-the-force.xlsx",
                                                  "Excel workbook (*.xlsx)")
        if not path:
            return
        from cdi_workbench.challenges import export_for_force

        db, target, who = s.db, path, s.user
        w.runner.run(partial(export_for_force, db, target, who),
                     lambda n: w.statusBar().showMessage(
                         f"Wrote {n} failure(s) to {target}: the force answers agree or challenge on each", 10000),
                     lambda msg: w.show_error("The failed records were not exported", msg))

    def import_force_responses(self, path: str | None = None) -> None:
        w, s = self.window, self.state
        if s.db is None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(w, "Import the force's responses", "", "Excel workbook (*.xlsx)")
        if not path:
            return
        from cdi_workbench.challenges import ResponseError, import_responses

        db, source, who = s.db, path, s.user

        def work():  # noqa: ANN202 (the counts, or the problems found: nothing is stored then)
            try:
                return import_responses(db, source, who)
            except ResponseError as exc:
                return exc

        def done(result) -> None:  # noqa: ANN001
            if isinstance(result, ResponseError):
                shown = "<br>".join(escape(p) for p in result.problems[:15])
                more = f"<br>…and {len(result.problems) - 15} more" if len(result.problems) > 15 else ""
                w.show_error(f"Nothing was imported: {len(result.problems)} problem(s) in the force's workbook",
                             shown + more)
                return
            w.statusBar().showMessage(f"Stored the force's responses: {result['agree']} agreed, "
                                      f"{result['challenge']} challenged"
                                      + (f"; {result['unchanged']} unchanged since the last import"
                                         if result["unchanged"] else ""), 10000)
            w.refresh_findings()
            if w.menus.allowed("decide challenges")[0]:
                self.show_challenges()

        w.runner.run(work, done, lambda msg: w.show_error("The responses were not imported", msg))

    def show_challenges(self) -> None:
        w, s = self.window, self.state
        if s.db is None:
            return
        from .challenges_dialog import ChallengesDialog

        dialog = ChallengesDialog(s.db, w.runner, s.user, w, s.svc.audit if s.svc is not None else None)
        dialog.open_item.connect(w.go_to_item)
        dialog.decided.connect(w.refresh_findings)
        dialog.open()
        w.challenges_dialog = dialog
