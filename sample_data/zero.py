"""Incidents with no notifiable crime ('zero status'): what is reported and how the log ends.

Each kind: NSIR opening and closing categories, who calls, what they say, what the police find. Some are
deliberately close to a crime (a failed-to-stop damage-only collision, property lost not stolen, a fight
where no victim is ever found) because telling them apart is the auditor's job.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ZeroKind:
    key: str
    opening: str
    closing: str
    callers: tuple[str, ...]
    report: tuple[str, ...]
    outcome: tuple[str, ...]
    attend: float = 0.7  # chance an officer attends (else dealt with by phone / no deployment)
    qualifiers: tuple[str, ...] = ()
    weight: int = 10
    home: bool = False  # happens at a home address (not a shop, car park, ...)
    phone: tuple[str, ...] = ()  # how it ends when nobody attends (default: advice / logged)
    names_caller: bool = False  # the report already says which agency is calling
    grade: str = ""  # fixed response grade, else P2/P3 (P1 for welfare-type calls)


ASB = "ASB - Nuisance"
CONCERN = "Concern for Safety"
SUSPICIOUS = "Suspicious Circumstances/Insecure premises or vehicles"

ZERO_KINDS: tuple[ZeroKind, ...] = (
    ZeroKind("asb_youths", ASB, ASB, ("Victim", "Witness", "Third party"), (
        "{a group of|about {six|eight|ten}|several} youths {are gathering|are congregating|are being rowdy} "
        "{outside "
        "<place>|on "
        "<street>|by the shops on <street>} {kicking a football against houses|drinking and shouting|"
        "riding bikes at people|throwing stones into the road}. {This happens every night|Caller fed up|"
        "Ongoing problem}",
        "youths are {knocking on doors and running off|climbing on garage roofs|setting off fireworks} on "
        "<street>",
    ), (
        "{Area search|Attended}, youths {dispersed|moved on|spoken to and given words of advice}. "
        "{No offences|No damage caused|No offences disclosed}",
        "No trace of youths on arrival. {Patrols to be increased|Passed to the neighbourhood team}",
    ), weight=30, qualifiers=("Youth Related",)),
    ZeroKind("noise", ASB, ASB, ("Victim", "Third party"), (
        "there is {loud music|shouting and banging|a party} {coming from|at} {the flat above|next "
        "door|<place>} "
        "{since 2200|for hours|every weekend}. Caller {has to be up for work|has a young baby|is at wits "
        "end}",
    ), (
        "{Occupants spoken to|Spoke to the occupier}, music turned down. {Advised re council noise team|"
        "Caller updated}",
        "No noise audible on arrival. Caller given {environmental health|council} details",
    ), weight=16, home=True),
    ZeroKind("asb_personal", "ASB - Personal", "ASB - Personal", ("Victim",), (
        "{a neighbour|the family next door|a neighbour at <place>} {keeps parking across <vp> drive|"
        "is being unfriendly|keeps staring at <vo>} and {caller|<vs>} wants it recorded",
        "there is an ongoing dispute with {a neighbour|the people opposite} over {bins|parking|the hedge}. "
        "No threats "
        "made, "
        "caller wants {advice|it logged}",
    ), (
        "Spoke to both parties. {No offences|No threats or abuse}. {Mediation offered|Referred to housing}",
    ), attend=0.4, weight=10, home=True),
    ZeroKind("concern", CONCERN, CONCERN, ("Third party", "Witness", "Other agency"), (
        "{an elderly neighbour|the lady at <place>|an elderly man at <place>} has not been seen for "
        "{three|several} days, "
        "milk on the step, curtains drawn",
        "{a female|a male} is {sitting in the road|slumped in a doorway|wandering} on <street> {and appears "
        "drunk|and appears confused|in nightclothes}",
        "{a male|a female} is {standing on the bridge|on the railway footbridge|by the canal} {looking "
        "upset|crying}, caller concerned for {his|her} safety",
    ), (
        "{Occupant found safe and well|Female found safe|Male located}, {ambulance not required|"
        "taken home by family|referred to GP}. No offences",
        "{Male|Female} located, {spoke at length, has mental health support|taken to a place of safety "
        "under s136|family attended}. No crime",
    ), qualifiers=("Mental Health", "Vulnerable Adult", ""), weight=22, home=True),
    ZeroKind("rtc_damage", "RTC - Damage Only", "RTC - Damage Only", ("Victim", "Witness"), (
        "there has been a {minor collision|shunt|two car RTC} {at the junction of <street>|on <street>|in "
        "<place>}, "
        "{no injuries|no one hurt}, {details exchanged|cars blocking the road}",
        "{a <veh>|a van} has {clipped <vp> wing mirror|reversed into <vp> car} in <place> and "
        "{driven off|the driver left without giving details}. No injuries",
    ), (
        "{Vehicles moved|Road clear}, details exchanged. {No injuries|Nobody injured}",
        "Fail to stop, damage only: {VRM partial|no VRM}. {Passed to roads policing|Caller to contact "
        "insurers}",
    ), attend=0.5, weight=14, phone=("{Details exchanged, no police action needed|Caller advised to report "
                                     "to insurers|Damage only, no injuries: advice given}",)),
    ZeroKind("rtc_injury", "RTC - Death/Injury", "RTC - Death/Injury", ("Witness", "Other agency"), (
        "there has been {an RTC|a collision} on <street>, {cyclist|pedestrian|car vs motorcycle}, {one "
        "casualty|minor "
        "injuries}. {Ambulance on scene|Ambulance requested}",
    ), (
        "{Driver breathalysed, negative|Both drivers breath tested, negative}. {Casualty conveyed with "
        "minor injuries|Slight injury}. {Collision report completed|Stats19 completed}",
    ), attend=0.95, weight=6, grade="P1"),
    ZeroKind("lost_property", "Lost/Found Property/Person", "Lost/Found Property/Person", ("Victim",), (
        "<vs> has lost {<item>|<pp> phone|<pp> purse} {somewhere in town|on the bus|at <place>} "
        "and {needs a reference for insurance|thinks <ps> dropped it}",
        "<vs> {cannot find|has misplaced} <item> after {a night out|shopping at <place>}, "
        "{not stolen|doesn't think it was stolen}",
    ), (
        "Lost property reference given. {No suggestion of theft|Caller confirms it was lost, not taken}",
    ), attend=0.05, weight=10, phone=("Lost property reference given. {No suggestion of theft|Caller "
                                      "confirms it was lost, not taken}",)),
    ZeroKind("found_property", "Lost/Found Property/Person", "Lost/Found Property/Person", ("Third party",), (
        "{a wallet|a bank card|a mobile phone|a bag} has been found {on <street>|in <place>} and "
        "handed to caller",
    ), ("Property {booked in|collected and booked in}, owner to be traced",), attend=0.3, weight=5,
        phone=("Caller to hand the property in at the front counter",)),
    ZeroKind("alarm", "Alarm", "Alarm", ("Other agency",), (
        "{alarm company|alarm receiving centre} reports {intruder alarm|confirmed activation|"
        "audible alarm} at {<place>|premises on <street>}, {keyholder informed|keyholder en route}",
    ), (
        "{Premises checked, all secure|Building secure, no sign of entry}. {False activation|Alarm "
        "reset by keyholder}",
    ), attend=0.6, weight=8, names_caller=True, grade="P2"),
    ZeroKind("suspicious", SUSPICIOUS, SUSPICIOUS, ("Witness", "Third party"), (
        "{a male is hanging around|two males are looking into gardens|a van is parked with its engine "
        "running} "
        "{on <street>|near <place>} {for the last hour|and acting suspiciously}",
        "{a garage door is open|a shed door is insecure|a back door is open} at {a neighbour's "
        "house|<place>} and "
        "the occupants are {away|not answering}",
    ), (
        "{Area search, nothing found|Males spoken to, delivering leaflets|Van belongs to workmen}. "
        "No offences",
        "{Premises secured, nothing disturbed|Owner contacted, all in order}",
    ), weight=10),
    ZeroKind("missing", "Missing Person", "Missing Person", ("Third party", "Other agency"), (
        "{her son|his daughter|a resident of the care home on <street>|a 15 year old} has not returned "
        "{home|to the home} {since yesterday|after school|by curfew}",
    ), (
        "{Misper located|Returned home|Found at a friend's address} safe and well. Return interview "
        "{arranged|to follow}",
    ), attend=0.9, qualifiers=("Vulnerable Child / Young Person", ""), weight=8, home=True, grade="P1"),
    ZeroKind("civil", "Civil Disputes", "Civil Disputes", ("Victim",), (
        "{<vp> landlord|<vp> ex-partner|a builder} {is refusing to return <vp> deposit|has kept <vp> "
        "belongings "
        "after the split|has not finished the work and wants paying}",
        "there is {a dispute over child contact|a row as the ex-partner is late returning the "
        "children|an argument over who owns the "
        "car} and {caller|<vs>} wants police to attend",
    ), (
        "{Civil matter, advice given|Advised re small claims court|Parties advised, no offences}",
    ), attend=0.4, weight=9, home=True, phone=("{Civil matter, advice given|Advised re small claims "
                                               "court|Caller advised it is a civil matter}",)),
    ZeroKind("domestic_verbal", "Domestic Incident", "Domestic Incident", ("Victim", "Third party"), (
        "there {is|has been} {a verbal argument|shouting and screaming|a row} {at <place>|next door|at the "
        "address} between {a couple|partners|a mother and her adult son} {about money|over the "
        "children|after a "
        "night out}, {no violence|no one hurt|no weapons}",
        "{<vs> is arguing with|<vs> has had a row with} {<vp> partner|<vp> ex-partner} {about money|over the "
        "children|after a night out}. {No violence|Nobody hurt|No threats made}",
    ), (
        "Both parties spoken to separately. {Verbal argument only|No assault or threats disclosed|"
        "No offences}. DASH {standard|completed, standard risk}",
    ), attend=0.95, qualifiers=("Domestic Abuse",), weight=12, home=True, grade="P1"),
    ZeroKind("fight_no_trace", "ASB - Personal", ASB, ("Witness",), (
        "{there is a fight|there is a scuffle|males are fighting} {outside <place>|on <street>}, {about "
        "four males|two males}, "
        "{no weapons seen|can't see if anyone is hurt}",
    ), (
        "{No trace on arrival|All parties gone|Area search negative}. {No injured party found|"
        "No victim located|Hospitals checked, no one presented}",
    ), attend=0.9, weight=7, grade="P1"),
    ZeroKind("highway", "Highway Disruption", "Highway Disruption", ("Witness",), (
        "{sheep are|horses are|a cow is} {loose on|in the road on} <street>",
        "there is {debris|a mattress|a fallen tree} in the road on <street>, {traffic swerving|hazard}",
    ), ("{Animals returned to field, farmer informed|Road cleared|Highways informed}",), attend=0.6,
        weight=5),
    ZeroKind("abandoned", "Abandoned Call to Emergency Services", "Abandoned Call to Emergency Services",
             ("Third party",), (
        "{silent 999 call|abandoned 999 call|999 call, line open, no speech}. {Call back, no answer|Call "
        "back: child playing with phone|Call back: pocket dial}",
    ), ("{No concerns|No further action}",), attend=0.05, weight=5, names_caller=True, phone=("{No "
                                                                                              "concerns|No "
                                                                                              "further "
                                                                                              "action}",)),
    ZeroKind("sudden_death", "Sudden Death", "Sudden Death", ("Other agency",), (
        "{ambulance service|GP|district nurse} reports {expected death|death of an elderly patient} at "
        "{<place>|an address on <street>}",
    ), ("{Not suspicious|No suspicious circumstances}. GP to issue certificate. Coroner informed",),
        attend=0.95, weight=3, names_caller=True, grade="P1", home=True),
    ZeroKind("licensing", "Licensing", "Licensing", ("Other agency", "Witness"), (
        "the {pub|bar|off licence} at <place> {is serving after hours|is selling to underage youths|has door "
        "staff who are not registered}",
    ), ("{Licensing officer informed|Premises visited, manager advised}",), attend=0.5, weight=3),
    ZeroKind("duplicate", "Duplicate", "Duplicate", ("Witness", "Third party"), (
        "{Second caller|Another caller} {reporting the same incident|re the incident already logged} on "
        "<street>",
    ), ("Duplicate of earlier log, closed",), attend=0.0, weight=4,
        phone=("Duplicate of earlier log, closed",), names_caller=True),
)
