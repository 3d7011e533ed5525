"""Out-of-court disposals, cancelled crimes (no-crimes) and N100 records: their truth and their text.

Each record's check answers are decided first (e.g. an offender unsuitable for a caution) and the record is
then written to show it (a previous caution for the same offence in the history), so the answer key holds.
N100 records were introduced in April 2015; the sample holds some anyway, as the workbench audits them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cdi_workbench.classification import lookup

from .model import Case, CrimeTruth, Slot
from .narratives import _bureau, context
from .offences import SHOPS
from .places import Geography, Place
from .text import Log, expand, officer

DISPOSAL_TYPES = ["Caution", "Penalty notice for disorder", "Cannabis warning", "Community resolution"]
DISPOSAL_CODES = {
    "Caution": ["46", "105A", "58C", "58A", "49", "92E", "8N", "9A", "45"],
    "Penalty notice for disorder": ["46", "58D", "58C", "49", "9A"],
    "Cannabis warning": ["92D"],
    "Community resolution": ["105A", "58A", "58C", "58D", "46", "49", "9A"],
}
OUTCOME = {"Caution": "Offender given a caution", "Penalty notice for disorder": "Offender given penalty "
                                                                                 "notice",
           "Cannabis warning": "Offender given a drugs possession warning", "Community resolution": "Local "
                                                                                                    "resolution"}


@dataclass
class DisposalCase:
    dtype: str
    code: str
    checks: dict[str, bool]
    victim: str | None
    tags: set[str] = field(default_factory=set)
    crime: CrimeTruth | None = None
    lag_h: float = 0.0  # hours from the crime's recording to the disposal

    def stratum(self) -> str:
        return self.dtype


def plan_disposal(rng: random.Random, dtype: str) -> DisposalCase:
    code = rng.choice(DISPOSAL_CODES[dtype])
    has_victim = code not in ("92D", "92E") and not (code == "9A" and rng.random() < 0.5)
    checks = {"offender_suitable": rng.random() < (0.8 if dtype != "Community resolution" else 0.85),
              "offender_made_aware": rng.random() < 0.84, "victim_to_consult": has_victim}
    if has_victim:
        checks["victim_views_considered"] = rng.random() < (0.75 if dtype == "Community resolution" else 0.5)
    if dtype == "Community resolution":
        checks["outcome_appropriate"] = rng.random() < 0.8
    tags = {k for k, v in checks.items() if v is False and k != "victim_to_consult"}
    victim = None
    if has_victim:
        victim = expand(rng, {"46": "Store manager, <shop>", "105A": "{Female|Male}, {19|24|31|38|45|52}",
                              "8N": "{Female|Male}, {22|27|35|41}", "9A": "{Female|Male} member of the "
                                                                          "public",
                              "49": "Owner of the property", "45": "Owner of the vehicle"}.get(
            code, "{Householder|Owner of the vehicle|Resident|Neighbour}"), {"shop": rng.choice(SHOPS)})
    return DisposalCase(dtype, code, checks, victim, tags, lag_h=rng.uniform(2, 30 * 24))


HISTORY_OK = ["No previous convictions or cautions", "No previous contact with police", "No PNC record",
              "One previous conviction for drink driving ({2008|2009|2010})", "Reprimand as a juvenile "
                                                                              "({2004|"
              "2005|2006}) for criminal damage", "No previous offending, one intelligence report"]
HISTORY_BAD = {
    "Caution": ["Cautioned for {shoplifting|theft} in {2012|2013}, same offence type within two years",
                "{4|6|9} previous convictions including {theft|assault|burglary}",
                "Currently on bail for {burglary|assault}; {3|5} previous convictions"],
    "Penalty notice for disorder": ["Previous PND for retail theft in {2012|2013}",
                                    "{5|7|11} previous convictions for theft", "On licence from prison"],
    "Cannabis warning": ["Cannabis warning issued {2012|2013}: a second warning is not an option",
                         "Found with {12 deal bags|28g and scales|£400 cash and deal bags} (indicates "
                         "supply)",
                         "Aged {15|16|17}: cannabis warnings are for adults only"],
    "Community resolution": ["{3|4|6} previous convictions for violence",
                             "Community resolution for the same offence in {2013|late 2013}",
                             "Offence is domestic abuse (partner): not suitable for a community resolution"],
}
AWARE = ["Offender {signed the disposal form|read and signed the form}", "Implications explained to "
                                                                         "offender, "
         "including disclosure on enhanced DBS checks; {form signed|signed}", "Offender {accepted the "
                                                                              "{caution|"
         "disposal} after the implications were explained|confirmed understanding of the implications}"]
NOT_AWARE = ["{Form not signed|No signature on the form}", "No record the offender was told the disposal is "
             "recordable", "Offender's acceptance not recorded"]
VIEWS = ["Victim {consulted by phone|spoken to in person|contacted} {before the disposal|on the day}, "
         "{happy with|agrees with|supports} the outcome", "Victim's views obtained: {content with the "
                                                          "outcome|"
         "wanted an apology, agreed}"]
NO_VIEWS = ["{No record of the victim being consulted|Victim not contacted}", ""]
CR_GOOD = ["Offender to pay £{40|60|120|250} compensation for the damage", "Letter of apology and repair of "
                                                                           "the "
           "{fence|window} agreed with the victim", "Offender to pay for the goods and banned from the store "
           "for 12 months", "Restorative meeting held, apology given and accepted"]
CR_BAD = ["Words of advice only", "Offender told not to do it again", "No agreed outcome recorded",
          "Letter of apology only (victim had asked for £300 repair costs)"]


def disposal_notes(rng: random.Random, d: DisposalCase, issued: datetime) -> tuple[str, str]:
    """(offender history, notes) written to show the case's answers."""
    history = expand(rng, rng.choice(HISTORY_OK if d.checks["offender_suitable"] else HISTORY_BAD[d.dtype]))
    log = Log(issued)
    pc = officer(rng)
    label = (lookup(d.code).label if lookup(d.code) else d.code).lower()
    log.add(-rng.uniform(30, 300), f"Officer in case {pc}", expand(
        rng, "{Offender admitted the offence in interview|Full admission|Offender admits the offence} "
             "(<label>). {Disposal authorised by|Authorised by} {PS|Inspector} {<n>|<m>}",
        {"label": label, "n": str(rng.randint(100, 999)), "m": str(rng.randint(100, 999))}))
    if d.checks.get("victim_to_consult"):
        text = expand(rng, rng.choice(VIEWS if d.checks.get("victim_views_considered") else NO_VIEWS))
        if text:
            log.add(-rng.uniform(5, 25), f"Officer in case {pc}", text)
    elif d.code in ("92D", "92E"):
        log.add(-rng.uniform(5, 25), f"Officer in case {pc}", "No identifiable victim")
    log.add(0, f"Officer in case {pc}", expand(rng, rng.choice(
        AWARE if d.checks["offender_made_aware"] else NOT_AWARE)))
    if d.dtype == "Community resolution":
        log.add(rng.uniform(1, 30), f"Officer in case {pc}", expand(
            rng, "Agreed outcome: " + rng.choice(CR_GOOD if d.checks["outcome_appropriate"] else CR_BAD)))
    return history, log.render()


