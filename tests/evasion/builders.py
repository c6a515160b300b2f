"""Real files for attachments: Office documents (with python-docx / openpyxl and by editing
their XML), PDFs (reportlab / pypdf), OpenDocument (odfpy), images (Pillow), archives
(including a ZipCrypto archive written by hand), TNEF, RTF, iCalendar and vCard."""

from __future__ import annotations

import binascii
import bz2
import gzip
import io
import lzma
import struct
import tarfile
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

# ---------------------------------------------------------------------------- Word


def _save(obj) -> bytes:
    buf = io.BytesIO()
    obj.save(buf)
    return buf.getvalue()


def docx_document(build: Callable[[object], None]) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    return _save(document)


def zip_rewrite(data: bytes, change: Callable[[str, bytes], bytes], add: dict[str, bytes] | None = None) -> bytes:
    """Copy a ZIP (an OOXML package), passing every member through change(name, data)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
        for name, extra in (add or {}).items():
            dst.writestr(name, extra)
    return out.getvalue()


def w_paragraphs(lines: Sequence[str], run_props: str = "") -> str:
    """<w:p> elements, one per line, each a single run."""
    rpr = f"<w:rPr>{run_props}</w:rPr>" if run_props else ""
    return "".join(f'<w:p><w:r>{rpr}<w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' for line in lines)


COVER_LINE = "Assessment notes - see the attached form."


def docx_with_body_xml(fragment: str, cover: str = COVER_LINE) -> bytes:
    """A .docx whose visible body is one harmless line, with `fragment` (raw WordprocessingML)
    inserted into <w:body> just before the section properties."""
    plain = docx_document(lambda d: d.add_paragraph(cover))

    def change(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        xml = data.decode("utf-8")
        index = xml.rindex("<w:sectPr")
        return (xml[:index] + fragment + xml[index:]).encode("utf-8")

    return zip_rewrite(plain, change)


def docx_with_footnote(lines: Sequence[str]) -> bytes:
    """A .docx with one footnote (a hand-made footnotes part) that holds `lines`."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1">{w_paragraphs(lines)}</w:footnote></w:footnotes>'
    ).encode()
    base = docx_with_body_xml('<w:p><w:r><w:t xml:space="preserve">Details in the note.</w:t></w:r>'
                              '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r></w:p>')

    def change(name: str, data: bytes) -> bytes:
        if name == "word/_rels/document.xml.rels":
            rel = ('<Relationship Id="rIdEvasionFn" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/footnotes" Target="footnotes.xml"/>')
            return data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        if name == "[Content_Types].xml":
            override = ('<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
                        'officedocument.wordprocessingml.footnotes+xml"/>')
            return data.replace(b"</Types>", override.encode() + b"</Types>")
        return data

    return zip_rewrite(base, change, {"word/footnotes.xml": footnotes})


def docx_with_package_part(fragment: str, part_name: str, data: bytes, rel_type: str, content_type: str,
                           rel_id: str = "rIdEvasionPkg") -> bytes:
    """A .docx carrying an extra package part (an embedded workbook, an HTML altChunk) related
    from the main document as `rel_id`; `fragment` is the body XML that refers to it."""
    base = docx_with_body_xml(fragment)
    target = part_name.removeprefix("word/")

    def change(name: str, xml: bytes) -> bytes:
        if name == "word/_rels/document.xml.rels":
            rel = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>'
            return xml.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        if name == "[Content_Types].xml":
            override = f'<Override PartName="/{part_name}" ContentType="{content_type}"/>'
            return xml.replace(b"</Types>", override.encode() + b"</Types>")
        return xml

    return zip_rewrite(base, change, {part_name: data})


# ---------------------------------------------------------------------------- Excel


