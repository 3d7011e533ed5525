"""The references seen so far in a file, in memory flat enough for millions of rows (24 bytes a row).

A Python set of a million references costs ~100 MB; this keeps 64-bit hashes in sorted numpy runs merged like a
log-structured tree (no run past MAX_RUN entries, so that a merge never holds two copies of them all: the largest
at 5M rows cost 150 MB more than the runs themselves), with the row and a content digest of the first row holding
each. Two different references share a 64-bit hash with odds of about 1 in 30 million for a million-row file;
that would show as a duplicate reported on the row, never as data silently lost.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy loads with the first import of a file, not with the window
    import numpy as np

MAX_RUN = 1 << 20  # entries: runs this long are not merged further (a find reads 9 runs at 5M rows, not 2)


class SeenKeys:
    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted hashes, index into the arrays below)
        self._rows = array("i")  # (4 bytes: a file has fewer than 2**31 rows)
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
        run = (hashes[order], np.arange(start, start + len(hashes), dtype=np.int32)[order])
        self._runs.append(run)
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]) and \
                len(self._runs[-2][0]) + len(self._runs[-1][0]) <= MAX_RUN:
            (k1, i1), (k2, i2) = self._runs[-2], self._runs.pop()
            self._runs[-1] = _merge(k1, i1, k2, i2)


def _merge(k1: np.ndarray, i1: np.ndarray, k2: np.ndarray, i2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs as one, the first's entries before the second's equal ones (as a stable sort of the two
    end to end gives them), without sorting again: a third of the memory at the largest merge of a 5M-row file."""
    import numpy as np

    at = np.searchsorted(k1, k2, side="right")
    at += np.arange(len(k2), dtype=at.dtype)  # where each of the second run's entries goes
    keys = np.empty(len(k1) + len(k2), dtype=k1.dtype)
    index = np.empty(len(keys), dtype=i1.dtype)
    first = np.ones(len(keys), dtype=bool)
    first[at] = False
    keys[at] = k2
    keys[first] = k1
    index[at] = i2
    index[first] = i1
    return keys, index
