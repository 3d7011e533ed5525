"""The programme's local configuration applied on import (issue 14): the force's sub-codes become the Home Office
codes they stand for and its disposal types the national ones, on both read paths; a sub-code not mapped is still
an unknown code; without a mapping nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cdi_workbench import local_config
from cdi_workbench.importing import import_file
from cdi_workbench.storage.models import CrimeRecord, Disposal
from tests.builders import small_audit


@pytest.mark.parametrize("read_path", ["compiled", "python"])
def test_sub_codes_and_disposal_types_are_mapped_on_import(tmp_path: Path, read_path: str) -> None:
    db = small_audit(tmp_path / "a.db")
    try:
        crimes = tmp_path / "crimes.csv"
        crimes.write_text("crime_ref,recorded_at,ho_code\nCR-10,01/03/2014 10:00,8n / 01\n"
                          "CR-11,01/03/2014 10:00,58A\nCR-12,01/03/2014 10:00,8N/99\n", encoding="utf-8")
        disposals = tmp_path / "oocd.csv"
        disposals.write_text("disposal_ref,disposal_type,issued_at\nD-1,adult  CAUTION,01/03/2014 10:00\n"
                             "D-2,Simple caution,01/03/2014 10:00\n", encoding="utf-8")
        r = import_file(db, crimes, "crimes", read_path=read_path)
        assert r.problem_count == 2  # without a mapping, 8N/01 and 8N/99 are unknown codes
        local_config.set_codes(db, {"8N/01": "8N"})
        local_config.set_disposal_types(db, {"Adult caution": "Caution"})
        r = import_file(db, crimes, "crimes", read_path=read_path, rejects=tmp_path / "rejected.csv")
        assert r.problem_count == 1 and "unknown Home Office code" in str(r.problems[0])  # 8N/99: not mapped
        import_file(db, disposals, "disposals", read_path=read_path)
        with db.session() as s:
            codes = dict(s.execute(select(CrimeRecord.ref, CrimeRecord.ho_code)
                                   .where(CrimeRecord.ref.in_(["CR-10", "CR-11", "CR-12"]))).all())
            types = dict(s.execute(select(Disposal.ref, Disposal.disposal_type)
                                   .where(Disposal.ref.in_(["D-1", "D-2"]))).all())
        assert codes == {"CR-10": "8N", "CR-11": "58A"}
        assert types == {"D-1": "Caution", "D-2": "Simple caution"}
    finally:
        db.close()
