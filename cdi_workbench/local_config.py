"""The force's local configuration, without code (issue 14): kept per programme in its settings, the lead's to change.

- Sub-codes: the force's own sub-codes of Home Office codes ('8N/01' -> '8N'), so an extract giving them imports
  as the Home Office code (map_code). Setting key 'local:codes': JSON {sub-code: Home Office code}; a sub-code
  mapped to a code the Home Office list (classification.lookup) does not hold is refused, naming it.
- Disposal types: the force's names for the national out-of-court disposal types ('Adult caution' -> 'Caution'),
  so findings count them under the national names (map_disposal_type). Key 'local:disposal-types': JSON
  {local name: national type}; the national types are NATIONAL_DISPOSAL_TYPES.
- Extra checks: the force's own yes/no questions, each with a label, added to a record kind (disposal,
  cancellation, n100, crime) after its built-in checks. Key 'local:checks': JSON [{kind, key, label, question}].
  They pass on yes, count into their kind's findings table as a column named by their label, appear among the
  JSON figures under their key, and are a column of the verdict rows, the reports and the verdict exchange.

activate(db) puts a database's extra checks into the checks table (audit.check_table.set_local_checks) so that
every reader sees them; AuditService(...) calls it (and Database(...), where storage calls it on opening, with
deactivate on closing). The database activated last (and not deactivated) is the one
whose checks are in force: activating replaces, never adds to, what was there (deactivate(db) puts back the one
activated before it). Changing the checks through this module re-activates the database.

The commands (cdi config) change one part at a time (set_codes, set_disposal_types, add_check, remove_check); the
window's dialog (Programme > Local configuration…) reads the whole configuration with whether the person may change
it (editing) and saves it whole (save), every row checked as the commands check it, all or nothing. Only the lead
(the right to 'plan audits') changes it; anyone registered may read it.

Pure Python: no Qt.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from .audit import check_table
from .audit.roles import NotAllowed, Person, identify, who_may
from .classification import lookup
from .kinds import RecordKind
from .storage.database import Database
from .storage.models import AuditSetting
from .storage.settings import put_setting

CODES_KEY, TYPES_KEY, CHECKS_KEY = "local:codes", "local:disposal-types", "local:checks"
# The national out-of-court disposal types, as the sample data and the findings name them (DOMAIN.md).
NATIONAL_DISPOSAL_TYPES = ("Caution", "Penalty notice for disorder", "Cannabis warning", "Community resolution")
CHECK_KINDS: tuple[str, ...] = (RecordKind.DISPOSAL, RecordKind.CANCELLATION, RecordKind.N100, RecordKind.CRIME)
KEY_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_KEY, MAX_LABEL, MAX_QUESTION, MAX_NAME = 40, 60, 200, 80


class ConfigError(ValueError):
    """A local setting refused; the message says which and why. `part` and `row`, when the window's whole
    configuration was saved (save): the part refused ('codes', 'disposal types' or 'checks') and its row (0-based)."""

    def __init__(self, message: str, part: str = "", row: int = -1) -> None:
        super().__init__(message)
        self.part, self.row = part, row


@dataclass(frozen=True)
class LocalCheck:
    """One of the force's own yes/no checks of a record kind."""

    kind: str
    key: str
    label: str
    question: str

    def to_check(self) -> check_table.Check:
        """As the checks table holds a check: passes on yes, counted into a column named by its label, its JSON
        figure named by its key, written among the exchange's later columns (files written before lack it)."""
        return check_table.Check(self.key, self.label, self.question, "", self.label, self.key,
                                 exchange=check_table.ADDED)

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "label": self.label, "question": self.question}


@dataclass(frozen=True)
class LocalConfig:
    codes: dict[str, str] = field(default_factory=dict)  # sub-code (as entered) -> Home Office code
    disposal_types: dict[str, str] = field(default_factory=dict)  # local name -> national type
    checks: tuple[LocalCheck, ...] = ()


# ---- mapping -----------------------------------------------------------------------------------------------
def _code_key(code: str) -> str:
    """A code compared without case or spaces ('8n / 01' == '8N/01')."""
    return "".join(str(code).split()).upper()


def _name_key(name: str) -> str:
    return " ".join(str(name).split()).lower()


def map_code(code: str, mapping: Mapping[str, str]) -> str:
    """The Home Office code a force's sub-code stands for ('8N/01' -> '8N', any case, any spaces); a code the
    mapping does not hold is given back as it was (trimmed)."""
    wanted = _code_key(code)
    for sub, ho in mapping.items():
        if _code_key(sub) == wanted:
            return ho
    return str(code).strip()


