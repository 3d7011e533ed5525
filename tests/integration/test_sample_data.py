"""The bundled sample database: its size and shape, its hard cases, the variety of its narratives, and its
answer key, which fed into the audit service must give the findings totals the key predicts."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cdi_workbench.audit.narrative import entries
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody, applicable_checks
from cdi_workbench.classification import CANCELLATION_GROUPS, cancellation_group_of_code, codes_for_period
from cdi_workbench.findings import compute
from cdi_workbench.rules import REASONS_NOT_RECORDED, normalise_code
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import (
    N100,
    AuditItem,
    Cancellation,
    CrimeRecord,
    Disposal,
    RecordLink,
    ReportRecord,
    Sample,
)
from cdi_workbench.timeutil import UK, to_utc
from sample_data import generate, places
from sample_data.places import load_nsir_categories

SEED = generate.DEFAULT_SEED
FINDING_FIELDS = {"expected_code", "crime_ref", "not_recorded_reason", "domestic_abuse", "safeguarding",
                  "investigation"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], float]:
    path = tmp_path_factory.mktemp("sample") / "sample_audit.db"
    t0 = time.perf_counter()
    key = generate.build(path, SEED)
    return path, key, time.perf_counter() - t0


@pytest.fixture(scope="module")
def db(built: tuple[Path, dict[str, Any], float]) -> Database:
    database = Database(built[0])
    yield database
    database.close()


@pytest.fixture(scope="module")
def key(built: tuple[Path, dict[str, Any], float]) -> dict[str, Any]:
    return built[1]


def test_builds_quickly_and_writes_the_key_beside_it(built: tuple[Path, dict[str, Any], float]) -> None:
    path, key, seconds = built
    assert seconds < 15, f"generator took {seconds:.1f} s"
    on_disk = json.loads((path.parent / "sample_audit.answers.json").read_text(encoding="utf-8"))
    assert on_disk == key


def test_counts(db: Database, key: dict[str, Any]) -> None:
    with db.session() as s:
        def n(model: Any, *where: Any) -> int:
            return s.scalar(select(func.count()).select_from(model).where(*where)) or 0

        assert n(ReportRecord, ReportRecord.kind == "incident", ReportRecord.system == "Incident") >= 3000
        assert n(ReportRecord, ReportRecord.kind == "incident", ReportRecord.system != "Incident") == 0
        assert n(CrimeRecord) >= 1000
        assert n(CrimeRecord, CrimeRecord.status == "recorded") >= 1000
        assert n(ReportRecord, ReportRecord.kind == "referral", ReportRecord.system == "Guardian") >= 300
        assert n(ReportRecord, ReportRecord.kind == "referral", ReportRecord.system == "PO1") >= 150
        assert n(ReportRecord, ReportRecord.kind == "referral", ReportRecord.system == "DO1") >= 100
        assert n(Disposal) >= 200
        types = dict(s.execute(select(Disposal.disposal_type, func.count())
                               .group_by(Disposal.disposal_type)).all())
        assert set(types) == {"Caution", "Penalty notice for disorder", "Cannabis warning", "Community "
                                                                                            "resolution"}
        assert n(Cancellation) >= 150
        groups = set(s.scalars(select(Cancellation.offence_group).distinct()))
        assert groups == set(CANCELLATION_GROUPS)  # rape, sexual, vap, robbery, burglary, other
        for ref, group, code in s.execute(select(Cancellation.crime_ref, Cancellation.offence_group,
                                                 CrimeRecord.ho_code)
                                          .join(CrimeRecord, CrimeRecord.ref == Cancellation.crime_ref)):
            assert cancellation_group_of_code(code) == group, (ref, code, group)
        assert n(N100) >= 40
        assert all(re.fullmatch(r"100/0[1-3]", c) for c in s.scalars(select(N100.reason_code)))
        samples = {smp.name: smp for smp in s.scalars(select(Sample))}
        assert set(samples) == {"Incidents", "Guardian referrals", "PO1 referrals", "DO1 referrals",
                                "Disposals", "Cancellations", "N100s"}
        sizes = {name: n(AuditItem, AuditItem.sample_id == smp.id) for name, smp in samples.items()}
        assert sizes == {"Incidents": 120, "Guardian referrals": 40, "PO1 referrals": 20, "DO1 referrals": 20,
                         "Disposals": 40, "Cancellations": 48, "N100s": 15}
        assert samples["Incidents"].frame["stratified"] is True
        # 8 of each offence group inspections dip-sample cancellations by, in the order reports list them
        assert samples["Cancellations"].frame["allocated"] == {g: 8 for g in CANCELLATION_GROUPS}
    assert key["counts"]["incidents"] == 3000


def test_links_and_crime_records(db: Database) -> None:
    """crime_refs and record_link say the same; linked crimes name their source; codes fit the period."""
    valid = {normalise_code(c.code) for c in codes_for_period(date(2014, 1, 1), date(2014, 6, 30))}
    nsir = set(load_nsir_categories()) | {"Crime"}
    with db.session() as s:
        crimes = {c.id: c for c in s.scalars(select(CrimeRecord))}
        links: dict[int, set[str]] = {}
        for rid, cid in s.execute(select(RecordLink.report_id, RecordLink.crime_id)):
            links.setdefault(rid, set()).add(crimes[cid].ref)
        for r in s.scalars(select(ReportRecord)):
            refs = {x for x in r.crime_refs.split(";") if x}
            assert refs == links.get(r.id, set()), r.ref
            for ref in refs:
                crime = next(c for c in crimes.values() if c.ref == ref) if len(refs) else None
                assert crime is not None and crime.source_ref == r.ref
            if r.kind == "incident":
                assert r.opening_code in nsir and r.closing_code in nsir, r.ref
                assert r.caller_type in {"Victim", "Witness", "Third party", "Other agency"}
        for c in crimes.values():
            assert normalise_code(c.ho_code) in valid, c.ho_code
            assert c.offence and c.location and c.recorded_at and c.reported_at and c.month
            assert c.status in ("recorded", "cancelled")
        assert {c.ref for c in crimes.values() if c.status == "cancelled"} == set(
            s.scalars(select(Cancellation.crime_ref)))
        assert set(s.scalars(select(Disposal.crime_ref))) <= {c.ref for c in crimes.values()}


def test_every_sampled_item_has_an_answer(db: Database, key: dict[str, Any]) -> None:
    with db.session() as s:
        for smp in s.scalars(select(Sample)):
            answers = key["samples"][smp.name]["items"]
            refs = []
            for item in s.scalars(select(AuditItem).where(AuditItem.sample_id == smp.id)):
                refs.append(_item_ref(s, item))
            assert sorted(refs) == sorted(answers), smp.name
            for ref in refs:
                entry = answers[ref]
                if smp.kind in ("incident", "referral"):
                    assert entry["zero_status"] == (not entry["crimes"])
                    for c in entry["crimes"]:
                        assert c["not_recorded_reason"] in ("", *REASONS_NOT_RECORDED)
                        assert bool(c["crime_ref"]) != bool(c["not_recorded_reason"])
                else:
                    kind_type = entry.get("disposal_type", "")
                    assert list(entry["checks"]) == applicable_checks(smp.kind, entry["checks"], kind_type)


def _item_ref(s: Any, item: AuditItem) -> str:
    if item.kind in ("incident", "referral"):
        return s.get(ReportRecord, item.record_id).ref
    if item.kind == "disposal":
        return s.get(Disposal, item.record_id).ref
    if item.kind == "cancellation":
        return s.get(Cancellation, item.record_id).crime_ref
    return s.get(N100, item.record_id).ref


def _crimes_by_ref(s: Any) -> dict[str, CrimeRecord]:
    return {c.ref: c for c in s.scalars(select(CrimeRecord))}


def _report(s: Any, ref: str, system: str) -> ReportRecord:
    return s.scalar(select(ReportRecord).where(ReportRecord.ref == ref, ReportRecord.system == system))


def test_hard_cases_are_in_the_samples(db: Database, key: dict[str, Any]) -> None:
    hard = key["hard_cases"]
    need = {"multi_crime": 4, "later_disclosure": 3, "victim_not_believed": 3, "rape_as_lesser": 3, "late": 4,
            "domestic_non_crime": 3, "zero_status": 10, "unlinked": 3, "misclassified": 2,
            "n100_should_be_rape": 2}
    for tag, n in need.items():
        assert len(hard.get(tag, [])) >= n, (tag, hard.get(tag))
    items = {name: smp["items"] for name, smp in key["samples"].items()}
    systems = {name: smp["system"] or "Incident" for name, smp in key["samples"].items()}
    with db.session() as s:
        crimes = _crimes_by_ref(s)
        for name, ref in hard["rape_as_lesser"]:
            c = items[name][ref]["crimes"][0]
            assert c["expected_code"].startswith("19")
            assert crimes[c["crime_ref"]].ho_code in ("20A", "17A", "22B")
        for name, ref in hard["unlinked"]:
            report = _report(s, ref, systems[name])
            hidden = [c for c in items[name][ref]["crimes"] if c["crime_ref"] and not c["linked"]]
            assert hidden
            for c in hidden:
                assert crimes[c["crime_ref"]].source_ref == ref
                assert c["crime_ref"] not in report.crime_refs
                assert c["crime_ref"] not in {x.ref for x in report.crimes}
        for name, ref in hard["victim_not_believed"]:
            assert any(c["not_recorded_reason"] == "Victim not believed" for c in items[name][ref]["crimes"])
        for name, ref in hard["late"]:
            report = _report(s, ref, systems[name])
            received = to_utc(report.received_at)
            assert any(c["crime_ref"] and (to_utc(crimes[c["crime_ref"]].recorded_at) - received)
                       .total_seconds() > 72 * 3600 for c in items[name][ref]["crimes"])
        for name, ref in hard["multi_crime"]:
            assert len(items[name][ref]["crimes"]) >= 2
        for name, ref in hard["domestic_non_crime"]:
            assert name == "DO1 referrals"
            assert any(c["expected_code"] in ("105A", "8N") and not c["crime_ref"] and c["domestic_abuse"]
                       for c in items[name][ref]["crimes"])
        for name, ref in hard["later_disclosure"]:
            report = _report(s, ref, systems[name])
            later = [c for c in items[name][ref]["crimes"] if c["disclosed_later"]]
            assert later
            log = entries(report.narrative)
            assert any(e.author.startswith("Attending officer") and e.time != log[0].time for e in log[1:])
        for name, ref in hard["zero_status"]:
            assert items[name][ref]["crimes"] == []
        for name, ref in hard.get("clock_change", []):  # 72 h 30 min on the wall clock, 71 h 30 min in UTC
            report = _report(s, ref, systems[name])
            (c,) = items[name][ref]["crimes"]
            recorded = crimes[c["crime_ref"]].recorded_at
            assert (to_utc(recorded) - to_utc(report.received_at)).total_seconds() == 71.5 * 3600
            wall = recorded.astimezone(UK).replace(tzinfo=None) - report.received_at.astimezone(UK).replace(tzinfo=None)
            assert wall.total_seconds() == 72.5 * 3600 and c["outside_limit"] is False
    assert hard.get("clock_change"), "the default seed puts a clock-change case in the sample"
    reasons = {c["not_recorded_reason"] for smp in items.values() for e in smp.values()
               for c in e.get("crimes", [])}
    assert {"Victim not believed", "Further offence disclosed later not recorded",
            "Treated as crime-related incident"} <= reasons


def test_narratives_are_timestamped_and_varied(db: Database) -> None:
    stamp = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2} \[[^\]]+\] ")
    with db.session() as s:
        reports = list(s.scalars(select(ReportRecord)))
    firsts: Counter[str] = Counter()
    all_entries: set[str] = set()
    authors: set[str] = set()
    for r in reports:
        lines = r.narrative.splitlines()
        assert stamp.match(lines[0]), (r.ref, lines[0])
        assert all(stamp.match(line) or line.startswith("    ") for line in lines), r.ref
        log = entries(r.narrative)
        assert all(e.time and e.author for e in log)
        if r.kind == "incident":
            firsts[log[0].text] += 1
        all_entries.update(e.text for e in log)
        authors.update(re.sub(r" [A-Z]{2} \d+| \d+", "", e.author) for e in log)
    assert len(firsts) > 2000, len(firsts)
    assert firsts.most_common(1)[0][1] < 40, firsts.most_common(3)
    assert len(all_entries) > 8000, len(all_entries)
    assert {"Call taker", "Dispatcher", "Attending officer", "Supervisor", "Crime bureau"} <= authors
    # the hardest test of variety: distinct opening words of the call taker's report
    assert len({" ".join(t.split()[:6]) for t in firsts}) > 600


def test_same_seed_same_key_other_seed_other_key(tmp_path: Path, key: dict[str, Any]) -> None:
    again = generate.build(tmp_path / "again.db", SEED)
    assert again == key
    other = generate.build(tmp_path / "other.db", SEED + 1)
    assert other["samples"] != key["samples"]


def test_builds_without_the_shared_data_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(places, "STREET_FILE", tmp_path / "missing-street.csv")
    monkeypatch.setattr(places, "NSIR_FILE", tmp_path / "missing-nsir.csv")
    key = generate.build(tmp_path / "fallback.db", SEED)
    assert key["street_file_used"] is False
    assert key["counts"]["incidents"] == 3000 and key["counts"]["crime_records"] >= 1000
    assert len(key["hard_cases"]["rape_as_lesser"]) >= 3


def test_command_line_replaces_an_existing_database(tmp_path: Path) -> None:
    out = tmp_path / "out.db"
    out.write_bytes(b"not a database")
    (tmp_path / "out.db-wal").write_bytes(b"stale")
    assert generate.main([str(out), "--seed", "7"]) == 0
    assert not (tmp_path / "out.db-wal").exists() or (tmp_path / "out.db-wal").read_bytes() != b"stale"
    key = json.loads((tmp_path / "out.answers.json").read_text(encoding="utf-8"))
    assert key["seed"] == 7
    Database(out).close()


def _finding(answer: dict[str, Any], crime_ids: dict[str, int]) -> CrimeFinding:
    """A key entry as the verdict panel would store it: the crime record linked by id."""
    fields = {k: v for k, v in answer.items() if k in FINDING_FIELDS}
    fields["crime_ref"] = answer["crime_ref"] or ""
    return CrimeFinding(**fields, crime_id=crime_ids[answer["crime_ref"]] if answer["crime_ref"] else None)


def test_answer_key_gives_the_expected_findings(tmp_path: Path) -> None:
    """Every sampled item's answers, saved as verdicts, reproduce the totals the key predicts."""
    path = tmp_path / "audited.db"
    key = generate.build(path, SEED)
    db = Database(path)
    try:
        svc = AuditService(db, "tester")
        with db.session() as s:
            crime_ids = {c.ref: c.id for c in s.scalars(select(CrimeRecord))}
            items = [(smp.name, item.id, _item_ref(s, item)) for smp in s.scalars(select(Sample))
                     for item in s.scalars(select(AuditItem).where(AuditItem.sample_id == smp.id))]
        for name, item_id, ref in items:
            entry = key["samples"][name]["items"][ref]
            if "crimes" in entry:
                crimes = [_finding(c, crime_ids) for c in entry["crimes"]]
                body = VerdictBody(crimes=crimes, zero_status=not crimes, rationale=entry["rationale"],
                                   complete=True)
            else:
                body = VerdictBody(checks=dict(entry["checks"]), complete=True)
            svc.save_verdict(item_id, body)
        findings = compute(db)
        checked = 0
        for table, rows in key["expected"].items():
            for row, cols in rows.items():
                for col, value in cols.items():
                    assert findings.value(table, row, col) == value, (table, row, col)
                    checked += 1
        assert checked > 60
        assert findings.value("incidents", "Incident records", "Records reviewed") == 120
        inc = key["expected"]["incidents"]["Incident records"]
        assert inc["Crimes recorded"] < inc["Crimes identified"]
        assert inc["Wrongly classified"] >= 3 and inc["Outside 72 hours"] >= 4
    finally:
        db.close()


def test_the_bundled_sample_verifies(built: tuple[Path, dict[str, Any], float], capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    """`cdi verify` on a freshly generated sample finds nothing: its records carry their content digests and the
    history records them (it reported 5,600 records 'edited outside the application' when the generator wrote
    rows without them)."""
    from cdi_workbench.cli import main

    path = built[0]
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "intact" in out and "edited outside" not in out
