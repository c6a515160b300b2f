"""Extraction from every attachment type (real files made here), and the limits."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from reportlab.pdfgen import canvas

from detectors.extract import ExtractionLimits, extract_message
from detectors.extract.message import NotAnEmail
from tests.conftest import make_email
from tests.crypto_fixtures import gpg_encrypt, smime_encrypt

SECRET = "Zebedee Quartermaine"  # synthetic


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Assessment")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Child", SECRET
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Name", "DOB"])
    second = book.create_sheet("Second")
    second.append(["Name", "DOB"])
    second.append([SECRET, "01/02/2015"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _pdf(pages: int = 1) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(pages):
        c.drawString(72, 720, f"Page {i + 1} child {SECRET}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name, data, ctype",
    [
        ("a.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("a.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("a.pdf", _pdf(), "application/pdf"),
        ("a.csv", f"Name,DOB\n{SECRET},01/02/2015\n".encode(), "text/csv"),
        ("a.txt", f"child {SECRET}".encode("latin-1"), "text/plain"),
        ("a.html", f"<p>child <b>{SECRET}</b></p>".encode(), "text/html"),
        ("a.rtf", ("{\\rtf1\\ansi child " + SECRET + "}").encode(), "application/rtf"),
        ("a.eml", make_email(f"child {SECRET}"), "message/rfc822"),
        ("a.zip", _zip({"inner/list.csv": f"Name\n{SECRET}\n".encode()}), "application/zip"),
    ],
)
def test_every_attachment_type_is_read(name: str, data: bytes, ctype: str) -> None:
    extraction = extract_message(make_email("see attached", attachments=[(name, data, ctype)]))
    texts = [p for p in extraction.pieces if p.where.startswith(f"attachment:{name}")]
    assert texts and any(SECRET in p.text for p in texts), extraction
    assert not extraction.unreadable


def test_zip_member_where_names_the_path() -> None:
    data = _zip({"inner.csv": f"Name\n{SECRET}\n".encode()})
    extraction = extract_message(make_email("x", attachments=[("outer.zip", data, "application/zip")]))
    assert "attachment:outer.zip/inner.csv" in {p.where for p in extraction.pieces}


def test_html_only_body_and_entities() -> None:
    extraction = extract_message(make_email(html=f"<html><body><p>Child:&nbsp;{SECRET}</p><style>p{{}}</style></body></html>"))
    assert SECRET in extraction.text_of("body")
    assert "p{}" not in extraction.text_of("body")


def test_latin1_and_base64_body() -> None:
    raw = make_email(f"Małgorzata is not latin-1 but café is; {SECRET}", charset="utf-8", cte="base64")
    assert SECRET in extract_message(raw).text_of("body")
    raw = make_email(f"café {SECRET}", charset="iso-8859-1", cte="quoted-printable")
    assert "café" in extract_message(raw).text_of("body")


def test_encoded_subject_is_decoded() -> None:
    raw = make_email("x", subject="SZYMAŃSKA, Małgorzata - LCS 551545")
    assert extract_message(raw).facts.subject == "SZYMAŃSKA, Małgorzata - LCS 551545"


def test_zip_bomb_is_refused_not_expanded() -> None:
    bomb = _zip({"zeros.txt": b"0" * 5_000_000})
    extraction = extract_message(make_email("x", attachments=[("bomb.zip", bomb, "application/zip")]))
    assert any("compression ratio" in u.reason for u in extraction.unreadable)
    assert not any("zeros" in p.where for p in extraction.pieces)


def test_deep_nesting_stops_at_the_limit() -> None:
    data = f"child {SECRET}".encode()
    for level in range(8):
        data = _zip({f"level{level}.zip" if level else "deep.txt": data})
    extraction = extract_message(make_email("x", attachments=[("nest.zip", data, "application/zip")]), ExtractionLimits(max_depth=3))
    assert any("nested deeper" in u.reason for u in extraction.unreadable)


def test_huge_attachment_is_reported() -> None:
    big = b"A" * 2_000_000
    extraction = extract_message(make_email("x", attachments=[("big.txt", big, "text/plain")]), ExtractionLimits(max_attachment_bytes=1_000_000))
    assert any("larger than" in u.reason for u in extraction.unreadable)


def test_long_pdf_is_read_up_to_the_page_limit_and_flagged() -> None:
    extraction = extract_message(make_email("x", attachments=[("long.pdf", _pdf(12), "application/pdf")]), ExtractionLimits(max_pdf_pages=5))
    assert any("partly read" in u.reason for u in extraction.unreadable)
    assert "Page 5" in extraction.text_of("attachment:long.pdf") and "Page 6" not in extraction.text_of("attachment:long.pdf")


def test_encrypted_zip_member_and_encrypted_pdf_are_cannot_inspect() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(_pdf())).pages:
        writer.add_page(page)
    writer.encrypt("secret-password")
    buf = io.BytesIO()
    writer.write(buf)
    zip_data = bytearray(_zip({"x.csv": b"a,b\n"}, zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in the local and central headers, as a password-protected ZIP has.
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = zip_data.find(sig)
        flag_at = at + (6 if sig == b"PK\x03\x04" else 8)
        zip_data[flag_at] |= 0x1
    extraction = extract_message(make_email("x", attachments=[("locked.pdf", buf.getvalue(), "application/pdf"), ("locked.zip", bytes(zip_data), "application/zip")]))
    reasons = {u.where: u.reason for u in extraction.unreadable}
    assert reasons["attachment:locked.pdf"] == "password-protected PDF"
    assert reasons["attachment:locked.zip/x.csv"] == "password-protected ZIP member"


def test_broken_attachment_is_reported_not_raised() -> None:
    extraction = extract_message(make_email("x", attachments=[("broken.docx", b"PK\x03\x04garbage", "application/octet-stream")]))
    assert extraction.unreadable and extraction.unreadable[0].where == "attachment:broken.docx"


def test_not_an_email() -> None:
    with pytest.raises(NotAnEmail):
        extract_message(b"\x00\x01\x02binary junk")
    with pytest.raises(NotAnEmail):
        extract_message(b"just some words\nwithout any headers\n")


def test_truncated_mime_is_flagged() -> None:
    raw = make_email("body text", attachments=[("a.txt", b"hello", "text/plain")])
    truncated = raw[: raw.rfind(b"--")]  # drop the closing boundary
    extraction = extract_message(truncated)
    assert any("truncated" in u.reason for u in extraction.unreadable)


def test_real_smime_and_pgp_ciphertext_is_encrypted(tmp_path: Path) -> None:
    headers = "From: a@halton.gov.uk\nTo: b@example.com\nSubject: s\n"
    smime = smime_encrypt(tmp_path, b"Content-Type: text/plain\n\nchild " + SECRET.encode() + b"\n", headers)
    assert extract_message(smime).facts.encrypted
    armour = gpg_encrypt(tmp_path, f"child {SECRET}".encode())
    pgp = (headers + 'MIME-Version: 1.0\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\n\n'
           "--b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--b\nContent-Type: application/octet-stream\n\n"
           f"{armour}\n--b--\n").encode()
    assert extract_message(pgp).facts.encrypted
    inline = (headers + "\n" + armour).encode()
    assert extract_message(inline).facts.encrypted


def test_encryption_labels_over_clear_text_are_not_encrypted() -> None:
    smime = (b"From: a@halton.gov.uk\nTo: b@example.com\nSubject: s\nMIME-Version: 1.0\n"
             b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\n"
             b"Content-Transfer-Encoding: base64\n\n" + base64.b64encode(f"child {SECRET}".encode()) + b"\n")
    pgp = (b"From: a@halton.gov.uk\nTo: b@example.com\nSubject: s\nMIME-Version: 1.0\n"
           b'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\n\n'
           b"--b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--b\nContent-Type: application/octet-stream\n\n"
           b"-----BEGIN PGP MESSAGE-----\n\nchild " + SECRET.encode() + b"\n-----END PGP MESSAGE-----\n--b--\n")
    inline = b"From: a@halton.gov.uk\nTo: b@example.com\nSubject: s\n\n-----BEGIN PGP MESSAGE-----\nchild " + SECRET.encode() + b"\n"
    for raw in (smime, pgp, inline):
        extraction = extract_message(raw)
        assert not extraction.facts.encrypted
        assert any(SECRET in p.text for p in extraction.pieces), extraction.pieces


def test_huge_body_is_capped_and_flagged() -> None:
    extraction = extract_message(make_email("word " * 300_000, cte="base64"), ExtractionLimits(max_text_chars=100_000))
    assert len(extraction.text_of("body")) == 100_000
    assert any(u.where == "body" and "partly read" in u.reason for u in extraction.unreadable)
