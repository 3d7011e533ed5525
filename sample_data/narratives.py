"""Incident log narratives: call taker, dispatcher, attending officer, supervisor and crime bureau entries.

Every log is composed from fragments (offences.py, zero.py and the phrases below) around the case's truth,
so what the log says is what the answer key expects, and no two logs read alike.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

from cdi_workbench.classification import group_of, lookup

from .model import Case, CrimeTruth, Slot
from .offences import INJURIES, ITEMS, MONEY, NO_INJURY, OFFENCES, SHOPS, VEHICLES, WHEN
from .places import POI_PHRASES, Place
from .text import Log, expand, officer
from .zero import ZERO_KINDS

ZERO = {k.key: k for k in ZERO_KINDS}
PRON = {"F": ("she", "her", "her"), "M": ("he", "him", "his"), None: ("the owner", "them", "their")}
NAMES = ["Dean", "Kyle", "Lee", "Jason", "Wayne", "Craig", "Darren", "Ryan", "Gaz", "Mark", "Shaun", "Liam",
         "Jamie", "Carl", "Ash", "Scott", "Dale", "Nathan"]

INTRO = {
    "Victim": ["{Caller|IP|<csex^> caller} {states|reports|says|is reporting} {that|}",
               "{Caller|<csex^> caller} {ringing to report|calling to say} {that|}",
               "{Call from IP|IP on the line}, {states|says} {that|}",
               "{Caller|IP} {is upset and|sounds shaken and|} {states|reports} {that|}"],
    "Witness": ["{Caller|Member of the public|Passer-by|Caller, a witness,} {reports|states|is reporting} "
                "{that|}",
                "{Witness|MOP|Caller} {calling to report|reporting|ringing from <place> to say} {that|}"],
    "Third party": ["Caller {is ringing on behalf of|reporting on behalf of|calling for} <vs>{,|.} "
                    "{States|Says} "
                    "{that|}", "Caller {reports|states} {that|}"],
    "Other agency": ["<agency^> {reports|requesting police attendance:|calling to report|request police,} "
                     "{that|}"],
    "Business": ["{Manager|Staff member|Keyholder|Caller, the manager,|Store security} "
                 "{reports|states|calling "
                 "to report} {that|}"],
}
ZERO_INTRO = {
    "Third party": ["Caller {reports|states|is reporting} {that|}", "{Neighbour|Caller, a neighbour,} "
                                                                    "{reports|"
                    "calling to say} {that|}", "Caller {ringing to report|calling to say} {that|}"],
}
AGENCY_BY_CODE = {"56B": ["the fire service", "fire control"], "30C": ["the alarm receiving centre",
                                                                      "the alarm company"],
                  "46": ["store security at <shop>", "the shopping centre security team"],
                  "34A": ["the alarm receiving centre", "the shopping centre security team"],
                  "41": ["the area manager"], "58B": ["the council CCTV operator", "the school caretaker"],
                  "49A": ["the garage cashier"]}
AGENCIES = ["ambulance control", "the ambulance crew on scene", "hospital security", "A&E staff",
            "a housing officer", "social services EDT", "door staff at <place>",
            "a taxi marshal", "the council CCTV operator"]
GRADES = {"P1": ["Graded P1 {emergency|immediate}", "{Immediate|Emergency} response", "Grade 1"],
          "P2": ["Graded P2 {priority|urgent}", "Priority response", "Grade 2"],
          "P3": ["Graded P3 {scheduled|appointment}", "{Scheduled|Appointment} response", "Grade 3"]}
RESOURCE = ["{Resourced|Allocated}: <pc1>{ and <pc2>|}", "<pc1> {assigned|deployed|en route}",
            "{Units|Patrol} <pc1>{ / <pc2>|} {dispatched|sent}", "{No units free, log held|Units committed "
            "elsewhere, held} {pending|until} <pc1> {available|clear}"]
ARRIVE_PLAIN = ["{On scene|Arrived|At scene|In attendance}.", "{Arrived at|Attended} <place>.", ""]
ARRIVE = ["{On scene|Arrived|At scene|With IP|In attendance}.", "{On scene with IP|Spoken to IP|Now with "
                                                                "the IP}.",
          "{Arrived at|Attended} {the address|<place>}.", ""]
BUREAU = ["{Crime recorded|Crime created|Crime report validated and recorded|Crime raised}: <ref> "
          "{(<code> <label>)|<label>|- <label>}", "Ref <ref> {created|recorded} {as|-} <label>",
          "{Crime|Crime number} <ref> {allocated|issued} (<label_lc>)"]
LATE_WHY = ["Log identified in the daily audit of open logs.", "Crime report received late, officer on rest "
            "days.", "Returned by supervisor for a crime to be raised.", "Officer had not submitted the "
                                                                         "crime "
            "report.", "Picked up on review of DA logs.", "Crime report found in the officer's tray.",
            "Log re-opened following complaint from IP."]
NOT_BELIEVED = [
    "{Spoke to IP who is {heavily intoxicated|drunk|very emotional}|IP {is intoxicated|has been drinking} "
    "and} "
    "{has given differing accounts|keeps changing <pp> story|is vague about what happened}. <nb_seen> "
    "{Other party denies it.|Suspect denies any offence.|Neighbour heard nothing.} "
    "{I do not believe an offence has occurred|Not satisfied any offence took place|In my opinion no crime "
    "has been committed|I don't believe the IP's account}. {No crime|NFA|Closing as no offences}",
    "{IP's account does not match what <sus> says|Two versions of events}. {Nothing to corroborate|No "
    "independent witnesses|No CCTV}. {Not believed to be genuine|I don't think it happened as described}. "
    "{No crime|No offences}",
]
NOT_BELIEVED_PROPERTY = [
    "IP {thinks|insists} <item> was stolen but {it is more likely it was lost|I believe it has been mislaid|"
    "<ps> can't say when <ps> last had it}. {Treat as lost property|Lost property ref given|No crime}",
]
CRI = ["IP {does not want to make a complaint|does not want police action|refuses to give a statement} "
       "{but confirms what happened|although <ps> confirms the {assault|offence}|}. {Closed as crime "
       "related incident|CRI - no crime|Crime related incident only}",
       "{IP confirms the account but|IP} {just wants it logged|wants words of advice given to <sus>}. "
       "{Words of advice given|Suspect spoken to}. {CRI|Close as crime related incident}"]
DECLINED = ["{IP no longer wants to pursue it|IP declined to engage|IP did not want to take it further}. "
            "{Closing|Log closed|NFA}",
            "{Several attempts to call IP back|Unable to get hold of IP|Left voicemail for IP}. "
            "{Closing|NFA}"]
OTHER_FORCE = ["{Offence occurred in the Westshire area|This took place over the border in Westshire|"
               "Location is in Westshire}. {To be dealt with by Westshire Police|Passed to neighbouring "
               "force|Westshire to deal}"]
NO_REASON = ["{Advice given|Words of advice given|Parties advised}. {Closing|Nothing further}",
             "{All quiet on arrival|Parties calmed down|Situation resolved}. {No further police action|NFA}",
             "{Spoke to all parties|Dealt with at scene}. {Closing log|Log can close}"]
SAFEGUARD = ["DASH completed, {standard|medium|high} risk", "{Referral to MASH submitted|Safeguarding "
             "referral completed|IDVA referral made|Vulnerable adult referral submitted}", "{Safety advice "
             "given|Safety plan discussed|Crime prevention advice given}{, panic alarm to be fitted|}"]
NO_SAFEGUARD = ["{No DASH completed|DASH not done}", "{No safeguarding required|No referral made}"]
INVESTIGATE = ["{CCTV requested from <place>|House to house conducted on <street>|Suspect spoken to|"
               "Suspect arrested and interviewed|Statement obtained from IP|Photographs of injuries taken}",
               "{Area search conducted|Enquiries made with neighbours|Witness details obtained}"]
NO_INVESTIGATE = ["{No further enquiries|No lines of enquiry|No further action}", ""]
SUPERVISOR = ["{Log reviewed|Reviewed}, {happy with actions|closure agreed|agree with rationale|ok to close}",
              "{Supervisor review|Reviewed by PS}: {actions appropriate|satisfied}"]
CLOSE = ["{Log closed|Closing}. {Closing code|Closed as|Final classification}: <closing>",
         "{Closed|Log closed} <closing>", "{Closing code|Closure}: <closing>{. Log closed|}"]


def _rel(rng: random.Random, vsex: str | None, age: int | None, owner: str) -> str:
    """How a third-party caller names the victim: 'her daughter', 'his neighbour'."""
    f = vsex == "F"
    if age is not None and age < 30:
        word = rng.choice(["daughter", "step-daughter", "niece"] if f else ["son", "step-son", "nephew"])
    elif age is not None and age > 60:
        word = rng.choice(["mum", "mother", "nan", "neighbour"] if f else
                          ["dad", "father", "grandad", "neighbour"])
    else:
        word = rng.choice(["sister", "friend", "neighbour", "colleague"] if f else
                          ["brother", "friend", "neighbour", "flatmate"])
    return f"{owner} {word}"


def _witness_ref(rng: random.Random, vsex: str | None, age: int | None) -> str:
    f = vsex == "F"
    if age is not None and age < 18:
        return rng.choice(["a teenage girl", "a girl"] if f else ["a teenage lad", "a boy"])
    if age is not None and age > 65:
        return rng.choice(["an elderly woman", "an elderly lady"] if f else ["an elderly man", "an old man"])
    return rng.choice(["a female", "a woman", "a young woman"] if f else ["a male", "a man", "a young lad"])


def _suspect(rng: random.Random, flavour: str, vsex: str | None, code: str,
             owner: str) -> tuple[str, str, str]:
    """Suspect phrase from the owner's point of view, with pronouns (subject, object)."""
    if flavour == "domestic":
        if vsex == "M":
            word = rng.choice(["partner", "ex-partner", "girlfriend", "wife", "son", "brother"])
            male = word in ("son", "brother") or (word in ("partner", "ex-partner") and rng.random() < 0.2)
        else:
            word = rng.choice(["partner", "ex-partner", "husband", "boyfriend", "ex-boyfriend", "son",
                               "estranged husband", "partner", "ex-partner"])
            male = True
        return f"{owner} {word}", ("he" if male else "she"), ("him" if male else "her")
    if flavour == "acquaintance" or code.startswith("19"):
        opts = ["a male <ps> knows", "a neighbour", "a former friend", "a man from the pub",
                f"a male known to <po> as {rng.choice(NAMES)}", "<pp> friend's boyfriend", "a work colleague",
                "a man <ps> met online", "<pp> landlord", "the neighbour's son",
                f"a lad called {rng.choice(NAMES)}",
                "a man <ps> met on a night out"]
        return rng.choice(opts), "he", "him"
    opts = ["an unknown male", "a male", "a male in a grey hoodie", "a drunk male", "a male in his 20s",
            "a large male with a shaved head", "a male on a bike", "a male in a black North Face jacket",
            "a man <ps> has never seen before", "one of a group of lads", "a male wearing a cap",
            "a skinny male with a tattoo on his neck", "a bouncer", "a male in a white tracksuit"]
    return rng.choice(opts), "he", "him"


