"""Class 10a: MIME structure -- forwards inside forwards, parts a parser may not see, headers
that disagree, multiparts that do not end. Whatever bytes leave must be judged."""

from __future__ import annotations

import base64

from . import builders, mime
from .checks import assert_stopped
from .synth import children_csv

NOTE = "Hi,\n\nSee below.\n\nJo\n"


def _forward(inner: bytes, level: int) -> bytes:
    """A message forwarding `inner` (a whole message) as a message/rfc822 attachment."""
    return mime.message(mime.multipart(
        "mixed", mime.text(f"Forwarding, level {level}.\n"),
        mime.entity("message/rfc822", inner, headers=['Content-Disposition: attachment; filename="forwarded.eml"'])),
        subject=f"Fw: Update {level}")


def test_forward_of_forward_of_forward(scan, child):
    raw = mime.plain(child.letter())
    for level in range(1, 4):
        raw = _forward(raw, level)
    assert_stopped(scan(raw))


def test_forwards_six_deep_beyond_any_depth_limit(scan, child):
    raw = mime.plain(child.letter())
    for level in range(1, 7):
        raw = _forward(raw, level)
    assert_stopped(scan(raw))


def test_rfc822_attachment_base64_encoded(scan, child):
    inner = mime.plain(child.letter())
    att = mime.entity("message/rfc822", mime.b64(inner), cte="base64",
                      headers=['Content-Disposition: attachment; filename="referral.eml"'])
    assert_stopped(scan(mime.with_attachment(att)))


def test_eml_attached_as_octet_stream(scan, child):
    att = mime.attachment(mime.plain(child.letter()), "application/octet-stream", "FW Update.eml")
    assert_stopped(scan(mime.with_attachment(att)))


def test_csv_in_zip_in_attached_eml(scan, children):
    inner = mime.with_attachment(mime.attachment(builders.zip_bytes({"list.csv": children_csv(children).encode()}),
                                                 "application/zip", "list.zip"))
    att = mime.entity("message/rfc822", inner, headers=['Content-Disposition: attachment; filename="fwd.eml"'])
    assert_stopped(scan(mime.with_attachment(att)))


def test_alternative_where_only_html_holds_the_referral(scan, child):
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in child.letter().split("\n")) + "</body></html>"
    body = mime.multipart("alternative", mime.text(NOTE), mime.text(html, subtype="html"))
    assert_stopped(scan(mime.message(body)))


def test_alternative_where_only_plain_holds_the_referral(scan, child):
    body = mime.multipart("alternative", mime.text(child.letter()),
                          mime.text("<html><body><p>Hi, see below.</p></body></html>", subtype="html"))
    assert_stopped(scan(mime.message(body)))


def test_referral_in_multipart_preamble(scan, child):
    preamble = mime.crlf(child.letter()).encode() + b"\r\n"
    assert_stopped(scan(mime.message(mime.multipart("mixed", mime.text(NOTE), preamble=preamble))))


def test_referral_in_multipart_epilogue(scan, child):
    epilogue = b"\r\n" + mime.crlf(child.letter()).encode()
    assert_stopped(scan(mime.message(mime.multipart("mixed", mime.text(NOTE), epilogue=epilogue))))


def test_multipart_missing_closing_boundary(scan, child):
    body = mime.multipart("mixed", mime.text(NOTE), mime.text(child.letter()), close=False)
    assert_stopped(scan(mime.message(body)))


def test_multipart_without_boundary_parameter(scan, child):
    body = mime.entity("multipart/mixed", "--x\r\n" + mime.crlf("Content-Type: text/plain\n\n" + child.letter()))
    assert_stopped(scan(mime.message(body)))


def test_multipart_whose_boundary_never_appears(scan, child):
    body = mime.entity('multipart/mixed; boundary="never-used"', child.letter())
    assert_stopped(scan(mime.message(body)))


def test_duplicated_boundary_parameter(scan, child):
    inner = mime.multipart("mixed", mime.text(NOTE), mime.text(child.letter()), boundary="second")
    # rewrite the header so that it names a decoy boundary first
    _, _, rest = inner.partition(b"\r\n")
    head = b'Content-Type: multipart/mixed; boundary="first"; boundary="second"'
    assert_stopped(scan(mime.message(head + b"\r\n" + rest)))


def test_conflicting_duplicate_content_type_headers(scan, child):
    body = mime.entity("image/png", mime.crlf(child.letter()).encode(), headers=['Content-Type: text/plain; charset="utf-8"'])
    assert_stopped(scan(mime.message(body)))


