"""Defects a new registrar team met in the programme (issue 14 review): designs that clash or hold nonsense, a
closed audit's samples changed, and a design draw of nothing that blocked the month for good."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from cdi_workbench import sample_designs, sampling
from cdi_workbench.audit.programme import close_audit, create
from cdi_workbench.sample_admin import delete_sample, rename_sample
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditSetting
from tests.builders import small_audit

FIRST = "2014-01-01 to 2014-06-30"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """The small audit (01/01 to 30/06/2014) and an audit of March 2014 (one incident, disposal, cancellation)."""
    d = small_audit(tmp_path / "review.db")
    create(d, None, date(2014, 3, 1), date(2014, 3, 31), "2014")
    return d


def test_a_design_from_an_audit_holding_both_names_keeps_each_sample(db: Database) -> None:
    """The first audit holds 'Incidents' (drawn before) and, drawn to a design, 'Incidents 2014-01-01 to ...':
    stripping the audit's name gave two samples called 'Incidents', a design that then stopped every design."""
    sample_designs.draw(db, "Monthly dip-sample", FIRST, master_seed=1)
    with db.session() as s:
        d = sample_designs.design_of_audit(s, FIRST, "Ours")
        names = [x.name for x in d.samples]
        assert len(names) == len(set(names)) and "Incidents" in names and f"Incidents {FIRST}" in names
        sample_designs.save_design(s, d)
    with db.session() as s:
        assert [x.name for x in sample_designs.designs(s)] == ["Monthly dip-sample", "Ours"]


def test_a_broken_saved_design_is_named_and_does_not_stop_the_others(db: Database) -> None:
    bad = {"name": "Broken", "samples": [{"name": "A", "kind": "incident", "size": 1},
                                         {"name": "A", "kind": "incident", "size": 2}]}
    with db.session() as s:
        s.add(AuditSetting(key="design:Broken", value=json.dumps(bad)))  # written by hand, or by an older version
    with db.session() as s:
        assert [x.name for x in sample_designs.designs(s)] == ["Monthly dip-sample"]
        assert "two samples share a name" in sample_designs.broken_designs(s)["Broken"]
        with pytest.raises(ValueError, match="two samples share a name"):
            sample_designs.design(s, "broken")
    run = sample_designs.draw(db, "Monthly dip-sample", "2014-03", master_seed=2)
    assert any(x.records for x in run.drawn)


def test_saving_over_a_design_needs_replace(db: Database) -> None:
    with db.session() as s:
        mine = sample_designs.Design.from_json({"name": "Mine", "samples": [
            {"name": "Incidents", "kind": "incident", "size": 5}]})
        sample_designs.save_design(s, mine)
        with pytest.raises(ValueError, match="already a design called 'Mine'"):
            sample_designs.save_design(s, mine)
        shipped = sample_designs.Design.from_json({**mine.to_json(), "name": "monthly dip-sample"})
        with pytest.raises(ValueError, match=r"'Monthly dip-sample' \(the shipped design\)"):
            sample_designs.save_design(s, shipped)
        sample_designs.save_design(s, shipped, replace=True)
    with db.session() as s:
        assert sample_designs.design(s, "Monthly dip-sample").samples[0].size == 5


@pytest.mark.parametrize(("sample", "said"), [
    ({"name": "D", "kind": "disposal", "per_stratum": {"Fine": 20}}, "'Fine' is not a stratum of disposal"),
    ({"name": "C", "kind": "cancellation", "per_stratum": {"vap": 20, "theft": 3}}, "'theft' is not a stratum"),
    ({"name": "I", "kind": "incident", "size": "lots"}, 'size must be a whole number, not "lots"'),
    ({"name": "I", "kind": "incident", "size": 3, "stratify": "yes"}, "stratify must be true or false"),
    ({"name": "D", "kind": "disposal", "per_stratum": {"Caution": -1}}, "cannot be negative"),
    ({"name": 7, "kind": "incident", "size": 3}, "name must be text"),
])
def test_design_files_holding_nonsense_are_refused_by_name(sample: dict[str, object], said: str) -> None:
    with pytest.raises(ValueError, match=said.replace("(", r"\(")):
        sample_designs.Design.from_json({"name": "X", "samples": [sample]}, "d.json")


