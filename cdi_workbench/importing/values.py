"""Cell values as forces export them: dates and times, numbers, yes/no, months, codes, reference lists.

Each parser takes the stripped cell (text, or a number / datetime from an Excel cell) and returns the value to
store, or raises Bad with the problem in words. Datetimes come back as the naive-UTC text SQLAlchemy stores on
SQLite ('YYYY-MM-DD HH:MM:SS.ffffff'); the writer turns them into aware datetimes for PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

from ..classification import CANCELLATION_NAMES_ACCEPTED, GROUP_LABELS, lookup, parse_cancellation_group
from ..spreadsheets.cells import cell_text  # any cell as text: one rule for every reader
from ..timeutil import UK


class Bad(Exception):
    """A cell value that cannot be stored: the message says why."""


DATE_HELP = "expected dd/mm/yyyy HH:MM, ISO 8601 or an Excel serial number"
YEAR_RANGE = (1900, 2100)
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
                  r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")
_EXCEL_EPOCH = datetime(1899, 12, 30)
_CACHE_MAX = 65536


def stored_text(value: datetime) -> str:
    """The stored form of a datetime: naive UTC text (aware values are converted; naive ones are UK local)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UK)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def from_stored_text(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def excel_serial(serial: float, date1904: bool = False) -> datetime:
    """An Excel serial day number as a naive datetime: the 1900 date system, as Windows Excel writes it, or
    the 1904 system of workbooks saved so (old Mac Excel), whose day 0 is 1 January 1904."""
    if not 0 < serial < 2958466:
        raise Bad(f"not a date: {DATE_HELP}")
    if date1904:
        serial += 1462  # days from 30/12/1899 to 01/01/1904
    elif serial < 61:  # Excel counts a 29 February 1900 that never was
        serial += 1
    moment = _EXCEL_EPOCH + timedelta(days=serial)
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)  # nearest second


def _fraction(text: str | None) -> int:
    return int((text or "0")[:6].ljust(6, "0"))


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    if minutes >= 24 * 60:
        raise Bad("not a date: the time zone offset is out of range")
    return timezone(sign * timedelta(minutes=minutes))


def _check_year(moment: datetime) -> datetime:
    if not YEAR_RANGE[0] <= moment.year <= YEAR_RANGE[1]:
        raise Bad(f"date out of range (years {YEAR_RANGE[0]}-{YEAR_RANGE[1]})")
    return moment


def parse_moment(text: str, formats: tuple[str, ...] = ()) -> datetime:
    """A date/time in any of the forms forces export (naive = UK local time); raises Bad."""
    for fmt in formats:
        try:
            return _check_year(datetime.strptime(text, fmt))
        except ValueError:
            pass
    try:
        m = _DMY.fullmatch(text)
        if m:
            d, mo, y, hh, mm, ss, frac = m.groups()
            return _check_year(datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0),
                                        _fraction(frac)))
        m = _ISO.fullmatch(text)
        if m:
            y, mo, d, hh, mm, ss, frac, off = m.groups()
            return _check_year(datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0),
                                        _fraction(frac), tzinfo=_offset(off)))
    except ValueError as exc:  # 31/02/2014, 25:00, ...
        raise Bad(f"not a date ({exc})") from None
    if _SERIAL.fullmatch(text):
        return _check_year(excel_serial(float(text)))
    raise Bad(f"not a date: {DATE_HELP}")


def _day(text: str, dmy: bool) -> tuple[str, str, int] | None:
    """(ISO date, ISO date of the day before, UK offset in hours) for a day with no clock change, else None."""
    d, m, y = (text[0:2], text[3:5], text[6:10]) if dmy else (text[8:10], text[5:7], text[0:4])
    digits = d + m + y
    if not (digits.isascii() and digits.isdigit()):
        return None
    try:
        day = date(int(y), int(m), int(d))
    except ValueError:
        return None
    if not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
        return None
    first = datetime.combine(day, time(0, 0), UK).utcoffset()
    last = datetime.combine(day, time(23, 59), UK).utcoffset()
    if first != last or first is None or first.total_seconds() not in (0, 3600):
        return None  # a clock-change day: the slow path asks zoneinfo for each time
    return day.isoformat(), (day - timedelta(days=1)).isoformat(), int(first.total_seconds()) // 3600


