"""Risk per message, from what was found and where. README "How risk is rated"
explains these rules in words for security officers; keep the two in step."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from detectors.findings import STRONG_IDENTIFIERS, Finding, FindingType

REPORT_SCORE = 0.6  # a finding at or above this counts towards medium/high


class Risk(enum.StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# With a person's name, these make the person identifiable and locatable.
_LINKING = frozenset(
    {
        FindingType.DATE_OF_BIRTH,
        FindingType.ADDRESS,
        FindingType.UK_POSTCODE,
        FindingType.CASE_REFERENCE,
        FindingType.PHONE,
        FindingType.EMAIL,
    }
) | STRONG_IDENTIFIERS


def assess(findings: Iterable[Finding], social_care_context: bool) -> Risk:
    findings = list(findings)
    if not findings:
        return Risk.NONE
    counted = [f for f in findings if f.score >= REPORT_SCORE]
    types = {f.type for f in counted}
    if any(f.type in STRONG_IDENTIFIERS and f.score >= 0.8 for f in counted):
        return Risk.HIGH
    if FindingType.PERSON in types and (types & _LINKING or social_care_context):
        return Risk.HIGH
    if counted:
        return Risk.MEDIUM
    return Risk.LOW
