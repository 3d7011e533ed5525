"""The draw inside the database: stored draw keys and strata, the order the engine computes, schema 0007."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import delete, select, text, update

from cdi_workbench import sampling
from cdi_workbench.draw_keys import ORDER, SeedMaps, draw_key, order_rank
from cdi_workbench.storage.database import Database, _alembic_config, make_engine
from cdi_workbench.storage.models import AuditItem, CrimeRecord, RecordLink, ReportRecord, Sample
from cdi_workbench.strata import refresh, report_stratum
from tests.builders import small_audit

CODES = ["19C", "17A", "8N", "105A", "58A", "45", "53A", "28E", ""]


def _random_links(db: Database, rng: random.Random, n_reports: int = 120, n_crimes: int = 90) -> None:
    with db.session() as s:
        reports = [ReportRecord(kind="incident", system="Incident", ref=f"R{i:04d}", narrative="")
                   for i in range(n_reports)]
        crimes = [CrimeRecord(ref=f"C{i:04d}", ho_code=rng.choice(CODES) or None,
                              status=rng.choice(["recorded", "recorded", "cancelled"])) for i in range(n_crimes)]
        s.add_all(reports + crimes)
        s.flush()
        pairs = {(rng.choice(reports).id, rng.choice(crimes).id) for _ in range(150)}
        s.add_all(RecordLink(report_id=r, crime_id=c) for r, c in pairs)


def _expected_strata(db: Database) -> dict[str, str]:
    """The stratum each report should have, worked out in Python from the links as they stand."""
    with db.session() as s:
        codes: dict[str, list[str]] = {r: [] for r in s.scalars(select(ReportRecord.ref))}
        for ref, code, status in s.execute(select(ReportRecord.ref, CrimeRecord.ho_code, CrimeRecord.status)
                                           .join(RecordLink, RecordLink.report_id == ReportRecord.id)
                                           .join(CrimeRecord, CrimeRecord.id == RecordLink.crime_id)):
            if status != "cancelled":
                codes[ref].append(code or "")
        return {ref: report_stratum(c) for ref, c in codes.items()}


def _stored_strata(db: Database) -> dict[str, str]:
    with db.engine.begin() as conn:
        refresh(conn)
        return dict(conn.execute(select(ReportRecord.ref, ReportRecord.stratum)).tuples().all())


def test_stored_strata_follow_every_change_of_links_and_codes(db_target: str) -> None:
    db = small_audit(db_target)
    rng = random.Random(3)
    _random_links(db, rng)
    assert _stored_strata(db) == _expected_strata(db)
    for _ in range(4):  # recode, cancel, reinstate, unlink, relink: the triggers mark, refresh works out again
        with db.session() as s:
            crimes = list(s.scalars(select(CrimeRecord.id)))
            reports = list(s.scalars(select(ReportRecord.id)))
            for cid in rng.sample(crimes, 10):
                s.execute(update(CrimeRecord).where(CrimeRecord.id == cid).values(ho_code=rng.choice(CODES) or None))
            for cid in rng.sample(crimes, 5):
                s.execute(update(CrimeRecord).where(CrimeRecord.id == cid)
                          .values(status=rng.choice(["recorded", "cancelled"])))
            links = s.execute(select(RecordLink.report_id, RecordLink.crime_id)).all()
            for r, c in rng.sample(links, 8):
                s.execute(delete(RecordLink).where(RecordLink.report_id == r, RecordLink.crime_id == c))
            existing = {(r, c) for r, c in s.execute(select(RecordLink.report_id, RecordLink.crime_id))}
            fresh = {(rng.choice(reports), rng.choice(crimes)) for _ in range(8)} - existing
            s.add_all(RecordLink(report_id=r, crime_id=c) for r, c in fresh)
        assert _stored_strata(db) == _expected_strata(db)
    db.close()


def test_the_engine_ranks_as_python_does(db_target: str) -> None:
    """The sample the database picks is exactly the lowest order_rank of each stratum, on either engine."""
    db = small_audit(db_target)
    _random_links(db, random.Random(9), 400, 200)
    expected = _expected_strata(db)
    with db.session() as s:
        smp = sampling.draw(s, "Strat", "incident", 60, seed=20141, stratify=True)
        alloc, sid = smp.frame["allocated"], smp.id
        assert smp.frame["order"] == ORDER
    with db.session() as s:
        drawn = list(s.execute(select(ReportRecord.ref, AuditItem.stratum).join(
            AuditItem, AuditItem.record_id == ReportRecord.id).where(AuditItem.sample_id == sid)
            .order_by(AuditItem.position)))
    by_stratum: dict[str, list[str]] = {}
    for ref, st in expected.items():
        by_stratum.setdefault(st, []).append(ref)
    want = [ref for st, refs in by_stratum.items()
            for ref in sorted(refs, key=lambda r: (order_rank(20141, r), r))[:alloc[st]]]
    assert sorted(want, key=lambda r: (order_rank(20141, r), r)) == [r for r, _ in drawn]
    assert all(expected[r] == st for r, st in drawn)
    db.close()


def test_seed_maps_stay_within_64_bits_and_differ_by_seed() -> None:
    for seed in (0, 1, 42, 2**40):
        m = SeedMaps.of(seed)
        assert 1 <= m.a < 2**31 - 1 and 1 <= m.c < 2**31 - 1
        worst = (2**62 - 1) >> 31
        assert worst * m.a + m.b < 2**63
    refs = [f"INC-{i:06d}" for i in range(5000)]
    first = {tuple(sorted(refs, key=lambda r: order_rank(s, r))[:100]) for s in (1, 2)}
    a, b = (set(x) for x in first)
    assert len(a & b) < 20  # two seeds: practically unrelated samples (2 expected by chance)


def test_upgrade_to_0007_keys_strata_and_extends_an_old_sample_in_its_own_order(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(path)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0006")
        conn.execute(text("INSERT INTO audit (force, period_start, period_end, rule_set, created_at, created_by) "
                          "VALUES ('Old Force', '2014-01-01', '2014-06-30', '2014', '2014-07-01 00:00:00', 'x')"))
        for i in range(50):
            conn.execute(text("INSERT INTO report_record (id, kind, system, ref, narrative, crime_refs) "
                              "VALUES (:i, 'incident', 'Incident', :r, '', '')"), {"i": i + 1, "r": f"OLD-{i:03d}"})
        conn.execute(text("INSERT INTO crime_record (id, ref, ho_code, status) VALUES (1, 'CR-1', '19C', 'recorded')"))
        conn.execute(text("INSERT INTO record_link (report_id, crime_id) VALUES (7, 1)"))
        old_order = sorted(range(1, 51), key=lambda i: sampling.rank(5, f"OLD-{i - 1:03d}"))
        conn.execute(text("INSERT INTO sample (id, name, kind, method, seed, frame, drawn_at, drawn_by) VALUES "
                          "(1, 'Old', 'incident', 'simple random', 5, :f, '2014-07-02 00:00:00', 'x')"),
                     {"f": '{"stratified": false, "extensions": []}'})
        for pos, rid in enumerate(old_order[:10], 1):
            conn.execute(text("INSERT INTO audit_item (sample_id, kind, record_id, position, flagged, flag_note) "
                              "VALUES (1, 'incident', :r, :p, 0, '')"), {"r": rid, "p": pos})
    engine.dispose()
    db = Database(path)
    with sqlite3.connect(path) as con:
        keys = dict(con.execute("SELECT ref, draw_key FROM report_record"))
        assert keys == {f"OLD-{i:03d}": draw_key(f"OLD-{i:03d}") for i in range(50)}
        assert con.execute("SELECT stratum FROM report_record WHERE id = 7").fetchone()[0] == "rape"
        assert con.execute("SELECT count(*) FROM report_record WHERE stratum = 'no crime linked'").fetchone()[0] == 49
    with db.session() as s:
        assert sampling.extend(s, "Old", 5) == 5
    with db.session() as s:
        sid = s.scalar(select(Sample.id).where(Sample.name == "Old"))
        got = list(s.scalars(select(AuditItem.record_id).where(AuditItem.sample_id == sid)
                             .order_by(AuditItem.position)))
    assert got == old_order[:15]  # the next five of the order the sample was drawn in
    db.close()


def test_import_writes_keys_and_strata(tmp_path: Path) -> None:
    from cdi_workbench.importing import import_file

    db = small_audit(tmp_path / "a.db")
    inc = tmp_path / "inc.csv"
    inc.write_text("incident_ref,received_at,narrative,crime_refs\nI-1,01/03/2014 10:00,x,CX-1\n"
                   "I-2,01/03/2014 11:00,y,\n", encoding="utf-8")
    crimes = tmp_path / "crimes.csv"
    crimes.write_text("crime_ref,recorded_at,ho_code\nCX-1,02/03/2014 10:00,17A\n", encoding="utf-8")
    assert import_file(db, inc, "incidents").committed
    assert import_file(db, crimes, "crimes").committed  # links I-1 after it arrived: stratum now sexual
    with db.session() as s:
        rows = dict(s.execute(select(ReportRecord.ref, ReportRecord.stratum).where(ReportRecord.ref.like("I-%"))).tuples().all())
        keys = dict(s.execute(select(ReportRecord.ref, ReportRecord.draw_key).where(ReportRecord.ref.like("I-%"))).tuples().all())
    assert rows == {"I-1": "sexual", "I-2": "no crime linked"}
    assert keys == {"I-1": draw_key("I-1"), "I-2": draw_key("I-2")}
    crimes.write_text("crime_ref,recorded_at,ho_code\nCX-1,02/03/2014 10:00,8N\n", encoding="utf-8")
    assert import_file(db, crimes, "crimes").committed  # recoded on re-import
    with db.session() as s:
        assert s.scalar(select(ReportRecord.stratum).where(ReportRecord.ref == "I-1")) == "vap"
    db.close()
