"""The queue pane: the samples, the queue of records (filter, search, selection, moving on), going to a record
wherever it is, and what others change meanwhile (looked for every 15 seconds with ops.look, applied in one place:
apply_changes).

A part of the main window (ui/main_window.py), not a mixin: it reads and changes the window's AuditState, calls
the window's operations by their names on the window (so one replaced there is the one called) and the other
parts' helpers through the window's parts; every database call goes through the runner to the core's operations.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import partial
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import QHeaderView

from cdi_workbench.audit import operations as ops
from cdi_workbench.audit import review
from cdi_workbench.audit.service import QUEUE_FILTERS, AuditService, SampleInfo

from .queue_model import REVIEW_FILTERS
from .state import AuditState
from .window_layout import Views

if TYPE_CHECKING:
    from cdi_workbench.audit import programme_operations as pops

    from .main_window import MainWindow

SAMPLE_NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # the sample chooser keeps each sample's name here


class QueueFlow:
    """The samples, the queue and the record selected in it; others' changes."""

    def __init__(self, window: MainWindow, state: AuditState, views: Views) -> None:
        self.window, self.state, self.views = window, state, views
        self.search_timer = QTimer(window, singleShot=True, interval=250)  # the queue follows the search typed
        self.search_timer.timeout.connect(self.load_queue)
        # others at work on a shared database: look every 15 seconds for changes this window has not seen
        self.watch = QTimer(window, interval=15000)
        self.watch.timeout.connect(self.check_others)

    # ---- samples -------------------------------------------------------------------------------------------
    def load_samples(self, select: int | None = None) -> None:
        """The sample chooser (in reviewer mode, the samples with records assigned to the person), then the
        remembered sample and position."""
        s = self.state
        svc, person, reviewing = s.svc, s.person, s.review_mode
        if svc is None or person is None:
            return

        def work() -> tuple[list[SampleInfo], str]:
            samples = svc.samples()
            if reviewing:
                counts: dict[int, int] = {}
                for a in review.assignments(svc, reviewer=person.name):
                    counts[a.sample_id] = counts.get(a.sample_id, 0) + 1
                samples = [replace(smp, size=counts[smp.id]) for smp in samples if smp.id in counts]
            return samples, svc.recall("sample")

        def done(result) -> None:  # noqa: ANN001
            samples, remembered = result
            self.fill_samples(samples)
            if not samples:
                s.sample_id = None
                self.views.queue_model.set_rows([])
                self.window.record_flow.clear()
                self.views.record_view.setHtml(
                    "<h3>No records are assigned to you for review yet</h3><p>The audit lead assigns records "
                    "for peer review (Review &gt; Assign records for review…); they appear here.</p>"
                    if reviewing else self._no_sample_text())
                return
            self._restore_sample(str(select) if select is not None else remembered)

        self.window.runner.run(work, done)

    def _no_sample_text(self) -> str:
        """What the record pane says while the audit open has no sample: which audit, and how to draw one."""
        info = self.state.info
        audit = f" for the audit {escape(info.name)}" if info is not None else ""
        return (f"<h3>No sample drawn yet{audit}</h3><p>Sample &gt; Draw a sample… (Ctrl+Shift+D) draws one from "
                "the records of the audit's period; Programme &gt; Draw the month's samples from a design… draws "
                "every sample of a design (such as the monthly dip-sample) in one step.</p>")

    def fill_samples(self, samples) -> None:  # noqa: ANN001 (list of SampleInfo)
        """The sample chooser's entries, without signalling a choice."""
        box = self.views.sample_box
        box.blockSignals(True)
        box.clear()
        for smp in samples:
            size = f"{smp.size} assigned to you" if self.state.review_mode else str(smp.size)
            box.addItem(f"{smp.name} ({size})", smp.id)
            box.setItemData(box.count() - 1, smp.name, SAMPLE_NAME_ROLE)
        box.blockSignals(False)

    def set_samples(self, samples, select: int | None = None) -> None:  # noqa: ANN001
        current = select if select is not None else self.state.sample_id
        self.fill_samples(samples)
        idx = self.views.sample_box.findData(current)
        self.views.sample_box.setCurrentIndex(max(idx, 0))
        self.sample_chosen(self.views.sample_box.currentIndex())

    def current_sample_name(self) -> str:
        return str(self.views.sample_box.currentData(SAMPLE_NAME_ROLE) or "")

    def _restore_sample(self, value: str) -> None:
        box = self.views.sample_box
        idx = box.findData(int(value)) if value.isdigit() else -1
        box.blockSignals(True)  # chosen once, below (a signal too would load the queue twice)
        box.setCurrentIndex(max(idx, 0))
        box.blockSignals(False)
        self.sample_chosen(box.currentIndex())

    def sample_chosen(self, index: int) -> None:
        s = self.state
        if index < 0 or s.svc is None:
            return
        s.sample_id = self.views.sample_box.itemData(index)
        svc, sid = s.svc, s.sample_id

        def work() -> str:
            svc.remember("sample", str(sid))
            return svc.recall(f"position:{sid}")

        self.window.runner.run(work, self._set_restore)

    def _set_restore(self, pos: str) -> None:
        if self.state.restore_item is None:  # a record asked for explicitly (drill-down, undo) wins over memory
            self.state.restore_item = int(pos) if pos.isdigit() else None
        self.load_queue()

    def set_filters(self) -> None:
        """The queue's filters: the audit's, or the review's in review mode."""
        box = self.views.filter_box
        box.blockSignals(True)
        box.clear()
        box.addItems([f.capitalize() for f in (REVIEW_FILTERS if self.state.review_mode else QUEUE_FILTERS)])
        box.blockSignals(False)

    # ---- the queue ---------------------------------------------------------------------------------------
    def load_queue(self) -> None:
        s, v = self.state, self.views
        if s.svc is None or s.sample_id is None:
            return
        want = s.restore_item or s.current_item
        filters = REVIEW_FILTERS if s.review_mode else QUEUE_FILTERS
        filt = filters[max(v.filter_box.currentIndex(), 0)]
        self.window.runner.run(partial(ops.load_queue, s.svc, s.sample_id, filt, v.search.text(), s.review_mode),
                               partial(self._queue_loaded, want))

    def _queue_loaded(self, want: int | None, queue: ops.Queue) -> None:
        """Show the queue rows (QueueRow, or review.Assignment in reviewer mode) and select the wanted one."""
        v, model = self.views, self.views.queue_model
        rows, everything = queue.rows, queue.everything
        if queue.reviewing != model.review:
            return  # the mode changed while this was loading; the new mode's queue is on its way
        self.state.restore_item = None
        kind = everything[0].kind if everything else "incident"
        model.set_kind(kind)
        model.set_rows(rows)
        header = v.queue.horizontalHeader()  # the last column takes what is left (elided, full in a tooltip)
        for col in range(model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col == model.columnCount()
                                        - 1 else QHeaderView.ResizeMode.ResizeToContents)
        if model.review:
            v.queue.setColumnHidden(2, False)
            self.show_progress(sum(a.state not in ("to review", "in progress") for a in everything),
                               len(everything), len(rows))
        else:
            v.queue.setColumnHidden(2, len({r.system for r in everything}) <= 1)
            self.show_progress(sum(r.status == "done" for r in everything), len(everything), len(rows))
        row = model.row_of(want) if want is not None else -1
        if rows:
            self.select_row(row if row >= 0 else 0)
        else:
            progress = v.progress_label.text()
            self.window.record_flow.clear()
            v.progress_label.setText(progress)
            if everything:  # the sample has records; the search or the filter leaves none
                text, shown = v.search.text().strip(), v.filter_box.currentText()
                why = (f"no record in this view matches “{escape(text)}”" if text
                       else f"no record is “{escape(shown.lower())}”")
                v.record_view.setHtml(f"<h3>Nothing to show</h3><p>In this sample {why}. Clear the search "
                                      "or choose Show: All.</p>")

    def select_row(self, row: int) -> None:
        """Make `row` the one record selected and current, whatever modifier keys are held (Ctrl+PgDown moves on;
        it does not add to a selection as Ctrl+click does)."""
        idx = self.views.queue_model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.views.queue.selectionModel().setCurrentIndex(idx, flags)
        self.views.queue.scrollTo(idx)

    def show_progress(self, done: int, total: int, shown: int) -> None:
        what = "assigned records reviewed" if self.state.review_mode else "records audited"
        self.views.progress_label.setText(f"{done} of {total} {what} · {shown} shown")

    def row_chosen(self, row: int) -> None:
        s, model, panel = self.state, self.views.queue_model, self.views.panel
        if not 0 <= row < len(model.rows) or s.svc is None:
            return
        item_id = model.rows[row].item_id
        if item_id == s.current_item and panel.detail and panel.detail.item_id == item_id:
            return
        s.current_item = item_id
        self.window.record_flow.load_item(item_id)

    def selected_items(self) -> list[int]:
        """The audit items selected in the queue (for assigning by hand)."""
        rows = sorted({i.row() for i in self.views.queue.selectionModel().selectedRows()})
        model = self.views.queue_model
        return [model.rows[r].item_id for r in rows if r < len(model.rows)]

    def next_record(self) -> None:
        self._step(1)

    def previous_record(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        model = self.views.queue_model
        new = self.views.queue.currentIndex().row() + delta
        if 0 <= new < model.rowCount():
            self.select_row(new)
        elif delta > 0 and model.rowCount():
            self.window.statusBar().showMessage("That was the last record in this view.", 5000)

    def focus_search(self) -> None:
        self.views.search.setFocus()
        self.views.search.selectAll()

    def go_to_item(self, item_id: int) -> None:
        """Open a record wherever it is: its sample, the whole queue, the record selected."""
        s, v = self.state, self.views
        svc = s.svc
        if svc is None or s.person is None:
            return
        leave = s.review_mode and s.person.role != "reviewer"  # a lead goes back to the whole queue
        if leave:
            s.review_mode = False
            v.queue_model.set_review(False)
            self.set_filters()
            self.window.session.apply_role()
            self.window.session.update_status()

        def done(found: ops.Located) -> None:
            sample_id, samples = found.sample_id, found.samples
            if samples is not None:
                self.fill_samples(samples)
                v.sample_box.setCurrentIndex(-1)  # so choosing the record's sample below loads it
            s.restore_item = item_id
            v.search.blockSignals(True)
            v.search.clear()
            v.search.blockSignals(False)
            v.filter_box.blockSignals(True)
            v.filter_box.setCurrentIndex(0)
            v.filter_box.blockSignals(False)
            idx = v.sample_box.findData(sample_id)
            if idx == v.sample_box.currentIndex():
                self.load_queue()
            else:
                v.sample_box.setCurrentIndex(idx)

        self.window.runner.run(partial(ops.locate, svc, item_id, leave), done)

    # ---- others at work ------------------------------------------------------------------------------------
    def check_others(self) -> None:
        """Has anyone changed anything since this window last looked? The change record says what: the queue and
        figures follow others' verdicts, new or changed samples reach the sample list, people's changes the role;
        if the record open was changed by someone else the status bar says so (the panel is not reloaded under
        the person's hands: F5 does it; a save made from the old state is refused anyway)."""
        s, runner = self.state, self.window.runner
        svc, item, base = s.svc, s.current_item, s.base
        if svc is None or runner.busy or s.person is None or not s.person.may("read records"):
            return
        from cdi_workbench.audit import programme_operations as pops

        looked = item if item is not None and base[0] == item else None
        runner.run(partial(pops.look, svc, s.seen, s.audits_seen, looked, s.mode()),
                   partial(self._looked, looked, svc), _look_missed)  # a missed look is made up at the next one

    def _looked(self, item: int | None, svc: AuditService, looked: pops.ProgrammeLook) -> None:
        """What others changed: the programme's audits (created, closed, reopened), then the audit's own changes."""
        s = self.state
        if s.svc is not svc:  # another audit or database was opened meanwhile
            return
        found, before = looked.look, s.audits_seen
        s.audits_seen = looked.audits
        if looked.changed:
            self.window.audit_actions.programme_changed(looked, before)
        first = s.seen is None
        s.seen = found.seen
        if first or not found.changes:
            return
        self.apply_changes(found.changes, samples=found.samples)
        if (found.changes.verdicts and found.stored is not False and item == s.current_item
                and s.base[0] == item
                and json.dumps(found.stored, sort_keys=True) != json.dumps(s.base[1], sort_keys=True)):
            self.window.statusBar().showMessage("Someone else has changed the verdict on this record since you "
                                                "opened it: Record > Reload this record (F5) shows it.", 60000)

    def apply_changes(self, changes: ops.Changes, samples: list | None = None) -> None:
        """The one place a change record reaches the views: people (the role, so what is offered), samples (the
        list), verdicts (the queue), and the figures."""
        if changes.people:
            self.window.identify()  # then the samples, the queue and the figures again
            return
        if changes.samples:
            if samples is not None:
                self.set_samples(samples, self.state.sample_id)
            else:
                self.load_samples(self.state.sample_id)
        elif changes.verdicts:
            self.load_queue()
        if changes.findings:
            self.window.findings_actions.soon()


def _look_missed(_msg: str) -> None:
    """A look at others' changes that failed: nothing to say, the next one makes it up."""
