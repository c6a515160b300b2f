"""Class 2: layout look-alikes. The referral placed where a signature, disclaimer, quoted
reply or forwarded header usually sits. The text below such a line still leaves."""

from __future__ import annotations

import pytest

from . import mime
from .checks import assert_stopped

OPENING = "Hi,\n\nQuick one, see below.\n\n"

SEPARATORS = {
    "thanks-comma": "Thanks,\n",
    "thank-you-full-stop": "Thank you.\n",
    "kind-regards": "Kind regards\n",
    "dash-rule": "-----\n",
    "equals-rule": "=====\n",
    "sig-dash-dash-space": "-- \n",
    "sent-from-phone": "Sent from my iPhone\n",
    "underscore-rule": "________________________________\n",
    "disclaimer-heading": "DISCLAIMER: This email and any files transmitted with it are confidential.\n",
}


@pytest.mark.parametrize("separator", sorted(SEPARATORS))
def test_referral_after_signature_like_line(scan, child, separator):
    body = OPENING + SEPARATORS[separator] + child.letter().removeprefix("Hi,\n\n")
    assert_stopped(scan(mime.plain(body)))


def test_referral_as_a_signature_block_after_name(scan, child):
    # "Thanks, <name>" then the child's details laid out like a signature (name, address, phone).
    body = (OPENING + "Thanks,\nJo\n\n"
            f"{child.name}\nDOB {child.dob_text}\n{child.address}\n{child.postcode}\n"
            f"NHS {child.nhs_text}\nMum {child.parent} {child.phone}\n")
    assert_stopped(scan(mime.plain(body)))


def test_referral_in_quoted_reply_block(scan, child):
    quoted = "".join("> " + line + "\n" for line in child.letter().splitlines())
    body = "Yes, agreed, we will pick this up.\n\nJo\n\nOn Wed, 13 May 2026 at 16:02, Jo Bloggs wrote:\n" + quoted
    assert_stopped(scan(mime.plain(body)))


def test_referral_under_outlook_original_message_header(scan, child):
    body = ("FYI\n\n-----Original Message-----\nFrom: Jo Bloggs <jo.bloggs@halton.gov.uk>\n"
            "Sent: 13 May 2026 16:02\nTo: Duty Team <duty@halton.gov.uk>\nSubject: Update\n\n" + child.letter())
    assert_stopped(scan(mime.plain(body)))


def test_referral_under_forwarded_message_header(scan, child):
    body = ("See below.\n\n---------- Forwarded message ---------\nFrom: Jo Bloggs <jo.bloggs@halton.gov.uk>\n"
            "Date: Wed, 13 May 2026 at 16:02\nSubject: Update\nTo: <duty@halton.gov.uk>\n\n" + child.letter())
    assert_stopped(scan(mime.plain(body)))


def test_referral_inside_disclaimer_paragraph(scan, child):
    body = (OPENING + "Thanks,\nJo Bloggs\nHalton Borough Council\n\n"
            "This e-mail is confidential and intended solely for the addressee. Ref: child "
            f"{child.name} born {child.dob_text}, NHS number {child.nhs_text}, of {child.address} "
            f"{child.postcode}, subject to a child protection plan. If you have received it in error, "
            "please notify the sender.\n")
    assert_stopped(scan(mime.plain(body)))
