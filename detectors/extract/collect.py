"""What every document reader fills in as it goes: text lines kept within the
text limit, files found inside (each within the attachment size limit, all of
them within the total limit) and the reasons for parts it could not read.

Reasons never carry document content or names taken from the document (file
names inside a package are the sender's words): they are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from detectors.extract.content import DocumentContent
from detectors.extract.limits import ExtractionLimits


class Collector:
    def __init__(self, limits: ExtractionLimits) -> None:
        self.limits = limits
        self.lines: list[str] = []
        self.size = 0
        self.truncated = False
        self.embedded: list[tuple[str, bytes]] = []
        self.embedded_bytes = 0
        self.problems: list[str] = []
        self.ocr_pages: list[int] = []
        self._seen: set[str] = set()
        self._flat: str | None = None

    def add(self, text: str) -> None:
        """One line or block of text; blank ones are dropped."""
        if not text or not text.strip():
            return
        if self.size + len(text) > self.limits.max_text_chars:
            room = self.limits.max_text_chars - self.size
            if room > 0:
                self.lines.append(text[:room])
                self.size += room
                self._flat = None
            self.truncated = True
            return
        self._flat = None
        self.lines.append(text)
        self.size += len(text) + 1

    def add_unique(self, text: str) -> None:
        """Text that may repeat what was already read (a shared string, a cached chart label): added once."""
        key = " ".join(text.split())
        if not key or key in self._seen:
            return
        self._seen.add(key)
        self.add(text)

    def contains(self, text: str) -> bool:
        """Whether ``text`` (whitespace aside) is already in what was read."""
        key = " ".join(text.split())
        if self._flat is None:
            self._flat = " ".join(" ".join(self.lines).split())
        return key in self._flat

    def mark_seen(self, text: str) -> None:
        key = " ".join(text.split())
        if key:
            self._seen.add(key)

    def problem(self, reason: str) -> None:
        if reason not in self.problems:
            self.problems.append(reason)

    def room_for_embedded(self, size: int) -> bool:
        """Whether one more embedded file of ``size`` bytes may be kept; records why not."""
        if len(self.embedded) >= self.limits.max_archive_members:
            self.problem(f"more than {self.limits.max_archive_members} files embedded in the document")
            return False
        if size > self.limits.max_attachment_bytes:
            self.problem(f"an embedded file is larger than {self.limits.max_attachment_bytes} bytes")
            return False
        if self.embedded_bytes + size > self.limits.max_total_bytes:
            self.problem("embedded files exceed the total size limit")
            return False
        return True

    def embed(self, name: str, data: bytes) -> None:
        if not self.room_for_embedded(len(data)):
            return
        self.embedded.append((name, data))
        self.embedded_bytes += len(data)

    def content(self) -> DocumentContent:
        return DocumentContent(
            text="\n".join(self.lines),
            truncated=self.truncated,
            embedded=self.embedded,
            problems=self.problems,
            ocr_pages=self.ocr_pages,
        )


@contextmanager
def library_logs_kept(name: str) -> Iterator[list[logging.LogRecord]]:
    """While a parser reads, its log records are kept here instead of reaching the gateway's logs:
    parsers quote the bytes they choke on (pypdf, tnefparse), and those bytes are personal data.
    The scan runs one document at a time per worker process, so this scope is the read's alone."""
    records: list[logging.LogRecord] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if len(records) < 1000:
                records.append(record)

    logger = logging.getLogger(name)
    handler = _Keep(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
