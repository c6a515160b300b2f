"""The social-care context scorer: words that say a message is about a child's
case (Section 47, child protection plan, looked after ...). They are not PII;
they raise the risk of the PII found near them."""

from __future__ import annotations

import regex

SOCIAL_CARE_TERMS = (
    r"section\s*47", r"s\.?\s*47", r"section\s*17", r"section\s*20", r"s\.?\s*20",
    r"child protection(?: plan| conference| medical| enquiry| investigation)?", r"cp plan", r"cpp",
    r"strategy (?:discussion|meeting)", r"icpc", r"rcpc", r"core group", r"looked[- ]after", r"\blac\b",
    r"\bcla\b", r"child(?:ren)? in care", r"care order", r"interim care order", r"\bico\b", r"\bepo\b",
    r"emergency protection order", r"supervision order", r"special guardianship", r"\bsgo\b",
    r"placement", r"foster(?:ing| carers?| placement)?", r"connected carers?", r"kinship", r"residential home",
    r"referral", r"re-referral", r"safeguarding", r"\bcin\b", r"child in need", r"\behcp\b",
    r"education,? health and care plan", r"contact arrangements?", r"supervised contact", r"\bplo\b",
    r"pre-proceedings", r"care proceedings", r"\bmash\b", r"icart", r"early help", r"neglect",
    r"domestic abuse", r"domestic violence", r"\bdv\b", r"disclos(?:ed|ure)", r"allegation", r"bruis(?:e|ing)",
    r"injur(?:y|ies)", r"sexual abuse", r"physical abuse", r"emotional abuse", r"exploitation", r"\bcse\b",
    r"\bcce\b", r"missing from (?:home|care)", r"\blado\b", r"\bmarac\b", r"\bmappa\b", r"adoption",
    r"court hearing", r"family court", r"assessment", r"home visit", r"joint visit", r"welfare check",
    r"\bdsl\b", r"pathway plan", r"care leaver", r"\buasc\b", r"direct payments?", r"short breaks",
    r"respite", r"wellbeing concern", r"concern(?:s)? (?:for|about|regarding)",
)
_TERMS = regex.compile(r"(?i)(?<!\w)(?:" + "|".join(SOCIAL_CARE_TERMS) + r")(?!\w)")


def social_care_hits(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TERMS.finditer(text, timeout=2.0)]


def near(hits: list[tuple[int, int]], start: int, end: int, window: int) -> bool:
    return any(a < end + window and b > start - window for a, b in hits)


# Child-protection work that must never wait in a queue: a hold with these is urgent.
URGENT_TERMS = (
    r"section\s*47", r"s\.?\s*47", r"child protection", r"strategy (?:discussion|meeting)", r"safeguarding",
    r"referral", r"icpc", r"emergency protection order", r"\bepo\b", r"disclos(?:ed|ure)", r"allegation",
    r"missing from (?:home|care)", r"\bmash\b", r"icart",
)
_URGENT = regex.compile(r"(?i)(?<!\w)(?:" + "|".join(URGENT_TERMS) + r")(?!\w)")


def is_urgent(text: str) -> bool:
    return _URGENT.search(text, timeout=2.0) is not None
