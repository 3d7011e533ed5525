"""The random order samples are drawn in (since schema 0007): computable inside the database.

Every record stores a draw key, a 62-bit keyed hash (BLAKE2b) of its reference, written when it is imported.
A seed turns the keys into a random order with two affine maps modulo the prime P = 2^31 - 1, one on each
31-bit half of the key:

    primary   = (a * (key >> 31) + b) mod P
    secondary = (c * (key & (2^31 - 1)) + d) mod P      (breaks the rare ties of the primary)

with a, c in 1..P-1 and b, d in 0..P-1 taken from BLAKE2b of the seed. For one seed this is a bijection of
the keys, so records come in an order as random as the keys themselves; across seeds the maps form a
2-universal family (Carter and Wegman 1979), so two seeds give practically unrelated samples. Every product
stays below 2^62, so SQLite and PostgreSQL compute the same integers as Python: the same seed gives the same
sample on any machine and engine, and the database can pick the lowest-ranked records of each stratum with an
index scan instead of handing a million references to Python.

Samples drawn before schema 0007 used a rank computed in Python (sampling.rank); their frames carry no
"order" entry and are extended in that order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

ORDER = "keyed-hash affine v2"
P = 2**31 - 1
HALF = 2**31
LOW = HALF - 1


def draw_key(ref: str) -> int:
    """The stored, seed-independent draw key of a record reference (0 <= key < 2^62)."""
    digest = hashlib.blake2b(ref.encode("utf-8", "surrogatepass"), digest_size=8, person=b"cdi-draw-key").digest()
    return int.from_bytes(digest, "big") >> 2


@dataclass(frozen=True)
class SeedMaps:
    a: int
    b: int
    c: int
    d: int

    @classmethod
    def of(cls, seed: int) -> SeedMaps:
        h = hashlib.blake2b(str(seed).encode(), digest_size=16, person=b"cdi-draw-seed").digest()
        w = [int.from_bytes(h[i:i + 4], "big") for i in range(0, 16, 4)]
        return cls(1 + w[0] % (P - 1), w[1] % P, 1 + w[2] % (P - 1), w[3] % P)

    def rank(self, key: int) -> tuple[int, int]:
        """The record's place in the seeded order (lowest first), as the database computes it."""
        return (self.a * (key >> 31) + self.b) % P, (self.c * (key & LOW) + self.d) % P

    def sql(self, key: Any) -> tuple[Any, Any]:
        """The same two numbers as SQL expressions over a draw-key column (SQLAlchemy)."""
        return (((key // HALF) * self.a + self.b) % P, ((key % HALF) * self.c + self.d) % P)


def order_rank(seed: int, ref: str) -> tuple[int, int]:
    """Where the record with this reference comes in the seed's order (lowest first)."""
    return SeedMaps.of(seed).rank(draw_key(ref))