def context(rng: random.Random, case: Case, c: CrimeTruth, streets: list[Place]) -> tuple[dict, dict]:
    """Two contexts for one crime: as the caller tells it, and as the victim (IP) tells the officer."""
    ps, po, pp = PRON[c.victim_sex if c.victim_sex in ("F", "M") else None]
    place: Place = case.place or rng.choice(streets)
    street_place = place if not place.poi else rng.choice(streets)
    home = bool(case.params.get("home"))
    base = {"ps": ps, "po": po, "pp": pp, "place": place.phrase(rng, house=home), "street": street_place.street,
            "veh": rng.choice(VEHICLES), "when": rng.choice(WHEN), "money": rng.choice(MONEY),
            "shop": rng.choice(SHOPS), "age": str(c.victim_age or 15)}
    if c.code in ("46", "34A"):
        base["place"] = base["shop"]
    elif c.code == "49A":
        base["place"] = rng.choice(POI_PHRASES["Petrol Station"])
    base["inj"] = expand(rng, rng.choice(INJURIES), base, upper=False)
    base["inj2"] = expand(rng, rng.choice(INJURIES), {"pp": "their"}, upper=False)
    base["noinj"] = expand(rng, rng.choice(NO_INJURY), base, upper=False)
    items = rng.sample(ITEMS, 2)
    base["item"] = expand(rng, items[0], base, upper=False)
    base["item2"] = expand(rng, items[1], base, upper=False)
    caller = case.caller or "Victim"
    if caller == "Victim":
        vs, vo, vp = ps, po, pp
    elif caller == "Third party":
        vs = _rel(rng, c.victim_sex, c.victim_age, rng.choice(["her", "his", "her"]))
        vo, vp = vs, f"{vs}'s"
    else:
        vs = _witness_ref(rng, c.victim_sex, c.victim_age)
        vo, vp = vs, f"{vs}'s"
    flavour = case.params.get("flavour", "")
    sus_ip, sp, spo = _suspect(rng, flavour, c.victim_sex, c.code, pp)
    sus_call = sus_ip if flavour != "domestic" else f"{vp} {sus_ip.split(' ', 1)[1]}"
    sus_ip, sus_call = expand(rng, sus_ip, base, upper=False), expand(rng, sus_call, base, upper=False)
    agency = expand(rng, rng.choice(AGENCY_BY_CODE.get(c.code, AGENCIES)), base, upper=False)
    base["poe"] = rng.choice(["the back door", "a rear window", "the patio door", "the kitchen window",
                              "the front door", "a side door", "the bathroom window"])
    base["poe_how"] = rng.choice(["forced", "smashed", "jemmied", "kicked in", "prised open"])
    call = {**base, "vs": vs, "vo": vo, "vp": vp, "sus": sus_call, "sp": sp, "spo": spo, "first": vs,
            "csex": "female" if (c.victim_sex == "F") else "male", "agency": agency}
    ip = {**base, "vs": "IP", "vo": "IP", "vp": "IP's", "sus": sus_ip, "sp": sp, "spo": spo}
    return call, ip


