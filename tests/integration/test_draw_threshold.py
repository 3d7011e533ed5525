"""Issue 15's faster draw picks exactly what the draw picked before it: the same records in the same positions, for
draws and extensions, on SQLite and (with CDI_TEST_PG_URL) PostgreSQL.

The draw now counts the population and collects the records that can come first in one read (sampling._Pool), ranks
a stratum in the database only among the records below a bound when it must (sampling._lowest's `total`), and
compares a period on SQLite without the date column's affinity (sample_population.Stored). The reference below is the draw
as it was (sampling.py at d3d90864): its population condition, counts and per-stratum ranking, copied unchanged.
Populations are random: strata of every size down to one record, draw keys shared on purpose (ties of both numbers
of the rank, broken by the reference; ties of the first number alone), the same reference in two referral systems
(the same key: a tie of all three when drawing across systems), records outside the period, on its edges and
undated. The bounds are shrunk at random so that every path is taken: the pool enough, the pool short and the
bounded query enough, the bounded query short, a tie."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, exists, func, or_, select

from cdi_workbench import sampling
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.classification import CANCELLATION_GROUPS, GROUP_LABELS, NO_CRIME
from cdi_workbench.draw_keys import HALF, LOW, P, SeedMaps, draw_key
from cdi_workbench.kinds import RecordKind
from cdi_workbench.rules import normalise_code
from cdi_workbench.storage.models import AuditItem, CrimeRecord, RecordLink, ReportRecord
from cdi_workbench.timeutil import uk_local

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
START, END = date(2014, 1, 1), date(2014, 6, 30)


def _examples(db_target: str) -> int:
    """150 random populations on SQLite; 60 on PostgreSQL, where each costs some 2 s of round trips (CI's time)."""
    return 60 if "://" in db_target else 150


# --- the draw as it was (sampling.py at d3d90864) ---------------------------------------------------------------------
def old_where(q, src, kind, system, f, exclude=None):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
    if src.table is ReportRecord:
        q = q.where(ReportRecord.kind == kind)
        if system:
            q = q.where(ReportRecord.system == system)
    conditions = []
    if f.date_from:
        conditions.append(src.time >= uk_local(f.date_from.year, f.date_from.month, f.date_from.day))
    if f.date_to:
        end = f.date_to + timedelta(days=1)
        conditions.append(src.time < uk_local(end.year, end.month, end.day))
    if conditions:
        q = q.where(or_(and_(*conditions), src.time.is_(None)) if f.keep_undated else and_(*conditions))
    if src.table is CrimeRecord:
        q = q.where(CrimeRecord.status != "cancelled")
        if f.ho_code:
            stored = func.ltrim(func.upper(func.replace(CrimeRecord.ho_code, " ", "")), "0")
            q = q.where(stored == normalise_code(f.ho_code))
    if src.table is ReportRecord:
        if f.opening_code:
            q = q.where(ReportRecord.opening_code == f.opening_code)
        if f.closing_code:
            q = q.where(ReportRecord.closing_code == f.closing_code)
        if f.ho_code:
            linked = (select(RecordLink.report_id).join(CrimeRecord, CrimeRecord.id == RecordLink.crime_id)
                      .where(func.upper(CrimeRecord.ho_code) == normalise_code(f.ho_code)))
            q = q.where(ReportRecord.id.in_(linked))
    if exclude is not None:
        q = q.where(~exists().where(AuditItem.sample_id == exclude, AuditItem.record_id == src.id))
    return q


def old_counts(s, kind, system, f, exclude=None):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
    src = sampling.source(kind)
    if kind == RecordKind.N100:
        n = s.scalar(old_where(select(func.count(src.id)), src, kind, system, f, exclude)) or 0
        return {"n100": n} if n else {}
    q = old_where(select(src.stratum, func.count()), src, kind, system, f, exclude).group_by(src.stratum)
    counts = dict(sorted((st or NO_CRIME, n) for st, n in s.execute(q)))
    if kind == RecordKind.CANCELLATION:
        order = list(CANCELLATION_GROUPS)
        counts = dict(sorted(counts.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order
                                                             else len(order), kv[0])))
    if kind == RecordKind.CRIME:
        groups = list(GROUP_LABELS)
        counts = dict(sorted(counts.items(), key=lambda kv: (groups.index(kv[0]) if kv[0] in groups
                                                             else len(groups), kv[0])))
    return counts


def old_lowest(s, kind, system, f, maps, n, stratum, exclude=None):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
    src = sampling.source(kind)
    q = old_where(select(src.id, src.ref, src.key, src.stratum), src, kind, system, f, exclude)
    if stratum is not None:
        q = q.where(src.stratum == stratum)
    first, second = maps.sql(src.key)
    q = q.order_by(first, second, src.ref).limit(n)
    return [((*maps.rank(k), r), i, st or NO_CRIME) for i, r, k, st in s.execute(q)]


