"""Pseudonymised exports on the bundled sample (issue 13), with a key of what must go and what must stay.

The sample is generated into a temporary folder. Every sampled record gets a complete verdict whose rationale quotes
its narrative (or notes) as an auditor would, plus sentences naming fictional people with their dates of birth,
phone numbers, e-mail addresses, vehicles, addresses and National Insurance numbers (a pool of them, so the same
person turns up in several records). A few records also carry the extract's own columns (a victim's name and phone
number in `extra`) that the rationale then mentions with no cue at all. The key is built from what the generator and
the test put in: names after the generator's cue words, every street of the generator's geography and every house
address found in a quoted narrative, and every fictional identifier. What must stay: the log times, officers' collar
numbers, crime and incident references, Home Office codes and offence words, counted before and after.

Each file is read back (JSON, the workbook with openpyxl, the PDF with pypdf, the CSVs); a plain export of the same
audit is checked to hold the key's originals, so the test fails if the pseudonymisation does nothing.
"""

from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CHECKS, VerdictBody
from cdi_workbench.challenges import decide, export_for_force, import_responses
from cdi_workbench.cli import main
from cdi_workbench.pseudonymise import Pseudonymiser
from cdi_workbench.pseudonymise_exports import item_records, records
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditItem, Challenge, ReportRecord, Verdict, VerdictChange
from sample_data.generate import build
from sample_data.places import load_geography

USER = "A. Inspector"


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    dob: str
    phone: str
    email: str
    reg: str
    house: str
    postcode: str
    ni: str

    @property
    def originals(self) -> list[str]:
        return [f"{self.first} {self.last}", self.first, self.last, self.dob, self.phone, self.email, self.reg,
                self.house, self.postcode, self.ni]


PEOPLE = [Person(*p) for p in [
    ("Imogen", "Thistlewood", "12/03/1985", "07700 900123", "imogen.t@example.com", "AB12 CDE", "14 Larkspur Avenue",
     "ST16 2AB", "AB123456C"),
    ("Rafferty", "Quayle", "04/11/1979", "01785 223344", "rquayle@example.org", "P123 KLM", "7 Sorrel Close",
     "WS11 1DB", "CE654321A"),
    ("Bronwen", "Askew", "23/07/1992", "07700 900456", "bron.askew@example.net", "XYZ 123D", "92 Quillet Road",
     "ST17 4QR", "JK112233B"),
    ("Ptolemy", "Harcastle", "30/01/1968", "+44 7700 900789", "ph@example.com", "LM63 RST", "3 Wendle Grove",
     "DE13 0PL", "PR908172D"),
    ("Saoirse", "Penhallow", "18/09/2001", "01543 765432", "saoirse@example.co.uk", "K456 TUV", "61 Ormsby Street",
     "WS13 6HH", "TW246810A"),
    ("Lachlan", "Ormerod", "09/05/1974", "07700 900321", "l.ormerod@example.com", "GHJ 45K", "208 Veryan Drive",
     "ST5 1AA", "HL135791C"),
]]
# Named only in the extract's own columns (never with a cue): found from the structured fields or not at all.
FIELD_PEOPLE = [("Fenella Dunwoody", "07700 900654"), ("Caspian Whitlock", "07700 900987")]
KEEP_PATTERNS = [r"\d\d/\d\d/\d{4} \d\d:\d\d", r"\b(?:PC|PS|DC|Inspector) \d{3,4}\b", r"\bMC/\d\d/\d{6}\b",
                 r"\bMP-\d{8}-\d{4}\b", r"\b(?:N100|OOCD|GRD|PO1|DO1|WS)/\d\d/\d+\b", r"\(\d{1,3}[A-Z]? [A-Z]"]
OFFENCE_WORDS = ["assault", "assaulted", "burglary", "theft", "stolen", "damage", "robbery", "rape", "harassment",
                 "injury", "injuries", "punched", "knife", "shoplifting", "domestic", "criminal", "racially", "crime"]
CUE_NAME = re.compile(r"(?:known to \w+ as|called) ([A-Z][a-z]+)")


