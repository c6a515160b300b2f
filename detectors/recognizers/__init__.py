"""The registry: one explicit list of recognizers, refusing duplicate names."""

from __future__ import annotations

from collections.abc import Iterable

from detectors.recognizers.address import AddressRecognizer
from detectors.recognizers.bank_account import BankAccountRecognizer
from detectors.recognizers.base import Recognizer
from detectors.recognizers.card_number import CardNumberRecognizer
from detectors.recognizers.case_reference import CaseReferenceRecognizer
from detectors.recognizers.driving_licence import DrivingLicenceRecognizer
from detectors.recognizers.email_address import EmailRecognizer
from detectors.recognizers.iban import IbanRecognizer
from detectors.recognizers.nhs_number import NhsNumberRecognizer
from detectors.recognizers.ni_number import NiNumberRecognizer
from detectors.recognizers.passport import PassportRecognizer
from detectors.recognizers.phone import PhoneRecognizer
from detectors.recognizers.postcode import PostcodeRecognizer
from detectors.recognizers.uln import UlnRecognizer
from detectors.recognizers.upn import UpnRecognizer
from detectors.settings import CaseReferencePattern

# Recognizers that work on text alone. PERSON and DATE_OF_BIRTH need the engine's
# second pass (names first, then dates next to them) and are not in this list.
TEXT_RECOGNIZERS: tuple[type[Recognizer], ...] = (
    NhsNumberRecognizer,
    NiNumberRecognizer,
    UpnRecognizer,
    UlnRecognizer,
    PostcodeRecognizer,
    AddressRecognizer,
    PhoneRecognizer,
    EmailRecognizer,
    BankAccountRecognizer,
    CardNumberRecognizer,
    IbanRecognizer,
    PassportRecognizer,
    DrivingLicenceRecognizer,
)
KNOWN_NAMES = frozenset({r.name for r in TEXT_RECOGNIZERS} | {"person", "date_of_birth", "case_reference"})


class DuplicateRecognizer(ValueError):
    pass


def build(disabled: Iterable[str], case_references: Iterable[CaseReferencePattern]) -> list[Recognizer]:
    disabled = set(disabled)
    recognizers: list[Recognizer] = [cls() for cls in TEXT_RECOGNIZERS if cls.name not in disabled]
    if "case_reference" not in disabled:
        recognizers += [CaseReferenceRecognizer(spec) for spec in case_references]
    seen: set[str] = set()
    for recognizer in recognizers:
        if recognizer.name in seen:
            raise DuplicateRecognizer(f"two recognizers are named {recognizer.name!r}")
        seen.add(recognizer.name)
    return recognizers
