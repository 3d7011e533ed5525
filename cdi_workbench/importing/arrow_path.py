"""The compiled read path: a CSV extract read by pyarrow's multi-threaded CSV reader and converted column by column.

Today's per-row path (reader.open_table, then Converter.convert on each row) stays the reference: this module
gives, for each chunk of CHUNK rows, exactly the rows Converter.convert would give - or, where it cannot promise
that, the chunk's cells, which the importer then converts row by row as before. What goes to the reference:

- a whole file, before anything is read, when it is not plain UTF-8 CSV (a workbook, Windows-1252 or UTF-16
  text, a NUL byte anywhere, a rejects file read back, a header holding a line break, trailing blank headers),
  or when its kind and mapping key rows by (system, reference) with the system varying by row;
- a whole file, part-way through (the importer rolls back and starts again on the reference path: UseReference),
  when pyarrow cannot parse it as the csv module does: a row with more or fewer cells than the header, a cell
  longer than MAX_CELL, a quote left open;
- a chunk holding any row with a problem, a row skipped, or a blank row: its cells are converted by the
  reference converter, so the messages (row, column, value, words) are its own.

Column-wise, with pyarrow.compute kernels: trimming (exactly the characters str.strip takes off), blanks,
lengths, dates (the reference's fast path applied to each distinct local hour, and its full parser to each
distinct value the fast path does not take), crime reference lists, and the other parsers applied once per
distinct value. Per row in Python remain only what must stay byte-identical to today's digests - the import
digest (SHA-1 of the row's cells, hashed from Arrow's buffers) and the draw key (draw_keys) - and building the
rows the writer binds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import TYPE_CHECKING, Any

from ..spreadsheets.reading import MAX_CELL, Table
from . import arrow_digests
from .profiles import REJECTS_COLUMNS
from .reader import CHUNK
from .rows import CRIME_REF_LENGTH, Converter, Row
from .values import Bad, datetime_parts

if TYPE_CHECKING:  # pyarrow loads with the first file read on this path, not with the window
    import pyarrow as pa

# every character str.isspace() accepts (what str.strip() takes off); a test checks it against Python's own
PY_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                 "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# rows converted at once (a whole number of chunks, so the chunks are today's). One chunk: a block's columns,
# their derived arrays and Python lists are alive together, and 4 chunks cost 110-170 MB more at the peak, for
# 2-3% of the time (docs/import.md)
BLOCK_ROWS = CHUNK
# bytes pyarrow parses at a time (its threads parse several at once, and it reads ahead some 30 blocks: 1 MB
# blocks held 35 MB of them, 256 KB ones 7 MB)
READ_BLOCK = 1 << 18
PATHS = ("compiled", "python")
_WHITESPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]"  # (RE2)
_EMPTY = ""


class UseReference(Exception):
    """The compiled path cannot read this file exactly as the reference path does (see the module docstring)."""


def available() -> bool:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.compute  # noqa: F401
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


def chosen(read_path: str | None = None) -> str:
    """'compiled' or 'python': the argument, else the environment's CDI_IMPORT_PATH, else 'compiled' - which
    falls back to 'python' when pyarrow cannot be imported."""
    value = (read_path or os.environ.get("CDI_IMPORT_PATH") or "compiled").strip().lower()
    if value not in PATHS:
        raise ValueError(f"unknown import path {value!r} (one of {', '.join(PATHS)})")
    if value == "compiled" and not available():
        return "python"
    return value


def unsuitable(table: Table, conv: Converter) -> str | None:
    """Why the whole file goes to the reference path (None: the compiled path reads it)."""
    if table.format != "csv" or not conv.text_cells:
        return "not a CSV file"
    if (table.encoding or "").lower().replace("_", "-") not in ("utf-8", "utf-8-sig", "utf8"):
        return f"{table.encoding} text"
    if table.marked:
        return "cells the reader marks (NUL characters)"
    if table.headers[-2:] == REJECTS_COLUMNS and len(table.headers) > 2:
        return "a rejects file read back"
    if len(table.header_cells) != conv.width:
        return "blank headers at the end of the header row"
    if any(("\n" in h or "\r" in h) for h in table.header_cells):
        return "a line break in the header row"
    if len(table.delimiter or ",") != 1:
        return "a delimiter of more than one character"
    if conv.kind.report and conv.key_system is None:
        return "referrals whose system varies by row"
    key = conv.bound.get(conv.kind.field(conv.kind.key).column, "")
    if not key.startswith("v"):
        return "the reference is not read from a column"
    return None


# a chunk: (number of the first row, its rows converted - or None: convert its cells row by row -, its cells: a
# list, or an object giving row i's cells when asked, for the few a rejects file needs)
Prepared = tuple[int, "list[Row] | None", "Any"]


class CompiledReader:
    """Chunks of one CSV file, converted column-wise (see the module docstring)."""

    def __init__(self, table: Table, conv: Converter, contents: bool = False) -> None:
        """contents: work out each row's content digest too (storage.content), for the writer."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        self.table, self.conv = table, conv
        self.width = conv.width
        names = [f"c{i}" for i in range(self.width)]
        self.stream = pa.OSFile(str(table.path), "rb")
        size = self.size = max(table.path.stat().st_size, 1)
        # the share of the file converted so far (pyarrow reads ahead): the bytes of the rows' cells, their
        # delimiters and line ends (quotes aside) - for the progress's estimate of the rows in all
        self.done = len((table.delimiter or ",").join(table.header_cells).encode("utf-8", "replace")) + 1
        table.fraction = lambda: min(self.done / size, 1.0)
        try:
            self.reader = pcsv.open_csv(
                self.stream,
                read_options=pcsv.ReadOptions(block_size=READ_BLOCK, skip_rows=1, column_names=names,
                                              use_threads=True),
                parse_options=pcsv.ParseOptions(delimiter=table.delimiter or ",", newlines_in_values=True,
                                                ignore_empty_lines=False),
                convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                    strings_can_be_null=False, quoted_strings_can_be_null=False))
        except (pa.ArrowInvalid, pa.ArrowException) as exc:
            self.stream.close()
            raise UseReference(str(exc)) from None
        self.plan = _Plan(conv, contents)

    def close(self) -> None:
        self.stream.close()

    def chunks(self) -> Iterator[Prepared]:
        import pyarrow as pa

        pending: list[pa.RecordBatch] = []
        count, number = 0, 2
        try:
            for batch in self._batches():
                pending.append(batch)
                count += batch.num_rows
                while count > BLOCK_ROWS:  # (the file's last row is always in the last block)
                    block = pa.Table.from_batches(pending).combine_chunks()
                    head, rest = block.slice(0, BLOCK_ROWS), block.slice(BLOCK_ROWS)
                    yield from self._block(number, head)
                    number += BLOCK_ROWS
                    pending, count = rest.to_batches(), rest.num_rows
            if count:
                last = pa.Table.from_batches(pending).combine_chunks()
                self._closed_quotes(last.column(self.width - 1)[-1].as_py())
                yield from self._block(number, last, True)
        finally:
            self.close()

    def _batches(self) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        while True:
            try:
                batch = self.reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowException as exc:  # a row of another width, a quote left open, ...
                raise UseReference(str(exc)) from None
            if batch.num_rows:
                yield batch

    def _closed_quotes(self, cell: str) -> None:
        """pyarrow reads a quote left open at the end of the file as a cell running to the end; the csv module
        calls it an error. Such a cell is the last row's last, and the file ends with a quote and then the
        cell's text (its quotes doubled): then the reference path reads the file (and names the row)."""
        tail = ('"' + cell.replace('"', '""')).encode("utf-8")
        with open(self.table.path, "rb") as fh:
            fh.seek(max(self.size - len(tail), 0))
            if fh.read() == tail:
                raise UseReference("a quote left open at the end of the file")

    def _block(self, first: int, block: pa.Table, last: bool = False) -> Iterator[Prepared]:
        import pyarrow.compute as pc

        raw = [block.column(i).combine_chunks() for i in range(self.width)]
        if max((pc.max(pc.binary_length(c)).as_py() or 0) for c in raw) > MAX_CELL and max(
                (pc.max(pc.utf8_length(c)).as_py() or 0) for c in raw) > MAX_CELL:
            raise UseReference("a cell longer than the csv module's limit")  # (counted in characters)
        bad, rows_of = self.plan.convert(raw)
        bounds = self.plan.bounds
        n = block.num_rows
        for a in range(0, n, CHUNK):
            b = min(a + CHUNK, n)
            self.done += bounds[b] - bounds[a] + (b - a)
            if last and b == n:
                self.done = self.size  # the whole file read: the count is exact
            if bad[a:b].any():
                yield first + a, None, _cells(raw, a, b)
            else:
                yield first + a, rows_of(a, b), _LazyCells(raw, a)



