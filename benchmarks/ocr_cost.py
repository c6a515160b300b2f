"""What OCR of one scanned page costs (detectors/extract/ocr.py), to size ExtractionLimits' OCR bounds.

    python benchmarks/ocr_cost.py [--runs 5] [--alternatives]

Synthetic referral form (Faker en_GB, made-up people) typed at 11 pt:
  - A4 page at 300 dpi, PNG (2480 x 3508, grayscale)
  - the same page as JPEG (RGB, quality 85)
  - a phone photo of the page: 3000 x 4000 JPEG, page tilted 1.5 degrees, uneven light, blur, noise
  - an image-only PDF page (the 300 dpi scan embedded in an A4 page), rendered and OCR'd
Each is timed end to end through image_text / pdf_pages_text (decode, preprocessing, Tesseract),
median of --runs runs. Tesseract is held to one core (OMP_THREAD_LIMIT=1, as in a gateway running
one scanning worker per core). --alternatives adds the choices not taken: the PDF page
rendered at 200 dpi instead of 300, and the A4 page given to Tesseract in RGB instead of
grayscale. "read" is the share of the names, dates of birth and NHS numbers
on the page found in the OCR text (whitespace ignored).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import argparse  # noqa: E402
import io  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import pypdfium2  # noqa: E402
from faker import Faker  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from detectors.extract import ocr  # noqa: E402
from detectors.extract.limits import ExtractionLimits  # noqa: E402

FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
A4_300DPI = (2480, 3508)


def form(seed: int = 1) -> tuple[list[str], list[str]]:
    """Lines of a referral form and the facts on it (names, DOBs, NHS-number-like groups)."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    lines, facts = ["CHILDREN'S SERVICES - MULTI-AGENCY REFERRAL FORM", ""], []
    for role in ("Child", "Sibling", "Parent/carer"):
        name = f"{fake.first_name()} {fake.last_name()}"
        dob = fake.date_of_birth(minimum_age=1, maximum_age=45).strftime("%d/%m/%Y")
        nhs = fake.numerify("### ### ####")
        lines += [f"{role}: {name}", f"Date of birth: {dob}    NHS number: {nhs}",
                  f"Address: {fake.street_address().replace(chr(10), ', ')}, {fake.postcode()}", ""]
        facts += [name, dob, nhs]
    lines.append("Reason for referral:")
    while len(lines) < 48:
        lines.append(fake.sentence(nb_words=11).rstrip("."))
    return lines, facts


def a4_page(lines: list[str]) -> Image.Image:
    """Typed page at 300 dpi: 11 pt text (46 px), 2.5 cm margins."""
    page = Image.new("L", A4_300DPI, 255)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(FONT_FILE, 46)
    for i, line in enumerate(lines):
        draw.text((295, 295 + i * 62), line, fill=20, font=face)
    return page


def phone_photo(page: Image.Image) -> Image.Image:
    """The page photographed: 3000 x 4000, tilted, on a darker desk, uneven light, soft focus, sensor noise."""
    random.seed(5)
    scan = page.resize((2700, 3819), Image.Resampling.BICUBIC).rotate(1.5, expand=True, fillcolor=255)
    photo = Image.new("L", (3000, 4000), 90)
    photo.paste(scan, ((3000 - scan.width) // 2, (4000 - scan.height) // 2))
    light = Image.linear_gradient("L").resize(photo.size).point(lambda v: 255 - v // 4)  # 255 at top, ~190 at foot
    photo = Image.composite(photo, Image.new("L", photo.size, 0), light)
    photo = photo.filter(ImageFilter.GaussianBlur(1.2))
    photo = Image.blend(photo, Image.effect_noise(photo.size, 30), 0.12)
    return Image.merge("RGB", (photo, photo, photo))


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def image_only_pdf(page: Image.Image) -> bytes:
    return encode(page, "PDF", resolution=300.0)


def rendered_size(pdf: bytes, limits: ExtractionLimits, dpi: int = ocr.PDF_DPI) -> tuple[int, int]:
    saved, ocr.PDF_DPI = ocr.PDF_DPI, dpi
    document = pypdfium2.PdfDocument(pdf)
    try:
        return ocr._render(document, 0, limits).size
    finally:
        document.close()
        ocr.PDF_DPI = saved


def pdf_at(dpi: int, pdf: bytes, limits: ExtractionLimits) -> str:
    saved, ocr.PDF_DPI = ocr.PDF_DPI, dpi
    try:
        return ocr.pdf_pages_text(pdf, [0], limits)[0]
    finally:
        ocr.PDF_DPI = saved


def score(text: str, facts: list[str]) -> float:
    flat = "".join(text.split())
    return sum("".join(fact.split()) in flat for fact in facts) / len(facts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--alternatives", action="store_true", help="also time the choices not taken")
    args = parser.parse_args()
    if not ocr.available():
        sys.exit(ocr.NOT_AVAILABLE)
    limits = ExtractionLimits()
    lines, facts = form()
    page = a4_page(lines)
    png = encode(page, "PNG")
    jpeg = encode(page.convert("RGB"), "JPEG", quality=85)
    photo = encode(phone_photo(page), "JPEG", quality=85)
    pdf = image_only_pdf(page)
    pdf_pixels = rendered_size(pdf, limits)

    cases: list[tuple[str, bytes, tuple[int, int], Callable[[], str]]] = [
        ("A4 300 dpi PNG", png, page.size, lambda: ocr.image_text(png, limits)),
        ("A4 300 dpi JPEG", jpeg, page.size, lambda: ocr.image_text(jpeg, limits)),
        ("phone photo JPEG", photo, (3000, 4000), lambda: ocr.image_text(photo, limits)),
        ("image-only PDF page", pdf, pdf_pixels, lambda: ocr.pdf_pages_text(pdf, [0], limits)[0]),
    ]
    if args.alternatives:
        rgb = page.convert("RGB")
        cases += [
            ("alt: PDF at 200 dpi", pdf, rendered_size(pdf, limits, dpi=200), lambda: pdf_at(200, pdf, limits)),
            ("alt: A4 RGB, no gray", png, page.size, lambda: ocr._ocr(rgb, limits)),
        ]
    print(f"tesseract {ocr_version()}, OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT')}, "
          f"median of {args.runs} runs, timeout {limits.ocr_timeout_seconds} s per page")
    print(f"{'case':<22}{'file KB':>9}{'pixels':>14}{'MP':>7}{'median s':>10}{'min s':>8}{'max s':>8}{'read':>7}")
    for name, data, size, run in cases:
        times, text = [], ""
        for _ in range(args.runs):
            start = time.perf_counter()
            text = run()
            times.append(time.perf_counter() - start)
        pixels = f"{size[0]}x{size[1]}"
        print(f"{name:<22}{len(data) / 1024:>9.0f}{pixels:>14}{size[0] * size[1] / 1e6:>7.1f}"
              f"{statistics.median(times):>10.2f}{min(times):>8.2f}{max(times):>8.2f}{score(text, facts):>7.2f}",
              flush=True)


def ocr_version() -> str:
    import pytesseract

    return str(pytesseract.get_tesseract_version())


if __name__ == "__main__":
    main()
