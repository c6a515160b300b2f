"""Random MIME messages for fuzzing the gateway: hostile structure, encodings and bodies.

Every generator here is a plain function of a ``random.Random``, so the same code
drives both the Hypothesis tests (``messages()`` / ``raw_inputs()`` wrap them with
``st.randoms()``, which lets Hypothesis replay and shrink the random choices) and the
long plain-random run in ``benchmarks/fuzz.py`` (``generate_input(random.Random(...))``).

Structural choices (tree shape, headers, encodings) are drawn from the given random
one by one; bulk content (random text, random bytes, long runs) comes from a private
``random.Random`` seeded with one draw, so a Hypothesis example stays small.

Everything personal here is synthetic: made-up names, random 10-digit numbers,
postcode-shaped strings. Each generated message carries ``CANARY`` in its body text,
so a test can check that no error message or unreadable reason echoes the content.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import io
import quopri
import random
import struct
import zipfile
import zlib
from collections.abc import Callable

from hypothesis import strategies as st

CANARY = "Qzxjvkanary"  # a word that occurs in no real text; planted in generated bodies

MAX_DEPTH = 6  # a little past the shipped max_depth (4), to reach the limit path

FIRST = ["Zebedee", "Wiktoria", "Aarav", "Siobhan", "Kai", "Olamide", "Maisie", "Tadhg", "Precious", "Jayden",
         "Lily-Mae", "O'Neill", "Zoë", "Mohammed", "Bartholomew", "Anaïs", "Chidi", "Dóra", "Ng", "Ruby"]
LAST = ["Quartermaine", "Ashton", "Patel", "Ó Súilleabháin", "Nwosu", "Kowalczyk", "Smith", "MacDonald",
        "Fitzgerald-Hughes", "Okonkwo", "Li", "de la Cruz", "Jones", "Van Der Berg", "Al-Sayed", "Przybylski"]
WORDS = ("the child mother father referral safeguarding meeting school social worker carer foster placement "
         "home visit born dob address nhs number case ref record lcs plan review concerns police report "
         "invoice order room staff payroll please find attached regards thanks kind team council halton "
         "runcorn widnes tomorrow monday urgent section 47 strategy discussion contact family court").split()
STREETS = ["High Street", "Church Road", "Mill Lane", "Victoria Avenue", "Appleton Village", "Rue de l'Église"]
CHARSETS_VALID = ["utf-8", "us-ascii", "iso-8859-1", "windows-1252", "iso-8859-15", "koi8-r", "shift_jis",
                  "gb2312", "big5", "euc-kr", "iso-2022-jp", "cp850", "mac-roman"]
CHARSETS_ODD = ["utf-16", "utf-16le", "utf-16be", "utf-32", "utf-7", "UTF8", '"utf-8"', "'utf-8'", "unknown-8bit",
                "x-unknown", "utf-8'en'", "", "charset", "us-ascii (comment)", "utf-8;", "iso-8859-99", "\u00e9t\u00e9",
                "x-user-defined", "utf_8", "UTF-8 ", "cp65001", "ascii\x00", "idna", "rot13", "base64", "hex",
                "zlib", "punycode", "uu", "unicode_escape", "raw_unicode_escape", "utf-8-sig", "latin1", "646"]
CTE_SPELLINGS = {
    "base64": ["base64", "BASE64", "Base64", " base64 ", "base64 (sent by a scanner)", "\r\n\tbase64", "base64;",
               "\"base64\"", "base-64", "x-base64", "base64\t", "base64 ; charset=x", "b64", "base64 base64"],
    "quoted-printable": ["quoted-printable", "Quoted-Printable", "QUOTED-PRINTABLE", " quoted-printable (qp)",
                         "quoted_printable", "qp", "x-quoted-printable", "quoted-printable\r\n "],
    "uuencode": ["x-uuencode", "uuencode", "x-uue", "X-UUENCODE", "uue", " x-uuencode (old mailer)"],
    "7bit": ["7bit", "7BIT", "7-bit", "7bit (plain)"],
    "8bit": ["8bit", "8BIT", "8-bit"],
    "binary": ["binary", "BINARY"],
    "unknown": ["x-custom", "gzip", "x-gzip64", "bogus", "", " ", "=?utf-8?q?base64?=", "base32", "yenc",
                "\u00e9", "binhex", "x-binhex40", "compress", "(comment only)", "chunked"],
}
MULTIPART_SUBTYPES = ["mixed", "alternative", "related", "signed", "encrypted", "report", "digest", "parallel",
                      "form-data", "x-mixed-replace", "appledouble", "voice-message", "MIXED", "x-unknown"]
ODD_TYPES = ["", "text", "/", "text/", "/plain", "foo/bar", "text/plain/extra", "TEXT/PLAIN", "text/plain;;;",
             "text/plain; charset", "application/x-\u00e9", "text/plain; name==", "x/y; a=\"unterminated",
             "multipart/mixed", "message/rfc822; x=", "image/", "application/pdf; name=", "text/html\x7f",
             "text/plain; charset=utf-8; charset=utf-16", "application/octet-stream; type=text/plain",
             "text/x-\U0001f600", "inline", "text/plain (comment) ; charset=utf-8", "*/*", "text/*"]
SMIME_TYPES = ["enveloped-data", "signed-data", "compressed-data", "certs-only", "authEnveloped-data",
               "Enveloped-Data", "bogus", "", "enveloped-data; smime-type=signed-data"]
ARMOUR_KINDS = ["PGP MESSAGE", "PGP SIGNED MESSAGE", "PGP SIGNATURE", "PGP PUBLIC KEY BLOCK", "PGP PRIVATE KEY BLOCK",
                "PKCS7", "CMS", "ENCRYPTED PRIVATE KEY", "CERTIFICATE", "PGP MESSAGE, PART 1/2", "pgp message"]
LONG_RUN_UNITS = ["a", "A", " ", "\n", "=", "-", "0", "1", ".", "'", "<", "\u00e9", "\u200b", "Ab", "a.", "1 ", "<a>",
                  "=?", "--", "\r\n", "Ab ", "A. ", "a'", "@", "a@", "1/", "01/01/2000 ", "WA7 ", "Mr ", "\t", ">",
                  "&#", "\\", "{", "=\n", "\ufeff", "\U0001f600", "\u0301", "Aa-", "0151 ", "LCS", "-----BEGIN PGP MESSAGE-----\n"]


# -- small real files, made once ------------------------------------------------


def _pii_lines(r: random.Random, n: int) -> list[str]:
    return [pii_sentence(r) for _ in range(n)]


@functools.cache
def blobs() -> dict[str, bytes]:
    """Small real files of each type, made once per process (synthetic content)."""
    r = random.Random(1234)
    out: dict[str, bytes] = {}
    out["csv"] = ("name,dob,nhs,postcode\n" + "\n".join(
        f"{r.choice(FIRST)} {r.choice(LAST)},{_date(r)},{_ten_digits(r)},{_postcode(r)}" for _ in range(8)) + "\n").encode()
    out["zip"] = _zip({"children.csv": out["csv"], "notes/readme.txt": "\n".join(_pii_lines(r, 3)).encode()})
    out["zip_nested"] = _zip({"inner.zip": out["zip"], "a.txt": b"hello"})
    out["zip_bomb"] = _zip({"zeros.txt": b"0" * 2_000_000})
    enc = bytearray(_zip({"secret.csv": out["csv"]}, compress=zipfile.ZIP_STORED))
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag bit, data left clear
        i = enc.find(sig)
        if i >= 0:
            enc[i + off] |= 1
    out["zip_flagged_encrypted"] = bytes(enc)
    out["pdf"] = _pdf(_pii_lines(r, 4))
    out["pdf_image_only"] = _pdf_image_only()
    out["docx"] = _docx(_pii_lines(r, 4))
    out["xlsx"] = _xlsx(r)
    out["png"] = _png_text("Zebedee Ashton 01/02/2015")
    out["png_tiny"] = _png_text("")
    out["png_bomb_header"] = _png_header(100_000, 100_000)
    out["gif"] = _image("GIF")
    out["jpeg"] = _image("JPEG")
    out["rtf"] = ("{\\rtf1\\ansi{\\fonttbl\\f0 Arial;}\\f0 " + " \\par ".join(_pii_lines(r, 3)) + "}").encode()
    out["eml"] = (f"From: a@example.org\r\nTo: b@example.org\r\nSubject: fwd\r\n\r\n{pii_sentence(r)}\r\n").encode()
    out["pgp_cipher"] = _pgp_packets(r, real=True)
    out["pgp_forged"] = _pgp_packets(r, real=False)
    out["cms_enveloped"], out["cms_signed"] = _cms(_pii_lines(r, 2))
    return out


def _zip(members: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _pdf(lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A6
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A6, invariant=1)
    y = 380
    for line in lines:
        c.drawString(10, y, line.encode("latin-1", "replace").decode("latin-1")[:60])
        y -= 14
    c.showPage()
    c.drawString(10, 380, "page two")
    c.save()
    return buf.getvalue()


def _pdf_image_only() -> bytes:
    """A small PDF page with no text layer (a 'scan'): reaches the OCR path cheaply."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(144, 72), invariant=1)
    c.drawImage(ImageReader(io.BytesIO(_png_text("Kai Patel"))), 0, 0, 144, 72)
    c.save()
    return buf.getvalue()


