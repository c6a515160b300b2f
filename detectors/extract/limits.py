"""Bounds that stop one message (a zip bomb, a 200-page PDF) from stalling the gateway."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractionLimits:
    max_attachment_bytes: int = 20 * 1024 * 1024  # one decoded attachment
    max_total_bytes: int = 60 * 1024 * 1024  # everything unpacked from one message
    max_depth: int = 4  # attachments inside ZIPs/EMLs inside ...
    max_archive_members: int = 200
    max_compression_ratio: float = 100.0
    max_pdf_pages: int = 50
    max_sheet_cells: int = 200_000
    max_text_chars: int = 1_000_000  # text kept per piece


class LimitExceeded(Exception):
    """A part was not fully read because it crossed one of the limits."""
