"""Office Open XML packages (.docx, .xlsx, .pptx) opened defensively.

The ZIP container is checked (an OLE file is a password-protected or legacy
document), each part is read within the size limits (the declared size is a
real bound: ``zipfile`` stops there and fails the CRC check), XML is parsed
without entities, DTDs or network access, and relationships are resolved so
the readers can follow them. Also here, because all three formats share them:
the files embedded in the package, document properties and custom XML data.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable
from urllib.parse import unquote

from lxml import etree

from detectors.extract.collect import Collector
from detectors.extract.documents import OLE_MAGIC, UnreadableDocument
from detectors.extract.limits import ExtractionLimits

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
STRICT_DRAWING_NS = "http://purl.oclc.org/ooxml/drawingml/main"
OFFICE_DOCUMENT_REL = "/officeDocument"  # relationship types end so in transitional and strict

# Zip read errors a damaged or hostile container raises.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError, EOFError, ValueError,
              IndexError)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

# Folders whose files are documents or pictures of their own, read by the caller in turn.
EMBEDDED_FOLDERS = ("embeddings/", "media/")


def parse_xml(data: bytes) -> etree._Element:
    """XML from an untrusted file: no entity expansion, no DTD, no network, libxml2's depth and size caps."""
    root = etree.fromstring(data, _PARSER)
    if root is None:
        raise etree.XMLSyntaxError("empty document", 0, 0, 0)  # type: ignore[call-arg]
    return root