def datetime_parser(formats: tuple[str, ...] = (), date1904: bool = False) -> Callable[[object], str]:
    """A parser for a date/time column: cell -> stored text (see datetime_parts)."""
    return datetime_parts(formats, date1904)[0]


def datetime_parts(formats: tuple[str, ...] = (), date1904: bool = False
                   ) -> tuple[Callable[[object], str], Callable[[str], str | None]]:
    """(parse, hour): a parser for a date/time column (cell -> stored text), and its fast path's hour function.

    `hour(key)` gives the stored text's start for a value's first 13 characters ('dd/mm/yyyy HH' or
    'yyyy-mm-dd HH', a 'T' allowed before the hour) - 'yyyy-mm-dd HH:' in UTC - or None where the fast path does
    not apply; the compiled reader (arrow_convert) uses it for whole columns at once.

    The usual forms (dd/mm/yyyy HH:MM[:SS], yyyy-mm-dd[ T]HH:MM[:SS], either date alone) take a fast path: the
    stored text up to the hour ('yyyy-mm-dd HH:' in UTC) is worked out once per local hour of the file and kept,
    so a million timestamps cost a dictionary look-up and a check of the minutes and seconds, not zoneinfo
    calls. Profile formats, when given, are tried first and turn the fast path off.
    """
    cache: dict[str, str] = {}
    days: dict[str, tuple[str, str, int] | None] = {}
    hours: dict[str, str | None] = {}  # 'dd/mm/yyyy HH' (or 'yyyy-mm-dd HH', 'T' too) -> 'yyyy-mm-dd HH:' UTC

    def hour(key: str) -> str | None:
        """The stored text's start for a local date and hour (key = the value's first 13 characters)."""
        if key[2] == "/" and key[5] == "/":
            dmy = True
        elif key[4] == "-" and key[7] == "-":
            dmy = False
        else:
            return None
        hh = key[11:13]
        if key[10] not in " T" or not (hh.isascii() and hh.isdigit()) or hh > "23":
            return None
        info: tuple[str, str, int] | None | Literal[False] = days.get(key[:10], False)
        if info is False:
            info = _day(key[:10], dmy)
            if len(days) >= _CACHE_MAX:
                days.clear()
            days[key[:10]] = info
        if info is None:
            return None
        iso, before, offset = info
        local = int(hh) - offset  # UK offsets are whole hours: minutes and seconds stay as they are
        return f"{before} {local + 24:02d}:" if local < 0 else f"{iso} {local:02d}:"

    def fast(value: str) -> str | None:
        n = len(value)
        if n == 16 or n == 19:
            start: str | None | Literal[False] = hours.get(value[:13], False)
            if start is False:
                start = hour(value[:13])
                if len(hours) >= _CACHE_MAX:
                    hours.clear()
                hours[value[:13]] = start
            if start is None or value[13] != ":":
                return None
            mm = value[14:16]
            if n == 16:
                if mm.isascii() and mm.isdigit() and mm <= "59":
                    return start + mm + ":00.000000"
                return None
            ss = value[17:19]
            digits = mm + ss
            if value[16] == ":" and digits.isascii() and digits.isdigit() and mm <= "59" and ss <= "59":
                return f"{start}{mm}:{ss}.000000"
            return None
        if n == 10:
            start = hours.get(value, False)
            if start is False:
                start = hour(value + " 00")
                if len(hours) >= _CACHE_MAX:
                    hours.clear()
                hours[value] = start
            return None if start is None else start + "00:00.000000"
        return None

    def parse(value: object) -> str:
        if isinstance(value, str):
            if not formats:
                out = fast(value)
                if out is not None:
                    return out
            hit = cache.get(value)
            if hit is not None:
                return hit
            out = stored_text(parse_moment(value, formats))
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            cache[value] = out
            return out
        if isinstance(value, datetime):
            return stored_text(_check_year(value))
        if isinstance(value, date):
            return stored_text(_check_year(datetime.combine(value, time())))
        if isinstance(value, (int, float)) and not isinstance(value, bool):  # a serial in a plain number cell
            return stored_text(_check_year(excel_serial(float(value), date1904)))
        raise Bad(f"not a date: {DATE_HELP}")

    return parse, hour


_TRUE = {"y", "yes", "true", "t", "1", "1.0"}
_FALSE = {"n", "no", "false", "f", "0", "0.0"}


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Bad("not yes/no (Y, N, Yes, No, True, False, 1, 0)")