def test_a_closed_audits_samples_are_not_extended_renamed_or_deleted(db: Database) -> None:
    close_audit_ = close_audit
    with db.session() as s:
        close_audit_(s, FIRST)
    for change in (lambda s: sampling.extend(s, "Incidents", 1), lambda s: rename_sample(s, "Incidents", "New"),
                   lambda s: delete_sample(s, "N100s")):
        with db.session() as s, pytest.raises(ValueError, match=f"the audit '{FIRST}' is closed: reopen it to"):
            change(s)
    with db.session() as s:
        close_audit_(s, FIRST, reopen=True)
    with db.session() as s:
        rename_sample(s, "Incidents", "Incidents (first)")


def test_a_design_draw_of_nothing_is_refused_and_leaves_the_month_to_draw(db: Database) -> None:
    create(db, None, date(2014, 8, 1), date(2014, 8, 31), "2014")  # no records of August imported yet
    with pytest.raises(ValueError, match="nothing to draw for the audit '2014-08'.*import the period's extracts"):
        sample_designs.draw(db, "Monthly dip-sample", "2014-08", master_seed=1)
    with db.session() as s:
        assert s.get(AuditSetting, "design-run:2014-08") is None


def test_a_national_disposal_type_cannot_stand_for_another(db: Database) -> None:
    from cdi_workbench import local_config
    from cdi_workbench.local_config import ConfigError

    with pytest.raises(ConfigError, match=r"'caution' is itself a national type \(Caution\) and cannot stand"):
        local_config.set_disposal_types(db, {"caution": "Community resolution"})
    assert local_config.load(db).disposal_types == {}
    local_config.set_disposal_types(db, {"CAUTION": "Caution", "Adult caution": "Caution"})  # to itself: harmless
    assert local_config.load(db).disposal_types == {"CAUTION": "Caution", "Adult caution": "Caution"}


def test_sub_codes_are_kept_as_matched_and_removing_what_is_not_there_is_refused(db: Database) -> None:
    from cdi_workbench import local_config
    from cdi_workbench.local_config import ConfigError

    local_config.set_codes(db, {"8n / 02": "8N"})
    assert local_config.load(db).codes == {"8N/02": "8N"}
    with pytest.raises(ConfigError, match="there is no sub-code 8N/99 to remove: the sub-codes are 8N/02"):
        local_config.set_codes(db, {"8N/99": None})
    with pytest.raises(ConfigError, match="no local disposal type 'Youth caution' to remove"):
        local_config.set_disposal_types(db, {"Youth caution": None})
    local_config.set_codes(db, {"8n/02": None})
    assert local_config.load(db).codes == {}


def test_a_refusal_names_what_was_refused(db: Database) -> None:
    """An auditor saving a design was told they 'may not add, close or reopen the programme's audits'."""
    from cdi_workbench.audit.people import add_person
    from cdi_workbench.audit.roles import NotAllowed

    add_person(db, "Lena Lead", "Lena Lead", "lead")
    add_person(db, "Lena Lead", "Amy Auditor", "auditor")
    with db.session() as s, pytest.raises(NotAllowed, match=r"may not plan the programme \(its audits, sample "
                                                            r"designs, targets, actions and work given out\)"):
        sample_designs.save_design(s, sample_designs.builtin(), who="Amy Auditor", replace=True)


