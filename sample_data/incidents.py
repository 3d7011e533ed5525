"""Planning incident logs: which crimes each log holds, and what the force did with each (the truth).

Crime types follow the street-level file's mix; the hard cases inspections find are planted at rates
that put several of each in the drawn sample (generate.py then makes sure of it).
"""

from __future__ import annotations

import random

from .model import Case, CrimeTruth
from .offences import RAPE_AS_LESSER, WRONG_CODES
from .places import Geography
from .zero import ZERO_KINDS

# Street-file crime type -> (code, weight, flavour). Flavour decides the suspect: domestic, acquaintance,
# stranger or none given.
FAMILIES: dict[str, list[tuple[str, int, str]]] = {
    "Violence and sexual offences": [
        ("8N", 14, "stranger"), ("105A", 12, "stranger"), ("8N", 12, "domestic"), ("105A", 12, "domestic"),
        ("8L", 8, "domestic"), ("8L", 3, "acquaintance"), ("8R", 4, "acquaintance"), ("3B", 2, "domestic"),
        ("5D", 2, "stranger"), ("20A", 13, "stranger"), ("17A", 2, "acquaintance"), ("88E", 2, "stranger"),
        ("19C", 9, "acquaintance"), ("19F", 2, "acquaintance"), ("19D", 2, "acquaintance"),
    ],
    "Burglary": [("28E", 60, ""), ("28F", 14, ""), ("28G", 5, ""), ("30C", 21, "")],
    "Criminal damage and arson": [("58A", 30, "acquaintance"), ("58B", 14, ""), ("58C", 36, ""),
                                  ("58D", 12, "acquaintance"), ("56B", 8, "")],
    "Other theft": [("49", 62, ""), ("40", 14, "acquaintance"), ("49A", 14, ""), ("41", 6, "")],
    "Vehicle crime": [("45", 55, ""), ("48", 30, ""), ("126", 15, "")],
    "Shoplifting": [("46", 1, "")],
    "Public order": [("9A", 70, "stranger"), ("9B", 30, "stranger")],
    "Drugs": [("92D", 60, ""), ("92E", 25, ""), ("92A", 15, "")],
    "Bicycle theft": [("44", 1, "")],
    "Other crime": [("59", 35, "acquaintance"), ("33", 25, ""), ("54", 25, ""), ("35", 15, "")],
    "Robbery": [("34B", 85, ""), ("34A", 15, "")],
    "Theft from the person": [("39", 1, "")],
    "Possession of weapons": [("10D", 65, ""), ("10C", 35, "")],
}
NO_PERSON = {"46", "30C", "49A", "34A", "58B", "41", "92D", "92E", "92A", "10D", "10C", "33", "54", "56B"}
STATE_VICTIM = {"92D", "92E", "92A", "10D", "10C", "33", "54"}
# Second crimes disclosed at the outset: code -> [(second code, flavour of the pair)].
ALSO = {
    "8N": [("58D", "damage"), ("8N", "second victim"), ("105A", "second victim")],
    "105A": [("58D", "damage"), ("58A", "damage"), ("105A", "second victim")],
    "28E": [("48", "car taken")],
    "58C": [("58C", "second car")],
    "45": [("45", "second car")],
    "9A": [("105A", "second victim")],
}
# Crimes disclosed later in the log, by flavour or code of the first.
LATER = {
    "domestic": ["105A", "8N", "8L", "58D", "3B", "58A"],
    "28E": ["58C"],
    "8N": ["49"],
    "58A": ["8L"],
    "domestic_verbal": ["105A", "8N", "8L", "58D"],
}
NOT_BELIEVED = {"8N", "105A", "20A", "49", "8L", "40", "17A"}
AT_HOME = {"28E", "28F", "28G", "58A", "40", "8L", "3B", "59", "8R"}
OTHER_REASONS = ["No discernible reason", "Treated as crime-related incident",
                 "Victim declined to confirm (no rationale)",
                 "Recorded by another force without evidence of transfer"]


def pick_weighted(rng: random.Random, options: list[tuple[str, int, str]]) -> tuple[str, int, str]:
    return rng.choices(options, weights=[w for _, w, _ in options])[0]


def normal_delay(rng: random.Random) -> float:
    """Hours to recording when on time: mostly the same shift, some the next day or two."""
    r = rng.random()
    if r < 0.7:
        return round(rng.uniform(0.3, 12), 2)
    if r < 0.92:
        return round(rng.uniform(12, 48), 2)
    return round(rng.uniform(48, 70.5), 2)


def late_delay(rng: random.Random) -> float:
    return round(rng.choice([rng.uniform(73.5, 120), rng.uniform(120, 400), rng.uniform(400, 900)]), 2)


