"""Word (.docx, .docm, .dotx) read from the package XML so that nothing hides.

python-docx's paragraphs miss most of what a sender can leave in a file: the
body is walked in document order including content controls (``w:sdt``, where
council forms keep their fields), tracked changes (the current text, and the
text as it was before the changes when they differ: deleted text stays in
the file), hidden text, text boxes (the ``mc:AlternateContent`` copies are
read once unless they differ), nested tables, alt text of pictures, then the
headers, footers, footnotes, endnotes, comments, document variables, custom
XML data and document properties. Tables go through ``render_table`` so each
value sits next to its column heading; a nested table stays in its cell.
Embedded files, pictures and imported chunks (``w:altChunk``) are handed back
for the caller to read in turn.
"""

from __future__ import annotations

import posixpath

from lxml import etree

from detectors.extract.collect import Collector
from detectors.extract.content import DocumentContent
from detectors.extract.documents import UnreadableDocument
from detectors.extract.limits import ExtractionLimits
from detectors.extract.ooxml import Package, alternate_branches, local
from detectors.extract.tables import render_table

# Elements that only carry formatting or settings: no text below them.
_PROPERTIES = frozenset({
    "pPr", "rPr", "tblPr", "trPr", "tcPr", "sectPr", "tblGrid", "sdtPr", "sdtEndPr", "tblPrEx",
    "rPrChange", "pPrChange", "tblPrChange", "trPrChange", "tcPrChange", "sectPrChange", "numberingChange",
})
_TEXT = frozenset({"t", "delText"})  # w:t, w:delText; also a:t (DrawingML) and m:t (equations)
# Order of the parts around the body: headers first, as a reader sees them.
_PART_ORDER = ("header", "", "footer", "footnotes", "endnotes", "comments")
_NOT_TEXT_PARTS = ("styles", "stylesWithEffects", "fontTable", "webSettings", "numbering", "people",
                   "commentsExtended", "commentsIds", "commentsExtensible")


def docx_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    out = Collector(limits)
    package = Package(data, limits, "Word", out)
    try:
        main = package.main_part("word/document.xml")
        body = package.xml(main, required=True)
        if body is None:
            raise UnreadableDocument("damaged Word document (main part unreadable)")
        folder = posixpath.dirname(main)
        rels = package.rels(main)
        chunks = [target for _, rel_type, target in rels if rel_type.endswith("/aFChunk")]
        parts = _other_parts(package, folder, main)
        walker = _Walker()
        for name in parts:
            if _part_rank(name) >= _part_rank(main):
                break
            _read_part(package, name, walker, out)
        for line in walker.blocks(body):
            out.add(line)
        for name in parts:
            if _part_rank(name) >= _part_rank(main):
                _read_part(package, name, walker, out)
        package.graphics_text()
        package.custom_xml()
        package.properties()
        package.embedded_files("", chunks)
    except RecursionError as exc:
        raise UnreadableDocument(f"damaged Word document ({type(exc).__name__})") from exc
    finally:
        package.close()
    return out.content()


def _part_rank(name: str) -> tuple[int, str]:
    base = posixpath.basename(name).lower()
    if base == "document.xml" and "/glossary/" not in name.lower():
        return (1, "")
    for rank, prefix in enumerate(_PART_ORDER):
        if prefix and base.startswith(prefix):
            return (rank, base)
    return (len(_PART_ORDER), name.lower())


def _other_parts(package: Package, folder: str, main: str) -> list[str]:
    """Every other XML part of the Word folder that can hold text, referenced or not (a part
    Word never shows still leaves with the file), plus the glossary (building blocks)."""
    prefix = f"{folder}/" if folder else ""
    names = package.parts_under(prefix) + package.parts_under(f"{prefix}glossary/")
    skip = {n.lower() for n in _NOT_TEXT_PARTS}
    chosen = [
        n for n in names
        if n.lower() != main.lower() and posixpath.basename(n)[: -len(".xml")].lower() not in skip
    ]
    return sorted(chosen, key=_part_rank)


def _read_part(package: Package, name: str, walker: _Walker, out: Collector) -> None:
    root = package.xml(name)
    if root is None:
        return
    if local(root) == "settings":
        # Document variables: mail-merge and template data, never shown on the page.
        for el in root.iter():
            if local(el) == "docVar":
                value = _attr(el, "val")
                if value.strip():
                    out.add(f"{_attr(el, 'name') or 'Variable'}: {value.strip()}")
        return
    for line in walker.blocks(root):
        out.add(line)


def _attr(el: etree._Element, name: str) -> str:
    """An attribute by local name, whatever its namespace (transitional or strict)."""
    for key, value in el.attrib.items():
        if key.rpartition("}")[2] == name:
            return str(value)
    return ""


def _int_val(el: etree._Element | None, default: int, most: int = 64) -> int:
    """An element's w:val as a number within [0, most]; ``default`` when absent or not a number."""
    if el is None:
        return default
    try:
        return max(0, min(int(_attr(el, "val")), most))
    except ValueError:
        return default