def old_pick(s, kind, system, f, maps, alloc, stratified, exclude=None):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
    chosen = []
    for k, n in alloc.items():
        if n > 0:
            chosen += old_lowest(s, kind, system, f, maps, n, k if stratified else None, exclude)
    chosen.sort(key=lambda d: d[0])
    return [(i, st) for _, i, st in chosen]
# ----------------------------------------------------------------------------------------------------------------------


SYSTEMS = [("incident", "Incident"), ("referral", "Guardian"), ("referral", "PO1")]
STRATA = ["no crime linked", "other", "vap", "rape", "sexual", "fraud"]  # an example uses the first 1 to 6
WHEN = [uk_local(2014, 3, 14, 21, 14), uk_local(2014, 1, 1), (uk_local(2014, 7, 1) - timedelta(seconds=1)),  # in the period
        (uk_local(2014, 1, 1) - timedelta(seconds=1)), uk_local(2014, 7, 1), uk_local(2015, 2, 1),  # outside it
        None, None]  # undated
CODES = ["8N", "19C", "105A", "17A", "58A", "53A", "", "999"]


def _key(mode: int, own: int, other: int, low: int) -> int:
    """A record's draw key: its own, another's (a tie of both numbers), another's first half with a low half of its
    own (a tie of the first number), or the edges of the halves (0 and P give the same number)."""
    if mode == 0:
        return own
    if mode == 1:
        return other
    if mode == 2:
        return (other >> 31) * HALF + (low & LOW)
    return [0, P * HALF, P, P * HALF + P, (HALF - 1) * HALF + LOW][low % 5]


KEYS = st.sampled_from([0, 0, 1, 1, 2, 3])  # _key's modes: ties are frequent
records = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 60), st.integers(0, 6), st.sampled_from(WHEN), KEYS,
                             st.integers(0, 200), st.integers(0, 2**31)),
                   min_size=25, max_size=90, unique_by=lambda r: (SYSTEMS[r[0]][1], r[1]))
draws = st.fixed_dictionaries({
    "kind_system": st.sampled_from([("incident", None), ("incident", "Incident"), ("referral", None),
                                    ("referral", "Guardian")]),
    "strata": st.integers(1, len(STRATA)), "size": st.integers(0, 70), "seed": st.integers(0, sampling.MAX_SEED), "stratify": st.booleans(),
    "design": st.sampled_from(["proportional", "proportional", "equal", "per stratum"]),
    "per_stratum": st.integers(0, 12), "filters": st.booleans(), "extend": st.integers(0, 30),
    # the bounds, shrunk so that every path is taken (sampling's own are the first)
    "pool": st.sampled_from([(4.0, 1000.0), (1.0, 0.0), (0.5, 2.0), (0.0, 0.0), (2.0, 5.0)]),
    "spare": st.sampled_from([(6.0, 20.0), (0.0, 0.0), (1.0, 1.0), (0.0, 3.0)]),
    "fused_size": st.sampled_from([20_000, 0])})


@contextmanager
def bounds(pool: tuple[float, float], spare: tuple[float, float], fused_size: int) -> Iterator[None]:
    saved = sampling._POOL, sampling._SPARE, sampling._FUSED_SIZE
    sampling._POOL, sampling._SPARE, sampling._FUSED_SIZE = pool, spare, fused_size
    try:
        yield
    finally:
        sampling._POOL, sampling._SPARE, sampling._FUSED_SIZE = saved


def _items(s: Any, sample_id: int, after: int = 0) -> list[tuple[int, str]]:  # noqa: ANN401
    return [(r, st) for r, st in s.execute(select(AuditItem.record_id, AuditItem.stratum)
                                           .where(AuditItem.sample_id == sample_id, AuditItem.position > after)
                                           .order_by(AuditItem.position))]


def _check(s: Any, kind: str, system: str | None, d: dict[str, Any]) -> None:  # noqa: ANN401
    """Draw (and extend) with today's code and compare with the draw as it was, in the same transaction."""
    given_f = sampling.Filters(date_from=date(2014, 1, 1), date_to=date(2014, 5, 31)) if d["filters"] else None
    f = sampling.within_period(given_f or sampling.Filters(), START, END)
    per_stratum = d["per_stratum"] if d["design"] == "per stratum" else None
    allocation = "equal" if d["design"] == "equal" else "proportional"
    sampling.prepare(s, kind)
    counts = old_counts(s, kind, system, f)
    if not counts:
        with pytest.raises(ValueError, match="no .* records to sample"):
            sampling.draw(s, "T", kind, d["size"], d["seed"], system=system, stratify=d["stratify"],
                          per_stratum=per_stratum, allocation=allocation, who="Tester", filters=given_f)
        return
    stratified = bool(d["stratify"] or per_stratum)
    sizes = counts if stratified else {"all": sum(counts.values())}
    alloc = sampling._allocate(sizes, d["size"], per_stratum, allocation)
    maps = SeedMaps.of(d["seed"])
    want = old_pick(s, kind, system, f, maps, alloc, stratified)
    with bounds(d["pool"], d["spare"], d["fused_size"]):
        smp = sampling.draw(s, "T", kind, d["size"], d["seed"], system=system, stratify=d["stratify"],
                            per_stratum=per_stratum, allocation=allocation, who="Tester", filters=given_f)
    assert (smp.frame["population"], smp.frame["allocated"]) == (sizes, alloc)
    assert _items(s, smp.id) == want
    if d["extend"] <= 0:
        return
    left = old_counts(s, kind, system, f, exclude=smp.id)
    sizes = left if stratified else {"all": sum(left.values())}
    alloc = sampling._allocate(sizes, d["extend"], None, smp.frame.get("allocation") or "proportional")
    want = old_pick(s, kind, system, f, maps, alloc, stratified, smp.id)
    with bounds(d["pool"], d["spare"], d["fused_size"]):
        added = sampling.extend(s, "T", d["extend"], who="Tester")
    assert added == len(want)
    assert _items(s, smp.id, after=len(_items(s, smp.id)) - added) == want


