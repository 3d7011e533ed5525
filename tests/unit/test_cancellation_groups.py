"""Offence groups of cancelled crimes: Home Office codes to groups, and the names forces write for them."""

from __future__ import annotations

import pytest

from cdi_workbench.classification import (
    CANCELLATION_GROUPS,
    all_classifications,
    cancellation_group,
    cancellation_group_of_code,
    parse_cancellation_group,
)
from cdi_workbench.importing.values import Bad, parse_cancelled_group


def test_the_six_groups_in_report_order() -> None:
    assert CANCELLATION_GROUPS == {"rape": "Rape", "sexual": "Sexual offences (excluding rape)",
                                   "vap": "Violence against the person", "robbery": "Robbery",
                                   "burglary": "Burglary", "other": "Other offences"}
    assert list(CANCELLATION_GROUPS) == ["rape", "sexual", "vap", "robbery", "burglary", "other"]


@pytest.mark.parametrize(("codes", "group"), [
    (["19C", "19D", "19E", "19F", "19G", "19H", "19J", "19K"], "rape"),
    (["34A", "34B", "34b", "034B", " 34 a "], "robbery"),
    (["28A", "28E", "28F", "28G", "28H", "28I", "28P", "29", "29A", "29B", "29C", "30A", "30B", "30C", "30D",
      "31", "31A"], "burglary"),
    (["8N", "105A", "8L", "3B", "4/1", "106", "36", "37/1"], "vap"),
    (["17A", "17B", "20A", "22B", "88E", "72"], "sexual"),
    (["58A", "49", "46", "9A", "92D", "37/2", "NFIB9", "33", "35"], "other"),
])
def test_codes_map_to_groups(codes: list[str], group: str) -> None:
    for code in codes:
        assert cancellation_group_of_code(code) == group, code


def test_unknown_codes_have_no_group() -> None:
    for code in ("99Z", "", None, "34C", "rape"):
        assert cancellation_group_of_code(code) is None, code


def test_every_listed_code_is_grouped_as_its_class_says() -> None:
    """Against cdi_workbench/resources/classifications.csv: its class, sub-class and label name robbery, burglary and rape."""
    for c in all_classifications():
        words = f"{c.offence_class} {c.sub_class} {c.label}".lower()
        group = cancellation_group_of_code(c.code)
        assert group in CANCELLATION_GROUPS, c
        if c.offence_class.lower() == "robbery":
            assert group == "robbery", c
        elif "burglary" in words:
            assert group == "burglary", c
        elif c.sub_class.lower() == "rape":
            assert group == "rape", c
        elif c.offence_class.lower().startswith("sexual"):
            assert group == "sexual", c
        elif c.offence_class.lower().startswith("violence against the person"):
            assert group == "vap", c
        else:
            assert group == "other", c
        if group == "robbery":
            assert c.code.startswith("34"), c
        if group == "burglary":
            assert "burglary" in words, c


@pytest.mark.parametrize(("text", "key"), [
    ("rape", "rape"), ("RAPE", "rape"), (" Rape ", "rape"),
    ("violence", "vap"), ("Violence", "vap"), ("violence against the person", "vap"),
    ("Violence  Against the   Person", "vap"), ("VAP", "vap"), ("vap", "vap"),
    ("robbery", "robbery"), ("Robbery", "robbery"), ("ROBBERY", "robbery"),
    ("sexual offences", "sexual"), ("Sexual Offences", "sexual"), ("sexual offences excluding rape", "sexual"),
    ("Sexual offences (excluding rape)", "sexual"), ("sexual", "sexual"),
    ("burglary", "burglary"), ("Burglary", "burglary"),
    ("other", "other"), ("Other offences", "other"), ("All other offences", "other"),
])
def test_names_forces_write(text: str, key: str) -> None:
    assert parse_cancellation_group(text) == key


def test_every_key_and_label_parses_to_itself() -> None:
    for key, label in CANCELLATION_GROUPS.items():
        assert parse_cancellation_group(key) == key
        assert parse_cancellation_group(label) == key
        assert parse_cancellation_group(label.upper()) == key


@pytest.mark.parametrize("text", ["shoplifting", "violent", "fraud", "robberies", "", "34B", "sex"])
def test_unknown_names_are_refused_naming_the_value_and_the_names(text: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_cancellation_group(text)
    message = str(exc.value)
    assert message.startswith(f"unknown offence group {text!r}")
    for name in ("rape", "sexual offences excluding rape", "violence against the person", "VAP", "robbery",
                 "burglary", "other"):
        assert name in message
    with pytest.raises(Bad, match="unknown offence group"):
        parse_cancelled_group(text)


def test_the_code_wins_over_the_group_written() -> None:
    assert cancellation_group("28E", "rape") == "burglary"  # a crafted 'rape' for a burglary
    assert cancellation_group("34B", "Violence") == "robbery"
    assert cancellation_group("19C", "other") == "rape"
    assert cancellation_group(None, "Violence") == "vap"  # no crime record: the group written
    assert cancellation_group("99Z", "Robbery") == "robbery"  # a code not in the list: the group written
    assert cancellation_group(None, "vap") == "vap"  # a stored key
    assert cancellation_group(None, None) == cancellation_group(None, "  ") == "other"
    assert cancellation_group(None, "fraud") == "other"  # a group it does not know
