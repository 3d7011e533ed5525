"""Referrals held outside the incident system: Guardian (partner agencies into the MASH), PO1 (specialist
child abuse and vulnerable adult investigations) and DO1 (domestic incidents closed as non-crime).

Inspections found the largest under-recording here (Staffordshire 2014: 43 crimes identified in 55
Guardian referrals, 29 recorded), so the rates below are set to match that picture.
"""

from __future__ import annotations

import random
from datetime import timedelta

from .incidents import finish_recording, normal_delay
from .model import Case, CrimeTruth, Slot
from .narratives import SAFEGUARD, _bureau, context
from .places import Geography, Place
from .text import Log, expand, officer

# (agency, category, [(code or '' for no crime, weight, victim kind)]): victim kind child | adult | da | elder
GUARDIAN = [
    ("School", "Child protection", [("8N", 4, "child"), ("105A", 4, "child"), ("22B", 2, "teen"),
                                    ("", 3, "child")]),
    ("Children's social care", "Child protection", [("8N", 3, "child"), ("11A", 3, "child"),
                                                    ("105A", 2, "child"), ("", 3, "child")]),
    ("Children's social care", "CSE concern", [("22B", 3, "teen"), ("88A", 2, "teen"), ("71", 1, "teen"),
                                               ("", 3, "teen")]),
    ("Health visitor", "Child neglect", [("11A", 3, "child"), ("", 4, "child")]),
    ("Hospital A&E", "Injury referral", [("8N", 5, "da"), ("8N", 2, "child"), ("", 2, "adult")]),
    ("Adult social care", "Vulnerable adult", [("40", 3, "elder"), ("105A", 2, "elder"), ("41", 2, "elder"),
                                               ("", 4, "elder")]),
    ("Housing provider", "Harassment / ASB", [("8L", 3, "adult"), ("9A", 2, "adult"), ("", 3, "adult")]),
    ("GP surgery", "Safeguarding", [("8N", 2, "da"), ("105A", 2, "da"), ("", 2, "adult")]),
    ("Women's Aid", "Domestic abuse", [("8L", 3, "da"), ("105A", 3, "da"), ("8N", 2, "da"), ("8R", 1, "da")]),
    ("Probation", "Information sharing", [("8L", 1, "da"), ("", 3, "adult")]),
    ("Ambulance service", "Vulnerable adult", [("105A", 1, "elder"), ("", 4, "elder")]),
]
PO1 = [
    ("Child abuse investigation unit", "Child sexual abuse", [("19E", 2, "young"), ("19D", 2, "teen"),
                                                              ("20B", 2, "young"), ("21", 2, "young"),
                                                              ("22B", 2, "teen"), ("23", 1, "teen"),
                                                              ("", 1, "teen")]),
    ("Child abuse investigation unit", "Child physical abuse", [("8N", 4, "child"), ("11A", 3, "child"),
                                                                ("105A", 2, "child"), ("", 2, "child")]),
    ("Online child abuse team", "Online exploitation", [("88A", 3, "teen"), ("71", 1, "teen"),
                                                        ("86", 1, "teen"), ("", 1, "teen")]),
    ("Vulnerable adult unit", "Vulnerable adult abuse", [("40", 2, "elder"), ("105A", 2, "elder"),
                                                         ("8N", 1, "elder"), ("", 2, "elder")]),
]
DO1 = [
    ("Response officer", "Domestic - verbal", [("", 8, "da"), ("105A", 2, "da"), ("8L", 1, "da")]),
    ("Response officer", "Domestic - physical", [("105A", 5, "da"), ("8N", 3, "da"), ("", 1, "da")]),
    ("Response officer", "Domestic - damage", [("58A", 2, "da"), ("58D", 3, "da"), ("", 1, "da")]),
    ("Response officer", "Domestic - harassment", [("8L", 3, "da"), ("8R", 2, "da"), ("3B", 1, "da"),
                                                   ("", 1, "da")]),
]
SYSTEMS = {"Guardian": GUARDIAN, "PO1": PO1, "DO1": DO1}
# Share of identified crimes the force recorded, per system.
RECORD_RATE = {"Guardian": 0.66, "PO1": 0.85, "DO1": 0.12}
REASONS = {
    "Guardian": ["No discernible reason", "No discernible reason", "Treated as crime-related incident",
                 "Victim declined to confirm (no rationale)"],
    "PO1": ["No discernible reason", "Victim declined to confirm (no rationale)"],
    "DO1": ["Treated as crime-related incident", "Treated as crime-related incident", "No discernible reason",
            "Victim declined to confirm (no rationale)"],
}


