"""Payment card numbers: 13 to 19 digits, a known issuer prefix and the Luhn check."""

from stdnum import luhn

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer, digits

_ISSUER_PREFIXES = ("4", "51", "52", "53", "54", "55", "22", "23", "24", "25", "26", "27", "34", "37", "6")


class CardNumberRecognizer(Recognizer):
    name = "card_number"
    type = FindingType.CARD_NUMBER
    patterns = (Pattern("card", r"(?<![\w-])(?:\d{4}[ -]?){3}\d{1,7}(?![\w-])", 0.8),)
    context = ("card", "visa", "mastercard", "amex", "debit", "credit", "prepaid")

    def validate(self, value: str) -> bool | None:
        d = digits(value)
        return 13 <= len(d) <= 19 and d.startswith(_ISSUER_PREFIXES) and bool(luhn.is_valid(d))

    def invalidate(self, value: str) -> bool:
        return len(set(digits(value))) == 1
