"""`cdi sign` works the findings out again before vouching for a report: a figure edited in the file (the signature
stripped, or never there) is refused with the key that differs named, a report made before later history rows is
refused ("the audit has changed since"), and an honest report, made with any of cdi report's options the JSON
records, still signs and verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.signing import SIGNATURE
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

LEAD = "Lena Lead"


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDI_KEY_PASSPHRASE", "correct horse battery staple")


def _save(target: str, n: int, start: int = 0) -> None:
    db = Database(target)
    try:
        svc = AuditService(db, "Alice Auditor")
        for k in range(start, start + n):
            svc.save_verdict(1 + k % 3, VerdictBody(rationale=f"verdict {k}", complete=True))
    finally:
        db.close()


def _setup(folder: Path, target: str | None = None) -> tuple[str, Path]:
    target = target or str(folder / "audit.db")
    small_audit(target).close()
    _save(target, 4)
    assert main(["keys", "new", "--out", str(folder / "lead.key")]) == 0
    return target, folder / "lead.key"


def _sign(target: str, report: Path, key: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--user", LEAD, "sign", target, str(report), "--key", str(key)])
    out, err = capsys.readouterr()
    return rc, out, err


def _verify(target: str, report: Path, key: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    rc = main(["verify", target, "--against", str(report), "--public-key", f"{key}.pub"])
    return rc, capsys.readouterr().out


def _edit(report: Path, change) -> None:  # noqa: ANN001 (a function of the document)
    doc = json.loads(report.read_text(encoding="utf-8"))
    change(doc)
    report.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def test_an_edited_figure_is_not_signed_and_the_figure_is_named(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    target, key = _setup(tmp_path)
    report = tmp_path / "r.json"
    assert main(["report", target, "--json", str(report)]) == 0
    given = json.loads(report.read_text(encoding="utf-8"))["figures"]["incidents"]["crimes_recorded"]
    _edit(report, lambda d: d["figures"]["incidents"].update(crimes_recorded=given + 1))
    before = report.read_bytes()
    rc, out, err = _sign(target, report, key, capsys)
    assert rc == 1 and "Signed" not in out
    assert (f"figures.incidents.crimes_recorded: the report says {given + 1}, the database gives {given}"
            in err), err
    assert report.read_bytes() == before  # nothing written
    rc, _out = _verify(target, report, key, capsys)
    assert rc == 1  # and so nothing vouches for it


@pytest.mark.parametrize("change, named", [
    (lambda d: d["tables"][0]["rows"][0]["values"].__setitem__(0, 99), "tables[incidents].rows[0].values[0]"),
    (lambda d: d["verdicts"][0].update(rationale="edited"), "verdicts[0].rationale"),
    (lambda d: d["verdicts"].pop(), "verdicts: the report has"),
    (lambda d: d["audit"].update(force="Another Police"), "audit.force"),
    (lambda d: d["warnings"].append("added"), "warnings: the report has"),
])
def test_other_edits_are_not_signed(tmp_path: Path, capsys: pytest.CaptureFixture[str], change, named: str  # noqa: ANN001
                                    ) -> None:
    target, key = _setup(tmp_path)
    report = tmp_path / "r.json"
    assert main(["report", target, "--json", str(report)]) == 0
    _edit(report, change)
    rc, _out, err = _sign(target, report, key, capsys)
    assert rc == 1 and named in err, err


def test_a_report_made_before_later_verdicts_is_not_signed(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    target, key = _setup(tmp_path)
    report = tmp_path / "r.json"
    assert main(["report", target, "--json", str(report)]) == 0
    _save(target, 2, start=10)
    rc, _out, err = _sign(target, report, key, capsys)
    assert rc == 1
    assert ("the audit has changed since this report was made (2 history rows added): make the report again and "
            "sign the new one") in err, err
    assert SIGNATURE not in json.loads(report.read_text(encoding="utf-8"))["audit"]

    again = tmp_path / "again.json"  # made again, it signs
    assert main(["report", target, "--json", str(again)]) == 0
    assert _sign(target, again, key, capsys)[0] == 0


@pytest.mark.parametrize("options", [[], ["--method", "wilson"], ["--by-unit"], ["--pseudonymise"]])
def test_an_honest_report_still_signs_and_verifies(db_target: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str], options: list[str]) -> None:
    target, key = _setup(tmp_path, db_target)
    report = tmp_path / "r.json"
    # the workbook and PDF written beside it add export rows to the history: they change no figure
    assert main(["report", target, "--json", str(report), "--xlsx", str(tmp_path / "r.xlsx"), *options]) == 0
    rc, out, err = _sign(target, report, key, capsys)
    assert rc == 0, err
    assert "Signed" in out
    rc, out = _verify(target, report, key, capsys)
    assert rc == 0 and "as they issued them" in out


def test_a_report_with_a_previous_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target, key = _setup(tmp_path)
    old = str(tmp_path / "old.db")
    small_audit(old).close()
    _save(old, 2)
    report = tmp_path / "r.json"
    assert main(["report", target, "--json", str(report), "--previous", old]) == 0
    _edit(report, lambda d: d["audit"]["previous"].update(file=str(tmp_path / "gone.db")))
    rc, _out, err = _sign(target, report, key, capsys)
    assert rc == 1 and "made with a previous audit" in err and "not at hand" in err
    _edit(report, lambda d: d["audit"]["previous"].update(file=old))
    assert _sign(target, report, key, capsys)[0] == 0


def test_a_report_without_its_interval_method_is_not_signed(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    target, key = _setup(tmp_path)
    report = tmp_path / "r.json"
    assert main(["report", target, "--json", str(report)]) == 0
    _edit(report, lambda d: d["audit"].pop("method_key"))
    rc, _out, err = _sign(target, report, key, capsys)
    assert rc == 1 and "does not say which interval method" in err
