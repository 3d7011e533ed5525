"""findings.compute, read as plain rows and counted in one columnar pass (issue 10, 'At scale'), gives exactly the
findings of the implementation it replaced: tests/findings_reference, that code kept verbatim.

Compared: the whole Findings as asdict (the audit's details but the minute it was generated, the samples, every
table's title, columns, note, rows and cells with their values, items and texts, every verdict row, the items'
labels, the rates and design-weighted rates, the headlines, the warnings), types and key order included, so a
count that turned into a float, a 'no' that turned into 0 or a verdict row's columns reordered would show. On:

- the bulk audit of tests/bulk_builders (primary, review and final verdicts, incomplete ones, every kind, three
  systems, a stratified frame), with the recorded-crime figures that add the annual estimate, each method;
- the bundled sample (sample_data/generate.py) with random verdicts (tests/random_verdicts.fill) on SQLite and
  PostgreSQL, and on SQLite with random extra samples (special, extended, drawn twice from one frame), random
  verdict mixes and recorded-crime figures (hypothesis);
- in each, odd but possible bodies and records: an empty body, crimes with answers left out, a crime linked to a
  record that is missing, cancelled, without a code or a time, a crime id 0, overrides, fraud, unknown and
  untidy codes, zero status beside crimes, truthy answers that are not booleans, final verdicts (complete or
  not) over the auditor's, peer reviews (not counted), reports received at no known time.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text, update

from cdi_workbench.findings import compute
from cdi_workbench.kinds import RecordKind
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditItem, AuditSetting, CrimeRecord, ReportRecord, Verdict
from cdi_workbench.timeutil import now_utc
from sample_data.generate import Builder
from tests.bulk_builders import bulk_audit
from tests.findings_reference import reference_compute
from tests.integration.test_report_never_raises import _draw_extra, extra_samples, mixes
from tests.integration.test_report_never_raises import recorded_crime as recorded_crimes
from tests.random_verdicts import Mix, fill

METHODS = ["normal", "wilson", "clopper-pearson"]
PARTS = ["audit", "samples", "tables", "verdicts", "rates", "item_labels", "design_rates", "headline", "warnings",
         "previous"]


def _typed(x: Any) -> Any:
    """x with every value's type beside it and every mapping's keys in order: 1, 1.0 and True differ here."""
    if isinstance(x, dict):
        return ["dict", [(k, _typed(v)) for k, v in x.items()]]
    if isinstance(x, (list, tuple)):
        return [type(x).__name__, [_typed(v) for v in x]]
    return (type(x).__name__, x)


def assert_same_findings(db: Database, method: str) -> None:
    new, ref = asdict(compute(db, method)), asdict(reference_compute(db, method))
    for f in (new, ref):
        f["audit"].pop("generated_at")  # the minute each ran
    # which audit of the programme (schema 0016): the reference predates programmes; checked here instead
    with db.session() as s:
        latest = s.execute(text("SELECT name, closed_at FROM audit ORDER BY period_end DESC, id DESC")).first()
    assert latest is not None
    assert (new["audit"].pop("audit"), new["audit"].pop("audit_closed")) == (latest[0], latest[1] is not None)
    assert list(new) == PARTS == list(ref)
    for part in PARTS:
        if part == "tables":
            assert [t["key"] for t in new[part]] == [t["key"] for t in ref[part]]
            for a, b in zip(new[part], ref[part], strict=True):
                assert _typed(a) == _typed(b), f"table {b['key']} ({method})"
        elif part == "verdicts":
            assert len(new[part]) == len(ref[part])
            for n, (a, b) in enumerate(zip(new[part], ref[part], strict=True)):
                assert _typed(a) == _typed(b), f"verdict row {n}: {b} ({method})"
        else:
            assert _typed(new[part]) == _typed(ref[part]), f"{part} ({method})"


def oddities(db: Database, seed: int) -> None:
    """Bend some of the audit's verdicts and records into the odd shapes the findings must read as before."""
    rnd = random.Random(seed)
    v = Verdict.__table__
    with db.session() as s:
        crime_ids = list(s.scalars(select(CrimeRecord.id)))
        taken = set(s.execute(select(v.c.item_id, v.c.role)).tuples())
        rows = list(s.execute(select(v.c.id, v.c.item_id, v.c.body, v.c.complete, AuditItem.kind)
                              .join(AuditItem, AuditItem.id == v.c.item_id).where(v.c.role == "primary")))
        for vid, item_id, body, complete, kind in rows:
            body = dict(body or {})
            roll = rnd.random()
            if roll < 0.03:
                body = {}
            elif kind in RecordKind.REPORTS and roll < 0.35:
                crimes = [dict(c) for c in body.get("crimes", [])]
                for c in crimes:
                    for key in rnd.sample(sorted(c), rnd.randint(0, 3)):
                        del c[key]  # an answer left out: the default it always had
                    pick = rnd.random()
                    if pick < 0.05:
                        c["crime_id"] = 0
                    elif pick < 0.1:
                        c["crime_id"] = 10**9  # a record that is not there
                    elif pick < 0.2 and crime_ids:
                        c["crime_id"] = rnd.choice(crime_ids)  # any crime, linked to this report or not
                    if rnd.random() < 0.1:
                        c["classified_override"], c["override_reason"] = rnd.random() < 0.5, "auditor's call"
                    if rnd.random() < 0.1:
                        c["expected_code"] = rnd.choice(["NFIB", "ZZZ9", " 8n ", "", "019c", "105a"])
                    if rnd.random() < 0.05:
                        c["domestic_abuse"], c["safeguarding"], c["investigation"] = 1, "yes", 0
                body["crimes"] = crimes
                if rnd.random() < 0.1:
                    body["zero_status"] = True
                if rnd.random() < 0.1:
                    body.pop("rationale", None)
            elif kind not in RecordKind.REPORTS and roll < 0.2:
                checks = dict(body.get("checks", {}))
                for key in rnd.sample(sorted(checks), min(len(checks), rnd.randint(0, 2))):
                    if rnd.random() < 0.5:
                        checks[key] = None  # not answered
                    else:
                        del checks[key]
                body["checks"] = checks
            s.execute(update(v).where(v.c.id == vid).values(body=body))
            extra = rnd.random()
            role = "final" if extra < 0.06 else "review"
            if (extra < 0.06 or extra > 0.97) and (item_id, role) not in taken:
                other = dict(body)
                if other.get("crimes"):
                    other["crimes"] = other["crimes"][: rnd.randint(0, len(other["crimes"]))]
                other["rationale"] = f"{role} verdict"
                s.execute(insert(v).values(item_id=item_id, role=role, auditor=f"{role.title()} R",
                                           updated_at=now_utc(), body=other,
                                           complete=rnd.random() < (0.8 if complete else 0.3)))
        c = CrimeRecord.__table__.c
        for cid in rnd.sample(crime_ids, min(len(crime_ids), 40)):
            change = rnd.choice([{"status": "cancelled"}, {"ho_code": None}, {"recorded_at": None},
                                 {"status": "cancelled", "recorded_at": None}])
            s.execute(update(CrimeRecord.__table__).where(c.id == cid).values(**change))
        r = ReportRecord.__table__.c
        report_ids = list(s.scalars(select(AuditItem.record_id).where(AuditItem.kind.in_(RecordKind.REPORTS))))
        for rid in rnd.sample(report_ids, min(len(report_ids), 5)):
            s.execute(update(ReportRecord.__table__).where(r.id == rid).values(received_at=None))


