"""The references seen so far in a file, in memory flat enough for millions of rows (24 bytes a row).

A Python set of a million references costs ~100 MB; this keeps 64-bit hashes in sorted numpy runs merged like a
log-structured tree, with the row and a content digest of the first row holding each. Two different references
share a 64-bit hash with odds of about 1 in 30 million for a million-row file; that would show as a duplicate
reported on the row, never as data silently lost.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy loads with the first import of a file, not with the window
    import numpy as np


class SeenKeys:
    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, index into the arrays below)
        self._rows = array("q")
        self._digests = array("q")

    def __len__(self) -> int:
        return len(self._rows)

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """For each hash: the index of the first row seen with it, or -1."""
        import numpy as np

        found = np.full(len(hashes), -1, dtype=np.int64)
        if not self._runs or not len(hashes):
            return found
        order = np.argsort(hashes)  # sorted needles walk each run in order: far fewer cache misses
        needles = hashes[order]
        for keys, index in self._runs:
            at = np.searchsorted(keys, needles)
            at[at == len(keys)] = 0
            hit = keys[at] == needles
            if hit.any():
                pos = order[hit]
                first = found[pos] < 0
                found[pos[first]] = index[at[hit]][first]
        return found

    def first(self, index: int) -> tuple[int, int]:
        """(row, content digest) of a first occurrence found by `find`."""
        return self._rows[index], self._digests[index]

    def add(self, hashes: np.ndarray, rows: Iterable[int], digests: list[int]) -> None:
        """Remember new keys (each not already seen, none twice)."""
        if not len(hashes):
            return
        import numpy as np

        start = len(self._rows)
        self._rows.extend(rows)
        self._digests.extend(digests)
        order = np.argsort(hashes, kind="stable")
        run = (hashes[order], np.arange(start, start + len(hashes), dtype=np.int64)[order])
        self._runs.append(run)
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (k1, i1), (k2, i2) = self._runs[-2], self._runs.pop()
            keys = np.concatenate((k1, k2))
            order = np.argsort(keys, kind="stable")
            self._runs[-1] = (keys[order], np.concatenate((i1, i2))[order])
