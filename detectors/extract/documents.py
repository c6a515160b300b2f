"""Text from attachment formats: the entry points for every document reader.

CSV, plain text, HTML and RTF are read here. Word, Excel, PowerPoint, PDF,
OpenDocument and TNEF each have a module of their own (``word``, ``excel``,
``powerpoint``, ``pdf``, ``opendocument``, ``tnef``); the ``*_content``
functions below call them and return a ``DocumentContent``: text, files found
inside, problems, and PDF pages to OCR.

A reader raises ``UnreadableDocument`` with a reason a person can act on
("password-protected PDF") when the whole document cannot be read. Reasons
never carry content from the document: they are logged.
"""

from __future__ import annotations

import codecs
import csv
import io

from charset_normalizer import from_bytes

from detectors.extract.content import DocumentContent
from detectors.extract.html_text import html_to_text
from detectors.extract.limits import ExtractionLimits
from detectors.extract.tables import render_table

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # password-protected OOXML is an OLE container


class UnreadableDocument(Exception):
    """The document could not be inspected; the message says why (no content in it)."""


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes to str (declared charset, then charset-normalizer's guess), newlines as LF."""
    return _decode(data, declared).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _decode(data: bytes, declared: str | None) -> str:
    for bom, codec in _BOMS:  # a byte-order mark outranks the declared charset, as in browsers
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeError, ValueError):  # unknown, wrong, "idna", or a NUL in the name
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is not None:
            return str(best)
        return data.decode("latin-1")


def docx_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    """Word .docx/.docm/.dotx: body, content controls, tracked changes, text boxes, headers, notes, comments."""
    from detectors.extract import word

    return word.docx_content(data, limits)


def xlsx_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    """Excel .xlsx/.xlsm: every sheet (hidden too), comments, strings left in the workbook but not shown."""
    from detectors.extract import excel

    return excel.xlsx_content(data, limits)


def pptx_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    """PowerPoint .pptx/.ppsx/.potx: slides, notes, comments."""
    from detectors.extract import powerpoint

    return powerpoint.pptx_content(data, limits)


def pdf_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    """PDF: text layer, form fields, annotations, attached files, pages to OCR."""
    from detectors.extract import pdf

    return pdf.pdf_content(data, limits)


def opendocument_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    """OpenDocument text, spreadsheet and presentation (.odt, .ods, .odp)."""
    from detectors.extract import opendocument

    return opendocument.opendocument_content(data, limits)


def tnef_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    """TNEF (winmail.dat): the message body and its attachments."""
    from detectors.extract import tnef

    return tnef.tnef_content(data, limits)


def csv_text(data: bytes) -> str:
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error:
        rows = list(csv.reader(io.StringIO(text)))
    return render_table(rows)


def rtf_text(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    try:
        return str(rtf_to_text(decode_text(data, "latin-1"), errors="ignore"))
    except Exception as exc:  # striprtf raises bare errors on malformed groups
        raise UnreadableDocument(f"damaged RTF document ({type(exc).__name__})") from exc


def html_document_text(data: bytes) -> str:
    return html_to_text(decode_text(data))
