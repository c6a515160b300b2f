"""IBAN, validated with python-stdnum (country format and mod-97)."""

from stdnum import iban

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer


class IbanRecognizer(Recognizer):
    name = "iban"
    type = FindingType.IBAN
    patterns = (Pattern("iban", r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![\w])", 0.95),)

    def validate(self, value: str) -> bool | None:
        return bool(iban.is_valid(value))
