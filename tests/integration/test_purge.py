"""Retention (issue 13): `cdi purge DB --before DATE` deletes the records nothing in the audit needs and blanks the
narratives and personal details of those it keeps, in one transaction recorded in the trail; the figures are the
same afterwards, `cdi verify` passes (and against a report issued before the purge), and on SQLite the text removed
is gone from the file's bytes. On SQLite and, with CDI_TEST_PG_URL, PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from cdi_workbench.audit.review import assign
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.trail import PURGE, trail_head, verify
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.findings import compute
from cdi_workbench.retention import PurgeRefused, purge
from cdi_workbench.storage.database import Database, is_url
from cdi_workbench.storage.models import (
    N100,
    Cancellation,
    CrimeRecord,
    Disposal,
    RecordLink,
    ReportRecord,
    Verdict,
    VerdictChange,
)
from tests.purge_builders import BEFORE, LEAD, REVIEWER, Audit, build, file_bytes


@pytest.fixture
def audit(db_target: str, tmp_path: Path) -> Any:  # noqa: ANN401 (an Audit, closed afterwards)
    a = build(db_target, tmp_path)
    yield a
    a.close()


def _figures(db: Database) -> dict[str, Any]:
    """The findings as the report writes them, but the two things a purge must change: when they were worked
    out, and the trail's head (a row more)."""
    out = asdict(compute(db))
    out["audit"] = {k: v for k, v in out["audit"].items() if k not in ("generated_at", "trail")}
    return out


def _records(db: Database) -> dict[str, dict[str, dict[str, Any]]]:
    """Every record by reference, with what a purge keeps or blanks."""
    with db.session() as s:
        return {
            "report": {r.ref: {"narrative": r.narrative, "location": r.location, "received_at": r.received_at,
                               "kind": r.kind, "system": r.system, "stratum": r.stratum}
                       for r in s.scalars(select(ReportRecord))},
            "crime": {c.ref: {"location": c.location, "victim_age": c.victim_age, "victim_sex": c.victim_sex,
                              "ho_code": c.ho_code, "recorded_at": c.recorded_at, "status": c.status}
                      for c in s.scalars(select(CrimeRecord))},
            "disposal": {d.ref: {"notes": d.notes, "offender_history": d.offender_history, "victim": d.victim,
                                 "disposal_type": d.disposal_type} for d in s.scalars(select(Disposal))},
            "cancellation": {c.crime_ref: {"notes": c.notes, "reason": c.reason}
                             for c in s.scalars(select(Cancellation))},
            "n100": {n.ref: {"narrative": n.narrative, "incident_ref": n.incident_ref}
                     for n in s.scalars(select(N100))},
        }


def _history(db: Database) -> list[VerdictChange]:
    with db.session() as s:
        return list(s.scalars(select(VerdictChange).order_by(VerdictChange.id)))


