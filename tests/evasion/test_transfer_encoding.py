"""Class 3: Content-Transfer-Encoding spellings a lenient mail client still decodes, and
encodings inside the body (uuencode)."""

from __future__ import annotations

import base64

import pytest

from . import builders, mime
from .checks import assert_stopped
from .synth import children_csv


def _b64_body(child) -> bytes:
    return mime.b64(mime.crlf(child.letter()).encode("utf-8"))


BASE64_SPELLINGS = {
    "trailing-space": "Content-Transfer-Encoding: base64 ",
    "trailing-tab": "Content-Transfer-Encoding: base64\t",
    "comment-after": "Content-Transfer-Encoding: base64 (sent by Outlook)",
    "upper-case": "Content-Transfer-Encoding: BASE64",
    "mixed-case-header-name": "content-transfer-ENCODING: Base64",
    "folded-value": "Content-Transfer-Encoding:\r\n base64",
    "quoted-value": 'Content-Transfer-Encoding: "base64"',
    "no-space-after-colon": "Content-Transfer-Encoding:base64",
}


@pytest.mark.parametrize("spelling", sorted(BASE64_SPELLINGS))
def test_base64_body_with_odd_cte_spelling(scan, child, spelling):
    body = mime.entity('text/plain; charset="utf-8"', _b64_body(child), headers=[BASE64_SPELLINGS[spelling]])
    assert_stopped(scan(mime.message(body)))


@pytest.mark.parametrize("spelling", sorted(BASE64_SPELLINGS))
def test_base64_attachment_with_odd_cte_spelling(scan, children, spelling):
    data = mime.b64(children_csv(children).encode())
    att = mime.entity('text/csv; name="list.csv"', data,
                      headers=['Content-Disposition: attachment; filename="list.csv"', BASE64_SPELLINGS[spelling]])
    assert_stopped(scan(mime.with_attachment(att)))


QP_SPELLINGS = {
    "upper-case": "Content-Transfer-Encoding: QUOTED-PRINTABLE",
    "trailing-space": "Content-Transfer-Encoding: quoted-printable ",
    "folded-value": "Content-Transfer-Encoding:\r\n\tquoted-printable",
}


def _qp_everything(data: bytes) -> bytes:
    """Quoted-printable in which every byte is =XX, soft line breaks every 72 characters."""
    encoded = "".join(f"={b:02X}" for b in data)
    lines = [encoded[i : i + 72] for i in range(0, len(encoded), 72)]
    return ("=\r\n".join(lines) + "\r\n").encode("ascii")


@pytest.mark.parametrize("spelling", sorted(QP_SPELLINGS))
def test_fully_escaped_quoted_printable_with_odd_cte_spelling(scan, child, spelling):
    body = mime.entity('text/plain; charset="utf-8"', _qp_everything(mime.crlf(child.letter()).encode()),
                       headers=[QP_SPELLINGS[spelling]])
    assert_stopped(scan(mime.message(body)))


def test_quoted_printable_soft_breaks_inside_identifiers(scan, child):
    # A soft line break (=CRLF) after every 3rd character: it splits the name, the NHS number, the DOB.
    raw = mime.crlf(child.letter()).replace("=", "=3D")
    pieces = []
    for line in raw.split("\r\n"):
        chunks = [line[i : i + 3] for i in range(0, len(line), 3)] or [""]
        pieces.append("=\r\n".join(chunks))
    body = mime.entity('text/plain; charset="utf-8"', "\r\n".join(pieces).encode(), cte="quoted-printable")
    assert_stopped(scan(mime.message(body)))


def test_base64_with_line_breaks_in_odd_places(scan, child):
    flat = base64.b64encode(mime.crlf(child.letter()).encode()).decode()
    widths = [7, 61, 3, 19, 76, 1, 44]
    lines, i, k = [], 0, 0
    while i < len(flat):
        lines.append(flat[i : i + widths[k % len(widths)]])
        i += widths[k % len(widths)]
        k += 1
    body = mime.entity('text/plain; charset="utf-8"', ("\r\n".join(lines) + "\r\n").encode(), cte="base64")
    assert_stopped(scan(mime.message(body)))


def test_base64_with_spaces_and_no_padding(scan, child):
    flat = base64.b64encode(mime.crlf(child.letter()).encode()).decode().rstrip("=")
    spaced = " ".join(flat[i : i + 16] for i in range(0, len(flat), 16))
    body = mime.entity('text/plain; charset="utf-8"', (spaced + "\r\n").encode(), cte="base64")
    assert_stopped(scan(mime.message(body)))


def test_uuencoded_csv_block_in_plain_body(scan, children):
    block = builders.uuencode(children_csv(children).encode(), "list.csv")
    assert_stopped(scan(mime.plain("Hi,\n\nThe list, as before:\n\n" + block + "\nJo\n")))


def test_x_uuencode_transfer_encoding_on_attachment(scan, children):
    block = builders.uuencode(children_csv(children).encode(), "list.csv")
    att = mime.entity('text/csv; name="list.csv"', block, cte="x-uuencode",
                      headers=['Content-Disposition: attachment; filename="list.csv"'])
    assert_stopped(scan(mime.with_attachment(att)))


def test_unknown_transfer_encoding_must_fail_closed(scan, children):
    # A made-up encoding: the gateway cannot know what the recipient's software makes of it.
    att = mime.entity('text/csv; name="list.csv"', base64.b32encode(children_csv(children).encode()) + b"\r\n",
                      cte="x-base32", headers=['Content-Disposition: attachment; filename="list.csv"'])
    assert_stopped(scan(mime.with_attachment(att)))


def test_8bit_body_declared_7bit_latin1(scan, child):
    # Latin-1 bytes in a part that says 7bit, with no charset.
    body = mime.entity("text/plain", mime.crlf(child.letter().replace("Hi,", "Hi \u00e9quipe,")).encode("latin-1"),
                       cte="7bit")
    assert_stopped(scan(mime.message(body)))
