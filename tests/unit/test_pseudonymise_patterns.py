"""The pseudonymiser's patterns, with a key: what must go and what must stay (issue 13, pseudonymised export).

No disk, no database: pseudonymise_patterns and the Pseudonymiser on strings. The bundled sample's narratives and the
exports are tested in tests/integration/test_pseudonymise.py.
"""

from __future__ import annotations

import re

import pytest

from cdi_workbench.pseudonymise import Pseudonymiser, field_kind
from cdi_workbench.pseudonymise_patterns import date_key, street_of

# Text an audit needs, written as logs and auditors write it: not one character may change.
MUST_STAY = [
    "Graded P1 emergency. P2 ASB. M6 RTC. A38 collision near J15 of the M6.",
    "MC/14/000570 (105A Assault without Injury), N100/14/0003, OOCD/14/00475, CUST/14/00475, GRD/14/002406, "
    "PO1/14/00321, DO1/14/01917, WS/14/3301, CDR/12345, MP-20140312-0042.",
    "12/03/2014 14:32 [Call taker] appointment at 1400; recorded 26 h 30 min later, outside 72 hours; 01/04/2014.",
    "Section 47 assault, s1 PACE, s.18 GBH, Theft Act 1968 s.1, Public Order Act 1986 s.4A, Sexual Offences Act 2003.",
    "PC 4458, PS 954, Inspector 308, DC 1234, PCSO 5678, Supervisor PS 716, [Attending officer PC 5156].",
    "DASH completed, high risk. MASH referral. IDVA. THRIVE: risk low. NFA. CRI. 8N, 105A, 19C, 28E, 58A, 3B.",
    "£40 cash, iPhone 5, PlayStation 4, Samsung Galaxy S4, black BMW 3 series, Audi A3, Nintendo DS. Area search "
    "negative.",
    "aged 14, a 15 year old, male in his 20s, Female, 34; Store manager, Boots; Owner of the vehicle.",
    "999 call; 101 call; Home Office Counting Rules; NCRS; Victim Support referral; Witness Care Unit.",
    "IP states a male punched her. Suspect: male, white, 20s, dark clothing. IP supports police action.",
    "Crown Court. Magistrates Court. the car park. Police Station. the Co-op. Retail Park.",
    "Offence occurred in the Westshire area; transferred with reference WS/14/3301. Duplicate of MC/14/004311.",
    "Cautioned for shoplifting in 2012; 4 previous convictions; Reprimand as a juvenile (2006) for criminal damage.",
    "Rape of a female aged 16 or over (19C) reported 3 days later; N100 raised; classification correct.",
]

# (text, the originals that must go, the placeholders' kinds in order)
MUST_GO = [
    ("Call from 07700 900123 at 14:32", ["07700 900123"], ["Phone"]),
    ("tel 01785 223344 or +44 (0)1785 223344", ["01785 223344", "+44 (0)1785 223344"], ["Phone", "Phone"]),
    ("IP DOB 12/03/1985; born on 4th May 1990; date of birth: 1979", ["12/03/1985", "4th May 1990", "1979"],
     ["Date of birth"] * 3),
    ("Seen at ST16 2AB, then WS11 1DB and M1 1AE", ["ST16 2AB", "WS11 1DB", "M1 1AE"], ["Postcode"] * 3),
    ("Vehicles AB12 CDE, P123 ABC, ABC 123D; reg K1 NGS", ["AB12 CDE", "P123 ABC", "ABC 123D", "K1 NGS"],
     ["Vehicle"] * 4),
    ("E-mail dean.smith@example.com", ["dean.smith@example.com"], ["Email"]),
    ("NI AB123456C, PNC ID 13/123456A, NHS number 943 476 5919", ["AB123456C", "13/123456A", "943 476 5919"],
     ["Identifier"] * 3),
    ("Spoke to Mrs J. Brown and Dr Patel; PC Jones attended", ["Brown", "Patel", "Jones"], ["Person"] * 3),
    ("her partner Dean; a lad called Kyle; known to her as Gaz", ["Dean", "Kyle", "Gaz"], ["Person"] * 3),
    ("Suspect: Wayne Rooney. Victim Jane Doe states", ["Wayne Rooney", "Jane Doe"], ["Person"] * 2),
    ("Attended 14 Bower Lane, then Flat 3, 22 High Street", ["14 Bower Lane", "Flat 3, 22 High Street"],
     ["Address"] * 2),
    ("Youths on Paradise Street and Portland Street North", ["Paradise Street", "Portland Street North"],
     ["Street"] * 2),
]


def _gone(original: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(original)}(?![\w])", text) is None


@pytest.mark.parametrize("text", MUST_STAY)
def test_offence_words_times_references_and_collar_numbers_stay(text: str) -> None:
    p = Pseudonymiser()
    assert p.pseudonymise(text, "key") == text
    assert p.replacements == []


@pytest.mark.parametrize(("text", "originals", "kinds"), MUST_GO)
def test_identifiers_go_and_are_named_for_their_kind(text: str, originals: list[str], kinds: list[str]) -> None:
    out = Pseudonymiser().pseudonymise(text, "key")
    for original in originals:
        assert _gone(original, out), (original, out)
    assert re.findall(r"\[([A-Z][a-z]+(?: of birth)?) \d+\]", out) == kinds, out