@dataclass
class Key:
    """Per record reference: what must go, and what must stay (a pattern or word and its count)."""

    go: dict[str, set[str]] = field(default_factory=dict)
    challenge: set[str] = field(default_factory=set)  # named in the force's rationales and the lead's reason
    stay: dict[str, dict[str, int]] = field(default_factory=dict)
    person_of: dict[str, list[Person]] = field(default_factory=dict)
    field_values: set[str] = field(default_factory=set)

    def all_originals(self) -> set[str]:
        return {o for go in self.go.values() for o in go}


def _present(original: str, text: str) -> bool:
    return original in text and re.search(rf"(?<![\w]){re.escape(original)}(?![\w])", text) is not None


def _stay_counts(text: str) -> dict[str, int]:
    counts = {p: len(re.findall(p, text)) for p in KEEP_PATTERNS}
    counts.update({w: len(re.findall(rf"\b{w}\b", text, re.I)) for w in OFFENCE_WORDS})
    return counts


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Key]:
    path = tmp_path_factory.mktemp("pseudonymise") / "sample.db"
    build(path)
    streets = sorted({p.street for p in load_geography().streets}, key=len, reverse=True)
    key = Key()
    db = Database(path)
    with db.session() as s:
        items = list(s.execute(select(AuditItem.id, AuditItem.kind, AuditItem.record_id).order_by(AuditItem.id)))
        # two incident records carry the extract's own columns: the victim's name and phone number
        with_fields = [rid for _, kind, rid in items if kind == "incident"][:len(FIELD_PEOPLE)]
        for rid, (name, phone) in zip(with_fields, FIELD_PEOPLE, strict=True):
            s.execute(update(ReportRecord).where(ReportRecord.id == rid)
                      .values(extra={"Victim name": name, "Victim telephone": phone, "Victim Age": "34"}))
        fields = records(s, [(kind, rid) for _, kind, rid in items])
    rng = random.Random(13)
    verdicts = []
    for n, (item_id, kind, rid) in enumerate(items):
        f = fields[(kind, rid)]
        quoted = "\n".join(t for t in f.texts if t)
        who, other = PEOPLE[n % len(PEOPLE)], PEOPLE[(n + 1) % len(PEOPLE)]
        sentences = [f"Caller {who.first} {who.last} (DOB {who.dob}) rang back from {who.phone}.",
                     rng.choice([f"Suspect vehicle {who.reg} seen outside {who.house}, {who.postcode}.",
                                 f"IP gave e-mail {who.email} and NI number {who.ni}."])]
        people = [who]
        if n % 3 == 0:  # someone named in full elsewhere in the file, here by title and first name only
            sentences.append(f"Mr {other.last} was spoken to; {other.first} denies it.")
            people.append(other)
        if rid in with_fields and kind == "incident":
            name, phone = FIELD_PEOPLE[with_fields.index(rid)]
            sentences.append(f"Spoke to {name.split()[0]} on {phone.replace(' ', '')}.")  # no cue: the field's
            key.field_values |= {name, name.split()[0], name.split()[1], phone}
        rationale = "Log says: " + quoted + "\n" + " ".join(sentences)
        go = {o for p in people for o in p.originals if _present(o, rationale)}
        go |= {m.group(1) for m in CUE_NAME.finditer(quoted)}
        go |= {st_ for st_ in streets if _present(st_, quoted)}
        go |= {m.group(0) for m in re.finditer(r"\b\d{1,3} (?:[A-Z][a-z']+ ){1,3}(?:Road|Street|Lane|Close|Avenue|"
                                                 r"Drive|Place|Grove|Way|Court|Crescent)\b", quoted)}
        if rid in with_fields and kind == "incident":
            go |= {v for v in key.field_values if _present(v, rationale)}
        key.go[f.ref] = go
        key.stay[f.ref] = _stay_counts(rationale)
        key.person_of[f.ref] = people
        body = VerdictBody(complete=True, rationale=rationale)
        if kind in ("incident", "referral"):
            body.zero_status = True
        else:  # one check failed in every fifth record: a failure the force can challenge
            body.checks = {k: not (n % 5 == 0 and i == 0) for i, (k, _label) in enumerate(CHECKS[kind])}
        verdicts.append((item_id, body, ""))
    AuditService(db, USER).save_many(verdicts, "the auditor's verdicts")
    _challenge(db, path.parent, key)
    db.close()
    return path, key