def victim(rng: random.Random, code: str, flavour: str) -> tuple[str | None, int | None]:
    if code in NO_PERSON:
        return None, None
    if code in ("19C", "20A", "88E"):
        return "F", rng.randint(16, 58)
    if code in ("19F", "17A"):
        return "M", rng.randint(16, 50)
    if code == "19D":
        return "F", rng.randint(13, 15)
    if code == "28G":
        return rng.choice("FM"), rng.randint(72, 93)
    if flavour == "domestic":
        return ("F" if rng.random() < 0.8 else "M"), rng.randint(18, 62)
    return rng.choice("FM"), rng.randint(16, 84)


def caller_for(rng: random.Random, code: str, flavour: str = "") -> str:
    if flavour == "domestic":
        return rng.choice(["Victim", "Victim", "Victim", "Third party"])
    if code in STATE_VICTIM:
        return rng.choice(["Witness", "Third party", "Third party"])
    if code in ("56B", "5D"):
        return rng.choice(["Other agency", "Witness"])
    if code in ("46", "30C", "49A", "34A", "41", "58B"):
        return rng.choice(["Victim", "Victim", "Witness", "Other agency"])
    if code.startswith("19"):
        return rng.choice(["Victim", "Victim", "Third party"])
    if code in ("8N", "105A", "9A", "20A"):
        return rng.choices(["Victim", "Witness", "Third party", "Other agency"], weights=[62, 14, 16, 8])[0]
    return rng.choices(["Victim", "Witness", "Third party"], weights=[70, 14, 16])[0]


def opening_for(code: str, flavour: str, caller: str) -> str:
    if flavour == "domestic":
        return "Domestic Incident"
    if code in ("8N", "105A", "9A", "9B", "8L", "8R", "59") and caller != "Other agency":
        return "ASB - Personal"
    if caller == "Other agency" and code in ("8N", "105A", "5D"):
        return "Concern for Safety"
    if code in ("33", "126", "92D", "92E", "92A", "10C", "10D", "54"):
        return "Suspicious Circumstances/Insecure premises or vehicles"
    return "Crime"


def qualifiers_for(rng: random.Random, code: str, flavour: str) -> list[str]:
    q = []
    if flavour == "domestic":
        q.append("Domestic Abuse")
    if code == "9B":
        q.append("Prejudice - Racial")
    if code.startswith("92"):
        q.append("Drugs")
    if code in ("5D", "10D", "10C", "34A"):
        q.append("Weapons")
    if code == "28G":
        q.append("Vulnerable Adult")
    if code in ("8N", "105A", "9A") and flavour == "stranger" and rng.random() < 0.5:
        q.append("Alcohol")
    return q


def _unrecord(c: CrimeTruth, reason: str, rng: random.Random, safeguard: float, investigate: float) -> None:
    c.recorded, c.recorded_code, c.reason = False, "", reason
    c.safeguarding = rng.random() < safeguard
    # an investigation needs a victim who engages (and a force that believes them)
    c.investigation = rng.random() < investigate and reason not in (
        "Victim not believed", "Victim declined to confirm (no rationale)",
        "Recorded by another force without evidence of transfer")


def plan_crime_incident(rng: random.Random, geo: Geography, family: str) -> Case:
    code, _w, flavour = pick_weighted(rng, FAMILIES[family])
    sex, age = victim(rng, code, flavour)
    caller = caller_for(rng, code, flavour)
    home = code in AT_HOME or flavour == "domestic"
    place = rng.choice(geo.streets if home else geo.places.get(family) or geo.streets)
    case = Case("incident", "Incident", "crime", caller=caller, place=place,
                opening=opening_for(code, flavour, caller), qualifiers=qualifiers_for(rng, code, flavour),
                params={"family": family, "flavour": flavour, "home": home})
    main = CrimeTruth(code, delay_h=normal_delay(rng), domestic=flavour == "domestic", victim_sex=sex,
                      victim_age=age)
    case.crimes.append(main)
    roll = rng.random()
    if code in RAPE_AS_LESSER and roll < 0.5:
        main.recorded_code = RAPE_AS_LESSER[code]
        case.tags.add("rape_as_lesser")
    elif code in ALSO and roll < 0.09:
        second, pair = rng.choice(ALSO[code])
        s_sex, s_age = (sex, age) if pair in ("damage", "car taken") else victim(rng, second, flavour)
        if pair == "second car":
            s_sex, s_age = rng.choice("FM"), rng.randint(20, 80)
        extra = CrimeTruth(second, delay_h=main.delay_h + rng.choice([0, 0, 0.1, 0.3]),
                           domestic=main.domestic, victim_sex=s_sex, victim_age=s_age, role="also")
        case.params["pair"] = pair
        case.crimes.append(extra)
        case.tags.add("multi_crime")
        if rng.random() < 0.35:
            reason = "One crime recorded for several" if pair in ("second victim", "second car") \
                else "No discernible reason"
            _unrecord(extra, reason, rng, 0.5 if main.domestic else 0.1, 0.3)
            case.tags.add("multi_partly_recorded")
    elif code in NOT_BELIEVED and roll < 0.14:
        _unrecord(main, "Victim not believed", rng, 0.4 if main.domestic else 0.1, 0.05)
        case.tags.add("victim_not_believed")
    elif roll < 0.19 and (flavour == "domestic" or code in LATER):
        add_later(rng, case, LATER["domestic" if flavour == "domestic" else code])
    elif roll < 0.22 and code not in ("92D", "92E", "92A", "10D", "10C", "33", "54"):
        reason = rng.choice(OTHER_REASONS) if code not in NO_PERSON else "No discernible reason"
        _unrecord(main, reason, rng, 0.5 if main.domestic else 0.2, 0.3)
        case.tags.add("not_recorded")
    elif code in WRONG_CODES and roll < 0.27:
        main.recorded_code = WRONG_CODES[code]
        case.tags.add("misclassified")
    finish_recording(rng, case)
    return case


