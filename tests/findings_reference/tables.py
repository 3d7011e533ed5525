"""Reference copy (tests/findings_reference, commit 6998aa6) of cdi_workbench/findings_tables.py.

The shape of the findings: tables of rows of cells, each cell carrying the audit items behind its figure."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    value: int | float
    items: list[int] = field(default_factory=list)  # audit item ids behind the figure
    text: str = ""  # how to print it where a bare number would mislead (rates, intervals)
    previous: int | float | None = None  # the previous audit's figure (follow-up audits), as a number


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    note: str = ""


class Counter:
    """Counts per (row, column) with the items behind each count, rows kept in first-seen order."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.counts: dict[str, dict[str, list[int]]] = {}
        self.items: dict[str, dict[str, set[int]]] = {}

    def row(self, label: str) -> None:
        if label not in self.counts:
            self.counts[label] = {c: [0] for c in self.columns}
            self.items[label] = {c: set() for c in self.columns}

    @property
    def labels(self) -> list[str]:
        return list(self.counts)

    def add(self, label: str, column: str, item_id: int, n: int = 1) -> None:
        self.row(label)
        self.counts[label][column][0] += n
        self.items[label][column].add(item_id)

    def _cell(self, label: str, column: str) -> Cell:
        self.row(label)
        return Cell(self.counts[label][column][0], sorted(self.items[label][column]))

    def rows(self, order: list[str] | None = None, total: str | None = None) -> list[Row]:
        labels = order if order is not None else self.labels
        out = [Row(lab, [self._cell(lab, c) for c in self.columns]) for lab in labels]
        if total:
            sums = [Cell(sum(self.counts[lab][c][0] for lab in labels),
                         sorted(set().union(*(self.items[lab][c] for lab in labels)))) for c in self.columns]
            out.append(Row(total, sums))
        return out
