"""Controls: messages that MUST be delivered to someone@gmail.com -- real encryption (the
referral is unreadable on the way), signatures over harmless text, the sender's own
signature block, a logo, harmless office attachments. A gateway that stops everything
would pass the evasion tests; these keep it honest."""

from __future__ import annotations

from . import builders, mime
from .checks import assert_delivered
from .crypto_shapes import pgp_mime, smime_entity

STAFF_SIGNATURE = ("Thanks,\nJo Bloggs\nSocial Worker, Children in Need Team\nHalton Borough Council\n"
                   "Tel: 0151 511 1234\n")
HARMLESS = ("Hi all,\n\nThe team meeting on Thursday has moved to Room 3 in the Municipal Building, "
            "10:00 to 11:00. The agenda is attached.\n\n" + STAFF_SIGNATURE)
AGENDA = ["Children in Need Team - meeting agenda", "Thursday 21 May 2026, 10:00, Room 3, Municipal Building",
          "1. Apologies", "2. Minutes of the last meeting", "3. Training dates for the summer",
          "4. Office move timetable", "5. Any other business"]
ROTA = [("Room", "Day", "Time", "Booked by"), ("Room 1", "Monday", "09:30-11:00", "Children in Need Team"),
        ("Room 2", "Tuesday", "14:00-15:00", "Fostering Team"), ("Room 3", "Thursday", "10:00-11:00", "Duty Team"),
        ("Training Suite", "Friday", "09:00-16:00", "Learning and Development")]


# -- real encryption ----------------------------------------------------------------------


def test_real_pgp_mime_encrypted_referral(scan, child, gpg):
    cipher = gpg.encrypt(mime.text(child.letter()))
    assert_delivered(scan(mime.message(pgp_mime(cipher))))


def test_real_inline_pgp_encrypted_referral(scan, child, gpg):
    cipher = gpg.encrypt(child.letter().encode())
    assert_delivered(scan(mime.message(mime.entity('text/plain; charset="us-ascii"', cipher, cte="7bit"))))


def test_real_smime_enveloped_referral(scan, child, smime):
    assert_delivered(scan(mime.message(smime_entity(smime.encrypt(mime.text(child.letter()))))))


def test_real_cms_enveloped_referral(scan, child, smime):
    assert_delivered(scan(mime.message(smime_entity(smime.encrypt_cms(mime.text(child.letter()))))))


# -- signatures over harmless text --------------------------------------------------------


def test_pgp_clearsigned_harmless_message(scan, gpg):
    signed = gpg.clearsign(mime.crlf(HARMLESS).encode())
    assert_delivered(scan(mime.message(mime.entity('text/plain; charset="utf-8"', signed, cte="7bit"))))


def test_smime_detached_signed_harmless_message(scan, smime):
    assert_delivered(scan(mime.message(smime_entity(smime.sign(mime.text(HARMLESS))))))


# -- ordinary harmless mail ---------------------------------------------------------------


def test_plain_harmless_message(scan):
    assert_delivered(scan(mime.plain("Hi,\n\nThe meeting has moved to Room 3.\n\nJo\n")))


def test_staff_signature_after_thanks(scan):
    body = "Hi,\n\nThe team meeting on Thursday has moved to Room 3.\n\n" + STAFF_SIGNATURE
    assert_delivered(scan(mime.plain(body)))


def test_html_with_inline_cid_logo(scan):
    html = ('<html><body><p>Hi,</p><p>The team meeting on Thursday has moved to Room 3.</p>'
            "<p>Thanks,<br>Jo Bloggs<br>Social Worker, Children in Need Team<br>Halton Borough Council<br>"
            'Tel: 0151 511 1234</p><p><img src="cid:logo@halton.gov.uk" alt="Halton Borough Council" width="64"></p>'
            "</body></html>")
    logo = mime.entity("image/png", mime.b64(builders.logo_png()), cte="base64",
                       headers=["Content-ID: <logo@halton.gov.uk>", 'Content-Disposition: inline; filename="logo.png"'])
    related = mime.multipart("related", mime.text(html, subtype="html"), logo, params='; type="text/html"')
    body = mime.multipart("alternative", mime.text("Hi,\n\nThe team meeting on Thursday has moved to Room 3.\n\n"
                                                   + STAFF_SIGNATURE), related)
    assert_delivered(scan(mime.message(body)))


def test_harmless_pdf_agenda(scan):
    att = mime.attachment(builders.pdf_text(AGENDA, title="Team meeting agenda"), "application/pdf", "agenda.pdf")
    assert_delivered(scan(mime.with_attachment(att, note=HARMLESS)))


def test_harmless_docx_agenda(scan):
    data = builders.docx_document(lambda d: [d.add_paragraph(line) for line in AGENDA])
    att = mime.attachment(data, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "agenda.docx")
    assert_delivered(scan(mime.with_attachment(att, note=HARMLESS)))


def test_harmless_xlsx_room_rota(scan):
    def build(book) -> None:
        for row in ROTA:
            book.active.append(list(row))

    att = mime.attachment(builders.xlsx_workbook(build),
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "room-rota.xlsx")
    assert_delivered(scan(mime.with_attachment(att, note=HARMLESS)))
