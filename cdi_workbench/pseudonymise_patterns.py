"""The documented patterns the pseudonymiser finds identifiers with (docs/pseudonymisation.md gives each one, what
it catches and what it is known to miss).

Each finder returns Hits: where the identifier is in the text, its kind, its key (the original normalised, so that
'07700 900123' and '07700900123' are one phone number) and whether it is worth learning (a name or a street found
once is then replaced wherever it appears bare; a phone number is found again by its pattern anyway).

Deliberately kept (references an audit needs): times and dates (only a date after a date-of-birth cue goes),
crime and incident references, Home Office codes, officers' ranks with collar numbers ('PC 4458', 'Inspector
308'), road numbers ('A38'), ages, offence words. Pure Python: no network, no model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# The kinds of identifier, each with the word its placeholder uses: '[Person 1]', '[Street 2]'.
KINDS = {
    "name": "Person",
    "address": "Address",
    "street": "Street",
    "postcode": "Postcode",
    "phone": "Phone",
    "vehicle": "Vehicle",
    "dob": "Date of birth",
    "email": "Email",
    "identifier": "Identifier",
}
KIND_WORDS = {
    "name": "personal names", "address": "house addresses", "street": "street names", "postcode": "postcodes",
    "phone": "phone numbers", "vehicle": "vehicle registrations", "dob": "dates of birth",
    "email": "e-mail addresses", "identifier": "other identifiers (National Insurance, PNC, NHS numbers)",
}
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(re.escape(w) for w in KINDS.values()) + r") \d+\]")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    kind: str
    key: str
    learn: bool = False  # a name, street or address: replaced wherever it appears once learnt


# ---- words -----------------------------------------------------------------------------------------------------
# A capitalised word as a name or a street is written: Smith, O'Brien, McDonald, Smith-Jones, Margaret's.
WORD = r"(?:Ma?c(?=[A-Z]))?[A-Z](?:[a-z]+|['’][A-Z][a-z]+)(?:[-'’][A-Z]?[a-z]+)*"
NAME = rf"{WORD}(?:[ \t]+{WORD}){{0,2}}"
# Capitalised words that are not names where a cue would take them for one: sentence openings, institutions, the
# logs' own vocabulary. A cue followed by one of these finds no name (the known misses: docs/pseudonymisation.md).
NOT_NAMES = frozenset("""
a an and at by for from in into of on or the to with he she they his her their him them it its this that these those
i we you me my our your who what when where which while why how no yes not nor but so then than there here all any
some someone somebody anyone nobody everyone unknown male female man woman men women boy girl lad lads youth youths
child children baby son daughter mother father mum dad nan grandad brother sister partner husband wife boyfriend
girlfriend friend neighbour victim suspect offender caller witness informant ip police pc pcso dc ds ps sgt sergeant
inspector officer officers constable detective control bureau crime crimes incident log ambulance fire paramedic
paramedics hospital school college council housing social services probation court crown magistrates prison niche
storm cctv mash idva dash thrive asb nfa cri rtc oic cps pnc monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december today tonight tomorrow
yesterday morning afternoon evening night christmas easter mr mrs ms miss dr sir madam person street address
postcode phone vehicle email identifier date birth unit units dispatcher supervisor team staff manager security
store shop taxi bus car van private public home house flat work please thanks thank ok okay advised given spoke
states says reports said reported told asked called stated believes confirmed area search support care liaison
referral enquiries enquiry statement interview custody arrest arrested charged bail released
""".split())
TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master|Sir|Lady|Dame|Rev|Revd)\.?"
# Officers named by rank: 'PC Smith' loses the name; 'PC 4458' (a collar number) stays. No full stop after a rank:
# 'took a Nintendo DS. Area search negative' names nobody.
RANKS = r"(?:PC|PCSO|DC|PS|DS|Sgt|Sergeant|Insp|Inspector|DI|DCI|CI|Supt|Superintendent|Constable)"
RELATIONS = (r"(?:ex-?)?(?:partner|husband|wife|boyfriend|girlfriend|fianc[ée]e?|son|daughter|step-?son|"
             r"step-?daughter|brother|sister|half-brother|half-sister|mother|father|mum|mom|dad|step-?father|"
             r"step-?mother|stepdad|stepmum|grandson|granddaughter|grandmother|grandfather|nan|nana|gran|grandad|"
             r"uncle|aunt|auntie|cousin|nephew|niece|friend|neighbour|flatmate|housemate|colleague|carer|landlord|"
             r"landlady|ex)")
OWNERS = r"(?:her|his|their|my|your|our|IP's|IP’s|the IP's|the IP’s|the victim's|the suspect's|the caller's)"
ROLES = (r"(?:IP|victim|suspect|offender|caller|informant|witness|complainant|aggrieved|subject|driver|passenger|"
         r"occupant|resident|owner|person|child|mother|father|name|full name|surname|forename|first name)")
CUES = (r"(?:called|named|nicknamed|known as|known to (?:her|him|them|me|us|police|the police|IP|the IP) as|"
        r"aka|a\.k\.a\.?|goes by|calls (?:himself|herself|themselves)|name (?:is|was|given as|of)|"
        r"names? given (?:as|was)|identified as|introduced (?:himself|herself) as)")

# ---- places ----------------------------------------------------------------------------------------------------
# A street name ends in one of these. STRONG ones also mark a street with no house number before it; the others
# (Park, Green, Hill, Bank ...) are ordinary words too often, so they count only after a house number.
STRONG_SUFFIXES = ("Road", "Rd", "Street", "St", "Lane", "Ln", "Drive", "Close", "Avenue", "Ave", "Crescent",
                   "Cres", "Grove", "Terrace", "Gardens", "Mews", "Way", "Place", "Court", "Croft", "Rise", "Square",
                   "Parade", "Walk", "Boulevard", "Row")
WEAK_SUFFIXES = ("Dr", "Park", "Green", "Hill", "View", "Bank", "Fields", "Field", "Yard", "Wood", "Mount", "Grange",
                 "Fold", "Brook", "Meadow", "Meadows", "Oval", "Ridge", "Hollow", "Gate", "Vale", "Chase", "Heights",
                 "Orchard", "Wharf", "Quay", "End", "Side", "Top", "Passage", "Close", "Broadway", "Circus",
                 "Approach", "Causeway", "Embankment", "Glade", "Dale", "Lea", "Crest", "Walks", "Gardens")
_STRONG = "|".join(STRONG_SUFFIXES)
_ANY_SUFFIX = "|".join(dict.fromkeys(STRONG_SUFFIXES + WEAK_SUFFIXES))
_COMPASS = r"(?:[ \t]+(?:North|South|East|West|Upper|Lower)\b)?"  # 'Portland Street North' is one street
# Capitalised words that begin a sentence or a log entry, not a street name ('Attended Bower Lane').
NOT_STREET_WORDS = NOT_NAMES | frozenset("""
attended arrived arrival outside near opposite behind beside along off onto via towards toward junction corner
junctions between enquiries house search area conducted spoke spoken seen found located parked walking driving
running went gone left came returned ran drove visited revisited outside inside rear front back side top bottom
upper lower north south east west also further follow-up followup domestic assault burglary theft robbery damage
incident report reports reported graded grade response resourced allocated held closed closing log logged
""".split())
# Buildings and places named like streets that are not anyone's address.
NOT_STREETS = frozenset({"crown court", "magistrates court", "magistrates' court", "county court", "youth court",
                         "family court", "car park", "retail park", "business park", "industrial park",
                         "police station", "fire station", "bus station", "railway station", "train station",
                         "skate park", "theme park", "country park", "the park", "high court", "food bank"})
# data.police.uk's anonymised map points name a kind of place, not an address ('On or near Supermarket').
POINTS_OF_INTEREST = frozenset(p.lower() for p in (
    "Supermarket", "Parking Area", "Shopping Area", "Petrol Station", "Sports/Recreation Area", "Park/Open Space",
    "Pedestrian Subway", "Nightclub", "Further/Higher Educational Building", "Police Station", "Hospital",
    "Bus/Coach Station", "Theatre/Concert Hall", "Theme/Adventure Park", "Motorway Service Area",
    "Conference/Exhibition Centre", "Prison", "Airport/Airfield", "Train Station", "Hotel", "Sports Centre",
    "Shopping Centre", "Conference Centre", "No Location", "Unknown"))
ROAD_NUMBER = re.compile(r"^(?:[ABM]\d{1,4}(?:\(M\))?|J\d{1,2})$")
# The patterns below start with a character, not with \b or a lookbehind, so that the regex engine can jump to where
# each could begin (four to six times faster over long narratives); _scan checks what comes before in Python.
FLAT = r"(?:Flat|Apartment|Apt|Unit|Room)[ \t]+\d{1,4}[A-Za-z]?,?[ \t]+"
NUMBER = r"\d{1,4}[A-Za-z]?(?:[ \t]*-[ \t]*\d{1,4})?,?[ \t]+"
HOUSE = rf"(?:{FLAT})?{NUMBER}"
ADDRESS_RE = re.compile(rf"{NUMBER}(?:The[ \t]+|(?:[A-Z][A-Za-z'’]+[ \t]+){{1,3}})(?i:{_ANY_SUFFIX})\b{_COMPASS}"
                        rf"(?![ \t]*\d)")
_FLAT_BEFORE = re.compile(rf"{FLAT}$")
# Bare streets: up to three capitalised words and a strong suffix, not followed by a number ('Street 1').
STREET_RE = re.compile(rf"((?:[A-Z][A-Za-z'’]+[ \t]+){{1,3}})((?:{_STRONG})\b{_COMPASS})(?![ \t]*\d)")
# A house number just before a street found otherwise ('179 Kingsway'): the two are one address.
HOUSE_BEFORE = re.compile(rf"(?<![\w/£.:-]){HOUSE}$")
_HOUSE_START = re.compile(rf"^{HOUSE}")

# ---- numbers and codes ---------------------------------------------------------------------------------------
POSTCODE_RE = re.compile(r"[A-PR-UWYZ][A-HK-Y]?\d[A-HJKPS-UW\d]?[ \t]?\d[ABD-HJLNP-UW-Z]{2}\b")
EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# UK numbers: 0 or +44 / 0044, then groups of digits with spaces, hyphens or the area code in brackets; 10 or 11
# digits once written nationally (a longer run is cut at a group boundary: '07700 900123 22 males').
PHONE_RE = re.compile(r"(?:\+44[ \t-]?(?:\(0\)[ \t-]?)?\d{2,5}|0044[ \t-]?(?:\(0\)[ \t-]?)?\d{2,5}|\(0\d{2,5}\)|"
                      r"0\d{2,5})(?:[ \t-]?\d{2,6}){1,3}(?![\w/])")
# Vehicle registrations: current (AB12 CDE, since 2001), prefix (A123 BCD, 1983-2001), suffix (ABC 123D, 1963-83),
# and any other plate after a cue word ('reg K1 NGS', 'VRM: 123 ABC').
VEHICLE_CURRENT = re.compile(r"[A-HJ-PR-Y][A-HJ-PR-Y]\d{2}[ \t]?[A-HJ-PR-Z]{3}\b")
VEHICLE_PREFIX = re.compile(r"[A-HJ-NP-Y]\d{1,3}[ \t]?([A-HJ-PR-Z]{3})\b")
VEHICLE_SUFFIX = re.compile(r"[A-HJ-PR-Z]{3}[ \t]?\d{1,3}[A-HJ-NP-Y]\b")
VEHICLE_CUED = re.compile(r"(?i:\b(?:reg(?:istration)?(?:[ \t]+(?:no\.?|number|mark|plate))?|vrm|vrn|index|"
                          r"number[ \t]+plate|plates?)[ \t]*[:\-–]?[ \t]*)([A-Z0-9]{1,4}[ \t]?[A-Z0-9]{1,4})\b")
VEHICLE_CUE_WORDS = ("reg", "vrm", "vrn", "index", "plate")
# Three-letter words a prefix-style plate is never written as in a log ('P1 ASB', 'M6 RTC').
NOT_PLATE_LETTERS = frozenset("ASB RTC NFA CRI DVA DOA MOP ETA PNC OIC AKA CPS DOB ABH GBH CID CAD MIU VRM "
                              "SOS HMP DWP NHS DNA CCE MPS PCS PDA POA IPP".split())
MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
          r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
DATE = (rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{MONTHS}"
        rf",?[ \t]+\d{{4}}|{MONTHS}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}|(?:19|20)\d{{2}})")
DOB_RE = re.compile(rf"(?i:\b(?:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t]?date|born(?:[ \t]+(?:on|in))?)"
                    rf"[ \t]*(?:[:\-–]|is|was)?[ \t]*)({DATE})(?![\d/])")
DOB_CUE_WORDS = ("dob", "d.o.b", "birth", "born")
NI_RE = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ \t]?\d{2}[ \t]?\d{2}[ \t]?\d{2}[ \t]?[A-D]\b")
NOT_NI_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
CUED_ID_RE = re.compile(r"(?i:\b(?:PNC(?:[ \t]*ID)?|PNCID|CRO|NHS)(?:[ \t]*(?:no\.?|number))?[ \t]*[:\-–]?[ \t]*)"
                        r"(\d{2,4}/\d{1,7}[A-Za-z]|\d{3}[ \t-]?\d{3}[ \t-]?\d{4})\b")
ID_CUE_WORDS = ("pnc", "cro", "nhs")

_TITLED = re.compile(rf"(?:{TITLES}|{RANKS})[ \t]+((?:[A-Z]\.?[ \t]+){{0,2}}{NAME})")
_CUED = re.compile(rf"{CUES}[ \t]+['\"‘“]?({NAME})")
_RELATED = re.compile(rf"{OWNERS}[ \t]+{RELATIONS}[ \t]*,?[ \t]+({NAME})")
_AFTER_SEPARATOR = re.compile(rf"[:\-–][ \t]*({NAME})")  # 'Suspect: Dean Smith', found from the colon back
_ROLE_BEFORE_SEPARATOR = re.compile(rf"(?i:\b{ROLES}s?[ \t]*)$")
_FULL_NAME = re.compile(rf"{WORD}[ \t]+{WORD}(?:[ \t]+{WORD})?")  # 'Victim Jane Smith', found from the name back
_ROLE_BEFORE = re.compile(r"(?i:\b(?:IP|victim|suspect|offender|caller|witness|complainant|informant)[ \t]+)$")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def name_key(text: str) -> str:
    """A name or a street as its words, lower case: 'O’Brien  Smith' and "o'brien smith" are one."""
    return " ".join(t.lower().replace("’", "'") for t in tokens(text))


def compact(text: str) -> str:
    """A code's letters and digits, upper case: 'ab12 cde' and 'AB12CDE' are one registration."""
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


