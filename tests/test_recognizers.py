"""Each structured recognizer: valid values, checksum failures and look-alikes."""

from __future__ import annotations

import pytest
from stdnum.gb import nhs

from detectors.findings import FindingType, mask
from detectors.recognizers.address import AddressRecognizer
from detectors.recognizers.bank_account import BankAccountRecognizer
from detectors.recognizers.card_number import CardNumberRecognizer
from detectors.recognizers.date_of_birth import DateOfBirthRecognizer
from detectors.recognizers.driving_licence import DrivingLicenceRecognizer
from detectors.recognizers.email_address import EmailRecognizer
from detectors.recognizers.iban import IbanRecognizer
from detectors.recognizers.nhs_number import NhsNumberRecognizer
from detectors.recognizers.ni_number import NiNumberRecognizer
from detectors.recognizers.passport import PassportRecognizer
from detectors.recognizers.phone import PhoneRecognizer
from detectors.recognizers.postcode import PostcodeRecognizer
from detectors.recognizers.uln import UlnRecognizer, uln_is_valid
from detectors.recognizers.upn import UpnRecognizer

VALID_NHS = "9434765919"
assert nhs.is_valid(VALID_NHS)


def found(recognizer, text: str, minimum: float = 0.6) -> list[str]:
    return [f.text for f in recognizer.analyze(text, "body") if f.score >= minimum]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NHS number 943 476 5919 for the child", ["943 476 5919"]),
        ("NHS no. 943-476-5919", ["943-476-5919"]),
        ("NHS 943 4765 919", ["943 4765 919"]),
        ("nhs: 9434765919", ["9434765919"]),
        ("NHS number 943 476 5918", []),  # checksum fails
        ("Invoice 9434765919 is paid", []),  # passes by chance, but an invoice
        ("PO 9434765919 raised", []),
        ("NHS number 0000000000", []),
    ],
)
def test_nhs_number(text: str, expected: list[str]) -> None:
    assert found(NhsNumberRecognizer(), text) == expected


def test_bare_valid_ten_digits_score_low() -> None:
    hits = NhsNumberRecognizer().analyze("the number 9434765919 here", "body")
    assert hits and all(h.score < 0.6 for h in hits)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NI number AB123456C", ["AB123456C"]),
        ("national insurance JT 12 34 56 A", ["JT 12 34 56 A"]),
        ("code BG123456C", []),  # BG is never issued
        ("code DA123456C", []),  # D is not a valid first letter
        ("code AB123456E", []),  # suffix only A-D
    ],
)
def test_ni_number(text: str, expected: list[str]) -> None:
    assert found(NiNumberRecognizer(), text) == expected


def test_upn_check_letter() -> None:
    from stdnum.gb import upn

    digits = "801200001001"
    valid = next(letter + digits for letter in "ABCDEFGHJKLMNPQRTUVWXYZ" if upn.is_valid(letter + digits))
    wrong = next(letter + digits for letter in "ABCDEFGHJKLMNPQRTUVWXYZ" if not upn.is_valid(letter + digits))
    assert found(UpnRecognizer(), f"UPN {valid}") == [valid]
    assert found(UpnRecognizer(), f"UPN {wrong}") == []


def test_uln_needs_context_and_checksum() -> None:
    valid = next(f"{n}" for n in range(1000000000, 1000001000) if uln_is_valid(str(n)))
    invalid = str(int(valid) + 1) if not uln_is_valid(str(int(valid) + 1)) else str(int(valid) + 2)
    assert found(UlnRecognizer(), f"ULN {valid}") == [valid]
    assert found(UlnRecognizer(), f"ULN {invalid}") == []
    assert found(UlnRecognizer(), f"number {valid}") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("DOB 28/02/2014", ["28/02/2014"]),
        ("born 9th December 2021", ["9th December 2021"]),
        ("date of birth: 2024-08-12", ["2024-08-12"]),
        ("(D.O.B 13.04.17)", ["13.04.17"]),
        ("meeting on 28/02/2014 at 2pm", []),  # no birth context
        ("DOB 31/02/2014", []),  # not a date
        ("DOB 01/01/2999", []),  # in the future
    ],
)
def test_date_of_birth(text: str, expected: list[str]) -> None:
    assert found(DateOfBirthRecognizer(), text) == expected


