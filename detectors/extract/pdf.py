"""PDF read with pypdf: everything a recipient can see or pull out of the file.

The text layer of each page up to ``max_pdf_pages`` (more pages: ``truncated``),
the pages with no text layer at all (image-only scans: ``ocr_pages``, for the
caller to OCR), annotation contents on those pages (comments, sticky notes,
free text, popups), form field values with their field names ("Child's name:
X", ticked boxes and chosen options by their export names, XFA form data),
bookmark titles, title, subject and keywords, and the files embedded in the document or in
file-attachment annotations (handed back in ``embedded``).

A part that cannot be read (one page, the form) becomes a problem; a file that
cannot be opened at all (damaged, password-protected) raises
``UnreadableDocument``. pypdf's log messages quote the bytes it could not parse,
so they are kept away from the gateway's logs while it reads.
"""

from __future__ import annotations

import io
from typing import Any

from detectors.extract.collect import Collector, library_logs_kept
from detectors.extract.content import DocumentContent
from detectors.extract.documents import UnreadableDocument, decode_text
from detectors.extract.html_text import html_to_text
from detectors.extract.limits import ExtractionLimits

_MARKUP_NOT_CONTENT = ("/Popup",)
_PLACEHOLDERS = frozenset({"untitled", "unspecified", "anonymous", "none"})  # generators' defaults  # a popup shows its parent's /Contents, read with the parent


def pdf_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    out = Collector(limits)
    with library_logs_kept("pypdf"):
        _read(data, limits, out)
    return out.content()


def _read(data: bytes, limits: ExtractionLimits, out: Collector) -> None:
    from pypdf import PdfReader

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
        read = min(count, limits.max_pdf_pages)
        if count > read:
            out.truncated = True
        _guarded(out, "document information", lambda: _metadata(reader, out))
        for index in range(read):
            page = pages[index]
            _page_text(page, index, out)
            _guarded(out, f"the annotations of page {index + 1}", lambda page=page: _annotations(page, out))
        _guarded(out, "the form fields", lambda: _fields(reader, out))
        _guarded(out, "the XFA form data", lambda: _xfa(reader, out))
        _guarded(out, "the bookmarks", lambda: _outline(reader, out))
        _guarded(out, "the attached files", lambda: _attachments(reader, out))
    except UnreadableDocument:
        raise
    except Exception as exc:  # hostile input: pypdf raises many types (PdfReadError, KeyError, RecursionError...)
        raise UnreadableDocument(f"damaged PDF ({type(exc).__name__})") from exc


def _guarded(out: Collector, what: str, read: Any) -> None:
    """Reads one part; if it fails, the rest of the document is still read and the part is reported."""
    try:
        read()
    except UnreadableDocument:
        raise
    except Exception as exc:
        out.problem(f"{what} could not be read ({type(exc).__name__})")


def _page_text(page: Any, index: int, out: Collector) -> None:
    try:
        text = page.extract_text() or ""
    except Exception as exc:
        out.problem(f"the text of page {index + 1} could not be read ({type(exc).__name__})")
        out.ocr_pages.append(index)  # OCR may still read what the text layer did not give
        return
    if _fragmented(text):
        # Glyphs placed one by one (justified or kerned output, or on purpose) come out one per line;
        # the layout mode puts them back on their printed lines.
        try:
            text = page.extract_text(extraction_mode="layout") or text
        except Exception:
            pass
    if text.strip():
        out.add("\n".join(line.rstrip() for line in text.splitlines()))
    elif _draws_something(page):
        out.ocr_pages.append(index)


