"""OpenDocument text, spreadsheets and presentations (.odt, .ods, .odp) read with odfpy.

The body in document order: paragraphs, headings, lists, sections, tables and
sheets (hidden ones too, marked; rendered with ``render_table``, a nested
table kept in its cell, repeated rows and columns expanded within
``max_sheet_cells``), text boxes and frames (with their alt text), footnotes
and endnotes, hidden text, tracked deletions, form control values, slides and
speaker notes; then headers and footers, comments, string literals in formulas
and validation lists, embedded ODF objects (charts, embedded sheets), title,
subject, description, keywords and custom properties. Pictures and embedded
non-ODF objects go back to the caller.

The ZIP is checked before odfpy sees it (password-protected, size limits), and
every XML part is parsed once with a safe parser first: odfpy prints a part
that fails to parse to standard output, and standard output may be logged.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from typing import Any

from detectors.extract.collect import Collector
from detectors.extract.content import DocumentContent
from detectors.extract.documents import UnreadableDocument
from detectors.extract.limits import ExtractionLimits
from detectors.extract.ooxml import ZIP_ERRORS, natural_key, parse_xml
from detectors.extract.tables import render_table

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FORM = "urn:oasis:names:tc:opendocument:xmlns:form:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
DC = "http://purl.org/dc/elements/1.1/"

_NOT_EMBEDDED = ("meta-inf/", "thumbnails/", "configurations2/", "objectreplacements/")
_SKIP = frozenset({
    (TEXT, "note-citation"), (OFFICE, "annotation-end"), (DC, "creator"), (DC, "date"), (META, "date-string"),
    (TEXT, "sequence-decls"), (TABLE, "table-columns"), (TABLE, "table-column"), (TABLE, "table-header-columns"),
    (TABLE, "table-column-group"), (OFFICE, "automatic-styles"), (OFFICE, "font-face-decls"), (OFFICE, "scripts"),
})
_CELL_VALUE_ATTRS = ("string-value", "date-value", "time-value", "value", "boolean-value")
_FORMULA_LITERAL = re.compile(r'"((?:[^"]|"")*)"')
_MOST_PADDING = 1024  # empty columns kept before a value (alignment with headings); beyond that, dropped


def opendocument_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    out = Collector(limits)
    embedded = _check_container(data, limits)
    from odf.opendocument import load

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # odfpy prints parse errors with the part's content
            doc = load(io.BytesIO(data))
        walker = _Walker(out, limits, _hidden_tables(doc))
        walker.document(doc, depth=0)
    except UnreadableDocument:
        raise
    except Exception as exc:  # odfpy raises many types on hostile input
        raise UnreadableDocument(f"damaged OpenDocument file ({type(exc).__name__})") from exc
    for name, payload in embedded:
        out.embed(name, payload)
    return out.content()


def _check_container(data: bytes, limits: ExtractionLimits) -> list[tuple[str, bytes]]:
    """Refuses what odfpy should not be given; returns the pictures and non-ODF objects inside."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if i.filename and not i.filename.endswith("/")]
            if sum(i.file_size for i in infos) > limits.max_total_bytes:
                raise UnreadableDocument("OpenDocument file unpacks to more than the total size limit")
            names = {i.filename for i in infos}
            if "META-INF/manifest.xml" not in names or "content.xml" not in names:
                raise UnreadableDocument("damaged OpenDocument file (manifest or content missing)")
            if any(i.flag_bits & 0x1 for i in infos):
                raise UnreadableDocument("password-protected OpenDocument file")
            if b"encryption-data" in zf.read("META-INF/manifest.xml"):
                raise UnreadableDocument("password-protected OpenDocument file")
            embedded: list[tuple[str, bytes]] = []
            for info in sorted(infos, key=lambda i: natural_key(i.filename)):
                lower = info.filename.lower()
                if lower.endswith((".xml", ".rdf")):
                    try:
                        parse_xml(zf.read(info))
                    except Exception as exc:
                        raise UnreadableDocument(f"damaged OpenDocument file ({type(exc).__name__})") from exc
                elif lower not in ("mimetype", "layout-cache") and not lower.startswith(_NOT_EMBEDDED):
                    embedded.append((info.filename, zf.read(info)))
            return embedded
    except UnreadableDocument:
        raise
    except ZIP_ERRORS as exc:
        raise UnreadableDocument("damaged OpenDocument file (not a ZIP container)") from exc


