"""File > Export audit package and File > Import audit package, driven as a user would."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel

from cdi_workbench.audit.service import AuditService
from cdi_workbench.audit.verdicts import CrimeFinding, VerdictBody
from cdi_workbench.packages import export_package
from cdi_workbench.storage.database import Database
from ui.package_dialog import ConflictBox, ExportPackageDialog, MergeDialog

from .conftest import open_window, settle


def _items(svc: AuditService) -> dict[str, int]:
    sid = next(s.id for s in svc.samples() if s.name == "Incidents")
    return {r.ref: r.item_id for r in svc.queue(sid)}


def _package_with_a_conflict(path: Path, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A's verdict, exported; B changes two records offline; A changes one of them differently."""
    db = Database(path)
    a = AuditService(db, "Inspector A")
    items = _items(a)
    cr1, cr2 = a.find_crime("CR-1"), a.find_crime("CR-2")
    assert cr1 is not None and cr2 is not None
    a.save_verdict(items["INC-0001"], VerdictBody(crimes=[CrimeFinding("8N", cr1.id, "CR-1"),
                                                          CrimeFinding("58A", cr2.id, "CR-2")],
                                                  rationale="both recorded", complete=True))
    package = export_package(db, "Incidents", tmp_path / "share", who="Lead L", issued_to="Auditor B").path
    pkg = Database(package)
    b = AuditService(pkg, "Auditor B")
    b.save_verdict(items["INC-0002"], VerdictBody(crimes=[CrimeFinding("8L", not_recorded_reason="No discernible "
                                                                                                  "reason")],
                                                  rationale="threat with a knife", complete=True))
    theirs = b.verdict(items["INC-0001"])
    theirs.crimes[1].timely_override, theirs.crimes[1].override_reason = False, "five days after the report"
    theirs.rationale = "CR-2 recorded late"
    b.save_verdict(items["INC-0001"], theirs)
    pkg.close()
    ours = a.verdict(items["INC-0001"])
    ours.crimes[1].timely_override, ours.crimes[1].override_reason = True, "system outage"
    ours.rationale = "CR-2 in time"
    a.save_verdict(items["INC-0001"], ours)
    db.close()
    return package, items


def _texts(box: ConflictBox) -> list[str]:
    return [w.text() for w in box.findChildren(QLabel)]


def test_merge_dialog_resolves_a_conflict(qtbot, small_db, settings, tmp_path: Path) -> None:  # noqa: ANN001
    package, items = _package_with_a_conflict(small_db, tmp_path)
    w = open_window(qtbot, small_db, settings, user="Lead L")
    w.import_package(str(package))
    d = w.package_dialog
    assert isinstance(d, MergeDialog)
    qtbot.waitUntil(lambda: d.plan is not None, timeout=10000)
    assert d.auto.topLevelItemCount() == 1 and d.auto.topLevelItem(0).text(0).startswith("INC-0002")
    assert "Auditor B" in d.auto.topLevelItem(0).text(1)
    assert len(d.boxes) == 1
    box = d.boxes[0]
    texts = _texts(box)
    assert "Crime 2: timeliness" in texts and "in time (override)" in texts and "late (override)" in texts
    assert "CR-2 in time" in texts and "CR-2 recorded late" in texts  # both rationales, side by side
    assert any(t.startswith("Inspector A, ") for t in texts) and any(t.startswith("Auditor B, ") for t in texts)
    assert not d.apply_button.isEnabled()  # nothing is written until the conflict is resolved
    assert "Choose for 1 conflict" in d.message.text()
    qtbot.waitExposed(d)
    qtbot.waitUntil(box.theirs.isVisible)
    qtbot.mouseClick(box.theirs, Qt.MouseButton.LeftButton)
    assert d.resolutions() == {box.entry.key: "theirs"}
    assert d.apply_button.isEnabled()
    with qtbot.waitSignal(d.merged, timeout=10000):
        qtbot.mouseClick(d.apply_button, Qt.MouseButton.LeftButton)
    assert "1 verdict(s) taken from the package" in d.message.text()
    assert not box.isEnabled()
    settle(qtbot, w)
    w.close()
    db = Database(small_db)
    svc = AuditService(db)
    assert svc.verdict(items["INC-0001"]).rationale == "CR-2 recorded late"
    assert [c.expected_code for c in svc.verdict(items["INC-0002"]).crimes] == ["8L"]
    assert svc.history(items["INC-0002"])[-1].who == "Auditor B"
    assert svc.verify_trail() == []
    db.close()


