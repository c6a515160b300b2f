"""Class 1: encryption claimed by a label, not by ciphertext. Only real ciphertext may take
the "already encrypted" route; whatever is in clear (including the Subject, which
neither S/MIME nor PGP/MIME encrypts) must be scanned."""

from __future__ import annotations

import base64

from . import mime
from .checks import assert_stopped
from .crypto_shapes import fake_armour, label_only_armour, pgp_mime, smime_entity

NEUTRAL = "Hi,\n\nUpdate as discussed.\n\nJo\n"


# -- labels and armour lines around clear text -------------------------------------------


def test_plain_body_starting_with_pgp_armour_line_but_clear_text(scan, child):
    body = mime.entity('text/plain; charset="utf-8"', label_only_armour(child.letter()), cte="8bit")
    assert_stopped(scan(mime.message(body)))


def test_plain_body_armour_block_holding_base64_of_clear_text(scan, child):
    body = mime.entity('text/plain; charset="us-ascii"', fake_armour(child.letter().encode()), cte="7bit")
    assert_stopped(scan(mime.message(body)))


def test_pgp_mime_envelope_with_clear_text_payload(scan, child):
    assert_stopped(scan(mime.message(pgp_mime(mime.crlf(child.letter()).encode()))))


def test_pgp_mime_envelope_with_armour_lines_around_clear_text(scan, child):
    assert_stopped(scan(mime.message(pgp_mime(label_only_armour(child.letter())))))


def test_pgp_mime_envelope_with_armour_of_base64_mime_entity(scan, child):
    # What a real client would find after decryption is a MIME entity; here it is merely base64.
    assert_stopped(scan(mime.message(pgp_mime(fake_armour(mime.text(child.letter()))))))


def test_smime_enveloped_label_on_base64_of_clear_text(scan, child):
    body = mime.entity('application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
                       mime.b64(mime.crlf(child.letter()).encode()), cte="base64",
                       headers=['Content-Disposition: attachment; filename="smime.p7m"'])
    assert_stopped(scan(mime.message(body)))


def test_smime_enveloped_label_on_base64_of_clear_mime_entity(scan, child):
    body = mime.entity('application/x-pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
                       mime.b64(mime.text(child.letter())), cte="base64",
                       headers=['Content-Disposition: attachment; filename="smime.p7m"'])
    assert_stopped(scan(mime.message(body)))


def test_smime_p7m_attachment_in_mixed_holding_clear_text(scan, child):
    p7m = mime.attachment(mime.crlf(child.letter()).encode(), "application/pkcs7-mime; smime-type=enveloped-data",
                          "smime.p7m")
    assert_stopped(scan(mime.message(mime.multipart("mixed", mime.text(NEUTRAL), p7m))))


def test_pgp_mime_with_wrong_protocol_case_and_clear_payload(scan, child):
    body = mime.multipart("ENCRYPTED", mime.entity("Application/PGP-Encrypted", "Version: 1\n"),
                          mime.entity("application/octet-stream", mime.crlf(child.letter()).encode()),
                          params='; protocol="Application/PGP-Encrypted"')
    assert_stopped(scan(mime.message(body)))


# -- real ciphertext, but PII in clear beside it -----------------------------------------


def test_real_pgp_mime_with_child_in_subject(scan, child, gpg):
    cipher = gpg.encrypt(mime.text(child.letter()))
    assert_stopped(scan(mime.message(pgp_mime(cipher), subject=child.subject())))


def test_real_smime_with_child_in_subject(scan, child, smime):
    body = smime_entity(smime.encrypt(mime.text(child.letter())))
    assert_stopped(scan(mime.message(body, subject=child.subject())))


def test_real_inline_pgp_followed_by_clear_text(scan, child, gpg):
    cipher = gpg.encrypt(b"Harmless bit that is encrypted.\n")
    body = cipher.decode("ascii") + "\n" + child.letter()
    assert_stopped(scan(mime.message(mime.text(body, cte="7bit"))))


def test_real_pgp_attachment_beside_clear_referral_body(scan, child, gpg):
    cipher = gpg.encrypt(b"Case notes, encrypted.\n")
    body = mime.multipart("mixed", mime.text(child.letter()),
                          mime.attachment(cipher, "application/pgp-encrypted", "notes.asc", cte="7bit"))
    assert_stopped(scan(mime.message(body)))


def test_real_pgp_mime_with_extra_clear_part_inside_envelope(scan, child, gpg):
    cipher = gpg.encrypt(mime.text(NEUTRAL))
    assert_stopped(scan(mime.message(pgp_mime(cipher, mime.text(child.letter())))))


def test_real_smime_with_clear_referral_in_outer_mixed(scan, child, smime):
    enveloped = smime_entity(smime.encrypt(mime.text(NEUTRAL)))
    assert_stopped(scan(mime.message(mime.multipart("mixed", mime.text(child.letter()), enveloped))))


def test_real_ciphertext_with_referral_in_encoded_subject(scan, child, gpg):
    cipher = gpg.encrypt(mime.text(NEUTRAL))
    encoded = "=?utf-8?b?" + base64.b64encode(child.subject().encode()).decode() + "?="
    assert_stopped(scan(mime.message(pgp_mime(cipher), subject=encoded)))
