"""Record references and times ("slots"), and placing the planned cases in them so the drawn samples show
every hard case several times.

The samples are drawn with cdi_workbench.sampling, whose order depends only on the seed and the record
references. So the generator can tell in advance which slots will be drawn, and swap cases between slots of
the same stratum (which leaves the strata, and so the draw, unchanged) until each hard case is in the
sample often enough.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from cdi_workbench.draw_keys import order_rank  # the draw's own order and allocation, so predictions match it
from cdi_workbench.sampling import _allocate
from cdi_workbench.timeutil import UK, uk_local

from .model import Slot

# Calls by hour of day (busier in the evening), a rough shape of a force's demand profile.
HOURS = [3, 2, 2, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 6, 7, 8, 8, 9, 9, 8, 7, 6, 4]
OFFICE_HOURS = [0, 0, 0, 0, 0, 0, 0, 1, 6, 9, 9, 8, 6, 8, 9, 8, 6, 3, 1, 0, 0, 0, 0, 0]


class Assignable(Protocol):
    tags: set[str]

    def stratum(self) -> str: ...


def random_times(rng: random.Random, n: int, start: date, days: int, hours: list[int],
                 weekdays_only: bool = False) -> list[datetime]:
    out = []
    while len(out) < n:
        d = start + timedelta(days=rng.randrange(days))
        if weekdays_only and d.weekday() >= 5 and rng.random() < 0.9:
            continue
        h = rng.choices(range(24), weights=hours)[0]
        out.append(uk_local(d.year, d.month, d.day, h, rng.randrange(60)))
    out.sort()
    return out


def daily_refs(rng: random.Random, times: list[datetime], fmt: str, max_serial: int = 1400) -> list[Slot]:
    """References numbered per day in time order, e.g. MP-20140312-0456 (gaps: the extract is a subset)."""
    by_day: dict[date, list[datetime]] = defaultdict(list)
    for t in times:
        by_day[t.astimezone(UK).date()].append(t)
    slots = []
    for day in sorted(by_day):
        ts = sorted(by_day[day])
        serials = sorted(rng.sample(range(1, max_serial), len(ts)))
        slots.extend(Slot(fmt.format(day=day, n=n), t) for t, n in zip(ts, serials, strict=True))
    return slots


def running_refs(rng: random.Random, times: list[datetime], fmt: str, start: int = 1, gap: int = 4) -> list[Slot]:
    slots, n = [], start
    for t in sorted(times):
        n += rng.randint(1, gap)
        slots.append(Slot(fmt.format(n=n, yy=t.astimezone(UK).strftime("%y")), t))
    return slots


def predict(refs: Sequence[str], strata: Sequence[str], seed: int, size: int, stratify: bool = False,
            per_stratum: int | None = None) -> set[int]:
    """Indexes of the records sampling.draw will choose."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, st in enumerate(strata):
        groups[st if (stratify or per_stratum) else "all"].append(i)
    for members in groups.values():
        members.sort(key=lambda i: (order_rank(seed, refs[i]), refs[i]))
    alloc = _allocate({k: len(v) for k, v in groups.items()}, size, per_stratum)
    return {i for k, members in groups.items() for i in members[:alloc[k]]}


def place_cases(rng: random.Random, cases: list[Assignable], refs: Sequence[str], seed: int, size: int,
                needs: dict[str, int], stratify: bool = False, per_stratum: int | None = None) -> tuple[
                    list[Assignable], dict[str, int]]:
    """Shuffle cases into slots, then swap until each tag in needs appears that often in the sample.

    Returns the cases in slot order and the count of each needed tag that the sample will hold."""
    order = list(cases)
    rng.shuffle(order)
    strata = [c.stratum() for c in order]
    chosen = predict(refs, strata, seed, size, stratify, per_stratum)
    counts: Counter[str] = Counter(t for i in chosen for t in order[i].tags)
    givers = sorted(chosen)
    rng.shuffle(givers)
    for tag, need in needs.items():
        outside = [i for i in range(len(order)) if i not in chosen and tag in order[i].tags]
        rng.shuffle(outside)
        for j in outside:
            if counts[tag] >= need:
                break
            giver = next((i for i in givers if strata[i] == strata[j] and tag not in order[i].tags
                          and all(counts[t] - 1 >= needs.get(t, 0) for t in order[i].tags)), None)
            if giver is None:
                continue
            for t in order[giver].tags:
                counts[t] -= 1
            for t in order[j].tags:
                counts[t] += 1
            order[giver], order[j] = order[j], order[giver]
    return order, {t: counts[t] for t in needs}
