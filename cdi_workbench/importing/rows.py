"""Turning one row of cells into the values of one record, or the problems that stop it.

The converter is compiled for each file: the mapping (which cell holds which column, how each is parsed, the
fixed values) is written out as one straight-line Python function, because a million rows through a generic
loop over column descriptions costs several times more than the work itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, Literal

from sqlalchemy import ColumnDefault

from ..local_config import LocalConfig, code_parser, disposal_type_parser
from ..spreadsheets.reading import cell_problems
from ..storage.models import CrimeRecord, Disposal
from ..timeutil import now_utc
from .errors import MappingError
from .kinds import Kind
from .profiles import Profile, resolve_columns
from .values import (
    Bad,
    cell_text,
    datetime_parser,
    parse_age,
    parse_bool,
    parse_cancelled_group,
    parse_code,
    parse_group,
    parse_month,
    parse_status,
    parse_unit,
    refs_parser,
    stored_text,
)

Problem = tuple[str, str, str]  # column, value, what is wrong
# key (ref, or (system, ref) for referrals whose system varies by row; None when missing), values
# (Converter.columns order),
# extra (JSON text or None), digest (hex), problems (or None), skip (why the row is left out, or None)
Row = tuple[Any, list[Any], "str | None", str, "list[Problem] | None", "str | None"]
CRIME_REF_LENGTH: int = CrimeRecord.__table__.c.ref.type.length  # type: ignore[attr-defined]
DISPOSAL_TYPE_LENGTH: int = Disposal.__table__.c.disposal_type.type.length  # type: ignore[attr-defined]
KEY_COLUMNS = {"ref", "system", "kind"}


_DRAW_KEY_HASH = hashlib.blake2b(digest_size=8, person=b"cdi-draw-key")


def fast_draw_key(ref: str, _copy: Callable[[], Any] = _DRAW_KEY_HASH.copy,
                  _int: Callable[[bytes, Literal["big"]], int] = int.from_bytes) -> int:
    """draw_keys.draw_key, a third cheaper: the keyed hash's initial state is copied, not set up for each row
    (a test checks the two agree)."""
    h = _copy()
    h.update(ref.encode("utf-8", "surrogatepass"))
    return _int(h.digest(), "big") >> 2


def _parser(f_type: str, profile: Profile | None, date1904: bool = False,
            local: LocalConfig | None = None) -> Callable[[Any], Any] | None:
    """A column type's parser (None: text); `local`: the programme's sub-codes and disposal types (local_config)."""
    if local is not None and f_type == "code" and local.codes:
        return code_parser(local.codes, parse_code)
    if local is not None and f_type == "disposal_type" and local.disposal_types:
        return disposal_type_parser(local.disposal_types, DISPOSAL_TYPE_LENGTH, Bad)
    if f_type == "datetime":
        return datetime_parser(tuple(profile.date_formats) if profile else (), date1904)
    if f_type == "refs":
        return refs_parser(profile.list_separators if profile else ";", CRIME_REF_LENGTH)
    return {"bool": parse_bool, "age": parse_age, "month": parse_month, "code": parse_code,
            "status": parse_status, "group": parse_group, "cancellation_group": parse_cancelled_group,
            "unit": parse_unit}.get(f_type)


def _add(problems: list[Problem] | None, column: str, value: Any, message: str) -> list[Problem]:
    return [*(problems or ()), (column, cell_text(value), message)]


def _long(problems: list[Problem] | None, column: str, value: str, limit: int) -> list[Problem]:
    return _add(problems, column, value, f"too long ({len(value)} characters, at most {limit})")


def _bad(problems: list[Problem] | None, column: str, value: Any, exc: Bad) -> list[Problem]:
    return _add(problems, column, value, str(exc))


class Converter:
    """Converts the rows of one file (given its headers) into record values for one kind, under a profile."""

    def __init__(self, headers: list[str], kind: Kind, profile: Profile | None = None, system: str | None = None,
                 user: str = "", text_cells: bool = False, date1904: bool = False,
                 local: LocalConfig | None = None) -> None:
        """`text_cells`: every cell is text (CSV), so the compiled code need not test for Excel values;
        `date1904`: the workbook counts serial dates from 1904; `local`: the programme's sub-codes and disposal
        types, mapped as rows are read (local_config)."""
        self.date1904 = date1904
        self.local = local
        self.kind, self.headers, self.width = kind, headers, len(headers)
        self.text_cells = text_cells
        self.targets = resolve_columns(headers, kind, profile)
        self.header_of = {t: headers[i] for i, t in enumerate(self.targets) if t}
        mapped = set(self.header_of)
        fixed = self._fixed(profile, system)
        for name in kind.required:
            if name not in mapped and name not in fixed:
                hint = " or name it with --system" if name == "system" else ""
                raise MappingError(f"the file has no column for {name}: map one of its columns to it{hint} "
                                   f"(columns: {', '.join(headers)})")
        self.extra_idx = [i for i, t in enumerate(self.targets) if t is None]
        table_columns = [c for c in kind.table.columns if c.name != "id"]
        by_field = {f.column: f for f in kind.fields}
        # columns bound per row, in order; the rest are constants written into the INSERT statement
        self.columns: list[str] = []
        self.constants: dict[str, Any] = {}
        bound: dict[str, str] = {}  # column -> expression in the compiled function
        fixed_kind = dict(kind.fixed)
        self.ns: dict[str, Any] = {"_text": cell_text, "_Bad": Bad, "_long": _long, "_bad": _bad, "_add": _add,
                                   "_join": "\x1f".join, "_dumps": json.dumps}
        # the same for every row: written into the statements, not bound row by row
        self.stamps = {"imported_at": stored_text(now_utc()), "imported_by": user or None}
        for c in table_columns:
            f = by_field.get(c.name)
            if f is not None and f.name in mapped:
                bound[c.name] = f"v{self.targets.index(f.name)}"
            elif f is not None and f.name in fixed:
                self.ns[f"C_{c.name}"] = fixed[f.name]
                bound[c.name] = f"C_{c.name}"
            elif c.name == "extra" and self.extra_idx:
                bound[c.name] = "extra"
            elif c.name == "import_hash":
                bound[c.name] = "d"
            elif c.name in self.stamps or c.name == "draw_key":
                pass
            elif c.name in fixed_kind:
                self.constants[c.name] = fixed_kind[c.name]
            else:
                default = c.default
                self.constants[c.name] = (default.arg if isinstance(default, ColumnDefault)
                                          and not callable(default.arg) else None)
        if "draw_key" in kind.table.c:  # the sampling order's key, worked out from the reference as rows go in
            key_expr = bound[kind.field(kind.key).column]
            self.ns["_dk"] = fast_draw_key
            bound["draw_key"] = f"(_dk({key_expr}) if {key_expr} else None)"
        self.columns = list(bound)
        self.bound = bound  # column -> expression (v<i>, C_<column>, extra, d, the draw key): arrow_convert reads it
        self.profile = profile
        key_cols = KEY_COLUMNS if kind.report else {kind.field(kind.key).column}
        self.update_columns = [c for c in self.columns if c not in key_cols]
        self.datetime_pos = [i for i, c in enumerate(self.columns) if c in by_field and by_field[c].type == "datetime"]
        # incidents, and referrals from one named system, are keyed by reference alone within the file
        self.key_system: str | None = None
        if kind.report and "system" not in bound:
            self.key_system = dict(kind.fixed)["system"]
        elif kind.report and bound["system"].startswith("C_"):
            self.key_system = self.ns[bound["system"]]
        signature = json.dumps([kind.name, headers, self.targets, sorted(fixed.items())], default=str) + "\x1e"
        self.ns["SIG"] = hashlib.sha1(signature.encode("utf-8", "surrogatepass"), usedforsecurity=False)
        source = self._source(profile, fixed, bound)
        exec(compile(source, f"<converter for {kind.name}>", "exec"), self.ns)  # our own code: names only, no data
        self.convert: Callable[[list[Any]], Row] = self.ns["convert"]
        self.source = source

    def _fixed(self, profile: Profile | None, system: str | None) -> dict[str, Any]:
        """Profile fixed values (and --system), converted and checked once."""
        raw = dict(profile.fixed) if profile else {}
        if system and self.kind.name == "referrals":
            raw["system"] = system
        out = {}
        for name, value in raw.items():
            f = self.kind.field(name)
            parse = _parser(f.type, profile, local=self.local)
            try:
                out[name] = parse(value) if parse else str(value).strip()
            except Bad as exc:
                raise MappingError(f"the fixed value {value!r} for {name} is wrong: {exc}") from None
            limit = self.kind.max_length(f.column)
            if parse is None and limit and len(out[name]) > limit:
                raise MappingError(f"the fixed value for {name} is longer than {limit} characters")
        return out

    def column_of(self, name: str) -> str:
        """The file's header for a canonical column (the canonical name when no header fills it)."""
        return self.header_of.get(name, name)

    def record(self, values: list[Any]) -> dict[str, Any]:
        """Model column -> value for one converted row (constants included)."""
        return {**self.constants, **dict(zip(self.columns, values, strict=True))}

    def _source(self, profile: Profile | None, fixed: dict[str, Any], bound: dict[str, str]) -> str:
        kind, ns = self.kind, self.ns
        ns["W"] = self.width
        lines = ["def convert(cells):",
                 "    if len(cells) != W:",
                 "        cells, P = _fix(cells)",
                 "    else:",
                 "        P = None"]
        ns["_fix"] = self._fix
        for i, target in enumerate(self.targets):
            if not target:
                continue
            f = kind.field(target)
            v, parse = f"v{i}", _parser(f.type, profile, self.date1904, self.local)
            col = kind.table.c[f.column]
            blank = fixed.get(target, col.default.arg if isinstance(col.default, ColumnDefault) else None)
            ns[f"H{i}"], ns[f"B{i}"] = self.headers[i], blank
            if self.text_cells:
                lines += [f"    {v} = cells[{i}].strip()"]
            else:
                lines += [f"    {v} = cells[{i}]",
                          f"    if {v}.__class__ is str:",
                          f"        {v} = {v}.strip()",
                          "    else:",
                          f"        {v} = _text({v})" if parse is None else f"        {v} = '' if {v} is None else {v}"]
            if parse is None:
                limit = kind.max_length(f.column)
                lines += [f"    if {v}:" if limit else f"    if not {v}:"]
                if limit:
                    lines += [f"        if len({v}) > {limit}:",
                              f"            P = _long(P, H{i}, {v}, {limit})",
                              "    else:"]
                lines += [f"        {v} = B{i}"]
            else:
                ns[f"F{i}"] = parse
                lines += [f"    if {v} != '':",
                          "        try:",
                          f"            {v} = F{i}({v})",
                          "        except _Bad as e:",
                          f"            P = _bad(P, H{i}, {v}, e)",
                          f"            {v} = None",
                          "    else:",
                          f"        {v} = B{i}"]
        key = bound[kind.field(kind.key).column]
        lines += [f"    if {key}:", "        skip = None"]
        if kind.report:
            system = bound.get("system")
            if system is None:
                ns["S"] = dict(kind.fixed)["system"]
                system = "S"
            elif system.startswith("v"):
                ns["HS"] = self.column_of("system")
                lines += [f"        if not {system}:",
                          "            P = _add(P, HS, '', 'missing system: add a system column or name it with "
                          "--system')"]
            lines += [f"        key = {key}" if self.key_system is not None else f"        key = ({system}, {key})"]
        else:
            lines += [f"        key = {key}"]
        lines += ["    else:", "        key = skip = None"]
        for n, (name, values) in enumerate((profile.skip_without_ref if profile else {}).items()):
            expr = bound.get(kind.field(name).column)
            if expr is None:
                continue
            ns[f"R{n}"] = {v.strip().lower() for v in values}
            ns[f"M{n}"] = f"no {kind.key}, {name} {{!r}}"
            lines += [f"        if skip is None and {expr} is not None and str({expr}).strip().lower() in R{n}:",
                      f"            skip = M{n}.format({expr})"]
        ns["HK"] = self.column_of(kind.key)
        lines += ["        if skip is None:", "            P = _add(P, HK, '', 'missing reference')"]
        for name in kind.required:
            expr = bound.get(kind.field(name).column, "")
            if name not in (kind.key, "system") and expr.startswith("v"):
                ns[f"Q{expr}"] = self.column_of(name)
                lines += [f"    if not {expr}:", f"        P = _add(P, Q{expr}, '', 'missing value')"]
        if self.extra_idx:
            lines += ["    ex = {}"]
            for i in self.extra_idx:
                ns[f"X{i}"] = self.headers[i]
                lines += [f"    e = cells[{i}].strip()" if self.text_cells else f"    e = cells[{i}]",
                          *([] if self.text_cells else ["    e = e.strip() if e.__class__ is str else _text(e)"]),
                          "    if e:",
                          f"        ex[X{i}] = e"]
            lines += ["    extra = _dumps(ex, ensure_ascii=False) if ex else None"]
        else:
            lines += ["    extra = None"]
        lines += ["    try:",
                  "        j = _join(cells).encode()",
                  "    except (TypeError, UnicodeEncodeError):",
                  "        j = _join(map(_text, cells)).encode('utf-8', 'surrogatepass')",
                  "    h = SIG.copy()",
                  "    h.update(j)",
                  "    d = h.hexdigest()[:32]",
                  f"    return key, [{', '.join(bound.values())}], extra, d, P, skip"]
        return "\n".join(lines) + "\n"

    def _fix(self, cells: list[Any]) -> tuple[list[Any], list[Problem] | None]:
        """A row with fewer cells than the header is padded; one with more is a problem if the surplus holds
        anything."""
        width = self.width
        if len(cells) < width:
            return cells + [""] * (width - len(cells)), None
        surplus = [c for c in cells[width:] if cell_text(c)]
        problems = None
        if surplus:
            problems = [("", cell_text(surplus[0]), f"the row has {len(cells)} cells but the header has {width}")]
        return cells[:width], problems


def unreadable(cells: list[Any], row: Row, conv: Converter) -> Row:
    """A row with cells the reader marked (a formula with no saved value, a NUL character): each is a problem of
    its own, and the row is converted again with them blank, so they raise nothing else ('not a date', 'missing
    reference'). Other rows unchanged."""
    bad = cell_problems(cells)
    if not bad:
        return row
    width = len(conv.headers)
    named = {i: conv.headers[i] if i < width else f"column {i + 1}" for i, _, _ in bad}
    blanked = list(cells)
    for i in named:
        blanked[i] = ""
    key, values, extra, digest, problems, _ = conv.convert(blanked)
    ours = [(named[i], value, message) for i, value, message in bad]
    return key, values, extra, digest, ours + [p for p in problems or () if p[0] not in named.values()], None
