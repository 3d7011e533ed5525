"""Auditing: verdict answers, the audit service the UI and CLI call, undo and redo."""
