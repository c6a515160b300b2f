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
    # OCR of scanned forms (images, image-only PDF pages): bounded so one scan cannot stall a worker.
    max_ocr_images: int = 10  # images and PDF pages OCR'd per message
    max_ocr_pixels: int = 25_000_000  # one image or rendered page (about A4 at 300 dpi is 8.7 M)
    ocr_timeout_seconds: float = 15.0  # one image or page
    ocr_budget_seconds: float = 20.0  # all OCR of one message: under the relay's scan time-out
    ocr_enabled: bool = True  # off: images and scanned pages are CANNOT_INSPECT


class LimitExceeded(Exception):
    """A part was not fully read because it crossed one of the limits."""