def test_merge_dialog_keeps_ours_and_refuses_a_foreign_package(qtbot, small_db, settings,  # noqa: ANN001
                                                               tmp_path: Path) -> None:
    package, items = _package_with_a_conflict(small_db, tmp_path)
    w = open_window(qtbot, small_db, settings, user="Lead L")
    w.import_package(str(package))
    d = w.package_dialog
    qtbot.waitUntil(lambda: d.plan is not None, timeout=10000)
    qtbot.mouseClick(d.all_ours, Qt.MouseButton.LeftButton)
    assert d.resolutions() == {d.boxes[0].entry.key: "ours"}
    with qtbot.waitSignal(d.merged, timeout=10000):
        qtbot.mouseClick(d.apply_button, Qt.MouseButton.LeftButton)
    settle(qtbot, w)
    assert w.svc is not None and w.svc.verdict(items["INC-0001"]).rationale == "CR-2 in time"
    d.close()
    # a second import of the same package has nothing to do
    w.import_package(str(package))
    again = w.package_dialog
    qtbot.waitUntil(lambda: again.plan is not None, timeout=10000)
    assert again.boxes == [] and not again.apply_button.isEnabled()
    assert "Nothing to merge" in again.message.text()
    again.close()
    # a package of another audit database
    from tests.builders import small_audit

    other = small_audit(tmp_path / "other.db")
    foreign = export_package(other, "Incidents", tmp_path / "foreign", who="Someone").path
    other.close()
    w.import_package(str(foreign))
    refused = w.package_dialog
    qtbot.waitUntil(lambda: "cannot be merged" in refused.heading.text(), timeout=10000)
    assert "exported from another audit database" in refused.heading.text()
    assert not refused.apply_button.isEnabled()
    refused.close()
    settle(qtbot, w)
    w.close()


def test_export_dialog_writes_the_chosen_positions(qtbot, small_db, settings, tmp_path: Path,  # noqa: ANN001
                                                   monkeypatch) -> None:  # noqa: ANN001
    w = open_window(qtbot, small_db, settings, user="Lead L")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("given separately", True))  # its passphrase, twice
    w.export_package()
    qtbot.waitUntil(lambda: isinstance(getattr(w, "package_dialog", None), ExportPackageDialog), timeout=10000)
    d = w.package_dialog
    assert d.sample.currentData() == w._current_sample_name()  # noqa: SLF001
    d.sample.setCurrentIndex(d.sample.findData("Incidents"))
    assert d.path.text().endswith(".cdipkg")
    d.positions.setText("2-x")
    qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
    assert "Positions:" in d.message.text()
    d.positions.setText("1-2")
    d.path.setText(str(tmp_path / "two.cdipkg"))
    with qtbot.waitSignal(d.exported, timeout=10000) as sig:
        qtbot.mouseClick(d.export_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].items == 2
    assert "Wrote two.cdipkg: 2 record(s) of 'Incidents' (positions 1-2)" in d.message.text()
    settle(qtbot, w)
    w.close()
    monkeypatch.setenv("CDI_PACKAGE_PASSPHRASE", "given separately")  # encrypted (issue 13): opened with it
    pkg = Database(tmp_path / "two.cdipkg")
    svc = AuditService(pkg)
    assert [(s.name, s.size) for s in svc.samples()] == [("Incidents", 2)]
    pkg.close()