def sentence(text: str) -> str:
    text = text.rstrip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def definite(text: str, phrase: str) -> str:
    """After the first 'a woman', say 'the woman'."""
    if not phrase.startswith(("a ", "an ")):
        return text
    i = text.lower().find(phrase.lower())
    if i < 0:
        return text
    noun = phrase.split(" ", 1)[1]
    head, tail = text[:i + len(phrase)], text[i + len(phrase):]
    tail = re.sub(rf"\b([Aa])n? {re.escape(noun)}\b",
                  lambda m: ("The " if m.group(1) == "A" else "the ") + noun, tail)
    return head + tail


def _code_text(rng: random.Random, code: str, part: str, ctx: dict) -> str:
    opts = OFFENCES.get(code, {}).get(part) or OFFENCES.get(code, {}).get("report") or ["an offence"]
    return expand(rng, rng.choice(opts), ctx)


def _bureau(rng: random.Random, c: CrimeTruth) -> str:
    cls = lookup(c.recorded_code)
    label = cls.label if cls else c.recorded_code
    return expand(rng, rng.choice(BUREAU), {"ref": c.ref, "code": c.recorded_code, "label": label,
                                            "label_lc": label.lower()})


FOUND_AT_SCENE = {"92D", "92E", "92A", "10D", "10C", "33", "54"}