def parse_age(value: object) -> int:
    if not isinstance(value, str | int | float):  # a date or time cell: float() refused it with this TypeError
        raise TypeError(f"float() argument must be a string or a real number, not '{type(value).__name__}'")
    try:
        number = float(value) if not isinstance(value, str) else float(value.strip())
    except ValueError:
        raise Bad("not a whole number") from None
    if number != number or number != int(number):  # NaN or a fraction
        raise Bad("not a whole number")
    if not 0 <= number <= 120:
        raise Bad("age out of range (0-120)")
    return int(number)


_MONTH = [re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})"), re.compile(r"(?P<m>\d{1,2})[-/](?P<y>\d{4})")]


def parse_month(value: object) -> str:
    """A calendar month as YYYY-MM (street-level files give the month only)."""
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value)
    for pattern in _MONTH:
        m = pattern.fullmatch(text)
        if m and 1 <= int(m["m"]) <= 12 and YEAR_RANGE[0] <= int(m["y"]) <= YEAR_RANGE[1]:
            return f"{int(m['y']):04d}-{int(m['m']):02d}"
    raise Bad("not a month: expected YYYY-MM")


def parse_code(value: object) -> str:
    """A Home Office classification code, stored as the classification list spells it ('008n' -> '8N')."""
    found = lookup(cell_text(value))
    if found is None:
        raise Bad("unknown Home Office code")
    return found.code


_STATUS = {"recorded": "recorded", "crime": "recorded", "confirmed": "recorded",
           "cancelled": "cancelled", "canceled": "cancelled", "no crime": "cancelled", "no-crime": "cancelled",
           "nocrime": "cancelled", "no crimed": "cancelled", "transferred": "transferred", "transfer": "transferred"}


def parse_status(value: object) -> str:
    found = _STATUS.get(" ".join(str(value).lower().split()))
    if found is None:
        raise Bad("unknown status (recorded, cancelled or transferred)")
    return found


_GROUPS = {**{k: k for k in GROUP_LABELS}, **{v.lower(): k for k, v in GROUP_LABELS.items()},
           "violence against the person": "vap", "sexual offences": "sexual", "all other offences": "other",
           "other offences": "other"}


def parse_group(value: object) -> str:
    found = _GROUPS.get(" ".join(str(value).lower().split()))
    if found is None:
        raise Bad("unknown offence group (" + ", ".join(GROUP_LABELS) + ")")
    return found


def parse_cancelled_group(value: object) -> str:
    """A cancelled crime's offence group as forces write it ('Violence', 'VAP', 'Robbery', ...) -> its key."""
    try:
        return parse_cancellation_group(cell_text(value))
    except ValueError:  # the problem shows the value beside this message
        raise Bad(f"unknown offence group (accepted: {CANCELLATION_NAMES_ACCEPTED})") from None


def refs_parser(separators: str, max_len: int) -> Callable[[object], str]:
    """A list of crime references -> 'CR-1;CR-2' (the stored form), each checked for length."""
    seps = separators or ";"
    to_semicolon = str.maketrans({c: ";" for c in seps if c != ";"})

    def parse(value: object) -> str:
        text = value if isinstance(value, str) else cell_text(value)
        if to_semicolon:
            text = text.translate(to_semicolon)
        if ";" not in text and " " not in text:  # one reference, the usual case
            parts = [text] if text else []
        else:
            parts = [p for p in (p.strip() for p in text.split(";")) if p]
        for p in parts:
            if len(p) > max_len:
                raise Bad(f"crime reference too long ({len(p)} characters, at most {max_len})")
        return ";".join(dict.fromkeys(parts)) if len(parts) > 1 else (parts[0] if parts else "")

    return parse


UNIT_LENGTH = 80  # the models' `unit` column (schema 0015)
_UNIT_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def parse_unit(value: object) -> str:
    """An owning unit's name (district, local policing area, team) as written, trimmed; a number cell as its text
    ('12', not '12.0'). Refused: control characters (a tab or line break too: a unit is one line) and more than
    UNIT_LENGTH characters."""
    text = value.strip() if isinstance(value, str) else cell_text(value).strip()
    bad = _UNIT_CONTROL.search(text)
    if bad:
        raise Bad(f"a control character (code {ord(bad.group()):#04x}) in the unit's name")
    if len(text) > UNIT_LENGTH:
        raise Bad(f"too long ({len(text)} characters, at most {UNIT_LENGTH})")
    return text