def _challenge(db: Database, folder: Path, key: Key) -> None:
    """The force challenges every failure, its rationale naming a person; the lead decides one with a reason."""
    out = folder / "for-the-force.xlsx"
    assert export_for_force(db, out) > 0
    wb = openpyxl.load_workbook(out)
    ws = wb["Failed records"]
    for r in range(3, ws.max_row + 1):
        who = PEOPLE[r % len(PEOPLE)]
        ws.cell(r, 9).value = "challenge"
        ws.cell(r, 10).value = f"Mrs {who.last} of {who.house} was told by phone on {who.phone}"
        key.challenge.update({who.last, who.house, who.phone})
    wb.save(out)
    import_responses(db, out)
    with db.session() as s:
        first = s.scalars(select(Challenge).order_by(Challenge.id)).first()
        assert first is not None
        cid = first.id
    decide(db, cid, True, f"Confirmed with Mr {PEOPLE[0].last} on {PEOPLE[0].phone}", "Lena Lead")
    key.challenge.update({PEOPLE[0].last, PEOPLE[0].phone})


def _rationales_json(path: Path) -> dict[str, str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {v["record_ref"]: v["rationale"] for v in doc["verdicts"]}


def _check(by_ref: dict[str, str], key: Key) -> dict[str, str]:
    """Every original of the key gone, every kept thing kept as often; returns original -> placeholder for the
    sentences the test wrote (to check one placeholder per original across the file)."""
    assert set(by_ref) >= {r for r in key.stay}, "every sampled record has its row"
    mapping: dict[str, set[str]] = {}
    for ref, text in by_ref.items():
        left = [o for o in key.go.get(ref, ()) if _present(o, text)]
        assert not left, (ref, left, text)
        assert _stay_counts(text) == key.stay[ref], (ref, text)
        for who in key.person_of[ref]:
            m = re.search(r"Caller (\[Person \d+\]) \(DOB (\[Date of birth \d+\])\) rang back from (\[Phone \d+\])",
                          text)
            if m and who is key.person_of[ref][0]:
                for original, placeholder in zip((f"{who.first} {who.last}", who.dob, who.phone), m.groups(),
                                                 strict=True):
                    mapping.setdefault(original, set()).add(placeholder)
    assert mapping and all(len(p) == 1 for p in mapping.values()), mapping  # the same original, the same placeholder
    placeholders = [next(iter(p)) for p in mapping.values()]
    assert len(placeholders) == len(set(placeholders))  # different originals, different placeholders
    return {o: next(iter(p)) for o, p in mapping.items()}


def test_the_key_is_in_a_plain_export(audit: tuple[Path, Key], tmp_path: Path) -> None:
    """The test can fail: without --pseudonymise the originals of the key are all there."""
    path, key = audit
    assert main(["--user", USER, "report", str(path), "--json", str(tmp_path / "plain.json")]) == 0
    plain = _rationales_json(tmp_path / "plain.json")
    assert sum(len(go) for go in key.go.values()) > 1500
    kinds = key.all_originals()
    # first names alone are in the key (which names depends on the street file beside the checkout, or not)
    assert any(re.fullmatch(r"[A-Z][a-z]+", o) for o in kinds) and any(re.match(r"\d+ [A-Z]", o) for o in kinds)
    assert set(plain) == set(key.go)
    for ref, go in key.go.items():
        assert all(_present(o, plain[ref]) for o in go), ref
    said = json.dumps(json.loads((tmp_path / "plain.json").read_text(encoding="utf-8"))["challenges"],
                      ensure_ascii=False)
    assert all(_present(o, said) for o in key.challenge)


def test_report_pseudonymised_json_xlsx_pdf(audit: tuple[Path, Key], tmp_path: Path) -> None:
    import pypdf

    path, key = audit
    out = {s: tmp_path / f"findings.{s}" for s in ("json", "xlsx", "pdf")}
    assert main(["--user", USER, "report", str(path), "--json", str(out["json"]), "--xlsx", str(out["xlsx"]),
                 "--pdf", str(out["pdf"]), "--pseudonymise"]) == 0
    from_json = _check(_rationales_json(out["json"]), key)
    doc = json.loads(out["json"].read_text(encoding="utf-8"))
    assert doc["audit"]["pseudonymised"]["replacements"]["name"] > 0
    assert doc["warnings"][0].startswith("Pseudonymised export")
    responses = doc["challenges"]["responses"]
    assert responses and all("[Person" in r["force_rationale"] for r in responses)
    decided = [r for r in responses if r["decision_reason"]]
    assert decided and all("[Phone" in r["decision_reason"] for r in decided)
    said = json.dumps(responses, ensure_ascii=False)
    assert not [o for o in key.challenge if _present(o, said)]
    ws = openpyxl.load_workbook(out["xlsx"], read_only=True)["Verdicts"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    head = list(rows[0])
    ref_col, rationale_col = head.index("Record reference"), head.index("Rationale")
    from_xlsx = _check({r[ref_col]: r[rationale_col] for r in rows[1:] if r[ref_col]}, key)
    assert from_xlsx == from_json  # one pseudonymiser for every file of the report
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out["pdf"]).pages)
    assert "[Person 1]" in text.replace("\n", " ") or "[Person" in text
    for original in ("Thistlewood", "Penhallow", "imogen.t@example.com", "AB123456C"):
        assert original not in text
    everything = "\n".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.pseudonymisation.txt"))
    assert len(list(tmp_path.glob("*.pseudonymisation.txt"))) == 3
    assert "Replaced, by kind:" in everything and "OFFICIAL-SENSITIVE" in everything
    assert not [o for o in key.all_originals() | key.field_values if _present(o, everything)]
    _trail_says_pseudonymised(path, {"findings.json", "findings.xlsx", "findings.pdf"}, key)


