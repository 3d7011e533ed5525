"""Packages you can trust (issue 12, item 1): a package is bound to what it was issued for.

The merge used to write each verdict as the person named inside the package and check that name's role, not
the importer's. A reviewer typed the lead's and an auditor's names into her package and imported it herself:
the main database got a final verdict 'by the lead' and a replaced first verdict, and `cdi verify` passed; the
conflict listing showed her the auditor's rationale on a record assigned to her blind.

Now the package carries a description of its issue (items, person, roles, blind records) with an HMAC under a
key kept only in the issuing database; the merge accepts only verdicts in the issued role(s) on the issued
items, attributes them to the person the package was issued to, and refuses anything else whole.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import VerdictBody
from cdi_workbench.cli import main
from cdi_workbench.packages import PackageError, apply_merge, export_package, merge_package, plan_import
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditSetting, Verdict, VerdictChange
from tests.builders import small_audit
from tests.security.test_exports import (
    AUDITOR,
    FINAL_REASON,
    FLAG_NOTE,
    LEAD,
    LIAISON,
    RATIONALE,
    REVIEWER,
    TWO,
    ZERO,
    _audit,
    _every_cell,
    _text,
)

FORGED = "Forged: the lead agrees with the reviewer"


def _state(db: Database) -> tuple[int, list[tuple]]:
    """The history's length and every verdict as it stands: what a refused merge must leave untouched."""
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(VerdictChange)) or 0
        verdicts = [(v.item_id, v.role, v.auditor, json.dumps(v.body, sort_keys=True))
                    for v in s.scalars(select(Verdict).order_by(Verdict.item_id, Verdict.role))]
    return n, verdicts


def _share(db: Database, tmp_path: Path, name: str = "rita") -> Path:
    """The reviewer's own blind share (INC-0001 and INC-0002), exported by herself."""
    return export_package(db, "Incidents", tmp_path / name, who=REVIEWER).path


def _edit_manifest(package: Path, change) -> None:  # noqa: ANN001 (a function of the manifest)
    with closing(sqlite3.connect(package)) as conn, conn:
        m = json.loads(conn.execute("SELECT value FROM audit_setting WHERE key = 'package:manifest'").fetchone()[0])
        change(m)
        conn.execute("UPDATE audit_setting SET value = ? WHERE key = 'package:manifest'", (json.dumps(m),))