def _cells(raw: list[Any], a: int, b: int) -> list[list[str]]:
    cols = [c.slice(a, b - a).to_pylist() for c in raw]
    return [list(r) for r in zip(*cols, strict=True)]


class _LazyCells:
    """Row i's cells of a chunk converted column-wise, made only when asked for (a duplicate rejected)."""

    def __init__(self, raw: list[Any], start: int) -> None:
        self.raw, self.start = raw, start

    def __getitem__(self, i: int) -> list[str]:
        return [c[self.start + i].as_py() for c in self.raw]


class Converted(list):  # type: ignore[type-arg]
    """The rows of a chunk converted column-wise, with their content digests (None: the writer works them out)."""

    contents: list[str] | None = None


class _Plan:
    """How each column of the file is converted, taken from the reference converter."""

    def __init__(self, conv: Converter, contents: bool = False) -> None:
        kind, ns = conv.kind, conv.ns
        self.conv = conv
        profile = conv.profile
        self.columns: dict[int, tuple[str, Any, Any, Any]] = {}  # index -> (how, blank, limit or parser, extra)
        for i, target in enumerate(conv.targets):
            if not target:
                continue
            f = kind.field(target)
            blank = ns[f"B{i}"]
            parse = ns.get(f"F{i}")
            if parse is None:
                self.columns[i] = ("text", blank, kind.max_length(f.column), None)
            elif f.type == "datetime":
                formats = tuple(profile.date_formats) if profile else ()
                parse_date, hour = datetime_parts(formats, conv.date1904)
                self.columns[i] = ("datetime", blank, (parse_date, _kept(hour)), bool(formats))
            elif f.type == "refs":
                seps = (profile.list_separators if profile else ";") or ";"
                self.columns[i] = ("refs", blank, parse, sorted(set(seps) | {";", " "}))
            else:
                self.columns[i] = ("parse", blank, parse, None)
        self.key = int(conv.bound[kind.field(kind.key).column][1:])
        self.required = []
        for name in kind.required:
            expr = conv.bound.get(kind.field(name).column, "")
            if name not in (kind.key, "system") and expr.startswith("v"):
                self.required.append(int(expr[1:]))
        self.extra = [(i, conv.headers[i]) for i in conv.extra_idx]
        self.sig = ns["SIG"]
        self.contents = contents and "content_hash" in kind.table.c
        self.bounds: list[int] = []  # the last block's rows' end offsets in their cells joined end to end

    def convert(self, raw: list[Any]) -> tuple[Any, Callable[[int, int], list[Row]]]:
        """(bad: a numpy bool per row - a problem, a skip or a blank row -, rows(a, b): the Row tuples of rows
        a to b, all good)."""
        import json

        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        n = len(raw[0])
        bad = np.zeros(n, dtype=bool)

        def flag(mask: Any) -> None:
            nonlocal bad
            arr = mask.fill_null(False).to_numpy(zero_copy_only=False)
            bad |= arr

        # blank rows (every cell empty, as read): the reference leaves them out and counts them
        blank = pc.equal(pc.binary_length(raw[0]), 0)
        for c in raw[1:]:
            blank = pc.and_kleene(blank, pc.equal(pc.binary_length(c), 0))
        flag(blank)
        stripped: dict[int, Any] = {}

        def strip(i: int) -> Any:
            s = stripped.get(i)
            if s is None:
                s = stripped[i] = pc.utf8_trim(raw[i], characters=PY_WHITESPACE)
            return s

        values: dict[int, Any] = {}  # column index -> pyarrow array of the values stored (nulls allowed)
        for i, (how, blank_value, what, more) in self.columns.items():
            s = strip(i)
            empty = pc.equal(pc.binary_length(s), 0)  # (faster than comparing with '')
            blank_scalar = pa.scalar(blank_value) if blank_value is not None else None
            if how == "text":
                if what:
                    flag(pc.greater(pc.utf8_length(s), what))
                out = s if blank_value == _EMPTY else pc.if_else(
                    empty, blank_scalar if blank_scalar is not None else pa.scalar(None, pa.string()), s)
            else:
                if how == "datetime":
                    got = _datetimes(s, empty, what, more)
                elif how == "refs":
                    got = _refs(s, empty, what, more)
                else:
                    got = _each_distinct(s, pc.invert(empty), what)
                flag(pc.and_kleene(pc.invert(empty), pc.is_null(got)))  # a Bad value
                if blank_scalar is None:
                    out = got
                else:
                    try:
                        out = pc.if_else(empty, pa.scalar(blank_value, got.type), got) \
                            if got.type != pa.null() else None
                    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                        out = None
                    if out is None:  # a blank default of another type: set in Python
                        lst = got.to_pylist()
                        out = [blank_value if e else v for e, v in zip(empty.to_pylist(), lst, strict=True)]
            values[i] = out
        def falsy(v: Any) -> Any:
            if isinstance(v, list):
                return pa.array([not x for x in v], pa.bool_())
            if v.type == pa.string():
                return pc.or_kleene(pc.is_null(v), pc.equal(pc.binary_length(v), 0))
            return pa.array([not x for x in v.to_pylist()], pa.bool_())

        key = values[self.key]
        flag(falsy(key))  # a missing reference (or a row skipped for its lack)
        for i in self.required:
            flag(falsy(values[i]))  # a missing value
        key_col = key if isinstance(key, list) else key.to_pylist()
        lists = {i: (v if isinstance(v, list) else v.to_pylist()) for i, v in values.items()}
        lists[self.key] = key_col
        # extra: the unmapped columns, as the reference writes them (header -> trimmed text, blanks left out)
        extras: list[str | None] | None = None
        if self.extra:
            heads = [h for _, h in self.extra]
            cols = [strip(i).to_pylist() for i, _ in self.extra]
            dumps = json.dumps
            extras = []
            for cells in zip(*cols, strict=True):
                ex = {h: e for h, e in zip(heads, cells, strict=True) if e}
                extras.append(dumps(ex, ensure_ascii=False) if ex else None)
        digests, self.bounds = arrow_digests.digests(raw, self.sig)
        bound = self.conv.bound
        out_cols: list[Any] = []
        for column, expr in bound.items():
            if column == "draw_key":  # (every row kept has its reference: the others go row by row)
                refs = key if not isinstance(key, list) else pa.array(key, pa.string())
                out_cols.append(arrow_digests.draw_keys(refs))
            elif expr == "extra":
                out_cols.append(extras)
            elif expr == "d":
                out_cols.append(digests)
            elif expr.startswith("C_"):
                out_cols.append(None)  # a constant: repeated below
            else:
                out_cols.append(lists[int(expr[1:])])
        consts = {j: self.conv.ns[expr] for j, expr in enumerate(bound.values()) if expr.startswith("C_")}
        extra_col = extras
        contents = arrow_digests.contents(self.conv, values, extras, n) if self.contents else None

        def rows(a: int, b: int) -> list[Row]:
            m = b - a
            cols = [list(repeat(consts[j], m)) if c is None else c[a:b] for j, c in enumerate(out_cols)]
            vals = list(map(list, zip(*cols, strict=True)))
            ex = extra_col[a:b] if extra_col is not None else repeat(None, m)
            out = Converted(zip(key_col[a:b], vals, ex, digests[a:b], repeat(None, m), repeat(None, m),
                                strict=False))
            out.contents = contents[a:b] if contents is not None else None
            return out

        return bad, rows


