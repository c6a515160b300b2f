"""What a document reader hands back: the text it read, the files it found
inside (to be read in their turn) and the parts it could not read.

A reader never decides that something unread is clean: every part it skips
goes into ``problems`` with a reason a person can act on, and becomes a
CANNOT_INSPECT finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DocumentContent:
    text: str = ""
    truncated: bool = False  # only partly read: over a size limit
    embedded: list[tuple[str, bytes]] = field(default_factory=list)  # (name, bytes) of files inside
    problems: list[str] = field(default_factory=list)  # reasons for parts that were not read
    ocr_pages: list[int] = field(default_factory=list)  # PDF pages (0-based) with no text layer: OCR them