def _trail_says_pseudonymised(path: Path, files: set[str], key: Key) -> None:
    db = Database(path)
    try:
        with db.session() as s:
            rows = [r for r in s.scalars(select(VerdictChange).where(VerdictChange.action == "export"))
                    if r.new_body and r.new_body.get("file") in files]
    finally:
        db.close()
    assert {r.new_body["file"] for r in rows} == files
    for r in rows:
        noted = r.new_body["pseudonymised"]
        assert noted["report"] == r.new_body["file"] + ".pseudonymisation.txt" and noted["replacements"]
        assert r.reason.endswith(", pseudonymised")
        assert not [o for o in key.all_originals() if _present(o, json.dumps(r.new_body) + r.reason)]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_verdicts_export_pseudonymised(audit: tuple[Path, Key], tmp_path: Path, suffix: str) -> None:
    path, key = audit
    out = tmp_path / f"verdicts{suffix}"
    assert main(["--user", USER, "verdicts", "export", str(path), str(out), "--pseudonymise"]) == 0
    if suffix == ".csv":
        with open(out, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    else:
        ws = openpyxl.load_workbook(out, read_only=True)["Verdicts"]
        values = list(ws.iter_rows(values_only=True))
        rows = [dict(zip(values[0], (v if v is not None else "" for v in r), strict=False)) for r in values[1:]]
    by_ref = {r["record_ref"]: str(r["rationale"]).lstrip("'") for r in rows}
    _check(by_ref, key)
    assert (tmp_path / f"verdicts{suffix}.pseudonymisation.txt").exists()
    _trail_says_pseudonymised(path, {out.name}, key)


def test_history_pseudonymised(audit: tuple[Path, Key], tmp_path: Path) -> None:
    path, key = audit
    out = tmp_path / "history.csv"
    assert main(["--user", USER, "history", str(path), "--sample", "Incidents", "--position", "1", "--csv", str(out),
                 "--pseudonymise"]) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    db = Database(path)
    try:
        with db.session() as s:
            item = s.scalars(select(AuditItem).where(AuditItem.position == 1, AuditItem.sample_id == 1)).one()
            ref = next(iter(records(s, item_records(s, [item.id]).values()).values())).ref
    finally:
        db.close()
    text = out.read_text(encoding="utf-8")
    assert rows and json.loads(rows[0]["new"])["rationale"].startswith("Log says:")
    assert not [o for o in key.go[ref] if _present(o, text)], text
    assert all(r["hash"] == "" for r in rows)  # a digest of the original text is not carried
    _trail_says_pseudonymised(path, {"history.csv"}, key)
    shown = tmp_path / "plain.csv"
    assert main(["--user", USER, "history", str(path), "--sample", "Incidents", "--position", "1", "--csv",
                 str(shown), "--yes"]) == 0
    assert all(_present(o, shown.read_text(encoding="utf-8")) for o in key.go[ref])  # the key is real


# ---- the property: placeholders consistent, no structured value left ------------------------------------------
_LETTERS = "bcdfghjklmnprstvwz"
_name = st.builds(lambda a, b: (a + b).capitalize(), st.text(_LETTERS, min_size=2, max_size=4),
                  st.text("aeiou" + _LETTERS, min_size=3, max_size=6))
_phone = st.builds(lambda n: f"07700 {n:06d}", st.integers(0, 999_999))
_reg = st.builds(lambda a, n, b: f"{a}{n:02d} {b}", st.text("ABCDEFGHJKLMNOPRSTUVWXY", min_size=2, max_size=2),
                 st.integers(10, 99), st.text("ABCDEFGHJKLMNPRSTUVWXYZ", min_size=3, max_size=3))
_value = st.one_of(st.tuples(st.just("Victim name"), st.builds(lambda a, b: f"{a} {b}", _name, _name)),
                   st.tuples(st.just("Telephone"), _phone), st.tuples(st.just("VRM"), _reg),
                   st.tuples(st.just("Postcode"), st.sampled_from(["ST16 2AB", "WS11 1DB", "B1 1AA", "DE13 0PL"])))
FILLER = ["IP states", "at 14:32 on 12/03/2014", "PC 4458 attended", "MC/14/000570 recorded", "no injury", "see log"]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_value, min_size=1, max_size=8), order=st.lists(st.integers(0, 7), min_size=1, max_size=20),
       filler=st.lists(st.sampled_from(FILLER), min_size=20, max_size=20))
