"""Class 5: a typed referral form as a picture -- the scanned or photographed form. The text is
clean, black on white, in a real TrueType font at a readable size (Tesseract reads it
back verbatim), so the gateway must either read it or refuse to let it go unread."""

from __future__ import annotations

import base64
import io

import pytest

from . import builders, mime
from .checks import assert_stopped


@pytest.fixture(scope="module")
def form_image(child):
    return builders.text_image(child.form(), size=30)


def _send(scan, data: bytes, ctype: str, name: str):
    return scan(mime.with_attachment(mime.attachment(data, ctype, name)))


def test_png_of_typed_referral(scan, form_image):
    assert_stopped(_send(scan, builders.image_bytes(form_image, "PNG"), "image/png", "scan0001.png"))


def test_jpeg_of_typed_referral(scan, form_image):
    data = builders.image_bytes(form_image, "JPEG", quality=85)
    assert_stopped(_send(scan, data, "image/jpeg", "IMG_2041.jpg"))


def test_photo_stored_sideways_with_exif_orientation(scan, form_image):
    # As phones save photos: pixels stored rotated, an EXIF tag tells the viewer to turn them upright.
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    stored = form_image.transpose(Image.Transpose.ROTATE_90)
    data = builders.image_bytes(stored, "JPEG", quality=90, exif=exif)
    assert_stopped(_send(scan, data, "image/jpeg", "IMG_2042.jpg"))


def test_png_of_typed_referral_rotated_upside_down(scan, form_image):
    from PIL import Image

    data = builders.image_bytes(form_image.transpose(Image.Transpose.ROTATE_180), "PNG")
    assert_stopped(_send(scan, data, "image/png", "scan0003.png"))


def test_png_of_typed_referral_inside_zip(scan, form_image):
    data = builders.zip_bytes({"scans/scan0001.png": builders.image_bytes(form_image, "PNG")})
    assert_stopped(_send(scan, data, "application/zip", "scans.zip"))


def test_greyscale_tiff_fax_of_typed_referral(scan, form_image):
    data = builders.image_bytes(form_image.convert("L"), "TIFF", compression="tiff_lzw")
    assert_stopped(_send(scan, data, "image/tiff", "fax-20260514.tif"))


def test_image_only_pdf_of_typed_referral(scan, form_image):
    assert_stopped(_send(scan, builders.image_only_pdf(form_image), "application/pdf", "scan0001.pdf"))


def test_pillow_saved_pdf_of_typed_referral(scan, form_image):
    data = builders.image_bytes(form_image, "PDF", resolution=150.0)
    assert_stopped(_send(scan, data, "application/pdf", "scan0002.pdf"))


def test_inline_image_in_html_by_cid(scan, form_image):
    html = ('<html><body><p>Hi, the form is below.</p><img src="cid:form1@halton.gov.uk" alt="form">'
            "<p>Jo</p></body></html>")
    image = mime.entity("image/png", mime.b64(builders.image_bytes(form_image, "PNG")), cte="base64",
                        headers=["Content-ID: <form1@halton.gov.uk>", "Content-Disposition: inline"])
    body = mime.multipart("related", mime.text(html, subtype="html"), image, params='; type="text/html"')
    assert_stopped(scan(mime.message(body)))


def test_image_as_data_uri_in_html(scan, form_image):
    data = base64.b64encode(builders.image_bytes(form_image, "PNG")).decode()
    html = f'<html><body><p>Hi, the form:</p><img src="data:image/png;base64,{data}"><p>Jo</p></body></html>'
    assert_stopped(scan(mime.message(mime.text(html, subtype="html"))))


def test_png_of_typed_referral_inside_docx(scan, form_image):
    def build(d) -> None:
        d.add_paragraph("Scanned referral below.")
        d.add_picture(io.BytesIO(builders.image_bytes(form_image, "PNG")))

    data = builders.docx_document(build)
    assert_stopped(_send(scan, data, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         "scan.docx"))