def test_purge_keeps_figures_trail_and_what_the_audit_needs(audit: Audit, capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    db = audit.db()
    figures = _figures(db)
    before = _records(db)
    rows_before = len(_history(db))
    done = purge(db, LEAD, BEFORE, "Findings published; records kept six months")
    after = _records(db)
    # deleted: never sampled, dated before 01/07/2014, and nothing kept names them
    assert set(before["report"]) - set(after["report"]) == {"I-05", "I-06", "I-08"}
    assert set(before["crime"]) - set(after["crime"]) == {"C-05", "C-21", "C-31", "C-41"}
    assert set(before["disposal"]) - set(after["disposal"]) == {"D-02"}
    assert set(before["cancellation"]) - set(after["cancellation"]) == {"C-31"}
    assert set(before["n100"]) - set(after["n100"]) == {"N-02"}
    # kept and blanked: sampled (I-01, I-02, I-04, I-07), the incident the sampled N100 names (I-03); the crimes
    # they link, the one a verdict names (C-20), the cancelled crime sampled (C-30), the disposals' crimes (C-40
    # sampled, C-44 of the August disposal)
    for ref in ("I-01", "I-02", "I-03", "I-04", "I-07"):
        r = after["report"][ref]
        assert re.fullmatch(rf"purged on \d\d/\d\d/\d{{4}} by {LEAD}", r["narrative"]), r
        assert r["location"] is None
        assert {k: r[k] for k in ("received_at", "kind", "system", "stratum")} == {
            k: before["report"][ref][k] for k in ("received_at", "kind", "system", "stratum")}
    for ref in ("C-01", "C-04", "C-07", "C-20", "C-30", "C-40", "C-44"):
        c = after["crime"][ref]
        assert (c["location"], c["victim_age"], c["victim_sex"]) == (None, None, None), ref
        assert {k: c[k] for k in ("ho_code", "recorded_at", "status")} == {
            k: before["crime"][ref][k] for k in ("ho_code", "recorded_at", "status")}
    assert after["disposal"]["D-01"]["notes"].startswith("purged on ")
    assert after["disposal"]["D-01"]["offender_history"].startswith("purged on ")
    assert after["disposal"]["D-01"]["victim"] is None
    assert after["disposal"]["D-01"]["disposal_type"] == "Community resolution"
    assert after["cancellation"]["C-30"]["notes"].startswith("purged on ")
    assert after["cancellation"]["C-30"]["reason"] == "Crime recorded in error"
    assert after["n100"]["N-01"] == {**before["n100"]["N-01"], "narrative": after["n100"]["N-01"]["narrative"]}
    assert after["n100"]["N-01"]["narrative"].startswith("purged on ")
    # untouched: dated on or after the purge's date (August), or with no date (C-22)
    for kind, refs in (("report", ("I-09", "I-10")), ("crime", ("C-09", "C-22")), ("disposal", ("D-03",))):
        for ref in refs:
            assert after[kind][ref] == before[kind][ref], (kind, ref)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(RecordLink)) == 4  # of 5: I-05 to C-05 went with them
    # the figures, the verdicts and the trail
    assert _figures(db) == figures
    with db.session() as s:
        assert verify(s) == []
    history = _history(db)
    assert len(history) == rows_before + 1
    row = history[-1]
    assert (row.action, row.role, row.who, row.item_id, done.history_row) == (PURGE, PURGE, LEAD, 0, row.id)
    assert "Findings published" in row.reason and "01/07/2014" in row.reason
    tables = row.new_body["tables"]
    assert row.new_body["before"] == "2014-07-01" and row.new_body["links"] == 1
    assert {t: (e["deleted"], e["blanked"]) for t, e in tables.items()} == {
        "report_record": (3, 5), "crime_record": (4, 7), "disposal": (1, 1), "cancellation": (1, 1),
        "n100": (1, 1)}
    with db.session() as s:
        gone = [i for a, b in tables["report_record"]["deleted_ids"] for i in range(a, b + 1)]
        assert len(gone) == 3 and not s.scalar(select(func.count()).select_from(ReportRecord)
                                               .where(ReportRecord.id.in_(gone)))
    # the report issued before the purge: the history it was made from is an unchanged prefix of today's
    assert main(["verify", audit.target, "--against", str(audit.report)]) == 0
    out = capsys.readouterr().out
    assert "issued then is intact" in out and "audit trail is intact" in out


