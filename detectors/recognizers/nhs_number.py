"""NHS number: ten digits, mod-11 check digit (python-stdnum's gb.nhs).

About one random ten-digit number in eleven passes the check by chance, so an
order or invoice number is vetoed by the words in front of it, and a bare
valid number without "NHS" nearby scores low.
"""

from stdnum.gb import nhs

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer, digits


class NhsNumberRecognizer(Recognizer):
    name = "nhs_number"
    type = FindingType.NHS_NUMBER
    patterns = (
        Pattern("nhs_3_3_4", r"(?<![\w-])\d{3}[ \-]\d{3}[ \-]\d{4}(?![\w-])", 0.65),
        Pattern("nhs_3_4_3", r"(?<![\w-])\d{3}[ \-]\d{4}[ \-]\d{3}(?![\w-])", 0.6),
        Pattern("nhs_10_digits", r"(?<![\w-])\d{10}(?![\w-])", 0.5),
    )
    context = ("nhs", "nhs no", "nhs number", "nhs no.", "health number", "nhs#")
    negative_context = (
        "invoice", "inv", "order", "po", "purchase", "ref", "reference", "quote", "ticket",
        "account", "acc", "a/c", "tel", "phone", "mobile", "employee", "booking",
        "payroll", "cost centre", "transaction", "requisition", "supplier", "case",
        "crime", "incident", "job", "tracking", "serial", "licence", "uln", "policy",
    )
    context_window = 30

    def validate(self, value: str) -> bool | None:
        return bool(nhs.is_valid(digits(value)))

    def invalidate(self, value: str) -> bool:
        d = digits(value)
        return len(set(d)) == 1 or d.startswith("0")
