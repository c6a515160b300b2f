"""Excel (.xlsx, .xlsm) read with openpyxl for the cells, and from the package
XML for everything openpyxl's read-only mode leaves out.

Cells: every sheet, hidden and very hidden ones included, each rendered with
``render_table`` (headings next to values), cached formula results, dates as
dd/mm/yyyy; the sheet's stored dimension is ignored (a wrong one would hide
rows in read-only mode); ``max_sheet_cells`` bounds the read (``truncated``).
Then, each once and only if not already shown in a cell: comments (legacy and
threaded), shared strings that no cell shows any more (deleted or overwritten
cells leave them behind), string literals in formulas and data validation
lists, inline and cached strings of sheets openpyxl skips (macro and dialog
sheets), sheet headers and footers, text boxes and chart labels, pivot-table
caches (a full copy of the source data, even after the source is deleted) and
external-link caches; custom XML data and document properties. Embedded files
and pictures go back to the caller.
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
from collections.abc import Iterator

from lxml import etree

from detectors.extract.collect import Collector
from detectors.extract.content import DocumentContent
from detectors.extract.documents import UnreadableDocument
from detectors.extract.limits import ExtractionLimits
from detectors.extract.ooxml import Package, drawing_lines, local
from detectors.extract.tables import render_table

_FORMULA_LITERAL = re.compile(r'"((?:[^"]|"")*)"')
_HEADER_FOOTER = frozenset({"oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"})
# Header/footer codes: &L &C &R (sections), &P &N &D &T &F &A (fields), &"Font,Bold", &12 (size), &B &I &U...
_HEADER_CODE = re.compile(r'&(?:"[^"]*"|\d+|[A-Za-z&])')


def xlsx_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    out = Collector(limits)
    package = Package(data, limits, "Excel", out)
    try:
        if package.has("xl/workbook.bin"):
            raise UnreadableDocument("Excel binary workbook (.xlsb): not read")
        package.refuse_oversized_parts(streamed=("xl/worksheets/",))
        _cells(data, limits, out)
        comment_parts: set[str] = set()
        for title, part in _sheet_parts(package):
            _sheet_extras(package, part, out)
            comment_parts |= _comments(package, part, title, out)
        _shared_strings(package, out)
        _drawings_and_charts(package, comment_parts, out)
        _caches(package, out)
        package.custom_xml()
        package.properties()
        package.embedded_files("")
    except RecursionError as exc:
        raise UnreadableDocument(f"damaged Excel workbook ({type(exc).__name__})") from exc
    finally:
        package.close()
    return out.content()


def cell_text(value: object) -> str:
    """A cell value as a person reads it: dates as dd/mm/yyyy, whole numbers without '.0'."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cells(data: bytes, limits: ExtractionLimits, out: Collector) -> None:
    import openpyxl

    cells_seen = 0
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation extensions, unknown parts): not our input's fault.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for sheet in book.worksheets:
                    if hasattr(sheet, "reset_dimensions"):
                        sheet.reset_dimensions()  # the stored dimension may be wrong: read every row there is
                    rows: list[list[str]] = []
                    stop = False
                    for row in sheet.iter_rows(values_only=True):
                        cells_seen += len(row)
                        if cells_seen > limits.max_sheet_cells:
                            out.truncated = True
                            stop = True
                            break
                        texts = ["" if v is None else cell_text(v) for v in row]
                        for text in texts:
                            out.mark_seen(text)
                        rows.append(texts)
                    state = "" if sheet.sheet_state == "visible" else f" ({sheet.sheet_state})"
                    out.mark_seen(sheet.title)
                    out.add(f"Sheet: {sheet.title}{state}")
                    out.add(render_table(rows))
                    if stop:
                        break
            finally:
                book.close()
    except UnreadableDocument:
        raise
    except Exception as exc:  # openpyxl raises many types on hostile input (KeyError, TypeError, XML errors...)
        raise UnreadableDocument(f"damaged Excel workbook ({type(exc).__name__})") from exc


def _sheet_parts(package: Package) -> list[tuple[str, str]]:
    """(sheet name, part) for the workbook's sheets, then any other sheet part in the package."""
    workbook = package.main_part("xl/workbook.xml")
    root = package.xml(workbook)
    targets = {rid: target for rid, _, target in package.rels(workbook)}
    found: list[tuple[str, str]] = []
    if root is not None:
        for el in root.iter():
            if local(el) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if k.rpartition("}")[2] == "id"), "")
            if rid in targets and package.has(targets[rid]):
                found.append((el.get("name") or "", targets[rid]))
    known = {part.lower() for _, part in found}
    for folder in ("xl/worksheets/", "xl/macrosheets/", "xl/dialogsheets/"):
        for part in package.parts_under(folder):
            if part.lower() not in known:
                found.append(("", part))
    return found


