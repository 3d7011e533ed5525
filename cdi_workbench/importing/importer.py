"""Importing an extract: read, check every row, then write the valid rows in one transaction (or nothing).

    result = import_file(db, "storm.csv", "incidents", profile="storm", rejects="rejected.csv")

Without `rejects`, a file with any problem imports nothing (result.committed is False and result.problems says
why); with it, the valid rows are imported and the others saved there with their row number and problems.
Cancelling (the `cancelled` callable returning True) rolls back and raises ImportCancelled.

Two read paths give the same result: the compiled one (arrow_path: pyarrow's CSV reader, columns converted at
once), the default, and the reference one (reader.open_table and the per-row converter), taken for every file
the compiled path cannot read exactly as it does, when pyarrow is not installed, or when asked for with
read_path="python" or the environment's CDI_IMPORT_PATH=python.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from .. import local_config
from ..classification import CANCELLATION_GROUPS
from ..local_config import LocalConfig
from ..spreadsheets import xlsx_fast
from ..spreadsheets.writing import csv_writer
from ..storage.database import Database
from ..strata import refresh as refresh_strata
from ..strata import refresh_cancellations
from .arrow_path import CompiledReader, UseReference, chosen, unsuitable
from .errors import ImportCancelled, ImportFailed, MappingError
from .kinds import get_kind
from .links import LinkOutcome, link_crimes, link_reports
from .profiles import Profile, load_profile, suggest_profiles
from .reader import Table, open_table
from .result import MAX_PROBLEMS_KEPT, ImportResult, Problem
from .rows import Converter, Row, unreadable
from .seen import SeenKeys
from .values import cell_text
from .writer import Writer

Progress = Callable[[int, "int | None"], None]
Cancelled = Callable[[], bool]
_EXAMPLES = 5
_KEY, _VALUES, _DIGEST, _PROBLEMS, _SKIP = (itemgetter(i) for i in (0, 1, 3, 4, 5))


def import_file(db: Database, path: str | Path, kind: str, *, profile: Profile | str | None = None,
                system: str | None = None, rejects: str | Path | None = None, user: str = "",
                dry_run: bool = False, progress: Progress | None = None, cancelled: Cancelled | None = None,
                user_dir: str | Path | None = None, sheet: str | None = None,
                read_path: str | None = None) -> ImportResult:
    """Import one extract of one kind of record into the audit database (see the module docstring).
    read_path: 'compiled' or 'python' (default: CDI_IMPORT_PATH, else 'compiled')."""
    from ..audit.roles import require

    user = require(db, user, "import extracts").name or user  # stamped with the identified person
    return _Run(path, kind, profile, system, rejects, user_dir, sheet, progress, cancelled,
                read_path).run(db, user, dry_run)


def check_file(path: str | Path, kind: str, *, profile: Profile | str | None = None, system: str | None = None,
               progress: Progress | None = None, cancelled: Cancelled | None = None,
               user_dir: str | Path | None = None, sheet: str | None = None,
               read_path: str | None = None) -> ImportResult:
    """Check every row without touching a database: the problems an import would meet (result.valid counts
    the rows fit to import)."""
    return _Run(path, kind, profile, system, None, user_dir, sheet, progress, cancelled,
                read_path).run(None, "", True)


class _Rejects:
    """The rejected rows as a CSV file (original columns, then 'row' and 'problems'), moved in place at the end.
    Formula-looking text gets the apostrophe of every CSV the workbench writes (reader.open_table takes it off
    when the file is imported again)."""

    def __init__(self, path: Path, headers: list[str]) -> None:
        self.path, self.headers = path, headers
        self.part = path.with_name(path.name + ".part")
        self.fh: Any = None

    def write(self, row: int, cells: list[Any], problems: list[tuple[str, str, str]]) -> None:
        if self.fh is None:
            self.fh = open(self.part, "w", newline="", encoding="utf-8-sig")
            self.out = csv_writer(self.fh)
            self.out.writerow([*self.headers, "row", "problems"])
        texts = [cell_text(c) if not isinstance(c, str) else c for c in cells]
        texts += [""] * (len(self.headers) - len(texts))
        self.out.writerow([*texts, row, "; ".join(f"{col}: {msg}" if col else msg for col, _, msg in problems)])

    def finish(self) -> Path | None:
        if self.fh is None:
            return None
        self.fh.close()
        self.part.replace(self.path)
        return self.path

    def discard(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.part.unlink(missing_ok=True)


class _Run:
    def __init__(self, path: str | Path, kind: str, profile: Profile | str | None, system: str | None,
                 rejects: str | Path | None, user_dir: str | Path | None, sheet: str | None,
                 progress: Progress | None, cancelled: Cancelled | None, read_path: str | None = None) -> None:
        self.args = (path, kind, profile, system, rejects, user_dir, sheet, progress, cancelled)
        self.read_path = chosen(read_path)
        self.xlsx_reader = xlsx_fast.chosen(read_path)  # a workbook's: python-calamine, or openpyxl (the reference)
        self.path = Path(path)
        self.kind = get_kind(kind)
        self.profile = load_profile(profile, user_dir) if isinstance(profile, str) else profile
        if self.profile is not None and self.profile.kind != kind:
            raise MappingError(f"profile {self.profile.name!r} reads {self.profile.kind}, not {kind}")
        if system and kind != "referrals":
            raise MappingError(f"a system is named for referrals only ({kind} need none)")
        self.system = system
        self.rejects_path = Path(rejects) if rejects is not None else None
        if self.rejects_path is not None and self.rejects_path.resolve() == self.path.resolve():
            raise ImportFailed("the rejects file would overwrite the file being imported")
        self.sheet, self.user_dir = sheet, user_dir
        self.progress = progress or (lambda done, total: None)
        self.cancelled = cancelled or (lambda: False)
        self.result = ImportResult(self.path, kind)
        self.seen = SeenKeys()
        self.skips: Counter[str] = Counter()
        self.blank = 0
        self.exact: list[tuple[int, int]] = []
        self.kept_first: list[tuple[int, int]] = []
        self.kept_first_count = 0
        self.refs_listed = 0
        self.refs_pos: int | None = None
        self.table: Table | None = None
        self.user = ""
        self.audited_items: dict[int, list[tuple[int, str, int]]] = {}  # importing.audited
        self.period: tuple | None = None  # the audit period, where the dates are (see _period_check)
        self.outside = 0  # rows dated outside the audit period
        self.local: LocalConfig | None = None  # the programme's local configuration (_run)

    def _open(self) -> Table:
        p = self.profile
        with xlsx_fast.reading(self.xlsx_reader):
            return open_table(self.path, self.sheet or (p.sheet if p else None), p.delimiter if p else None,
                              p.encoding if p else None)

    def run(self, db: Database | None, user: str, dry_run: bool) -> ImportResult:
        # The cyclic garbage collector would scan every chunk's rows over and over (a third of the time of a
        # large import); nothing here makes reference cycles, so it is paused for the import and restored after.
        paused = gc.isenabled()
        gc.disable()
        try:
            try:
                return self._run(db, user, dry_run)
            except UseReference:  # rolled back: read again, from the start, on the reference path
                return _Run(*self.args, read_path="python")._run(db, user, dry_run)  # type: ignore[misc]
        finally:
            if paused:
                gc.enable()

    def _run(self, db: Database | None, user: str, dry_run: bool) -> ImportResult:
        started = time.monotonic()
        res = self.result
        res.dry_run = dry_run and db is not None
        self.user = user
        self.local = local_config.load(db) if db is not None else None  # sub-codes and disposal types mapped
        with self._open() as table:
            self.table = table
            conv = self._converter(table.headers, user, table.format == "csv", table.date1904)
            if "crime_refs" in conv.columns:
                self.refs_pos = conv.columns.index("crime_refs")
            if db is not None:
                self._period_check(db, conv)
            rejects = _Rejects(self.rejects_path, table.headers) if self.rejects_path else None
            compiled = None
            if self.read_path == "compiled" and unsuitable(table, conv) is None:
                compiled = CompiledReader(table, conv, contents=db is not None)
            res.read_path = "compiled" if compiled is not None else xlsx_fast.read_by(table) or "python"
            conn = db.engine.connect() if db is not None else None
            try:
                writer = self._begin(conn, conv) if conn is not None else None
                self.progress(0, table.total)
                if compiled is None:
                    for first, rows in table.chunks():
                        self._chunk(first, rows, conv, writer, rejects)
                        self._tick(table)
                else:  # chunks converted column-wise, or (any row with a problem) their cells, converted here
                    for first, converted, cells in compiled.chunks():
                        if converted is None:
                            self._chunk(first, cells, conv, writer, rejects)
                        else:
                            res.rows += len(converted)
                            self._accept(range(first, first + len(converted)), cells, converted, conv, writer,
                                         rejects)
                        self._tick(table)
                if writer is not None and conn is not None:
                    self._finish(conn, writer, rejects, dry_run)
            except BaseException:
                if conn is not None:
                    conn.rollback()
                if rejects is not None:
                    rejects.discard()
                raise
            finally:
                if compiled is not None:
                    compiled.close()
                if conn is not None:
                    conn.close()
        self._notes()
        res.seconds = time.monotonic() - started
        return res

    def _tick(self, table: Table) -> None:
        """After each chunk: the progress, then the cancel check."""
        self.progress(self.result.rows, table.total_estimate(self.result.rows))
        if self.cancelled():
            raise ImportCancelled("import cancelled: nothing was written")

    def _converter(self, headers: list[str], user: str, text_cells: bool, date1904: bool = False) -> Converter:
        try:
            return Converter(headers, self.kind, self.profile, self.system, user, text_cells, date1904, self.local)
        except MappingError as exc:
            fits = suggest_profiles(headers, self.kind.name, self.user_dir) if self.profile is None else []
            if fits:
                raise MappingError(f"{exc}. The {fits[0]!r} profile fits this file: use it "
                                   f"(--profile {fits[0]})") from None
            raise

    def _begin(self, conn: Any, conv: Converter) -> Writer:
        from .audited import audited_items

        writer = Writer(conn, conv)
        writer.begin()
        if not writer.fresh:  # records already audited: a change to one is flagged (importing.audited)
            self.audited_items = audited_items(writer)
            writer.watch = set(self.audited_items)
        other = {"incidents": "crime_record", "referrals": "crime_record", "crimes": "report_record"}
        table = other.get(self.kind.name)
        # links need the keys of the file only when the other side holds records (seen under the write lock)
        if table is not None and writer.scalar(f"SELECT 1 FROM {table} LIMIT 1") is not None:
            writer.stage_keys()
        return writer

    def _finish(self, conn: Any, writer: Writer, rejects: _Rejects | None, dry_run: bool) -> None:
        res = self.result
        if res.rejected and rejects is None:
            conn.rollback()
            res.added = res.changed = res.unchanged = 0
            return
        links = LinkOutcome()
        if writer.staging:
            if self.cancelled():
                raise ImportCancelled("import cancelled: nothing was written")
            if self.kind.report:
                links = link_reports(writer)
            else:
                links = link_crimes(writer, self._maybe_in_file)
        elif self.kind.report:
            links.unresolved = self.refs_listed
        res.links_added, res.links_removed = links.added, links.removed
        if self.kind.report or self.kind.name == "crimes":
            refresh_strata(conn)  # reports whose links or linked crimes changed (marked by triggers)
        if self.kind.name in ("cancellations", "crimes"):
            self._regroup(conn)
        if writer.audited:
            from .audited import flag_changed

            res.audited = flag_changed(conn, writer, self.audited_items, self.user, self.path.name, not dry_run)
        self._digests(conn)
        if self.outside and self.period is not None:
            res.notes.append(f"{_rows(self.outside, 'row')} dated outside the audit period ({self.period[4]}): "
                             "check this is the right extract for this audit")
        if links.unresolved:
            res.notes.append(f"{links.unresolved:,} crime references name crimes not in the database yet: they "
                             "are linked when those crimes are imported")
        writer.end()
        if self.cancelled():
            raise ImportCancelled("import cancelled: nothing was written")
        if dry_run:
            conn.rollback()
            if rejects is not None:
                rejects.discard()
        else:
            conn.commit()
            res.committed = True
            if rejects is not None:
                res.rejects_path = rejects.finish()

    def _digests(self, conn: Any) -> None:
        """Each record written gets its content digest, and the history the digest of each table the import changed
        (action 'records', storage.content and audit.facts), in the import's transaction. Verdicts whose counts
        read the records changed (a crime's code or time, a report's time) have them worked out again."""
        from sqlalchemy.orm import Session

        from ..audit.facts import note_tables, refresh_counts

        res = self.result
        tables = [self.kind.table.name] + (["cancellation"] if self.kind.name == "crimes" else [])
        with Session(bind=conn) as s:
            note_tables(s, self.user, tables, f"imported {self.path.name} ({self.kind.name}): {res.added:,} "
                                              f"added, {res.changed:,} changed")
            if (res.added or res.changed) and self.kind.name in ("crimes", "incidents", "referrals"):
                refresh_counts(s, self.user)

    def _regroup(self, conn: Any) -> None:
        """Cancelled crimes take the offence group of their crime record's Home Office code, whatever group the
        cancellations extract wrote (strata.refresh_cancellations); the notes say which changed."""
        changed = refresh_cancellations(conn)
        if not changed:
            return
        label = CANCELLATION_GROUPS.get
        examples = "; ".join(f"{ref}: {label(written, written)} written, {code} is {label(group, group)}"
                             for ref, written, code, group in changed[:_EXAMPLES])
        what = ("not the offence group the file gives" if self.kind.name == "cancellations"
                else "not the offence group their cancellations extract gave")
        self.result.notes.append(f"{_rows(len(changed), 'cancelled crime')} grouped by the Home Office code of "
                                 f"the crime record, {what} ({examples}"
                                 + ("; ..." if len(changed) > _EXAMPLES else "") + ")")

    def _maybe_in_file(self, refs: list[str]) -> list[bool]:
        import numpy as np  # loaded with the first file imported, not with the window

        found = self.seen.find(np.fromiter((hash(r) for r in refs), dtype=np.int64, count=len(refs)))
        return list(found >= 0)

    def _chunk(self, first: int, cells: list[list[Any]], conv: Converter, writer: Writer | None,
               rejects: _Rejects | None) -> None:
        if all(map(any, cells)):  # no blank row (every cell empty)
            numbers: range | list[int] = range(first, first + len(cells))
        else:  # blank rows (every cell empty) are left out, and counted
            kept = [(n, c) for n, c in enumerate(cells, start=first) if any(c)]
            self.blank += len(cells) - len(kept)
            numbers, cells = [n for n, _ in kept], [c for _, c in kept]
        if not cells:
            return
        res = self.result
        res.rows += len(cells)
        rows = list(map(conv.convert, cells))
        if self.table is not None and self.table.marked:  # cells the reader will not pass as values
            rows = [unreadable(c, r, conv) for c, r in zip(cells, rows, strict=True)]
        self._accept(numbers, cells, rows, conv, writer, rejects)

    def _accept(self, numbers: range | list[int], cells: Any, rows: list[Row], conv: Converter,
                writer: Writer | None, rejects: _Rejects | None) -> None:
        """The converted rows of a chunk: repeats, rejects, skips, then the write (cells: the rows' cells, for a
        rejects file - indexable, row by row)."""
        res = self.result
        dropped = self._duplicates(numbers, rows, conv)
        if not dropped and not any(map(_PROBLEMS, rows)) and not any(map(_SKIP, rows)):
            accepted = rows  # the common case: every row fine
        else:
            accepted = []
            for i, row in enumerate(rows):
                if row[5] is not None:
                    self.skips[row[5]] += 1
                elif row[4]:
                    self._reject(numbers[i], cells[i], row[4], rejects)
                elif i not in dropped:
                    accepted.append(row)
        if self.refs_pos is not None:
            listed = [r for r in map(itemgetter(self.refs_pos), map(_VALUES, accepted)) if r]
            self.refs_listed += len(listed) + ";".join(listed).count(";") - max(len(listed) - 1, 0)
        res.valid += len(accepted)
        res.skipped = sum(self.skips.values())
        if self.period is not None and accepted:
            self._count_outside(accepted)
        if writer is not None and (rejects is not None or not res.rejected):
            contents = getattr(rows, "contents", None) if accepted is rows else None  # (arrow_path)
            added, changed, unchanged = writer.write(accepted, contents)
            res.added += added
            res.changed += changed
            res.unchanged += unchanged

    def _period_check(self, db: Database, conv: Converter) -> None:
        """Where the rows' dates are, and the audit period as stored text (compared as text, chunk by chunk)."""
        from sqlalchemy import select

        from ..storage.models import Audit
        from ..storage.record_models import table_dates
        from ..timeutil import uk_local
        from .values import stored_text

        with db.engine.connect() as c:
            audit = c.execute(select(Audit.period_start, Audit.period_end).limit(1)).first()
        column = table_dates().get(self.kind.table.name)  # the kind's date column (kinds.DATE_COLUMN)
        if audit is None or column is None:
            return
        start, end = audit
        after = end + timedelta(days=1)
        pos = conv.columns.index(column) if column in conv.columns else None
        month = conv.columns.index("month") if "month" in conv.columns else None
        if pos is None and month is None:
            return
        self.period = (stored_text(uk_local(start.year, start.month, start.day)),
                       stored_text(uk_local(after.year, after.month, after.day)), pos, month,
                       f"{start:%d/%m/%Y} to {end:%d/%m/%Y}", f"{start:%Y-%m}", f"{end:%Y-%m}")

    def _count_outside(self, rows: list[Row]) -> None:
        lo, hi, pos, month, _, first, last = self.period  # type: ignore[misc]
        if pos is not None:
            when = [v for v in (r[1][pos] for r in rows) if v]
            if when and (min(when) < lo or max(when) >= hi):  # min and max first: a loop only when needed
                self.outside += sum(1 for v in when if v < lo or v >= hi)
        if month is not None:
            months = [r[1][month] for r in rows if r[1][month] and (pos is None or not r[1][pos])]
            if months and (min(months) < first or max(months) > last):
                self.outside += sum(1 for m in months if m < first or m > last)

    def _duplicates(self, numbers: range | list[int], rows: list[Row], conv: Converter) -> set[int]:
        """Rows repeating a reference seen before: exact repeats are dropped (noted), others rejected (or dropped
        and noted where the profile keeps the first). Returns the indexes of the rows dropped."""
        keys = list(map(_KEY, rows))
        if None in keys:
            keyed: range | list[int] = [i for i, k in enumerate(keys) if k is not None]
            keys = [keys[i] for i in keyed]
            digests = [hash(rows[i][3]) for i in keyed]
        else:
            keyed = range(len(rows))
            digests = list(map(hash, map(_DIGEST, rows)))
        import numpy as np

        hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
        found = self.seen.find(hashes)
        if not (found >= 0).any() and len(set(keys)) == len(keys):  # no repeats: the common case
            self.seen.add(hashes, numbers if keyed == range(len(rows)) else [numbers[i] for i in keyed], digests)
            return set()
        dropped: set[int] = set()
        local: dict[Any, tuple[int, int]] = {}
        new: list[int] = []
        keep_first = self.profile is not None and self.profile.duplicates == "keep_first"
        for j, i in enumerate(keyed):
            row, number = rows[i], numbers[i]
            if found[j] >= 0:
                first_row, first_digest = self.seen.first(int(found[j]))
            elif row[0] in local:
                first_row, first_digest = local[row[0]]
            else:
                local[row[0]] = (number, digests[j])
                new.append(j)
                continue
            if row[4]:
                continue  # rejected for its own problems anyway
            if first_digest == digests[j]:
                self.result.duplicates += 1
                if len(self.exact) < _EXAMPLES:
                    self.exact.append((number, first_row))
                dropped.add(i)
            elif keep_first:
                self.kept_first_count += 1
                if len(self.kept_first) < _EXAMPLES:
                    self.kept_first.append((number, first_row))
                dropped.add(i)
            else:
                ref = row[0][1] if isinstance(row[0], tuple) else row[0]
                rows[i] = (*row[:4], [(conv.column_of(self.kind.key), ref,
                                       f"duplicate reference: also in row {first_row}")], row[5])
        self.seen.add(hashes[new], [n for n, _ in local.values()], [d for _, d in local.values()])
        return dropped

    def _reject(self, number: int, cells: list[Any], problems: list[tuple[str, str, str]],
                rejects: _Rejects | None) -> None:
        res = self.result
        res.rejected += 1
        res.problem_count += len(problems)
        for column, value, message in problems:
            if len(res.problems) < MAX_PROBLEMS_KEPT:
                res.problems.append(Problem(self.path.name, number, column, value[:200], message))
        if rejects is not None:
            rejects.write(number, cells, problems)

    def _notes(self) -> None:
        res, notes = self.result, []
        for reason, n in self.skips.most_common():
            notes.append(f"{_rows(n)} skipped, not errors ({reason})")
        if self.blank:
            notes.append(f"{_rows(self.blank, 'blank row')} ignored")
        if res.duplicates:
            examples = ", ".join(f"row {a} = row {b}" for a, b in self.exact)
            notes.append(f"{_rows(res.duplicates)} repeating an earlier row exactly: imported once ({examples})")
        if self.kept_first:
            examples = ", ".join(f"row {a} ~ row {b}" for a, b in self.kept_first)
            notes.append(f"{_rows(self.kept_first_count)} repeating the reference of an earlier row with other "
                         f"values: the first was kept ({examples})")
        if res.links_added or res.links_removed:
            notes.append(f"links to crimes: {res.links_added:,} added, {res.links_removed:,} removed")
        if res.rejected and not res.committed and not res.dry_run and self.rejects_path is None:
            notes.append(f"nothing was imported: {_rows(res.rejected)} with problems")
        audited = res.audited_message() if res.committed or res.dry_run else ""
        res.notes = ([audited] if audited else []) + notes + res.notes


def _rows(n: int, what: str = "row") -> str:
    return f"{n:,} {what}" + ("" if n == 1 else "s")
