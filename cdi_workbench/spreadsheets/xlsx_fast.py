"""The compiled read path for workbooks, opt-in (CDI_XLSX_READER=calamine; see OPT_IN for why it is not the
default): a sheet's cells read by python-calamine (Rust), meant to give exactly the rows openpyxl gives
(xlsx_reading.sheet_rows, data_only read-only mode), or nothing at all - then openpyxl reads the sheet.

openpyxl stays the reference: `open_sheet` returns None (and xlsx_reading.open_xlsx reads the workbook as before)
whenever python-calamine is not installed, the reference is asked for (read_path="python" or the environment's
CDI_IMPORT_PATH=python), or the sheet holds anything calamine cannot be trusted to read as openpyxl does. That is
decided before a row is given, from the workbook's small parts (read by openpyxl's own code) and one streamed pass
over the sheet's XML (and the shared strings') that runs while calamine parses the sheet on another thread:

- XML that is not well-formed (expat, openpyxl's parser, reads it through): openpyxl words the refusal;
- a formula (calamine cannot tell one saved without its value from a blank), an error value (calamine reads it
  as a blank), an ISO date cell (t="d"), a text result (t="str"), any cell type or attribute beyond s and t;
- a number written so that openpyxl makes it a float although it is whole ('5.0', '1E+20'), or a whole number
  beyond 2^53 (a float cannot hold it), or anything but a plain number where a number is due;
- an empty text (calamine gives '' for a blank too), text whose leading or trailing spaces calamine would trim
  (no xml:space="preserve"), an _xHHHH_ escape (calamine decodes it, openpyxl does not), two <t> in one string;
- rows out of order (openpyxl refuses the sheet), cells without a reference, a chart sheet, a 1904/1900 epoch or a
  styles part anywhere but where both look for it, a style that calamine takes for a date and openpyxl does not.

What calamine gives is then turned into openpyxl's values: a whole float into an int (openpyxl reads '5' as 5), ''
into None, rows cut to the last cell the XML holds (a cell with a style and no value counts, as in openpyxl),
leading empty rows and columns put back, rows missing from the XML as []. Dates, times and durations are not
taken from calamine (it rounds differently, and reads a negative serial as a time): each cell openpyxl reads as
one - a number whose style has a date format - is found in the XML, and its serial is converted by openpyxl's
own from_excel with the workbook's epoch, as openpyxl does.
"""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

PATHS = ("compiled", "python")
READER = "calamine"  # what ImportResult.read_path says of a workbook read here
# calamine reads a workbook only when this environment variable says 'calamine'. An adversarial review found
# valid-but-unusual workbooks that the scan below lets through and calamine reads differently from openpyxl (a
# cell whose reference names another row, a reference given twice, whitespace written as a character reference,
# a whole number written with 17 decimals, XML with whitespace or a prefix inside tags, a sheet's broken rels part:
# tests/integration/test_xlsx_crafted.py): until the scan parses what it now matches, openpyxl is the default
OPT_IN = "CDI_XLSX_READER"
_BLOCK = 1 << 22
_CHOICE: ContextVar[str | None] = ContextVar("cdi_xlsx_reader", default=None)
_MAX_EXACT = 2 ** 53
_MAX_SERIAL = 1e8  # days: calamine panics (or Python overflows) converting far beyond 9999 (2.9e6 days)

# a cell's start tag, its reference first (as every writer puts it: each '<c ' must match), then its other
# attributes and what follows at once (its <v>, or an inline string's text or run)
_CELL = re.compile(rb'<c r="[A-Z]{1,3}[0-9]+"([^>]*>(?:<v>|<is><t|<is><r>)?)')
_EMPTY_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*/>')
_ROW = re.compile(rb'<row(?=[ >/])(?: r="([0-9]+)")?')
# tags neither reader may meet: a formula, an empty or doubled text, a <t> attribute but xml:space="preserve",
# strings of another shape, comments, CDATA, instructions (the XML declaration aside)
_RARE = re.compile(rb'<(c[>/]|f[ >/]|v/|t/>|t></t>|/t><t|t (?!xml:space="preserve">)|is>(?!<t|<r>)|is[ /]'
                   rb'|si>(?!<t|<r>)|si[ /]|!|\?(?!xml ))')