def _hidden_tables(doc: Any) -> set[str]:
    """Names of the table styles that hide a sheet (style:table-properties table:display="false")."""
    hidden: set[str] = set()
    for styles in (doc.automaticstyles, doc.styles):
        for style in _elements(styles):
            if style.qname != (STYLE, "style"):
                continue
            for props in _elements(style):
                if props.qname == (STYLE, "table-properties") and props.attributes.get((TABLE, "display")) == "false":
                    hidden.add(str(style.attributes.get((STYLE, "name"), "")))
    return hidden


def _elements(el: Any) -> list[Any]:
    return [c for c in getattr(el, "childNodes", []) if c.nodeType == c.ELEMENT_NODE]


def _attr(el: Any, ns: str, name: str) -> str:
    value = el.attributes.get((ns, name))
    return "" if value is None else str(value)


class _Walker:
    def __init__(self, out: Collector, limits: ExtractionLimits, hidden: set[str]) -> None:
        self.out = out
        self.limits = limits
        self.hidden = hidden
        self.cells = 0
        self.comments: list[str] = []
        self.extras: list[str] = []  # formula literals, validation lists: read once, after the body
        self.spreadsheet = False

    def document(self, doc: Any, depth: int) -> None:
        self.spreadsheet = doc.mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet")
        for line in self.blocks(doc.body):
            self.out.add(line)
        for line in self.blocks(doc.masterstyles):  # headers and footers
            self.out.add_unique(line)
        for line in self.comments:
            self.out.add(line)
        for line in self.extras:
            self.out.add_unique(line)
        self.comments, self.extras = [], []
        if depth < self.limits.max_depth:
            for child in doc.childobjects:  # embedded charts, sheets, formulas
                self.document(child, depth + 1)
        else:
            self.out.problem("embedded objects nested too deeply were not read")
        if depth == 0:
            self.meta(doc.meta)

    def meta(self, meta: Any) -> None:
        labels = {(DC, "title"): "Title", (DC, "subject"): "Subject", (DC, "description"): "Description",
                  (META, "keyword"): "Keywords"}
        for el in _elements(meta):
            value = self.inline_text(el).strip()
            if not value:
                continue
            if el.qname in labels:
                self.out.add(f"{labels[el.qname]}: {value}")
            elif el.qname == (META, "user-defined"):
                self.out.add(f"{_attr(el, META, 'name') or 'Property'}: {value}")

    def blocks(self, el: Any, in_cell: bool = False) -> list[str]:
        lines: list[str] = []
        for child in getattr(el, "childNodes", []):
            if child.nodeType != child.ELEMENT_NODE:
                if getattr(child, "data", "").strip():
                    lines.append(child.data)
                continue
            q = child.qname
            if q in _SKIP:
                continue
            if q in ((TEXT, "p"), (TEXT, "h")):
                lines.extend(self.paragraph(child))
            elif q == (TABLE, "table"):
                lines.extend(self.table(child, in_cell))
            elif q == (OFFICE, "annotation"):
                self.comments.extend(self.blocks(child))
            elif q == (TABLE, "content-validation"):
                self.literals(_attr(child, TABLE, "condition"))
                lines.extend(self.blocks(child, in_cell))
            elif q[0] == FORM and (_attr(child, FORM, "current-value") or _attr(child, FORM, "value")):
                label = _attr(child, FORM, "label") or _attr(child, FORM, "name")
                value = _attr(child, FORM, "current-value") or _attr(child, FORM, "value")
                lines.append(f"{label}: {value}" if label else value)
                lines.extend(self.blocks(child, in_cell))
            elif q in ((TEXT, "user-field-decl"), (TEXT, "variable-set"), (TEXT, "user-defined")):
                value = _attr(child, OFFICE, "string-value")
                if value.strip():
                    lines.append(f"{_attr(child, TEXT, 'name') or 'Field'}: {value.strip()}")
            else:
                lines.extend(self.blocks(child, in_cell))  # lists, sections, frames, pages, notes, tracked changes
        return [line for line in lines if line.strip()]

    def paragraph(self, p: Any) -> list[str]:
        parts: list[str] = []
        extras: list[str] = []
        self.inline(p, parts, extras)
        return ["".join(parts), *extras]

    def inline_text(self, el: Any) -> str:
        parts: list[str] = []
        self.inline(el, parts, [])
        return "".join(parts)

    def inline(self, el: Any, parts: list[str], extras: list[str]) -> None:
        for child in getattr(el, "childNodes", []):
            if child.nodeType != child.ELEMENT_NODE:
                parts.append(getattr(child, "data", ""))
                continue
            q = child.qname
            if q in _SKIP:
                continue
            if q == (TEXT, "s"):
                parts.append(" " * max(1, min(_int(_attr(child, TEXT, "c"), 1), 100)))
            elif q == (TEXT, "tab"):
                parts.append("\t")
            elif q == (TEXT, "line-break"):
                parts.append("\n")
            elif q == (OFFICE, "annotation"):
                self.comments.extend(self.blocks(child))
            elif q == (TEXT, "hidden-text"):
                parts.append(_attr(child, TEXT, "string-value"))
            elif q == (TEXT, "conditional-text"):
                self.inline(child, parts, extras)
                for attr in ("string-value-if-true", "string-value-if-false"):
                    if _attr(child, TEXT, attr).strip():
                        extras.append(_attr(child, TEXT, attr))
            elif q[0] == DRAW or q == (TEXT, "note"):
                extras.extend(self.blocks(child))  # frames, text boxes, shapes, alt text (svg:title/desc); notes
            else:
                self.inline(child, parts, extras)

    def table(self, tbl: Any, in_cell: bool) -> list[str]:
        rows: list[list[str]] = []
        for row in self._rows(tbl):
            cells: list[str] = []
            empty_run = 0
            for cell in _elements(row):
                if cell.qname not in ((TABLE, "table-cell"), (TABLE, "covered-table-cell")):
                    continue
                repeat = _int(_attr(cell, TABLE, "number-columns-repeated"), 1)
                self.literals(_attr(cell, TABLE, "formula"))
                text = self.cell_text(cell)
                if not text:
                    empty_run += repeat
                    continue
                cells.extend([""] * min(empty_run, _MOST_PADDING))
                empty_run = 0
                cells.extend([text] * min(repeat, self._room()))
            if not cells:
                continue
            for _ in range(min(_int(_attr(row, TABLE, "number-rows-repeated"), 1), self._room())):
                rows.append(cells)
                self.cells += len(cells)
            if self._room() <= 0:
                self.out.truncated = True
                break
        rendered = render_table(rows)
        if in_cell:
            return ["; ".join(rendered.splitlines())]
        if not self.spreadsheet:
            return [rendered]
        hidden = " (hidden)" if _attr(tbl, TABLE, "style-name") in self.hidden else ""
        return [f"Sheet: {_attr(tbl, TABLE, 'name')}{hidden}", rendered]

    def _room(self) -> int:
        return max(0, self.limits.max_sheet_cells - self.cells)

    def _rows(self, el: Any) -> list[Any]:
        rows = []
        for child in _elements(el):
            if child.qname == (TABLE, "table-row"):
                rows.append(child)
            elif child.qname in ((TABLE, "table-header-rows"), (TABLE, "table-rows"), (TABLE, "table-row-group")):
                rows.extend(self._rows(child))
        return rows

    def cell_text(self, cell: Any) -> str:
        text = "\n".join(self.blocks(cell, in_cell=True)).strip()
        if text:
            return text
        for attr in _CELL_VALUE_ATTRS:
            value = _attr(cell, OFFICE, attr)
            if value:
                return value
        return ""

    def literals(self, formula: str) -> None:
        for match in _FORMULA_LITERAL.finditer(formula or ""):
            if match.group(1):
                self.extras.append(match.group(1).replace('""', '"'))


def _int(value: str, default: int) -> int:
    try:
        return max(0, int(value))
    except ValueError:
        return default
