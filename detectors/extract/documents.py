"""Text from attachment formats: PDF, DOCX, XLSX, CSV/TXT, HTML, RTF.

Each reader takes bytes and returns text, or raises ``Unreadable`` with a reason
a person can act on ("password-protected PDF").
"""

from __future__ import annotations

import csv
import io
import zipfile

from charset_normalizer import from_bytes

from detectors.extract.html_text import html_to_text
from detectors.extract.limits import ExtractionLimits
from detectors.extract.tables import render_table

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # password-protected OOXML is an OLE container


class UnreadableDocument(Exception):
    """The document could not be inspected; the message says why (no content in it)."""


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes to str (declared charset, then charset-normalizer's guess), newlines as LF."""
    return _decode(data, declared).replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, declared: str | None) -> str:
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is not None:
            return str(best)
        return data.decode("latin-1")


def pdf_text(data: bytes, limits: ExtractionLimits) -> tuple[str, bool]:
    """Returns (text, truncated)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise UnreadableDocument("password-protected PDF") from exc
            if not ok:
                raise UnreadableDocument("password-protected PDF")
        pages = reader.pages
        count = len(pages)
        texts = [pages[i].extract_text() or "" for i in range(min(count, limits.max_pdf_pages))]
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise UnreadableDocument(f"damaged PDF ({type(exc).__name__})") from exc
    return "\n".join(texts), count > limits.max_pdf_pages


def _check_ooxml(data: bytes, kind: str) -> None:
    if data.startswith(OLE_MAGIC):
        raise UnreadableDocument(f"password-protected or legacy {kind} document")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableDocument(f"damaged {kind} document (not a ZIP container)")


def docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_ooxml(data, "Word")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise UnreadableDocument(f"damaged Word document ({type(exc).__name__})") from exc
    parts: list[str] = []
    for section in document.sections:
        for para in section.header.paragraphs:
            if para.text.strip():
                parts.append(para.text)
    parts.extend(p.text for p in document.paragraphs)
    for table in document.tables:
        rows = []
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                # Merged cells repeat; keep one copy.
                if not cells or cells[-1] != cell.text:
                    cells.append(cell.text)
            rows.append(cells)
        parts.append(render_table(rows))
    return "\n".join(parts)


def xlsx_text(data: bytes, limits: ExtractionLimits) -> tuple[str, bool]:
    import openpyxl

    _check_ooxml(data, "Excel")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise UnreadableDocument(f"damaged Excel workbook ({type(exc).__name__})") from exc
    parts: list[str] = []
    cells_seen = 0
    truncated = False
    try:
        for sheet in book.worksheets:
            rows: list[list[str]] = []
            for row in sheet.iter_rows(values_only=True):
                cells_seen += len(row)
                if cells_seen > limits.max_sheet_cells:
                    truncated = True
                    break
                rows.append(["" if v is None else _cell_text(v) for v in row])
            parts.append(f"Sheet: {sheet.title}\n{render_table(rows)}")
            if truncated:
                break
    finally:
        book.close()
    return "\n".join(parts), truncated


def _cell_text(value: object) -> str:
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
