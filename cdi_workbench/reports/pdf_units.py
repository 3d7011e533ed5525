"""The PDF report's annex of findings by owning unit (findings_units): the summary table (one row per unit) and
each unit's recording rates per offence group, drawn as the findings tables are (pdf._count_table)."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from cdi_workbench.findings import Findings
from cdi_workbench.findings_units import ByUnit

from .pdf import _column_parts, _count_table, para


def units_section(findings: Findings, by_unit: ByUnit) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(8 * cm), para("Annex: findings by unit", "h1"),
                           para("The figures of section 1 for the records of each owning unit (district, local "
                                "policing area or team) as the force's extracts gave it.", "body")]
    if not by_unit.units:
        return [*out, para("No record has a completed verdict in this audit.", "body")]
    for t in by_unit.tables:
        block: list[Flowable] = [para(t.title, "h2")]
        for n, part in enumerate(_column_parts(t)):
            if n:
                block.append(Spacer(1, 6))
            block.append(_count_table(findings, part))
        if t.note:
            block.append(para(t.note, "note"))
        out.append(KeepTogether(block))
    return out