def local(el: etree._Element) -> str:
    """Local name of an element (namespace dropped); '' for comments and processing instructions."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def drawing_text_namespace(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and el.tag.startswith(("{" + DRAWING_NS, "{" + STRICT_DRAWING_NS))


def alternate_branches(el: etree._Element) -> list[etree._Element]:
    """The branches of an ``mc:AlternateContent`` (Choice first, then Fallback)."""
    return [child for child in el if local(child) in ("Choice", "Fallback")]


class Package:
    """An OOXML ZIP package: bounded part reads and relationships; problems go to the collector."""

    def __init__(self, data: bytes, limits: ExtractionLimits, kind: str, out: Collector) -> None:
        self.kind = kind
        self.limits = limits
        self.out = out
        if data.startswith(OLE_MAGIC):
            raise UnreadableDocument(f"password-protected or legacy {kind} document")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except ZIP_ERRORS as exc:
            raise UnreadableDocument(f"damaged {kind} document (not a ZIP container)") from exc
        # Part names are case-insensitive in OPC. (ZipInfo.is_dir fails on an empty name: a damaged entry.)
        self.infos = {i.filename.lower(): i for i in self.zip.infolist() if i.filename and not i.filename.endswith("/")}
        self.xml_bytes_left = limits.max_total_bytes
        self._rels: dict[str, list[tuple[str, str, str]]] = {}

    def refuse_oversized_parts(self, streamed: tuple[str, ...]) -> None:
        """For a library that reads parts whole without limits (openpyxl): the parts it reads whole,
        together, must fit the total size limit. ``streamed`` folders are read piece by piece."""
        total = sum(
            i.file_size for key, i in self.infos.items()
            if key.endswith((".xml", ".rels")) and not key.startswith(streamed)
        )
        if total > self.limits.max_total_bytes:
            raise UnreadableDocument(f"{self.kind} document unpacks to more than the total size limit")

    def close(self) -> None:
        self.zip.close()

    def names(self) -> list[str]:
        return [i.filename for i in self.infos.values()]

    def has(self, name: str) -> bool:
        return name.lower() in self.infos

    def read(self, name: str, limit: int | None = None) -> bytes | None:
        """A part's bytes, or None (missing, over the limits or damaged: the problem is recorded)."""
        info = self.infos.get(name.lower())
        if info is None:
            return None
        if info.flag_bits & 0x1:
            self.out.problem(f"an encrypted part of the {self.kind} document could not be read")
            return None
        limit = self.limits.max_total_bytes if limit is None else limit
        if info.file_size > limit:
            self.out.problem(f"a part of the {self.kind} document is larger than {limit} bytes")
            self.out.truncated = True
            return None
        try:
            with self.zip.open(info) as handle:
                return handle.read(limit + 1)[:limit]
        except ZIP_ERRORS as exc:
            self.out.problem(f"a damaged part of the {self.kind} document could not be read ({type(exc).__name__})")
            return None

    def xml(self, name: str, required: bool = False) -> etree._Element | None:
        """A part parsed as XML. A damaged required part (the main document) makes the whole file unreadable."""
        info = self.infos.get(name.lower())
        if info is None:
            if required:
                raise UnreadableDocument(f"damaged {self.kind} document (main part missing)")
            return None
        if required and info.file_size > min(self.xml_bytes_left, self.limits.max_total_bytes):
            raise UnreadableDocument(f"{self.kind} document unpacks to more than the total size limit")
        if info.file_size > self.xml_bytes_left:
            self.out.problem(f"the {self.kind} document's parts together exceed the total size limit")
            self.out.truncated = True
            return None
        data = self.read(name)
        if data is None:
            if required:
                raise UnreadableDocument(f"damaged {self.kind} document (main part unreadable)")
            return None
        self.xml_bytes_left -= len(data)
        try:
            return parse_xml(data)
        except (etree.XMLSyntaxError, ValueError) as exc:
            if required:
                raise UnreadableDocument(f"damaged {self.kind} document ({type(exc).__name__})") from exc
            self.out.problem(f"a damaged part of the {self.kind} document could not be read ({type(exc).__name__})")
            return None

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target part name) for each internal relationship of ``part`` ('' for the package)."""
        if part in self._rels:
            return self._rels[part]
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        root = self.xml(rels_name)
        out: list[tuple[str, str, str]] = []
        self._rels[part] = out
        if root is None:
            return out
        for rel in root:
            if local(rel) != "Relationship" or rel.get("TargetMode") == "External":
                continue
            target = unquote(rel.get("Target") or "")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            out.append((rel.get("Id") or "", rel.get("Type") or "", resolved))
        return out

    def main_part(self, default: str) -> str:
        for _, rel_type, target in self.rels(""):
            if rel_type.endswith(OFFICE_DOCUMENT_REL) and self.has(target):
                return target
        return default

    def parts_under(self, folder: str, suffix: str = ".xml") -> list[str]:
        """Parts in ``folder`` (not in its subfolders) in natural order: slide2 before slide10."""
        folder = folder.lower()
        found = [
            i.filename
            for key, i in self.infos.items()
            if key.startswith(folder) and "/" not in key[len(folder):] and key.endswith(suffix)
        ]
        return sorted(found, key=natural_key)

    def embedded_files(self, root_folder: str, extra: Iterable[str] | None = None) -> None:
        """Files in ``<root_folder>/embeddings`` and ``/media`` (and any ``extra`` part names) to the collector."""
        wanted = [
            i.filename
            for key, i in self.infos.items()
            if key.startswith(root_folder.lower()) and any(f"/{folder}" in key for folder in EMBEDDED_FOLDERS)
        ]
        for name in extra or ():
            if self.has(name) and name not in wanted:
                wanted.append(name)
        for name in sorted(wanted, key=natural_key):
            info = self.infos[name.lower()]
            if not self.out.room_for_embedded(info.file_size):
                continue
            data = self.read(name, self.limits.max_attachment_bytes)
            if data is not None:
                self.out.embed(name, data)

    def properties(self) -> None:
        """Title, subject, keywords, description and custom properties: people type names there too.

        The author and last-modified-by are staff, not the subject of the document, and are left out.
        """
        core = self.xml("docProps/core.xml")
        if core is not None:
            for el in core:
                value = (el.text or "").strip()
                if value and local(el) in ("title", "subject", "description", "keywords", "category"):
                    self.out.add(f"{local(el).capitalize()}: {value}")
        custom = self.xml("docProps/custom.xml")
        if custom is not None:
            for prop in custom:
                value = " ".join(t.strip() for t in prop.itertext() if t.strip())
                if value:
                    self.out.add(f"{prop.get('name') or 'Property'}: {value}")

    def custom_xml(self) -> None:
        """Data in ``customXml/item*.xml`` (content controls bound to it, SharePoint fields), lines not read yet."""
        for name in self.parts_under("customXml/"):
            base = posixpath.basename(name).lower()
            if not base.startswith("item") or base.startswith("itemprops"):
                continue
            root = self.xml(name)
            if root is None:
                continue
            for el in root.iter():
                value = (el.text or "").strip() if isinstance(el.tag, str) and len(el) == 0 else ""
                if value and not self.out.contains(value):
                    self.out.add_unique(f"{local(el)}: {value}")


    def graphics_text(self) -> None:
        """Chart titles and cached labels (``*/charts/``) and SmartArt text (``*/diagrams/data*.xml``:
        SmartArt keeps its text there, not in the page that shows it), each line once."""
        for name in self.names():
            lower = name.lower()
            if "/_rels/" in lower or not lower.endswith(".xml"):
                continue
            if "/charts/" in lower or ("/diagrams/" in lower and posixpath.basename(lower).startswith("data")):
                root = self.xml(name)
                if root is None:
                    continue
                for line in drawing_lines(root):
                    self.out.add_unique(line)
                for el in root.iter():
                    if local(el) == "v" and _inside(el, _STRING_CACHES):
                        self.out.add_unique(el.text or "")


def drawing_lines(el: etree._Element) -> list[str]:
    """DrawingML text (shapes, text boxes, tables, charts, SmartArt) as lines: one per paragraph,
    a table rendered as one block, alt text of pictures; AlternateContent copies read once."""
    from detectors.extract.tables import render_table

    lines: list[str] = []
    for child in el:
        name = local(child)
        if not name:
            continue
        if name == "p" and drawing_text_namespace(child):
            lines.append(_drawing_paragraph(child))
        elif name == "tbl" and drawing_text_namespace(child):
            rows = [
                [" ".join(drawing_lines(tc)) for tc in tr if local(tc) == "tc"]
                for tr in child if local(tr) == "tr"
            ]
            lines.append(render_table(rows))
        elif name == "AlternateContent":
            kept = ""
            for branch in alternate_branches(child):
                branch_lines = drawing_lines(branch)
                key = " ".join(" ".join(branch_lines).split())
                if key not in kept:
                    kept += " | " + key
                    lines.extend(branch_lines)
        elif name in ("cNvPr", "docPr"):
            lines.extend(v.strip() for v in (child.get("descr") or "", child.get("title") or "") if v.strip())
        elif name == "text" and len(child) == 0:
            lines.append(child.text or "")  # a legacy PowerPoint comment (p:text)
        else:
            lines.extend(drawing_lines(child))
    return [line for line in lines if line.strip()]


def _drawing_paragraph(p: etree._Element) -> str:
    parts = []
    for el in p.iter():
        name = local(el)
        if name == "t":
            parts.append(el.text or "")
        elif name == "br":
            parts.append("\n")
    return "".join(parts)


_STRING_CACHES = frozenset({"strCache", "strLit", "multiLvlStrCache"})


def _inside(el: etree._Element, names: frozenset[str], levels: int = 4) -> bool:
    parent = el.getparent()
    while parent is not None and levels:
        if local(parent) in names:
            return True
        parent = parent.getparent()
        levels -= 1
    return False


def natural_key(name: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name))
