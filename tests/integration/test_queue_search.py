"""Searching the queue: references anywhere, narrative and location words by their beginning."""

from __future__ import annotations

import pytest

from cdi_workbench.audit.service import AuditService
from tests.builders import small_audit


@pytest.mark.parametrize(("text", "found"), [
    ("punch", {"INC-0001"}),  # 'punched' in a narrative
    ("aller", set()),  # inside 'Caller' only: not a word that starts so
    ("bower", {"INC-0001"}),  # the location, any case
    ("0002", {"INC-0002"}),  # a reference, anywhere in it
    ("kill her", {"INC-0002"}),  # words in a row
    ("50%", set()), ("_", set()),  # LIKE's own characters are taken as they are
])
def test_search(db_target: str, text: str, found: set[str]) -> None:
    db = small_audit(db_target)
    svc = AuditService(db, "Inspector")
    sid = next(s.id for s in svc.samples() if s.kind == "incident")
    assert {r.ref for r in svc.queue(sid, "all", text)} == found
    db.close()