def test_dry_run_changes_nothing_and_says_what_would_go(audit: Audit, capsys: pytest.CaptureFixture[str]) -> None:
    db = audit.db()
    head, records = trail_head(db), _records(db)
    raw = None if is_url(audit.target) else file_bytes(audit.target)
    audit.close()
    assert main(["--user", LEAD, "purge", audit.target, "--before", "2014-07-01", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run" in out and "nothing was changed" in out
    assert "incident and referral records: 3 deleted, 5 kept" in out
    assert "crime records: 4 deleted, 7 kept" in out
    assert "N100 records: 1 deleted, 1 kept" in out
    db = audit.db()
    assert trail_head(db) == head and _records(db) == records
    if raw is not None:
        audit.close()
        assert file_bytes(audit.target) == raw
    # the real run does what the dry run said
    assert main(["--user", LEAD, "purge", audit.target, "--before", "01/07/2014", "--reason", "published"]) == 0
    out = capsys.readouterr().out
    assert "Purged the records dated before 01/07/2014" in out
    assert "incident and referral records: 3 deleted, 5 kept" in out
    # a second purge finds nothing left to do, and writes nothing
    rows = trail_head(audit.db())[0]
    assert main(["--user", LEAD, "purge", audit.target, "--before", "2014-07-01", "--reason", "again"]) == 0
    assert "Nothing to purge" in capsys.readouterr().out
    assert trail_head(audit.db())[0] == rows
    assert main(["verify", audit.target]) == 0


def test_purge_needs_a_reason(audit: Audit, capsys: pytest.CaptureFixture[str]) -> None:
    audit.close()
    assert main(["--user", LEAD, "purge", audit.target, "--before", "2014-07-01"]) == 2
    assert "--reason" in capsys.readouterr().err
    with pytest.raises(PurgeRefused, match="say why"):
        purge(audit.db(), LEAD, BEFORE, "   ")


def test_all_or_nothing(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    """The history row fails after the records were deleted and blanked: none of it is kept."""
    db = audit.db()
    head, records = trail_head(db), _records(db)

    def fail(*_: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("cdi_workbench.retention.seal", fail)
    with pytest.raises(RuntimeError, match="disk is full"):
        purge(db, LEAD, BEFORE, "published")
    assert trail_head(db) == head and _records(db) == records


def test_refused_while_work_on_a_record_is_unfinished(audit: Audit) -> None:
    db = audit.db()
    records = _records(db)
    svc = AuditService(db, LEAD)
    item = audit.items["I-04"]
    with db.session() as s:
        body = s.scalar(select(Verdict.body).where(Verdict.item_id == item, Verdict.role == "primary"))
    svc.save_verdict(item, VerdictBody.from_json({**body, "complete": False}))
    with pytest.raises(PurgeRefused, match=r"1 sampled record dated before 01/07/2014 is still being worked on "
                                           r"\(Incidents #\d+ I-04: its verdict is not complete\)"):
        purge(db, LEAD, BEFORE, "published")
    svc.save_verdict(item, VerdictBody.from_json(body))
    # a review assigned and not done
    sid = next(smp.id for smp in svc.samples() if smp.name == "Incidents")
    assign(svc, sid, "hand", REVIEWER, "open", item_ids=[audit.items["I-07"]])
    with pytest.raises(PurgeRefused, match="I-07: its peer review is awaited"):
        purge(db, LEAD, BEFORE, "published")
    assert _records(db) == records and PURGE not in {ch.action for ch in _history(db)}
    review = AuditService(audit.db(REVIEWER), REVIEWER)
    with db.session() as s:
        first = s.scalar(select(Verdict.body).where(Verdict.item_id == audit.items["I-07"],
                                                    Verdict.role == "primary"))
    review.save_verdict(audit.items["I-07"], VerdictBody.from_json(first), role="review")
    assert purge(db, LEAD, BEFORE, "published").history_row is not None


def test_refused_while_the_trail_does_not_verify(audit: Audit) -> None:
    """A record edited outside the application before the purge: blanking it would work its digest out again and
    hide the edit, so the purge refuses and changes nothing."""
    db = audit.db()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE report_record SET closing_code = 'No crime' WHERE ref = 'I-01'")
    head, records = trail_head(db), _records(db)
    with pytest.raises(PurgeRefused, match="does not verify"):
        purge(db, LEAD, BEFORE, "published")
    assert trail_head(db) == head and _records(db) == records


def test_sqlite_file_keeps_no_trace_of_what_was_purged(tmp_path: Path) -> None:
    """The narratives and locations removed are in the file's bytes (or its log) before the purge and nowhere in
    them after: the log checkpointed and emptied, the file rebuilt (VACUUM), even where SQLite leaves deleted
    content in free space (secure_delete off)."""
    audit = build(str(tmp_path / "audit.db"), tmp_path)
    try:
        audit.close()
        raw = file_bytes(audit.target)
        gone = [b"Quokka I-05 car window smashed", b"Quokka I-01 caller says her partner hit her",
                b"Wombat Lane I-04", b"Wombat Road C-01", b"Quokka D-01 apology agreed", b"Quokka N-02 victim"]
        kept = [b"Quokka I-09 assault outside the pub", b"Wombat Road C-22"]
        for phrase in gone + kept:
            assert phrase in raw, phrase
        db = audit.db()
        # as SQLite leaves it by default (Debian's build overwrites deleted content; not every build does)
        event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA secure_delete = OFF"))
        db.engine.dispose()
        done = purge(db, LEAD, BEFORE, "published")
        assert done.compacted is True
        audit.close()
        raw = file_bytes(audit.target)
        for phrase in gone:
            assert phrase not in raw, phrase
        for phrase in kept:
            assert phrase in raw, phrase
        wal = Path(f"{audit.target}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        assert main(["verify", audit.target]) == 0
    finally:
        audit.close()


def test_sqlite_open_elsewhere_is_compacted_by_the_next_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    """Another connection reading the file (the audit open in the window) keeps the log from being emptied: the
    purge stands and says it was not compacted; run again once the file is free, it compacts."""
    audit = build(str(tmp_path / "audit.db"), tmp_path)
    audit.close()
    reader = sqlite3.connect(audit.target)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM report_record").fetchone()  # a read transaction held open
        assert main(["--user", LEAD, "purge", audit.target, "--before", "2014-07-01", "--reason", "published"]) == 0
        said = capsys.readouterr()
        assert "Purged the records dated before 01/07/2014" in said.out
        assert "Not compacted" in said.err and "run this command again" in said.err
    finally:
        reader.close()
    assert main(["--user", LEAD, "purge", audit.target, "--before", "2014-07-01", "--reason", "compact"]) == 0
    said = capsys.readouterr()
    assert "Nothing to purge" in said.out and "Compacted" in said.out
    raw = file_bytes(audit.target)
    assert b"Quokka I-01 caller says" not in raw and b"Quokka I-09 assault" in raw
    assert main(["verify", audit.target]) == 0