def _victim(rng: random.Random, vk: str, code: str) -> tuple[str, int]:
    sex = rng.choice("FM")
    if code in ("19E", "19D", "20B"):
        sex = "F"
    elif code in ("22B", "71") or vk == "da":
        sex = "F" if rng.random() < 0.85 else "M"
    age = {"young": rng.randint(4, 12), "child": rng.randint(1, 15), "teen": rng.randint(13, 15),
           "elder": rng.randint(70, 94), "da": rng.randint(18, 60)}.get(vk, rng.randint(18, 70))
    if code == "19E":
        age = min(age, 12)
    if code == "19D":
        age = max(13, min(age, 15))
    return sex, age


def plan_referral(rng: random.Random, geo: Geography, system: str) -> Case:
    agency, category, options = rng.choice(SYSTEMS[system])
    code, _w, vk = rng.choices(options, weights=[w for _, w, _ in options])[0]
    sex, age = _victim(rng, vk, code)
    place: Place = rng.choice(geo.streets)
    case = Case("referral", system, "referral", agency=agency, category=category, place=place,
                params={"vk": vk, "flavour": "domestic" if vk == "da" else "acquaintance", "sex": sex, "home": True,
                        "age": age})
    if not code:
        case.tags.add("zero_status")
        return case
    domestic = vk == "da"
    main = CrimeTruth(code, delay_h=normal_delay(rng) * (3 if system != "DO1" else 1), domestic=domestic,
                      victim_sex=sex, victim_age=age)
    if main.delay_h > 70:
        main.delay_h = 70.0
    case.crimes.append(main)
    if system == "DO1" and code in ("105A", "8N") and rng.random() < 0.25:
        case.crimes.append(CrimeTruth("58D", delay_h=main.delay_h, domestic=True, victim_sex=sex,
                                      victim_age=age, role="also"))
        case.params["pair"] = "damage"
        case.tags.add("multi_crime")
    for c in case.crimes:
        if rng.random() > RECORD_RATE[system]:
            c.recorded, c.recorded_code = False, ""
            c.reason = rng.choice(REASONS[system])
            c.safeguarding = rng.random() < (0.75 if system == "DO1" else 0.6)
            c.investigation = rng.random() < 0.2
    if any(not c.recorded for c in case.crimes):
        case.tags.add("not_recorded")
        if system == "DO1" and any(c.code in ("105A", "8N") and not c.recorded for c in case.crimes):
            case.tags.add("domestic_non_crime")
    finish_recording(rng, case)
    return case


CLIENT = {"Hospital A&E": ["the patient", "a {who} patient"], "GP surgery": ["the patient"],
          "Ambulance service": ["the patient", "an elderly {who}"], "Housing provider": ["a tenant", "the "
                                                                                                     "tenant"],
          "Adult social care": ["a {who} service user", "the client"], "Women's Aid": ["the client", "a "
                                                                                                     "client"],
          "Probation": ["the offender's partner", "a {who} known to the service"],
          "Vulnerable adult unit": ["a {who} service user", "the client", "an elderly {who}"]}
