"""Unit tests for the readers behind "fail closed on every shape": transfer-encoding
spellings, uuencode, sniffed types, file names, the normalised copy and its
offsets, and signature blocks that need evidence. tests/evasion/ holds the
end-to-end attack messages; these pin the pieces down one by one."""

from __future__ import annotations

import base64
import binascii

import pytest
from stdnum.gb import nhs

from detectors.engine import Engine
from detectors.extract import extract_message
from detectors.extract.sniff import Kind, sniff
from detectors.findings import FindingType
from detectors.normalise import normalise
from tests.conftest import make_email

NHS = next(n for n in (f"943476591{d}" for d in range(10)) if nhs.is_valid(n))  # synthetic, checksum-valid
CHILD = "Zebedee Quartermaine"  # synthetic


def _raw(headers: str, body: bytes) -> bytes:
    return (
        "From: Jo Bloggs <jo.bloggs@halton.gov.uk>\nTo: sam@example.com\nSubject: notes\nMIME-Version: 1.0\n" + headers + "\n\n"
    ).encode() + body


@pytest.mark.parametrize("cte", ["base64 ", "base64 (sent by a scanner)", "BASE64", "\n base64", " base64;"])
def test_transfer_encoding_is_read_as_mail_clients_read_it(cte: str) -> None:
    body = base64.encodebytes(f"child {CHILD} NHS {NHS}".encode())
    extraction = extract_message(_raw(f"Content-Type: text/plain\nContent-Transfer-Encoding:{cte}", body))
    assert CHILD in extraction.text_of("body")


def test_unknown_transfer_encoding_is_read_as_it_stands_and_flagged() -> None:
    extraction = extract_message(_raw("Content-Type: text/plain\nContent-Transfer-Encoding: x-custom", f"child {CHILD}".encode()))
    assert CHILD in extraction.text_of("body")
    assert any("transfer encoding" in u.reason for u in extraction.unreadable)


def test_uuencoded_block_in_a_body_is_read_as_an_attachment() -> None:
    data = f"Name,NHS\n{CHILD},{NHS}\n".encode()
    lines = [binascii.b2a_uu(data[i : i + 45]).decode().rstrip("\n") for i in range(0, len(data), 45)]
    body = "See the list.\n\nbegin 644 list.csv\n" + "\n".join(lines) + "\n`\nend\n\nThanks"
    extraction = extract_message(make_email(body))
    assert "begin 644" not in extraction.text_of("body")
    assert CHILD in extraction.text_of("attachment:list.csv")
    assert extraction.text_of("filename:list.csv") == "list.csv"


def test_unnamed_octet_stream_is_read_by_its_bytes() -> None:
    raw = _raw('Content-Type: multipart/mixed; boundary="b"',
               f"--b\nContent-Type: text/plain\n\nsee below\n--b\nContent-Type: application/octet-stream\n\nName,NHS\n{CHILD},{NHS}\n--b--\n".encode())
    extraction = extract_message(raw)
    assert any(CHILD in p.text for p in extraction.pieces if p.where.startswith("attachment:"))


@pytest.mark.parametrize("name, ctype", [("sig.p7s", "application/pkcs7-signature"), ("x.asc", "application/pgp-signature"),
                                         ("logo.png", "image/png")])
def test_a_part_that_is_not_what_its_label_says_is_read(name: str, ctype: str) -> None:
    extraction = extract_message(make_email("see attached", attachments=[(name, f"Child: {CHILD}\n".encode(), ctype)]))
    assert CHILD in extraction.text_of(f"attachment:{name}")


def test_attachment_file_names_are_text_of_their_own() -> None:
    name = "Tom_Wilson DOB 01.02.2015 referral.txt"
    extraction = extract_message(make_email("see attached", attachments=[(name, b"nothing here", "text/plain")]))
    assert extraction.text_of(f"filename:{name}") == name.replace("_", " ")


def test_sniffing_ignores_names_and_labels() -> None:
    assert sniff(b"%PDF-1.7\n...", "photo.jpg", "image/jpeg") is Kind.PDF
    assert sniff(b"\x89PNG\r\n\x1a\n....", "list.csv") is Kind.IMAGE
    assert sniff(b"Name,DOB\nA,1\n", "", "application/octet-stream") is Kind.TEXT
    assert sniff(b"\x00\x01\x02\x03\xff" * 100) is Kind.BINARY


def test_the_normalised_copy_maps_back_to_the_original_offsets() -> None:
    original = "NHS\u00a0" + NHS[:3] + "\u200b" + NHS[3:6] + "\u00ad" + NHS[6:]
    norm = normalise(original)
    assert norm.text == "NHS " + NHS
    start = norm.text.index(NHS)
    assert norm.span(start, start + len(NHS)) == (4, len(original))
    wide = "".join(chr(ord(c) + 0xFEE0) for c in NHS)  # full-width digits
    assert normalise(wide).text == NHS
    struck = "".join(c + "\u0336" for c in NHS)  # every digit struck through
    assert normalise(struck).text == NHS and normalise(struck).span(0, len(NHS)) == (0, len(struck) - 1)


def test_identifiers_hidden_with_invisible_characters_are_found(engine: Engine) -> None:
    hidden = NHS[:3] + "\u200b" + NHS[3:6] + "\u2060" + NHS[6:]
    body = f"Referral for the child, NHS number {hidden}, born 01/02/2015."
    analysis = engine.analyze(make_email(body))
    found = [f for f in analysis.findings if f.type is FindingType.NHS_NUMBER]
    assert found
    text = analysis.pieces[found[0].where]
    assert text[found[0].start : found[0].end] == hidden  # offsets index what the sender wrote


