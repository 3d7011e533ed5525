"""A crime record's stratum (issue 14) is worked out in SQL (strata.crime_group) as classification.group_of works it
out in Python: for every code of the classification lists, written as forces write them, and for codes not in them."""

from __future__ import annotations

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from cdi_workbench.classification import all_classifications, group_of
from cdi_workbench.storage.models import Base, CrimeRecord
from cdi_workbench.strata import crime_group


def test_the_sql_group_of_every_code_is_group_of() -> None:
    codes: list[str | None] = [None, "", "ZZZ", "8N/01", "000", "NFIB", "nfib 9"]
    for c in all_classifications():
        codes += [c.code, c.code.lower(), f"0{c.code}", f" {c.code[:1]} {c.code[1:]} "]
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=[CrimeRecord.__table__])
    with Session(engine) as s:
        s.add_all(CrimeRecord(ref=f"CR-{i}", ho_code=code) for i, code in enumerate(codes))
        s.flush()
        got = dict(s.execute(select(CrimeRecord.ho_code, crime_group()).order_by(CrimeRecord.id)).tuples().all())
    assert got == {code: group_of(code) for code in codes}
    assert {got["19C"], got["8N"], got["17A"], got["58A"], got["NFIB"], got["ZZZ"]} == {
        "rape", "vap", "sexual", "other", "fraud"}
