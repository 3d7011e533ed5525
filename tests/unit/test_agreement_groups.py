"""A force's own check (local_config) is grouped with its kind's checks in the agreement tables, not under
"Other checks" (agreement.CHECK_ORDER is fixed when the module loads; the check table is read when used)."""

from __future__ import annotations

from cdi_workbench.agreement import Agreement
from cdi_workbench.audit.check_table import Check, clear_local_checks, set_local_checks


def test_a_local_check_is_grouped_with_its_kind() -> None:
    set_local_checks("disposal", [Check("victim_leaflet_given", "Leaflet given", "Was the victim given the leaflet?",
                                        "", "Leaflet given", "leaflet_given")])
    try:
        assert Agreement("victim_leaflet_given", "", 1, 1, None).group == "Out-of-court disposals"
        assert Agreement("offender_suitable", "", 1, 1, None).group == "Out-of-court disposals"
    finally:
        clear_local_checks()
    assert Agreement("victim_leaflet_given", "", 1, 1, None).group == "Other checks"