# ---- cancellations --------------------------------------------------------------------------------------
# by the offence groups inspections dip-sample cancellations in (classification.CANCELLATION_GROUPS); each code's
# group is the one classification.cancellation_group_of_code gives it
CANCEL_CODES = {"rape": ["19C", "19C", "19D", "19F"], "sexual": ["20A", "17A", "22B", "88E", "20A"],
                "vap": ["8N", "105A", "8L", "8R", "3B", "105A"],
                "robbery": ["34B", "34B", "34B", "34A"],
                "burglary": ["28E", "28E", "28F", "30C", "28G"],
                "other": ["49", "58C", "48", "46", "44", "58A"]}
CANCEL_COUNTS = {"rape": 30, "sexual": 25, "vap": 45, "robbery": 20, "burglary": 20, "other": 30}
AVI = {
    "rape": ["CCTV and ANPR show the suspect was in {Manchester|Leeds|London} at the time; IP accepts this",
             "IP retracted and admitted the allegation was invented after an argument; retraction supported "
             "by "
             "text messages sent at the time",
             "Offence occurred in West Yorkshire; transferred, their reference WY/{2014|14}/{4471|8810|1207}",
             "Duplicate of <dup>, same victim and offence"],
    "sexual": ["Venue CCTV shows the suspect did not touch the IP; IP viewed it and accepts she was mistaken",
               "Duplicate of <dup>, same victim and offence",
               "Offence occurred in the Westshire area; transferred with reference WS/14/{3301|5120|7782}",
               "Independent witness and CCTV show the contact was accidental in a crowded bus; IP agrees"],
    "vap": ["CCTV shows the IP's injury was caused by a fall, not an assault; IP accepts this",
            "Duplicate of <dup>, same victim and offence",
            "Offence occurred in the Westshire area; transferred with reference WS/14/{3301|5120|7782}",
            "The messages were sent by the IP's own phone, confirmed by phone download; IP admits this"],
    "robbery": ["CCTV shows the IP handed the phone to the suspect and it was returned the next day; no force "
                "used or threatened, IP accepts this",
                "Duplicate of <dup>, same victim and offence",
                "Offence occurred in the Westshire area; transferred with reference WS/14/{3301|5120|7782}",
                "IP admitted the {wallet|phone|bag} was lost on a night out and the robbery was reported for the "
                "insurance claim"],
    "burglary": ["Nothing was taken and no entry made: the {door|window} was damaged by the IP's own {son|lodger} "
                 "locking himself out, verified with the IP",
                 "Duplicate of <dup>, same victim and offence",
                 "The {tools|bike|laptop} reported stolen were found lent to a neighbour; IP confirms",
                 "Offence occurred in the Westshire area; transferred with reference WS/14/{3301|5120|7782}"],
    "other": ["{Property|The phone|The bike} found at IP's home, not stolen; IP confirms",
              "CCTV shows the damage was caused accidentally by a delivery lorry",
              "Duplicate of <dup>, same victim and offence", "Offence occurred in the Westshire area; "
              "transferred with reference WS/14/{3301|5120|7782}",
              "Vehicle had been taken by the owner's son with permission, verified with the owner"],
}
NO_AVI = ["IP does not wish to support a prosecution", "No independent evidence to support the allegation",
          "Suspect denies the offence", "IP cannot be contacted", "IP was intoxicated and the account is "
          "unreliable", "CPS advised no further action"]
