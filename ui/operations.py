"""Running core work off the main thread: one serial worker, results delivered back on the main thread.

Widgets never open database sessions; they ask for an operation (a plain function of the AuditService)
and get plain values back. All writes go through the one worker, so they are applied in the order asked.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    done = Signal(object, object)  # (callback, result)
    failed = Signal(object, str, str)  # (callback, message, details)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay, on_done: Callable[[Any], None] | None,
                 on_error: Callable[[str], None] | None) -> None:
        super().__init__()
        self.fn, self.relay, self.on_done, self.on_error = fn, relay, on_done, on_error

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the user on the main thread, never swallowed
            self.relay.failed.emit(self.on_error, str(exc) or exc.__class__.__name__, traceback.format_exc())
        else:
            self.relay.done.emit(self.on_done, result)


class Runner(QObject):
    """Queues operations on a single background thread; `busy` tells tests and the status bar."""

    error = Signal(str, str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending = 0
        self._relay = _Relay()
        self._relay.done.connect(self._finish)
        self._relay.failed.connect(self._fail)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[str], None] | None = None) -> None:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Task(fn, self._relay, on_done, on_error))

    @Slot(object, object)
    def _finish(self, callback: Callable[[Any], None] | None, result: Any) -> None:
        try:
            if callback is not None:
                callback(result)
        finally:
            self._settle()

    @Slot(object, str, str)
    def _fail(self, callback: Callable[[str], None] | None, message: str, details: str) -> None:
        try:
            if callback is not None:
                callback(message)
            else:
                self.error.emit(message, details)
        finally:
            self._settle()

    def _settle(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the worker is idle (used when closing the window)."""
        return self._pool.waitForDone(msecs)

    def when_idle(self, fn: Callable[[], None]) -> None:
        """Call `fn` (on the main thread) once the work queued now, and the work it queues in turn, is all done:
        opening an audit chains identify, samples, queue and first record, so what waits for that chain (the
        findings, the trail check) never delays the first record. At once if nothing is queued."""
        if not self.busy:
            fn()
            return

        def idle(busy: bool) -> None:
            if not busy:
                self.busy_changed.disconnect(idle)
                fn()

        self.busy_changed.connect(idle)


class Latest(QObject):
    """Read-only work that only needs its latest answer (the findings after each save), on a thread of its own so
    the Runner's record loads and saves never wait behind it.

    Each kind of work (a key) runs at most once at a time, and at most one more request of it waits: a request
    while one is waiting replaces it, so ten saves in a row cost one recompute after the one in hand, not ten.
    Results come back on the main thread, in the order the work ran."""

    busy_changed = Signal(bool)
    error = Signal(str)  # work that failed with no on_error of its own

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = Runner(self)
        self._waiting: dict[str, tuple[Callable[[], Any], Callable[[Any], None] | None,
                                       Callable[[str], None] | None]] = {}
        self._running: str | None = None
        self.runs = 0  # work started (tests count the coalescing)

    @property
    def busy(self) -> bool:
        return self._running is not None or bool(self._waiting)

    def request(self, key: str, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                on_error: Callable[[str], None] | None = None) -> None:
        was = self.busy
        self._waiting[key] = (fn, on_done, on_error)  # a newer request of the same key replaces the waiting one
        if self._running is None:
            self._next()
        if not was:
            self.busy_changed.emit(True)

    def cancel(self) -> None:
        """Drop what waits (a database closing); work in hand still finishes: wait() for it."""
        self._waiting.clear()

    def _next(self) -> None:
        if not self._waiting:
            self._running = None
            self.busy_changed.emit(False)
            return
        key = next(iter(self._waiting))
        fn, on_done, on_error = self._waiting.pop(key)
        self._running = key
        self.runs += 1

        def done(result: Any) -> None:
            try:
                if on_done is not None:
                    on_done(result)
            finally:
                self._next()

        def failed(message: str) -> None:
            try:
                if on_error is not None:
                    on_error(message)
                else:
                    self.error.emit(message)
            finally:
                self._next()

        self._runner.run(fn, done, failed)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the work in hand is done (closing the window or the database)."""
        return self._runner.wait(msecs)