def _docx(lines: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Child"
    table.cell(0, 1).text = "Maisie Kowalczyk"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _xlsx(r: random.Random) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "DOB", "NHS"])
    for _ in range(4):
        ws.append([f"{r.choice(FIRST)} {r.choice(LAST)}", _date(r), _ten_digits(r)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _png_text(text: str) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("L", (160, 24), 255)
    if text:
        ImageDraw.Draw(im).text((2, 6), text, fill=0)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _image(fmt: str) -> bytes:
    from PIL import Image

    im = Image.new("RGB", (16, 16), (200, 30, 30))
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge image (the pixels are absent): a decompression-bomb shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def _pgp_packet(tag: int, body: bytes) -> bytes:
    """A new-format OpenPGP packet."""
    n = len(body)
    if n < 192:
        length = bytes([n])
    elif n < 8384:
        n2 = n - 192
        length = bytes([(n2 >> 8) + 192, n2 & 0xFF])
    else:
        length = b"\xff" + struct.pack(">I", n)
    return bytes([0xC0 | tag]) + length + body


def _pgp_packets(r: random.Random, real: bool) -> bytes:
    """Session-key packet + encrypted-data packet: random bytes (looks real) or deflated text (forged)."""
    esk = _pgp_packet(1, b"\x03" + r.randbytes(8) + b"\x01" + r.randbytes(130))
    data = b"\x01" + r.randbytes(300) if real else zlib.compress(" ".join(_pii_lines(r, 5)).encode())
    return esk + _pgp_packet(18, data)


def _cms(lines: list[str]) -> tuple[bytes, bytes]:
    """A real CMS EnvelopedData and SignedData (self-signed throwaway certificate)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz.example.org")])
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    content = "\r\n".join(lines).encode()
    enveloped = pkcs7.PKCS7EnvelopeBuilder().set_data(content).add_recipient(cert).encrypt(serialization.Encoding.DER, [])
    signed = (pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(cert, key, hashes.SHA256())
              .sign(serialization.Encoding.DER, []))
    return enveloped, signed


def damaged(r: random.Random, data: bytes) -> bytes:
    """Truncated and/or bit-flipped copy of a blob."""
    b = bytearray(data)
    how = r.randrange(4)
    if how in (0, 2) and b:
        del b[r.randrange(len(b)):]
    if how in (1, 2) and b:
        for _ in range(r.randint(1, 16)):
            i = r.randrange(len(b))
            b[i] ^= 1 << r.randrange(8)
    if how == 3 and b:
        i = r.randrange(len(b))
        b[i:i] = r.randbytes(r.randint(1, 64))
    return bytes(b)


# -- synthetic personal data and other text ------------------------------------


def _ten_digits(r: random.Random) -> str:
    d = "".join(str(r.randrange(10)) for _ in range(10))
    return r.choice([d, f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:3]}-{d[3:6]}-{d[6:]}", d[:5] + " " + d[5:]])


def _date(r: random.Random) -> str:
    y, m, d = r.randint(1900, 2030), r.randint(1, 12), r.randint(1, 31)
    months = ["Jan", "February", "Mar", "Sept", "Dec", "Foo"]
    return r.choice([f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y % 100:02d}", f"{y}-{m:02d}-{d:02d}", f"{d} {r.choice(months)} {y}",
                     f"{d}th {r.choice(months)}", f"{m}/{d}/{y}", f"{d:02d}/{m:02d}/{y}{r.randint(0, 9)}"])


def _postcode(r: random.Random) -> str:
    L = "ABCDEFGHJKLMNOPRSTUWYZ"
    out = r.choice([f"{r.choice(L)}{r.choice(L)}{r.randint(1, 99)} {r.randint(0, 9)}{r.choice(L)}{r.choice(L)}",
                    f"{r.choice(L)}{r.randint(1, 9)} {r.randint(0, 9)}{r.choice(L)}{r.choice(L)}",
                    f"{r.choice(L)}{r.choice(L)}{r.randint(1, 9)}{r.choice(L)} {r.randint(0, 9)}{r.choice(L)}{r.choice(L)}",
                    "WA7 5TD", "wa8 7qf", "SW1A1AA"])
    return out.lower() if r.random() < 0.1 else out


def pii_sentence(r: random.Random) -> str:
    name = f"{r.choice(FIRST)} {r.choice(LAST)}"
    templates = [
        f"{name} (DOB {_date(r)}) lives at {r.randint(1, 300)} {r.choice(STREETS)}, {_postcode(r)}.",
        f"NHS number {_ten_digits(r)} for {name}, born {_date(r)}.",
        f"Child: {name}\nD.O.B: {_date(r)}\nAddress: {r.randint(1, 99)} {r.choice(STREETS)} {_postcode(r)}\nTel: 07{r.randint(100000000, 999999999)}",
        f"Case ref LCS{r.randint(10000, 99999999)} - {name}, mother {r.choice(FIRST)} {r.choice(LAST)}",
        f"NI {r.choice('ABCEGHJ')}{r.choice('ABCEGHJ')} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.choice('ABCD')}; record {r.randint(100000, 9999999)}",
        f"{name.upper()}, {r.choice(LAST)} {r.choice(FIRST)} - crime ref {r.choice(['AB', 'MM', 'CH'])}{r.randint(1000, 9999)}/{r.randint(100, 999999)}",
        f"Dear {r.choice(FIRST)},\n\nThe strategy discussion for {name} (section 47) is on {_date(r)}.\n\nKind regards\n{r.choice(FIRST)} {r.choice(LAST)}\nSocial Worker\n0151 511 {r.randint(1000, 9999)}",
        f"email {r.choice(FIRST).lower()}.{r.choice(LAST).lower()}@{r.choice(['gmail.com', 'halton.gov.uk', 'nhs.net', 'x'])} phone +44 7{r.randint(100000000, 999999999)}",
    ]
    return r.choice(templates)


def random_text(r: random.Random, n: int) -> str:
    """Words, personal data, punctuation and awkward Unicode, about n characters."""
    parts: list[str] = []
    size = 0
    pools: list[Callable[[], str]] = [
        lambda: " ".join(r.choice(WORDS) for _ in range(r.randint(1, 12))),
        lambda: pii_sentence(r),
        lambda: r.choice([".", ",", "\n", "\n\n", " - ", "!", "?", ":", ";", "\t", "\r", "\r\n", "  ", "\f", "\v"]),
        lambda: "".join(chr(r.choice([r.randint(0x20, 0x7E), r.randint(0xA0, 0x2FF), r.randint(0x300, 0x36F),
                                       r.randint(0x590, 0x6FF), r.randint(0x2000, 0x206F), r.randint(0x4E00, 0x4FFF),
                                       r.randint(0x1F300, 0x1F64F), r.randint(0xE000, 0xF8FF), r.randint(0, 0x1F),
                                       0xFEFF, 0xFFFD, 0x202E, 0x10FFFF])) for _ in range(r.randint(1, 20))),
        lambda: CANARY,
    ]
    while size < n:
        piece = r.choice(pools)()
        parts.append(piece)
        size += len(piece) + 1
    return " ".join(parts)[: max(n, 1)]


def long_run(r: random.Random) -> str:
    unit = r.choice(LONG_RUN_UNITS)
    n = r.choice([100, 1000, 5000, 10_000, 20_000, r.randint(1, 20_000)])
    return (unit * (n // len(unit) + 1))[:n]


def armour_block(r: random.Random) -> str:
    kind = r.choice(ARMOUR_KINDS)
    head = f"-----BEGIN {kind}-----"
    lines = [head]
    if r.random() < 0.6:
        lines += r.sample(["Version: GnuPG v2", "Comment: https://example.org", "Hash: SHA256", "Charset: utf-8",
                           "MessageID: x", "Version: " + "A" * 300], r.randint(1, 2))
    lines.append("")
    how = r.randrange(6)
    if how == 0:
        payload = r.randbytes(r.randint(0, 800))
    elif how == 1:
        payload = blobs()["pgp_cipher"]
    elif how == 2:
        payload = blobs()["pgp_forged"]
    elif how == 3:
        payload = r.choice([blobs()["cms_enveloped"], blobs()["cms_signed"]])
    else:
        payload = b""
    if how == 5 or kind == "PGP SIGNED MESSAGE":
        lines.append(random_text(r, r.randint(10, 400)))  # clear text where ciphertext should be
    else:
        b64 = base64.b64encode(payload).decode()
        width = r.choice([64, 76, 10, 1000])
        lines += [b64[i : i + width] for i in range(0, len(b64), width)]
        if r.random() < 0.5:
            lines.append("=" + base64.b64encode(struct.pack(">I", zlib.crc32(payload))[1:]).decode())
    end_kind = kind if r.random() < 0.8 else r.choice(ARMOUR_KINDS)
    if kind == "PGP SIGNED MESSAGE" and r.random() < 0.7:
        lines += ["-----BEGIN PGP SIGNATURE-----", "", base64.b64encode(r.randbytes(60)).decode(), "-----END PGP SIGNATURE-----"]
    elif r.random() < 0.85:
        lines.append(f"-----END {end_kind}-----")
    if r.random() < 0.05:  # many openers and no end: the armour scanner's worst case
        lines = [head] * r.randint(100, 3000) + lines
    sep = r.choice(["\n", "\r\n", "\n", "\n "])
    return sep.join(lines)


def uuencode_block(r: random.Random, payload: bytes | None = None) -> str:
    if payload is None:
        payload = r.choice([random_text(r, r.randint(0, 600)).encode("utf-8", "replace"), blobs()["csv"],
                            r.randbytes(r.randint(0, 300)), blobs()["zip"]])
    name = r.choice(["x.csv", "children.csv", "a b.txt", "../../etc/passwd", "", "data.zip", "\u00e9.txt", "x" * 300])
    mode = r.choice(["644", "0644", "777", "0", "99999999", "abc", "", "-1"])
    opener = r.choice([f"begin {mode} {name}", f"begin-base64 {mode} {name}", f"begin {mode}", "begin", f"BEGIN {mode} {name}"])
    body_lines = []
    if opener.startswith("begin-base64"):
        b64 = base64.b64encode(payload).decode()
        body_lines = [b64[i : i + 60] for i in range(0, len(b64), 60)] + ["===="]
    else:
        for i in range(0, len(payload), 45):
            body_lines.append(binascii.b2a_uu(payload[i : i + 45]).decode().rstrip("\n"))
        body_lines.append(r.choice(["`", " ", "", "``"]))
    if body_lines and r.random() < 0.2:  # a damaged line
        j = r.randrange(len(body_lines))
        body_lines[j] = r.choice(["M" + "!" * 80, "garbage", body_lines[j][: len(body_lines[j]) // 2], "\x7f\x80"])
    lines = [opener, *body_lines]
    if r.random() < 0.85:
        lines.append(r.choice(["end", "END", "end ", "ende"]))
    return r.choice(["\n", "\r\n"]).join(lines)


def html_text(r: random.Random, n: int) -> str:
    inner = random_text(r, n)
    how = r.randrange(7)
    if how == 0:
        return f"<html><body><p>{inner}</p></body></html>"
    if how == 1:
        depth = r.choice([50, 500, 3000])
        return "<div>" * depth + inner + "</div>" * r.randint(0, depth)
    if how == 2:
        return (f"<table><tr><td>{r.choice(FIRST)}</td><td>{_date(r)}</td></tr><tr><td>{inner}</td>"
                "<script>var x='<td>';</script><style>td{}</style><!-- " + CANARY + " --></table>")
    if how == 3:
        ents = ["&#x10FFFF;", "&#0;", "&#xD800;", "&nbsp;", "&amp", "&#99999999999;", "&bogus;", "&#x41", "&lt;script&gt;"]
        return "".join(r.choice(ents) + r.choice(WORDS) for _ in range(r.randint(1, 200))) + inner
    if how == 4:
        return f"<![CDATA[{inner}]]><p unclosed='{inner[:20]}<b>{inner}<i></b></i><?xml version='1.0'?><br/ ><{r.choice(WORDS)}"
    if how == 5:
        return f'<html><head><meta charset="{r.choice(CHARSETS_ODD)}"></head><body>{inner}<img src="cid:x"></body></html>'
    return f"<p style='display:none'>{inner}</p><span hidden>{pii_sentence(r)}</span><font color=white>{CANARY}</font>"


def csv_text(r: random.Random) -> str:
    sep = r.choice([",", ";", "\t", "|"])
    rows = [sep.join(["name", "dob", "nhs", "postcode", "notes"])]
    for _ in range(r.randint(0, 40)):
        cells = [f"{r.choice(FIRST)} {r.choice(LAST)}", _date(r), _ten_digits(r), _postcode(r),
                 r.choice(['"unbalanced', '""', 'a,b', CANARY, "=cmd|' /C calc'!A0", ""])]
        rows.append(sep.join(r.sample(cells, len(cells)) if r.random() < 0.2 else cells))
    return "\n".join(rows)


def base64_random(r: random.Random) -> str:
    b64 = base64.b64encode(r.randbytes(r.choice([0, 3, 100, 1000, 8000]))).decode()
    return "\n".join(b64[i : i + 76] for i in range(0, len(b64), 76))


def text_body(r: random.Random) -> str:
    """A text body made of a mix of the kinds of content above."""
    kinds: list[Callable[[], str]] = [
        lambda: random_text(r, r.choice([0, 10, 200, 2000, 8000])),
        lambda: "\n".join(pii_sentence(r) for _ in range(r.randint(1, 6))),
        lambda: armour_block(r),
        lambda: uuencode_block(r),
        lambda: long_run(r),
        lambda: base64_random(r),
        lambda: csv_text(r),
        lambda: html_text(r, r.randint(10, 500)),
    ]
    out = [r.choice(kinds)() for _ in range(r.randint(1, 3))]
    out.insert(r.randrange(len(out) + 1), CANARY)
    return r.choice(["\n", "\n\n", " ", ""]).join(out)


def binary_body(r: random.Random, kind: str | None = None) -> bytes:
    b = blobs()
    name = kind if kind in b else r.choice(sorted(b))
    data = b[name]
    return damaged(r, data) if r.random() < 0.35 else data


# -- encodings -------------------------------------------------------------------


def charset_for(r: random.Random) -> str:
    return r.choice(CHARSETS_VALID) if r.random() < 0.7 else r.choice(CHARSETS_ODD)


def encode_text(r: random.Random, text: str, charset: str) -> bytes:
    """Text in the named charset; when Python has no such codec, or the charset lies, something else."""
    name = charset.strip().strip("\"'")
    if r.random() < 0.1:  # the label lies
        name = r.choice(["utf-8", "utf-16", "latin-1", "utf-7", "cp1252"])
    try:
        return text.encode(name, r.choice(["replace", "xmlcharrefreplace", "ignore"]))
    except (LookupError, TypeError, ValueError, UnicodeError):
        return text.encode("utf-8", "surrogatepass")


def b64_lines(r: random.Random, data: bytes) -> bytes:
    flat = base64.b64encode(data)
    how = r.randrange(10)
    if how == 0:  # one long line
        return flat + b"\n"
    width = r.choice([76, 76, 64, 72, 4, 7, 100, 998])
    lines = [flat[i : i + width] for i in range(0, len(flat), width)]
    if how == 1:
        lines = [ln + b" " * r.randint(1, 3) for ln in lines]  # trailing spaces
    elif how == 2 and lines:
        lines[-1] = lines[-1].rstrip(b"=")  # missing padding
    elif how == 3 and lines:
        j = r.randrange(len(lines))
        lines[j] = lines[j][: len(lines[j]) // 2] + r.choice([b"!", b"*", b"\xc3\xa9", b"=", b"-", b"..", b"\t"]) + lines[j][len(lines[j]) // 2 :]
    elif how == 4:
        lines.append(b"==== garbage after the end ====")
    elif how == 5 and lines:
        del lines[r.randrange(len(lines)) :]  # truncated
    elif how == 6:
        lines = [ln + b"\t" for ln in lines]
    sep = r.choice([b"\n", b"\r\n", b"\r", b"\n\n"])
    return sep.join(lines) + sep


def qp_encode(r: random.Random, data: bytes) -> bytes:
    enc = quopri.encodestring(data, quotetabs=r.random() < 0.3)
    how = r.randrange(6)
    if how == 0:  # malformed escapes
        enc = enc.replace(b"=", r.choice([b"=ZZ", b"=e", b"= ", b"==", b"=\r"]), r.randint(1, 5))
    elif how == 1:
        enc += b"="  # a lone soft break at the end
    elif how == 2:
        enc = enc.replace(b"=\n", b"")  # over-long lines
    elif how == 3:
        enc = enc.lower()
    return enc


def uu_encode(r: random.Random, data: bytes) -> bytes:
    return uuencode_block(r, data).encode("latin-1", "replace") + b"\n"


def apply_cte(r: random.Random, data: bytes) -> tuple[str | None, bytes]:
    """A Content-Transfer-Encoding header value (or None) and the body encoded - usually to match it."""
    kind = r.choice(["base64", "base64", "quoted-printable", "uuencode", "7bit", "8bit", "binary", "unknown", "none"])
    if kind == "none":
        return None, data
    spelling = r.choice(CTE_SPELLINGS[kind])
    actual = kind if r.random() < 0.9 else r.choice(list(CTE_SPELLINGS))  # sometimes the header lies
    if actual == "base64":
        body = b64_lines(r, data)
    elif actual == "quoted-printable":
        body = qp_encode(r, data)
    elif actual == "uuencode":
        body = uu_encode(r, data)
    else:
        body = data
    return spelling, body


# -- headers ----------------------------------------------------------------------


def encoded_word(r: random.Random, text: str) -> str:
    """An RFC 2047 encoded word for ``text``; sometimes malformed."""
    cs = r.choice(["utf-8", "UTF-8", "iso-8859-1", "utf-16", "utf-7", "bogus", "", "utf-8*en", "windows-1252"])
    raw = encode_text(r, text, cs or "utf-8")
    how = r.randrange(12)
    if how == 0:
        return f"=?{cs}?X?{text}?="
    if how == 1:
        return f"=?{cs}?B?not base64!!?="
    if how == 2:
        return f"=?{cs}?Q?{text}"  # unterminated
    if how == 3:
        return "=??="
    if how == 4:
        return f"=?utf-8?B?{base64.b64encode(('=?utf-8?Q?' + text + '?=').encode()).decode()}?="  # nested
    if how == 5:
        return "=?utf-8?Q?" + "=E2=80=AE" * r.randint(1, 500) + "?="
    if how == 6:
        return f"=?{cs}?q?{text.replace(' ', '_')}?="  # raw non-ASCII inside Q
    if how % 2:
        return f"=?{cs}?B?{base64.b64encode(raw).decode()}?="
    return f"=?{cs}?Q?{quopri.encodestring(raw, header=True).decode('ascii', 'replace')}?="


def header_text(r: random.Random) -> str:
    base = r.choice([pii_sentence(r).replace("\n", " "), " ".join(r.choice(WORDS) for _ in range(r.randint(0, 8))),
                     random_text(r, r.randint(0, 80)).replace("\n", " ").replace("\r", " "), "[SECURE] " + r.choice(WORDS),
                     "x" * r.choice([100, 2000, 20_000])])
    how = r.randrange(5)
    if how == 0:
        return encoded_word(r, base)
    if how == 1:
        words = base.split(" ")
        return " ".join(encoded_word(r, w) if r.random() < 0.5 else w for w in words)
    return base


def address(r: random.Random) -> str:
    first, last = r.choice(FIRST), r.choice(LAST)
    local = r.choice([f"{first}.{last}".lower().replace(" ", ""), "someone", "a+b", '"quoted local"', "x" * 70, "", "é"])
    domain = r.choice(["example.com", "gmail.com", "halton.gov.uk", "nhs.net", "x.nhs.net", "bücher.de", "localhost",
                       "[127.0.0.1]", "", "a..b", "EXAMPLE.COM."])
    addr = f"{local}@{domain}" if r.random() < 0.95 else local
    how = r.randrange(8)
    if how == 0:
        return f"{first} {last} <{addr}>"
    if how == 1:
        return f"{encoded_word(r, first + ' ' + last)} <{addr}>"
    if how == 2:
        return f'"{last}, {first}" <{addr}>'
    if how == 3:
        return f"{addr} ({first} {last})"
    if how == 4:
        return r.choice(["undisclosed-recipients:;", "group: a@b.c, d@e.f;", "<<<>>>", "<>", "@", "a@b@c", "\"unterminated <a@b.c>"])
    return addr


def address_list(r: random.Random) -> str:
    n = r.choice([1, 1, 2, 3, 0, 50, 300])
    return ", ".join(address(r) for _ in range(n))


def filename(r: random.Random) -> str:
    return r.choice([
        "report.pdf", "children.csv", "notes.txt", "form.docx", "scan.png", "x.zip", "r\u00e9sum\u00e9.docx",
        "\u0444\u0430\u0439\u043b.zip", "cod\u202efdp.exe", "../../etc/passwd", "C:\\Windows\\x.csv", "x" * 1000 + ".csv",
        'a"b.txt', "a;b=c.csv", "", " ", ".eml", "x.pdf.zip", "trailing. ", "nul\x00.txt", "tab\t.txt",
        "\U0001f600.png", "con.txt", "x.CSV", "smime.p7m", "encrypted.asc", "msg.pgp", "noext", "a/b/c.xlsx",
        "=?utf-8?B?Y2hpbGRyZW4uY3N2?=", "=?utf-8?Q?=E2=80=AEvsc.exe?=",
    ])


def disposition_params(r: random.Random, name: str) -> str:
    """filename / name parameters: quoted, unquoted, RFC 2231 (with continuations), malformed."""
    how = r.randrange(9)
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    if how == 0:
        return f'filename="{quoted}"'
    if how == 1:
        return f"filename={name}"
    if how == 2:
        enc = "".join(f"%{b:02X}" for b in name.encode("utf-8", "surrogatepass"))
        return f"filename*=utf-8''{enc}"
    if how == 3:
        enc = "".join(f"%{b:02X}" for b in name.encode("utf-8", "surrogatepass"))
        chunks = [enc[i : i + 9] for i in range(0, len(enc), 9)] or [""]
        return "; ".join(f"filename*{i}*={'utf-8' + chr(39) * 2 if i == 0 else ''}{c}" for i, c in enumerate(chunks))
    if how == 4:
        return r.choice(["filename*=utf-8''%ZZ%", "filename*=x-unknown''abc", "filename*0=a; filename*2=c",
                         "filename*=''", "filename*=utf-8'en'%E2%80", "filename=", 'filename="unterminated',
                         "filename*1*=%41; filename*0*=utf-8''%42", "filename*=utf-16''%FF%FE%41%00"])
    if how == 5:
        return f'filename="{quoted}"; filename="{filename(r)}"'
    if how == 6:
        return f'filename="{encoded_word(r, name)}"'
    return f'filename="{quoted}"'


def fold(r: random.Random, line: str) -> str:
    """Fold a header line at random spaces (or at no space at all)."""
    if len(line) < 20 or r.random() < 0.7:
        return line
    out, i = [], 0
    while i < len(line):
        j = min(len(line), i + r.randint(5, 80))
        out.append(line[i:j])
        i = j
    return r.choice(["\r\n ", "\n\t", "\n ", "\n"]).join(out)  # the last one is a broken fold


# -- the MIME tree --------------------------------------------------------------------


class _Builder:
    def __init__(self, r: random.Random) -> None:
        self.r = r
        # bulk content comes from a private random seeded with one draw (see module docstring)
        self.bulk = random.Random(r.getrandbits(64))
        self.boundaries: list[str] = []

    def boundary(self) -> str:
        r = self.r
        how = r.randrange(10)
        if how == 0 and self.boundaries:
            return r.choice(self.boundaries)  # the same as an enclosing one
        if how == 1 and self.boundaries:
            return r.choice(self.boundaries) + r.choice(["x", "-", "=_1"])  # an enclosing one is its prefix
        if how == 2:
            return r.choice(["", " ", "a b", 'q"uote', "=_", "-", "--", "x" * 200, "\u00e9t\u00e9", "a\tb", "simple boundary"])
        return f"----=_Part_{self.bulk.getrandbits(40):x}_{len(self.boundaries)}"

    def ctype_header(self, value: str) -> list[str]:
        r = self.r
        out = [f"Content-Type: {value}"]
        if r.random() < 0.03:
            out.append(f"Content-Type: {r.choice(ODD_TYPES)}")  # duplicated, disagreeing
        if r.random() < 0.02:
            out = []  # missing
        return out

    def entity(self, headers: list[str], body: bytes) -> bytes:
        r = self.r
        headers = [fold(r, h) for h in headers]
        if r.random() < 0.05:
            r.shuffle(headers)
        if r.random() < 0.03:
            headers.append(r.choice(["X-No-Colon", ": empty name", "Content-Type:", "X-Long: " + "y" * 5000,
                                     " leading-space: x", "X-Bin: \x80\x81\xff"]))
        sep = "\n" if r.random() < 0.97 else ""  # no blank line after the headers, now and then
        head = "\n".join(headers) + "\n" + sep
        return head.encode("utf-8", "surrogateescape") + body

    def node(self, depth: int) -> bytes:
        r = self.r
        roll = r.random()
        if depth < MAX_DEPTH and roll < max(0.45 - 0.12 * depth, 0.08):
            return self.multipart(depth)
        if depth < MAX_DEPTH and roll < max(0.53 - 0.12 * depth, 0.12):
            return self.message_part(depth)
        return self.leaf()

    def multipart(self, depth: int, subtype: str | None = None) -> bytes:
        r = self.r
        subtype = subtype or r.choice(MULTIPART_SUBTYPES)
        b = self.boundary()
        self.boundaries.append(b)
        params = ""
        how = r.randrange(12)
        if how == 0:
            params = ""  # no boundary parameter at all
        elif how == 1:
            params = f'; boundary="{b}"; boundary="{self.boundary()}"'
        elif how == 2:
            params = f"; boundary*=''{b}"
        elif how == 3:
            params = f"; BOUNDARY={b}"
        else:
            params = f'; boundary="{b}"' if r.random() < 0.7 else f"; boundary={b}"
        low = subtype.lower()
        if low == "signed":
            params += r.choice(['; protocol="application/pkcs7-signature"; micalg=sha-256',
                                '; protocol="application/pgp-signature"; micalg=pgp-sha256', "", '; protocol="x/y"'])
            children = [self.node(depth + 1), self.signature_part()]
        elif low == "encrypted":
            params += r.choice(['; protocol="application/pgp-encrypted"', "", '; protocol="application/pkcs7-mime"'])
            children = self.encrypted_children()
        elif low == "report":
            params += r.choice(["; report-type=delivery-status", "; report-type=disposition-notification", ""])
            children = self.report_children(depth)
        elif low == "digest":
            children = [self.digest_child(depth) for _ in range(r.randint(0, 3))]
        elif low == "related":
            params += '; type="text/html"' if r.random() < 0.5 else ""
            children = [self.leaf("text/html"), *(self.leaf() for _ in range(r.randint(0, 2)))]
        else:
            children = [self.node(depth + 1) for _ in range(r.choice([0, 1, 1, 2, 2, 3, 4, 5]))]
        headers = self.ctype_header(f"multipart/{subtype}{params}")
        if r.random() < 0.1:
            cte, _ = apply_cte(r, b"")
            if cte is not None:
                headers.append(f"Content-Transfer-Encoding: {cte}")  # a CTE on a multipart: not allowed
        body = self.multipart_body(b, children)
        self.boundaries.pop()
        return self.entity(headers, body)

    def multipart_body(self, b: str, children: list[bytes]) -> bytes:
        r = self.r
        bb = b.encode("utf-8", "surrogateescape")
        out = b""
        if r.random() < 0.3:
            out += r.choice([b"This is a multi-part message in MIME format.\n", b"--" + bb + b"x\n",
                             text_body(self.bulk).encode("utf-8", "surrogateescape") + b"\n"])
        for child in children:
            delim = b"--" + bb
            how = r.randrange(20)
            if how == 0:
                delim += b"   "  # transport padding
            elif how == 1:
                delim = delim[:-1] if len(delim) > 2 else delim  # damaged delimiter
            elif how == 2:
                delim = delim.upper()
            lead = b"\n" if r.random() < 0.95 else b""
            out += lead + delim + b"\n" + child
        close = r.randrange(10)
        if close < 7:
            out += b"\n--" + bb + b"--\n"
        elif close == 7:
            out += b"\n--" + bb + b"--\n--" + bb + b"--\n"  # closed twice
        elif close == 8:
            out += b"\n--" + bb + b"-- trailing junk\n--" + bb + b"\n"
        # 9: never closed
        if r.random() < 0.2:
            out += r.choice([b"epilogue\n", text_body(self.bulk).encode("utf-8", "surrogateescape")])
        return out

    def signature_part(self) -> bytes:
        r = self.r
        how = r.randrange(4)
        if how == 0:
            body = b64_lines(r, blobs()["cms_signed"])
            return self.entity(['Content-Type: application/pkcs7-signature; name="smime.p7s"', "Content-Transfer-Encoding: base64"], body)
        if how == 1:
            body = ("-----BEGIN PGP SIGNATURE-----\n\n" + base64_random(self.bulk) + "\n-----END PGP SIGNATURE-----\n").encode()
            return self.entity(["Content-Type: application/pgp-signature"], body)
        if how == 2:  # a "signature" that is really clear text
            return self.entity(["Content-Type: application/pkcs7-signature", "Content-Transfer-Encoding: base64"],
                               b64_lines(r, text_body(self.bulk).encode("utf-8", "surrogateescape")))
        return self.leaf()

    def encrypted_children(self) -> list[bytes]:
        r = self.r
        control = self.entity(["Content-Type: application/pgp-encrypted"], r.choice([b"Version: 1\n", b"Version: 2\n", b""]))
        how = r.randrange(4)
        if how == 0:
            payload = ("-----BEGIN PGP MESSAGE-----\n\n" + base64.b64encode(blobs()["pgp_cipher"]).decode()
                       + "\n-----END PGP MESSAGE-----\n").encode()
        elif how == 1:
            payload = armour_block(self.bulk).encode("utf-8", "surrogateescape")
        elif how == 2:
            payload = text_body(self.bulk).encode("utf-8", "surrogateescape")  # "encrypted" clear text
        else:
            payload = damaged(self.bulk, blobs()["pgp_forged"])
        data = self.entity(['Content-Type: application/octet-stream; name="encrypted.asc"'], payload)
        children = [control, data]
        if r.random() < 0.15:
            r.shuffle(children)
        if r.random() < 0.1:
            children.pop(r.randrange(2))
        return children

    def report_children(self, depth: int) -> list[bytes]:
        r = self.r
        human = self.leaf("text/plain")
        status = self.entity(["Content-Type: message/delivery-status"],
                             (f"Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; {address(r)}\n"
                              "Action: failed\nStatus: 5.1.1\n").encode("utf-8", "surrogateescape"))
        if r.random() < 0.5:
            original = self.message_part(depth)
        else:
            original = self.entity(["Content-Type: text/rfc822-headers"], self.headers(top=True).encode("utf-8", "surrogateescape"))
        return [human, status, original][: r.randint(1, 3)]

    def digest_child(self, depth: int) -> bytes:
        # in a digest the default type of a part is message/rfc822
        inner = self.message(depth + 1)
        return (b"\n" + inner) if self.r.random() < 0.8 else self.node(depth + 1)

    def message_part(self, depth: int) -> bytes:
        r = self.r
        ctype = r.choice(["message/rfc822", "message/rfc822", "message/partial", "message/global", "message/news",
                          "message/external-body"])
        if ctype == "message/partial":
            full = self.message(depth + 1)
            cut = r.randint(0, len(full))
            number = r.choice(["1", "2", "0", "-1", "99999999999999", "x"])
            headers = self.ctype_header(f'message/partial; id="{self.bulk.getrandbits(32)}@x"; number={number}; total={r.choice(["2", "1", "0", ""])}')
            return self.entity(headers, r.choice([full[:cut], full[cut:]]))
        if ctype == "message/external-body":
            headers = self.ctype_header('message/external-body; access-type=URL; URL="http://example.org/x"')
            return self.entity(headers, b"Content-Type: text/plain\n\n")
        inner = self.message(depth + 1)
        headers = self.ctype_header(ctype)
        if r.random() < 0.15:  # base64 over a message/rfc822 (not allowed, but sent)
            headers.append("Content-Transfer-Encoding: base64")
            inner = b64_lines(r, inner)
        if r.random() < 0.3:
            headers.append(f'Content-Disposition: attachment; {disposition_params(r, r.choice(["fwd.eml", "x.eml", filename(r)]))}')
        return self.entity(headers, inner)

    def leaf(self, ctype: str | None = None) -> bytes:
        r = self.r
        kind = ctype or r.choice([
            "text/plain", "text/plain", "text/html", "text/csv", "text/enriched", "text/rtf", "application/rtf",
            "text/calendar", "text/x-vcard", "application/octet-stream", "application/pdf", "image/png", "image/jpeg",
            "image/gif", "application/pkcs7-mime", "application/x-pkcs7-mime", "application/pkcs7-signature",
            "application/pgp-encrypted", "application/pgp-signature", "application/zip", "application/x-zip-compressed",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/msword",
            "application/vnd.ms-excel", "application/ms-tnef", "text/rfc822-headers", "odd",
        ])
        if kind == "odd":
            kind = r.choice(ODD_TYPES)
        params = ""
        is_text = kind.lower().startswith("text/") or kind in ("", "text", "odd")
        charset = charset_for(r)
        if is_text and r.random() < 0.85:
            params += f"; charset={charset}" if r.random() < 0.5 else f'; charset="{charset}"'
        if "pkcs7-mime" in kind:
            params += f"; smime-type={r.choice(SMIME_TYPES)}; name=smime.p7m"
        name = filename(r) if (not is_text or r.random() < 0.2) and r.random() < 0.8 else None
        if name is not None and r.random() < 0.6:
            params += "; " + disposition_params(r, name).replace("filename", "name")
        body = self.leaf_body(kind, is_text, charset)
        cte, encoded = apply_cte(r, body)
        headers = self.ctype_header(f"{kind}{params}")
        if cte is not None:
            headers.append(f"Content-Transfer-Encoding: {cte}")
            if r.random() < 0.04:
                headers.append(f"Content-Transfer-Encoding: {r.choice(sum(CTE_SPELLINGS.values(), []))}")
        if name is not None and r.random() < 0.85:
            disp = r.choice(["attachment", "inline", "ATTACHMENT", "attachment;", "bogus", ""])
            headers.append(f"Content-Disposition: {disp}; {disposition_params(r, name)}")
        if r.random() < 0.1:
            headers.append(r.choice(["Content-ID: <x@y>", "Content-Description: " + header_text(r), "Content-Language: en",
                                     "Content-Location: file:///etc/passwd", "Content-Length: 5"]))
        return self.entity(headers, encoded)

    def leaf_body(self, kind: str, is_text: bool, charset: str) -> bytes:
        r, bulk = self.r, self.bulk
        low = kind.lower()
        natural = r.random() < 0.7
        if natural and "csv" in low:
            return encode_text(r, csv_text(bulk), charset)
        if natural and "html" in low:
            return encode_text(r, html_text(bulk, bulk.randint(0, 3000)), charset)
        if natural and "rtf" in low:
            return blobs()["rtf"]
        if natural and low.startswith("application/pdf"):
            return binary_body(bulk, r.choice(["pdf", "pdf", "pdf_image_only"]))
        if natural and low.startswith("image/"):
            return binary_body(bulk, r.choice(["png", "png_tiny", "png_bomb_header", "gif", "jpeg"]))
        if natural and "pkcs7" in low:
            return binary_body(bulk, r.choice(["cms_enveloped", "cms_signed"]))
        if natural and "pgp" in low:
            return armour_block(bulk).encode("utf-8", "surrogateescape")
        if natural and "zip" in low:
            return binary_body(bulk, r.choice(["zip", "zip_nested", "zip_bomb", "zip_flagged_encrypted"]))
        if natural and "wordprocessing" in low:
            return binary_body(bulk, "docx")
        if natural and "spreadsheet" in low:
            return binary_body(bulk, "xlsx")
        if natural and "rfc822-headers" in low:
            return self.headers(top=True).encode("utf-8", "surrogateescape")
        if is_text or r.random() < 0.3:
            text = text_body(bulk)
            if r.random() < 0.05:  # raw 8-bit bytes whatever the charset says
                return text.encode("utf-8", "surrogateescape") + bulk.randbytes(bulk.randint(1, 200))
            return encode_text(r, text, charset)
        if r.random() < 0.7:
            return binary_body(bulk)  # a real file under an unrelated label
        return bulk.randbytes(bulk.choice([0, 1, 16, 500, 5000]))

    def headers(self, top: bool) -> str:
        r = self.r
        lines: list[str] = []
        fields = [
            ("From", lambda: address(r)), ("To", lambda: address_list(r)), ("Cc", lambda: address_list(r)),
            ("Subject", lambda: header_text(r)), ("Date", lambda: r.choice(["Mon, 1 Jan 2024 10:00:00 +0000", "yesterday", "", "Thu, 31 Feb 99999 25:61:61 +9999"])),
            ("Message-ID", lambda: r.choice([f"<{self.bulk.getrandbits(48):x}@example.org>", "", "<<>>", "no-angle"])),
            ("MIME-Version", lambda: r.choice(["1.0", "1.0 (produced by x)", "2.0", ""])),
            ("Reply-To", lambda: address(r)), ("Sender", lambda: address(r)),
            ("X-Mailer", lambda: header_text(r)), ("Received", lambda: "from x by y; Mon, 1 Jan 2024 10:00:00 +0000"),
        ]
        for name, value in fields:
            keep = r.random() < (0.9 if name in ("From", "To", "Subject", "MIME-Version", "Date", "Message-ID") else 0.15)
            if not top and r.random() < 0.3:
                keep = False
            if keep:
                spelled = name if r.random() < 0.95 else r.choice([name.lower(), name.upper(), f"{name} ", f" {name}"])
                lines.append(fold(r, f"{spelled}: {value()}"))
                if r.random() < 0.04:
                    lines.append(f"{name}: {value()}")  # duplicated header
        return "\n".join(lines) + ("\n" if lines else "")

    def message(self, depth: int) -> bytes:
        """A whole message: top-level headers, then one MIME tree (its own headers) as the body."""
        r = self.r
        head = self.headers(top=True).encode("utf-8", "surrogateescape")
        if r.random() < 0.85:
            body_entity = self.node(depth) if depth < MAX_DEPTH else self.leaf()
        else:  # no MIME at all: headers, blank line, text
            body_entity = b"\n" + encode_text(r, text_body(self.bulk), "utf-8")
        return head + body_entity


def _line_endings(r: random.Random, raw: bytes) -> bytes:
    how = r.randrange(6)
    if how <= 1:
        return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if how == 2:
        return raw  # as built: mostly LF
    if how == 3:  # mixed, line by line
        bulk = random.Random(r.getrandbits(32))
        return b"".join(line + (b"\r\n" if bulk.random() < 0.5 else b"\n") for line in raw.split(b"\n"))
    if how == 4:
        return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r") if r.random() < 0.2 else raw
    return raw.replace(b"\r\n", b"\n")


def generate_message(r: random.Random) -> bytes:
    """One hostile but email-shaped message."""
    builder = _Builder(r)
    raw = builder.message(0)
    return _line_endings(r, raw)


def generate_non_email(r: random.Random) -> bytes:
    """Bytes that are not an email at all (or barely): these get a per-file error or a decision."""
    bulk = random.Random(r.getrandbits(64))
    return r.choice([
        lambda: b"",
        lambda: bulk.randbytes(bulk.randint(1, 5000)),
        lambda: b"\x00" + bulk.randbytes(100),
        lambda: blobs()["zip"],
        lambda: blobs()["pdf"],
        lambda: random_text(bulk, 500).encode("utf-8", "surrogateescape"),
        lambda: b"From: a@b.c",
        lambda: b"Subject: " + b"A" * bulk.choice([20_000, 200_000]),
        lambda: b"\n\n\n" + text_body(bulk).encode("utf-8", "surrogateescape"),
        lambda: b"Content-Type: multipart/mixed; boundary=x\n\n" + b"--x\n" * 5000,
        lambda: b"From: a@b.c\n" + b"X: y\n" * bulk.choice([100, 5000, 20_000]) + b"\nbody",
        lambda: ("\ufeffFrom: a@b.c\nSubject: bom\n\nhi " + CANARY).encode("utf-8"),
        lambda: ("From: a@b.c\nSubject: utf16\n\n" + pii_sentence(bulk)).encode("utf-16"),
    ])()


def generate_input(r: random.Random) -> bytes:
    """The mix used by the long run: mostly MIME messages, a few not-emails."""
    return generate_non_email(r) if r.random() < 0.05 else generate_message(r)


# -- Hypothesis strategies --------------------------------------------------------------


class FuzzInput(bytes):
    """Generated bytes whose repr names them (size, hash) instead of printing them: inputs can be
    hundreds of kB (Hypothesis warns on reprs over 30 kB) and hold synthetic personal data."""

    def __repr__(self) -> str:
        return f"FuzzInput(<{len(self)} bytes, sha256 {hashlib.sha256(self).hexdigest()[:16]}>)"

    def _repr_pretty_(self, p: object, cycle: bool) -> None:  # Hypothesis' pretty printer
        p.text(repr(self))  # type: ignore[attr-defined]


def _randoms() -> st.SearchStrategy[random.Random]:
    return st.randoms(note_method_calls=False, use_true_random=False)


def messages() -> st.SearchStrategy[bytes]:
    """Whole hostile MIME messages (random trees of multiparts, nested messages and leaves)."""
    return _randoms().map(lambda r: FuzzInput(generate_message(r)))


def leaf_parts() -> st.SearchStrategy[bytes]:
    """One MIME leaf (headers + encoded body), for tests that build their own trees."""
    return _randoms().map(lambda r: FuzzInput(_Builder(r).leaf()))


def text_bodies() -> st.SearchStrategy[str]:
    return _randoms().map(lambda r: text_body(random.Random(r.getrandbits(64))))


def non_emails() -> st.SearchStrategy[bytes]:
    """Bytes that are not (or barely) an email: random bytes, bare files, header-only, BOMs, UTF-16."""
    return st.one_of(_randoms().map(lambda r: FuzzInput(generate_non_email(r))), st.binary(max_size=2000).map(FuzzInput))


def raw_inputs() -> st.SearchStrategy[bytes]:
    """Anything a client may hand the gateway: mostly messages, sometimes random bytes or not-emails."""
    return st.one_of(
        messages(),
        _randoms().map(lambda r: FuzzInput(generate_non_email(r))),
        st.binary(max_size=2000).map(FuzzInput),
    )