REASON_FOR = {"AVI": "Additional verifiable information: no crime", "error": "Recorded in error",
              "transfer": "Transferred to another force"}


@dataclass
class CancelCase:
    group: str
    code: str
    checks: dict[str, bool]
    decided_by: str
    tags: set[str] = field(default_factory=set)
    crime: CrimeTruth | None = None

    def stratum(self) -> str:
        return self.group


def plan_cancellation(rng: random.Random, group: str) -> CancelCase:
    code = rng.choice(CANCEL_CODES[group])
    correct = rng.random() < (0.8 if group == "rape" else 0.86)
    authorised = rng.random() < 0.85
    if group == "rape":
        who = "Force crime registrar" if authorised else rng.choice(["Designated decision maker",
                                                                    "Detective sergeant (PPU)"])
    else:
        ok = ["Designated decision maker", "Designated decision maker", "Force crime registrar"]
        who = rng.choice(ok if authorised else ["Response sergeant", "Investigating officer", "Crime bureau "
                                                                                              "staff"])
    checks = {"decision_correct": correct, "authorised_decision_maker": authorised,
              "victim_informed": rng.random() < 0.8}
    tags = {k for k, v in checks.items() if not v}
    return CancelCase(group, code, checks, who, tags)


def cancellation_text(rng: random.Random, c: CancelCase, at: datetime, dup: str) -> tuple[str, str]:
    """(reason, notes) for a cancelled crime."""
    pc = officer(rng)
    log = Log(at)
    if c.checks["decision_correct"]:
        avi = expand(rng, rng.choice(AVI[c.group]), {"dup": dup})
        kind = "transfer" if "transferred" in avi else "error" if "Duplicate" in avi else "AVI"
    else:
        avi, kind = expand(rng, rng.choice(NO_AVI)), "AVI"
    log.add(-rng.uniform(24 * 60, 10 * 24 * 60), f"Investigating officer {pc}", f"Request to cancel: {avi}")
    log.add(0, c.decided_by, expand(rng, "{Decision: crime cancelled|Cancellation agreed|No-crime "
                                         "authorised}. "
                                         "{Rationale|Reason}: " + avi))
    if c.checks["victim_informed"]:
        log.add(rng.uniform(60, 72 * 60), f"Investigating officer {pc}", expand(
            rng, "{IP informed of the decision by phone|IP told of the outcome in person|Letter sent to IP "
                 "explaining the decision and IP spoken to}"))
    elif rng.random() < 0.5:
        log.add(rng.uniform(60, 72 * 60), f"Investigating officer {pc}", "Unable to contact IP, no further "
                                                                         "attempts made")
    return REASON_FOR[kind], log.render()


