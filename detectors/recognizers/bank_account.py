"""UK bank account: a sort code with an eight-digit account number next to it."""

from detectors.findings import FindingType
from detectors.recognizers.base import Pattern, Recognizer

_SORT = r"\d{2}[- ]\d{2}[- ]\d{2}"
_ACCOUNT = r"\d{8}"


class BankAccountRecognizer(Recognizer):
    name = "bank_account"
    type = FindingType.BANK_ACCOUNT
    patterns = (
        Pattern("sort_code_then_account", rf"(?<![\w-]){_SORT}[\s,/;:]+(?:(?:a/c|acc(?:ount)?(?: no\.?| number)?)[\s:]*)?{_ACCOUNT}(?![\w-])", 0.9),
        Pattern("account_then_sort_code", rf"(?<![\w-]){_ACCOUNT}[\s,/;:]+(?:(?:sort code|s/c)[\s:]*)?{_SORT}(?![\w-])", 0.9),
        Pattern("account_number_labelled", r"(?i:account (?:no\.?|number)|a/c)[\s:]*\d{8}(?!\d)", 0.85),
    )
    context = ("sort code", "bank", "account", "a/c", "payments", "bacs")