def _kept(f: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """f, its results kept from block to block (the local hours of a file: a few thousand, met in every block)."""
    memo: dict[str, str | None] = {}

    def kept(key: str) -> str | None:
        if key in memo:
            return memo[key]
        if len(memo) >= 200_000:
            memo.clear()
        got = memo[key] = f(key)
        return got

    return kept


def _each_distinct(s: Any, mask: Any, parse: Callable[[Any], Any], type_: Any = None) -> Any:
    """parse applied once per distinct value where mask holds (null where it raises Bad, or mask is off)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(pc.if_else(mask, s, pa.scalar(None, pa.string())))
    results = []
    for u in enc.dictionary.to_pylist():
        try:
            results.append(parse(u))
        except Bad:
            results.append(None)
    return pc.take(pa.array(results, type_), enc.indices)


def _datetimes(s: Any, empty: Any, parts: tuple[Callable[[object], str], Callable[[str], str | None]],
               formats: bool) -> Any:
    """The stored text of each date/time (null where blank or not a date), as the reference parser gives it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parse, hour = parts
    filled = pc.invert(empty)
    if formats:  # a profile's formats are tried first: the reference parser for every distinct value
        return _each_distinct(s, filled, parse, pa.string())
    ascii_ = pc.string_is_ascii(s)
    m16 = pc.and_kleene(ascii_, pc.match_substring_regex(s, r"(?s)^.{13}:[0-5][0-9]$"))
    m19 = pc.and_kleene(ascii_, pc.match_substring_regex(s, r"(?s)^.{13}:[0-5][0-9]:[0-5][0-9]$"))
    m10 = pc.and_kleene(ascii_, pc.equal(pc.utf8_length(s), 10))
    null = pa.scalar(None, pa.string())
    key = pc.if_else(m10, pc.binary_join_element_wise(s, " 00", ""),
                     pc.if_else(pc.or_kleene(m16, m19), pc.utf8_slice_codeunits(s, 0, 13), null))
    enc = pc.dictionary_encode(key)
    starts = pc.take(pa.array([hour(k) for k in enc.dictionary.to_pylist()], pa.string()), enc.indices)
    suffix = pc.if_else(m10, pa.scalar("00:00.000000"),
                        pc.if_else(m16, pc.binary_join_element_wise(pc.utf8_slice_codeunits(s, 14, 16),
                                                                    ":00.000000", ""),
                                   pc.binary_join_element_wise(pc.utf8_slice_codeunits(s, 14, 19), ".000000", "")))
    fast = pc.binary_join_element_wise(starts, suffix, "")  # null where the fast path does not apply
    rest = pc.and_kleene(filled, pc.is_null(fast))
    if not pc.any(rest).as_py():
        return fast
    return pc.coalesce(fast, _each_distinct(s, rest, parse, pa.string()))


def _refs(s: Any, empty: Any, parse: Callable[[Any], Any], specials: list[str]) -> Any:
    """Crime reference lists: one reference (no separator, no space) as it is, length-checked; the others through
    the reference parser once per distinct value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    filled = pc.invert(empty)
    listed = pc.match_substring(s, specials[0])
    for ch in specials[1:]:
        listed = pc.or_kleene(listed, pc.match_substring(s, ch))
    single = pc.and_kleene(filled, pc.invert(listed))
    ok = pc.and_kleene(single, pc.less_equal(pc.utf8_length(s), CRIME_REF_LENGTH))
    out = pc.if_else(ok, s, pa.scalar(None, pa.string()))
    many = pc.and_kleene(filled, listed)
    if not pc.any(many).as_py():
        return out
    # two references and nothing else ('CR-1;CR-2': no space, no other separator, two different, not too long)
    # are stored as written; the others go through the reference parser
    two = pc.and_kleene(many, pc.equal(pc.count_substring(s, ";"), 1))
    two = pc.and_kleene(two, pc.invert(pc.match_substring_regex(s, _WHITESPACE_CLASS)))
    for ch in specials:
        if ch not in "; ":
            two = pc.and_kleene(two, pc.invert(pc.match_substring(s, ch)))
    two = pc.and_kleene(two, pc.less_equal(pc.utf8_length(s), CRIME_REF_LENGTH))
    if pc.any(two).as_py():
        parts = pc.split_pattern(pc.if_else(two, s, pa.scalar("x;x")), ";")
        first, second = pc.list_element(parts, 0), pc.list_element(parts, 1)
        two = pc.and_kleene(two, pc.and_kleene(pc.not_equal(first, second), pc.and_kleene(
            pc.greater(pc.binary_length(first), 0), pc.greater(pc.binary_length(second), 0))))
        out = pc.if_else(two, s, out)
        many = pc.and_kleene(many, pc.invert(two))
        if not pc.any(many).as_py():
            return out
    return pc.coalesce(out, _each_distinct(s, many, parse, pa.string()))