# ---- N100 -------------------------------------------------------------------------------------------------
@dataclass
class N100Case:
    """An N100 and its incident. correct: a report of rape rightly not recorded (victim will not confirm,
    evidence to the contrary, another force's area): an N100 was needed. should_be_rape: the victim's own
    account was not believed: a crime of rape was needed, not an N100. already_recorded: the rape was recorded
    and the N100 is a duplicate. not_rape: a sexual assault, not a report of rape, given an N100."""

    variant: str  # correct | should_be_rape | already_recorded | not_rape
    reason_code: str
    checks: dict[str, bool]
    incident: Case
    delay_h: float
    tags: set[str] = field(default_factory=set)

    def stratum(self) -> str:
        return "n100"


N100_VARIANTS = ["correct"] * 26 + ["should_be_rape"] * 7 + ["already_recorded"] * 4 + ["not_rape"] * 3


def plan_n100(rng: random.Random, geo: Geography, variant: str) -> N100Case:
    """An N100 record and the incident it came from."""
    place: Place = rng.choice(geo.places.get("Violence and sexual offences") or geo.streets)
    age = rng.randint(16, 45)
    inc = Case("incident", "Incident", "n100", caller=rng.choice(["Victim", "Third party"]), place=place,
               opening=rng.choice(["Concern for Safety", "Crime"]), params={"variant": variant,
                                                                           "flavour": "acquaintance"})
    inc.tags.add("n100")
    if variant == "correct":
        code = rng.choice(["100/01"] * 4 + ["100/03"] * 2 + ["100/02"])
        checks = {"n100_needed": True, "should_have_been_rape": False}
        inc.caller = "Victim" if code == "100/03" else "Third party"
        inc.params["reason_code"] = code
        inc.tags.add("zero_status")
    elif variant == "should_be_rape":
        code = rng.choice(["100/02", "100/02", "100/01"])
        checks = {"n100_needed": False, "should_have_been_rape": True}
        inc.caller = "Victim"
        inc.crimes.append(CrimeTruth("19C", recorded=False, reason="Victim not believed", safeguarding=True,
                                     investigation=rng.random() < 0.5, victim_sex="F", victim_age=age))
        inc.tags.add("n100_should_be_rape")
    elif variant == "already_recorded":
        code = "100/01"
        checks = {"n100_needed": False, "should_have_been_rape": False}
        inc.caller = "Victim"
        inc.crimes.append(CrimeTruth("19C", delay_h=round(rng.uniform(1, 40), 2), victim_sex="F",
                                     victim_age=age))
    else:
        code = "100/01"
        checks = {"n100_needed": False, "should_have_been_rape": False}
        inc.crimes.append(CrimeTruth("20A", recorded=False, reason="No discernible reason",
                                     safeguarding=False, investigation=False, victim_sex="F", victim_age=age))
    inc.params["reason_code"] = code
    tags = {"n100_" + variant} if variant != "correct" else set()
    return N100Case(variant, code, checks, inc, round(rng.uniform(2, 96), 2), tags)


N100_CALL = {
    "third": "Caller {states|reports} that <vs> has {told the caller|confided} that she was raped by <sus> "
             "{at the "
             "weekend|last month|after a party}; <vs> {does not want police involvement|asked the caller "
             "not to "
             "tell anyone}",
    "away": "{IP|Caller} {states|reports} she was raped by <sus> {while on holiday in Spain|at a festival in "
            "Leeds|while living in Birmingham} {last year|in 2013|some months ago}",
    "direct": "{IP|Caller} {states|reports|is tearful and says} she was raped by <sus> {last night|at <pp> "
              "address|after a party at <place>}",
    "touch": "{IP|Caller} {states|reports} <sus> {grabbed her breasts|put his hand up her skirt} {in the "
             "club|at a party|on the bus}",
}


