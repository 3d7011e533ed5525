"""A first look at a file for the import dialog: headers, the proposed mapping and the first rows converted."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..timeutil import display
from .errors import MappingError
from .kinds import get_kind
from .profiles import MappingProposal, Profile, load_profile, propose_mapping
from .reader import open_table
from .result import Problem
from .rows import Converter, unreadable
from .values import cell_text, from_stored_text


@dataclass
class PreviewRow:
    row: int  # as a spreadsheet shows it (header = 1)
    cells: list[str]  # as in the file
    values: dict[str, str]  # canonical column -> the value that would be stored, as shown to people
    extra: dict[str, str]  # kept in the record's `extra`
    problems: list[Problem]
    skipped: str = ""  # why the row would be skipped without being an error


@dataclass
class FilePreview:
    path: Path
    kind: str
    format: str  # csv | xlsx
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    headers: list[str]
    proposal: MappingProposal
    rows: list[PreviewRow] = field(default_factory=list)
    mapping_error: str = ""  # why the mapping cannot import this file yet ('' when it can)


def preview_file(path: str | Path, kind: str, profile: Profile | str | None = None, system: str | None = None,
                 rows: int = 20, user_dir: str | Path | None = None, sheet: str | None = None) -> FilePreview:
    """Read the headers and first `rows` rows; propose a mapping (on top of `profile`) and show its result."""
    path = Path(path)
    k = get_kind(kind)
    prof = load_profile(profile, user_dir) if isinstance(profile, str) else profile
    with open_table(path, sheet or (prof.sheet if prof else None), prof.delimiter if prof else None,
                    prof.encoding if prof else None) as table:
        proposal = propose_mapping(table.headers, kind, prof, user_dir, system)
        out = FilePreview(path, kind, table.format, table.encoding, table.delimiter, table.sheet,
                          table.headers, proposal)
        try:
            conv = Converter(table.headers, k, prof, system, date1904=table.date1904)
        except MappingError as exc:
            out.mapping_error = str(exc)
            conv = None
        for number, cells in table.rows():
            if len(out.rows) >= rows:
                break
            if not any(cells):
                continue
            texts = [cell_text(c) for c in cells]
            if conv is None:
                out.rows.append(PreviewRow(number, texts, {}, {}, []))
                continue
            key, values, extra, _, problems, skip = unreadable(cells, conv.convert(cells), conv)
            record = conv.record(values)
            shown = {}
            for f in k.fields:
                v = record.get(f.column)
                if v is not None and (f.name in conv.header_of or v != ""):
                    shown[f.name] = _shown(v, f.type)
            out.rows.append(PreviewRow(number, texts, shown, json.loads(extra) if extra else {},
                                       [Problem(path.name, number, c, v, m) for c, v, m in problems or []],
                                       skip or ""))
    return out


def _shown(value: object, f_type: str) -> str:
    if f_type == "datetime" and isinstance(value, str):
        return display(from_stored_text(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