def test_the_draw_and_its_extensions_pick_what_they_picked_before(db_target: str) -> None:
    db = init_audit(db_target, "Testshire Police", START, END, "2014", "builder")
    try:
        @settings(SETTINGS, max_examples=_examples(db_target))
        @given(population=records, d=draws)
        def check(population: list[tuple[Any, ...]], d: dict[str, Any]) -> None:
            own = [draw_key(f"R{r[1]:03d}") for r in population]
            s = db._factory()
            try:
                s.add_all(ReportRecord(kind=SYSTEMS[sys][0], system=SYSTEMS[sys][1], ref=f"R{ref:03d}",
                                       received_at=when, narrative="", stratum=STRATA[stratum % d["strata"]],
                                       draw_key=_key(mode, own[n], own[other % len(own)], low))
                          for n, (sys, ref, stratum, when, mode, other, low) in enumerate(population))
                s.flush()
                _check(s, *d["kind_system"], d)
            finally:
                s.rollback()
                s.close()

        check()
    finally:
        db.close()


crimes = st.lists(st.tuples(st.integers(0, 400), st.sampled_from(CODES), st.sampled_from(["recorded"] * 3 + ["cancelled"]),
                            st.sampled_from(WHEN), KEYS, st.integers(0, 200), st.integers(0, 2**31)),
                  min_size=25, max_size=90, unique_by=lambda r: r[0])


def test_crime_record_draws_pick_what_they_picked_before(db_target: str) -> None:
    """Crime records: the stratum is an expression (strata.crime_group), the table has no covering index."""
    db = init_audit(db_target, "Testshire Police", START, END, "2014", "builder")
    try:
        @settings(SETTINGS, max_examples=_examples(db_target))
        @given(population=crimes, d=draws)
        def check(population: list[tuple[Any, ...]], d: dict[str, Any]) -> None:
            own = [draw_key(f"CR-{r[0]:04d}") for r in population]
            s = db._factory()
            try:
                s.add_all(CrimeRecord(ref=f"CR-{ref:04d}", ho_code=code or None, status=status, recorded_at=when,
                                      draw_key=_key(mode, own[n], own[other % len(own)], low))
                          for n, (ref, code, status, when, mode, other, low) in enumerate(population))
                s.flush()
                _check(s, "crime", None, d)
            finally:
                s.rollback()
                s.close()

        check()
    finally:
        db.close()


def test_the_period_compared_without_affinity_keeps_the_same_rows(db_target: str) -> None:
    """sample_population.Stored: on SQLite the period is compared as `+received_at`; the records counted on the edges of the
    period (midnight at either end, a second before and after) and undated ones are those the plain column gave."""
    db = init_audit(db_target, "Testshire Police", START, END, "2014", "builder")
    edges = [uk_local(2014, 1, 1), uk_local(2014, 1, 1) - timedelta(microseconds=1), (uk_local(2014, 7, 1) - timedelta(seconds=1)),
             uk_local(2014, 7, 1), uk_local(2014, 7, 1) - timedelta(microseconds=1), None]
    try:
        with db.session() as s:
            s.add_all(ReportRecord(kind="incident", system="Incident", ref=f"E{i}", received_at=when, narrative="")
                      for i, when in enumerate(edges))
        with db.session() as s:
            for given_f in (sampling.Filters(), sampling.Filters(date_from=date(2014, 1, 1), date_to=date(2014, 6, 30))):
                f = sampling.within_period(given_f, START, END)
                src = sampling.source("incident")
                new = set(s.scalars(sampling.where(select(ReportRecord.ref), src, "incident", None, f)))
                old = set(s.scalars(old_where(select(ReportRecord.ref), src, "incident", None, f)))
                assert new == old
                assert {"E0", "E2", "E4"} <= new and not {"E1", "E3"} & new  # (a guard that the edges are edges)
                assert ("E5" in new) == (not given_f.date_from)
    finally:
        db.close()