REFERRER = {
    "School": ["Designated safeguarding lead", "Head of year", "School nurse"],
    "Children's social care": ["Social worker", "Children's services duty team"],
    "Health visitor": ["Health visitor"],
    "Hospital A&E": ["A&E safeguarding nurse", "Hospital liaison"],
    "Adult social care": ["Adult social care", "Care manager"],
    "Housing provider": ["Housing officer", "Tenancy enforcement"],
    "GP surgery": ["GP", "Practice safeguarding lead"],
    "Women's Aid": ["Outreach worker", "IDVA"],
    "Probation": ["Offender manager"],
    "Ambulance service": ["Paramedic", "Ambulance safeguarding team"],
}
CHILD_OPEN = [
    "<vs^> (aged <age>) {told|disclosed to} {a teacher|the school nurse|a social worker|<pp> {mum|nan|aunt}} "
    "that", "{During a home visit|At school today|At a review meeting} <vs> (<age>) {said|disclosed} that",
    "{Concerns raised|Information received} about <vs> (<age>): it is reported that",
]
# texts that start with what the child did or suffers (the rest start with the suspect)
CHILD_SUBJECT = {"11A", "22B", "88A", "71", "86", "23", ""}
CHILD_TEXT = {
    "8N": "{<sus> hit <po> with a belt|<sus> punched <po>|<sus> grabbed <po> by the neck and threw <po> "
          "against a wall}. {Bruising seen on <pp> {arm|back|face}|A mark was seen on <pp> cheek}",
    "105A": "{<sus> slapped <po>|<sus> pushed <po> over|<sus> dragged <po> by the arm}. {No marks seen|No "
            "injuries seen}",
    "11A": "{is regularly left alone overnight|is being left without food|has head lice, no food in the "
           "house and dog faeces on the floors|is not being given prescribed medication} and {there is a "
           "long history of neglect|parents are not engaging}",
    "22B": "{is in a sexual relationship with a {19|20|22} year old|has been having sex with an older "
           "male <ps> met online|says a {18|19} year old had sex with <po> at a party}",
    "88A": "{has been messaged by an adult male who arranged to meet <po>|has been sent sexual messages by "
           "a man who then travelled to meet <po>}",
    "71": "{is being given alcohol and lifts by older males in exchange for sex|is going missing and "
          "returning with gifts from older men who have had sex with <po>}",
    "19E": "<sus> {had sex with her|put his penis inside her}",
    "19D": "<sus> {forced her to have sex|raped her at a party}",
    "20B": "<sus> {touched her private parts|touched her inappropriately}",
    "21": "<sus> {made <po> touch him sexually|engaged in sexual activity with <po>}",
    "23": "{has disclosed sexual activity with <pp> {step-brother|uncle} aged {18|19|24}}",
    "86": "{has been persuaded to send indecent images to an adult|has sent indecent images of <po>self to "
          "an "
          "adult}",
    "": "{is not attending school|is missing school and parents not engaging|has poor hygiene and the home "
        "is cluttered|has been seen out late}. {No disclosure of abuse|No allegation made|No injuries or "
        "disclosures}",
}
ADULT_TEXT = {
    "40": "{carer has been taking money from <pp> purse|money is going missing from <pp> flat after carer "
          "visits|bank cards used by a carer}. Approx {£200|£450|£80|£1,200}",
    "41": "{a care worker has been taking money from residents|staff member seen taking cash from "
          "<pp> room}",
    "105A": "{carer {pushed|slapped|roughly handled} <po>|another resident pushed <po> over|<sus> {slapped|"
            "pushed} <po>}",
    "8N": "{<sus> {punched|assaulted} <po> causing <inj>|<ps> presented with <inj> and said <sus> did it}",
    "8L": "{<sus> keeps turning up at <pp> home|<ps> is receiving constant abusive messages from <sus>}",
    "8R": "{<sus> sent <po> threatening messages|<sus> posted threats on Facebook}",
    "9A": "{neighbours are shouting threats at <po>|<ps> was threatened in the street by neighbours}",
    "": "{is self-neglecting|has had several falls|is struggling to cope at home|has been drinking heavily}"
        "{. Family are concerned|. No allegation of abuse|. No offences disclosed}",
}
DO1_TEXT = {
    "105A": ["<sus> {pushed|shoved|grabbed|slapped} <po> {during the argument|when <ps> tried to leave}. "
             "{No visible injuries|No marks}"],
    "8N": ["<sus> {punched <po> in the face|hit <po> on the arm|headbutted <po>}. <ps^> has <inj>"],
    "58A": ["<sus> {kicked the bedroom door in|smashed a window} {during the argument|before leaving}"],
    "58D": ["<sus> {smashed <pp> phone|broke <pp> mobile|threw <pp> laptop against the wall}"],
    "8L": ["<sus> {has been sending constant messages|keeps turning up} since they separated {weeks ago|a "
           "month ago}. <ps^> {is frightened|wants it to stop}"],
    "8R": ["<sus> {sent <po> a text saying she would regret it|sent <po> threatening messages}"],
    "3B": ["<sus> {told <po> <sp> would kill <po>|said <sp> would kill <po> if <ps> left} and <ps> {believes "
           "<spo>|is terrified}"],
    "": ["{verbal argument about money|argument over the children|shouting match after a night out}. "
         "{No assault|No violence|No threats or damage}"],
}


