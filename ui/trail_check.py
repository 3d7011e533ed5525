"""The audit trail's check when an audit is opened, on a thread of its own, off the person's path.

First the quick check (audit.trail_checkpoint.check_on_open: the history added since the last verified row,
and that row itself against the checkpoint recorded), then a full verification in the background (which moves
the checkpoint on when the history is intact). Neither holds up the window's worker, so the first record never
waits for them; closing the window or opening another audit stops them between two history rows. The first
problems found are reported once through `problems`.
"""

from __future__ import annotations

import threading
from functools import partial

from PySide6.QtCore import QObject, Signal

from cdi_workbench.audit.operations import AuditHandle
from cdi_workbench.audit.trail_checkpoint import QuickCheck, check_on_open, verify_in_full

from .operations import Runner


class TrailCheck(QObject):
    problems = Signal(list)  # the trail's findings (trail.Finding), when there are any
    finished = Signal()  # both checks done (or stopped): tests wait for it

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = Runner(self)
        self._stop = threading.Event()
        self._closed = False
        self.quick: QuickCheck | None = None  # what the quick check found, for tests and the status bar
        self.full: list | None = None  # what the full verification found (None: not run, or stopped)

    @property
    def busy(self) -> bool:
        return self._runner.busy

    def start(self, db: AuditHandle, full: bool = True) -> None:
        """Check `db`'s trail: quickly from the checkpoint, then (if `full`) all of it in the background."""
        if self._closed:
            return
        self.stop()
        stop = self._stop = threading.Event()
        self.quick, self.full = None, None
        reported = [False]

        def report(problems: list) -> None:
            if problems and not reported[0] and not stop.is_set():
                reported[0] = True
                self.problems.emit(problems)

        def quick_done(result: QuickCheck) -> None:
            self.quick = result
            report(result.problems)
            if full and not stop.is_set():
                self._runner.run(partial(verify_in_full, db, stop.is_set), full_done, failed)
            else:
                self.finished.emit()

        def full_done(problems: list) -> None:
            self.full = problems
            report(problems)
            self.finished.emit()

        def failed(message: str) -> None:
            if not stop.is_set():  # Stopped, or the database closed under it: nothing to say
                report([f"the audit trail could not be checked: {message}"])
            self.finished.emit()

        self._runner.run(partial(check_on_open, db, stop.is_set), quick_done, failed)

    def stop(self, close: bool = False) -> None:
        """Give the checks in hand up and wait for them (a history row at most); `close`: for good."""
        self._closed = self._closed or close
        self._stop.set()
        self._runner.wait()