def _iter_part(package: Package, part: str) -> Iterator[etree._Element]:
    """Elements of a (possibly large) part as they finish, cleared after use."""
    data = package.read(part)
    if data is None:
        return
    if len(data) > package.xml_bytes_left:
        package.out.problem("the Excel workbook's parts together exceed the total size limit")
        package.out.truncated = True
        return
    package.xml_bytes_left -= len(data)
    events = etree.iterparse(
        io.BytesIO(data), events=("end",), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        for _, el in events:
            yield el
    except etree.XMLSyntaxError as exc:
        package.out.problem(f"a damaged part of the Excel workbook could not be read ({type(exc).__name__})")


def _sheet_extras(package: Package, part: str, out: Collector) -> None:
    """Strings in the sheet XML that the rendered cells may not show."""
    for el in _iter_part(package, part):
        name = local(el)
        if name in ("f", "formula1", "formula2", "formula"):
            for match in _FORMULA_LITERAL.finditer(el.text or ""):
                out.add_unique(match.group(1).replace('""', '"'))
        elif name == "is":
            out.add_unique("".join(t.text or "" for t in el.iter() if local(t) == "t"))
        elif name == "c":
            if el.get("t") == "str":
                value = next((c.text for c in el if local(c) == "v"), None)
                if value:
                    out.add_unique(value)
            el.clear()
        elif name in _HEADER_FOOTER:
            out.add_unique(" ".join(_HEADER_CODE.sub(" ", el.text or "").split()))
        elif name == "row":
            el.clear()


def _comments(package: Package, sheet_part: str, title: str, out: Collector) -> set[str]:
    """Comments on one sheet, labelled with their cell; returns the comments parts read."""
    where = f"{title}!" if title else ""
    read: set[str] = set()
    for _, rel_type, target in package.rels(sheet_part):
        if not (rel_type.endswith("/comments") or rel_type.endswith("/threadedComment")):
            continue
        read.add(target.lower())
        root = package.xml(target)
        if root is None:
            continue
        for el in root.iter():
            if local(el) in ("comment", "threadedComment"):
                text = _comment_text(el)
                if text:
                    out.add_unique(f"Comment {where}{el.get('ref') or ''}: {text}")
    return read


def _comment_text(el: etree._Element) -> str:
    body = next((c for c in el if local(c) == "text"), None)
    if body is None:
        return ""
    texts = [t.text or "" for t in body.iter() if local(t) == "t"] if len(body) else [body.text or ""]
    return " ".join("".join(texts).split())


def _shared_strings(package: Package, out: Collector) -> None:
    names = [n for n in package.names() if posixpath.basename(n).lower().startswith("sharedstrings")]
    for name in names:
        for el in _iter_part(package, name):
            if local(el) != "si":
                continue
            # Phonetic runs (rPh) are a reading aid, not part of the shown string.
            text = "".join(
                t.text or "" for t in el.iter() if local(t) == "t" and local(t.getparent()) != "rPh"
            )
            out.add_unique(text)
            el.clear()


def _drawings_and_charts(package: Package, comment_parts: set[str], out: Collector) -> None:
    """Text boxes and shapes on sheets, comments parts no sheet points at, chart and SmartArt text."""
    for name in package.names():
        lower = name.lower()
        if not lower.endswith(".xml"):
            continue
        base = posixpath.basename(lower)
        if base.startswith(("comments", "threadedcomment")) and lower not in comment_parts:
            root = package.xml(name)  # a comments part no sheet points at
            if root is not None:
                for el in root.iter():
                    if local(el) in ("comment", "threadedComment"):
                        text = _comment_text(el)
                        if text:
                            out.add_unique(f"Comment {el.get('ref') or ''}: {text}")
        elif lower.startswith("xl/drawings/") and "/_rels/" not in lower:
            root = package.xml(name)
            if root is not None:
                for line in drawing_lines(root):
                    out.add_unique(line)
    package.graphics_text()


def _caches(package: Package, out: Collector) -> None:
    """Pivot caches and external-link caches: copies of data that may be nowhere else in the file."""
    for name in package.names():
        lower = name.lower()
        if lower.startswith("xl/pivotcache/") and lower.endswith(".xml") and "/_rels/" not in lower:
            for el in _iter_part(package, name):
                if local(el) == "s" and el.get("v"):
                    out.add_unique(el.get("v") or "")
                elif local(el) == "cacheField" and el.get("name"):
                    out.add_unique(el.get("name") or "")
                elif local(el) == "r":
                    el.clear()
        elif lower.startswith("xl/externallinks/") and lower.endswith(".xml") and "/_rels/" not in lower:
            for el in _iter_part(package, name):
                if local(el) == "cell" and el.get("t") == "str":
                    out.add_unique(next((c.text or "" for c in el if local(c) == "v"), ""))