def add_later(rng: random.Random, case: Case, codes: list[str]) -> None:
    """A further crime the attending officer (or a later entry) discloses hours after the call."""
    main = case.crimes[0] if case.crimes else None
    code = rng.choice(codes)
    sex = main.victim_sex if main and main.victim_sex else rng.choice(["F", "F", "M"])
    age = main.victim_age if main and main.victim_age else rng.randint(19, 55)
    later = CrimeTruth(code, role="later", later_h=round(rng.uniform(1.5, 20), 2), victim_sex=sex,
                       victim_age=age, domestic=case.params.get("flavour") == "domestic"
                       or "Domestic Abuse" in case.qualifiers)
    if rng.random() < 0.78:
        _unrecord(later, "Further offence disclosed later not recorded", rng,
                  0.6 if later.domestic else 0.2, 0.25)
    else:
        later.delay_h = round(later.later_h + rng.choice([rng.uniform(0.5, 24), rng.uniform(50, 160)]), 2)
        if 71.5 <= later.delay_h <= 72.5:
            later.delay_h = 74.0
    case.crimes.append(later)
    case.tags.add("later_disclosure")


def finish_recording(rng: random.Random, case: Case) -> None:
    """Late recording and a missing link, for crimes that were recorded."""
    recorded = [c for c in case.crimes if c.recorded]
    if rng.random() < 0.10:
        delay = late_delay(rng)
        for c in recorded:
            if c.role != "later":
                c.delay_h = round(delay + rng.choice([0, 0, 0.05, 0.2]), 2)
    if any(c.late for c in recorded):
        case.tags.add("late")
    if recorded and rng.random() < 0.04:
        rng.choice(recorded).linked = False
        case.tags.add("unlinked")


def plan_zero_incident(rng: random.Random, geo: Geography, asb: bool) -> Case:
    """A log with no notifiable crime; now and then one where a crime surfaces later on."""
    kinds = [k for k in ZERO_KINDS if k.key in ("asb_youths", "noise", "asb_personal")] if asb else \
        [k for k in ZERO_KINDS if k.key not in ("asb_youths", "noise", "asb_personal")]
    kind = rng.choices(kinds, weights=[k.weight for k in kinds])[0]
    source = "Anti-social behaviour" if asb else rng.choice(["Anti-social behaviour", "Other theft",
                                                             "Criminal damage and arson"])
    place = rng.choice(geo.streets if kind.home else geo.places.get(source) or geo.streets)
    q = rng.choice(kind.qualifiers) if kind.qualifiers else ""
    case = Case("incident", "Incident", "zero", caller=rng.choice(kind.callers), place=place,
                opening=kind.opening, closing=kind.closing, qualifiers=[q] if q else [],
                params={"zero": kind.key, "attend": rng.random() < kind.attend, "home": kind.home})
    if kind.key in LATER and rng.random() < 0.22:
        case.params["attend"] = True
        case.params["flavour"] = "domestic"
        add_later(rng, case, LATER[kind.key])
        finish_recording(rng, case)
    else:
        case.tags.add("zero_status")
    return case


def plan_incidents(rng: random.Random, geo: Geography, n: int) -> list[Case]:
    """n incident cases: about half crime reports (street-file mix), the rest ASB and other calls."""
    crime_mix = {k: v for k, v in geo.mix.items() if k in FAMILIES}
    families, weights = list(crime_mix), list(crime_mix.values())
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.52:
            out.append(plan_crime_incident(rng, geo, rng.choices(families, weights=weights)[0]))
        else:
            out.append(plan_zero_incident(rng, geo, asb=r < 0.70))
    return out