def _grade(rng: random.Random, case: Case) -> str:
    codes = {c.code for c in case.crimes}
    if codes & FOUND_AT_SCENE:
        return "P2"
    if any(c.role == "later" for c in case.crimes):
        return rng.choice(["P1", "P2"])
    urgent = {"8N", "5D", "34B", "34A", "19C", "19F", "19D", "3B", "10D"}
    if codes & urgent or case.params.get("flavour") == "domestic":
        return "P1" if rng.random() < 0.8 else "P2"
    if codes & {"28E", "28G", "105A", "20A", "9B", "46"}:
        return rng.choice(["P1", "P2", "P2"])
    return rng.choice(["P2", "P3", "P3"])


def _dispatch(rng: random.Random, log: Log, grade: str, pc1: str, pc2: str, crime: bool = True) -> float:
    """Dispatcher entries; returns minutes after receipt when the officer arrives."""
    t = rng.uniform(1, 6)
    text = expand(rng, f"{rng.choice(GRADES[grade])}. {rng.choice(RESOURCE)}", {"pc1": pc1, "pc2": pc2})
    log.add(t, "Dispatcher", text)
    if grade == "P1":
        arrive = t + rng.uniform(6, 25)
    elif grade == "P2":
        arrive = t + rng.uniform(25, 150)
    else:
        arrive = t + rng.uniform(18, 50) * 60
        log.add(t + rng.uniform(2, 20), "Dispatcher", expand(
            rng, "{Appointment made|Appointment booked|Caller happy with appointment} for {tomorrow|the next "
                 "day|<day>} {am|pm|at 1000|at 1400|at 1800}", {"day": (log.start + timedelta(
                     minutes=arrive)).strftime("%A")}))
    if rng.random() < 0.15 and grade != "P3":
        news = "{asking for ETA|suspect has {left|returned}|situation calmer}" if crime else \
            "{asking for ETA|situation calmer|now quieter|still ongoing}"
        log.add(t + rng.uniform(1, max(2, arrive - t - 1)), "Dispatcher", expand(
            rng, "{Caller called back|Second call from caller}, " + news))
    return arrive


