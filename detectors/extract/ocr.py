"""OCR of scanned documents: text from images (PNG, JPEG, GIF, TIFF, ...) and image-only PDF pages.

Why: staff attach referral forms scanned to PNG/JPEG or to a PDF with no text
layer. Without OCR such an attachment yields no text, and no text would read as
"clean" -- a leak. This module turns those pixels into text for the detectors,
or raises ``UnreadableDocument`` with a reason, so that the caller reports
CANNOT_INSPECT instead of clean. It never returns "" for a document it did not
actually read.

Bounds (``ExtractionLimits``): each image or rendered page is refused when over
``max_ocr_pixels`` -- checked from the file header before any pixel is decoded
(Pillow's own decompression-bomb guard is handled, never leaked as a warning);
each Tesseract run is killed after ``ocr_timeout_seconds``; at most
``max_ocr_images`` frames or pages are OCR'd per call. A call reads several
frames or pages, so the caller passes what is left of the per-message budgets:
``max_frames`` / ``max_pages`` (runs) and ``time_budget`` (seconds, wall clock,
for the whole call: each run's time-out is cut to what is left of it).
``limits.ocr_enabled = False`` makes every call raise (CANNOT_INSPECT).

Engine: Debian's ``tesseract-ocr`` + ``tesseract-ocr-eng``, called through
pytesseract. Nothing is downloaded at run time. When Tesseract or its English
data is missing, every call raises ``UnreadableDocument(NOT_AVAILABLE)``.
pytesseract hands the image to Tesseract through a temporary file (in
``TMPDIR``), deleted after each run. Tesseract is built with OpenMP; on a host
running one scanning worker per core set ``OMP_THREAD_LIMIT=1`` in the workers'
environment so each OCR run stays on one core.

Reasons in ``UnreadableDocument`` never contain recognised text: reasons are
logged, and the text is personal data.

Choices:
- Multi-frame images (multi-page TIFF scans, animated GIF/PNG/WebP): every frame
  is OCR'd, up to the frame budget; an image with more frames than that is
  refused as a whole (a fax-style TIFF must not be passed as "read" after page 1).
- Images are flattened to 8-bit grayscale: palette and alpha composited on
  white, CMYK/YCbCr/LAB via RGB, 16-bit and float stretched to 0..255 (Pillow's
  plain conversion clips everything over 255 to white: grey ink vanishes), EXIF
  orientation applied (phone photos).
- Small text is upscaled x2 (bicubic, within the pixel limit) when the median
  text-line height, estimated from the row ink profile, is under 12 px.
  Measured on synthetic referral text (share of names, dates of birth and NHS
  numbers read, 8-40 px fonts, clean and blurred+noisy JPEG): upscaling took
  8/10/12 px clean text from 0.22/0.89/0.94 to 0.94/1.00/1.00 and 10/12 px
  degraded text from 0.39/0.67 to 0.67/0.89; upscaling text of normal size
  gained nothing and costs 4x the pixels. Over the 16 cases: never 0.81,
  conditional 0.90, always 0.91 at ~1.5x the time (x3 instead of x2: worse).
  No binarisation or denoising: Tesseract binarises itself, and both are easy
  to get wrong on photos.
- PDF pages are rendered with pypdfium2 in grayscale at 300 dpi, or lower when
  300 dpi would cross ``max_ocr_pixels`` (an A4 page at 300 dpi is 8.7 MP).
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import re
import statistics
import struct
import time
import warnings
from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PIL import Image, ImageOps, UnidentifiedImageError

from detectors.extract.documents import UnreadableDocument
from detectors.extract.limits import ExtractionLimits

if TYPE_CHECKING:
    from pypdfium2 import PdfDocument

NOT_AVAILABLE = "OCR is not available (install tesseract-ocr)"
TIMED_OUT = "OCR timed out"
SWITCHED_OFF = "OCR is switched off ([limits] ocr)"
MIN_RUN_SECONDS = 0.5  # a page is not started with less of the time budget left
LANG = "eng"
PDF_DPI = 300
MIN_LINE_HEIGHT = 12  # px; text lines lower than this are upscaled before OCR ...
UPSCALE = 2.0  # ... by this factor (x3 measured slightly worse)

__all__ = ["NOT_AVAILABLE", "SWITCHED_OFF", "TIMED_OUT", "available", "image_size", "image_text", "pdf_pages_text"]


@functools.cache
def available() -> bool:
    """Whether Tesseract and its English data can run here (checked once per process; ``available.cache_clear()``)."""
    import pytesseract

    try:
        pytesseract.get_tesseract_version()
        return LANG in pytesseract.get_languages()
    except (Exception, SystemExit):  # not found (OSError), broken install, or pytesseract's SystemExit on a bad version
        return False


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the image header without decoding pixels; None if not an image Pillow knows
    (or one so large that Pillow refuses even to open it)."""
    try:
        with _open(data) as im:
            return im.size
    except UnreadableDocument:
        return None