class _Walker:
    """Turns WordprocessingML into lines: one per paragraph, a rendered table as one block."""

    def blocks(self, el: etree._Element, in_cell: bool = False) -> list[str]:
        lines: list[str] = []
        for child in el:
            name = local(child)
            if not name or name in _PROPERTIES:
                continue
            if name == "p":
                lines.extend(self.paragraph(child))
            elif name == "tbl":
                lines.append(self.table(child, in_cell))
            elif name in _TEXT:
                lines.append(child.text or "")
            elif name == "AlternateContent":
                lines.extend(_distinct_branches([self.blocks(b, in_cell) for b in alternate_branches(child)]))
            else:
                # Content controls, custom XML, tracked insertions/deletions of whole paragraphs,
                # footnote/comment containers, text box content: look inside.
                lines.extend(self.blocks(child, in_cell))
        return [line for line in lines if line.strip()]

    def paragraph(self, p: etree._Element) -> list[str]:
        runs: list[tuple[str, str]] = []  # (text, "both" | "now" | "before")
        extras: list[str] = []
        self._inline(p, "both", runs, extras)
        now = "".join(t for t, when in runs if when != "before")
        before = "".join(t for t, when in runs if when != "now")
        lines = [now]
        if before != now and before.strip():
            lines.append(before)  # the paragraph before its tracked changes
        return lines + extras

    def _inline(self, el: etree._Element, when: str, runs: list[tuple[str, str]], extras: list[str]) -> None:
        for child in el:
            name = local(child)
            if not name or name in _PROPERTIES:
                continue
            if name in _TEXT:
                runs.append((child.text or "", when))
            elif name in ("tab", "ptab"):
                runs.append(("\t", when))
            elif name in ("br", "cr"):
                runs.append(("\n", when))
            elif name == "noBreakHyphen":
                runs.append(("-", when))
            elif name in ("del", "moveFrom"):
                self._inline(child, "before", runs, extras)
            elif name in ("ins", "moveTo"):
                self._inline(child, "now" if when == "both" else when, runs, extras)
            elif name == "txbxContent":
                extras.extend(self.blocks(child))
            elif name == "p":
                extras.extend(self.paragraph(child))
            elif name == "tbl":
                extras.append(self.table(child, in_cell=False))
            elif name in ("docPr", "cNvPr"):
                for attr in ("descr", "title"):
                    value = child.get(attr) or ""
                    if value.strip():
                        extras.append(value.strip())
            elif name == "AlternateContent":
                branches = []
                for branch in alternate_branches(child):
                    branch_runs: list[tuple[str, str]] = []
                    branch_extras: list[str] = []
                    self._inline(branch, when, branch_runs, branch_extras)
                    branches.append((branch_runs, branch_extras))
                kept = ""
                for branch_runs, branch_extras in branches:
                    # Fallback copies repeat the Choice (maybe with less in it): read a branch only for what is new.
                    key = " ".join(("".join(t for t, _ in branch_runs) + " " + " ".join(branch_extras)).split())
                    if key in kept:
                        continue
                    kept += " | " + key
                    runs.extend(branch_runs)
                    extras.extend(branch_extras)
            elif name == "checkBox":  # a legacy form checkbox: its state is an attribute, not text
                state = _child(child, "checked")
                state = state if state is not None else _child(child, "default")
                ticked = state is not None and _attr(state, "val").lower() not in ("0", "false", "off")
                runs.append(("\u2612 " if ticked else "\u2610 ", when))
            elif name in ("instrText", "delInstrText"):
                continue  # field codes (PAGE, MERGEFORMAT): their results are the runs that follow
            else:
                self._inline(child, when, runs, extras)

    def table(self, tbl: etree._Element, in_cell: bool) -> str:
        rows: list[list[str]] = []
        for tr in _children_named(tbl, "tr", stop="tbl"):
            trpr = next((c for c in tr if local(c) == "trPr"), None)
            cells: list[str] = [""] * _int_val(_child(trpr, "gridBefore"), 0)
            for tc in _children_named(tr, "tc", stop="tbl"):
                text = "\n".join(self.blocks(tc, in_cell=True))
                cells.append(text)
                span = _int_val(_child(_child(tc, "tcPr"), "gridSpan"), 1)
                cells.extend([""] * (span - 1))  # a merged cell keeps the columns after it aligned
            rows.append(cells)
        rendered = render_table(rows)
        return "; ".join(rendered.splitlines()) if in_cell else rendered


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    return next((c for c in el if local(c) == name), None)


def _children_named(el: etree._Element, name: str, stop: str) -> list[etree._Element]:
    """``name`` children, also those wrapped in content controls or custom XML; not inside ``stop``."""
    found = []
    for child in el:
        tag = local(child)
        if tag == name:
            found.append(child)
        elif tag and tag != stop and tag not in _PROPERTIES:
            if tag == "AlternateContent":
                branches = alternate_branches(child)
                if branches:
                    found.extend(_children_named(branches[0], name, stop))
            else:
                found.extend(_children_named(child, name, stop))
    return found


def _distinct_branches(branches: list[list[str]]) -> list[str]:
    """Lines of each AlternateContent branch, skipping a branch whose text is all in one already kept."""
    kept = ""
    lines: list[str] = []
    for branch in branches:
        key = " ".join(" ".join(branch).split())
        if key in kept:
            continue
        kept += " | " + key
        lines.extend(branch)
    return lines
