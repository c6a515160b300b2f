"""Unique Learner Number: ten digits with a check digit; only with "ULN" context,
because ten-digit numbers are far more often NHS, phone or order numbers."""

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer, digits


def uln_is_valid(number: str) -> bool:
    """The Learning Records Service check: weights 10..2 on the first nine digits."""
    if len(number) != 10 or not number.isdigit() or number[0] == "0":
        return False
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    check = 10 - total % 11
    return check != 10 and check == int(number[9])


class UlnRecognizer(Recognizer):
    name = "uln"
    type = FindingType.ULN
    patterns = (Pattern("uln", r"(?<![\w-])\d{10}(?![\w-])", 0.9),)
    context = ("uln", "unique learner number", "learner number")
    requires_context = True

    def validate(self, value: str) -> bool | None:
        return uln_is_valid(digits(value))