def map_disposal_type(local: str, mapping: Mapping[str, str]) -> str:
    """The national disposal type a force's own name stands for (any case, any spaces); a name the mapping does
    not hold is given back as it was (trimmed)."""
    wanted = _name_key(local)
    for name, national in mapping.items():
        if _name_key(name) == wanted:
            return national
    return " ".join(str(local).split())


def code_parser(mapping: Mapping[str, str], parse: Callable[[object], str]) -> Callable[[object], str]:
    """An importer's Home Office code parser (importing.values.parse_code) that first maps the force's sub-codes."""
    if not mapping:
        return parse
    folded = {_code_key(k): v for k, v in mapping.items()}

    def parsed(value: object) -> str:
        ho = folded.get(_code_key(str(value))) if value is not None else None
        return parse(ho if ho is not None else value)

    return parsed


def disposal_type_parser(mapping: Mapping[str, str], limit: int | None,
                         bad: Callable[[str], Exception] = ValueError) -> Callable[[object], str]:
    """An importer's parser of the disposal type: the national type a local name stands for (any case, any
    spaces), else the text as written; `bad(message)` is raised for text longer than `limit`."""
    folded = {_name_key(k): v for k, v in mapping.items()}

    def parsed(value: object) -> str:
        text = str(value).strip()
        found = folded.get(" ".join(text.split()).lower())
        if found is not None:
            return found
        if limit and len(text) > limit:
            raise bad(f"too long ({len(text)} characters, at most {limit})")
        return text

    return parsed


# ---- validation ------------------------------------------------------------------------------------------------
def check_code(sub: str, ho: str) -> tuple[str, str]:
    """(sub-code, Home Office code as the list spells it), or ConfigError naming what is wrong."""
    sub_text = _code_key(sub)  # kept as it is matched: no spaces, upper case ('8n / 02' is 8N/02)
    if not sub_text:
        raise ConfigError("a sub-code is empty: write SUBCODE=HOCODE, e.g. 8N/01=8N")
    if len(sub_text) > MAX_NAME:
        raise ConfigError(f"sub-code {sub_text[:40]!r}...: too long (at most {MAX_NAME} characters)")
    found = lookup(str(ho))
    if found is None:
        raise ConfigError(f"sub-code {sub_text}: {str(ho).strip()!r} is not a Home Office code in the "
                          "classification list")
    itself = lookup(sub_text)
    if itself is not None and itself.code != found.code:
        raise ConfigError(f"sub-code {sub_text}: it is itself a Home Office code ({itself.display}) and cannot "
                          "stand for another")
    return sub_text, found.code


def national_type(name: str) -> str:
    """The national disposal type named (any case, any spaces), or ConfigError listing them."""
    wanted = _name_key(name)
    for t in NATIONAL_DISPOSAL_TYPES:
        if _name_key(t) == wanted:
            return t
    raise ConfigError(f"{str(name).strip()!r} is not a national disposal type: one of "
                      f"{', '.join(NATIONAL_DISPOSAL_TYPES)}")


def check_disposal_type(local: str, national: str) -> tuple[str, str]:
    text = " ".join(str(local).split())
    if not text:
        raise ConfigError("a local disposal type is empty: write LOCAL=NATIONAL, e.g. 'Adult caution=Caution'")
    if len(text) > MAX_NAME:
        raise ConfigError(f"local disposal type {text[:40]!r}...: too long (at most {MAX_NAME} characters)")
    wanted = national_type(national)
    itself = next((t for t in NATIONAL_DISPOSAL_TYPES if _name_key(t) == _name_key(text)), None)
    if itself is not None and itself != wanted:  # every imported 'Caution' would be stored as another type
        raise ConfigError(f"{text!r} is itself a national type ({itself}) and cannot stand for another")
    return text, wanted


def builtin_keys() -> set[str]:
    """Every key the checks table holds of itself (checks, follow-ups and crime answers): no extra check may
    take one."""
    out = {a.key for a in check_table.CRIME_ANSWERS}
    for spec in check_table.RECORD_CHECKS.values():
        for c in spec.checks:
            out.add(c.key)
            if c.follow_up is not None:
                out.add(c.follow_up.key)
    return out


RESERVED = frozenset({"kind", "record_ref", "crime_no", "auditor", "rationale", "rape_code", "complete"})