def test_placeholders_are_consistent_and_no_structured_value_is_left(values: list[tuple[str, str]],
                                                                      order: list[int], filler: list[str]) -> None:
    p = Pseudonymiser()
    for header, value in values:
        p.learn_fields({header: value})
    used = [values[i % len(values)][1] for i in order]
    segments = [f"{filler[n]} {value}" for n, value in enumerate(used)]
    out = [p.pseudonymise(s, f"row {n}") for n, s in enumerate(segments)]
    seen: dict[str, str] = {}
    for original, text, fill in zip(used, out, filler, strict=False):
        assert not _present(original, text), (original, text)
        for part in original.split():
            if len(part) > 3 and part[0].isalpha() and not part.isupper():
                assert not _present(part, text), (part, text)  # nor a name's first name or surname alone
        assert text.startswith(fill + " [")
        placeholder = text[len(fill) + 1:]
        assert seen.setdefault(original, placeholder) == placeholder  # the same original, the same placeholder
    assert len(set(seen.values())) == len(seen)  # different originals, different placeholders


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_pseudonymised_verdicts_file_is_not_imported(audit: tuple[Path, Key], tmp_path: Path, suffix: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Read back into the audit, the placeholders would replace the real rationales: refused, naming the row and
    the column, and nothing is written."""
    path, _key = audit
    out = tmp_path / f"verdicts{suffix}"
    assert main(["--user", USER, "verdicts", "export", str(path), str(out), "--pseudonymise"]) == 0
    capsys.readouterr()
    def stored() -> list[tuple[int, str, object]]:
        db = Database(path)
        try:
            with db.session() as s:
                return sorted((i, r, b) for i, r, b in s.execute(select(Verdict.item_id, Verdict.role, Verdict.body)))
        finally:
            db.close()

    before = stored()
    assert main(["verdicts", "import", str(path), str(out), "--user", USER]) == 1
    err = capsys.readouterr().err
    assert "pseudonymisation placeholder ([" in err and "rationale" in err and "row " in err
    assert stored() == before