_MONTH_NUMBER = {m: n for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def date_key(text: str) -> str:
    """A date as YYYY-MM-DD whichever way it was written ('12/03/1985', '12th March 1985', 'March 12, 1985'), so
    that one date of birth is one placeholder; a year alone as itself; anything else as its letters and digits."""
    parts = re.findall(r"\d+|[A-Za-z]+", text)
    nums = [int(p) for p in parts if p.isdigit()]
    month = next((_MONTH_NUMBER[p[:3].lower()] for p in parts if p[:3].lower() in _MONTH_NUMBER), None)
    if len(nums) == 3:
        day, month, year = nums
    elif month is not None and len(nums) == 2:
        day, year = nums if nums[0] <= 31 and nums[1] > 31 else (nums[1], nums[0])
    else:
        return compact(text)
    if year < 100:
        year += 1900 if year > 30 else 2000
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return compact(text)
    return f"{year:04d}-{month:02d}-{day:02d}"


def normal_key(kind: str, text: str) -> str:
    """The key an identifier of this kind is known by, however it was written."""
    if kind in ("name", "street", "address"):
        return name_key(text)
    if kind == "email":
        return text.strip().lower()
    if kind == "dob":
        return date_key(text)
    if kind == "phone":
        found = _phone(text.strip())
        return found[1] if found else compact(text)
    return compact(text)


def _name_hits(text: str, m: re.Match[str], group: int = 1) -> Iterator[Hit]:
    """The name a cue found, less the words after it that are not names; nothing if its first word is not one.
    Initials go with the name ('Mr J. Smith' keeps 'Mr'); the key is the name's words without them."""
    start = m.start(group)
    words = [(w.start(), w.end(), w.group(0)) for w in re.finditer(r"\S+", m.group(group))]
    first = 0
    while first < len(words) - 1 and re.fullmatch(r"[A-Z]\.?", words[first][2]):
        first += 1
    kept = []
    for word in words[first:]:
        if word[2].lower().strip("'’.") in NOT_NAMES:
            break
        kept.append(word)
    if not kept or len(kept[0][2]) < 2:
        return
    yield Hit(start, start + kept[-1][1], "name", name_key(" ".join(w for _, _, w in kept)), learn=True)


def _scan(rx: re.Pattern[str], text: str, also: str = "") -> Iterator[re.Match[str]]:
    """rx's matches that do not start just after a letter, a digit or one of `also` (the leading \b or lookbehind the
    patterns leave out)."""
    pos = 0
    while True:
        m = rx.search(text, pos)
        if m is None:
            return
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_" or text[start - 1] in also):
            pos = start + 1
            continue
        yield m
        pos = max(m.end(), start + 1)


def names(text: str) -> Iterator[Hit]:
    """Personal names after a title or rank, a cue word, a relation ('her partner Dean') or a role ('Suspect: ...')."""
    for rx in (_TITLED, _CUED, _RELATED):
        for m in _scan(rx, text):
            yield from _name_hits(text, m)
    for m in _AFTER_SEPARATOR.finditer(text):
        if _ROLE_BEFORE_SEPARATOR.search(text, max(0, m.start() - 30), m.start()):
            yield from _name_hits(text, m)
    pos = 0
    while (full := _FULL_NAME.search(text, pos)) is not None:
        if not (full.start() and text[full.start() - 1].isalnum()) and \
                _ROLE_BEFORE.search(text, max(0, full.start() - 20), full.start()):
            yield from _name_hits(text, full, 0)
            pos = full.end()
        else:  # 'Victim Jane Smith' is first found from 'Victim': look again from the next word
            pos = full.start() + len(full.group(0).split()[0])


def places(text: str) -> Iterator[Hit]:
    """House addresses (a number and a street) and street names (capitalised words and a strong suffix)."""
    for m in _scan(ADDRESS_RE, text, "/£.:-"):
        flat = _FLAT_BEFORE.search(text, max(0, m.start() - 30), m.start())
        start = flat.start() if flat else m.start()
        street = _HOUSE_START.sub("", m.group(0))
        if name_key(street) in NOT_STREETS:
            continue
        yield Hit(start, m.end(), "address", name_key(text[start:m.end()]), learn=True)
        yield Hit(m.end() - len(street), m.end(), "street", name_key(street), learn=True)
    for m in _scan(STREET_RE, text, "'’"):
        words = list(re.finditer(r"\S+", m.group(1)))
        while words and words[0].group(0) != "The" and words[0].group(0).lower().strip("'’") in NOT_STREET_WORDS:
            words = words[1:]
        if not words:
            continue
        start = m.start(1) + words[0].start()
        if name_key(text[start:m.end(2)]) in NOT_STREETS:
            continue
        yield Hit(start, m.end(2), "street", name_key(text[start:m.end(2)]), learn=True)


def _phone(raw: str) -> tuple[str, str] | None:
    """(the text of the number, its national digits) if `raw` is a UK number, dropping trailing groups too many."""
    groups = re.findall(r"[^ \t-]+[ \t-]*", raw)
    while groups:
        text = "".join(groups).rstrip(" \t-")
        digits = re.sub(r"\D", "", text)
        if text.startswith("+44") or text.startswith("0044"):
            digits = "0" + digits[2 if text.startswith("+") else 4:].removeprefix("0")
        if len(digits) in (10, 11) and digits.startswith("0"):
            return text, digits
        if len(digits) < 10:
            return None
        groups.pop()
    return None


def numbers(text: str) -> Iterator[Hit]:
    """Postcodes, e-mail addresses, phone numbers, vehicle registrations, dates of birth and identity numbers."""
    low = text.lower()
    if "@" in text:
        for m in EMAIL_RE.finditer(text):
            yield Hit(m.start(), m.end(), "email", m.group(0).lower())
    for m in _scan(POSTCODE_RE, text):
        yield Hit(m.start(), m.end(), "postcode", compact(m.group(0)))
    for m in _scan(PHONE_RE, text, "/.-+"):
        phone = _phone(m.group(0))
        if phone:
            yield Hit(m.start(), m.start() + len(phone[0]), "phone", phone[1])
    for m in _scan(VEHICLE_CURRENT, text):
        yield Hit(m.start(), m.end(), "vehicle", compact(m.group(0)))
    for m in _scan(VEHICLE_PREFIX, text):
        if m.group(1) not in NOT_PLATE_LETTERS:
            yield Hit(m.start(), m.end(), "vehicle", compact(m.group(0)))
    for m in _scan(VEHICLE_SUFFIX, text):
        yield Hit(m.start(), m.end(), "vehicle", compact(m.group(0)))
    if any(w in low for w in VEHICLE_CUE_WORDS):
        for m in VEHICLE_CUED.finditer(text):
            plate = m.group(1)
            if re.search(r"\d", plate) and re.search(r"[A-Z]", plate) and plate.split()[0].upper() not in ("NO", "OF"):
                yield Hit(m.start(1), m.end(1), "vehicle", compact(plate))
    if any(w in low for w in DOB_CUE_WORDS):
        for m in DOB_RE.finditer(text):
            yield Hit(m.start(1), m.end(1), "dob", date_key(m.group(1)))
    for m in _scan(NI_RE, text):
        if m.group(0)[:2] not in NOT_NI_PREFIXES:
            yield Hit(m.start(), m.end(), "identifier", compact(m.group(0)))
    if any(w in low for w in ID_CUE_WORDS):
        for m in CUED_ID_RE.finditer(text):
            yield Hit(m.start(1), m.end(1), "identifier", compact(m.group(1)))


def find(text: str) -> list[Hit]:
    """Every pattern's hits in the text (overlapping: the pseudonymiser chooses among them)."""
    return [*numbers(text), *places(text), *names(text)]


def street_of(location: str) -> str:
    """A structured location as a street or an address: 'On or near Bower Lane' -> 'Bower Lane'; '' for a point of
    interest ('On or near Supermarket'), a road number ('On or near A38') or nothing."""
    text = re.sub(r"(?i)^\s*(?:on or near|near|at|outside)\s+", "", location or "").strip(" ,.;")
    if not text or text.lower() in POINTS_OF_INTEREST or ROAD_NUMBER.match(text):
        return ""
    return text
