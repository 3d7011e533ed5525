"""Does a findings JSON report say what its database gives? The check `cdi sign` makes before a lead vouches for one.

A signature vouches for a report's head and for its figures. The head is compared with the history (audit.anchor);
the figures are compared here: the findings are worked out again from the database with the options the report
records (the interval method, audit.method_key; a previous audit, audit.previous.file; the breakdown by unit,
figures.by_unit; pseudonymised free text, audit.pseudonymised; the peer review figures, peer_review_agreement) and
the document the report would be today is compared with the report, key by key. Only what legitimately differs is
left out: when it was generated (audit.generated_at), the head (audit.trail, checked apart) and the signature.

Signing is done when the report is issued: the report's head must be the database's head now, but for the history
rows that record exports (the report's own export among them), which change no figure. A report made before later
history rows is refused: it is to be made again and the new one signed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..storage.models import VerdictChange
from .trail import EXPORT

if TYPE_CHECKING:
    from ..storage.database import Database

# what the document made again may differ in from the report without the figures differing
LEFT_OUT = frozenset({"audit.generated_at", "audit.trail", "audit.trail_signature"})
SHOWN = 5  # differences named in a refusal


class ReportMismatch(ValueError):
    """The report cannot be shown to say what its database gives (why, in words)."""


def later_rows(db: Database, issued: int, now: int) -> int:
    """How many of the history rows after the first `issued` (up to `now`) record something other than an export."""
    if now <= issued:
        return 0
    with db.session() as s:
        actions = s.scalars(select(VerdictChange.action).order_by(VerdictChange.id).offset(issued)
                            .limit(now - issued))
        return sum(1 for a in actions if a != EXPORT)


def remade(db: Database, doc: dict[str, Any], name: str) -> dict[str, Any]:
    """The findings document `db` gives today with the options the report `doc` (the file `name`) was made with,
    as it reads back from JSON."""
    from ..findings import compute, with_previous
    from ..reports import findings_document, review_figures
    from ..statistics import METHODS

    given = doc.get("audit")
    audit: dict[str, Any] = given if isinstance(given, dict) else {}
    method = audit.get("method_key")
    if method not in METHODS:
        raise ReportMismatch(f"{name} does not say which interval method it was made with (audit.method_key is "
                             f"{method!r}): its figures cannot be worked out again to check them")
    findings = compute(db, method=method, audit=audit.get("audit") or None)  # the report's audit of the programme
    review = review_figures(db, method=method, findings=findings) if "peer_review_agreement" in doc else None
    previous = audit.get("previous")
    if previous is not None:
        findings = with_previous(findings, _previous(previous, method, name), source=str(previous.get("file")))
    by_unit = None
    figures = doc.get("figures")
    if isinstance(figures, dict) and "by_unit" in figures:
        from ..findings_units import findings_by_unit

        by_unit = findings_by_unit(db, method=method)
    if "pseudonymised" in audit:
        if by_unit is not None:
            raise ReportMismatch(f"{name} is pseudonymised and broken down by unit, which cdi report does not "
                                 "make: its figures cannot be worked out again")
        from ..pseudonymise_exports import pseudonymise_findings

        prepared = pseudonymise_findings(db, findings, review)
        findings, review = prepared.for_file(Path(name)), prepared.review
    made = findings_document(findings, review, by_unit)
    return json.loads(json.dumps(made, ensure_ascii=False))


def _previous(previous: Any, method: str, name: str) -> Any:  # noqa: ANN401 (the previous audit's Findings)
    from ..findings import compute
    from ..storage.database import Database

    file = previous.get("file") if isinstance(previous, dict) else None
    if not file or not Path(file).is_file():
        raise ReportMismatch(f"{name} was made with a previous audit (--previous {file or '?'}) that is not at hand "
                             "here: its figures in brackets cannot be worked out again; sign it where that file is, "
                             "under the same name")
    old = Database(file)
    try:
        return compute(old, method=method, audit=previous.get("audit") or None)
    finally:
        old.close()


def differences(report: Any, made: Any, where: str = "") -> list[str]:  # noqa: ANN401 (JSON values)
    """Where the report differs from the document made again, in words, in document order (LEFT_OUT skipped)."""
    if where in LEFT_OUT:
        return []
    if isinstance(report, dict) and isinstance(made, dict):
        out: list[str] = []
        for k in [*made, *(k for k in report if k not in made)]:
            at = f"{where}.{k}" if where else str(k)
            if at in LEFT_OUT:
                continue
            if k not in report:
                out.append(f"{at}: the report leaves it out, the database gives {_shown(made[k])}")
            elif k not in made:
                out.append(f"{at}: the report has {_shown(report[k])}, the database gives nothing there")
            else:
                out += differences(report[k], made[k], at)
        return out
    if isinstance(report, list) and isinstance(made, list):
        if len(report) != len(made):
            return [f"{where}: the report has {len(report)} entries, the database gives {len(made)}"]
        out = []
        for i, (r, m) in enumerate(zip(report, made, strict=True)):
            label = m.get("key") if isinstance(m, dict) and isinstance(m.get("key"), str) else i
            out += differences(r, m, f"{where}[{label}]")
        return out
    if json.dumps(report, sort_keys=True) != json.dumps(made, sort_keys=True):
        return [f"{where}: the report says {_shown(report)}, the database gives {_shown(made)}"]
    return []


def _shown(value: Any) -> str:  # noqa: ANN401 (a JSON value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def require_current(db: Database, doc: dict[str, Any], issued: int, name: str) -> None:
    """Refuse (ReportMismatch) unless the report `doc` (the file `name`, whose head has `issued` rows) says what the
    database gives now: no history row but exports added since its head, and the same figures, tables, verdict
    rows and notes as the findings made again with the report's options."""
    made = remade(db, doc, name)
    now = made["audit"]["trail"]["rows"]
    added = later_rows(db, issued, now)
    if added:
        raise ReportMismatch(f"the audit has changed since this report was made ({added:,} history row"
                             f"{'s' if added != 1 else ''} added): make the report again and sign the new one")
    found = differences(doc, made)
    if found:
        more = f"; and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
        raise ReportMismatch(f"{name} does not say what the database gives, so it was changed after it was made "
                             f"(or made from another state of the audit): {'; '.join(found[:SHOWN])}{more}")