def recorded_crime(db: Database, figures: dict[str, int]) -> None:
    with db.session() as s:
        for group, n in figures.items():
            s.merge(AuditSetting(key=f"recorded_crime_12m:{group}", value=str(n)))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample audit without verdicts (python -m sample_data.generate), written once."""
    path = tmp_path_factory.mktemp("generated") / "sample_audit.db"
    _generate(str(path))
    return path


def _generate(target: str) -> None:
    b = Builder(2014)
    b.plan()
    b.slots()
    b.place()
    b.write(target)  # type: ignore[arg-type]  # a SQLite file path or a PostgreSQL URL (init_audit takes both)


@pytest.mark.parametrize("method", METHODS)
def test_bulk_audit(tmp_path: Path, method: str) -> None:
    """Every kind, primary, review and final verdicts, incomplete ones, three systems and a stratified frame."""
    bulk_audit(tmp_path / "bulk.db", 1500)
    db = Database(tmp_path / "bulk.db")
    try:
        assert compute(db).verdicts
        assert_same_findings(db, method)
        recorded_crime(db, {"all": 59_000, "vap": 21_000, "rape": 0, "other": 7})
        assert_same_findings(db, method)
        oddities(db, 10)
        assert_same_findings(db, method)
    finally:
        db.close()


def test_generated_audit_on_both_engines(db_target: str) -> None:
    """The bundled sample with random verdicts and odd bodies, on SQLite and on PostgreSQL (JSON and times come
    back from each driver in its own way)."""
    _generate(db_target)
    db = Database(db_target)
    try:
        fill(db, 5, Mix(zero=0.2, recorded=0.7, overrides=0.2))
        oddities(db, 5)
        recorded_crime(db, {"all": 40_000, "sexual_all": 900})
        assert compute(db).verdicts
        for method in METHODS:
            assert_same_findings(db, method)
    finally:
        db.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31), mix=mixes, extras=extra_samples, figures=recorded_crimes,
       method=st.sampled_from(METHODS), odd=st.booleans())
def test_random_audits(generated: Path, tmp_path_factory: pytest.TempPathFactory, seed: int, mix: Mix,
                       extras: list[dict[str, Any]], figures: dict[str, int], method: str, odd: bool) -> None:
    """Random extra samples, verdict mixes (from none to all of each share), recorded crime and method."""
    path = tmp_path_factory.mktemp("random") / "audit.db"
    shutil.copy(generated, path)
    db = Database(path)
    try:
        _draw_extra(db, extras)
        fill(db, seed, mix)
        if odd:
            oddities(db, seed)
        recorded_crime(db, figures)
        assert_same_findings(db, method)
    finally:
        db.close()