def check_check(kind: str, key: str, label: str, question: str, others: Iterable[LocalCheck] = ()) -> LocalCheck:
    """An extra check as given, or ConfigError saying what is wrong with it."""
    kind = str(kind).strip().lower()
    if kind not in CHECK_KINDS:
        raise ConfigError(f"unknown kind {kind!r}: extra checks are added to one of {', '.join(CHECK_KINDS)}")
    key = str(key).strip()
    if not KEY_PATTERN.fullmatch(key) or len(key) > MAX_KEY:
        raise ConfigError(f"key {key!r}: write it in snake_case (lower-case letters, digits and underscores, "
                          f"starting with a letter, e.g. 'interpreter_used'), at most {MAX_KEY} characters")
    if key in builtin_keys() or key in RESERVED:
        raise ConfigError(f"key {key!r} is already a built-in check or column: choose another")
    label, question = " ".join(str(label).split()), " ".join(str(question).split())
    if not label:
        raise ConfigError(f"check {key}: give a label (the report's column), e.g. 'Interpreter used'")
    if len(label) > MAX_LABEL:
        raise ConfigError(f"check {key}: the label is too long (at most {MAX_LABEL} characters)")
    if not question:
        raise ConfigError(f"check {key}: give the question the auditor answers yes or no")
    if len(question) > MAX_QUESTION:
        raise ConfigError(f"check {key}: the question is too long (at most {MAX_QUESTION} characters)")
    spec = check_table.RECORD_CHECKS[RecordKind(kind)]
    taken = {spec.counted, *(c.column for c in spec.checks)}
    if label.lower() in {t.lower() for t in taken}:
        raise ConfigError(f"check {key}: the label {label!r} is already a column of the {spec.table} findings table")
    for o in others:
        if o.key == key:
            raise ConfigError(f"key {key!r} is already an extra check (of {o.kind} records)")
        if o.kind == kind and o.label.lower() == label.lower():
            raise ConfigError(f"check {key}: the label {label!r} is already that of the extra check {o.key}")
    return LocalCheck(kind, key, label, question)


# ---- storage ---------------------------------------------------------------------------------------------------
def _read(s: Session, key: str, default: Any) -> Any:
    row = s.get(AuditSetting, key)
    if row is None or not row.value.strip():
        return default
    try:
        return json.loads(row.value)
    except ValueError:
        raise ConfigError(f"the programme's setting {key!r} is not readable (not JSON): set it again") from None


def _write(s: Session, key: str, value: Any) -> None:
    if not value:
        if (row := s.get(AuditSetting, key)) is not None:
            s.delete(row)
        return
    put_setting(s, key, json.dumps(value, ensure_ascii=False, sort_keys=not isinstance(value, list)))


def read(s: Session) -> LocalConfig:
    codes = _read(s, CODES_KEY, {})
    types = _read(s, TYPES_KEY, {})
    raw_checks = _read(s, CHECKS_KEY, [])
    checks: list[LocalCheck] = []
    for c in raw_checks if isinstance(raw_checks, list) else []:
        if isinstance(c, dict) and all(isinstance(c.get(k), str) for k in ("kind", "key", "label", "question")):
            checks.append(LocalCheck(c["kind"], c["key"], c["label"], c["question"]))
    return LocalConfig({str(k): str(v) for k, v in codes.items()} if isinstance(codes, dict) else {},
                       {str(k): str(v) for k, v in types.items()} if isinstance(types, dict) else {},
                       tuple(checks))


def load(db: Database) -> LocalConfig:
    with db.session() as s:
        return read(s)


CHANGE = "plan audits"  # the right to change the local configuration: the audit lead's (audit.roles)


def _refusal(person: Person) -> str:
    """Why `person` may not change the local configuration ('' when they may)."""
    if person.may(CHANGE):
        return ""
    return (f"{person.name} ({person.title.lower()}) may not change the local configuration: only "
            f"{who_may(CHANGE)} may")


def _changed(db: Database, who: str, change: Callable[[Session, LocalConfig], None]) -> LocalConfig:
    with db.session() as s:
        why = _refusal(identify(s, who))
        if why:
            raise NotAllowed(why)
        change(s, read(s))
    config = load(db)
    if _is_open(db):
        activate(db)
    return config


def set_codes(db: Database, wanted: Mapping[str, str | None], who: str = "") -> LocalConfig:
    """Map sub-codes to Home Office codes (None or '': remove the sub-code); all checked before any is kept."""
    checked: list[tuple[str, str | None]] = []
    for sub, ho in wanted.items():
        if ho is None or not str(ho).strip():
            checked.append((" ".join(str(sub).split()), None))
        else:
            checked.append(check_code(sub, ho))

    def change(s: Session, now: LocalConfig) -> None:
        codes = dict(now.codes)
        for sub, ho in checked:
            found = [k for k in codes if _code_key(k) == _code_key(sub)]
            if ho is None and not found:
                raise ConfigError(f"there is no sub-code {sub} to remove: the sub-codes are "
                                  + (", ".join(sorted(codes)) or "none"))
            for old in found:
                del codes[old]
            if ho is not None:
                codes[sub] = ho
        _write(s, CODES_KEY, codes)

    return _changed(db, who, change)


