from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cdi_workbench.audit.narrative import entries, offence_spans
from cdi_workbench.classification import codes_for_period, group_of, lookup, search
from cdi_workbench.rules import classification, normalise_code, rule_set, timeliness
from cdi_workbench.timeutil import display, format_duration, uk_local


def test_timeliness_shows_the_arithmetic() -> None:
    r = timeliness(uk_local(2015, 6, 1, 9, 0), uk_local(2015, 6, 2, 16, 12), rule_set("2015"))
    assert r.ok is False
    assert r.explanation == "recorded 31 h 12 min after the report: outside 24 hours"
    r = timeliness(uk_local(2014, 6, 1, 9, 0), uk_local(2014, 6, 4, 9, 0), rule_set("2014"))
    assert r.ok is True and "within 72 hours" in r.explanation  # exactly 72 h is within


def test_timeliness_counts_real_hours_across_the_clock_change() -> None:
    # 30/03/2014 01:00 GMT -> 31/03/2014 01:30 BST is 23 h 30 min of real time, not 24 h 30 min
    r = timeliness(uk_local(2014, 3, 30, 0, 30), uk_local(2014, 3, 31, 1, 0), rule_set("2015"))
    assert r.ok is True
    assert r.explanation.startswith("recorded 23 h 30 min after the report: within 24 hours")
    assert "(the clocks changed in between: 24 h 30 min on the wall clock)" in r.explanation


def test_timeliness_missing_time_and_crime_recorded_first() -> None:
    assert timeliness(None, uk_local(2014, 1, 1), rule_set("2014")).ok is None
    early = timeliness(uk_local(2014, 1, 2), uk_local(2014, 1, 1), rule_set("2014"))
    # an impossible order is neither within nor outside the limit: 'time not known' (issue 10)
    assert early.ok is None and "before the report" in early.explanation and "time not known" in early.explanation


def test_unknown_rule_set() -> None:
    with pytest.raises(ValueError, match="2014 or 2015"):
        rule_set("2016")


@pytest.mark.parametrize(("a", "b", "ok"), [("8N", "008N", True), ("19c", "19C", True), ("19C", "17A", False),
                                           (" 105A", "105a", True), ("", "8N", None)])
def test_classification(a: str, b: str, ok: bool | None) -> None:
    assert classification(a, b).ok is ok


def test_normalise_code() -> None:
    assert normalise_code("008N") == "8N"
    assert normalise_code("0") == "0"


def test_classification_list_and_groups() -> None:
    assert lookup("19C").group == "rape"
    assert group_of("8N") == "vap"
    assert group_of("17A") == "sexual"
    assert group_of("58A") == "other"
    old = {c.code for c in codes_for_period(date(2014, 1, 1), date(2014, 6, 30))}
    new = {c.code for c in codes_for_period(date(2025, 4, 1), date(2025, 9, 30))}
    assert "28E" in old and "28E" not in new  # 2014 burglary code replaced since
    assert not any("outcomes only" in c.label.lower() for c in codes_for_period(date(2014, 1, 1), date(2030, 1, 1)))
    assert search("rape female 16", date(2014, 1, 1), date(2014, 6, 30))[0].code == "19C"
    assert search("8n", date(2014, 1, 1), date(2014, 6, 30))[0].code == "8N"


def test_narrative_entries_and_highlights() -> None:
    text = ("14/03/2014 21:14 [Call taker] Caller says he punched her\n"
            "  and smashed the phone\n14/03/2014 22:05:10 [PC 2231] Bruising seen")
    es = entries(text)
    assert [(e.time, e.author) for e in es] == [("14/03/2014 21:14", "Call taker"), ("14/03/2014 22:05", "PC 2231")]
    assert es[0].text.endswith("smashed the phone")
    words = [es[0].text[a:b] for a, b in offence_spans(es[0].text)]
    assert words == ["punched", "smashed"]


def test_display_uses_uk_time() -> None:
    assert display(datetime(2014, 7, 1, 11, 0, tzinfo=UTC)) == "01/07/2014 12:00"
    assert display(None) == ""
    assert format_duration(uk_local(2014, 1, 3) - uk_local(2014, 1, 1)) == "48 h 0 min (2 days 0 h)"


def test_code_search_puts_a_label_typed_in_full_first() -> None:
    from datetime import date

    from cdi_workbench.classification import search

    period = (date(2014, 1, 1), date(2014, 6, 30))
    assert search("assault without injury", *period)[0].code == "105A"  # not 104 (... on a Constable)
    assert search("8n", *period)[0].code == "8N"
    assert search("rape", *period)[0].code == "19C"
