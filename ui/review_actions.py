"""The Review menu: peer review (assigning, the reviewer's mode, disagreements, people) and the force's
challenge round, as a part of the main window (mixed into MainWindow, whose runner, database, service, person
and queue they use; every database call goes through the runner)."""

from __future__ import annotations

from functools import partial
from html import escape

from PySide6.QtWidgets import QFileDialog


class ReviewActions:
    """Review-menu actions of the main window."""

    # ---- the force's challenges (Review menu) and peer review agreement ------------------------------------
    def _build_challenge_actions(self, menu) -> None:  # noqa: ANN001 (QMenu)
        """The challenge round's actions, kept together in the Review menu."""
        self._action(menu, "E&xport failed records for the force…", None, self.export_for_force,
                     need="exchange with the force")
        self._action(menu, "&Import the force's responses…", None, self.import_force_responses,
                     need="exchange with the force")
        self._action(menu, "The force's &challenges…", None, self.show_challenges, need="decide challenges")
        menu.addSeparator()

    # ---- peer review (Review menu) -------------------------------------------------------------------------
    def _build_review_actions(self, menu) -> None:  # noqa: ANN001 (QMenu)
        self.review_action = self._action(menu, "&Review my assigned records", None, self.set_review_mode,
                                          need="review mode")
        self.review_action.setCheckable(True)  # triggered(checked) switches the mode
        self._action(menu, "&Assign records for review…", None, self.assign_reviews, need="assign reviews")
        self._action(menu, "&Disagreements…", None, self.show_disagreements, need="adjudicate")
        menu.addSeparator()
        self._action(menu, "&People…", None, self.show_people, need="manage people")

    def selected_items(self) -> list[int]:
        """The audit items selected in the queue (for assigning by hand)."""
        rows = sorted({i.row() for i in self.queue.selectionModel().selectedRows()})
        return [self.queue_model.rows[r].item_id for r in rows if r < len(self.queue_model.rows)]

    def assign_reviews(self) -> None:
        if self.svc is None or self.person is None:
            return
        from .assign_dialog import AssignDialog

        svc = self.svc

        def show(samples) -> None:  # noqa: ANN001
            dialog = AssignDialog(svc, self.runner, samples, self.sample_id, self.selected_items(),
                                  not self.person.registered if self.person else True, self)
            dialog.assigned.connect(self._assignments_changed)
            dialog.open()
            self.assign_dialog = dialog

        self.runner.run(svc.samples, show)

    def _assignments_changed(self) -> None:
        if self.review_mode:
            self._load_samples(self.sample_id)

    def show_disagreements(self) -> None:
        if self.svc is None:
            return
        from .disagreements_dialog import DisagreementsDialog

        dialog = DisagreementsDialog(self.svc, self.runner, self)
        dialog.open_item.connect(self.go_to_item)
        dialog.decided.connect(self._decided)
        dialog.write_final.connect(self.write_final)
        dialog.open()
        self.disagreements_dialog = dialog

    def write_final(self, item_id: int, reason: str) -> None:
        """The lead writes the final verdict on a disagreement: the record opens with the panel on the final
        verdict (starting from the reviewer's answers); the first change carries the lead's reason."""
        self.final_item, self.final_reason = item_id, reason
        self.go_to_item(item_id)

    def _decided(self) -> None:
        self.refresh_findings()
        if self.review_mode:
            self.load_queue()

    def show_people(self) -> None:
        if self.db is None:
            return
        from .people_dialog import PeopleDialog

        dialog = PeopleDialog(self.db, self.runner, self.user, self,
                              me=self.person.name if self.person is not None else "")
        dialog.changed.connect(self.identify)  # the first person registered ends single-user mode
        dialog.open()
        self.people_dialog = dialog

    def refresh_agreement(self) -> None:
        """Auditor and reviewer agreement per check, for the findings view's 'Peer review agreement' tab."""
        if self.db is None or not self._allowed("findings")[0]:
            return
        from cdi_workbench.agreement import agreement
        from cdi_workbench.reports.common import ReviewFigures

        db = self.db  # on the findings' own worker, coalesced (see refresh_findings)
        method = getattr(self, "interval_method", "normal")
        self.reader.request("agreement", lambda: ReviewFigures(agreement(db, method=method)),
                            lambda review: self.findings_view.show_agreement(review) if self.db is db else None,
                            lambda msg: self._show_error("The peer review agreement could not be worked out", msg)
                            if self.db is db else None)

    def export_for_force(self, path: str | None = None) -> None:
        if self.db is None:
            return
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export failed records for the force", "for-the-force.xlsx",
                                                  "Excel workbook (*.xlsx)")
        if not path:
            return
        from cdi_workbench.challenges import export_for_force

        db, target = self.db, path
        who = self.user
        self.runner.run(partial(export_for_force, db, target, who),
                        lambda n: self.statusBar().showMessage(
                            f"Wrote {n} failure(s) to {target}: the force answers agree or challenge on each", 10000),
                        lambda msg: self._show_error("The failed records were not exported", msg))

    def import_force_responses(self, path: str | None = None) -> None:
        if self.db is None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Import the force's responses", "", "Excel workbook (*.xlsx)")
        if not path:
            return
        from cdi_workbench.challenges import ResponseError, import_responses

        db, source, who = self.db, path, self.user

        def work():  # noqa: ANN202 (the counts, or the problems found: nothing is stored then)
            try:
                return import_responses(db, source, who)
            except ResponseError as exc:
                return exc

        def done(result) -> None:  # noqa: ANN001
            if isinstance(result, ResponseError):
                shown = "<br>".join(escape(p) for p in result.problems[:15])
                more = f"<br>…and {len(result.problems) - 15} more" if len(result.problems) > 15 else ""
                self._show_error(f"Nothing was imported: {len(result.problems)} problem(s) in the force's workbook",
                                 shown + more)
                return
            self.statusBar().showMessage(f"Stored the force's responses: {result['agree']} agreed, "
                                         f"{result['challenge']} challenged"
                                         + (f"; {result['unchanged']} unchanged since the last import"
                                            if result["unchanged"] else ""), 10000)
            self.refresh_findings()
            if self._allowed("decide challenges")[0]:
                self.show_challenges()

        self.runner.run(work, done, lambda msg: self._show_error("The responses were not imported", msg))

    def show_challenges(self) -> None:
        if self.db is None:
            return
        from .challenges_dialog import ChallengesDialog

        dialog = ChallengesDialog(self.db, self.runner, self.user, self)
        dialog.open_item.connect(self.go_to_item)
        dialog.decided.connect(self.refresh_findings)
        dialog.open()
        self.challenges_dialog = dialog