def image_text(data: bytes, limits: ExtractionLimits, *, max_frames: int | None = None,
               time_budget: float | None = None) -> str:
    """OCR text of an image file.

    Every frame is read (multi-page TIFF, animated GIF/PNG/WebP), at most
    ``max_frames`` (default ``limits.max_ocr_images``) of them.

    Raises ``UnreadableDocument`` when OCR is off or not available, the bytes
    are not a readable image, any frame is over ``limits.max_ocr_pixels``
    (checked before decoding), there are more frames than allowed, Tesseract
    fails, or a run takes longer than ``limits.ocr_timeout_seconds`` or than
    what is left of ``time_budget`` ("OCR timed out").
    """
    _check_enabled(limits)
    deadline = None if time_budget is None else time.monotonic() + time_budget
    budget = limits.max_ocr_images if max_frames is None else max_frames
    texts: list[str] = []
    with _open(data) as im:
        frames = _frame_count(im)
        if frames > budget:
            raise UnreadableDocument(f"image has {frames} frames, more than the {budget} that may be OCR'd")
        for frame in _frames(im, frames, limits):
            run_limits = _run_limits(limits, deadline)
            if run_limits is None:
                raise UnreadableDocument(TIMED_OUT)
            texts.append(_ocr_upright(_prepare(frame, limits), run_limits, deadline))
    return "\n".join(texts)


def pdf_pages_text(data: bytes, pages: list[int], limits: ExtractionLimits, *,
                   max_pages: int | None = None, time_budget: float | None = None) -> tuple[str, list[int]]:
    """OCR text of the given 0-based PDF pages (those with no text layer).

    Returns ``(text, pages_not_read)``: the first ``max_pages`` (default
    ``limits.max_ocr_images``) of ``pages`` are OCR'd, in the order given;
    the rest are not and come back in ``pages_not_read``, as do the pages not
    started because ``time_budget`` was used up. A non-empty
    ``pages_not_read`` means the document was only partly read, and the caller
    must report it (never clean). Duplicate page numbers are read once.
    Chosen over raising so that the pages that were read still reach the
    detectors (a found NHS number is worth more than "partly read" alone).

    Raises ``UnreadableDocument`` when OCR is off or not available, the PDF
    cannot be opened (damaged, password-protected), a rendered page would be
    over the pixel limit even at low resolution, Tesseract fails or a page
    run is killed by its time-out ("OCR timed out"). Raises ``ValueError`` for
    a page number the document does not have (a caller bug).
    """
    _check_enabled(limits)
    deadline = None if time_budget is None else time.monotonic() + time_budget
    import pypdfium2 as pdfium

    budget = limits.max_ocr_images if max_pages is None else max_pages
    wanted = list(dict.fromkeys(pages))
    to_read, not_read = wanted[: max(budget, 0)], wanted[max(budget, 0):]
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = "password-protected PDF" if "password" in str(exc).lower() else "damaged PDF"
        raise UnreadableDocument(reason) from exc
    try:
        count = len(pdf)
        bad = [p for p in wanted if not 0 <= p < count]
        if bad:
            raise ValueError(f"PDF has {count} pages; no page {bad[0]}")
        texts: list[str] = []
        for position, index in enumerate(to_read):
            run_limits = _run_limits(limits, deadline)
            if run_limits is None:
                not_read = to_read[position:] + not_read
                break
            texts.append(_ocr_upright(_prepare(_render(pdf, index, limits), limits), run_limits, deadline))
    finally:
        pdf.close()
    return "\n".join(texts), not_read


