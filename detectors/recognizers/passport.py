"""UK passport number: nine digits, only with the word "passport" nearby."""

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer


class PassportRecognizer(Recognizer):
    name = "passport"
    type = FindingType.PASSPORT
    patterns = (Pattern("uk_passport", r"(?<![\w])\d{9}(?![\w])", 0.9),)
    context = ("passport", "passport no", "passport number")
    requires_context = True
