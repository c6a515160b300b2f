"""Class 7: the file NAME is the leak ("<child> DOB <date> NHS <number> referral.pdf"), the content
harmless. Names reach the recipient in several header spellings; all must be decoded."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from . import builders, mime
from .checks import assert_stopped

HARMLESS_PDF_LINES = ["Referral form (blank)", "Please complete and return."]
# The variants carry a harmless text file, so that they depend on the name alone, not on how
# (or whether) the gateway reads the content.
BLANK_TEXT = b"Referral form (blank). Please complete and return.\r\n"


@pytest.fixture(scope="module")
def blank_pdf() -> bytes:
    return builders.pdf_text(HARMLESS_PDF_LINES)


def _att(data: bytes, headers: list[str], ctype: str = "text/plain") -> bytes:
    return mime.entity(ctype, mime.b64(data), cte="base64", headers=headers)


def _encoded_pieces(name: str, size: int = 20) -> list[str]:
    """RFC 2231 continuation pieces of the %-encoded name, never cutting a %XX escape."""
    encoded, pieces, current = quote(name, safe=""), [], ""
    i = 0
    while i < len(encoded):
        token = encoded[i : i + 3] if encoded[i] == "%" else encoded[i]
        if len(current) + len(token) > size:
            pieces.append(current)
            current = ""
        current += token
        i += len(token)
    return [*pieces, current]


def test_plain_quoted_filename_on_blank_pdf(scan, child, blank_pdf):
    name = child.file_stem() + ".pdf"
    att = _att(blank_pdf, [f'Content-Disposition: attachment; filename="{name}"'],
               ctype=f'application/pdf; name="{name}"')
    assert_stopped(scan(mime.with_attachment(att)))


def test_plain_quoted_filename_on_text_file(scan, child):
    name = child.file_stem() + ".txt"
    att = _att(BLANK_TEXT, [f'Content-Disposition: attachment; filename="{name}"'], ctype=f'text/plain; name="{name}"')
    assert_stopped(scan(mime.with_attachment(att)))


def test_rfc2231_encoded_filename(scan, child):
    encoded = quote(child.file_stem() + ".txt", safe="")
    att = _att(BLANK_TEXT, [f"Content-Disposition: attachment; filename*=utf-8''{encoded}"])
    assert_stopped(scan(mime.with_attachment(att)))


def test_rfc2231_continued_filename(scan, child):
    pieces = _encoded_pieces(child.file_stem() + ".txt")
    params = ";\r\n ".join(f"filename*{i}*={'utf-8' + chr(39) * 2 if i == 0 else ''}{p}" for i, p in enumerate(pieces))
    att = _att(BLANK_TEXT, [f"Content-Disposition: attachment;\r\n {params}"])
    assert_stopped(scan(mime.with_attachment(att)))


def test_rfc2047_encoded_word_filename(scan, child):
    word = "=?UTF-8?B?" + base64.b64encode((child.file_stem() + ".txt").encode()).decode() + "?="
    att = _att(BLANK_TEXT, [f'Content-Disposition: attachment; filename="{word}"'], ctype=f'text/plain; name="{word}"')
    assert_stopped(scan(mime.with_attachment(att)))


def test_name_only_in_content_type_parameter(scan, child):
    att = _att(BLANK_TEXT, [], ctype=f'text/plain; name="{child.file_stem()}.txt"')
    assert_stopped(scan(mime.with_attachment(att)))


def test_name_only_in_content_description(scan, child):
    att = _att(BLANK_TEXT, ['Content-Disposition: attachment; filename="form.txt"',
                           f"Content-Description: {child.file_stem()}"])
    assert_stopped(scan(mime.with_attachment(att)))


def test_zip_member_name_is_the_leak(scan, child):
    data = builders.zip_bytes({f"{child.file_stem()}.txt": b"See form.\n"})
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "application/zip", "forms.zip"))))


def test_filename_with_underscores_instead_of_spaces(scan, child):
    name = child.file_stem().replace(" ", "_") + ".txt"
    att = _att(BLANK_TEXT, [f'Content-Disposition: attachment; filename="{name}"'])
    assert_stopped(scan(mime.with_attachment(att)))