# a <v> that is not a short whole number nor a decimal with a non-zero fraction (both read alike by the two)
_ODD_V = re.compile(rb'<v>(?![0-9]{1,15}</v>)(?!-?[0-9]+\.[0-9]*[1-9][0-9]*</v>)')
_ODD_CELL = re.compile(rb'<c r="[A-Z]{1,3}[0-9]+"([^>]*)><v>(?![0-9]{1,15}</v>)(?!-?[0-9]+\.[0-9]*[1-9][0-9]*</v>)'
                       rb'([^<]*)</v>')
_NUMBER = re.compile(rb"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# text calamine trims (no xml:space="preserve": openpyxl keeps it) or decodes (_x000D_: openpyxl does not)
_TRIMMED = re.compile(rb"<t>(?:[ \t\r\n]|[^<]*+(?<=[ \t\r\n])</t>)")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_ATTRS = re.compile(rb'(?: s="([0-9]+)")?(?: t="(s|n|b|inlineStr)")?\s*(/?)')
_DIMENSION = re.compile(rb'<dimension ref="([^"]*)"\s*/>')


class Unsuitable(Exception):
    """The sheet is read by openpyxl (see the module docstring): why."""


def available() -> bool:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def chosen(read_path: str | None = None) -> str:
    """'calamine' or 'openpyxl'. openpyxl unless CDI_XLSX_READER=calamine asks for calamine (see OPT_IN) and the
    import path is 'compiled' (the argument, 'compiled' or 'python' as for CSV, else the environment's
    CDI_IMPORT_PATH, else 'compiled') and python-calamine can be imported."""
    value = (read_path or os.environ.get("CDI_IMPORT_PATH") or "compiled").strip().lower()
    if value not in PATHS:
        raise ValueError(f"unknown import path {value!r} (one of {', '.join(PATHS)})")
    asked = (os.environ.get(OPT_IN) or "openpyxl").strip().lower()
    if asked not in (READER, "openpyxl"):
        raise ValueError(f"unknown workbook reader {asked!r} in {OPT_IN} (calamine or openpyxl)")
    return READER if value == "compiled" and asked == READER and available() else "openpyxl"


@contextmanager
def reading(reader: str) -> Iterator[None]:
    """Workbooks opened inside read with `reader` ('calamine' or 'openpyxl')."""
    token = _CHOICE.set(reader)
    try:
        yield
    finally:
        _CHOICE.reset(token)


def current() -> str:
    """The reader a workbook opened now is read with: as `reading` says, else as the environment does."""
    value = _CHOICE.get()
    if value is not None:
        return value
    try:
        return chosen()
    except ValueError:  # (an unknown CDI_IMPORT_PATH or CDI_XLSX_READER is refused by the importer, which names it)
        return "openpyxl"


def read_by(table: Any) -> str | None:
    """'calamine' when the table (reading.Table) is a workbook read here, else None."""
    return READER if any(isinstance(c, FastSheet) for c in getattr(table, "_closers", ())) else None


def open_sheet(path: Any, sheet: str | None, prefer_sheet: str | None) -> FastSheet | None:
    """The sheet, read by calamine - or None: openpyxl reads it (not installed, not chosen, or a sheet calamine
    cannot be trusted with; a damaged workbook too, so that openpyxl's refusal is the one given)."""
    if current() != READER:
        return None
    try:
        return _open(path, sheet, prefer_sheet)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 (anything unusual - a Rust panic too: openpyxl reads it, words any refusal)
        return None


class FastSheet:
    """One sheet read by calamine: its name, part, stated rows, epoch, and its rows as openpyxl gives them."""

    reader = READER

    def __init__(self, title: str, member: str, stated: int | None, date1904: bool, workbook: Any, sheet: Any,
                 plan: _Plan) -> None:
        self.title, self.member, self.stated, self.date1904 = title, member, stated, date1904
        self._workbook, self._sheet, self._plan = workbook, sheet, plan

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None

    def rows(self) -> Iterator[list[Any]]:
        """Every row from row 1 to the last the XML holds: as xlsx_reading.sheet_rows gives them."""
        plan, sheet = self._plan, self._sheet
        start = sheet.start  # (None: no cell with a value; iter_rows gives the rows above the first, blank)
        shift = start[1] if start is not None else 0
        source = iter(sheet.iter_rows()) if start is not None else iter(())
        pad = [None] * shift
        floor_rows, floor_cols, floor_at = plan.floor_rows, plan.floor_cols, 0
        date_rows, date_at = plan.date_rows, 0
        for number in range(1, plan.last_row + 1):
            row = next(source, None)
            if row is not None:
                cells = [None if v == "" else (int(v) if v.__class__ is float and v.is_integer() else v)
                         for v in row]
                if shift:
                    cells = pad + cells
                while date_at < len(date_rows) and date_rows[date_at] == number:
                    column = plan.date_cols[date_at]
                    if column >= len(cells):
                        cells.extend([None] * (column + 1 - len(cells)))
                    cells[column] = plan.date_value(date_at)
                    date_at += 1
                while cells and cells[-1] is None:
                    cells.pop()
            else:
                cells = []
            width = 0
            while floor_at < len(floor_rows) and floor_rows[floor_at] == number:
                width = max(width, floor_cols[floor_at])
                floor_at += 1
            if width > len(cells):
                cells.extend([None] * (width - len(cells)))
            yield cells


class _Plan:
    """What the scan of the sheet's XML found: its last row, the cells with no value (which make a row as long as
    openpyxl makes it), and the cells openpyxl reads as dates, times or durations with their serial numbers."""

    def __init__(self, epoch: Any, timedelta_styles: set[int]) -> None:
        from array import array

        self.epoch, self.timedelta_styles = epoch, timedelta_styles
        self.last_row = 0
        self.floor_rows, self.floor_cols = array("q"), array("q")
        self.date_rows, self.date_cols = array("q"), array("q")
        self.date_texts: list[bytes] = []
        self.date_kinds = bytearray()

    def date_value(self, i: int) -> Any:
        """The value openpyxl gives date cell i (WorkSheetParser.parse_cell)."""
        from openpyxl.utils.datetime import from_excel

        text = self.date_texts[i].decode("ascii")
        value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        try:
            return from_excel(value, self.epoch, timedelta=bool(self.date_kinds[i]))
        except (OverflowError, ValueError):
            return "#VALUE!"


def _column(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index


def _open(path: Any, sheet: str | None, prefer_sheet: str | None) -> FastSheet:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS

    # the workbook as openpyxl's load_workbook reads it, but for the shared strings and the sheet to be read
    # (scanned below) - its other parts must not fail where load_workbook would
    reader = ExcelReader(path, read_only=True, data_only=True)
    try:
        reader.read_manifest()
        strings_part = reader.package.find(SHARED_STRINGS)
        reader.read_workbook()
        reader.read_properties()
        reader.read_custom()
        reader.read_theme()
        apply_stylesheet(reader.archive, reader.wb)
        wb = reader.wb
        found = []
        for s, rel in reader.parser.find_sheets():
            if rel.target not in reader.valid_files:
                continue
            if "chartsheet" in rel.Type:
                raise Unsuitable("a chart sheet")
            found.append((s.name, rel.target))
        names = [n for n, _ in found]
        if sheet is not None and sheet not in names:
            raise Unsuitable("no such sheet (openpyxl words it)")
        if sheet is None and prefer_sheet is not None and prefer_sheet in names:
            sheet = prefer_sheet
        if not found:
            raise Unsuitable("no worksheet")
        title, member = found[names.index(sheet)] if sheet is not None else found[0]
        for name, target in found:  # the other sheets' sizes are read at load (and may fail) as openpyxl does
            if name == title:
                wb._sheets.append(_Standin())
            else:
                wb._sheets.append(ReadOnlyWorksheet(wb, name, target, []))
        reader.parser.assign_names()
        # where both look for their parts: openpyxl by the manifest and fixed names, calamine by fixed names
        valid = set(reader.valid_files)
        strings = strings_part.PartName[1:] if strings_part is not None else None
        if strings not in (None, "xl/sharedStrings.xml") or (strings is None and "xl/sharedStrings.xml" in valid):
            raise Unsuitable("shared strings elsewhere")
        if "xl/styles.xml" not in valid or not member.startswith("xl/"):
            raise Unsuitable("styles or sheet elsewhere")
        date_styles = set(wb._date_formats) | set(wb._timedelta_formats)
        if 0 in date_styles:
            raise Unsuitable("the default style is a date")
        epoch = wb.epoch
        styles_xml = reader.archive.read("xl/styles.xml")
        archive = reader.archive
    except BaseException:
        reader.archive.close()
        raise
    # calamine parses the workbook and the sheet on a thread (it lets go of the GIL) while the XML is scanned here
    result: dict[str, Any] = {}
    worker = threading.Thread(target=_calamine, args=(path, title, result), daemon=True)
    worker.start()
    try:
        plan = _Plan(epoch, set(wb._timedelta_formats))
        with archive:
            if strings is not None:
                _scan_strings(archive, strings)
            stated, styles_used = _scan_sheet(archive, member, plan, date_styles)
    except BaseException:
        worker.join()
        if "workbook" in result:
            result["workbook"].close()
        raise
    worker.join()
    if "error" in result:
        raise Unsuitable(f"calamine: {result['error']}")
    workbook, calamine_sheet = result["workbook"], result["sheet"]
    try:
        if list(workbook.sheet_names) != names:
            raise Unsuitable("calamine names the sheets otherwise")
        _same_dates(styles_xml, styles_used - date_styles)
        end = calamine_sheet.end
        if end is not None and end[0] + 1 > plan.last_row:
            raise Unsuitable("calamine found cells past the last row")
    except BaseException:
        workbook.close()
        raise
    return FastSheet(title, member.lstrip("/"), stated, epoch.year == 1904, workbook, calamine_sheet, plan)


class _Standin:
    """A sheet in the workbook's list while its defined names are bound (the sheet read here is not loaded)."""

    def __init__(self) -> None:
        from openpyxl.workbook.defined_name import DefinedNameDict

        self.defined_names = DefinedNameDict()


def _calamine(path: Any, title: str, result: dict[str, Any]) -> None:
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        try:
            result["sheet"] = workbook.get_sheet_by_name(title)
        except BaseException:
            workbook.close()
            raise
        result["workbook"] = workbook
    except BaseException as exc:  # noqa: BLE001 (any, a Rust panic too: openpyxl reads the file then)
        result["error"] = f"{type(exc).__name__}: {exc}"


def _blocks(archive: zipfile.ZipFile, member: str, cut: bytes) -> Iterator[bytes]:
    """The part's XML, checked by expat as it comes, in pieces that end where `cut` begins (so that no pattern
    looked for spans two pieces)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    carry = b""
    with archive.open(member) as fh:
        while block := fh.read(_BLOCK):
            try:
                parser.Parse(block, False)
            except expat.ExpatError as exc:
                raise Unsuitable(f"XML: {exc}") from None
            data = carry + block
            at = data.rfind(cut)
            if at <= 0:
                carry = data
                continue
            carry = data[at:]
            yield data[:at]
    try:
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Unsuitable(f"XML: {exc}") from None
    if carry:
        yield carry


def _text_checks(piece: bytes, rare: bool = True) -> None:
    """What text (shared or inline) must not hold for both to read it alike (rare: look for _RARE tags too)."""
    if _TRIMMED.search(piece) or _ESCAPE.search(piece):
        raise Unsuitable("text calamine would trim or decode")
    found = _RARE.search(piece) if rare else None
    if found is not None:
        raise Unsuitable(f"{found.group()[:20]!r}")
    runs = piece.count(b"<r>")  # each run's text follows its start, or its properties
    if runs and runs != piece.count(b"<r><t") + piece.count(b"</rPr><t"):
        raise Unsuitable("a run of another shape")


def _scan_strings(archive: zipfile.ZipFile, member: str) -> None:
    """Each string starts with a <t> or a run, each run has its <t>, no <t> is empty or doubled: so that no string
    is empty (calamine gives '' for a blank too) and both read the same text."""
    for piece in _blocks(archive, member, b"<si>"):
        if b"x005F_" in piece:
            raise Unsuitable("openpyxl takes 'x005F_' out of shared strings")
        _text_checks(piece)


def _scan_sheet(archive: zipfile.ZipFile, member: str, plan: _Plan, date_styles: set[int]
                ) -> tuple[int | None, set[int]]:
    """Scan the sheet (see the module docstring); fills `plan`. Returns (the rows its <dimension> states, as
    openpyxl reads it; the styles its cells use)."""
    from openpyxl.utils.cell import range_boundaries

    cells: Counter[tuple[bytes, bytes]] = Counter()
    last, values = 0, 0
    head = b""
    in_data = False
    kinds: dict[bytes, tuple[int | None, bytes | None, bool]] = {}
    date_patterns: dict[frozenset[bytes], Any] = {}
    for piece in _blocks(archive, member, b"<c "):
        if not in_data:
            at = piece.find(b"<sheetData")
            head += piece if at < 0 else piece[:at]
            in_data = at >= 0
        tags = Counter(_CELL.findall(piece))
        if sum(tags.values()) != piece.count(b"<c "):
            raise Unsuitable("a cell without a reference first")
        found: Counter[tuple[bytes, bytes]] = Counter()
        for tag, n in tags.items():
            attrs, _, follows = tag.partition(b">")
            found[attrs, follows] += n
        cells.update(found)
        for attrs, _ in found:
            if attrs not in kinds:
                m = _ATTRS.fullmatch(attrs)
                if m is None:
                    raise Unsuitable(f"a cell's attributes {attrs[:40]!r}")
                kinds[attrs] = (int(m.group(1)) if m.group(1) else None, m.group(2), m.group(3) == b"/")
        texts = _ROW.findall(piece)
        if texts:
            if not all(texts):
                raise Unsuitable("a row without a number")
            numbers = list(map(int, texts))
            if numbers[0] <= last or any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
                raise Unsuitable("rows out of order")  # openpyxl refuses the sheet: let it
            last = numbers[-1]
        rare = _RARE.search(piece)
        if rare is not None:
            raise Unsuitable(f"{rare.group()[:20]!r}")
        values += piece.count(b"<v>")
        present = {attrs for attrs, _ in found}
        if any(kinds[a][2] for a in present):  # cells with no value: the length of their row
            for letters, number in _EMPTY_CELL.findall(piece):
                plan.floor_rows.append(int(number))
                plan.floor_cols.append(_column(letters))
        if _ODD_V.search(piece):
            for attrs, text in _ODD_CELL.findall(piece):
                _odd_value(kinds.get(attrs), text)
        dated = frozenset(a for a in present if kinds[a][0] in date_styles and not kinds[a][2]
                          and kinds[a][1] in (None, b"n"))
        if dated:
            pattern = date_patterns.get(dated)
            if pattern is None:
                pattern = date_patterns[dated] = re.compile(
                    rb'<c r="([A-Z]{1,3})([0-9]+)"(' + b"|".join(map(re.escape, sorted(dated))) +
                    rb')><v>([^<]*)</v>')
            expected = sum(n for (a, _), n in found.items() if a in dated)
            hits = pattern.findall(piece)
            if len(hits) != expected:
                raise Unsuitable("a date cell of another shape")
            for letters, number, attrs, text in hits:
                if not _NUMBER.fullmatch(text) or abs(float(text)) > _MAX_SERIAL:
                    raise Unsuitable("a date cell holding no number, or one calamine cannot convert")
                plan.date_rows.append(int(number))
                plan.date_cols.append(_column(letters) - 1)
                plan.date_texts.append(text)
                plan.date_kinds.append(kinds[attrs][0] in plan.timedelta_styles)
        booleans = {a for a in present if kinds[a][1] == b"b" and not kinds[a][2]}
        if booleans:
            _booleans(piece, booleans, sum(n for (a, _), n in found.items() if a in booleans))
        if any(kinds[a][1] == b"inlineStr" for a in present):
            _text_checks(piece, rare=False)
    if not in_data:
        raise Unsuitable("no sheetData")
    # every cell's value where both readers look for it: a number's (or shared string's) <v> at once, an inline
    # string's text; a cell with neither is empty (<c .../>), with nothing else in it
    for attrs, follows in cells:
        _, kind, empty = kinds[attrs]
        if follows not in ((b"",) if empty else (b"<is><t", b"<is><r>") if kind == b"inlineStr" else (b"<v>",)):
            raise Unsuitable("a cell whose value is not where both look")
    if values != sum(n for (_, follows), n in cells.items() if follows == b"<v>"):
        raise Unsuitable("a <v> out of place")
    plan.last_row = last
    stated = None
    at = head.find(b"<dimension")
    if at >= 0:
        m = _DIMENSION.match(head, at)
        if m is None:
            raise Unsuitable("a <dimension> of another shape")
        bounds = range_boundaries(m.group(1).decode("utf-8"))
        stated = bounds[3] if isinstance(bounds[3], int) else None
    return stated, {kinds[a][0] or 0 for a, _ in cells}


def _odd_value(kind: tuple[int | None, bytes | None, bool] | None, text: bytes) -> None:
    """A <v> other than a short whole number or a plain decimal: read alike only if it is a number openpyxl
    reads as calamine does (a float that is not whole, or a whole number a float holds exactly)."""
    if kind is None or kind[1] not in (None, b"n") or not _NUMBER.fullmatch(text):
        raise Unsuitable(f"a value {text[:20]!r}")
    if b"." in text or b"e" in text or b"E" in text:
        if float(text).is_integer():
            raise Unsuitable("a whole number openpyxl reads as a float")
    elif abs(int(text)) > _MAX_EXACT:
        raise Unsuitable("a whole number beyond 2^53")


def _booleans(piece: bytes, attrs: set[bytes], expected: int) -> None:
    """openpyxl reads a boolean as bool(int(text)), calamine as text != '0': alike for '0' and '1' only."""
    pattern = re.compile(rb'<c r="[A-Z]{1,3}[0-9]+"(?:' + b"|".join(map(re.escape, sorted(attrs))) +
                         rb')><v>([^<]*)</v>')
    values = pattern.findall(piece)
    if any(v not in (b"0", b"1") for v in values) or len(values) != expected:
        raise Unsuitable("a boolean of another shape")


def _same_dates(styles_xml: bytes, styles: set[int]) -> None:
    """calamine must not read as dates the cells of the styles openpyxl does not: asked of calamine itself, on a
    little workbook with the same styles part and one number in each style."""
    if not styles:
        return
    from python_calamine import CalamineWorkbook

    ordered = sorted(styles)
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    cells = "".join(f'<row r="{i}"><c r="A{i}" s="{s}"><v>1.5</v></c></row>' for i, s in enumerate(ordered, 1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                   'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/'
                   'xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                   f'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet '
                   f'name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet"'
                   f' Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/styles" '
                   f'Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml", styles_xml)
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {ns}><sheetData>{cells}'
                   f'</sheetData></worksheet>')
    with CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())) as probe:
        values = [row[0] for row in probe.get_sheet_by_index(0).iter_rows()]
    if values != [1.5] * len(ordered):
        raise Unsuitable("calamine reads a style as a date that openpyxl does not")
