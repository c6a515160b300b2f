"""The vocabulary of what the detectors report: finding types and findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class FindingType(enum.StrEnum):
    """Kinds of personal identifiable information (DESIGN.md's fixed vocabulary)."""

    PERSON = "PERSON"
    NHS_NUMBER = "NHS_NUMBER"
    NI_NUMBER = "NI_NUMBER"
    UPN = "UPN"
    ULN = "ULN"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    UK_POSTCODE = "UK_POSTCODE"
    ADDRESS = "ADDRESS"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    CARD_NUMBER = "CARD_NUMBER"
    IBAN = "IBAN"
    PASSPORT = "PASSPORT"
    DRIVING_LICENCE = "DRIVING_LICENCE"
    CASE_REFERENCE = "CASE_REFERENCE"
    # Not PII itself: a part we could not read (encrypted, over a limit, broken).
    # The policy treats it as "cannot inspect", never as "clean".
    CANNOT_INSPECT = "CANNOT_INSPECT"


# Identifiers that on their own single out one person.
STRONG_IDENTIFIERS = frozenset(
    {
        FindingType.NHS_NUMBER,
        FindingType.NI_NUMBER,
        FindingType.UPN,
        FindingType.ULN,
        FindingType.BANK_ACCOUNT,
        FindingType.CARD_NUMBER,
        FindingType.IBAN,
        FindingType.PASSPORT,
        FindingType.DRIVING_LICENCE,
    }
)

# Types whose value is a name or place: masked word by word, keeping initials.
_WORDY = frozenset({FindingType.PERSON, FindingType.ADDRESS, FindingType.EMAIL})


def mask(value: str, finding_type: FindingType) -> str:
    """A form of ``value`` safe for logs and explanations.

    Identifiers keep their first three and last two characters ("943 *** **19");
    names and addresses keep the first letter of each word ("J*** S****").
    Separators are kept so a reader recognises the shape.
    """
    if finding_type is FindingType.CANNOT_INSPECT:
        return value
    if finding_type is FindingType.DATE_OF_BIRTH:
        # Day, month and year together are the value; a partial date still narrows it down.
        return "".join("*" if ch.isalnum() else ch for ch in value)
    if finding_type in _WORDY:
        out = []
        first = True
        for ch in value:
            if ch.isalnum():
                out.append(ch if first else "*")
                first = False
            else:
                out.append(ch)
                first = True
        return "".join(out)
    alnum_positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    keep_head, keep_tail = (3, 2) if len(alnum_positions) >= 8 else (1, 1)
    if len(alnum_positions) <= 3:
        keep_head, keep_tail = 0, 0
    keep = set(alnum_positions[:keep_head]) | set(alnum_positions[len(alnum_positions) - keep_tail :])
    return "".join(
        ch if (i in keep or not ch.isalnum()) else "*" for i, ch in enumerate(value)
    )


@dataclass(frozen=True)
class Finding:
    """One piece of PII found in one extracted text, with why we think so."""

    type: FindingType
    where: str
    start: int
    end: int
    text: str = field(repr=False)  # the raw value: never logged, printed only with --reveal
    score: float
    detector: str
    explanation: str = ""

    @property
    def masked(self) -> str:
        return mask(self.text, self.type)

    def overlaps(self, other: Finding) -> bool:
        return self.where == other.where and self.start < other.end and other.start < self.end

    def to_json(self, reveal: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "type": self.type.value,
            "where": self.where,
            "start": self.start,
            "end": self.end,
            "masked": self.masked,
            "score": round(self.score, 2),
            "detector": self.detector,
        }
        if self.explanation:
            data["explanation"] = self.explanation
        if reveal:
            data["text"] = self.text
        return data