def test_no_terminal_no_passphrase_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a terminal (a script, a pipe) the passphrase is refused in words, never read echoed from stdin with
    Python's GetPassWarning."""
    import getpass
    import io

    from cdi_workbench.cli.encryption import at_the_terminal
    from cdi_workbench.storage.encryption import PassphraseNeeded, PassphraseRequest

    asked: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": asked.append(prompt) or "typed")
    monkeypatch.setattr("sys.stdin", io.StringIO("secret\n"))
    monkeypatch.delenv("CDI_PACKAGE_PASSPHRASE", raising=False)
    request = PassphraseRequest(Path("mine.cdipkg"), package=True, new=True)
    with pytest.raises(PassphraseNeeded, match="set CDI_PACKAGE_PASSPHRASE"):
        at_the_terminal(request)
    assert asked == []


def test_a_closed_audits_verdicts_are_not_changed_by_any_path(db: Database, tmp_path: Path) -> None:
    """Closing reads the figures as final: the panel's save, a verdicts file and a direct ORM write are refused
    with the audit named, and nothing is kept; reopened, the same save goes through."""
    from sqlalchemy import select

    from cdi_workbench.audit.closed_guard import ClosedAudit
    from cdi_workbench.audit.service import AuditService
    from cdi_workbench.audit.verdicts import VerdictBody
    from cdi_workbench.storage.models import Verdict
    from cdi_workbench.verdict_io import export_verdicts, import_verdicts

    svc = AuditService(db, "Inspector A", audit=FIRST)
    sid = next(x.id for x in svc.samples() if x.name == "Incidents")
    first, second = (r.item_id for r in svc.queue(sid)[:2])
    svc.save_verdict(first, VerdictBody(zero_status=True, complete=True))
    out = tmp_path / "verdicts.csv"
    export_verdicts(db, out, "Inspector A")
    with db.session() as s:
        close_audit(s, FIRST)
    with pytest.raises(ClosedAudit, match=f"the audit '{FIRST}' is closed"):
        svc.save_verdict(second, VerdictBody(zero_status=True, complete=True))
    with pytest.raises(ClosedAudit), db.session() as s:
        row = s.scalar(select(Verdict).where(Verdict.item_id == first))
        assert row is not None
        row.complete = False  # a script's ORM write: refused at the flush, the unit of work undone
    text = out.read_text(encoding="utf-8-sig")
    out.write_text(text.replace(",Inspector A,,", ",Inspector A,a rationale added after closing,"), encoding="utf-8")
    with pytest.raises(ValueError, match="is closed"):
        import_verdicts(db, out, "Inspector B")
    with db.session() as s:
        assert s.scalar(select(Verdict.item_id).where(Verdict.item_id == second)) is None
        assert s.scalar(select(Verdict.complete).where(Verdict.item_id == first)) is True
        close_audit(s, FIRST, reopen=True)
    svc.save_verdict(second, VerdictBody(zero_status=True, complete=True))
    with db.session() as s:
        assert s.scalar(select(Verdict.item_id).where(Verdict.item_id == second)) == second


def test_the_closed_guard_looks_at_every_chunk_of_a_large_flush(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A verdicts file of 40,000 rows flushes them at once: the items are looked up in chunks (one IN of them all
    would pass SQLite's 32,766 parameters), and a closed audit's verdict in the last chunk is still found."""
    from sqlalchemy import select

    from cdi_workbench.audit import closed_guard
    from cdi_workbench.audit.service import AuditService
    from cdi_workbench.audit.verdicts import VerdictBody
    from cdi_workbench.storage.models import Verdict

    svc = AuditService(db, "Inspector A", audit=FIRST)
    sid = next(x.id for x in svc.samples() if x.name == "Incidents")
    items = [r.item_id for r in svc.queue(sid)[:3]]
    for item in items:
        svc.save_verdict(item, VerdictBody(zero_status=True, complete=True))
    with db.session() as s:
        close_audit(s, FIRST)
    monkeypatch.setattr(closed_guard, "CHUNK", 1)
    with pytest.raises(closed_guard.ClosedAudit, match=f"'{FIRST}' is closed"), db.session() as s:
        for row in s.scalars(select(Verdict).where(Verdict.item_id.in_(items))):
            row.complete = False
