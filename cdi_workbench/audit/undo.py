"""Undo and redo of verdict changes, kept in the core so every front end behaves the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    item_id: int
    role: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    label: str


class UndoStack:
    def __init__(self, limit: int = 500) -> None:
        self._done: list[Change] = []
        self._undone: list[Change] = []
        self._limit = limit

    def push(self, change: Change) -> None:
        self._done.append(change)
        del self._done[:-self._limit]
        self._undone.clear()

    def pop_undo(self) -> Change | None:
        if not self._done:
            return None
        change = self._done.pop()
        self._undone.append(change)
        return change

    def pop_redo(self) -> Change | None:
        if not self._undone:
            return None
        change = self._undone.pop()
        self._done.append(change)
        return change

    def forget(self, change: Change) -> None:
        """Drop a change that can no longer be undone or redone (someone else changed the verdict since)."""
        for stack in (self._done, self._undone):
            if stack and stack[-1] is change:
                stack.pop()

    @property
    def undo_label(self) -> str:
        return self._done[-1].label if self._done else ""

    @property
    def redo_label(self) -> str:
        return self._undone[-1].label if self._undone else ""