def n100_incident_log(rng: random.Random, case: Case, slot: Slot, streets: list[Place], n100_ref: str,
                      n100_delay_h: float) -> str:
    v = case.params["variant"]
    code = case.params["reason_code"]
    probe = case.crimes[0] if case.crimes else CrimeTruth("19C", recorded=False, victim_sex="F",
                                                          victim_age=24)
    call, ip = context(rng, case, probe, streets)
    log = Log(slot.received_at)
    soit = f"SOIT officer {officer(rng, 'DC')}"
    due = n100_delay_h * 60  # minutes to the N100; everything the log says comes before it

    def when(lo: float, hi: float) -> float:
        return due * rng.uniform(lo, hi)

    if v == "correct" and code == "100/01":
        log.add(0, "Call taker", expand(rng, N100_CALL["third"], call))
        log.add(when(0.2, 0.8), soit, expand(rng, "{Spoke to the victim|Made contact with the female} "
                                                         "who {does not confirm|will not confirm} "
                                                         "{an offence|what was said} and does not want to "
                                                         "{report|speak to police}. {SARC and ISVA details "
                                                         "given|"
                                                         "Support services details given}"))
    elif v == "correct" and code == "100/03":
        log.add(0, "Call taker", expand(rng, N100_CALL["away"], call))
        log.add(when(0.2, 0.8), soit, expand(rng, "First account taken. {Offence outside force area|"
                                                        "Location is outside Midshire}: {to be transferred|"
                                                        "transfer to the force concerned}"))
    elif v == "correct":
        log.add(0, "Call taker", expand(rng, N100_CALL["third"], call))
        log.add(when(0.3, 0.9), soit, expand(rng, "{CCTV and phone records show|Independent CCTV "
                                                          "shows} the female was not at the location at the "
                                                          "time; she accepts she was mistaken about the "
                                                          "person"))
    elif v == "should_be_rape":
        log.add(0, "Call taker", expand(rng, N100_CALL["direct"], call))
        log.add(when(0.05, 0.3), soit, expand(rng, "IP gave a first account of {non-consensual sex|being "
                                                        "raped} by <sus>. {SARC examination arranged|Taken "
                                                        "to "
                                                        "the SARC}", ip))
        log.add(when(0.4, 0.9), f"{officer(rng, 'DS')} PPU", expand(
            rng, "{Suspect states it was consensual|Suspect says she agreed}. {IP had been drinking|IP's "
                 "memory "
                 "is patchy}. {Not recording a crime, N100 to be raised|N100 instead of crime}", ip))
    elif v == "already_recorded":
        log.add(0, "Call taker", expand(rng, N100_CALL["direct"], call))
        log.add(when(0.05, 0.3), soit, expand(rng, "First account: {non-consensual sex|raped} by <sus>. "
                                                        "SARC {arranged|informed}", ip))
        c = case.crimes[0]
        log.add_at(slot.at(c.delay_h), "Crime bureau", _bureau(rng, c))
    else:
        log.add(0, "Call taker", expand(rng, N100_CALL["touch"], call))
        log.add(when(0.1, 0.6), f"Attending officer {officer(rng)}", expand(
            rng, "{IP confirms the account|Account confirmed by IP}. {No penetration|No allegation of "
                 "rape}", ip))
    log.add_at(slot.at(n100_delay_h), "Crime bureau", f"N100 {n100_ref} raised, reason {code}")
    case.closing = "Crime" if any(c.recorded for c in case.crimes) else rng.choice(
        ["Concern for Safety", "Messages", "Contact Record"])
    log.add_at(slot.at(n100_delay_h) + timedelta(minutes=rng.uniform(5, 60)), "Dispatcher",
               f"Log closed: {case.closing}")
    return log.render()


def n100_text(rng: random.Random, n: N100Case, at: datetime) -> str:
    log = Log(at)
    reg = rng.choice(["Crime bureau", "Force crime registrar", "Crime registrar team"])
    why = {"100/01": "{Victim has not confirmed the offence|Third-party report, victim will not confirm}",
           "100/02": "{Credible evidence to the contrary|Evidence does not support the allegation}",
           "100/03": "{Offence committed in another force area|Outside the force area}"}[n.reason_code]
    detail = {"correct": "{Rationale recorded on the log|See incident log for rationale}",
              "should_be_rape": "{Suspect's account and the IP's intoxication|Suspect says consensual}",
              "already_recorded": "{Rationale on log|N100 raised}",
              "not_rape": "{Sexual offence reported|Report of sexual touching}"}[n.variant]
    log.add(0, reg, expand(rng, f"N100 raised. {why}. {detail}"))
    return log.render()