def xlsx_workbook(build: Callable[[object], None]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    build(book)
    return _save(book)


# ---------------------------------------------------------------------------- PDF


def pdf_canvas(draw: Callable[[object], None]) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    draw(c)
    c.save()
    return buf.getvalue()


def pdf_text(lines: Sequence[str], title: str | None = None) -> bytes:
    def draw(c) -> None:
        if title:
            c.setTitle(title)
        y = 780
        for line in lines:
            c.drawString(60, y, line)
            y -= 18
        c.showPage()

    return pdf_canvas(draw)


def pdf_rewrite(data: bytes, change: Callable[[object], None]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    change(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------- OpenDocument


def odt(lines: Sequence[str]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    doc = OpenDocumentText()
    for line in lines:
        doc.text.addElement(P(text=line))
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def ods(rows: Sequence[Sequence[str]], sheet: str = "Children") -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet)
    for row in rows:
        tr = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------- images


def _font(size: int):
    from PIL import ImageFont

    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                      *sorted(str(p) for p in Path("/usr/share/fonts").rglob("*.ttf"))[:1]):
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def text_image(text: str, size: int = 30):
    """A white page with `text` typed on it in black (a scanned/photographed form, minus the noise)."""
    from PIL import Image, ImageDraw

    font = _font(size)
    lines = text.rstrip("\n").split("\n")
    width = int(max(font.getlength(line) for line in lines)) + 2 * size
    height = (len(lines) + 1) * int(size * 1.6)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((size, size // 2 + i * int(size * 1.6)), line, fill="black", font=font)
    return image


def image_bytes(image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return buf.getvalue()


def logo_png() -> bytes:
    """A small council-style logo with no text: a blue disc on white."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (64, 64), "white")
    ImageDraw.Draw(image).ellipse((8, 8, 56, 56), fill=(0, 70, 140))
    return image_bytes(image, "PNG")


def image_only_pdf(image) -> bytes:
    """A PDF page that is just the picture: no text layer at all."""
    from reportlab.lib.utils import ImageReader

    def draw(c) -> None:
        w, h = image.size
        scale = min(500 / w, 700 / h)
        c.drawImage(ImageReader(image), 40, 800 - h * scale, width=w * scale, height=h * scale)
        c.showPage()

    return pdf_canvas(draw)


# ---------------------------------------------------------------------------- archives


def zip_bytes(members: dict[str, bytes], comment: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 5, 14, 10, 0, 0)), data, zipfile.ZIP_DEFLATED)
        z.comment = comment
    return buf.getvalue()


def _crc_byte(crc: int, byte: int) -> int:
    """One step of the raw CRC-32 update PKWARE's key schedule uses (no pre/post inversion)."""
    return zlib.crc32(bytes([byte]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


class _ZipCrypto:
    def __init__(self, password: bytes) -> None:
        self.k0, self.k1, self.k2 = 0x12345678, 0x23456789, 0x34567890
        for b in password:
            self._update(b)

    def _update(self, b: int) -> None:
        self.k0 = _crc_byte(self.k0, b)
        self.k1 = ((self.k1 + (self.k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        self.k2 = _crc_byte(self.k2, self.k1 >> 24)

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for b in data:
            t = (self.k2 | 2) & 0xFFFF
            out.append(b ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._update(b)
        return bytes(out)


def zip_with_password(members: dict[str, bytes], password: bytes = b"Halton2026") -> bytes:
    """A ZIP whose members are encrypted with traditional PKWARE (ZipCrypto) encryption, the
    kind Windows' and 7-Zip's "add a password" makes. Written by hand: zipfile cannot write it."""
    local, central = io.BytesIO(), io.BytesIO()
    dos_time, dos_date = (10 << 11), ((2026 - 1980) << 9) | (5 << 5) | 14
    for i, (name, data) in enumerate(members.items()):
        crc = zlib.crc32(data)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        compressed = packer.compress(data) + packer.flush()
        header12 = bytes((i * 37 + j * 11) & 0xFF for j in range(11)) + bytes([crc >> 24])
        payload = _ZipCrypto(password).encrypt(header12 + compressed)
        fname = name.encode("utf-8")
        offset = local.tell()
        local.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x1, 8, dos_time, dos_date, crc, len(payload),
                                len(data), len(fname), 0) + fname + payload)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x1, 8, dos_time, dos_date, crc,
                                  len(payload), len(data), len(fname), 0, 0, 0, 0, 0, offset) + fname)
    cd = central.getvalue()
    start = local.tell()
    local.write(cd)
    local.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(cd), start, 0))
    return local.getvalue()


def tar_bytes(members: dict[str, bytes], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1778752800, 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def gzip_bytes(data: bytes, name: str | None = None) -> bytes:
    if name is None:
        return gzip.compress(data, mtime=0)
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def bz2_bytes(data: bytes) -> bytes:
    return bz2.compress(data)


def xz_bytes(data: bytes) -> bytes:
    return lzma.compress(data)


# ---------------------------------------------------------------------------- other formats


def uuencode(data: bytes, name: str) -> str:
    lines = [f"begin 644 {name}"]
    lines += [binascii.b2a_uu(data[i : i + 45]).decode("ascii").rstrip("\n") for i in range(0, len(data), 45)]
    lines += ["`", "end"]
    return "\n".join(lines) + "\n"


def _tnef_attr(level: int, attr_id: int, attr_type: int, data: bytes) -> bytes:
    return struct.pack("<BHHI", level, attr_id, attr_type, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def tnef(body: str, attachments: dict[str, bytes]) -> bytes:
    """A minimal TNEF stream (winmail.dat), as Outlook sends for "Rich Text" mail: a plain body
    attribute and attachments with title and data attributes."""
    out = struct.pack("<IH", 0x223E9F78, 0x0101)
    out += _tnef_attr(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += _tnef_attr(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # attOemCodepage
    out += _tnef_attr(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00")  # attMessageClass
    out += _tnef_attr(1, 0x800C, 0x0002, body.replace("\n", "\r\n").encode("cp1252") + b"\x00")  # attBody
    for name, data in attachments.items():
        out += _tnef_attr(2, 0x9002, 0x0006, struct.pack("<HIIIHH", 1, 0xFFFFFFFF, 0, 0, 0, 0))  # attAttachRendData
        out += _tnef_attr(2, 0x8010, 0x0001, name.encode("cp1252") + b"\x00")  # attAttachTitle
        out += _tnef_attr(2, 0x800F, 0x0006, data)  # attAttachData
    return out


def rtf_all_escaped(text: str) -> bytes:
    """RTF in which every character is a \\'hh escape (as some exporters write non-Latin text)."""
    body = "".join("\\par\n" if ch == "\n" else f"\\'{ord(ch):02x}" for ch in text)
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Calibri;}}\\f0\\fs22\n" + body + "}").encode("ascii")


def _ical_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 folding: at most 75 octets a line, continuation lines start with a space."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return "\r\n ".join(out)


def ics(summary: str, description: str) -> bytes:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(1778752800))
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Halton BC//Evasion Suite//EN", "METHOD:REQUEST",
        "BEGIN:VEVENT", "UID:evasion-1@halton.gov.uk", f"DTSTAMP:{stamp}", "DTSTART:20260521T100000Z",
        "DTEND:20260521T110000Z", f"SUMMARY:{_ical_escape(summary)}", f"DESCRIPTION:{_ical_escape(description)}",
        "ORGANIZER;CN=Jo Bloggs:mailto:jo.bloggs@halton.gov.uk", "ATTENDEE;RSVP=TRUE:mailto:someone@gmail.com",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")


def vcard(child) -> bytes:
    lines = [
        "BEGIN:VCARD", "VERSION:3.0", f"N:{child.last};{child.first};;;", f"FN:{child.name}",
        f"BDAY:{child.dob.isoformat()}", f"ADR;TYPE=HOME:;;{child.house} {child.street};{child.town};;{child.postcode};UK",
        f"TEL;TYPE=CELL:{child.phone}", f"NOTE:NHS number {child.nhs_text}. Mother {child.parent}. Child protection plan.",
        "END:VCARD",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def html_escape_all(text: str) -> str:
    """Every character as a decimal character reference (&#84;&#111;...)."""
    return "".join("<br>\n" if ch == "\n" else f"&#{ord(ch)};" for ch in text)


def html_spans(text: str) -> str:
    """Every character in its own <span>, as some editors' paste-from-Word output does."""
    return "".join("<br>\n" if ch == "\n" else f"<span>{escape(ch)}</span>" for ch in text)
