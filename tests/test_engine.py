"""The whole detection pass on messages: who counts as a service user, and risk."""

from __future__ import annotations

from detectors.findings import FindingType
from detectors.risk import Risk
from tests.conftest import make_email

SIG = "\n\nKind regards,\n\nJo Bloggs\nSocial Worker\nTel: 0151 511 1234 | Mobile: 07700 900123\n"


def people(analysis) -> set[str]:
    return {f.text for f in analysis.findings if f.type is FindingType.PERSON and f.score >= 0.6}


def test_referral_is_high_risk(engine) -> None:
    body = ("Referral received from Amber Hope (Health Visitor) regarding Tilly Wood (DOB 12/08/2023).\n\n"
            "Tilly lives with mum hayley wood at 83b Wilmere Lane, Widnes WA8 2QB.\nMum's mobile is 07449 825713." + SIG)
    analysis = engine.analyze(make_email(body, subject="Referral"))
    assert analysis.risk is Risk.HIGH
    assert {"Tilly Wood", "hayley wood"} <= people(analysis)
    assert "Amber Hope" not in people(analysis)  # a professional, not a service user
    assert "Jo Bloggs" not in people(analysis)  # the sender, in the signature
    types = {f.type for f in analysis.findings if f.score >= 0.6}
    assert {FindingType.DATE_OF_BIRTH, FindingType.ADDRESS, FindingType.UK_POSTCODE, FindingType.PHONE} <= types
    # the sender's own mobile in the signature is not a finding
    assert not any(f.text == "07700 900123" for f in analysis.findings)


def test_caps_and_surname_first_names(engine) -> None:
    body = "Direct payments agreed for PRECIOUS ABDI-OKONKWO (DOB 18 June 2011). Payments to her mum, Abena Abdi." + SIG
    analysis = engine.analyze(make_email(body, subject="Direct payments - ABDI-OKONKWO, Precious"))
    assert {"PRECIOUS ABDI-OKONKWO", "Abena Abdi", "ABDI-OKONKWO, Precious"} <= people(analysis)


def test_staff_only_thread_is_clean(engine) -> None:
    body = ("Perfect, thanks.\n\nRegards,\nJo\n\n________________________________\nFrom: Zainab Akhtar <zainab.akhtar@halton.gov.uk>\n"
            "Sent: 26 September 2024 13:44\nSubject: Office move\n\nCan anyone swap duty with me on Friday?\n\nBest wishes,\n\n"
            "Zainab Akhtar\nCommunications Officer\nTel: 0151 511 4353 | Mobile: 07834 354670\n")
    analysis = engine.analyze(make_email(body, subject="RE: Office move"))
    assert analysis.risk in (Risk.NONE, Risk.LOW)


def test_policy_mail_mentioning_section_47_is_not_pii(engine) -> None:
    body = ("Morning all,\n\nAny Section 47 enquiry must start with a strategy discussion and child protection conferences "
            "must be held within 15 working days." + SIG)
    assert engine.analyze(make_email(body, subject="Section 47 guidance")).risk in (Risk.NONE, Risk.LOW)


def test_invoice_numbers_that_pass_the_nhs_check_are_not_pii(engine) -> None:
    body = "PO 9434765919 has been raised. Invoice number 4052458699 is now paid." + SIG
    analysis = engine.analyze(make_email(body, subject="PO 9434765919 raised"))
    assert analysis.risk in (Risk.NONE, Risk.LOW)
    assert not any(f.type is FindingType.NHS_NUMBER for f in analysis.findings)


def test_council_building_addresses_are_not_pii(engine) -> None:
    body = "Room 1.20 at Municipal Building, Kingsway, Widnes, WA8 7QF is booked. Castlefields Family Hub, Chester Close, Runcorn, WA7 2HY." + SIG
    assert engine.analyze(make_email(body, subject="Room booking")).risk in (Risk.NONE, Risk.LOW)


def test_councillor_in_newsletter_is_not_a_service_user(engine) -> None:
    body = "Cllr Marjorie Pennington opened the new family hub this week. Councillor Marjorie Pennington said it will help families." + SIG
    assert "Marjorie Pennington" not in people(engine.analyze(make_email(body, subject="Newsletter")))


def test_pii_only_in_attachment_and_subject(engine) -> None:
    csv = b"Name,DOB,NHS Number\nKacper Nowak,01/02/2015,9434765919\n"
    analysis = engine.analyze(make_email("See attached." + SIG, attachments=[("list.csv", csv, "text/csv")]))
    assert analysis.risk is Risk.HIGH
    assert any(f.where == "attachment:list.csv" and f.type is FindingType.NHS_NUMBER for f in analysis.findings)
    subject_only = engine.analyze(make_email("Can we talk later?" + SIG, subject="FW: SZYMANSKA, Malgorzata - LCS-551545"))
    assert subject_only.risk is Risk.HIGH
    assert {f.where for f in subject_only.findings} == {"subject"}


def test_unreadable_attachment_is_not_clean(engine) -> None:
    analysis = engine.analyze(make_email("x" + SIG, attachments=[("broken.docx", b"PK\x03\x04junk", "application/octet-stream")]))
    assert analysis.risk is not Risk.NONE
    assert any(f.type is FindingType.CANNOT_INSPECT for f in analysis.findings)


def test_staff_directory_names_are_excluded(config) -> None:
    from dataclasses import replace

    from detectors.engine import Engine
    from gateway.config import detector_settings

    settings = replace(detector_settings(config), staff_names=frozenset({"stacey ashton"}))
    body = "Stacey Ashton's mileage claim for September was rejected; she is covering the child protection conference." + SIG
    analysis = Engine(settings).analyze(make_email(body, subject="Mileage"))
    assert "Stacey Ashton" not in people(analysis)


def test_envelope_sender_is_not_a_service_user(engine) -> None:
    raw = make_email("Hi,\n\nAlex Quinn will present the child protection conference report on Monday.\n",
                     subject="Conference", sender="Duty Team <duty@halton.gov.uk>")
    without = engine.analyze_batch([raw])[0]
    with_envelope = engine.analyze_batch([raw], envelope=["alex.quinn@halton.gov.uk"])[0]
    assert "Alex Quinn" in people(without)
    assert "Alex Quinn" not in people(with_envelope)
