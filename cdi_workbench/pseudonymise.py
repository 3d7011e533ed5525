"""Pseudonymised exports: names, dates of birth, addresses, postcodes, phone numbers, vehicle registrations and other
identifiers in free text replaced by placeholders ('[Person 1]', '[Street 2]'), the same original by the same
placeholder throughout one file.

    p = Pseudonymiser()
    p.learn_location("On or near Bower Lane")     # the record's own structured fields first
    p.learn_fields({"Victim name": "Jane Smith"})  # extract columns kept in the record's `extra`
    p.learn_text(narrative)                        # what the patterns find in the narrative is learnt
    p.pseudonymise("Spoke to Jane at Bower Lane", where="MP-20140312-0042, rationale")
    # -> 'Spoke to [Person 1] at [Street 1]'
    p.report("findings.xlsx", by="A. Inspector", at="05/12/2026 14:02")   # counts and where, never the originals

Two sources, in this order: the record's structured fields (its location, the extract's columns that name a person,
an address, a phone number ...) and the documented patterns of pseudonymise_patterns (titles, cue words, house
numbers and street suffixes, postcodes, phone numbers, registrations, dates of birth, e-mail addresses, National
Insurance / PNC / NHS numbers). A name or street found once, in a structured field or by a pattern, is replaced
wherever it appears again in the file, with or without the cue. The mapping from originals to placeholders is held
in memory only: it is never written, so a file cannot be re-identified from anything the export leaves behind.

Pattern-based pseudonymisation is not anonymisation: a name written with no cue, in capitals, or misspelt is
missed (docs/pseudonymisation.md lists what is known to be missed). A pseudonymised export is still
OFFICIAL-SENSITIVE. Pure Python: no Qt, no network, no model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .pseudonymise_patterns import (
    HOUSE_BEFORE,
    KIND_WORDS,
    KINDS,
    NOT_NAMES,
    NOT_STREETS,
    PLACEHOLDER,
    ROAD_NUMBER,
    Hit,
    find,
    name_key,
    normal_key,
    street_of,
)

VERSION = 1  # of the patterns and rules: the trail and the report name it
# The order a tie between hits of one span is settled in: codes first, then places, then names.
PRIORITY = {k: i for i, k in enumerate(("email", "phone", "postcode", "vehicle", "dob", "identifier", "address",
                                        "street", "name"))}
LEARNT = ("name", "street", "address")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
# Between the words of a learnt original: "Stubbs' Gate", "St. Mary's", and the parts of a date ('12/03/1985').
_JOIN = re.compile(r"['’.]?[ \t\-]+|[/.]")
# A value of these kinds has a digit (an '@' for an e-mail): 'n/a' in a phone column is not a phone number.
CODED = ("postcode", "phone", "vehicle", "dob", "identifier")
# The headers of extract columns (kept in a record's `extra`) whose values are identifiers, by kind. A header is read
# in lower case; the first kind whose words it holds wins, and headers naming a property of a person (age, sex ...)
# are not names.
FIELD_KINDS = (
    ("dob", ("dob", "d.o.b", "date of birth", "birth")),
    ("postcode", ("postcode", "post code", "postal code")),
    ("email", ("email", "e-mail")),
    ("phone", ("phone", "telephone", "tel no", "tel.", "mobile", "contact number")),
    ("vehicle", ("vrm", "registration", "reg no", "vehicle reg", "number plate")),
    ("identifier", ("national insurance", "ni number", "pnc", "cro", "nhs")),
    ("address", ("address", "street", "premises", "house")),
    ("name", ("name", "surname", "forename", "caller", "victim", "suspect", "offender", "informant", "witness",
              "complainant", "person", "aggrieved", "driver", "owner")),
)
NOT_IDENTIFIER_HEADERS = ("lsoa", "force", "falls within", "reported by", "crime type", "outcome")  # street files
NOT_NAME_HEADERS = ("age", "sex", "gender", "type", "ethnic", "count", "code", "number", "date", "time", "id",
                    "ref", "role", "status", "class", "category", "occupation", "relationship")


@dataclass(frozen=True)
class Replacement:
    """One identifier replaced: where (a record and a column, never the text), its kind and its placeholder."""

    where: str
    kind: str
    placeholder: str


def _looks_like_name(text: str) -> bool:
    """Two to four capitalised words, none of them a word that is not a name: 'Jane Smith', not 'Store manager'."""
    words = text.split()
    return 2 <= len(words) <= 4 and all(re.fullmatch(r"[A-Z][A-Za-z'’.-]+", w) for w in words) \
        and not any(w.lower().strip("'’.") in NOT_NAMES for w in words)


class Pseudonymiser:
    """The placeholders of one output file: what is known to be an identifier, and what has been replaced."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[str, str]] = {}  # the words of a learnt original -> (kind, key)
        self._alias: dict[tuple[str, str], tuple[str, str]] = {}  # a surname alone -> the full name it came with
        self._prefixes: set[str] = set()  # the first words of every learnt original ('bower', 'bower lane')
        self._placeholders: dict[tuple[str, str], str] = {}
        self._numbered: Counter[str] = Counter()
        self.replacements: list[Replacement] = []
        self._clean: set[str] = set()  # texts found to hold nothing (until something new is learnt)
        self._found: dict[str, list[Hit]] = {}  # what the patterns found in texts learnt to be pseudonymised later

    # ---- learning -------------------------------------------------------------------------------------------
    def learn(self, kind: str, value: str | None) -> None:
        """A structured field's value known to be an identifier of `kind` (a key of KINDS)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of identifier {kind!r}: one of {', '.join(KINDS)}")
        text = (value or "").strip()
        words = " ".join(t.lower().replace("’", "'") for t in _TOKEN.findall(text))
        if not words or (kind == "name" and words in NOT_NAMES) or (kind == "street" and words in NOT_STREETS):
            return
        key = normal_key(kind, text)
        if not key or (kind in CODED and not re.search(r"\d", text)) or (kind == "email" and "@" not in text):
            return
        self._add(words, kind, key)
        if kind == "name" and " " in words:  # 'Smith' alone (or 'Mr Smith') is the same person as 'Jane Smith'
            for part in words.split():
                if len(part) > 1 and part not in NOT_NAMES and ("name", part) not in self._alias \
                        and ("name", part) not in self._placeholders:  # not once replaced as itself
                    self._alias[("name", part)] = ("name", key)
                    if part not in self._known:
                        self._add(part, "name", key)

    def _add(self, words: str, kind: str, key: str) -> None:
        if (kind in LEARNT or words not in self._known) and self._known.get(words) != (kind, key):
            self._known[words] = (kind, key)
            self._clean.clear()
            parts = words.split(" ")
            self._prefixes.update(" ".join(parts[:n]) for n in range(1, len(parts) + 1))

    def learn_location(self, location: str | None) -> None:
        """A structured location ('On or near Bower Lane', '14 Bower Lane, Stafford ST16 2AB'): its street or
        address and whatever the patterns find in it. A point of interest or a road number is not an address."""
        text = street_of(location or "")
        if not text:
            return
        hits = find(text)
        for hit in hits:
            if hit.kind != "name":
                self.learn(hit.kind, text[hit.start:hit.end])
        if not hits:  # a street the patterns do not know the shape of ('Gungate', "St Margaret's")
            self.learn("street", text)

    def learn_person(self, value: str | None) -> None:
        """A field that may name a person (a caller, a victim: 'Jane Smith, 34', 'Mrs J. Smith', 'Female, 34'):
        the names its patterns find, and its first part if it looks like a full name."""
        text = (value or "").strip()
        if not text:
            return
        self.learn_text(text)
        first = text.split(",")[0].strip()
        if _looks_like_name(first):
            self.learn("name", first)

    def learn_fields(self, fields: Mapping[str, object] | None) -> None:
        """The extract's own columns kept in a record's `extra` (header -> value): each value whose header names an
        identifier (FIELD_KINDS) is learnt as one; other columns are left alone."""
        for header, value in (fields or {}).items():
            if not isinstance(value, str) or not value.strip():
                continue
            kind = field_kind(header)
            if kind == "address":
                self.learn_location(value)
                self.learn("address", value)
            elif kind == "name":
                self.learn_person(value)
                if re.fullmatch(r"[A-Z][A-Za-z'’.-]+", value.strip()) and value.strip().lower() not in NOT_NAMES:
                    self.learn("name", value)  # a surname or forename column holds one word
            elif kind is not None:
                self.learn(kind, value)

    def learn_text(self, text: str | None, remember: bool = False) -> None:
        """The names, streets and addresses the patterns find in a narrative or any free text, so that each is
        replaced wherever it appears in the file, cue or no cue. `remember`: the text is to be pseudonymised
        later (an export's own text), so what the patterns found is kept for then."""
        if not text:
            return
        hits = self._found.get(text)
        if hits is None:
            hits = find(text)
            if remember:
                self._found[text] = hits
        for hit in hits:
            if hit.learn:
                self.learn(hit.kind, text[hit.start:hit.end])

    def learn_streets(self, locations: Iterable[str | None]) -> None:
        """Every location in the extract: the force area's streets, so a street named in a record that is not its
        own is known too (points of interest and road numbers left out)."""
        for loc in locations:
            street = street_of(loc or "")
            if street and not ROAD_NUMBER.match(street) and not re.search(r"\d", street):
                self.learn("street", street)

    # ---- replacing ------------------------------------------------------------------------------------------
    def pseudonymise(self, text: str | None, where: str = "") -> str:
        """The text with every identifier found replaced by its placeholder; `where` names the place in the file
        for the report ('MP-20140312-0042, rationale')."""
        if not text or text in self._clean:
            return text or ""
        hits = self._hits(text)
        if not hits:
            self._clean.add(text)
        for hit in hits:  # a name or street found here is replaced wherever it appears after (learn_text: before too)
            if hit.learn:
                self.learn(hit.kind, text[hit.start:hit.end])
        if not hits:
            return text
        out, pos = [], 0
        for hit in hits:
            kind, key = self._alias.get((hit.kind, hit.key), (hit.kind, hit.key))
            placeholder = self.placeholder(kind, key)
            out += [text[pos:hit.start], placeholder]
            pos = hit.end
            self.replacements.append(Replacement(where, kind, placeholder))
        out.append(text[pos:])
        return "".join(out)

    def placeholder(self, kind: str, key: str) -> str:
        """The placeholder of an original (by its key), numbered in the order the file first meets each."""
        found = self._placeholders.get((kind, key))
        if found is None:
            self._numbered[kind] += 1
            found = self._placeholders[(kind, key)] = f"[{KINDS[kind]} {self._numbered[kind]}]"
        return found

    def _hits(self, text: str) -> list[Hit]:
        blocked = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
        found = [*(self._found.get(text) or find(text)), *self._known_hits(text)]
        found += [h for h in (self._with_house(text, hit) for hit in found) if h is not None]
        found.sort(key=lambda h: (h.start, -(h.end - h.start), PRIORITY[h.kind]))
        chosen: list[Hit] = []
        end = 0
        for hit in found:
            if hit.start < end or any(s < hit.end and hit.start < e for s, e in blocked):
                continue
            chosen.append(hit)
            end = hit.end
        return chosen

    @staticmethod
    def _with_house(text: str, hit: Hit) -> Hit | None:
        """A street just after a house number ('179 Kingsway') as the address the two make."""
        if hit.kind != "street":
            return None
        m = HOUSE_BEFORE.search(text, max(0, hit.start - 40), hit.start)
        if m is None:
            return None
        return Hit(m.start(), hit.end, "address", name_key(text[m.start():hit.end]))

    def _known_hits(self, text: str) -> list[Hit]:
        """Every learnt original in the text, the longest where several begin at one word: its first word
        capitalised (or a number), the rest in any case, the words apart by spaces or hyphens only."""
        if not self._known:
            return []
        toks = list(_TOKEN.finditer(text))
        known, prefixes = self._known, self._prefixes
        hits: list[Hit] = []
        i = 0
        while i < len(toks):
            first = toks[i].group(0)
            key = _word(first)
            if not (first[0].isupper() or first[0].isdigit()) or key not in prefixes:
                i += 1
                continue
            best: tuple[int, tuple[str, str]] | None = None
            j = i
            while True:
                found = known.get(key)
                if found is not None:
                    best = (j, found)
                if j + 1 >= len(toks) or not _JOIN.fullmatch(text, toks[j].end(), toks[j + 1].start()):
                    break
                longer = f"{key} {_word(toks[j + 1].group(0))}"
                if longer not in prefixes:
                    break
                key, j = longer, j + 1
            if best is None:
                i += 1
                continue
            hits.append(Hit(toks[i].start(), toks[best[0]].end(), *best[1]))
            i = best[0] + 1
        return hits

    # ---- what was done ----------------------------------------------------------------------------------------
    def counts(self) -> dict[str, tuple[int, int]]:
        """Per kind found: (replacements made, different originals), in the order of KINDS."""
        made = Counter(r.kind for r in self.replacements)
        different = Counter(kind for kind, _key in self._placeholders)
        return {k: (made[k], different[k]) for k in KINDS if made[k]}

    def summary(self, report: str = "") -> dict[str, object]:
        """What the trail and the file itself note: counts per kind, the report's file name; no original."""
        out: dict[str, object] = {
            "method": f"cdi_workbench.pseudonymise, version {VERSION}: structured fields and documented patterns "
                      f"(docs/pseudonymisation.md); not anonymisation",
            "replacements": {k: n for k, (n, _d) in self.counts().items()},
            "different": {k: d for k, (_n, d) in self.counts().items()},
        }
        if report:
            out["report"] = report
        return out

    def note(self, report: str = "") -> str:
        """One sentence for the file's own notes (the findings' warnings)."""
        counts = self.counts()
        found = "; ".join(f"{KIND_WORDS[k]}: {n}" for k, (n, _d) in counts.items()) or "none found"
        where = f" The report of what was replaced is {report}." if report else ""
        return (f"Pseudonymised export: names, dates of birth, addresses, postcodes, phone numbers, vehicle "
                f"registrations and other identifiers in the free text are replaced by placeholders such as "
                f"[Person 1], the same original by the same placeholder throughout the file (replaced: {found})."
                f"{where} Pattern-based pseudonymisation is not anonymisation: the file is still OFFICIAL-SENSITIVE.")

    def report(self, file_name: str, by: str = "", at: str = "") -> str:
        """The report that travels beside the file: counts per kind and where each replacement was made. It names
        placeholders only, never an original."""
        lines = ["OFFICIAL-SENSITIVE", "", f"Pseudonymisation report for {file_name}",
                 f"Made{' ' + at if at else ''}{' by ' + by if by else ''} with CDI Workbench "
                 f"(cdi_workbench.pseudonymise, version {VERSION}).", "",
                 "Personal names, dates of birth, addresses, postcodes, phone numbers, vehicle registrations, e-mail "
                 "addresses and other identifiers found in the file's free text (rationales, reasons, notes) were "
                 "replaced by placeholders such as [Person 1]. The same original has the same placeholder throughout "
                 "the file (the same name in two records is one placeholder: it need not be one person). The "
                 "originals are in neither the file nor this report, and the workbench keeps no key to them.",
                 "Kept: record, crime and incident references, Home Office codes, times and dates (except a date of "
                 "birth), officers' ranks and collar numbers (e.g. PC 4458), ages, the auditors' names.",
                 "Pattern-based pseudonymisation is not anonymisation: a name written without a cue, misspelt or in "
                 "capitals can be missed (docs/pseudonymisation.md). Handle the file as OFFICIAL-SENSITIVE.", "",
                 "Replaced, by kind:"]
        counts = self.counts()
        if not counts:
            lines.append("  nothing was found to replace")
        for kind, (made, different) in counts.items():
            span = f"[{KINDS[kind]} 1]" + (f" to [{KINDS[kind]} {different}]" if different > 1 else "")
            lines.append(f"  {KIND_WORDS[kind]}: {made} replacement{'s' if made != 1 else ''} of {different} "
                         f"different original{'s' if different != 1 else ''} ({span})")
        lines += ["", "Where:"]
        places: dict[str, Counter[tuple[str, str]]] = {}
        for r in self.replacements:
            places.setdefault(r.where or "(unnamed)", Counter())[(r.placeholder, r.kind)] += 1
        for where, found in places.items():
            lines.append(f"  {where}: " + ", ".join(
                f"{placeholder}{' x' + str(n) if n > 1 else ''}" for (placeholder, _kind), n in found.items()))
        if not places:
            lines.append("  nowhere")
        return "\n".join(lines) + "\n"


def _word(token: str) -> str:
    return token.lower().replace("’", "'")


def field_kind(header: str) -> str | None:
    """The kind of identifier an extract column holds, from its header ('Victim name' -> 'name'), or None."""
    h = header.strip().lower()
    if any(w in h for w in NOT_IDENTIFIER_HEADERS):
        return None
    for kind, words in FIELD_KINDS:
        if any(w in h for w in words):
            if kind == "name" and "name" not in h and any(re.search(rf"\b{w}", h) for w in NOT_NAME_HEADERS):
                return None
            return kind
    return None
