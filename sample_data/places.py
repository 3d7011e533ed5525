"""The crime mix and the places of the sample, taken from a real street-level crime file when it is there.

The file is data.police.uk output for June 2013 (Open Government Licence v3.0, see shared/data/SOURCES.md):
one row per crime with its type and an anonymised location ("On or near Bower Lane"). The sample's force is
fictional; only the proportions of crime types and the street names come from the file.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
STREET_FILE = DATA_DIR / "2013-06-staffordshire-street.csv"
NSIR_FILE = DATA_DIR / "nsir_2011_nicl_categories_and_qualifiers.csv"

# Used only when the real files are not beside the repository.
FALLBACK_STREETS = [
    "Bower Lane", "Woodstock Drive", "Penk Drive North", "Station Road", "High Street", "Church Lane",
    "Victoria Street", "Mill Lane", "Queens Road", "Park Avenue", "Oak Close", "Chapel Street", "The Green",
    "Stafford Road", "Lichfield Street", "Market Street", "Windsor Crescent", "Beech Grove", "Albert Street",
    "Meadow Way", "Hawthorn Mews", "Greenwood Park", "Dove Fields", "Grants Yard", "Willows Croft",
]
FALLBACK_MIX = {
    "Anti-social behaviour": 2934, "Violence and sexual offences": 1192, "Criminal damage and arson": 791,
    "Other theft": 724, "Burglary": 502, "Shoplifting": 386, "Vehicle crime": 324, "Drugs": 258,
    "Public order": 160, "Bicycle theft": 79, "Other crime": 60, "Robbery": 41, "Theft from the person": 35,
    "Possession of weapons": 29,
}
FALLBACK_OUTCOMES = {
    "Under investigation": 2039, "No further action at this time": 1608, "Awaiting court outcome": 430,
    "Offender given a caution": 157, "Unable to prosecute suspect": 152, "Local resolution": 142,
    "Offender given penalty notice": 42,
}
FALLBACK_POIS = ["Supermarket", "Parking Area", "Shopping Area", "Petrol Station", "Nightclub", "Park/Open "
                                                                                                "Space"]
FALLBACK_NSIR = [
    "RTC - Death/Injury", "RTC - Damage Only", "Highway Disruption", "Road Related Offence", "ASB - Personal",
    "ASB - Nuisance", "ASB - Environmental", "Abandoned Call to Emergency Services", "Alarm",
    "Animals/Wildlife",
    "Civil Disputes", "Concern for Safety", "Domestic Incident", "Lost/Found Property/Person", "Missing "
                                                                                               "Person",
    "Sudden Death", "Suspicious Circumstances/Insecure premises or vehicles", "Duplicate", "Licensing",
    "Messages", "Contact Record",
]

# Points of interest the open data uses instead of a street, and how a log would name them.
POI_PHRASES = {
    "Supermarket": ["the Co-op", "the supermarket", "Tesco Express", "the Spar", "Aldi", "the Morrisons "
                                                                                         "store"],
    "Parking Area": ["the car park", "the pay and display car park", "the retail park car park",
                     "the multi-storey"],
    "Shopping Area": ["the shopping precinct", "the parade of shops", "the town centre", "the market square"],
    "Petrol Station": ["the petrol station", "the Esso garage", "the BP garage", "the filling station"],
    "Sports/Recreation Area": ["the playing fields", "the leisure centre", "the skate park", "the rec"],
    "Park/Open Space": ["the park", "the canal towpath", "the field behind the estate", "the nature reserve"],
    "Pedestrian Subway": ["the subway", "the underpass"],
    "Nightclub": ["the nightclub", "Liquid nightclub", "the club on the high street", "Vibe bar"],
    "Further/Higher Educational Building": ["the college", "the sixth form college", "the university campus"],
    "Police Station": ["the police station front counter"],
    "Hospital": ["the hospital", "A&E at the county hospital"],
    "Bus/Coach Station": ["the bus station"],
    "Theatre/Concert Hall": ["the theatre"],
    "Theme/Adventure Park": ["the theme park"],
    "Motorway Service Area": ["the motorway services"],
    "Conference/Exhibition Centre": ["the showground"],
    "Prison": ["the prison visitors' centre"],
    "Airport/Airfield": ["the airfield"],
}


@dataclass(frozen=True)
class Place:
    location: str  # as the crime system holds it: "On or near Bower Lane"
    street: str  # "Bower Lane", or the point of interest ("Supermarket")
    poi: bool

    def phrase(self, rng: random.Random, house: bool = True) -> str:
        """How a call taker would write the place: '14 Bower Lane', 'the Co-op', 'Bower Lane'."""
        if self.poi:
            opts = POI_PHRASES.get(self.street, [f"the {self.street.lower()}"])
            return rng.choice(opts)
        if self.street[:1] in "AMB" and self.street[1:].isdigit():
            return f"the {self.street}"
        if house:
            return f"{rng.randint(1, 180)} {self.street}"
        return self.street


def _tidy(street: str) -> str:
    return re.sub(r"'S\b", "'s", street)


def _place(location: str) -> Place:
    street = _tidy(location.removeprefix("On or near ").strip())
    return Place(location, street, street in POI_PHRASES)


@dataclass
class Geography:
    mix: dict[str, int]  # crime type -> rows
    places: dict[str, list[Place]]  # crime type -> places where such crimes were recorded
    streets: list[Place]  # residential streets (no points of interest)
    outcomes: dict[str, int]  # last outcome category -> rows
    from_file: bool


def load_geography(path: Path | None = None) -> Geography:
    """Crime-type mix and places from the street-level file; a small built-in list if it is missing."""
    path = path or STREET_FILE
    mix: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    places: dict[str, list[Place]] = defaultdict(list)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                kind, loc = row.get("Crime type", "").strip(), row.get("Location", "").strip()
                if not kind:
                    continue
                mix[kind] += 1
                if row.get("Last outcome category", "").strip():
                    outcomes[row["Last outcome category"].strip()] += 1
                if loc and loc.lower() != "no location":
                    places[kind].append(_place(loc))
    except OSError:
        mix.clear()
    if not mix:
        fb = [_place(f"On or near {s}") for s in FALLBACK_STREETS]
        pois = [_place(f"On or near {p}") for p in FALLBACK_POIS]
        return Geography(dict(FALLBACK_MIX), {k: fb + pois for k in FALLBACK_MIX}, fb,
                         dict(FALLBACK_OUTCOMES), False)
    streets = sorted({p for ps in places.values() for p in ps if not p.poi}, key=lambda p: p.location)
    for kind in mix:
        places.setdefault(kind, list(streets))
    return Geography(dict(sorted(mix.items())), {k: v for k, v in sorted(places.items())}, streets,
                     dict(sorted(outcomes.items())) or dict(FALLBACK_OUTCOMES), True)


def load_nsir_categories(path: Path | None = None) -> list[str]:
    """NSIR 2011 incident category names (the opening and closing codes of incident logs)."""
    path = path or NSIR_FILE
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            names = [r["name"] for r in csv.DictReader(fh) if r.get("kind") == "category"]
    except (OSError, KeyError):
        names = []
    return names or list(FALLBACK_NSIR)