def crime_log(rng: random.Random, case: Case, slot: Slot, streets: list[Place]) -> str:
    """The log of an incident with crimes in it; also sets case.closing."""
    log = Log(slot.received_at)
    outset = [c for c in case.crimes if c.role != "later"]
    later = [c for c in case.crimes if c.role == "later"]
    main = outset[0]
    call, ip = context(rng, case, main, streets)
    pc1, pc2 = officer(rng), officer(rng)
    author = f"Attending officer {pc1}"
    # the call
    intro_key = "Business" if case.caller == "Victim" and main.victim_sex is None else case.caller or "Victim"
    report = f"{rng.choice(INTRO[intro_key])} {rng.choice(OFFENCES[main.code]['report'])}"
    for extra in outset[1:]:
        report += _also_text(rng, case.params.get("pair", ""), extra)
    more = _call_details(rng, case, main, call)
    log.add(0, "Call taker", definite(definite(expand(rng, report, call), call["first"]), call["sus"]), *more)
    if rng.random() < 0.35:
        log.add(rng.uniform(0.5, 3), "Call taker", expand(rng, rng.choice(THRIVE), call))
    arrive = _dispatch(rng, log, _grade(rng, case), pc1, pc2)
    if main.code in FOUND_AT_SCENE and main.recorded:  # nothing to record until the officer finds it
        arrive = max(6.0, min(arrive, main.delay_h * 60 - rng.uniform(8, 30)))
    if later:  # the officer is there before anything further comes out
        arrive = max(6.0, min(arrive, min(c.later_h for c in later) * 60 - rng.uniform(30, 60)))
    # the officer
    arrive_text = rng.choice(ARRIVE if main.victim_sex else ARRIVE_PLAIN)
    if main.reason == "Victim not believed":  # the IP's account, with nothing the officer saw for himself
        claim = {**ip, "vs": ip["ps"], "vo": ip["po"], "vp": ip["pp"]}
        said = expand(rng, rng.choice(OFFENCES[main.code]["report"]), claim, upper=False)
        account = sentence(expand(rng, f"{arrive_text} IP {{states|alleges|claims|says}} {said}", ip))
    else:
        account = sentence(expand(rng, f"{arrive_text} {rng.choice(OFFENCES[main.code]['account'])}", ip))
    for extra in outset[1:]:
        if extra.role == "also" and case.params.get("pair") == "second victim":
            hurt = "{also has <inj2>|was also hit and has <inj2>}" if extra.code == "8N" else \
                "{was also pushed, no injury|was also assaulted, not injured}"
            who = "{A second victim|Second IP|The IP's {friend|brother|partner}} "
            account += " " + expand(rng, who + hurt + ".", ip)
        elif extra.role == "also" and case.params.get("pair") == "second car":
            account += " " + expand(rng, "{A second vehicle|The neighbour's car|Another car nearby} {also "
                                         "damaged|"
                                         "also has damage|has also been done}.", ip)
        elif extra.role == "also":
            account += " " + sentence(expand(rng, rng.choice(OFFENCES[extra.code]["account"]), ip))
    log.add(arrive, author, account)
    t = arrive + rng.uniform(15, 70)
    t = _outcomes(rng, log, case, outset, t, author, ip, slot)
    for c in later:
        lt = c.later_h * 60
        who = rng.choice([author, f"Attending officer {pc2}", "Attending officer " + officer(rng)])
        lead = rng.choice(["Revisited IP.", "Follow-up visit.", "Further to above,", "Return visit to take "
                                                                                   "statement.", ""])
        _call2, ip2 = context(rng, case, c, streets)
        ip2["sus"] = ip["sus"]
        log.add(lt, who, expand(rng, f"{lead} {rng.choice(OFFENCES[c.code]['later'])}", ip2))
        t = max(t, lt + rng.uniform(10, 60))
        t = _outcomes(rng, log, case, [c], t, who, ip2, slot)
    if rng.random() < 0.3:
        log.add(t, f"Supervisor {officer(rng, 'PS')}", expand(rng, rng.choice(SUPERVISOR)))
        t += rng.uniform(2, 30)
    case.closing = _closing(rng, case)
    log.add(t + rng.uniform(1, 20), "Dispatcher", expand(rng, rng.choice(CLOSE), {"closing": case.closing}))
    return log.render()


