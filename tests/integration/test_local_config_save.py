"""local_config.editing and save, the core of the window's Local configuration dialog (issue 14): the whole
configuration read with whether the person may change it, and saved whole, every row checked as `cdi config`
checks it, all or nothing, a refusal naming its part and row; the lead's only; a save over someone else's change
refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cdi_workbench import local_config
from cdi_workbench.audit import check_table
from cdi_workbench.audit.people import add_person
from cdi_workbench.audit.roles import NotAllowed
from cdi_workbench.local_config import ConfigError, LocalCheck, LocalConfig
from tests.builders import small_audit

LEAD, AUDITOR = "Lena Lead", "Amy Auditor"
CHECK = ("disposal", "interpreter_used", "Interpreter used", "Was an interpreter used?")


@pytest.fixture(autouse=True)
def _no_checks_left_behind() -> Iterator[None]:
    yield
    local_config.deactivate()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[local_config.Database]:
    d = small_audit(tmp_path / "a.db")
    add_person(d, LEAD, LEAD, "lead")
    add_person(d, LEAD, AUDITOR, "auditor")
    yield d
    d.close()


def test_saved_whole_normalised_and_in_force(db) -> None:  # noqa: ANN001
    before = local_config.editing(db, LEAD)
    assert before.may_change and before.why_not == "" and before.config == LocalConfig()
    saved = local_config.save(db, [("8n / 01", "8n"), ("", "")], [("Adult  caution", "caution"), ("", "")],
                              [CHECK, ("crime", "", "", "")], LEAD, before.config)
    assert saved.codes_changed and saved.types_changed and saved.checks_changed
    assert saved.editing.config == LocalConfig({"8N/01": "8N"}, {"Adult caution": "Caution"}, (LocalCheck(*CHECK),))
    assert saved.editing.offences == {"8N": "8N Assault with injury"}
    assert local_config.load(db) == saved.editing.config
    assert [c.key for c in check_table.checks_of("disposal")][-1] == "interpreter_used"  # in force at once
    again = local_config.save(db, [("8N/01", "8N")], [], [], LEAD)  # rows left out are removed
    assert not again.codes_changed and again.types_changed and again.checks_changed  # 8N/01 kept as matched
    assert local_config.load(db) == LocalConfig({"8N/01": "8N"})
    assert "interpreter_used" not in [c.key for c in check_table.checks_of("disposal")]
    same = local_config.save(db, [("8N/01", "8N")], [], [], LEAD)
    assert not same.changed


@pytest.mark.parametrize(("codes", "types", "checks", "part", "row", "message"), [
    ([("8N/01", "8N"), ("8N/03", "99Z")], [], [], "codes", 1, "sub-code 8N/03: '99Z' is not a Home Office code"),
    ([("8N/01", "8N"), ("8n/01", "8N")], [], [], "codes", 1, "sub-code 8N/01 is given twice"),
    ([("", "8N")], [], [], "codes", 0, "row 1: give the force's sub-code"),
    ([("8N/01", "")], [], [], "codes", 0, "sub-code 8N/01: give the Home Office code"),
    ([], [("PND", "Fine")], [], "disposal types", 0, "local disposal type 'PND': 'Fine' is not a national"),
    ([], [("PND", "Caution"), ("pnd", "Caution")], [], "disposal types", 1, "'pnd' is given twice"),
    ([], [], [CHECK, ("n100", "interpreter_used", "Other", "Q?")], "checks", 1, "already an extra check"),
    ([], [], [("disposal", "Bad Key", "L", "Q?")], "checks", 0, "write it in snake_case"),
])
def test_one_row_refused_nothing_kept(db, codes, types, checks, part, row, message) -> None:  # noqa: ANN001
    local_config.set_codes(db, {"105A/2": "105A"}, who=LEAD)
    with pytest.raises(ConfigError, match=message) as refused:
        local_config.save(db, [("8N/09", "8N"), *codes] if part != "codes" else codes, types, checks, LEAD)
    assert (refused.value.part, refused.value.row) == (part, row)
    assert local_config.load(db) == LocalConfig({"105A/2": "105A"})


def test_only_the_lead_and_not_over_someone_elses_change(db) -> None:  # noqa: ANN001
    seen = local_config.editing(db, AUDITOR)
    assert not seen.may_change
    assert seen.why_not == "Amy Auditor (auditor) may not change the local configuration: only the audit lead may"
    with pytest.raises(NotAllowed, match="only the audit lead may"):
        local_config.save(db, [("8N/01", "8N")], [], [], AUDITOR)
    assert local_config.load(db) == LocalConfig()
    opened = local_config.editing(db, LEAD).config
    local_config.set_disposal_types(db, {"PND": "Penalty notice for disorder"}, who=LEAD)
    with pytest.raises(ConfigError, match="someone else changed the local configuration"):
        local_config.save(db, [("8N/01", "8N")], [], [], LEAD, opened)
    assert local_config.load(db) == LocalConfig(disposal_types={"PND": "Penalty notice for disorder"})


def test_a_national_name_standing_for_another_is_named_once(db) -> None:  # noqa: ANN001
    """The window's refusal wraps the check's words in the row's name once ('local disposal type' was said twice)."""
    with pytest.raises(ConfigError) as refused:
        local_config.save(db, [], [("caution", "Community resolution")], [], LEAD)
    assert str(refused.value) == ("local disposal type 'caution': 'caution' is itself a national type (Caution) "
                                  "and cannot stand for another")
