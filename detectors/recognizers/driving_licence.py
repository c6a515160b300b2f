"""GB driving licence number (DVLA format: 16 characters)."""

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer


class DrivingLicenceRecognizer(Recognizer):
    name = "driving_licence"
    type = FindingType.DRIVING_LICENCE
    patterns = (Pattern("dvla", r"(?<![\w])[A-Z9]{5}\d[0156]\d{4}[A-Z9]{2}\d[A-Z]{2}(?![\w])", 0.9),)
    context = ("driving licence", "licence", "dvla", "driver")
