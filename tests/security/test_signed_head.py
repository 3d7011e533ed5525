"""A signed trail head (issue 12, optional part): a lead signs a findings JSON report's head with their key
(`cdi keys new`, `cdi sign`), and `cdi verify DB --against REPORT.json --public-key PUB` refuses, in words, a report
whose head or figures were changed after signing, a signature made with another key (or forged), and a report that
carries no signature; the anchor alone cannot tell a later head from the one issued, the signature can."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.signing import SIGNATURE, SigningError, key_id, load_private, load_public
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.storage.database import Database
from tests.builders import small_audit

LEAD = "Lena Lead"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDI_KEY_PASSPHRASE", PASSPHRASE)


def _save(target: str, n: int, start: int = 0) -> None:
    db = Database(target)
    try:
        svc = AuditService(db, "Alice Auditor")
        for k in range(start, start + n):
            svc.save_verdict(1 + k % 3, VerdictBody(rationale=f"verdict {k}", complete=True))
    finally:
        db.close()


def _audit(target: str, folder: Path) -> Path:
    """An audit with verdicts and its findings JSON report (unsigned)."""
    small_audit(target).close()
    _save(target, 4)
    report = folder / "findings.json"
    assert main(["report", target, "--json", str(report)]) == 0
    return report


def _key(folder: Path, name: str = "lead.key") -> Path:
    assert main(["keys", "new", "--out", str(folder / name)]) == 0
    return folder / name


def _verify(target: str, report: Path, key: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["verify", target, "--against", str(report), "--public-key", f"{key}.pub"])
    out, err = capsys.readouterr()
    return rc, out, err


def _edit(report: Path, change) -> None:  # noqa: ANN001 (a function of the document)
    doc = json.loads(report.read_text(encoding="utf-8"))
    change(doc)
    report.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def test_a_signed_head_verifies_and_a_later_head_put_in_its_place_is_refused(
        db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _audit(db_target, tmp_path)
    key = _key(tmp_path)
    assert main(["--user", LEAD, "sign", db_target, str(report), "--key", str(key)]) == 0
    signed = json.loads(report.read_text(encoding="utf-8"))["audit"]
    assert signed[SIGNATURE]["statement"]["head"] == signed["trail"]["head"]
    assert signed[SIGNATURE]["statement"]["signed_by"] == LEAD
    _save(db_target, 3, start=10)  # work goes on after the report
    rc, out, err = _verify(db_target, report, key, capsys)
    assert rc == 0, err
    assert f"signed by {LEAD} with key" in out and "as they issued them" in out

    # an insider swaps in today's head (and a matching count): the anchor alone passes, the signature does not
    db = Database(db_target)
    try:
        from cdi_workbench.audit.trail import trail_head

        rows, head = trail_head(db)
    finally:
        db.close()
    _edit(report, lambda d: d["audit"].update(trail={"rows": rows, "head": head}))
    rc, out, err = _verify(db_target, report, key, capsys)
    assert rc == 1
    assert "the history issued then is intact" in out  # the anchor is satisfied by a head the database bears out
    assert "signature refused" in err and "the report's head was changed after signing" in err


def test_a_head_edited_with_its_signed_statement_is_refused(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "audit.db")
    report = _audit(target, tmp_path)
    key = _key(tmp_path)
    assert main(["--user", LEAD, "sign", target, str(report), "--key", str(key)]) == 0
    _save(target, 2, start=10)
    db = Database(target)
    try:
        from cdi_workbench.audit.trail import trail_head

        rows, head = trail_head(db)
    finally:
        db.close()

    def forge(d: dict) -> None:  # the head and what the signature vouches for, both changed; the signature kept
        d["audit"]["trail"] = {"rows": rows, "head": head}
        d["audit"][SIGNATURE]["statement"].update(rows=rows, head=head)

    _edit(report, forge)
    rc, _out, err = _verify(target, report, key, capsys)
    assert rc == 1
    assert "signature refused" in err and "does not match what it vouches for" in err


def test_figures_changed_after_signing_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "audit.db")
    report = _audit(target, tmp_path)
    key = _key(tmp_path)
    assert main(["--user", LEAD, "sign", target, str(report), "--key", str(key)]) == 0
    _edit(report, lambda d: d["audit"].update(force="Another Police"))
    rc, _out, err = _verify(target, report, key, capsys)
    assert rc == 1 and "was changed after it was signed" in err


def test_a_signature_by_another_key_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "audit.db")
    report = _audit(target, tmp_path)
    lead, insider = _key(tmp_path, "lead.key"), _key(tmp_path, "insider.key")
    assert main(["--user", LEAD, "sign", target, str(report), "--key", str(insider)]) == 0
    rc, _out, err = _verify(target, report, lead, capsys)
    assert rc == 1 and "was not signed with the key given" in err

    # the insider also writes the lead's key id into the statement: the signature itself still fails
    lead_id = key_id(load_public(Path(f"{lead}.pub")))
    _edit(report, lambda d: d["audit"][SIGNATURE]["statement"].update(key=lead_id))
    rc, _out, err = _verify(target, report, lead, capsys)
    assert rc == 1 and "does not match what it vouches for" in err


def test_a_missing_signature_is_refused_when_a_public_key_is_given(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "audit.db")
    report = _audit(target, tmp_path)
    key = _key(tmp_path)
    capsys.readouterr()
    assert main(["verify", target, "--against", str(report)]) == 0  # unsigned is fine when nobody asks
    rc, _out, err = _verify(target, report, key, capsys)
    assert rc == 1 and "carries no signature" in err

    assert main(["--user", LEAD, "sign", target, str(report), "--key", str(key)]) == 0
    _edit(report, lambda d: d["audit"].pop(SIGNATURE))  # signed, then the signature stripped
    rc, _out, err = _verify(target, report, key, capsys)
    assert rc == 1 and "carries no signature" in err

    db = Database(target)  # HASH:COUNT carries none either
    try:
        from cdi_workbench.audit.trail import trail_head

        rows, head = trail_head(db)
    finally:
        db.close()
    capsys.readouterr()
    assert main(["verify", target, "--against", f"{head}:{rows}", "--public-key", f"{key}.pub"]) == 1
    assert "carries no signature" in capsys.readouterr().err


def test_the_key_is_kept_under_its_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key(tmp_path)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    pem = key.read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem and PASSPHRASE.encode() not in pem
    with pytest.raises(TypeError):  # no passphrase, no key
        serialization.load_pem_private_key(pem, password=None)
    with pytest.raises(SigningError, match="passphrase does not open"):
        load_private(key, b"wrong")
    assert main(["keys", "new", "--out", str(key)]) == 1  # never overwritten unless asked
    assert key.read_bytes() == pem
    monkeypatch.setenv("CDI_KEY_PASSPHRASE", "")
    assert main(["keys", "new", "--out", str(tmp_path / "empty.key")]) == 1  # an empty passphrase is refused
    assert not (tmp_path / "empty.key").exists()


def test_signing_is_refused_with_the_wrong_passphrase_a_tampered_trail_or_no_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "audit.db")
    report = _audit(target, tmp_path)
    key = _key(tmp_path)
    before = report.read_bytes()
    assert main(["sign", target, str(report), "--key", str(key)]) == 1  # who is signing?
    assert "say who is signing" in capsys.readouterr().err
    monkeypatch.setenv("CDI_KEY_PASSPHRASE", "not it")
    assert main(["--user", LEAD, "sign", target, str(report), "--key", str(key)]) == 1
    assert "passphrase does not open" in capsys.readouterr().err
    monkeypatch.setenv("CDI_KEY_PASSPHRASE", PASSPHRASE)
    import sqlite3

    with sqlite3.connect(target) as conn:  # a verdict edited in place: the lead will not vouch for this database
        conn.execute("UPDATE verdict SET body = json_set(body, '$.rationale', 'edited') WHERE item_id = 1")
    assert main(["--user", LEAD, "sign", target, str(report), "--key", str(key)]) == 1
    assert "not signed: the audit trail" in capsys.readouterr().err
    assert report.read_bytes() == before  # nothing written into the report
