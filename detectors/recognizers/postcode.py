"""UK postcode. On its own a postcode is a place, not a person, so it scores low;
the engine raises it beside a home address and drops the organisation's own."""

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer

_POSTCODE = r"(?<![\w])(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})(?![\w])"


class PostcodeRecognizer(Recognizer):
    name = "uk_postcode"
    type = FindingType.UK_POSTCODE
    patterns = (Pattern("uk_postcode", _POSTCODE, 0.4),)
    context = ("postcode", "post code", "lives at", "live at", "living at", "address", "home", "resides", "moved to", "staying at")
    context_window = 80
    context_score = 0.75
