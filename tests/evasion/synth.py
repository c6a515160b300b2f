"""Synthetic service users for the evasion suite.

Names and streets come from Faker (en_GB), NHS numbers carry a valid mod-11 check digit
(checked with python-stdnum), NI numbers follow HMRC's prefix rules, and mobiles are in
Ofcom's range reserved for drama (07700 900000-900999). Nothing here is a real person.
Everything is seeded, so a failing test shows the same message on every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker
from stdnum.gb import nhs

# transform(kind, value) -> value; kinds: name, dob, nhs, ni, address, postcode, phone, parent
Transform = Callable[[str, str], str]

STREET_WORDS = ["Road", "Lane", "Street", "Close", "Avenue", "Drive", "Crescent", "Grove"]
TOWNS = ["Runcorn", "Widnes"]
_POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # Royal Mail never uses C I K M O V in the inward code
_NI_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NI_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NI_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_COUNCIL_POSTCODES = {"WA8 7QF", "WA7 2GW", "WA7 5TD"}


def nhs_check_digit(nine: str) -> int | None:
    """The NHS mod-11 check digit for the first nine digits (None: no valid number)."""
    total = sum(int(digit) * weight for digit, weight in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def make_nhs_number(rng: random.Random) -> str:
    while True:
        nine = str(rng.randint(4, 7)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
        check = nhs_check_digit(nine)
        if check is None:
            continue
        number = nine + str(check)
        assert nhs.is_valid(number), number  # python-stdnum agrees
        return number


def make_ni_number(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(_NI_FIRST) + rng.choice(_NI_SECOND)
        if prefix not in _NI_BAD_PREFIXES:
            break
    digits = "".join(str(rng.randint(0, 9)) for _ in range(6))
    return f"{prefix}{digits}{rng.choice('ABCD')}"


def make_postcode(rng: random.Random, town: str) -> str:
    district = "WA7" if town == "Runcorn" else "WA8"
    while True:
        code = f"{district} {rng.randint(1, 9)}{rng.choice(_POSTCODE_UNIT_LETTERS)}{rng.choice(_POSTCODE_UNIT_LETTERS)}"
        if code not in _COUNCIL_POSTCODES:
            return code


@dataclass(frozen=True)
class Child:
    first: str
    last: str
    dob: dt.date
    house: int
    street: str
    town: str
    postcode: str
    nhs: str  # ten digits
    parent_first: str
    parent_ni: str  # nine characters
    phone: str  # "07700 900123"

    # -- formatted values -------------------------------------------------
    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def parent(self) -> str:
        return f"{self.parent_first} {self.last}"

    @property
    def dob_text(self) -> str:
        return self.dob.strftime("%d/%m/%Y")

    @property
    def nhs_text(self) -> str:
        return f"{self.nhs[:3]} {self.nhs[3:6]} {self.nhs[6:]}"

    @property
    def ni_text(self) -> str:
        n = self.parent_ni
        return f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:8]} {n[8]}"

    @property
    def address(self) -> str:
        return f"{self.house} {self.street}, {self.town}"

    # -- the messages a social worker would write ---------------------------
    def letter(self, t: Transform | None = None) -> str:
        """The baseline referral: a plain-text message body (LF line ends)."""
        t = t or (lambda _kind, value: value)
        return (
            "Hi,\n\n"
            "Referral for a child we are worried about, details below.\n\n"
            f"Child: {t('name', self.name)}\n"
            f"Date of birth: {t('dob', self.dob_text)}\n"
            f"Address: {t('address', self.address)} {t('postcode', self.postcode)}\n"
            f"NHS number: {t('nhs', self.nhs_text)}\n"
            f"Mother: {t('parent', self.parent)}, mobile {t('phone', self.phone)}, "
            f"NI number {t('ni', self.ni_text)}\n\n"
            f"{t('first', self.first)} told a teacher they are frightened to go home. There are "
            "safeguarding concerns and a Section 47 strategy discussion is planned for Thursday.\n"
        )

    def form(self) -> str:
        """A short typed referral form, for images (few lines, large type)."""
        return (
            "CHILDREN'S SERVICES REFERRAL FORM\n"
            f"Child: {self.name}\n"
            f"Date of birth: {self.dob_text}\n"
            f"NHS number: {self.nhs_text}\n"
            f"Address: {self.house} {self.street}\n"
            f"{self.town} {self.postcode}\n"
            f"Mother: {self.parent} {self.phone}\n"
            "Reason: safeguarding concerns\n"
        )

    def subject(self) -> str:
        return f"Referral {self.name} DOB {self.dob_text} NHS {self.nhs_text}"

    def file_stem(self) -> str:
        return f"{self.name} DOB {self.dob.strftime('%d.%m.%Y')} NHS {self.nhs} referral"

    def row(self) -> list[str]:
        return [self.name, self.dob_text, self.nhs_text, f"{self.house} {self.street}", self.town,
                self.postcode, self.parent, self.phone]


CSV_HEADER = ["Child name", "DOB", "NHS number", "Address", "Town", "Postcode", "Parent/carer", "Parent mobile"]


def make_children(count: int, seed: int = 20260514) -> list[Child]:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    children = []
    phones = rng.sample(range(1000), count)
    for i in range(count):
        first = fake.first_name_male() if i % 2 == 0 else fake.first_name_female()
        last = fake.last_name()
        while "'" in last or " " in last or "-" in last:
            last = fake.last_name()
        dob = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 9))
        town = rng.choice(TOWNS)
        children.append(Child(
            first=first, last=last, dob=dob, house=rng.randint(2, 120),
            street=f"{fake.last_name()} {rng.choice(STREET_WORDS)}", town=town,
            postcode=make_postcode(rng, town), nhs=make_nhs_number(rng), parent_first=fake.first_name_female(),
            parent_ni=make_ni_number(rng), phone=f"07700 900{phones[i]:03d}",
        ))
    return children


def children_csv(children: list[Child], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for child in children:
        writer.writerow(child.row())
    return buf.getvalue()
