"""PowerPoint (.pptx, .pptm, .ppsx, .potx) read from the package XML.

Each slide in presentation order (hidden slides too, then any slide part the
presentation does not list) with its speaker notes and comments (legacy and
modern), then text on masters and layouts not already read, chart and
SmartArt text, custom XML data and document properties. Tables are rendered
with ``render_table``; alt text of pictures is read. Embedded files and media
go back to the caller.
"""

from __future__ import annotations

from lxml import etree

from detectors.extract.collect import Collector
from detectors.extract.content import DocumentContent
from detectors.extract.documents import UnreadableDocument
from detectors.extract.limits import ExtractionLimits
from detectors.extract.ooxml import Package, drawing_lines, local

_RELATED = ("/notesSlide", "/comments")  # read right after their slide


def pptx_content(data: bytes, limits: ExtractionLimits) -> DocumentContent:
    out = Collector(limits)
    package = Package(data, limits, "PowerPoint", out)
    try:
        main = package.main_part("ppt/presentation.xml")
        presentation = package.xml(main, required=True)
        if presentation is None:
            raise UnreadableDocument("damaged PowerPoint document (main part unreadable)")
        done: set[str] = set()
        for number, slide in enumerate(_slides(package, main, presentation), start=1):
            out.add(f"Slide {number}")
            _read(package, slide, out, done)
            for _, rel_type, target in package.rels(slide):
                if rel_type.endswith(_RELATED):
                    _read(package, target, out, done)
        # Notes and comments no slide points at, then masters and layouts (their text repeats: once each).
        for folder in ("ppt/notesSlides/", "ppt/comments/", "ppt/slideMasters/", "ppt/slideLayouts/",
                       "ppt/notesMasters/", "ppt/handoutMasters/"):
            for part in package.parts_under(folder):
                _read(package, part, out, done, unique=True)
        package.graphics_text()
        package.custom_xml()
        package.properties()
        package.embedded_files("")
    except RecursionError as exc:
        raise UnreadableDocument(f"damaged PowerPoint document ({type(exc).__name__})") from exc
    finally:
        package.close()
    return out.content()


def _slides(package: Package, main: str, presentation: etree._Element) -> list[str]:
    """Slide parts in the order the presentation lists them, then slide parts it does not list."""
    targets = {rid: target for rid, _, target in package.rels(main)}
    listed: list[str] = []
    for el in presentation.iter():
        if local(el) == "sldId":
            rid = next((v for k, v in el.attrib.items() if k.rpartition("}")[2] == "id" and k.startswith("{")), "")
            if rid in targets and package.has(targets[rid]) and targets[rid] not in listed:
                listed.append(targets[rid])
    known = {s.lower() for s in listed}
    return listed + [s for s in package.parts_under("ppt/slides/") if s.lower() not in known]


def _read(package: Package, part: str, out: Collector, done: set[str], unique: bool = False) -> None:
    if part.lower() in done:
        return
    done.add(part.lower())
    root = package.xml(part)
    if root is None:
        return
    for line in drawing_lines(root):
        if unique:
            out.add_unique(line)
        else:
            out.mark_seen(line)
            out.add(line)
