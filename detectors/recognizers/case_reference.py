"""Case references in the council's own formats, which come from configuration."""

from __future__ import annotations

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer
from detectors.settings import CaseReferencePattern


class CaseReferenceRecognizer(Recognizer):
    """One instance per configured format; each keeps its own context rules."""

    type = FindingType.CASE_REFERENCE

    def __init__(self, spec: CaseReferencePattern) -> None:
        self.name = f"case_reference:{spec.name}"
        self.patterns = (Pattern(spec.name, spec.expression, spec.score),)
        self.context = spec.context
        self.negative_context = spec.negative_context
        self.requires_context = spec.requires_context
        self.context_window = spec.context_window
        self.context_score = max(spec.score, 0.9)
