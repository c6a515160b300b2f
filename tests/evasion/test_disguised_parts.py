"""Class 6: a part whose label (type, name, role) says "nothing to read here" -- a signature,
an image, opaque bytes -- while its content is a readable list or document."""

from __future__ import annotations

from . import builders, mime
from .checks import assert_stopped
from .synth import children_csv

NOTE = "Hi,\n\nPlease see attached.\n\nJo\n"


def _csv(children) -> bytes:
    return children_csv(children).encode()


def _docx(child) -> bytes:
    return builders.docx_document(lambda d: [d.add_paragraph(line) for line in child.form().splitlines()])


def test_unnamed_octet_stream_leaf_holding_csv(scan, children):
    att = mime.attachment(_csv(children), "application/octet-stream", None)
    assert_stopped(scan(mime.with_attachment(att)))


def test_part_without_content_type_holding_csv(scan, children):
    att = mime.entity(None, mime.b64(_csv(children)), cte="base64",
                      headers=['Content-Disposition: attachment; filename="export"'])
    assert_stopped(scan(mime.with_attachment(att)))


def test_pkcs7_signature_part_holding_clear_text(scan, child):
    sig = mime.attachment(mime.crlf(child.letter()).encode(), "application/pkcs7-signature", "smime.p7s")
    assert_stopped(scan(mime.with_attachment(sig)))


def test_pgp_signature_part_holding_docx(scan, child):
    sig = mime.attachment(_docx(child), "application/pgp-signature", "signature.asc")
    assert_stopped(scan(mime.with_attachment(sig)))


def test_multipart_signed_whose_signature_part_is_the_payload(scan, child):
    signed = mime.multipart("signed", mime.text(NOTE),
                            mime.entity('application/pgp-signature; name="signature.asc"', child.letter(),
                                        headers=['Content-Disposition: attachment; filename="signature.asc"']),
                            params='; micalg=pgp-sha256; protocol="application/pgp-signature"')
    assert_stopped(scan(mime.message(signed)))


def test_smime_signed_whose_p7s_is_base64_of_csv(scan, children):
    signed = mime.multipart("signed", mime.text(NOTE),
                            mime.attachment(_csv(children), "application/pkcs7-signature", "smime.p7s"),
                            params='; micalg=sha-256; protocol="application/pkcs7-signature"')
    assert_stopped(scan(mime.message(signed)))


def test_text_file_named_asc_as_octet_stream(scan, child):
    att = mime.attachment(mime.crlf(child.letter()).encode(), "application/octet-stream", "key.asc")
    assert_stopped(scan(mime.with_attachment(att)))


def test_text_file_named_sig(scan, children):
    att = mime.attachment(_csv(children), "application/octet-stream", "report.sig")
    assert_stopped(scan(mime.with_attachment(att)))


def test_zip_member_named_png_holding_csv(scan, children):
    data = builders.zip_bytes({"photos/IMG_0001.png": _csv(children)})
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "application/zip", "photos.zip"))))


def test_docx_attached_as_jpeg(scan, child):
    att = mime.attachment(_docx(child), "image/jpeg", "photo.jpg")
    assert_stopped(scan(mime.with_attachment(att)))


def test_text_file_labelled_image_gif(scan, children):
    att = mime.attachment(_csv(children), "image/gif", "spacer.gif")
    assert_stopped(scan(mime.with_attachment(att)))


def test_csv_labelled_pdf(scan, children):
    att = mime.attachment(_csv(children), "application/pdf", "minutes.pdf")
    assert_stopped(scan(mime.with_attachment(att)))


def test_docx_bytes_labelled_text_plain(scan, child):
    att = mime.attachment(_docx(child), "text/plain", "notes.txt")
    assert_stopped(scan(mime.with_attachment(att)))


def test_csv_labelled_audio(scan, children):
    att = mime.attachment(_csv(children), "audio/mpeg", "voicemail.mp3")
    assert_stopped(scan(mime.with_attachment(att)))


def test_tnef_winmail_dat_with_body_and_csv(scan, child, children):
    data = builders.tnef(child.letter(), {"children.csv": _csv(children)})
    att = mime.attachment(data, "application/ms-tnef", "winmail.dat")
    assert_stopped(scan(mime.with_attachment(att, note="")))


def test_tnef_winmail_dat_labelled_octet_stream(scan, children):
    data = builders.tnef("See attached.\n", {"children.csv": _csv(children)})
    att = mime.attachment(data, "application/octet-stream", "winmail.dat")
    assert_stopped(scan(mime.with_attachment(att)))