SECOND_VICTIM = ". {<vp^> friend|A second male|Another female|A passer-by|Someone else} who {tried to " \
    "intervene|stepped in|was with <vo>} was also {punched|hit|assaulted}"


def _also_text(rng: random.Random, pair: str, extra: CrimeTruth) -> str:
    """The second crime as the caller adds it to the first."""
    if pair == "second victim":
        hurt = " {and has <inj2>|, leaving <inj2>}" if extra.code == "8N" else \
            "{, no injury| but is not hurt|}"
        return SECOND_VICTIM + hurt
    also = OFFENCES.get(extra.code, {}).get("also") or [" and {has also|also} committed a further offence"]
    return rng.choice(also)


THRIVE = ["THRIVE: {threat|risk} {low|medium|high}, {caller safe|suspect not present|suspect still on scene}",
          "Risk assessed: {vulnerable caller|repeat caller|no vulnerability identified}",
          "{Advised caller to stay on the line|Caller advised to keep doors locked|Caller told not to touch "
          "anything}", "Caller {given|provided with} an incident number"]


def _call_details(rng: random.Random, case: Case, main: CrimeTruth, call: dict) -> list[str]:
    """Untimed continuation lines of the call taker's first entry."""
    lines = []
    if main.code in ("8N", "105A", "5D", "34B", "9A", "9B", "20A", "3B") and rng.random() < 0.5:
        sx = "female" if call.get("sp") == "she" else "male"
        lines.append(expand(rng, "Suspect: " + sx + "{|, white|, Asian|, black|, white}, {20s|30s|40s|late "
                                                    "teens}, "
                                 "{dark clothing|grey trackies|jeans and a hoodie|blue jacket}", call)
                     if case.params.get("flavour") != "domestic" else
                     expand(rng, "Suspect {still at the address|has left in a <veh>|left on foot towards "
                                 "<street>|whereabouts unknown}", call))
    if main.code in ("8N", "5D") and rng.random() < 0.5:
        lines.append(expand(rng, "Ambulance {not required|requested|declined by IP|en route}", call))
    if case.params.get("flavour") == "domestic" and rng.random() < 0.6:
        lines.append(expand(rng, "{Children present|No children in the house|Two children asleep upstairs|"
                                 "Baby in the house}. {Previous DA logs at address|No previous logs|"
                                 "{2|3|4} previous logs at address}", call))
    if rng.random() < 0.25:
        lines.append(expand(rng, "Caller {very distressed|calm|crying|intoxicated|angry}, {wants police to "
                                 "attend|wants it logged|requests a call back|wants to speak to an officer}",
                            call))
    return lines


