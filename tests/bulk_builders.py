"""Large audit databases written straight into the schema with bulk SQL, for scale tests and benchmarks.

bulk_audit(path, verdicts) writes in seconds what the audit service would take hours to enter: an audit
(2015 rules, 24-hour limit) whose samples hold `verdicts` records with a completed verdict, in the proportions
an inspection draws them:

- incidents (70%), in one sample stratified by offence group with its frame, each disclosing 0 to 3 crimes,
  most recorded (crime records with Home Office codes and times, linked to the incident), some wrongly
  classified, some recorded outside 24 hours, some not recorded (with a reason, domestic abuse, safeguarding);
- referrals of two systems, Guardian (9%) and PO1 (6%), each in a sample of its own, crimes as for incidents;
- out-of-court disposals of four types (7%, a fixed number per type), cancelled crimes of three offence
  groups (5%) and N100s (3%), each with its record-level checks answered;
- besides: incidents drawn but not yet opened, and incidents with an incomplete verdict (neither counts);
  a peer reviewer's verdict on about one record in ten (some answered differently), the lead's final verdict
  on a few (the same answers, so the figures do not move), and the force's responses to some failures.

Every verdict body is VerdictBody JSON. The planned figures come back as a Plan, so a test can compare the
findings with what was written rather than with the code under test.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cdi_workbench.audit.evaluate import check_failed
from cdi_workbench.audit.setup import init_audit
from cdi_workbench.audit.verdicts import CHECKS, CrimeFinding
from cdi_workbench.draw_keys import ORDER, draw_key
from cdi_workbench.rules import REASONS_NOT_RECORDED
from cdi_workbench.storage.database import Database
from cdi_workbench.strata import refresh as refresh_strata

FORCE = "Benchshire Police"
LIMIT_HOURS = 24  # the 2015 rules
# Expected codes: violence, sexual offences, rape, other offences, and now and then a fraud.
CODES = ["8N", "105A", "8L", "105B", "3A", "17A", "20A", "19C", "19D", "58A", "58C", "28E", "30C", "45", "46",
         "49", "9A", "92E", "34B", "39"]
FRAUD = "NFIB"
SYSTEMS = (("Guardian", 0.09, "Children's services"), ("PO1", 0.06, "Public protection unit"))
DISPOSAL_TYPES = ["Caution", "Penalty Notice for Disorder", "Cannabis warning", "Community resolution"]
CANCEL_GROUPS = ["rape", "vap", "other"]
AUDITORS = ["Inspector A", "Inspector B", "Inspector C", "Inspector D", "Inspector E"]
REVIEWERS = ["Reviewer R", "Reviewer S"]
LEAD = "Lead Inspector"
WORDS = ("caller reports neighbour shouting assaulted punched smashed window stolen bicycle outside shop officer "
         "attended advised victim declined complaint concern welfare noise male female threatened knife bruising "
         "partner injury damage harassment messages ex-partner school disclosed stepfather").split()
RISKY = ['=HYPERLINK("http://example.invalid","click")', "+44 7700 900123 called back", "-victim declined",
         "@Sgt 1234 agreed"]
_CRIME = asdict(CrimeFinding())  # every key a crime in a verdict body holds


@dataclass
class Plan:
    """What bulk_audit wrote: the figures the findings must show."""

    verdicts: int  # completed effective verdicts
    reviewed: Counter[str] = field(default_factory=Counter)  # per findings row: Incident records, Guardian, PO1
    identified: Counter[str] = field(default_factory=Counter)
    recorded: Counter[str] = field(default_factory=Counter)
    misclassified: Counter[str] = field(default_factory=Counter)
    late: Counter[str] = field(default_factory=Counter)
    disposals: int = 0
    cancellations: int = 0
    n100s: int = 0
    verdict_rows: int = 0  # one per crime identified, or per record where none was
    review_verdicts: int = 0
    challenges: int = 0


def _dt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores a UTC date-time in SQLite


def _text(rnd: random.Random, lo: int, hi: int) -> str:
    return " ".join(rnd.choices(WORDS, k=rnd.randint(lo, hi))).capitalize() + "."


def _split(n: int) -> dict[str, int]:
    out = {"Guardian": round(n * 0.09), "PO1": round(n * 0.06), "disposal": round(n * 0.07),
           "cancellation": round(n * 0.05), "n100": round(n * 0.03)}
    out["incident"] = n - sum(out.values())
    return out


def bulk_audit(path: str | Path, verdicts: int = 20_000, seed: int = 2015) -> Plan:
    """Write the audit described above to a new SQLite file at path; returns the figures it planned."""
    path = Path(path)
    init_audit(path, FORCE, date(2015, 1, 1), date(2015, 12, 31), "2015", LEAD).close()
    rnd = random.Random(seed)
    plan = Plan(verdicts)
    sizes = _split(verdicts)
    start = datetime(2015, 1, 1, 6, 0)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    reports: list[tuple[Any, ...]] = []
    crimes: list[tuple[Any, ...]] = []
    links: list[tuple[int, int]] = []
    # per sampled report (id): its crimes as (expected code, crime id or None, misclassified, late, domestic)
    plans: dict[int, list[tuple[str, int | None, bool, bool, bool]]] = {}
    sampled: dict[str, list[int]] = {}

    def add_report(kind: str, system: str, ref: str, agency: str | None, planned: bool) -> None:
        rid = len(reports) + 1
        received = start + timedelta(minutes=rnd.randrange(0, 360 * 24 * 60))
        found: list[tuple[str, int | None, bool, bool, bool]] = []
        n = rnd.choices((0, 1, 2, 3), (35, 45, 15, 5))[0] if planned else rnd.choices((0, 1, 2), (60, 30, 10))[0]
        refs = []
        for _ in range(n):
            code = FRAUD if rnd.random() < 0.01 else rnd.choice(CODES)
            domestic = rnd.random() < 0.25
            if rnd.random() < 0.88:
                cid = len(crimes) + 1
                wrong = rnd.random() < 0.03
                recorded_code = rnd.choice([c for c in CODES if c != code]) if wrong else code
                late = rnd.random() < 0.2
                hours = rnd.uniform(30, 200) if late else rnd.uniform(0.5, 20)
                crime_ref = f"CR-{cid:08d}"
                crimes.append((cid, crime_ref, _dt(received + timedelta(hours=hours)), _dt(received), recorded_code,
                               ref, int(domestic)))
                links.append((rid, cid))
                refs.append(crime_ref)
                found.append((code, cid, wrong, late, domestic))
            else:
                found.append((code, None, False, False, domestic))
        reports.append((rid, kind, system, ref, _dt(received), "Domestic Incident" if rnd.random() < 0.3
                        else "Assault", agency, f"On or near Street {rid % 5000}",
                        f"{received:%d/%m/%Y %H:%M} [Call taker] {_text(rnd, 20, 60)}", ";".join(refs),
                        draw_key(ref)))
        if planned:
            plans[rid] = found
            sampled.setdefault(system, []).append(rid)

    # the incidents to audit, a few more drawn (not opened, or a verdict left incomplete), and a population
    extra = max(2, sizes["incident"] // 100)
    for i in range(1, sizes["incident"] + 2 * extra + sizes["incident"] // 4 + 1):
        add_report("incident", "Incident", f"INC-{i:08d}", None, i <= sizes["incident"] + 2 * extra)
    for system, _share, agency in SYSTEMS:
        for i in range(1, sizes[system] + sizes[system] // 4 + 1):
            add_report("referral", system, f"{system[:3].upper()}-{i:07d}", agency, i <= sizes[system])
    disposals = [(i, f"OOCD-{i:07d}", f"CR-D-{i:07d}", DISPOSAL_TYPES[i % 4], _dt(start + timedelta(hours=i)),
                  "No previous convictions" if i % 3 else "Two previous cautions", "Adult" if i % 2 else None,
                  "Apology agreed.", draw_key(f"OOCD-{i:07d}"))
                 for i in range(1, sizes["disposal"] + sizes["disposal"] // 4 + 5)]
    cancellations = [(i, f"CR-C-{i:07d}", _dt(start + timedelta(hours=i)), "Additional verifiable information",
                      "DDM", CANCEL_GROUPS[i % 3], "CCTV shows no offence.", draw_key(f"CR-C-{i:07d}"))
                     for i in range(1, sizes["cancellation"] + sizes["cancellation"] // 4 + 4)]
    n100s = [(i, f"N100-{i:07d}", f"INC-{i:08d}", _dt(start + timedelta(hours=i)), "100/01",
              "Victim disclosed then declined to confirm.", draw_key(f"N100-{i:07d}"))
             for i in range(1, sizes["n100"] + sizes["n100"] // 4 + 2)]
    with con:
        con.executemany(
            "INSERT INTO report_record (id, kind, system, ref, received_at, opening_code, agency, location, "
            "narrative, crime_refs, draw_key, stratum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'no crime linked')",
            reports)
        con.executemany(
            "INSERT INTO crime_record (id, ref, recorded_at, reported_at, ho_code, status, source_ref, domestic_abuse)"
            " VALUES (?, ?, ?, ?, ?, 'recorded', ?, ?)", crimes)
        con.executemany("INSERT INTO record_link (report_id, crime_id) VALUES (?, ?)", links)
        con.executemany("INSERT INTO disposal (id, ref, crime_ref, disposal_type, issued_at, offender_history, "
                        "victim, notes, draw_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", disposals)
        con.executemany("INSERT INTO cancellation (id, crime_ref, cancelled_at, reason, decided_by_role, "
                        "offence_group, notes, draw_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", cancellations)
        con.executemany("INSERT INTO n100 (id, ref, incident_ref, recorded_at, reason_code, narrative, draw_key) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", n100s)
    con.close()
    db = Database(path)  # the links made the triggers mark their reports' strata: work them out, as an import does
    with db.engine.begin() as conn:
        refresh_strata(conn)
    db.close()

    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    stratum_of = dict(con.execute("SELECT id, stratum FROM report_record"))
    kind_of = dict(con.execute("SELECT id, kind FROM report_record"))
    drawn_at = _dt(datetime(2016, 1, 10, 9, 0))
    samples: list[tuple[Any, ...]] = []
    items: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []  # verdicts
    challenges: list[tuple[Any, ...]] = []

    def sample(name: str, kind: str, system: str | None, members: list[tuple[int, str]],
               population: dict[str, int], stratified: bool, fixed: bool = False) -> list[int]:
        sid = len(samples) + 1
        allocated = dict(Counter(st for _, st in members)) if stratified else {"all": len(members)}
        method = ("fixed size per stratum" if fixed else "stratified by offence group, proportional allocation"
                  if stratified else "simple random") + " (seeded keyed-hash order)"
        frame = {"population": population if stratified else {"all": sum(population.values())},
                 "allocated": allocated, "seed": seed, "order": ORDER, "stratified": stratified,
                 "allocation": "proportional" if stratified and not fixed else "", "extensions": [],
                 "filters": {}}
        samples.append((sid, name, kind, system, method, seed, json.dumps(frame), drawn_at, LEAD))
        out = []
        order = list(members)
        rnd.shuffle(order)
        for pos, (record_id, st) in enumerate(order, 1):
            item_id = len(items) + 1
            items.append((item_id, sid, kind, record_id, pos, st))
            out.append(item_id)
        return out

    def verdict(item_id: int, role: str, who: str, body: dict[str, Any], counts: tuple[int, ...]) -> None:
        updated = _dt(datetime(2016, 2, 1, 9, 0) + timedelta(seconds=7 * len(rows)))
        rows.append((len(rows) + 1, item_id, role, who, updated, json.dumps(body), int(body["complete"]), *counts))

    def rationale() -> str:
        r = rnd.random()
        return rnd.choice(RISKY) if r < 0.002 else "" if r < 0.4 else _text(rnd, 5, 40)

    def report_body(found: list[tuple[str, int | None, bool, bool, bool]], complete: bool = True
                    ) -> tuple[dict[str, Any], tuple[int, ...]]:
        crimes_json = []
        for code, cid, _wrong, _late, domestic in found:
            c = {**_CRIME, "expected_code": code, "crime_id": cid, "crime_ref": f"CR-{cid:08d}" if cid else "",
                 "domestic_abuse": domestic}
            if cid is None:
                c.update(not_recorded_reason=rnd.choice(REASONS_NOT_RECORDED), safeguarding=rnd.random() < 0.7,
                         investigation=rnd.random() < 0.5)
            crimes_json.append(c)
        body = {"crimes": crimes_json, "zero_status": not found, "checks": {}, "rationale": rationale(),
                "complete": complete}
        counts = (len(found), sum(1 for f in found if f[1]), sum(1 for f in found if f[2]),
                  sum(1 for f in found if f[3]), 0)
        return body, counts

    def checks_body(checks: dict[str, bool | None]) -> tuple[dict[str, Any], tuple[int, ...]]:
        body = {"crimes": [], "zero_status": False, "checks": checks, "rationale": rationale(), "complete": True}
        return body, (0, 0, 0, 0, sum(1 for k, v in checks.items() if check_failed(k, v)))

    # incidents: one stratified sample; its last drawn records are left unopened or incomplete
    population = dict(Counter(stratum_of[r] for r in stratum_of if kind_of[r] == "incident"))
    inc_ids = sampled["Incident"]
    inc_items = sample("Incidents 2015", "incident", None, [(r, stratum_of[r]) for r in inc_ids], population, True)
    record_of = {it[0]: it[3] for it in items}
    spare = set(inc_ids[sizes["incident"]:])
    done = [i for i in inc_items if record_of[i] not in spare]
    left = [i for i in inc_items if record_of[i] in spare]
    for item_id in left[: len(left) // 2]:
        body, counts = report_body(plans[record_of[item_id]], complete=False)
        verdict(item_id, "primary", AUDITORS[0], body, counts)
    report_items = [("Incident records", i) for i in done]
    for system, _share, _agency in SYSTEMS:
        ids = sampled[system]
        report_items += [(system, i) for i in sample(f"{system} referrals", "referral", system,
                                                     [(r, "all") for r in ids], {"all": len(ids) * 5 // 4}, False)]
        record_of.update({it[0]: it[3] for it in items})
    for row, item_id in report_items:
        found = plans[record_of[item_id]]
        body, counts = report_body(found)
        verdict(item_id, "primary", rnd.choice(AUDITORS), body, counts)
        plan.reviewed[row] += 1
        plan.identified[row] += len(found)
        plan.recorded[row] += sum(1 for f in found if f[1])
        plan.misclassified[row] += sum(1 for f in found if f[2])
        plan.late[row] += sum(1 for f in found if f[3])
        plan.verdict_rows += max(1, len(found))
        if rnd.random() < 0.1:  # peer review: the same answers, or one crime fewer or more
            again = dict(body)
            if rnd.random() < 0.2:
                again["crimes"] = body["crimes"][:-1] if body["crimes"] else [{**_CRIME, "expected_code": "8L"}]
                again["zero_status"] = not again["crimes"]
            verdict(item_id, "review", rnd.choice(REVIEWERS), again, counts)
            plan.review_verdicts += 1
        elif rnd.random() < 0.005:
            verdict(item_id, "final", LEAD, body, counts)
        for no, (_code, cid, _w, _l, _d) in enumerate(found, 1):
            if cid is None and rnd.random() < 0.1:  # the force answers some 'not recorded' failures
                response = rnd.choice(("agree", "challenge"))
                decision = rnd.choice(("", "upheld", "rejected")) if response == "challenge" else ""
                challenges.append((len(challenges) + 1, item_id, no, "not recorded", response,
                                   "The force's evidence" if response == "challenge" else "",
                                   _dt(datetime(2016, 3, 1, 10, 0)), decision, LEAD if decision else "",
                                   _dt(datetime(2016, 3, 8, 10, 0)) if decision else None,
                                   "Evidence seen" if decision else ""))

    # the other kinds, each in a fixed-size or simple random sample of its own
    def other(name: str, kind: str, records: list[tuple[int, str]], n: int, stratified: bool,
              answers: Any) -> int:
        population = dict(Counter(st for _, st in records))
        members = records[:n]
        count = 0
        for item_id in sample(name, kind, None, members, population, stratified, fixed=stratified):
            body, counts = checks_body(answers(items[item_id - 1][5]))
            verdict(item_id, "primary", rnd.choice(AUDITORS), body, counts)
            plan.verdict_rows += 1
            count += 1
            if rnd.random() < 0.1:
                flipped = dict(body["checks"])
                key = next(iter(flipped))
                if rnd.random() < 0.2 and flipped[key] is not None:
                    flipped[key] = not flipped[key]
                verdict(item_id, "review", rnd.choice(REVIEWERS), {**body, "checks": flipped}, counts)
                plan.review_verdicts += 1
        return count

    def disposal_answers(dtype: str) -> dict[str, bool | None]:
        victim = rnd.random() < 0.5
        return {"offender_suitable": rnd.random() < 0.9, "offender_made_aware": rnd.random() < 0.85,
                "victim_to_consult": victim, "victim_views_considered": (rnd.random() < 0.6) if victim else None,
                "outcome_appropriate": (rnd.random() < 0.8) if "community" in dtype.lower() else None}

    def cancellation_answers(_group: str) -> dict[str, bool | None]:
        return {k: rnd.random() < 0.9 for k, _ in CHECKS["cancellation"]}

    def n100_answers(_stratum: str) -> dict[str, bool | None]:
        return {"n100_needed": rnd.random() < 0.3, "should_have_been_rape": rnd.random() < 0.05}

    plan.disposals = other("Out-of-court disposals", "disposal", [(d[0], d[3]) for d in disposals],
                           sizes["disposal"], True, disposal_answers)
    plan.cancellations = other("Cancelled crimes", "cancellation", [(c[0], c[5]) for c in cancellations],
                               sizes["cancellation"], True, cancellation_answers)
    plan.n100s = other("N100s", "n100", [(n[0], "n100") for n in n100s], sizes["n100"], False, n100_answers)
    plan.challenges = len(challenges)
    with con:
        con.executemany("INSERT INTO sample (id, name, kind, system, method, seed, frame, drawn_at, drawn_by) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", samples)
        con.executemany("INSERT INTO audit_item (id, sample_id, kind, record_id, position, stratum, flagged, "
                        "flag_note) VALUES (?, ?, ?, ?, ?, ?, 0, '')", items)
        con.executemany("INSERT INTO verdict (id, item_id, role, auditor, updated_at, body, complete, n_crimes, "
                        "n_recorded, n_misclassified, n_late, n_failed_checks) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.executemany("INSERT INTO challenge (id, item_id, crime_no, failure, response, force_rationale, "
                        "responded_at, decision, decided_by, decided_at, decision_reason) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", challenges)
    con.close()
    return plan
