"""Protected exports (issue 13): `cdi report --protect` writes a PDF and a workbook that open only with the password
(from CDI_EXPORT_PASSWORD or a prompt, never argv), leaving no plain copy beside them; a CSV cannot be protected, so
`cdi verdicts export` and `cdi history --csv` say so and ask before writing free text (refusing with no terminal
and no --yes); `--protect` with --json says the JSON stays plain and asks likewise."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest

from cdi_workbench.cli import main
from cdi_workbench.reports.protect import PASSWORD_VARIABLE, decrypt_workbook
from tests.builders import small_audit

PASSWORD = "Correct horse 42!"
pdftotext = shutil.which("pdftotext")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture()
def audit(tmp_path: Path) -> Path:
    small_audit(tmp_path / "a.db").close()
    return tmp_path / "a.db"


def _values(source: object) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(source, read_only=True)  # type: ignore[arg-type]
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True) if r and r[0] != "Audit trail"]
                for ws in wb.worksheets}  # (the trail's head moves on with each export recorded in it)
    finally:
        wb.close()


def _report(audit: Path, out: Path, *extra: str) -> int:
    return main(["report", str(audit), "--pdf", str(out / "f.pdf"), "--xlsx", str(out / "f.xlsx"), *extra])


def test_protected_workbook_and_pdf_open_only_with_the_password(audit: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    plain, locked = tmp_path / "plain", tmp_path / "locked"
    plain.mkdir()
    locked.mkdir()
    assert _report(audit, plain) == 0
    monkeypatch.setenv(PASSWORD_VARIABLE, PASSWORD)
    assert _report(audit, locked, "--protect") == 0
    assert sorted(p.name for p in locked.iterdir()) == ["f.pdf", "f.xlsx"]  # no plain temporary copy left

    xlsx = locked / "f.xlsx"
    assert not zipfile.is_zipfile(xlsx)  # an OLE container, not the plain workbook's zip
    with pytest.raises(Exception):  # noqa: B017,PT011 (openpyxl's own error for a non-zip file)
        openpyxl.load_workbook(xlsx)
    with open(xlsx, "rb") as fh:
        assert msoffcrypto.OfficeFile(fh).is_encrypted()
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        decrypt_workbook(xlsx, "wrong password")
    opened = _values(decrypt_workbook(xlsx, PASSWORD))
    assert opened == _values(plain / "f.xlsx")
    assert any("Testshire Police" in str(v) for rows in opened.values() for row in rows for v in row)

    pdf = locked / "f.pdf"
    assert b"/Encrypt" in pdf.read_bytes() and b"/Encrypt" not in (plain / "f.pdf").read_bytes()
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    refused = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True)
    assert refused.returncode != 0 and "Testshire Police" not in refused.stdout
    wrong = subprocess.run([pdftotext, "-upw", "wrong", str(pdf), "-"], capture_output=True, text=True)
    assert wrong.returncode != 0
    opened_pdf = subprocess.run([pdftotext, "-upw", PASSWORD, str(pdf), "-"], capture_output=True, text=True)
    assert opened_pdf.returncode == 0
    shown = subprocess.run([pdftotext, str(plain / "f.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Testshire Police" in opened_pdf.stdout and "OFFICIAL-SENSITIVE" in opened_pdf.stdout
    # the whole report, as the plain one: the same pages (the two differ only in what was generated when: the
    # time and the trail's head, whose text can wrap a line differently)
    pages = re.findall(r"Page \d+ of (\d+)", opened_pdf.stdout)
    assert pages and pages == re.findall(r"Page \d+ of (\d+)", shown)
    assert abs(len(opened_pdf.stdout.splitlines()) - len(shown.splitlines())) <= 3


def test_the_password_is_asked_twice_and_never_an_option(audit: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    answers = iter([PASSWORD, "something else"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))
    assert _report(audit, tmp_path, "--protect") == 2
    assert "differ" in capsys.readouterr().err
    assert not (tmp_path / "f.pdf").exists() and not (tmp_path / "f.xlsx").exists()

    answers = iter([PASSWORD, PASSWORD])
    assert _report(audit, tmp_path, "--protect") == 0
    assert decrypt_workbook(tmp_path / "f.xlsx", PASSWORD).getvalue()[:2] == b"PK"
    with pytest.raises(SystemExit):  # no --password option: a password in argv is refused by the parser
        main(["report", str(audit), "--pdf", str(tmp_path / "g.pdf"), "--protect", "--password", PASSWORD])
    assert not (tmp_path / "g.pdf").exists()


def test_json_stays_plain_only_when_confirmed(audit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(PASSWORD_VARIABLE, PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script: no terminal
    assert _report(audit, tmp_path, "--protect", "--json", str(tmp_path / "f.json")) == 2
    err = capsys.readouterr().err
    assert "f.json stays plain" in err and "--yes" in err
    assert list(tmp_path.glob("f.*")) == []
    assert _report(audit, tmp_path, "--protect", "--json", str(tmp_path / "f.json"), "--yes") == 0
    assert (tmp_path / "f.json").read_text(encoding="utf-8").lstrip().startswith("{")
    assert not zipfile.is_zipfile(tmp_path / "f.xlsx")


def test_csv_with_free_text_refused_without_yes_in_a_script(audit: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    out = tmp_path / "v.csv"
    assert main(["verdicts", "export", str(audit), str(out)]) != 0
    err = capsys.readouterr().err
    assert "cannot be protected" in err and "--yes" in err and "rationales" in err
    assert not out.exists()
    history = tmp_path / "h.csv"
    args = ["history", str(audit), "--sample", "Incidents", "--position", "1", "--csv", str(history)]
    assert main(args) == 2
    assert "cannot be protected" in capsys.readouterr().err and not history.exists()

    assert main(["verdicts", "export", str(audit), str(out), "--yes"]) == 0 and out.exists()
    assert main([*args, "--yes"]) == 0 and history.exists()
    assert main(["verdicts", "export", str(audit), str(tmp_path / "v.xlsx")]) == 0  # no question for .xlsx


def test_csv_asks_at_a_terminal(audit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(""))
    out = tmp_path / "v.csv"
    monkeypatch.setattr("builtins.input", lambda _prompt="": "n")
    assert main(["verdicts", "export", str(audit), str(out)]) != 0 and not out.exists()
    monkeypatch.setattr("builtins.input", lambda _prompt="": "yes")
    assert main(["verdicts", "export", str(audit), str(out)]) == 0 and out.exists()