def _fragmented(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return len(lines) >= 8 and sum(1 for line in lines if len(line) <= 2) > len(lines) / 2


def _draws_something(page: Any) -> bool:
    """False for a truly blank page (no content stream, or an empty one): nothing to OCR there."""
    try:
        contents = page.get_contents()
        return contents is not None and bool(contents.get_data().strip())
    except Exception:
        return True  # cannot tell: let OCR look


def _metadata(reader: Any, out: Collector) -> None:
    info = reader.metadata
    if not info:
        return
    for key in ("/Title", "/Subject", "/Keywords"):
        value = _text(info.get(key))
        if value and value.lower() not in _PLACEHOLDERS:
            out.add(f"{key[1:]}: {value}")


def _annotations(page: Any, out: Collector) -> None:
    annots = page.get("/Annots")
    if annots is None:
        return
    for ref in annots.get_object():
        annot = ref.get_object()
        if not hasattr(annot, "get"):
            continue
        subtype = annot.get("/Subtype")
        if subtype == "/FileAttachment":
            _file_spec(annot.get("/FS"), out)
        if subtype == "/Widget":
            _field_line(annot, out)
            continue
        if subtype in _MARKUP_NOT_CONTENT:
            continue
        contents = _text(annot.get("/Contents"))
        if not contents and annot.get("/RC") is not None:
            contents = html_to_text(_text(annot.get("/RC")))  # rich-text contents (XHTML)
        if contents:
            out.add_unique(contents)


def _fields(reader: Any, out: Collector) -> None:
    fields = reader.get_fields()
    if not fields:
        return
    for field in fields.values():
        _field_line(field, out)


def _field_line(field: Any, out: Collector) -> None:
    """"Label: value" for a field (or widget) that has a value; a box left unticked says nothing."""
    value = _value(field.get("/V"))
    if not value:
        return
    label = _text(field.get("/TU")) or _text(field.get("/T"))
    out.add_unique(f"{label}: {value}" if label else value)


def _value(raw: Any) -> str:
    if raw is None:
        return ""
    raw = raw.get_object() if hasattr(raw, "get_object") else raw
    from pypdf.generic import ArrayObject, NameObject, StreamObject

    if isinstance(raw, NameObject):
        name = str(raw)[1:]
        return "" if name == "Off" else name  # a checkbox or radio button: its export name ("Yes", "Female")
    if isinstance(raw, ArrayObject):
        return ", ".join(v for v in (_value(item) for item in raw) if v)
    if isinstance(raw, StreamObject):
        return decode_text(raw.get_data()).strip()
    return _text(raw)


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    raw = raw.get_object() if hasattr(raw, "get_object") else raw
    if isinstance(raw, bytes):
        return decode_text(raw).strip()
    return str(raw).strip()


def _xfa(reader: Any, out: Collector) -> None:
    """XFA forms (LiveCycle) keep the values people typed in the ``datasets`` packet, not in /V."""
    packets = reader.xfa
    if not packets:
        return
    from detectors.extract.ooxml import local, parse_xml

    data = packets.get("datasets")
    if not data:
        return
    root = parse_xml(data)
    for el in root.iter():
        value = (el.text or "").strip() if isinstance(el.tag, str) and len(el) == 0 else ""
        if value:
            out.add_unique(f"{local(el)}: {value}")


def _outline(reader: Any, out: Collector) -> None:
    """Bookmark titles (pypdf bounds the outline's depth and size and stops at cycles)."""
    stack = [iter(reader.outline)]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, list):
            stack.append(iter(item))
        else:
            title = _text(getattr(item, "title", None))
            if title:
                out.add_unique(title)


def _attachments(reader: Any, out: Collector) -> None:
    for number, attachment in enumerate(reader.attachment_list, start=1):
        size = getattr(attachment, "size", None)
        if isinstance(size, int) and not out.room_for_embedded(size):
            continue
        out.embed(attachment.name or f"attachment-{number}", attachment.content)


def _file_spec(spec: Any, out: Collector) -> None:
    """The file of a file-attachment annotation (a paperclip on the page)."""
    if spec is None:
        return
    spec = spec.get_object()
    files = spec.get("/EF")
    if files is None:
        return
    files = files.get_object()
    stream = files.get("/UF") or files.get("/F")
    if stream is None:
        return
    name = _text(spec.get("/UF")) or _text(spec.get("/F")) or f"attachment-{len(out.embedded) + 1}"
    out.embed(name, stream.get_object().get_data())