def _types(engine: Engine, body: str) -> set[FindingType]:
    analysis = engine.analyze(make_email(body, sender="Jo Bloggs <jo.bloggs@halton.gov.uk>"))
    return {f.type for f in analysis.findings if f.score >= 0.6}


DETAILS = f"{CHILD}\n14 Mill Lane, Runcorn WA7 1AB\nMobile 07723 456789\n"


@pytest.mark.parametrize("look_alike", ["Thanks,", "Thank you.", "Kind regards", "-----", "=========="])
def test_a_sign_off_or_rule_line_does_not_hide_a_childs_details(engine: Engine, look_alike: str) -> None:
    plain = _types(engine, f"Please see below.\n\n{DETAILS}")
    assert {FindingType.ADDRESS, FindingType.UK_POSTCODE, FindingType.PHONE} <= plain
    assert _types(engine, f"Please see below.\n\n{look_alike}\n{DETAILS}") == plain


def test_a_staff_signature_is_still_furniture(engine: Engine) -> None:
    body = ("The panel meets on Tuesday.\n\nThanks,\nJo Bloggs\nSocial Worker, Children in Need Team\n"
            "Halton Borough Council\nTel: 0151 511 1234\nMobile: 07700 900456\n\n-----\n"
            "This email is confidential and intended for the named recipient only.\n")
    assert not _types(engine, body)


def _packet(tag: int, body: bytes) -> bytes:
    """An OpenPGP packet, new format, five-octet length."""
    return bytes([0xC0 | tag, 255]) + len(body).to_bytes(4, "big") + body


def test_forged_ciphertext_with_text_after_a_random_start_is_not_encrypted() -> None:
    import os

    from detectors.extract import ciphertext

    session_key = _packet(1, bytes([3]) + os.urandom(8) + bytes([1]) + os.urandom(130))
    forged = session_key + _packet(18, bytes([1]) + os.urandom(4200) + f"Child {CHILD} NHS {NHS}".encode() * 3)
    assert not ciphertext.is_openpgp_ciphertext(forged)
    genuine = session_key + _packet(18, bytes([1]) + os.urandom(4400))
    assert ciphertext.is_openpgp_ciphertext(genuine)


def test_clear_parts_of_real_encrypted_mail_are_read(tmp_path) -> None:
    from tests.crypto_fixtures import gpg_encrypt

    armour = gpg_encrypt(tmp_path, b"hello").replace("-----BEGIN PGP MESSAGE-----\n", f"-----BEGIN PGP MESSAGE-----\nComment: {CHILD}\n")
    raw = _raw(f'X-Case-Notes: NHS {NHS}\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"',
               f"preamble about {CHILD}\n--b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--b\n"
               f"Content-Type: application/octet-stream\n\n{armour}\n--b--\n".encode())
    extraction = extract_message(raw)
    assert extraction.facts.encrypted
    body = extraction.text_of("body")
    assert NHS in body and body.count(CHILD) >= 2


def test_a_multipart_part_with_a_file_name_is_still_read() -> None:
    raw = _raw('Content-Type: multipart/mixed; boundary="o"',
               (f'--o\nContent-Type: multipart/mixed; boundary="i"; name="notes"\nContent-Disposition: attachment; filename="notes"\n\n'
                f"--i\nContent-Type: text/plain\n\nChild {CHILD}\n--i--\n--o--\n").encode())
    assert any(CHILD in p.text for p in extract_message(raw).pieces if not p.where.startswith("filename:"))


@pytest.mark.parametrize("body", [
    f"Hello\nbegin 644 notes\n Child {CHILD} NHS {NHS}\n more\n",  # no closing "end": not uuencode
    f"Hello\nbegin 644 notes\n Child {CHILD} NHS {NHS}\nend\n",  # decodes to nothing
    f"Hello\n-----BEGIN PGP PUBLIC KEY BLOCK-----\nChild {CHILD}\n-----END PGP PUBLIC KEY BLOCK-----\n",
    f'<p>Hello</p><!--[if mso]><p>Child {CHILD}</p><![endif]-->',
])
def test_text_dressed_as_furniture_is_kept(body: str) -> None:
    html = body.startswith("<p>")
    extraction = extract_message(make_email(html=body) if html else make_email(body))
    assert any(CHILD in p.text for p in extraction.pieces)


@pytest.mark.parametrize("head", [
    b"Content-Type:;name*1;name*\n",  # RFC 2231 continuations the stdlib cannot sort (TypeError)
    b"Content-Type:\nContent-Disposition:;filename*0;filename*\n",
    b"Content-Type:\nContent-Disposition:\x80\n",  # a header object, not a str
    b"From: Ann <" + b"(C~\xf6\xe6" * 2000 + b">\n",  # the stdlib's address parser recurses
])
def test_headers_the_stdlib_chokes_on_are_read_not_thrown(head: bytes) -> None:
    # Found by benchmarks/fuzz.py: each used to make the whole message "could not be taken apart".
    extraction = extract_message(head + b"Subject: s\n\nChild " + CHILD.encode() + b"\n")
    assert any(CHILD in p.text for p in extraction.pieces)
