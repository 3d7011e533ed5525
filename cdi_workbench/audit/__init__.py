"""Auditing: verdict answers, the audit service the UI and CLI call, undo and redo."""

from .closed_guard import install as _install_closed_guard

_install_closed_guard()  # a closed audit's verdicts are not changed, by any path (closed_guard)
