"""The shape of the findings: tables of rows of cells, each cell carrying the audit items behind its figure."""

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
    """Per (row, column) the audit items counted, an item once per count (the count is the list's length, the cell's
    items the distinct ones), rows kept in first-seen order."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.items: dict[str, dict[str, list[int]]] = {}

    def row(self, label: str) -> dict[str, list[int]]:
        """The row's column -> items counted, made empty the first time it is asked for."""
        cols = self.items.get(label)
        if cols is None:
            cols = self.items[label] = {c: [] for c in self.columns}
        return cols

    @property
    def labels(self) -> list[str]:
        return list(self.items)

    def __contains__(self, label: object) -> bool:
        return label in self.items

    def add(self, label: str, column: str, item_id: int) -> None:
        self.row(label)[column].append(item_id)

    def _cell(self, label: str, column: str) -> Cell:
        items = self.row(label)[column]
        return Cell(len(items), sorted(set(items)))

    def rows(self, order: list[str] | None = None, total: str | None = None) -> list[Row]:
        labels = order if order is not None else self.labels
        out = [Row(lab, [self._cell(lab, c) for c in self.columns]) for lab in labels]
        if total:
            sums = [Cell(sum(len(self.items[lab][c]) for lab in labels),
                         sorted(set().union(*(self.items[lab][c] for lab in labels)))) for c in self.columns]
            out.append(Row(total, sums))
        return out