def test_conflicting_duplicate_transfer_encoding_headers(scan, child):
    body = mime.entity('text/plain; charset="utf-8"', mime.b64(mime.crlf(child.letter()).encode()),
                       headers=["Content-Transfer-Encoding: 7bit", "Content-Transfer-Encoding: base64"])
    assert_stopped(scan(mime.message(body)))


def test_message_partial_first_fragment(scan, child):
    inner = mime.plain(child.letter())
    half = len(inner) * 2 // 3
    body = mime.entity('message/partial; id="ref-7731@halton.gov.uk"; number=1; total=2', inner[:half])
    assert_stopped(scan(mime.message(body)))


def test_referral_in_custom_x_header(scan, child):
    extra = [f"X-Case-Notes: {child.name}, DOB {child.dob_text}, NHS {child.nhs_text}, {child.address} {child.postcode}"]
    assert_stopped(scan(mime.message(mime.text(NOTE), extra_headers=extra)))


def test_referral_in_comments_and_keywords_headers(scan, child):
    extra = [f"Comments: Referral {child.name} born {child.dob_text}", f"Keywords: NHS {child.nhs_text}, {child.postcode}"]
    assert_stopped(scan(mime.message(mime.text(NOTE), extra_headers=extra)))


def test_referral_typed_as_header_lines_without_blank_line(scan, child):
    # No blank line after the headers: the form's "Label: value" lines parse as more headers.
    lines = [f"Child: {child.name}", f"Date-Of-Birth: {child.dob_text}", f"NHS-Number: {child.nhs_text}",
             f"Address: {child.address} {child.postcode}", f"Mother: {child.parent} {child.phone}",
             "Reason: safeguarding referral"]
    raw = mime.envelope_headers(extra=['Content-Type: text/plain; charset="utf-8"', *lines]) + b"\r\nThanks\r\n"
    assert_stopped(scan(raw))


def test_bare_cr_line_endings(scan, child):
    raw = mime.plain(child.letter(), cte="8bit").replace(b"\r\n", b"\r")
    assert_stopped(scan(raw))


def test_base64_message_rfc822_inside_alternative(scan, child):
    inner = mime.plain(child.letter())
    body = mime.multipart("alternative", mime.text(NOTE),
                          mime.entity("message/rfc822", mime.b64(inner), cte="base64"))
    assert_stopped(scan(mime.message(body)))


def test_multipart_digest_parts_default_to_message(scan, child):
    # In multipart/digest a part without Content-Type is message/rfc822: its "headers" are the message's.
    inner = mime.plain(child.letter())
    body = mime.multipart("digest", b"\r\n" + inner)
    assert_stopped(scan(mime.message(body)))


def test_message_global_attachment(scan, child):
    att = mime.entity("message/global", mime.plain(child.letter()),
                      headers=['Content-Disposition: attachment; filename="referral.u8msg"'])
    assert_stopped(scan(mime.with_attachment(att)))


def test_format_flowed_delsp_splitting_identifiers(scan, child):
    # format=flowed; delsp=yes: "Mar \r\ntin" displays as "Martin"; every identifier is broken so.
    out = []
    for line in child.letter().split("\n"):
        pieces = [line[i : i + 4] for i in range(0, len(line), 4)] or [""]
        # space-stuffing (RFC 3676 4.4): a line starting with a space, ">" or "From " gets one more space
        pieces = [" " + p if p.startswith((" ", ">", "From ")) else p for p in pieces]
        out.append(" \r\n".join(pieces))
    body = mime.entity('text/plain; charset="utf-8"; format=flowed; delsp=yes', "\r\n".join(out).encode(), cte="8bit")
    assert_stopped(scan(mime.message(body)))


def test_encoded_subject_only(scan, child):
    subject = "=?utf-8?q?" + "".join(f"={b:02X}" for b in child.subject().encode()) + "?="
    assert_stopped(scan(mime.plain("Hi,\n\nSee subject.\n", subject=subject)))


def test_subject_split_across_folded_encoded_words(scan, child):
    raw = child.subject().encode()
    words = ["=?utf-8?b?" + base64.b64encode(raw[i : i + 9]).decode() + "?=" for i in range(0, len(raw), 9)]
    assert_stopped(scan(mime.plain("Hi,\n\nSee subject.\n", subject="\r\n ".join(words))))


def test_body_part_content_description_header_holds_referral(scan, child):
    part = mime.text(NOTE, headers=[f"Content-Description: {child.name} DOB {child.dob_text} NHS {child.nhs_text}"])
    assert_stopped(scan(mime.message(mime.multipart("mixed", part))))