def set_disposal_types(db: Database, wanted: Mapping[str, str | None], who: str = "") -> LocalConfig:
    """Map local disposal types to national ones (None or '': remove); all checked before any is kept."""
    checked: list[tuple[str, str | None]] = []
    for local, national in wanted.items():
        if national is None or not str(national).strip():
            checked.append((" ".join(str(local).split()), None))
        else:
            checked.append(check_disposal_type(local, national))

    def change(s: Session, now: LocalConfig) -> None:
        types = dict(now.disposal_types)
        for local, national in checked:
            found = [k for k in types if _name_key(k) == _name_key(local)]
            if national is None and not found:
                raise ConfigError(f"there is no local disposal type {local!r} to remove: they are "
                                  + (", ".join(repr(k) for k in sorted(types)) or "none"))
            for old in found:
                del types[old]
            if national is not None:
                types[local] = national
        _write(s, TYPES_KEY, types)

    return _changed(db, who, change)


def add_check(db: Database, kind: str, key: str, label: str, question: str, who: str = "") -> LocalCheck:
    """Add an extra yes/no check to a kind (the lead's)."""
    added: list[LocalCheck] = []

    def change(s: Session, now: LocalConfig) -> None:
        c = check_check(kind, key, label, question, now.checks)
        added.append(c)
        _write(s, CHECKS_KEY, [x.to_json() for x in (*now.checks, c)])

    _changed(db, who, change)
    return added[0]


def remove_check(db: Database, kind: str, key: str, who: str = "") -> None:
    """Remove an extra check (verdicts already holding its answer keep it; it is no longer asked or reported)."""

    def change(s: Session, now: LocalConfig) -> None:
        kept = [c for c in now.checks if not (c.kind == kind and c.key == key)]
        if len(kept) == len(now.checks):
            raise ConfigError(f"no extra check {key!r} of {kind} records")
        _write(s, CHECKS_KEY, [c.to_json() for c in kept])

    _changed(db, who, change)


# ---- the window's dialog: the whole configuration read and saved at once ------------------------------------------
@dataclass(frozen=True)
class Editing:
    """The local configuration as the window's dialog shows it: what is set, the Home Office offence each mapped
    code stands for, whether the person may change it (and if not, why, in words), and the choices offered."""

    config: LocalConfig
    offences: dict[str, str]  # Home Office code -> its display ('8N Assault with injury')
    may_change: bool
    why_not: str  # '' when they may
    national_types: tuple[str, ...] = NATIONAL_DISPOSAL_TYPES
    kinds: tuple[str, ...] = CHECK_KINDS


def _offences(codes: Iterable[str]) -> dict[str, str]:
    out = {}
    for code in codes:
        found = lookup(code)
        if found is not None:
            out[code] = found.display
    return out


def editing(db: Database, who: str = "") -> Editing:
    """The programme's local configuration for `who` (anyone registered may see it; only the lead may change it)."""
    with db.session() as s:
        person = identify(s, who)
        config = read(s)
    why = _refusal(person)
    return Editing(config, _offences(config.codes.values()), not why, why)


@dataclass(frozen=True)
class Saved:
    """What save kept, and which parts changed (the window reloads the record open when the checks did)."""

    editing: Editing
    codes_changed: bool
    types_changed: bool
    checks_changed: bool

    @property
    def changed(self) -> bool:
        return self.codes_changed or self.types_changed or self.checks_changed