def _outcomes(rng: random.Random, log: Log, case: Case, crimes: list[CrimeTruth], t: float, author: str,
              ip: dict, slot: Slot) -> float:
    """What happened to each crime: recording entries, or the entries that explain (or fail to explain) why
    it was not recorded. Returns the time reached."""
    recorded = [c for c in crimes if c.recorded]
    if recorded:
        first = min(slot.at(c.delay_h) for c in recorded)
        if first < log.start + timedelta(minutes=t):
            text = ("{Crime already recorded|Crime already raised by the crime bureau|Crime already on "
                    "Niche}{, IP updated|, statement taken|}.")
        elif len(recorded) > 1:
            text = ("{Crime report submitted|Crime reported|Crime report completed on Niche|Crime raised|"
                    "Crime to be recorded}{ for both|}.")
        else:
            text = "{Crime report submitted|Crime reported|Crime report completed|Crime raised|Crime to be " \
                   "recorded}" + ("{, IP given crime prevention advice|}." if recorded[0].victim_sex and
                                group_of(recorded[0].code) == "other" else ".")
        log.add(t, author, expand(rng, text))
        for c in recorded:
            at = slot.at(c.delay_h)
            if c.linked:
                why = rng.choice(LATE_WHY) + " " if c.late else ""
                log.add_at(at, "Crime bureau", why + _bureau(rng, c))
            elif rng.random() < 0.5:
                log.add_at(at, "Crime bureau", expand(rng, "{Crime report received and recorded|Crime "
                                                           "recorded, "
                                                          "ref to follow|Recorded on Niche}"))
        for c in crimes:
            if not c.recorded and c.reason == "One crime recorded for several":
                log.add(t + 1, author, expand(rng, "{One crime recorded for the incident|Single crime raised "
                                                   "for all|Recorded as one crime}"))
    for c in crimes:
        if c.recorded:
            continue
        t += rng.uniform(5, 40)
        if c.reason == "Victim not believed":
            opts = NOT_BELIEVED_PROPERTY if c.code in ("49", "40") else NOT_BELIEVED
            seen = "{Injury could be from a fall.|<ps^> may have got the injury elsewhere.|}" \
                if c.code == "8N" else "{No visible injuries.|No marks seen.|}"
            log.add(t, author, expand(rng, rng.choice(opts), {**ip, "nb_seen": expand(rng, seen, ip)}))
        elif c.reason == "Treated as crime-related incident":
            log.add(t, author, expand(rng, rng.choice(CRI), ip))
        elif c.reason == "Victim declined to confirm (no rationale)":
            log.add(t, author, expand(rng, rng.choice(DECLINED), ip))
        elif c.reason == "Recorded by another force without evidence of transfer":
            log.add(t, author, expand(rng, rng.choice(OTHER_FORCE), ip))
        elif c.reason == "No discernible reason":
            log.add(t, author, expand(rng, rng.choice(NO_REASON), ip))
        if c.safeguarding:
            log.add(t + rng.uniform(1, 15), author, expand(rng, rng.choice(SAFEGUARD), ip))
        elif c.domestic and rng.random() < 0.6:
            log.add(t + rng.uniform(1, 15), author, expand(rng, rng.choice(NO_SAFEGUARD), ip))
        if c.investigation:
            log.add(t + rng.uniform(5, 25), author, expand(rng, rng.choice(INVESTIGATE), ip))
        else:
            text = expand(rng, rng.choice(NO_INVESTIGATE), ip)
            if text:
                log.add(t + rng.uniform(5, 25), author, text)
        t += 25
    return t


