"""Word lists for telling names from other words: a first-name lexicon (from the
gender-guesser package's international name dictionary), stop words, and the
words that mark an organisation, a role or a place rather than a person."""

from __future__ import annotations

import functools
import importlib.resources

from spacy.lang.en.stop_words import STOP_WORDS

# Kinship and role words that introduce a service user's name ("Mum Hayley", "carer Leanne").
KIN_TRIGGERS = (
    "mum", "mother", "dad", "father", "stepdad", "step-dad", "stepfather", "step-father", "stepmum",
    "step-mum", "stepmother", "nan", "nana", "nanna", "gran", "grandma", "grandmother", "grandad",
    "grandfather", "granddad", "aunt", "auntie", "aunty", "uncle", "brother", "sister", "half-brother",
    "half-sister", "sibling", "siblings", "son", "daughter", "baby", "child", "young person", "yp",
    "carer", "carers", "foster carer", "foster carers", "partner", "boyfriend", "girlfriend", "cousin",
    "in respect of", "regarding", "concerning", "named", "called", "pupil", "student", "re", "re:",
    "twins", "sisters", "brothers", "mum's partner", "birth mother", "birth father", "parents",
)
TITLES = ("mr", "mrs", "ms", "miss", "mx", "master")
PROFESSIONAL_TITLES = (
    "dc", "ds", "di", "dci", "dcs", "pc", "ps", "sgt", "sergeant", "inspector", "dr", "doctor", "cllr",
    "councillor", "judge", "hhj", "prof", "professor", "rev", "revd", "sir", "dame", "mp", "constable",
)
ROLE_WORDS = (
    "nurse", "health visitor", "hv", "police", "officer", "teacher", "headteacher", "head teacher",
    "head of", "dsl", "designated", "school", "gp", "doctor", "solicitor", "guardian", "cafcass",
    "social worker", "sw", "manager", "worker", "practitioner", "paediatrician", "midwife", "consultant",
    "iro", "chair", "advocate", "senco", "psychologist", "therapist", "fsw", "lawyer", "barrister",
    "counsel", "probation", "camhs", "council", "trust", "academy", "college", "nursery", "hospital",
    "surgery", "clinic", "lado", "team", "service", "constable", "detective", "mayor", "councillor",
    "director", "coordinator", "co-ordinator", "lead", "supervisor", "assistant", "adviser", "advisor",
    "analyst", "clerk", "administrator", "interpreter", "police", "pcso", "named nurse", "school nurse",
    "dentist", "optician", "housing", "support worker", "key worker", "youth worker", "mentor", "tutor",
    "principal", "deputy", "governor", "chief", "executive", "officer", "cllr", "mp", "minister",
    "secretary", "ofsted", "inspector", "psychiatrist", "pharmacist", "physiotherapist",
)
# Words that never stand in a service user's name in this mail (organisations, places, furniture).
NOT_NAME_WORDS = frozenset(
    """
    school primary academy college nursery council borough police hospital team teams services service
    hub house building hall centre center road lane street close court avenue drive ltd limited nhs trust
    university church station office library foodbank unit ward surgery clinic practice group panel
    board partnership department children childrens children's family families social care health
    visiting visitor worker workers manager team's referral referrals section plan conference meeting
    strategy review report minutes agenda update updates outcome assessment placement contact contacts
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    dob nhs ni upn uln lac cla cin cp icpc rcpc ehcp sgo ico epo plo mash icart dsl iro lado fyi
    re fw fwd official sensitive official-sensitive urgent confidential private secure encrypted
    mum dad mother father baby child children carer carers sibling siblings son daughter nan gran
    aunt uncle brother sister cousin partner pupil student young person grandmother grandfather
    hi hello dear morning afternoon evening thanks regards kind best wishes many cheers
    mr mrs ms miss mx dr dc pc ds sgt cllr councillor judge prof
    ok yes no please note attached attachment email mail phone mobile tel address postcode
    court order care looked after protection safeguarding early help duty assessment
    teams zoom outlook microsoft excel word pdf covid
    job title status role position grade organisation organization attended attendance apologies
    """.split()
)
ACRONYMS = frozenset(
    """
    NHS DOB NI UPN ULN LAC CLA CIN CP ICPC RCPC EHCP SGO ICO EPO PLO MASH ICART DSL IRO LADO FYI RE FW FWD
    OFFICIAL SENSITIVE URGENT GP HV SW FSW IFA UASC CAMHS SEN SENCO PEP PA YOT MARAC MAPPA CSE CCE DV
    ASB LCS ID TBC TBA NFA EDT CAFCASS HMRC DWP UK GB BBC PDF CSV TV CCTV ICT IT HR MP PCSO DC PC DS
    AM PM ASAP RSVP NB PS CC BCC
    """.split()
)
# Short common words that follow a lower-case first name and end the name ("callum lives with").
NAME_ENDERS = frozenset(
    """
    lives lived living attends attended attending has had was is were are said says told and or who whose
    aged age born went goes moved stays stayed will would can could did does needs needed wants reported
    disclosed presented seemed appeared returned arrived left refused missed remains continues visited seen
    to at in on with from by for of the a an his her their he she they it this that been being not
    """.split()
)
STOP = frozenset(STOP_WORDS) | NAME_ENDERS


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Lower-case first names from gender-guesser's dictionary (about 45,000, many countries)."""
    data = importlib.resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_bytes()
    names: set[str] = set()
    for raw in data.splitlines():
        if raw.startswith(b"#") or len(raw) < 30:
            continue
        name = raw[3:29].decode("utf-8", "ignore").strip().replace("+", "-").lower()
        if name and " " not in name:
            names.add(name)
    return frozenset(names)


def normalise_name(text: str) -> str:
    """'SWIFT, Charlie' and 'charlie  swift' both become 'charlie swift'."""
    text = " ".join(text.replace("\xa0", " ").split())
    if "," in text:
        last, _, first = text.partition(",")
        text = f"{first.strip()} {last.strip()}"
    return text.lower().strip(" .'’")