def _check_enabled(limits: ExtractionLimits) -> None:
    if not limits.ocr_enabled:
        raise UnreadableDocument(SWITCHED_OFF)
    if not available():
        raise UnreadableDocument(NOT_AVAILABLE)


def _run_limits(limits: ExtractionLimits, deadline: float | None) -> ExtractionLimits | None:
    """Limits for the next run, its time-out cut to what is left before ``deadline``; None when too little is."""
    if deadline is None:
        return limits
    left = deadline - time.monotonic()
    if left < MIN_RUN_SECONDS:
        return None
    return dataclasses.replace(limits, ocr_timeout_seconds=min(limits.ocr_timeout_seconds, left))


# -- opening images ------------------------------------------------------------------


def _open(data: bytes) -> Image.Image:
    """Image.open (header only) with Pillow's decompression-bomb warning/error turned into our refusal.

    ``warnings.catch_warnings`` is process-global; scanning runs in single-threaded worker processes.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise UnreadableDocument("image too large to OCR (over Pillow's decompression-bomb limit)") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, EOFError, struct.error) as exc:
        raise UnreadableDocument("not a readable image") from exc


def _frame_count(im: Image.Image) -> int:
    try:
        return max(1, int(getattr(im, "n_frames", 1)))
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise UnreadableDocument("damaged image") from exc


def _frames(im: Image.Image, count: int, limits: ExtractionLimits) -> Iterator[Image.Image]:
    """Each frame decoded, after its header size is checked against the pixel limit."""
    for index in range(count):
        try:
            if index:
                im.seek(index)
            _check_pixels(im.size, limits)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                im.load()
            frame = ImageOps.exif_transpose(im)  # a copy, turned upright when EXIF says so (phone photos)
        except UnreadableDocument:
            raise
        except Image.DecompressionBombError as exc:
            raise UnreadableDocument("image too large to OCR (over Pillow's decompression-bomb limit)") from exc
        except (OSError, SyntaxError, ValueError, TypeError, EOFError, IndexError, struct.error) as exc:
            raise UnreadableDocument("damaged image") from exc
        yield frame


def _check_pixels(size: tuple[int, int], limits: ExtractionLimits) -> None:
    width, height = size
    if width * height > limits.max_ocr_pixels:
        raise UnreadableDocument(
            f"image of {width}x{height} pixels is over the OCR limit of {limits.max_ocr_pixels} pixels")
    if width < 1 or height < 1:
        raise UnreadableDocument("damaged image (empty)")


# -- preprocessing -------------------------------------------------------------------


def _grayscale(im: Image.Image) -> Image.Image:
    """8-bit grayscale, transparency composited on white, deep modes stretched rather than clipped."""
    mode = im.mode
    if mode == "L":
        return im
    if mode == "1":
        return im.convert("L")
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
    if mode in ("I", "F") or mode.startswith("I;"):
        return _stretch(im)
    if mode in ("RGBa", "La"):  # premultiplied alpha
        im = im.convert("RGBA" if mode == "RGBa" else "LA")
        mode = im.mode
    if mode in ("RGBA", "LA", "PA"):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    if mode != "RGB":
        im = im.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX
    return im.convert("L")


def _stretch(im: Image.Image) -> Image.Image:
    """16-bit / 32-bit / float grayscale to 8 bits by stretching its own range (12-bit scans stay visible)."""
    floats = im.convert("F")
    low, high = floats.getextrema()
    assert isinstance(low, (int, float)) and isinstance(high, (int, float))
    if high <= low:
        return Image.new("L", im.size, 255)
    scale = 255.0 / (high - low)
    return floats.point(lambda v: (v - low) * scale).convert("L")


def _line_height(gray: Image.Image) -> float | None:
    """Median height in px of the bands of rows holding ink (text lines); None when no clear lines."""
    ink = gray.point(lambda v: 255 if v < 128 else 0).convert("F")
    profile = array("f", ink.resize((1, gray.height), Image.Resampling.BOX).tobytes())
    if not profile:
        return None
    floor = max(profile) * 0.05
    runs: list[int] = []
    run = 0
    for value in profile:
        if value > floor:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    if run:
        runs.append(run)
    runs = [r for r in runs if r >= 3]  # ruling lines, specks
    if len(runs) < 2:
        return None
    return float(statistics.median(runs))


def _prepare(im: Image.Image, limits: ExtractionLimits) -> Image.Image:
    gray = _grayscale(im)
    height = _line_height(gray)
    if height is not None and height < MIN_LINE_HEIGHT:
        factor = min(UPSCALE, math.sqrt(limits.max_ocr_pixels / (gray.width * gray.height)))
        if factor >= 1.5:
            size = (round(gray.width * factor), round(gray.height * factor))
            gray = gray.resize(size, Image.Resampling.BICUBIC)
    return gray


# -- PDF pages -----------------------------------------------------------------------


def _render(pdf: PdfDocument, index: int, limits: ExtractionLimits) -> Image.Image:
    import pypdfium2 as pdfium

    try:
        page = pdf[index]
        try:
            width, height = page.get_size()  # points (1/72 in)
            if width <= 0 or height <= 0:
                raise UnreadableDocument("damaged PDF (empty page)")
            scale = min(PDF_DPI / 72, math.sqrt(limits.max_ocr_pixels / (width * height)))
            # rounding up of the bitmap size must not cross the limit either
            while scale > 0 and math.ceil(width * scale) * math.ceil(height * scale) > limits.max_ocr_pixels:
                scale *= 0.99
            if scale * 72 < 50:
                raise UnreadableDocument(f"PDF page {index + 1} is too large to OCR")
            bitmap = page.render(scale=scale, grayscale=True, fill_color=(255, 255, 255, 255))
            try:
                return bitmap.to_pil().copy()
            finally:
                bitmap.close()
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"damaged PDF (page {index + 1} could not be rendered)") from exc


# -- Tesseract -----------------------------------------------------------------------


_WORD = re.compile(r"[A-Za-z]{2,}")
_ROTATE = re.compile(r"Rotate:\s*(\d+)")
# Common words of English text and of forms: upside-down or sideways OCR output has almost none.
_COMMON = frozenset(
    """the and of to in for is on with at by from an this that be are was he she his her they their has have
    not or as it we you our your will can date name birth address school mother father child number phone
    please form referral family home no yes dob mum dad age post code tel email of""".split()
)
MIN_WORDS = 3  # fewer common words than this: the scan may be sideways or upside down


def _wordiness(text: str) -> int:
    return sum(1 for w in _WORD.findall(text) if w.lower() in _COMMON)


def _ocr_upright(im: Image.Image, limits: ExtractionLimits, deadline: float | None) -> str:
    """OCR, and when the result reads as noise, ask Tesseract's orientation detection and read it turned."""
    import pytesseract

    text = _ocr(im, limits)
    if _wordiness(text) >= MIN_WORDS:
        return text
    run_limits = _run_limits(limits, deadline)
    if run_limits is None:
        return text
    try:
        osd = pytesseract.image_to_osd(im, lang="osd", config="--psm 0", timeout=run_limits.ocr_timeout_seconds)
    except (pytesseract.TesseractError, RuntimeError):
        return text  # too little text to tell its orientation (a photo, a logo): keep what was read
    match = _ROTATE.search(str(osd))
    angle = int(match.group(1)) if match else 0
    run_limits = _run_limits(limits, deadline)
    if angle not in (90, 180, 270) or run_limits is None:
        return text
    turned = _ocr(im.rotate(-angle, expand=True), run_limits)  # Tesseract's angle is clockwise
    return turned if _wordiness(turned) > _wordiness(text) else text


def _ocr(im: Image.Image, limits: ExtractionLimits) -> str:
    import pytesseract

    try:
        text = pytesseract.image_to_string(im, lang=LANG, timeout=limits.ocr_timeout_seconds)
    except pytesseract.TesseractNotFoundError as exc:
        available.cache_clear()
        raise UnreadableDocument(NOT_AVAILABLE) from exc
    except pytesseract.TesseractError as exc:  # its message is Tesseract's stderr: not put in the reason
        raise UnreadableDocument(f"OCR failed (tesseract exit status {exc.status})") from exc
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise UnreadableDocument(TIMED_OUT) from exc
        raise UnreadableDocument("OCR failed") from exc
    return str(text)