def _closing(rng: random.Random, case: Case) -> str:
    if any(c.recorded for c in case.crimes):
        return "Crime"
    if case.closing:
        return case.closing
    reasons = {c.reason for c in case.crimes}
    if case.params.get("flavour") == "domestic":
        return "Domestic Incident"
    if "Victim not believed" in reasons and case.crimes[0].code in ("49", "40"):
        return "Lost/Found Property/Person"
    if case.opening and case.opening != "Crime":
        return rng.choice([case.opening, case.opening, "Civil Disputes"])
    return rng.choice(["ASB - Personal", "Civil Disputes", "Suspicious Circumstances/Insecure premises or "
                                                           "vehicles"])


def zero_log(rng: random.Random, case: Case, slot: Slot, streets: list[Place]) -> str:
    """A log with no crime at the outset (later crimes, if any, come through the officer)."""
    kind = ZERO[case.params["zero"]]
    log = Log(slot.received_at)
    vsex = rng.choice(["F", "M"])
    fake = CrimeTruth("", recorded=False, victim_sex=vsex, victim_age=rng.randint(18, 80))
    call, ip = context(rng, case, fake, streets)
    caller = case.caller or "Victim"
    intro = "" if kind.names_caller else rng.choice(ZERO_INTRO.get(caller) or INTRO[caller])
    log.add(0, "Call taker", definite(expand(rng, f"{intro} {rng.choice(kind.report)}", call), call["first"]),
            *([expand(rng, rng.choice(THRIVE), call)] if rng.random() < 0.3 else []))
    pc1, pc2 = officer(rng), officer(rng)
    author = f"Attending officer {pc1}"
    if case.params.get("attend"):
        grade = kind.grade or ("P1" if kind.key == "concern" else rng.choice(["P2", "P3"]))
        arrive = _dispatch(rng, log, grade, pc1, pc2, crime=False)
        log.add(arrive, author, expand(rng, f"{rng.choice(ARRIVE_PLAIN)} {rng.choice(kind.outcome)}", ip))
        t = arrive + rng.uniform(10, 60)
    else:
        t = rng.uniform(3, 40)
        phone = kind.phone or ("{Advice given to caller|Caller given advice|Logged for information|Passed "
                               "to the "
                               "neighbourhood team|Patrols to be made aware}{, caller happy|}",)
        log.add(t, rng.choice(["Call taker", "Dispatcher"]), expand(
            rng, "{No deployment|No attendance required|Dealt with by phone}. " + rng.choice(phone), ip))
        t += rng.uniform(1, 10)
    for c in case.crimes:  # crimes disclosed later (the zero-status kinds that turn out not to be)
        _call2, ip2 = context(rng, case, c, streets)
        sus = expand(rng, rng.choice(["<pp> partner", "<pp> ex-partner", "<pp> boyfriend", "<pp> husband"]),
                     ip2).lower() if c.domestic else ip2["sus"]
        ip2["sus"] = sus
        lt = c.later_h * 60
        lead = rng.choice(["On speaking to IP alone,", "Further to above,", "Revisited.", "Follow-up call "
                                                                                          "to IP."])
        log.add(lt, author, expand(rng, f"{lead} {rng.choice(OFFENCES[c.code]['later'])}", ip2))
        t = max(t, lt + rng.uniform(10, 50))
        t = _outcomes(rng, log, case, [c], t, author, ip2, slot)
    if case.crimes and any(c.recorded for c in case.crimes):
        case.closing = "Crime"
    else:
        case.closing = kind.closing
    if rng.random() < 0.12:
        log.add(t, f"Supervisor {officer(rng, 'PS')}", expand(rng, rng.choice(SUPERVISOR)))
    log.add(t + rng.uniform(1, 15), "Dispatcher", expand(rng, rng.choice(CLOSE), {"closing": case.closing}))
    return log.render()