def _checked_whole(codes: Iterable[tuple[str, str]], types: Iterable[tuple[str, str]],
                   checks: Iterable[tuple[str, str, str, str]]) -> LocalConfig:
    """The whole configuration as given, every row checked as the commands check it (check_code,
    check_disposal_type, check_check), or ConfigError naming the part and row of the first refused."""
    def blank(*cells: str) -> bool:
        return not any(str(c).strip() for c in cells)

    out_codes: dict[str, str] = {}
    for row, (sub, ho) in enumerate(codes):
        if blank(sub, ho):
            continue  # a row added and left empty
        if blank(sub):
            raise ConfigError(f"row {row + 1}: give the force's sub-code that {str(ho).strip()!r} stands for "
                              "(e.g. 8N/01)", "codes", row)
        if blank(ho):
            raise ConfigError(f"sub-code {' '.join(str(sub).split())}: give the Home Office code it stands for "
                              "(e.g. 8N)", "codes", row)
        try:
            sub_text, ho_code = check_code(sub, ho)
        except ConfigError as exc:
            raise ConfigError(str(exc), "codes", row) from None
        if any(_code_key(k) == _code_key(sub_text) for k in out_codes):
            raise ConfigError(f"sub-code {sub_text} is given twice: keep one", "codes", row)
        out_codes[sub_text] = ho_code
    out_types: dict[str, str] = {}
    for row, (local, national) in enumerate(types):
        if blank(local, national):
            continue
        if blank(local):
            raise ConfigError(f"row {row + 1}: give the force's own name for {str(national).strip()!r}",
                              "disposal types", row)
        try:
            name, nat = check_disposal_type(local, national)
        except ConfigError as exc:
            raise ConfigError(f"local disposal type {' '.join(str(local).split())!r}: {exc}", "disposal types",
                              row) from None
        if any(_name_key(k) == _name_key(name) for k in out_types):
            raise ConfigError(f"local disposal type {name!r} is given twice: keep one", "disposal types", row)
        out_types[name] = nat
    out_checks: list[LocalCheck] = []
    for row, (kind, key, label, question) in enumerate(checks):
        if blank(key, label, question):
            continue
        try:
            out_checks.append(check_check(kind, key, label, question, out_checks))
        except ConfigError as exc:
            raise ConfigError(str(exc), "checks", row) from None
    return LocalConfig(out_codes, out_types, tuple(out_checks))


def save(db: Database, codes: Iterable[tuple[str, str]], disposal_types: Iterable[tuple[str, str]],
         checks: Iterable[tuple[str, str, str, str]], who: str = "", expected: LocalConfig | None = None) -> Saved:
    """Replace the programme's whole local configuration with the window's: sub-codes (sub-code, Home Office code),
    disposal types (local name, national type) and extra checks (kind, key, label, question), in that order. The
    lead's; every row checked as the commands check it before anything is kept: one refused (ConfigError, naming
    it, its part and row), nothing changes. `expected`: the configuration the dialog was opened on; if someone
    changed it since, nothing is kept and ConfigError says so. The extra checks are put in force at once for the
    database in use (activate), as the commands do."""
    wanted = _checked_whole(codes, disposal_types, checks)
    before: list[LocalConfig] = []

    def change(s: Session, now: LocalConfig) -> None:
        if expected is not None and now != expected:
            raise ConfigError("someone else changed the local configuration since this window read it: nothing "
                              "was saved; close it and open it again to see theirs")
        before.append(now)
        _write(s, CODES_KEY, wanted.codes)
        _write(s, TYPES_KEY, wanted.disposal_types)
        _write(s, CHECKS_KEY, [c.to_json() for c in wanted.checks])

    kept = _changed(db, who, change)
    was = before[0]
    return Saved(Editing(kept, _offences(kept.codes.values()), True, ""), kept.codes != was.codes,
                 kept.disposal_types != was.disposal_types, kept.checks != was.checks)


# ---- activation: the extra checks in the checks table ------------------------------------------------------------
_ACTIVE: list[tuple[weakref.ref[Database], tuple[LocalCheck, ...]]] = []  # the last is in force


def _is_open(db: Database) -> bool:
    return any(ref() is db for ref, _ in _ACTIVE)


def _apply() -> None:
    _ACTIVE[:] = [(ref, checks) for ref, checks in _ACTIVE if ref() is not None]
    checks = _ACTIVE[-1][1] if _ACTIVE else ()
    for kind in CHECK_KINDS:
        check_table.set_local_checks(kind, tuple(c.to_check() for c in checks if c.kind == kind))


def activate(db: Database) -> LocalConfig:
    """Put the database's extra checks into the checks table, replacing those of any database activated before.
    A setting that cannot be read (not JSON) stops nothing: no extra checks, and `cdi config` says what is wrong."""
    try:
        config = load(db)
    except ConfigError:
        config = LocalConfig()
    _ACTIVE[:] = [(ref, checks) for ref, checks in _ACTIVE if ref() is not db]
    _ACTIVE.append((weakref.ref(db), config.checks))
    _apply()
    return config


def deactivate(db: Database | None = None) -> None:
    """Take the database's extra checks out (those of the one activated before it come back); None: all."""
    if db is None:
        _ACTIVE.clear()
    else:
        _ACTIVE[:] = [(ref, checks) for ref, checks in _ACTIVE if ref() is not db]
    _apply()