def referral_log(rng: random.Random, case: Case, slot: Slot, streets: list[Place]) -> str:
    """The narrative of a referral, by system."""
    log = Log(slot.received_at)
    p = case.params
    probe = case.crimes[0] if case.crimes else CrimeTruth("", recorded=False, victim_sex=p["sex"],
                                                          victim_age=p["age"])
    _call, ip = context(rng, case, probe, streets)
    vk = p["vk"]
    if vk in ("child", "young", "teen"):
        kid = "the pupil" if case.agency == "School" else rng.choice(
            ["the child", "the young person"] if vk == "teen" else ["the child"])
        adults = ["<pp> step-father", "<pp> father", "mum's boyfriend", "an uncle", "a family friend",
                  "<pp> older cousin"]
        if not case.crimes or case.crimes[0].code not in ("19E", "19D", "20B", "21", "23"):
            adults += ["<pp> mother", "<pp> step-mother"]
        ip.update(vs=kid, vo=kid, vp=f"{kid}'s", sus=rng.choice(adults).replace("<pp>", ip["pp"]))
    code = case.crimes[0].code if case.crimes else ""
    if case.system == "DO1":
        return _do1(rng, case, log, ip, code)
    if vk in ("child", "young", "teen"):
        subject = "<ps> " if code in CHILD_SUBJECT else ""
        text = f"{rng.choice(CHILD_OPEN)} {subject}{CHILD_TEXT.get(code, CHILD_TEXT[''])}"
    else:
        text = "{Referral concerns|Concern for|Referral regarding} <vs> (<age>): " + ADULT_TEXT.get(
            code, ADULT_TEXT[""])
        who = "female" if p["sex"] == "F" else "male"
        ip.update(vs=rng.choice(CLIENT.get(case.agency or "", ["the client"])).format(who=who))
        if vk == "elder":
            ip["sus"] = rng.choice(["a carer", "a care worker", "another resident", f"{ip['pp']} son",
                                    f"{ip['pp']} grandson", "a neighbour who helps out"])
    author = "Referrer - " + rng.choice(REFERRER.get(case.agency or "", [case.agency or "Partner agency"]))
    if case.system == "PO1":
        author = f"{case.agency} {officer(rng, 'DC')}"
    log.add(0, author, expand(rng, text, ip))
    recorded = [c.delay_h * 60 for c in case.crimes if c.recorded]
    decide = min(recorded) - rng.uniform(5, 40) if recorded else rng.uniform(120, 2100)
    decide = max(decide, 4.0)
    t = rng.uniform(1, decide - 2)
    log.add(t, "MASH researcher" if case.system == "Guardian" else f"{case.agency} researcher",
            expand(rng, "{Research completed|Checks done}: {no previous police contact|{2|3|5} previous "
                        "referrals|known to children's services|previous DA at the address|suspect has "
                        "previous for violence}"))
    ds = officer(rng, "DS")
    decider = f"MASH {ds}" if case.system == "Guardian" else f"{ds} {case.agency}"
    t = decide
    if not case.crimes:
        log.add(t, decider, expand(rng, "{Strategy discussion held|Reviewed with social care|Reviewed}. "
                                        "{No offences disclosed|No criminal offences identified|No crime}. "
                                        "{Single agency response|Information shared|Advice to referrer}"))
        return log.render()
    for c in case.crimes:
        if c.recorded:
            log.add(t, decider, expand(rng, "{Strategy discussion held|Reviewed}. {Crime to be recorded|"
                                            "Crime to be raised|Offence disclosed, crime required}{, "
                                            "allocated to "
                                            "<unit>|}", {"unit": rng.choice(["CAIU", "PPU", "the local CID",
                                                                             "response"])}))
            if c.linked:
                why = "Crime raised following review of outstanding referrals. " if c.late else ""
                log.add_at(slot.at(c.delay_h), "Crime bureau", why + _bureau(rng, c))
            elif rng.random() < 0.5:
                log.add_at(slot.at(c.delay_h), "Crime bureau", "Crime recorded")
        else:
            opts = {"No discernible reason": "{Information shared with partners|Single agency response by "
                                             "social care|Noted, no further police action}",
                    "Treated as crime-related incident": "{Parent spoken to and given advice|Words of advice "
                                                         "given}. {Crime related incident|No crime}",
                    "Victim declined to confirm (no rationale)": "{Victim does not want police involvement|"
                                                                 "Family do not want to engage}. "
                                                                 "{Closed|NFA}"}
            log.add(t, decider, expand(rng, opts.get(c.reason, "{Closed|NFA}")))
            if c.safeguarding:
                log.add(t + rng.uniform(5, 60), decider, expand(rng, "{Strategy discussion with social care|"
                                                                     "Safety plan agreed with social worker|"
                                                                     "Safeguarding plan in place}"))
            if c.investigation:
                log.add(t + rng.uniform(30, 300), decider, expand(rng, "{Suspect spoken to|Enquiries made "
                                                                       "with the school|Interview arranged}"))
    return log.render()