def test_a_reviewer_forging_the_leads_and_an_auditors_verdicts_is_refused_whole(tmp_path: Path,
                                                                                capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "a.db"
    db, items = _audit(path)
    package = _share(db, tmp_path)
    pkg = Database(package)
    AuditService(pkg, REVIEWER).save_verdict(items["INC-0002"], ZERO, role="review")  # her own work
    # then she types the lead's and an auditor's names into her package: the package's trail still verifies
    AuditService(pkg, LEAD).save_verdict(items["INC-0002"], ZERO, role="final", reason=FORGED)
    AuditService(pkg, AUDITOR).save_verdict(items["INC-0001"], ZERO)
    assert AuditService(pkg, REVIEWER).verify_trail() == []
    pkg.close()
    before = _state(db)
    for importer in (REVIEWER, LEAD):  # refused whoever imports it
        with pytest.raises(PackageError) as refused:
            merge_package(db, package, importer, resolve="theirs")
        message = str(refused.value)
        assert "issued to Rita Reviewer for review verdicts" in message and "Nothing of it is merged" in message
        assert re.search(r"INC-0002 \(Incidents #\d+\), lead's decision, entered there as Lena Lead", message)
        assert re.search(r"INC-0001 \(Incidents #\d+\), auditor's verdict, entered there as Alan Auditor", message)
        assert RATIONALE not in message and FINAL_REASON not in message  # nothing of the first verdict
    assert _state(db) == before  # nothing written, not even her own review
    db.close()
    assert main(["--user", REVIEWER, "package", "import", str(path), str(package), "--resolve", "theirs"]) == 1
    err = capsys.readouterr().err
    assert "lead's decision" in err and RATIONALE not in err
    assert main(["verify", str(path)]) == 0


def test_a_verdict_written_into_the_package_file_with_sqlite_is_refused(tmp_path: Path) -> None:
    db, items = _audit(tmp_path / "a.db")
    package = _share(db, tmp_path)
    with closing(sqlite3.connect(package)) as conn, conn:  # a final verdict 'by the lead', straight into the file
        conn.execute("INSERT INTO verdict (item_id, role, auditor, updated_at, body, complete, n_crimes, n_recorded, "
                     "n_misclassified, n_late, n_failed_checks) VALUES (?, 'final', ?, '2026-01-01 00:00:00', ?, 1, "
                     "0, 0, 0, 0, 0)", (items["INC-0002"], LEAD, json.dumps(ZERO.to_json())))
    before = _state(db)
    with pytest.raises(PackageError, match="does not verify|lead's decision"):
        plan_import(db, package, REVIEWER)
    assert _state(db) == before
    db.close()


def test_an_item_added_to_the_description_breaks_its_seal(tmp_path: Path) -> None:
    db, items = _audit(tmp_path / "a.db")
    package = _share(db, tmp_path)
    pkg = Database(package)
    AuditService(pkg, REVIEWER).save_verdict(items["INC-0002"], ZERO, role="review")
    pkg.close()
    with closing(sqlite3.connect(tmp_path / "a.db")) as conn:
        position = conn.execute("SELECT position FROM audit_item WHERE id = ?", (items["INC-0003"],)).fetchone()[0]
    extra = {"item_id": items["INC-0003"], "position": position, "kind": "incident", "ref": "INC-0003", "base": {}}

    def add_item(m: dict) -> None:
        m["issue"]["items"].append(extra)
        m["items"].append({**extra, "changes": {}})

    _edit_manifest(package, add_item)
    before = _state(db)[1]  # the verdicts (each export below adds its own history row)
    with pytest.raises(PackageError, match="seal does not verify"):
        plan_import(db, package, LEAD)
    # nor may the person, the roles or the blind records be changed
    for change in (lambda m: m["issue"]["items"].pop(), lambda m: m["issue"].update(issued_to=LEAD),
                   lambda m: m["issue"].update(roles=["final", "primary", "review"]),
                   lambda m: m["issue"].update(blind=[])):
        fresh = _share(db, tmp_path, f"p{len(list(tmp_path.iterdir()))}")
        _edit_manifest(fresh, change)
        with pytest.raises(PackageError, match="seal does not verify"):
            plan_import(db, fresh, LEAD)
    # the manifest's list of records changed without the description: refused too
    fresh = _share(db, tmp_path, "listed")
    _edit_manifest(fresh, lambda m: m["items"].append({**extra, "changes": {}}))
    with pytest.raises(PackageError, match="list of records"):
        plan_import(db, fresh, LEAD)
    # a package without a description (or its MAC) at all
    fresh = _share(db, tmp_path, "bare")
    _edit_manifest(fresh, lambda m: (m.pop("issue"), m.pop("mac")))
    with pytest.raises(PackageError, match="does not say what it was issued for"):
        plan_import(db, fresh, LEAD)
    assert _state(db)[1] == before
    db.close()


def test_a_package_from_another_database_is_refused_even_with_this_ones_identity(tmp_path: Path) -> None:
    db, items = _audit(tmp_path / "a.db")
    other, _ = _audit(tmp_path / "other.db")  # the same team and records, another database (another key)
    foreign = export_package(other, "Incidents", tmp_path / "foreign", who=REVIEWER).path
    other.close()
    _share(db, tmp_path)  # this database has issued a package too: it has an identity and a key
    with pytest.raises(PackageError, match="exported from another audit database"):
        plan_import(db, foreign, LEAD)
    with db.session() as s:
        uid = s.get(AuditSetting, "audit_uid").value

    def pose(m: dict) -> None:  # posing as this database's package: its identity copied in
        m["source"]["uid"] = m["issue"]["source"] = uid

    _edit_manifest(foreign, pose)
    before = _state(db)
    with pytest.raises(PackageError, match="seal does not verify"):
        plan_import(db, foreign, LEAD)
    assert _state(db) == before
    plain = small_audit(tmp_path / "plain.db")  # a database that never issued a package: no key at all
    with plain.session() as s:
        s.add(AuditSetting(key="audit_uid", value=uid))
    with pytest.raises(PackageError, match="seal does not verify"):
        plan_import(plain, foreign, "")
    plain.close()
    db.close()


def test_a_genuine_package_merges_as_the_person_it_was_issued_to(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db, items = _audit(path)
    package = _share(db, tmp_path)
    pkg = Database(package)
    # the review saved in the package under the lead's name (the lead may review): it is still hers
    AuditService(pkg, LEAD).save_verdict(items["INC-0002"], ZERO, role="review")
    pkg.close()
    plan, result = merge_package(db, package, REVIEWER)
    assert result is not None and result.taken == 1
    assert plan.issued_to == REVIEWER and plan.roles == ("review",)
    with db.session() as s:
        v = s.scalar(select(Verdict).where(Verdict.item_id == items["INC-0002"], Verdict.role == "review"))
        assert v is not None and v.auditor == REVIEWER
        last = s.scalar(select(VerdictChange).where(VerdictChange.item_id == items["INC-0002"],
                                                    VerdictChange.action == "merge"))
        assert last is not None and last.who == REVIEWER and LEAD not in last.reason
    db.close()
    assert main(["verify", str(path)]) == 0


def test_an_auditors_share_is_issued_for_first_verdicts_and_the_lead_may_merge_it(tmp_path: Path) -> None:
    db, items = _audit(tmp_path / "a.db")
    package = export_package(db, "Incidents", tmp_path / "alan", who=LEAD, issued_to=AUDITOR).path
    pkg = Database(package)
    AuditService(pkg, AUDITOR).save_verdict(items["INC-0003"], TWO)
    pkg.close()
    with pytest.raises(NotAllowed, match="may not merge a package issued to Alan Auditor"):
        plan_import(db, package, REVIEWER)
    plan = plan_import(db, package, LEAD)
    assert plan.roles == ("primary",)
    with pytest.raises(NotAllowed, match="may not merge"):  # the importer is checked again when applying
        apply_merge(db, plan, "theirs", REVIEWER)
    assert apply_merge(db, plan, "theirs", LEAD).taken == 1
    assert AuditService(db, LEAD).verdict(items["INC-0003"]).rationale == RATIONALE
    with pytest.raises(NotAllowed, match="may issue a package only to themselves"):
        export_package(db, "Incidents", tmp_path / "x", who=REVIEWER, issued_to=AUDITOR)
    with pytest.raises(NotAllowed, match="may not carry records offline"):
        export_package(db, "Incidents", tmp_path / "y", who=LEAD, issued_to=LIAISON)
    db.close()


def test_the_liaison_may_not_import_a_package(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "a.db"
    db, items = _audit(path)
    package = _share(db, tmp_path)
    pkg = Database(package)
    AuditService(pkg, REVIEWER).save_verdict(items["INC-0002"], ZERO, role="review")
    pkg.close()
    before = _state(db)
    with pytest.raises(NotAllowed, match="may not carry records offline"):
        plan_import(db, package, LIAISON)
    plan = plan_import(db, package, LEAD)
    with pytest.raises(NotAllowed):
        apply_merge(db, plan, None, LIAISON)
    assert _state(db) == before
    db.close()
    assert main(["--user", LIAISON, "package", "import", str(path), str(package)]) == 4
    assert main(["verify", str(path)]) == 0


def test_a_blind_reviewers_conflict_listing_holds_nothing_of_the_first_verdict(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "a.db"
    db, items = _audit(path)
    package = _share(db, tmp_path)
    pkg = Database(package)
    AuditService(pkg, REVIEWER).save_verdict(items["INC-0002"], ZERO, role="review")
    pkg.close()
    # meanwhile the lead enters a different review of the same record here: a conflict on the review
    AuditService(db, LEAD).save_verdict(items["INC-0002"], VerdictBody(zero_status=True, complete=False,
                                                                       rationale="lead's draft review"),
                                        role="review")
    plan = plan_import(db, package, REVIEWER)
    assert {e.role for e in plan.entries} == {"review"} and len(plan.conflicts) == 1
    listing = json.dumps([dataclasses.asdict(e) for e in plan.entries], default=str)
    for secret in (RATIONALE, FLAG_NOTE, FINAL_REASON, AUDITOR):
        assert secret not in listing
    db.close()
    assert main(["--user", REVIEWER, "package", "import", str(path), str(package)]) == 3
    out = capsys.readouterr()
    assert "CONFLICT INC-0002" in out.out
    for secret in (RATIONALE, FLAG_NOTE, FINAL_REASON, AUDITOR):
        assert secret not in out.out + out.err
    # the lead, planning the same package, sees the first verdicts as before
    db = Database(path)
    assert {e.role for e in plan_import(db, package, LEAD).entries} >= {"primary", "review"}
    db.close()


def test_the_package_key_never_leaves_the_audit_database(tmp_path: Path) -> None:
    db, items = _audit(tmp_path / "a.db")
    package = export_package(db, "Incidents", tmp_path / "whole", who=LEAD).path
    with db.session() as s:
        key = s.get(AuditSetting, "package:secret")
        assert key is not None and len(bytes.fromhex(key.value)) == 32
        secret = key.value
    with closing(sqlite3.connect(package)) as conn:
        settings = dict(conn.execute("SELECT key, value FROM audit_setting").fetchall())
    assert "package:secret" not in settings and "package:manifest" in settings
    assert secret not in _text(_every_cell(package))  # not in any cell of any table
    manifest = json.loads(settings["package:manifest"])
    assert manifest["issue"]["issued_to"] == LEAD and len(manifest["mac"]) == 64
    # the key is made once: a second export uses the same one
    export_package(db, "Incidents", tmp_path / "again", who=LEAD)
    with db.session() as s:
        assert s.get(AuditSetting, "package:secret").value == secret
    db.close()