def test_one_original_one_placeholder_however_it_is_written() -> None:
    p = Pseudonymiser()
    a = p.pseudonymise("Call 07700 900123. DOB 12/03/1985. Reg AB12 CDE. ST16 2AB.", "a")
    b = p.pseudonymise("Rang from 07700900123, born 12th March 1985, vehicle ab12cde? AB12CDE at ST162AB.", "b")
    assert a == "Call [Phone 1]. DOB [Date of birth 1]. Reg [Vehicle 1]. [Postcode 1]."
    assert b == "Rang from [Phone 1], born [Date of birth 1], vehicle ab12cde? [Vehicle 1] at [Postcode 1]."


def test_a_name_learnt_once_goes_wherever_it_appears_even_before() -> None:
    p = Pseudonymiser()
    texts = ["Dean was seen at the shop.", "Mr Thistlewood denies it.", "Suspect is her partner Dean Thistlewood."]
    for t in texts:
        p.learn_text(t)
    out = [p.pseudonymise(t, str(n)) for n, t in enumerate(texts)]
    # the first name alone, and 'Mr' with the surname, are the full name's person
    assert out == ["[Person 1] was seen at the shop.", "Mr [Person 1] denies it.", "Suspect is her partner [Person 1]."]


def test_structured_fields_teach_it_what_no_pattern_would_find() -> None:
    p = Pseudonymiser()
    p.learn_fields({"Victim name": "Imogen Quayle", "Telephone": "07700 900456", "Victim Age": "34",
                    "LSOA name": "Stafford 004A", "Caller Type": "Victim", "Victim DOB": "12/03/1985",
                    "Mobile": "n/a"})
    p.learn_location("On or near Gungate")
    p.learn_location("On or near Supermarket")  # a point of interest, not an address
    p.learn_person("Store manager, Boots")  # a role and a shop, not a person
    out = p.pseudonymise("Imogen rang on 07700900456 about Gungate; Quayle was at the Supermarket; Boots; age 34; "
                         "12/03/1985, no DOB cue; mobile N/A; seen 12/03/2014 14:32")
    assert out == ("[Person 1] rang on [Phone 1] about [Street 1]; [Person 1] was at the Supermarket; Boots; age 34; "
                   "[Date of birth 1], no DOB cue; mobile N/A; seen 12/03/2014 14:32")


def test_every_location_of_the_extract_is_a_street_known_anywhere_in_the_file() -> None:
    """A street named in a record that is not its own, in a shape no pattern knows (no 'Road' or 'Lane'), is known
    from the extract's locations; points of interest and road numbers are not streets."""
    p = Pseudonymiser()
    p.learn_streets(["On or near Gungate", "On or near Supermarket", "On or near A38", None, "On or near Kingsway"])
    assert p.pseudonymise("Youths at Gungate by the Supermarket, then 179 Kingsway, then the A38") == \
        "Youths at [Street 1] by the Supermarket, then [Address 1], then the A38"


def test_a_placeholder_is_never_replaced_again() -> None:
    p = Pseudonymiser()
    once = p.pseudonymise("Mr Smith of 14 Bower Lane, ST16 2AB")
    assert p.pseudonymise(once) == once


def test_the_report_counts_and_places_but_never_names_an_original() -> None:
    p = Pseudonymiser()
    p.pseudonymise("Mr Thistlewood rang from 07700 900123", "MP-1, rationale")
    p.pseudonymise("Mr Thistlewood again", "MP-2, rationale")
    report = p.report("f.json", by="A. Inspector", at="05/12/2026 14:00")
    assert "Thistlewood" not in report and "900123" not in report
    assert "personal names: 2 replacements of 1 different original ([Person 1])" in report
    assert "phone numbers: 1 replacement of 1 different original ([Phone 1])" in report
    assert "MP-1, rationale: [Person 1], [Phone 1]" in report and "OFFICIAL-SENSITIVE" in report
    assert p.summary("f.json.pseudonymisation.txt")["replacements"] == {"name": 2, "phone": 1}


@pytest.mark.parametrize(("header", "kind"), [
    ("Victim name", "name"), ("Suspect", "name"), ("Surname", "name"), ("Victim Age", None), ("Caller Type", None),
    ("Offender ethnicity", None), ("LSOA name", None), ("DOB", "dob"), ("Date of Birth", "dob"),
    ("Home address", "address"), ("Postcode", "postcode"), ("Mobile", "phone"), ("VRM", "vehicle"),
    ("E-mail", "email"), ("NI Number", "identifier"), ("Longitude", None)])
def test_extract_columns_are_read_by_their_headers(header: str, kind: str | None) -> None:
    assert field_kind(header) == kind


def test_locations_dates_and_keys() -> None:
    assert street_of("On or near Bower Lane") == "Bower Lane"
    assert street_of("On or near Parking Area") == "" and street_of("On or near A38") == ""
    assert date_key("12/03/85") == date_key("12th March 1985") == date_key("March 12, 1985") == "1985-03-12"