def _do1(rng: random.Random, case: Case, log: Log, ip: dict, code: str) -> str:
    pc = officer(rng)
    female = case.params["sex"] == "F"
    word = rng.choice(["partner", "ex-partner", "husband", "boyfriend"] if female else
                      ["partner", "ex-partner", "girlfriend", "wife"])
    ip.update(sus=f"{ip['pp']} {word}", sp="he" if female else "she", spo="him" if female else "her")
    text = ("{Attended domestic at <place>|Domestic at <place>|Attended <place> re domestic}. {Spoke to both "
            "parties|Parties separated}. IP states " + rng.choice(DO1_TEXT.get(code, DO1_TEXT[""])))
    if len(case.crimes) > 1:
        text += " and " + rng.choice(DO1_TEXT[case.crimes[1].code])
    log.add(0, f"Attending officer {pc}", expand(rng, text, ip))
    recorded = [c.delay_h * 60 for c in case.crimes if c.recorded]
    t = rng.uniform(20, 90)
    if recorded:
        t = min(t, max(2.0, min(recorded) - 10))
    safe = any(c.safeguarding for c in case.crimes) or (not case.crimes and rng.random() < 0.7)
    if safe:
        log.add(t, f"Attending officer {pc}", expand(rng, rng.choice(SAFEGUARD), ip))
    t = max(t + 1, min(recorded) - rng.uniform(1, 8)) if recorded else t + rng.uniform(30, 600)
    for c in case.crimes:
        if c.recorded:
            log.add(t, f"Supervisor {officer(rng, 'PS')}", "Offence disclosed, crime to be recorded")
            if c.linked:
                log.add_at(log.start + timedelta(hours=c.delay_h), "Crime bureau",
                           _bureau(rng, c))
    unrec = [c for c in case.crimes if not c.recorded]
    if unrec or not case.crimes:
        reason = unrec[0].reason if unrec else ""
        close = {"Treated as crime-related incident": "{Non-crime domestic|Closed as non-crime domestic "
                                                      "incident|DO1 non-crime}",
                 "Victim declined to confirm (no rationale)": "{IP does not support|IP not supporting police "
                                                              "action}. {Non-crime domestic|Closed}",
                 "No discernible reason": "{Closed|Reviewed and closed}"}.get(reason, "{Verbal only, "
                                                                                      "non-crime "
                                                                                  "domestic|No offences, "
                                                                                  "closed}")
        log.add(t, f"Domestic abuse officer {officer(rng)}", expand(rng, close))
    return log.render()
