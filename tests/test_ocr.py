"""OCR of scanned referral forms (detectors/extract/ocr.py): text comes out, limits hold, failures are
UnreadableDocument (CANNOT_INSPECT), never silent "". Needs Debian's tesseract-ocr + tesseract-ocr-eng.

All people are made up (Faker en_GB, fixed seeds); the NHS-number-like groups are random digits.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytesseract
import pytest
from faker import Faker
from PIL import Image, ImageDraw, ImageFile, ImageFont

from detectors.extract import ocr
from detectors.extract.documents import UnreadableDocument
from detectors.extract.limits import ExtractionLimits

LIMITS = ExtractionLimits()
FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# .ci/run installs Tesseract and sets DLP_REQUIRE_TESSERACT: there a missing OCR engine fails instead.
pytestmark = pytest.mark.skipif(not ocr.available() and not os.environ.get("DLP_REQUIRE_TESSERACT"),
                                reason="tesseract-ocr with English data is not installed")


@pytest.fixture(autouse=True)
def _fresh_availability() -> Iterator[None]:
    ocr.available.cache_clear()
    yield
    ocr.available.cache_clear()


@dataclass
class Referral:
    name: str
    dob: str
    nhs: str

    def lines(self) -> list[str]:
        return ["CHILDREN'S SERVICES REFERRAL", f"Child: {self.name}", f"Date of birth: {self.dob}",
                f"NHS number: {self.nhs}", "Reason: concerns raised by school"]


def referral(seed: int) -> Referral:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    while True:
        name = f"{fake.first_name()} {fake.last_name()}"
        if name.replace(" ", "").isalpha():  # no O'Brien / Smith-Jones: OCR punctuation is not what is tested
            break
    return Referral(name, fake.date_of_birth(minimum_age=1, maximum_age=17).strftime("%d/%m/%Y"),
                    fake.numerify("### ### ####"))


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if FONT_FILE.exists():
        return ImageFont.truetype(str(FONT_FILE), size)
    return ImageFont.load_default(size=size)


def render(lines: list[str], size: int = 32, margin: int = 40) -> Image.Image:
    """Black text on a white 8-bit grayscale page."""
    face = font(size)
    width = max(int(face.getlength(line)) for line in lines) + 2 * margin
    step = int(size * 1.6)
    page = Image.new("L", (width, 2 * margin + step * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, fill=0, font=face)
    return page


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def squash(text: str) -> str:
    return "".join(text.split())


def assert_read(text: str, person: Referral) -> None:
    flat = squash(text)
    assert squash(person.name) in flat
    assert squash(person.nhs) in flat
    assert person.dob in flat


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height (8-bit gray) followed by a token IDAT: no real pixel data."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any pixel data is decoded or Tesseract is started."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pixels were decoded / OCR was run")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(pytesseract, "image_to_string", refuse)


# -- text comes out ------------------------------------------------------------------


def test_png_scan_is_read() -> None:
    person = referral(1)
    assert_read(ocr.image_text(encode(render(person.lines()), "PNG"), LIMITS), person)


def test_jpeg_scan_is_read() -> None:
    person = referral(2)
    data = encode(render(person.lines()).convert("RGB"), "JPEG", quality=75)
    assert_read(ocr.image_text(data, LIMITS), person)


def test_image_only_pdf_is_read() -> None:
    person = referral(3)
    page = render(person.lines()).convert("RGB")
    data = encode(page, "PDF", resolution=150.0)
    text, not_read = ocr.pdf_pages_text(data, [0], LIMITS)
    assert not_read == []
    assert_read(text, person)


def test_reportlab_image_only_pdf_reads_requested_pages_only() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    people = [referral(10 + i) for i in range(3)]
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for person in people:
        scan = render(person.lines(), size=40)
        width = A4[0] - 72
        pdf.drawImage(ImageReader(scan.convert("RGB")), 36, A4[1] - 36 - width * scan.height / scan.width,
                      width=width, height=width * scan.height / scan.width)
        pdf.showPage()
    pdf.save()
    text, not_read = ocr.pdf_pages_text(out.getvalue(), [2, 0, 1], ExtractionLimits(max_ocr_images=2))
    assert not_read == [1]  # over the budget: the caller must report "partly read"
    assert_read(text, people[2])
    assert_read(text, people[0])
    assert squash(people[1].name) not in squash(text)


def test_pdf_budget_can_come_from_the_caller() -> None:
    data = encode(Image.new("RGB", (200, 200), "white"), "PDF")
    assert ocr.pdf_pages_text(data, [0, 0], LIMITS, max_pages=0) == ("", [0])
    assert ocr.pdf_pages_text(data, [], LIMITS) == ("", [])


def test_every_frame_of_a_multipage_tiff_is_read() -> None:
    first, second = referral(20), referral(21)
    frames = [render(first.lines()), render(second.lines())]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    text = ocr.image_text(data, LIMITS)
    assert_read(text, first)
    assert_read(text, second)
    with pytest.raises(UnreadableDocument, match="2 frames"):
        ocr.image_text(data, LIMITS, max_frames=1)


@pytest.mark.parametrize("mode", ["RGBA", "P", "I;16", "CMYK"])
def test_image_modes_are_converted_sensibly(mode: str) -> None:
    person = referral(30)
    page = render(person.lines())
    if mode == "RGBA":  # black text on a transparent background: must land on white, not black
        image = Image.new("RGBA", page.size, (0, 0, 0, 0))
        image.putalpha(page.point(lambda v: 255 - v))
        data = encode(image, "PNG")
    elif mode == "P":
        data = encode(page.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=16), "GIF")
    elif mode == "I;16":  # 16-bit scan, dark-grey ink: a plain convert("L") clips everything over 255 to white
        scan = page.point(lambda v: 40 + v * 215 // 255).convert("I").point(lambda v: v * 256)
        data = encode(scan.convert("I;16"), "PNG")
        assert Image.open(io.BytesIO(data)).mode.startswith("I")
    else:
        data = encode(page.convert("CMYK"), "JPEG", quality=90)
    assert_read(ocr.image_text(data, LIMITS), person)


def test_phone_photo_exif_orientation_is_applied() -> None:
    person = referral(40)
    upright = render(person.lines()).convert("RGB")
    stored = upright.rotate(90, expand=True)  # the camera stored it on its side ...
    exif = Image.Exif()
    exif[0x0112] = 6  # ... and says "rotate 90 degrees clockwise to view"
    assert_read(ocr.image_text(encode(stored, "JPEG", quality=85, exif=exif.tobytes()), LIMITS), person)


def test_small_text_is_upscaled_and_read() -> None:
    person = referral(50)
    small = render(person.lines(), size=10, margin=10)
    assert ocr._prepare(small, LIMITS).size == (small.width * 2, small.height * 2)
    normal = render(person.lines(), size=32)
    assert ocr._prepare(normal, LIMITS).size == normal.size
    assert_read(ocr.image_text(encode(small, "PNG"), LIMITS), person)


def test_pdf_page_is_rendered_under_the_pixel_limit() -> None:
    import pypdfium2 as pdfium

    a4_points = (595, 842)
    data = encode(Image.new("RGB", a4_points, "white"), "PDF", resolution=72.0)
    pdf = pdfium.PdfDocument(data)
    try:
        at_300_dpi = ocr._render(pdf, 0, LIMITS)
        assert at_300_dpi.mode == "L"
        assert at_300_dpi.size[0] == pytest.approx(595 * 300 / 72, abs=2)
        small = ocr._render(pdf, 0, ExtractionLimits(max_ocr_pixels=2_000_000))
        assert small.width * small.height <= 2_000_000
        assert small.width * small.height > 1_900_000
        with pytest.raises(UnreadableDocument, match="too large"):
            ocr._render(pdf, 0, ExtractionLimits(max_ocr_pixels=10_000))  # would be under 50 dpi
    finally:
        pdf.close()


# -- limits and failures -------------------------------------------------------------


@pytest.mark.parametrize("size", [
    (6000, 5000),  # over max_ocr_pixels (25 M), under Pillow's bomb warning
    (10000, 10000),  # over Pillow's DecompressionBombWarning threshold (89 M)
    (50000, 50000),  # over Pillow's DecompressionBombError threshold (179 M)
])
def test_over_the_pixel_limit_is_refused_from_the_header(size: tuple[int, int], no_decoding: None) -> None:
    with pytest.raises(UnreadableDocument, match="too large|over the OCR limit"):
        ocr.image_text(png_header_only(*size), LIMITS)


def test_image_size_reads_only_the_header(no_decoding: None) -> None:
    assert ocr.image_size(png_header_only(120, 40)) == (120, 40)
    assert ocr.image_size(png_header_only(10000, 10000)) == (10000, 10000)  # no DecompressionBombWarning escapes
    assert ocr.image_size(png_header_only(50000, 50000)) is None  # Pillow refuses even to open it
    assert ocr.image_size(b"not an image") is None


@pytest.mark.parametrize("data", [b"", b"garbage" * 100, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b"%PDF-1.7 nonsense"])
def test_garbage_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableDocument, match="not a readable image"):
        ocr.image_text(data, LIMITS)
    with pytest.raises(UnreadableDocument, match="damaged PDF"):
        ocr.pdf_pages_text(data, [0], LIMITS)


def test_truncated_image_is_unreadable() -> None:
    data = encode(render(referral(60).lines()), "PNG")
    with pytest.raises(UnreadableDocument, match="damaged image"):
        ocr.image_text(data[: len(data) // 2], LIMITS)


def test_password_protected_pdf() -> None:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt="secret")
    pdf.drawString(72, 720, "hidden")
    pdf.save()
    with pytest.raises(UnreadableDocument, match="password-protected PDF"):
        ocr.pdf_pages_text(out.getvalue(), [0], LIMITS)


def test_missing_page_is_a_caller_error() -> None:
    data = encode(Image.new("RGB", (200, 200), "white"), "PDF")
    with pytest.raises(ValueError, match="no page 3"):
        ocr.pdf_pages_text(data, [3], LIMITS)


def test_timeout_is_unreadable_and_names_no_content() -> None:
    person = referral(70)
    page = Image.new("L", (2480, 3508), 255)  # A4 at 300 dpi, full of text
    block = render(person.lines() * 8, size=40)
    for top in range(0, page.height - block.height, block.height):
        page.paste(block, (0, top))
    with pytest.raises(UnreadableDocument) as raised:
        ocr.image_text(encode(page, "PNG"), ExtractionLimits(ocr_timeout_seconds=0.05))
    assert str(raised.value) == "OCR timed out"


def test_tesseract_missing_means_unreadable_never_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    ocr.available.cache_clear()
    assert ocr.available() is False
    png = encode(render(["Child: nobody"]), "PNG")
    pdf = encode(Image.new("RGB", (200, 200), "white"), "PDF")
    with pytest.raises(UnreadableDocument, match=r"^OCR is not available \(install tesseract-ocr\)$"):
        ocr.image_text(png, LIMITS)
    with pytest.raises(UnreadableDocument, match=r"^OCR is not available \(install tesseract-ocr\)$"):
        ocr.pdf_pages_text(pdf, [0], LIMITS)


def test_tesseract_vanishing_after_the_check_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ocr.available()
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(UnreadableDocument, match="not available"):
        ocr.image_text(encode(render(["Child: nobody"]), "PNG"), LIMITS)


def test_time_budget_covers_the_whole_call() -> None:
    person = referral(80)
    scan = render(person.lines()).convert("RGB")
    pdf = encode(scan, "PDF", save_all=True, append_images=[scan])  # two scanned pages
    assert ocr.pdf_pages_text(pdf, [0, 1], LIMITS, time_budget=0.1) == ("", [0, 1])  # too little left to start
    text, not_read = ocr.pdf_pages_text(pdf, [0, 1], LIMITS, time_budget=60)
    assert not_read == []
    assert_read(text, person)
    with pytest.raises(UnreadableDocument, match="^OCR timed out$"):
        ocr.image_text(encode(scan, "PNG"), LIMITS, time_budget=0.1)


def test_switched_off_is_unreadable() -> None:
    off = ExtractionLimits(ocr_enabled=False)
    with pytest.raises(UnreadableDocument, match="switched off"):
        ocr.image_text(encode(render(["Child: nobody"]), "PNG"), off)
    with pytest.raises(UnreadableDocument, match="switched off"):
        ocr.pdf_pages_text(encode(Image.new("RGB", (200, 200), "white"), "PDF"), [0], off)
