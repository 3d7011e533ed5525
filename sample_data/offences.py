"""What each offence sounds like in a log: fragments per Home Office code, composed by narratives.py.

Placeholders: <vs>/<vo>/<vp> the victim as the caller refers to them (subject, object, possessive);
<ps>/<po>/<pp> the victim's pronouns; <sus> the suspect, <sp>/<spo> the suspect's pronouns; <place>,
<street>, <item>, <veh>, <inj>, <when>, <money>, <shop>. The text is what the circumstances amount to
(the truth), whatever the force later recorded.
"""

from __future__ import annotations

INJURIES = [
    "a cut above <pp> eye", "a bloody nose", "a swollen cheek", "a split lip", "bruising to <pp> face",
    "a possible broken nose", "a lump on <pp> head", "scratches to <pp> neck", "a chipped tooth",
    "a black eye", "a cut to <pp> ear", "bruising to both arms", "a graze to <pp> forehead",
    "red marks and swelling around <pp> eye", "a cut on the back of <pp> head", "a sprained wrist",
]
NO_INJURY = [
    "no visible injuries", "no marks", "no injuries", "redness that has since gone", "no injury that <ps> "
                                                                                     "can see",
]
ITEMS = [
    "an iPhone 5", "a Samsung Galaxy phone", "<pp> purse containing about <money>", "a black leather wallet",
    "a laptop", "an iPad", "a handbag", "<pp> bank cards", "a gold necklace", "a PlayStation 4",
    "a Nintendo DS", "a watch", "a set of keys", "a rucksack with <pp> work clothes in", "a Blackberry phone",
    "a sat nav", "a set of golf clubs", "two bottles of vodka", "a Kindle", "some cash, about <money>",
]
VEHICLES = [
    "silver Ford Focus", "black Vauxhall Corsa", "blue VW Golf", "red Peugeot 206", "white Transit van",
    "grey Renault Clio", "silver Vauxhall Astra", "black Audi A3", "green Rover 25", "white Fiat Punto",
    "blue Ford Fiesta", "red Citroen C3", "silver Toyota Yaris", "black BMW 3 series", "maroon Nissan Micra",
]
WHEN = [
    "a few minutes ago", "about 10 minutes ago", "just now", "about half an hour ago", "earlier this evening",
    "overnight", "some time in the last hour", "around 20 minutes ago", "earlier today",
]
MONEY = ["£20", "£35", "£40", "£60", "£80", "£100", "£150", "£15", "£200", "£50"]
SHOPS = ["the Co-op", "Boots", "Tesco Express", "Wilkinsons", "Superdrug", "the Spar", "B&M", "Asda",
         "Poundland", "Sainsburys Local", "Iceland", "the One Stop", "Home Bargains", "Lidl"]

