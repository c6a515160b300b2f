"""What a part really is, from its first bytes: never from its name or label.

A spreadsheet renamed ``logo.png``, a CSV sent as ``application/octet-stream``
with no name, a Word file labelled ``image/jpeg``: each is read as what its
bytes say it is. The name and the declared type only choose between readings
of plain text (CSV or not, HTML or not).
"""

from __future__ import annotations

import enum
import io
import zipfile

import regex


class Kind(enum.StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"
    OPENDOCUMENT = "opendocument"
    ZIP = "zip"
    OLE = "ole"  # legacy Office (.doc/.xls/.ppt) or password-protected OOXML, .msg
    IMAGE = "image"
    RTF = "rtf"
    TNEF = "tnef"
    EMAIL = "email"
    HTML = "html"
    CSV = "csv"
    TEXT = "text"
    COMPRESSED = "compressed"  # gzip, bzip2, xz, 7z, rar, tar...: formats we do not unpack
    CMS = "cms"  # DER-encoded CMS/PKCS#7 (S/MIME signature or envelope)
    OPENPGP = "openpgp"  # binary OpenPGP packets
    BINARY = "binary"  # none of the above: cannot be read
    EMPTY = "empty"


_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*",
)
_COMPRESSED_MAGIC = (
    b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x28\xb5\x2f\xfd", b"MSCF",
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TNEF_MAGIC = b"\x78\x9f\x3e\x22"
_HTML_START = regex.compile(r"(?i)^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<div|<p[\s>]|<table|<span|<br|<!--)")
_HEADER_LINE = regex.compile(r"(?m)^(?:from|to|subject|date|message-id|content-type|received|mime-version|return-path)[ \t]*:", regex.I)
_TEXT_BYTES = bytes(range(32, 127)) + b"\t\n\r\f\b\x1b"


def sniff(data: bytes, name: str = "", declared: str = "") -> Kind:
    """The kind of ``data``; ``name`` and ``declared`` (a content type) only refine plain text."""
    if not data.strip():
        return Kind.EMPTY
    head = data[:8]
    if data.lstrip()[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") != -1:
        return Kind.PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head.startswith(OLE_MAGIC):
        return Kind.OLE
    if head.startswith(TNEF_MAGIC):
        return Kind.TNEF
    if head.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return Kind.IMAGE
    if head.startswith(_COMPRESSED_MAGIC) or data[257:262] == b"ustar":
        return Kind.COMPRESSED
    if data.lstrip()[:5] == b"{\\rtf":
        return Kind.RTF
    if head[:1] == b"\x30" and _looks_like_cms(data):
        return Kind.CMS
    if head[:1] and head[0] & 0x80 and _looks_like_openpgp(data):
        return Kind.OPENPGP
    if not looks_like_text(data):
        return Kind.BINARY
    return _text_kind(data, name.lower(), declared.lower())


def looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in sample:
        # UTF-16 without a byte-order mark: every other byte is zero in Latin text.
        zeros = sample.count(b"\x00")
        return len(sample) >= 4 and abs(zeros - len(sample) / 2) <= len(sample) * 0.1
    # Bytes >= 0x80 are text in UTF-8 or a legacy code page; control bytes are not.
    controls = sum(1 for b in sample if b < 0x80 and b not in _TEXT_BYTES)
    return controls <= len(sample) * 0.02


def _text_kind(data: bytes, name: str, declared: str) -> Kind:
    start = data[:2048].decode("latin-1")
    if _HTML_START.match(start) or declared == "text/html" or name.endswith((".htm", ".html")):
        return Kind.HTML
    if declared in ("message/rfc822", "message/global") or name.endswith(".eml"):
        return Kind.EMAIL
    if len(_HEADER_LINE.findall(start)) >= 2 and regex.match(r"[\w-]+:", start):
        return Kind.EMAIL
    if declared in ("text/csv", "text/tab-separated-values") or name.endswith((".csv", ".tsv")):
        return Kind.CSV
    return Kind.TEXT


def _zip_kind(data: bytes) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                    return Kind.OPENDOCUMENT
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return Kind.DOCX
                if any(n.startswith("xl/") for n in names):
                    return Kind.XLSX
                if any(n.startswith("ppt/") for n in names):
                    return Kind.PPTX
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError):
        pass  # a damaged or encrypted archive: the ZIP reader says why
    return Kind.ZIP


def _looks_like_cms(data: bytes) -> bool:
    # SEQUENCE { OID 1.2.840.113549.1.7.x ... }: the PKCS#7 content-type prefix near the start.
    return b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07" in data[:32]


def _looks_like_openpgp(data: bytes) -> bool:
    from detectors.extract.ciphertext import is_openpgp_ciphertext, is_openpgp_signature

    return is_openpgp_ciphertext(data) or is_openpgp_signature(data)