def test_date_of_birth_after_name() -> None:
    text = "in respect of grace moss, 28/02/2014 and others"
    start = text.index("grace")
    hits = DateOfBirthRecognizer().analyze(text, "body", [(start, start + len("grace moss"))])
    assert [h.text for h in hits] == ["28/02/2014"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("lives at 33 Fiddlers Ferry Road, Widnes", ["33 Fiddlers Ferry Road"]),
        ("address: Flat 3, 12 Oak Avenue", ["Flat 3, 12 Oak Avenue"]),
        ("83b Wilmere Lane", ["83b Wilmere Lane"]),
        ("Room 1.20 at Municipal Building", []),
    ],
)
def test_address(text: str, expected: list[str]) -> None:
    assert found(AddressRecognizer(), text) == expected


def test_postcode_alone_is_low_and_with_context_counts() -> None:
    assert found(PostcodeRecognizer(), "Venue: WA7 2HY") == []
    assert found(PostcodeRecognizer(), "they live at WA7 4XZ") == ["WA7 4XZ"]
    assert found(PostcodeRecognizer(), "postcode WA85YU") == ["WA85YU"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mum's mobile is 07553 908 970.", ["07553 908 970"]),
        ("mobile (07476) 445856", ["(07476) 445856"]),
        ("Helpline: 0808 2000 247", []),  # freephone
        ("Office 0151 511 7487", []),  # a landline without personal context
        ("mum's home phone 0151 511 7487", ["0151 511 7487"]),
    ],
)
def test_phone(text: str, expected: list[str]) -> None:
    assert found(PhoneRecognizer(), text) == expected


def test_email_personal_domain() -> None:
    assert found(EmailRecognizer(), "write to jane.doe84@gmail.com") == ["jane.doe84@gmail.com"]
    assert found(EmailRecognizer(), "bookings@venue.co.uk") == []


def test_bank_card_iban_passport_licence() -> None:
    assert found(BankAccountRecognizer(), "Bank details: 20-52-75 14575159.") == ["20-52-75 14575159"]
    assert found(CardNumberRecognizer(), "card 4111 1111 1111 1111") == ["4111 1111 1111 1111"]
    assert found(CardNumberRecognizer(), "card 4111 1111 1111 1112") == []  # Luhn fails
    assert found(IbanRecognizer(), "IBAN GB82WEST12345698765432") == ["GB82WEST12345698765432"]
    assert found(IbanRecognizer(), "IBAN GB82WEST12345698765433") == []
    assert found(PassportRecognizer(), "passport number 123456789") == ["123456789"]
    assert found(PassportRecognizer(), "order 123456789") == []
    assert found(DrivingLicenceRecognizer(), "licence MORGA657054SM9IJ") == ["MORGA657054SM9IJ"]
    assert found(DrivingLicenceRecognizer(), "licence MORGA637054SM9IJ") == []  # month digit invalid


def test_masking_hides_the_value() -> None:
    assert mask("943 476 5919", FindingType.NHS_NUMBER) == "943 *** **19"
    assert mask("Hayley Wood", FindingType.PERSON) == "H***** W***"
    assert "14575159" not in mask("20-52-75 14575159", FindingType.BANK_ACCOUNT)


def test_dates_of_birth_are_fully_masked() -> None:
    assert mask("12/08/2023", FindingType.DATE_OF_BIRTH) == "**/**/****"
    assert mask("9th December 2021", FindingType.DATE_OF_BIRTH) == "*** ******** ****"