# Per code: report (what the caller describes), account (what the IP tells the officer),
# later (a disclosure made later in the log), also (the same crime as an addition to another).
OFFENCES: dict[str, dict[str, list[str]]] = {
    "8N": {
        "report": [
            "<sus> has {punched|headbutted|hit|kicked} <vo> {in the face|to the head|several times|in the "
            "mouth}. "
            "<vs^> has <inj>",
            "<vs> has been assaulted by <sus> {outside <place>|on <street>|at <place>} and has <inj>",
            "<sus> {attacked|went for|set about} <vo> {and|,} {punched|kicked|hit} <vo> {repeatedly|a "
            "number of times|"
            "while <ps> was on the floor}. {Injuries: <inj>|<vs^> has <inj>}",
            "<vs> was {glassed|hit with a bottle|struck with a belt buckle} by <sus> and has <inj>",
        ],
        "account": [
            "IP states <sus> {punched|hit|kicked|elbowed} <po> {without warning|after an argument|as <ps> "
            "tried to walk away}. I have seen <inj>",
            "IP {confirms|states} <ps> was {punched|struck|kicked} by <sus>. Injuries seen: <inj>. "
            "{Photos taken|Injuries photographed on body worn video|IP declined photographs}",
            "Account obtained from IP: <sus> {grabbed <po> by the hair and punched <po>|pushed <po> to the "
            "ground and kicked <po>|hit <po> with a closed fist}. <ps^> has <inj>",
        ],
        "later": [
            "IP has now disclosed that <sus> {also punched <po> in the face|hit <po> several times} "
            "{during the argument|before <ps> ran out|last night}. I have seen <inj>",
            "{On speaking to IP alone|Once <sus> had left}, <ps> disclosed <sus> {had punched|hit|kicked} "
            "<po> "
            "{earlier in the evening|the night before} and showed me <inj>",
        ],
        "also": [],
    },
    "105A": {
        "report": [
            "<sus> has {pushed|slapped|shoved|grabbed} <vo> {in the street|at <place>|outside <place>}. "
            "<vs^> "
            "has <noinj>",
            "<sus> {spat at|pushed|slapped|grabbed hold of} <vo> {during an argument|for no reason|after "
            "words were exchanged}. {No injuries|<vs^> is not injured|<vs^> has <noinj>}",
            "<vs> has been {pushed over|shoved into a wall|slapped across the face} by <sus>. {No injury|"
            "Not injured|No ambulance required}",
        ],
        "account": [
            "IP states <sus> {pushed|slapped|grabbed} <po> {by the arm|in the chest|across the face}. "
            "{No visible injury|No injuries seen|<ps^> has <noinj>}. IP {wants|supports} police action",
            "IP {confirms|states} <sus> {pushed <po> against the door|grabbed <po> wrist and twisted it|"
            "spat in <pp> face}. {No marks seen|No injury}",
        ],
        "later": [
            "IP has now disclosed that <sus> {pushed <po> against the wall|grabbed <po> by the throat|"
            "slapped <po>} {last week|a few days ago|earlier that evening}. {No injuries now visible|"
            "No marks}",
            "{When spoken to alone|After <sus> had gone}, IP {told me|disclosed} <sus> {had grabbed <po> "
            "arms|had pushed <po> onto the sofa|slapped <po>} {during the row|before police arrived}",
        ],
        "also": [],
    },
    "8L": {
        "report": [
            "<sus> {keeps|has been} {turning up at <vp> address|sending <vo> abusive texts|calling <vo> "
            "repeatedly} {for the last few weeks|since they split up|every day this week}. <vs^> {is "
            "frightened|"
            "feels intimidated|wants it to stop}",
            "<vs> is {receiving|getting} {dozens of|constant|repeated} {calls|messages|Facebook messages} "
            "from <sus> {despite asking <spo> to stop|after ending the relationship}",
            "<sus> has been {following|waiting outside work for|driving past the house of} <vo> "
            "{on several occasions|repeatedly|most days}",
        ],
        "account": [
            "IP has shown me {over 40|around 20|numerous} {texts|messages|missed calls} from <sus> "
            "{over the past fortnight|since last month}. {Course of conduct|Clear course of conduct}. "
            "IP {is distressed|is very anxious}",
            "IP states <sus> has {come to the house|been outside <pp> work} {three times|on four occasions} "
            "in the last two weeks after being told to stay away",
        ],
        "later": [
            "IP has also disclosed that <sus> has been {sending <po> abusive messages|turning up at <pp> "
            "work|ringing <po> through the night} for the past {few weeks|month}",
            "On reviewing IP's phone there are {numerous|30+} messages from <sus> over the last {fortnight|"
            "three weeks}, some threatening. IP says this has been going on since {Christmas|they separated}",
        ],
        "also": [],
    },
    "8R": {
        "report": [
            "<vs> has received {a threatening|an abusive|a grossly offensive} {message|text|Facebook "
            "message} "
            "from <sus> saying {<spo> will get what's coming|that <sp> will smash <vp> windows|<ps> is a "
            "grass and will pay for it}",
            "<sus> has posted {abusive|threatening} comments about <vo> on Facebook {and|,} <vs> is "
            "{upset|scared}",
        ],
        "account": [
            "IP has shown me the {message|post|text}: it is {threatening|grossly offensive} and was "
            "{sent|posted} {yesterday evening|last night|this morning}. Screenshots taken",
        ],
        "later": [
            "IP has also shown me a {threatening|abusive} text from <sus> sent {that night|the next morning}",
        ],
        "also": [". <sus^> has also sent <vo> a {threatening|abusive} text since"],
    },
    "3B": {
        "report": [
            "<sus> has {threatened to kill|said <sp> will kill} <vo> {and|,} <vs> {believes <spo>|takes it "
            "seriously|is terrified}",
        ],
        "account": [
            "IP states <sus> {told <po>|texted <po>} \"{I'll kill you|you're dead}\" and IP "
            "{believes the threat will be carried out|is in fear}",
        ],
        "later": [
            "IP has now disclosed that <sus> {told <po> he would kill <po>|said he would kill her if she "
            "called police} and <ps> believed him",
        ],
        "also": [],
    },
    "5D": {
        "report": [
            "<vs> has been {stabbed|slashed with a knife|hit with a hammer|glassed} {outside <place>|on "
            "<street>} by <sus>. {Ambulance en route|Ambulance requested|Heavy bleeding}",
        ],
        "account": [
            "IP {taken to hospital|in resus} with {a deep wound to <pp> arm|a stab wound|a fractured "
            "skull}. Scene preserved. {CID informed|DS informed}",
        ],
        "later": [], "also": [],
    },
    "20A": {
        "report": [
            "<vs> has been {touched|groped|grabbed} {on <pp> bottom|on <pp> breasts|between <pp> legs} by "
            "<sus> {on the bus|in <place>|at a party|while walking along <street>}",
            "<sus> {put his hand up <pp> skirt|touched <vo> sexually|pressed himself against <vo>} "
            "{without consent|while <ps> was asleep|in the queue}",
        ],
        "account": [
            "IP states <sus> {touched <pp> breasts over <pp> clothing|put his hand between <pp> legs|grabbed "
            "<pp> bottom} {without consent|despite <po> telling him to stop}. IP {very upset|distressed}",
        ],
        "later": [
            "IP has now disclosed that <sus> also {touched <po> sexually|groped <po>} {earlier that night|"
            "a week before}",
        ],
        "also": [],
    },
    "17A": {
        "report": [
            "<vs> has been {groped|sexually touched} by <sus> {in <place>|at a house party|on the bus}",
        ],
        "account": [
            "IP states <sus> {touched his genitals|grabbed his crotch} {over his clothing|without consent}",
        ],
        "later": [], "also": [],
    },
    "88E": {
        "report": [
            "{a male|an older male|a man in a grey tracksuit} has exposed himself to <vo> {in <place>|on "
            "<street>|from a parked car}",
        ],
        "account": ["IP states the male {exposed himself|was masturbating} {in full view|facing her}"],
        "later": [], "also": [],
    },
    "19C": {
        "report": [
            "<vs> has been raped by <sus> {at <pp> address|at a party|at his flat}",
            "<sus> {had sex with <vo> while <ps> was too drunk to consent|forced <vo> to have sex|had sex "
            "with "
            "<vo> after <ps> said no}. <vs^> is {very distressed|tearful|in shock}",
        ],
        "account": [
            "IP states <sus> {penetrated <po> vaginally|had sexual intercourse with <po>} {without consent|"
            "while <ps> was asleep|despite <po> saying no}. {SOIT officer requested|SARC informed}",
        ],
        "later": [
            "IP has now disclosed to the SOIT officer that <sus> {forced <po> to have sex|had sex with <po> "
            "while <ps> was asleep} {the same night|on a previous occasion}",
        ],
        "also": [],
    },
    "19F": {
        "report": ["<vs> has been raped by <sus> {after a night out|at a flat in <street>}"],
        "account": ["IP states <sus> {anally penetrated him|forced him to have sex} without consent. "
                    "{SOIT requested|SARC informed}"],
        "later": [], "also": [],
    },
    "19D": {
        "report": [
            "<vs>, aged <age>, has told {a teacher|her mum|her friend} that <sus> {forced her to have "
            "sex|had "
            "sex with her when she said no}",
        ],
        "account": ["IP (<age>) states <sus> {had sex with her|penetrated her} {without consent|after she "
                    "said no}. {ABE interview to be arranged|Strategy discussion to be held}"],
        "later": [], "also": [],
    },
    "28E": {
        "report": [
            "<vs> has {returned home|come downstairs} to find <poe> <poe_how> and {<item> stolen|the house "
            "ransacked|<item> and <item2> taken}",
            "{<vp> house|the address} has been broken into {overnight|while <vs> was at work|between 0800 "
            "and "
            "1600}. {Entry via|Looks like they got in through} <poe>, {which is|} <poe_how>. <item^> taken",
            "<vs> {disturbed|heard} {a male|two males} inside the house {who ran off|who left via the back "
            "door} with <item>",
        ],
        "account": [
            "{Point of entry|POE}: <poe>, <poe_how>. {Search made|Drawers searched}. Stolen: <item>, "
            "<item2>. "
            "{CSI requested|SOCO requested}",
            "Entry gained via <poe> (<poe_how>). IP reports <item> and <item2> missing. "
            "{House to house done|CSI to attend}",
        ],
        "later": [], "also": [],
    },
    "28F": {
        "report": [
            "{someone|a male} has tried to {force|break into} <vp> {back door|front door|kitchen window}. "
            "{Marks around the lock|Handle damaged|Glass cracked} but no entry gained",
        ],
        "account": ["Damage to {door frame|window frame|uPVC door} consistent with attempted entry. "
                    "{No entry gained|Entry not gained}. {CSI not required|CSI requested}"],
        "later": [], "also": [],
    },
    "28G": {
        "report": [
            "{two males|a male|a female and a male} {claiming to be from the water board|saying they were "
            "checking the gas|posing as council workers} {got into|were let into} <vp> house and <item> "
            "{has gone|was taken}",
        ],
        "account": ["Elderly IP let {the male|the pair} in believing they were {from the water board|"
                    "workmen}; after they left <ps> found <item> missing"],
        "later": [], "also": [],
    },
    "30C": {
        "report": [
            "{the shop|the pub|the school|the unit|the church hall} {on <street>|at <place>} has been broken "
            "into {overnight|over the weekend}. {Shutter forced|Rear fire door forced|Window smashed}. "
            "{Cash and cigarettes taken|Tools stolen|Laptops taken}",
        ],
        "account": ["Keyholder on scene. {Rear door forced|Roof light smashed}. {Alcohol and cigarettes|"
                    "Power tools|IT equipment} stolen. CSI requested"],
        "later": [], "also": [],
    },
    "58A": {
        "report": [
            "{someone|youths|<sus>} {has smashed|have put through} <vp> {front window|living room window|"
            "door panel} {with a brick|with a stone|overnight}",
            "<vp> {front door has been kicked in|fence has been damaged|house has been sprayed with paint|"
            "wheelie bins and fence have been damaged|door has been set on with a hammer}",
        ],
        "account": ["Damage seen {as described|to the property|and photographed}, estimated "
                    "£{80|150|200|300}. "
                    "IP {suspects <sus>|has no idea who is responsible}"],
        "later": [
            "IP has also {mentioned|disclosed} that <sus> {kicked the front door in|smashed the bedroom "
            "door} {during the row|before leaving}. Damage seen",
        ],
        "also": [". <sus^> {has also kicked the front door in|also smashed the glass in the front door|then "
                 "put a hole in the door}"],
    },
    "58B": {
        "report": [
            "{the window of <place>|the bus shelter on <street>|the shop front} has been {smashed|"
            "damaged|sprayed with graffiti}",
        ],
        "account": ["Damage to {shop window|glass panel|shutter} confirmed, {CCTV to be viewed|manager to "
                    "provide CCTV}"],
        "later": [], "also": [],
    },
    "58C": {
        "report": [
            "<vp> {<veh>|car} has {been keyed|been scratched down one side|had its tyres slashed|had the "
            "wing "
            "mirror kicked off} {overnight|while parked on <street>|outside <place>}",
            "{youths|a male|<sus>} {kicked|jumped on|smashed the windscreen of} <vp> <veh>",
        ],
        "account": ["{Damage|The damage} to the <veh> {seen|confirmed|photographed}. {No witnesses|Neighbour "
                    "may have CCTV|House to house negative}"],
        "later": [
            "IP has now also reported that {the|<pp>} <veh> parked outside was {damaged|scratched} {the "
            "same night|at the same time}",
        ],
        "also": [". A {neighbour's|second} car parked nearby has also been {damaged|keyed}",
                 ". {The car next to it|Next door's car} has {also been scratched|had its tyres "
                 "slashed too}"],
    },
    "58D": {
        "report": [
            "{<sus>|someone} has {smashed|broken} <vp> {mobile phone|garden fence|shed|greenhouse}",
        ],
        "account": ["{Damage seen|Damage confirmed and photographed|Damage as described}. Estimated value "
                    "£{40|60|100|250}"],
        "later": [
            "IP has also disclosed that <sus> {smashed her mobile phone|snapped her phone in half} so she "
            "could not call police. Damaged phone seen",
        ],
        "also": [". <sus^> {has also smashed|also threw} <vp> mobile phone {against the wall|on the floor}",
                 ". <sus^> {broke|snapped} <vp> phone {so <ps> could not ring police|during the struggle}"],
    },
    "56B": {
        "report": ["{a wheelie bin|a car|a shed} has been set alight {on <street>|behind <place>}. "
                   "{Fire service on scene|Fire service attending}"],
        "account": ["Fire service confirm {deliberate ignition|fire started deliberately}. No persons at "
                    "risk"],
        "later": [], "also": [],
    },
    "49": {
        "report": [
            "{someone has stolen|a male has taken|someone has taken} <item> {belonging to <vo>|from <vo>} "
            "{at <place>|from <pp> garden|while <ps> was at <place>}",
            "{someone|a male} has {taken|stolen} <item> {from the table at <place>|from <vp> bag|from the "
            "changing rooms at <place>}",
        ],
        "account": ["IP states <item> was {taken|stolen} {while <ps> was distracted|from <pp> bag}. "
                    "{No CCTV|CCTV to be checked}. {Serial number provided|No serial number}"],
        "later": [
            "IP has also found that <item> is missing {from <pp> coat|from <pp> bag} {after the incident|"
            "since the fight}",
        ],
        "also": [". <item^> has also been taken"],
    },
    "49A": {
        "report": ["{a <veh>|a driver in a <veh>} has {filled up with about <money> of fuel|filled up} and "
                   "driven off without paying from <place>"],
        "account": ["CCTV shows <veh> {on false plates|registered keeper in Birmingham}. Drive off, <money>"],
        "later": [], "also": [],
    },
    "40": {
        "report": [
            "{<sus>|a visitor|her son's friend} has {taken|stolen} <item> from <vp> {house|flat|bedroom} "
            "{while visiting|while <ps> was asleep}",
        ],
        "account": ["IP states <item> went missing {from the kitchen|from <pp> bedroom} after <sus> visited"],
        "later": [], "also": [],
    },
    "41": {
        "report": ["{a member of staff|the manager} at {<place>|the shop|the care home} {has been taking "
                   "money from the till|has stolen stock}"],
        "account": ["Manager has CCTV of {staff member|employee} taking {cash|stock} on {several|three} "
                    "occasions, approx <money>"],
        "later": [], "also": [],
    },
    "44": {
        "report": ["<vp> {mountain bike|pedal cycle|Carrera bike|son's BMX} has been stolen {from outside "
                   "<place>|from <pp> garden|from the bike rack at <place>}"],
        "account": ["{Bike|Cycle} was {locked|unlocked} {outside <place>|in the rear garden}. "
                    "{Frame number provided|No frame number}"],
        "later": [], "also": [],
    },
    "45": {
        "report": [
            "<vp> <veh> has been broken into {on <street>|outside <place>|overnight} and <item> "
            "{taken|stolen}",
            "{the window of|the lock on} <vp> <veh> has been {smashed|forced} and {a sat nav|<item>|tools} "
            "{stolen|taken}",
        ],
        "account": ["{Rear quarterlight|Driver's window|Passenger window} smashed on the <veh>. "
                    "{<item^>|Tools} taken"],
        "later": [], "also": [". A second vehicle on the street has also been broken into and <item> taken"],
    },
    "48": {
        "report": [
            "<vp> <veh> has been stolen {from outside <pp> house|from <street>|from the car park at <place>} "
            "{overnight|in the last hour|while <ps> was at work}",
        ],
        "account": ["<veh^> {stolen|taken}{, no keys taken|, keys taken from the house|}. Circulated on PNC"],
        "later": [], "also": [". The keys to the <veh> on the drive were taken and the car has gone",
                               ". <vp^> <veh> has also been taken using the keys"],
    },
    "126": {
        "report": ["{a male has|youths have} been seen {trying car door handles|trying to get into vehicles} "
                   "on <street>. <vp^> <veh> {has a damaged lock|has a broken door handle}"],
        "account": ["Damage to the lock of the <veh> consistent with an attempt to gain entry"],
        "later": [], "also": [],
    },
    "46": {
        "report": [
            "{store detective|security} at <shop> have detained {a male|a female|two youths} for "
            "{stealing|concealing} {meat|razor blades|alcohol|make up|baby milk} worth {about|approx} "
            "<money>",
            "{a male|a female} has {walked out of|run out of} <shop> with {a basket of items|bottles of "
            "spirits|clothing} without paying",
        ],
        "account": ["{Offender|Suspect} {detained by security|identified on CCTV}. Goods {recovered|"
                    "not recovered}, value <money>"],
        "later": [], "also": [],
    },
    "9A": {
        "report": [
            "{a drunk male|a group of youths|<sus>} {is shouting and swearing at|is being abusive to|"
            "threatened} <vo> {outside <place>|on <street>|in the street}. <vs^> {is shaken|felt threatened}",
        ],
        "account": ["IP states <sus> {was shouting threats|used threatening language} {at <po>|in <pp> "
                    "face}. "
                    "IP {caused alarm and distress|was frightened}"],
        "later": [], "also": [". <sus^> was also shouting {abuse|threats} at <vo>"],
    },
    "9B": {
        "report": [
            "{a male|a group of males|<sus>} {has racially abused|shouted racist abuse at} <vo> {outside "
            "<place>|in <place>|on <street>}",
        ],
        "account": ["IP states <sus> {made racist remarks about <pp> skin colour|used racist "
                    "language|shouted racially offensive "
                    "abuse}. {Hate crime|Racially aggravated}. IP {very upset|frightened}"],
        "later": [], "also": [],
    },
    "92D": {
        "report": ["{there is a strong smell of cannabis coming from a flat on <street>|males are smoking "
                   "cannabis in <place>|people are smoking cannabis in a parked <veh> on <street>}"],
        "account": ["{Male searched|Occupant searched} under s23 MDA. {Small bag of cannabis|Cannabis "
                    "resin|Two grams of herbal cannabis} found"],
        "later": [], "also": [],
    },
    "92E": {
        "report": ["{males have been seen|a male has been seen} {using drugs|snorting a white powder} {in "
                   "<place>|on <street>}"],
        "account": ["Male searched s23 MDA. {Wrap of white powder believed cocaine|Two ecstasy tablets} "
                    "found"],
        "later": [], "also": [],
    },
    "92A": {
        "report": ["there {is suspected drug dealing|are cars pulling up for short visits all day} {on "
                   "<street>|outside <place>}"],
        "account": ["Male searched. {Deal bags of cannabis and cash|Wraps of heroin and £300 cash} found, "
                    "consistent with supply"],
        "later": [], "also": [],
    },
    "34B": {
        "report": [
            "<vs> has been robbed {on <street>|outside <place>|in the underpass} by {two males|a male on a "
            "bike|youths} who {grabbed|snatched} <item> {and pushed <vo> over|after threatening <vo>}",
            "{a male|two males} {threatened <vo> with a knife|pushed <vo> against a wall} and took <item>",
        ],
        "account": ["IP states {two males|a male} {grabbed <po>|punched <po>} and took <item>. "
                    "{Area search negative|Described as white, 18-20, dark clothing}"],
        "later": [], "also": [],
    },
    "34A": {
        "report": ["{a male|two males} {with a knife|wearing balaclavas} have demanded cash at <place> and "
                   "{left with the till takings|taken cash}"],
        "account": ["Staff threatened, approx <money> taken from till. CCTV secured"],
        "later": [], "also": [],
    },
    "39": {
        "report": ["<item> has been taken from <vp> {pocket|bag} {on the bus|at <place>|in the market} "
                   "without "
                   "<po> noticing"],
        "account": ["IP felt a {nudge|bump} and later found <item> missing from <pp> bag"],
        "later": [], "also": [],
    },
    "10D": {
        "report": ["{a male|a youth} {has been seen with a knife|is waving a knife about} {on <street>|in "
                   "<place>}"],
        "account": ["Male searched s1 PACE, {lock knife|kitchen knife|lock back knife} found in "
                    "{waistband|pocket}. No good reason"],
        "later": [], "also": [],
    },
    "10C": {
        "report": ["{a male|a youth} {has been seen carrying a baseball bat|is carrying a knuckleduster} {on "
                   "<street>|outside <place>}"],
        "account": ["Male searched, {knuckleduster|extendable baton} found. Offensive weapon"],
        "later": [], "also": [],
    },
    "59": {
        "report": ["<sus> has {threatened to smash|said he will put through} <vp> {windows|car windscreen}"],
        "account": ["IP believes <sus> will carry out the threat to damage {the car|the house}"],
        "later": [], "also": [],
    },
    "33": {
        "report": ["{a male has|two males have} been seen {trying car doors|looking into gardens} {on "
                   "<street>|"
                   "at <place>} with {a screwdriver|a torch and gloves}"],
        "account": ["Male stopped and found with {screwdriver and gloves|bolt croppers}, no good reason"],
        "later": [], "also": [],
    },
    "54": {
        "report": ["{a male|someone} {is selling|has offered} <item> {believed stolen|very cheaply} "
                   "{at <place>|on <street>}"],
        "account": ["<item^> recovered, matches item stolen in a burglary. Male could not account for it"],
        "later": [], "also": [],
    },
    "35": {
        "report": ["<vs> is being {blackmailed|threatened} by {someone online|a person on Facebook} "
                   "{demanding money|demanding <money>} or they will {share intimate images|post photos}"],
        "account": ["IP has shown me the messages demanding <money> under threat of releasing images"],
        "later": [], "also": [],
    },
}

# Codes the sample may misclassify into, with the fragment of the case that makes the error plausible.
WRONG_CODES = {"8N": "105A", "28E": "28F", "34B": "39", "58A": "58D", "9B": "9A", "8L": "8R"}
RAPE_AS_LESSER = {"19C": "20A", "19F": "17A", "19D": "22B"}
