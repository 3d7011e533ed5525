"""Links between incidents/referrals and crimes (record_link), from whichever side carries them.

An incident or referral lists crime references (crime_refs); a crime names its source (source_ref). After an
import, the links of every record in the file are recomputed set-wise from both sides as stored, so the order
of imports does not matter: a crime imported before its incident is linked when the incident arrives, and a
link whose reference has gone from an updated extract is removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .writer import Writer

CHUNK = 5000


@dataclass
class LinkOutcome:
    added: int = 0
    removed: int = 0
    unresolved: int = 0  # crime references on the records imported that name no crime record (yet)


def _split(refs: str) -> list[str]:
    return [r for r in refs.split(";") if r]


def _stage_pairs(w: Writer, sql: str, keep: Callable[[list[str]], list[bool]] | None = None) -> None:
    """Copy (report id, crime ref) pairs from the stored crime_refs the query selects into _cdi_pairs."""
    w.temp_table("_cdi_pairs", "report_id INTEGER, crime_ref VARCHAR(80)")
    reader = w.raw.cursor() if w.sqlite else w.raw.cursor(name="cdi_import_refs")
    if not w.sqlite:
        reader.itersize = CHUNK
    reader.execute(sql)
    insert = f"INSERT INTO _cdi_pairs (report_id, crime_ref) VALUES ({w.ph}, {w.ph})"
    while batch := reader.fetchmany(CHUNK):
        pairs = [(rid, ref) for rid, refs in batch for ref in _split(refs)]
        if keep is not None and pairs:
            mask = keep([ref for _, ref in pairs])
            pairs = [p for p, k in zip(pairs, mask, strict=True) if k]
        w.executemany(insert, pairs)
    reader.close()


def _apply(w: Writer, side: str) -> LinkOutcome:
    """Make record_link for the affected records (_cdi_aff, on `side`) equal to _cdi_want."""
    cur = w.cur
    cur.execute(f"DELETE FROM record_link WHERE {side} IN (SELECT id FROM _cdi_aff) AND NOT EXISTS "
                "(SELECT 1 FROM _cdi_want w WHERE w.report_id = record_link.report_id "
                "AND w.crime_id = record_link.crime_id)")
    removed = max(cur.rowcount, 0)
    cur.execute("INSERT INTO record_link (report_id, crime_id) SELECT w.report_id, w.crime_id FROM _cdi_want w "
                "WHERE NOT EXISTS (SELECT 1 FROM record_link l WHERE l.report_id = w.report_id "
                "AND l.crime_id = w.crime_id)")
    return LinkOutcome(max(cur.rowcount, 0), removed)


def link_reports(w: Writer) -> LinkOutcome:
    """After an incident or referral import: links of the records in the file, from both sides."""
    w.temp_table("_cdi_aff", "id INTEGER PRIMARY KEY")
    w.cur.execute("INSERT INTO _cdi_aff (id) SELECT DISTINCT r.id FROM _cdi_keys k JOIN report_record r "
                  "ON r.system = k.system AND r.ref = k.ref")
    _stage_pairs(w, "SELECT r.id, r.crime_refs FROM _cdi_aff a JOIN report_record r ON r.id = a.id "
                    "WHERE r.crime_refs <> ''")
    w.temp_table("_cdi_want", "report_id INTEGER, crime_id INTEGER, PRIMARY KEY (report_id, crime_id)")
    w.cur.execute("INSERT INTO _cdi_want (report_id, crime_id) "
                  "SELECT p.report_id, c.id FROM _cdi_pairs p JOIN crime_record c ON c.ref = p.crime_ref "
                  "UNION SELECT r.id, c.id FROM _cdi_aff a JOIN report_record r ON r.id = a.id "
                  "JOIN crime_record c ON c.source_ref = r.ref")
    outcome = _apply(w, "report_id")
    outcome.unresolved = int(w.scalar("SELECT count(*) FROM _cdi_pairs p WHERE NOT EXISTS "
                                      "(SELECT 1 FROM crime_record c WHERE c.ref = p.crime_ref)") or 0)
    return outcome


def link_crimes(w: Writer, keep: Callable[[list[str]], list[bool]]) -> LinkOutcome:
    """After a crime import: links of the crimes in the file, from both sides.

    `keep` filters crime references down to those (probably) in the file, so that only the pairs that matter
    are staged from the incidents and referrals already held.
    """
    w.temp_table("_cdi_aff", "id INTEGER PRIMARY KEY")
    w.cur.execute("INSERT INTO _cdi_aff (id) SELECT DISTINCT c.id FROM _cdi_keys k JOIN crime_record c "
                  "ON c.ref = k.ref")
    _stage_pairs(w, "SELECT id, crime_refs FROM report_record WHERE crime_refs <> ''", keep)
    w.cur.execute("SELECT DISTINCT system FROM report_record")
    systems = [r[0] for r in w.cur.fetchall()]
    w.temp_table("_cdi_want", "report_id INTEGER, crime_id INTEGER, PRIMARY KEY (report_id, crime_id)")
    sql = ("INSERT INTO _cdi_want (report_id, crime_id) "
           "SELECT p.report_id, c.id FROM _cdi_pairs p JOIN crime_record c ON c.ref = p.crime_ref "
           "JOIN _cdi_aff a ON a.id = c.id")
    if systems:  # system IN (...) lets the (system, ref) index find a source by its reference alone
        sql += (" UNION SELECT r.id, c.id FROM _cdi_aff a JOIN crime_record c ON c.id = a.id "
                f"JOIN report_record r ON r.system IN ({', '.join([w.ph] * len(systems))}) "
                "AND r.ref = c.source_ref")
    w.cur.execute(sql, tuple(systems))
    return _apply(w, "crime_id")
