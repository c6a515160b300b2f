"""Class 10b: the referral carried by other formats -- HTML tricks, calendar invites, contact
cards, archives of every kind, unusual charsets, system exports."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

import pytest

from . import builders, mime
from .checks import assert_stopped
from .synth import CSV_HEADER, children_csv

NOTE = "Hi,\n\nPlease see attached.\n\nJo\n"


def _html(inner: str) -> bytes:
    return mime.message(mime.text(f"<html><head><title>Update</title></head><body><p>Hi, see below.</p>{inner}"
                                  "<p>Thanks, Jo</p></body></html>", subtype="html"))


def _html_lines(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.split("\n") if line)


# ---------------------------------------------------------------------------- HTML

HTML_HIDING = {
    "display-none-div": lambda t: f'<div style="display:none">{_html_lines(t)}</div>',
    "visibility-hidden": lambda t: f'<div style="visibility:hidden;height:0">{_html_lines(t)}</div>',
    "font-size-zero-white": lambda t: f'<div style="font-size:0;color:#ffffff">{_html_lines(t)}</div>',
    "html-comment": lambda t: f"<!--\n{t}\n-->",
    "title-attribute": lambda t: f'<p><abbr title="{escape(t, {chr(34): "&quot;"})}">case details</abbr></p>',
    "img-alt-attribute": lambda t: f'<p><img src="https://www.halton.gov.uk/logo.gif" alt="{escape(t, {chr(34): "&quot;"})}"></p>',
    "template-element": lambda t: f"<template>{_html_lines(t)}</template>",
    "noscript-element": lambda t: f"<noscript>{_html_lines(t)}</noscript>",
    "textarea-form-field": lambda t: f"<form><textarea name=notes rows=1>{escape(t)}</textarea></form>",
    "head-meta-description": lambda t: f'<meta name="description" content="{escape(t, {chr(34): "&quot;"})}">',
    "css-generated-content": lambda t: ("<style>.n::after{content:" + chr(34)
                                        + t.replace(chr(10), " ").replace(chr(34), "'") + chr(34) + "}</style>"
                                        + '<p class="n"></p>'),
    "script-element": lambda t: "<script>var notes = " + json.dumps(t) + ";</script>",
    "input-value-attribute": lambda t: "".join(f'<input type="hidden" value="{escape(line, {chr(34): "&quot;"})}">'
                                               for line in t.split("\n") if line),
}


@pytest.mark.parametrize("where", sorted(HTML_HIDING))
def test_html_referral_in_hidden_place(scan, child, where):
    assert_stopped(scan(_html(HTML_HIDING[where](child.letter()))))


def test_html_every_character_a_numeric_entity(scan, child):
    assert_stopped(scan(_html(builders.html_escape_all(child.letter()))))


def test_html_every_character_in_own_span(scan, child):
    assert_stopped(scan(_html(builders.html_spans(child.letter()))))


def test_html_children_table_pasted_from_excel(scan, children):
    rows = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in c.row()) + "</tr>" for c in children)
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in CSV_HEADER) + "</tr>"
    assert_stopped(scan(_html(f"<table border=1>{head}{rows}</table>")))


def test_html_referral_in_link_query_string(scan, child):
    query = "&".join(f"{k}={quote_plus(v)}" for k, v in [
        ("child", child.name), ("dob", child.dob.isoformat()), ("nhs", child.nhs), ("postcode", child.postcode),
        ("address", child.address), ("mother", child.parent)])
    assert_stopped(scan(_html(f'<p><a href="https://forms.example.org/referral?{query}">Open the referral</a></p>')))


def test_html_csv_as_data_uri_download_link(scan, children):
    data = base64.b64encode(children_csv(children).encode()).decode()
    assert_stopped(scan(_html(f'<p><a download="list.csv" href="data:text/csv;base64,{data}">list</a></p>')))


def test_html_body_base64_with_meta_charset_only(scan, child):
    html = f'<html><head><meta charset="utf-8"></head><body>{_html_lines(child.letter())}</body></html>'
    body = mime.entity("text/html", mime.b64(html.encode()), cte="base64")
    assert_stopped(scan(mime.message(body)))


# ---------------------------------------------------------------------------- calendar, contacts


def test_calendar_invite_with_referral_description(scan, child):
    ics = builders.ics("Strategy discussion", child.letter())
    body = mime.multipart("alternative", mime.text("You are invited: strategy discussion.\n"),
                          mime.entity('text/calendar; method=REQUEST; charset="utf-8"', mime.b64(ics), cte="base64"))
    assert_stopped(scan(mime.message(body, subject="Invitation: Strategy discussion")))


def test_calendar_file_attachment(scan, child):
    ics = builders.ics(f"Visit {child.name}", child.letter())
    assert_stopped(scan(mime.with_attachment(mime.attachment(ics, "text/calendar", "invite.ics"))))


def test_vcard_of_the_child(scan, child):
    assert_stopped(scan(mime.with_attachment(mime.attachment(builders.vcard(child), "text/vcard", "contact.vcf"))))


# ---------------------------------------------------------------------------- archives

ARCHIVES = {
    "zip": (lambda csv: builders.zip_bytes({"list.csv": csv}), "application/zip", "list.zip"),
    "zip-in-zip-in-zip": (lambda csv: builders.zip_bytes({"a.zip": builders.zip_bytes(
        {"b.zip": builders.zip_bytes({"list.csv": csv})})}), "application/zip", "pack.zip"),
    "gzip": (lambda csv: builders.gzip_bytes(csv, "list.csv"), "application/gzip", "list.csv.gz"),
    "gzip-no-name": (lambda csv: builders.gzip_bytes(csv), "application/octet-stream", "export.gz"),
    "tar": (lambda csv: builders.tar_bytes({"list.csv": csv}), "application/x-tar", "list.tar"),
    "tar-gz": (lambda csv: builders.tar_bytes({"export/list.csv": csv}, "w:gz"), "application/gzip", "export.tgz"),
    "bzip2": (lambda csv: builders.bz2_bytes(csv), "application/x-bzip2", "list.csv.bz2"),
    "xz": (lambda csv: builders.xz_bytes(csv), "application/x-xz", "list.csv.xz"),
}


@pytest.mark.parametrize("kind", sorted(ARCHIVES))
def test_children_csv_in_archive(scan, children, kind):
    make, ctype, name = ARCHIVES[kind]
    data = make(children_csv(children).encode())
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, ctype, name))))


def test_password_protected_zip_is_unreadable_so_stopped(scan, children):
    data = builders.zip_with_password({"list.csv": children_csv(children).encode()})
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "application/zip", "list.zip"))))


def test_zip_archive_comment_holds_referral(scan, child):
    data = builders.zip_bytes({"readme.txt": b"Photos from the contact session.\n"}, comment=child.form().encode())
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "application/zip", "photos.zip"))))


# ---------------------------------------------------------------------------- charsets

CHARSETS = {
    "utf-16-bom-base64": lambda text: mime.entity('text/plain; charset="utf-16"', mime.b64(mime.crlf(text).encode("utf-16")),
                                                  cte="base64"),
    "utf-16le-no-bom-base64": lambda text: mime.entity('text/plain; charset="utf-16le"',
                                                       mime.b64(mime.crlf(text).encode("utf-16-le")), cte="base64"),
    "utf-16-raw-binary": lambda text: mime.entity('text/plain; charset="utf-16"', mime.crlf(text).encode("utf-16"),
                                                cte="binary"),
    "utf-7": lambda text: mime.entity('text/plain; charset="utf-7"', mime.crlf(text).encode("utf-7"), cte="7bit"),
    "utf-32-base64": lambda text: mime.entity('text/plain; charset="utf-32"', mime.b64(mime.crlf(text).encode("utf-32")),
                                              cte="base64"),
}


def _utf7_everything(text: str) -> bytes:
    """UTF-7 in which every run of characters, letters and digits included, is base64-shifted."""
    out = []
    for line in mime.crlf(text).split("\r\n"):
        encoded = base64.b64encode(line.encode("utf-16-be")).decode().rstrip("=") if line else ""
        out.append(f"+{encoded}-" if encoded else "")
    return "\r\n".join(out).encode("ascii")


@pytest.mark.parametrize("charset", sorted(CHARSETS))
def test_body_in_unusual_charset(scan, child, charset):
    assert_stopped(scan(mime.message(CHARSETS[charset](child.letter()))))


def test_utf7_with_every_character_shifted(scan, child):
    body = mime.entity('text/plain; charset="utf-7"', _utf7_everything(child.letter()), cte="7bit")
    assert_stopped(scan(mime.message(body)))


def test_excel_unicode_text_export_utf16_tsv(scan, children):
    data = children_csv(children, delimiter="\t").replace("\n", "\r\n").encode("utf-16")
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "text/plain", "Book1.txt"))))


def test_utf16_csv_labelled_octet_stream(scan, children):
    data = children_csv(children).encode("utf-16")
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "application/octet-stream", "export.csv"))))


# ---------------------------------------------------------------------------- system exports


def test_json_export_of_children(scan, children):
    records = [{"name": c.name, "dob": c.dob.isoformat(), "nhsNumber": c.nhs, "address": {
        "line1": f"{c.house} {c.street}", "town": c.town, "postcode": c.postcode}, "parent": c.parent,
        "parentMobile": c.phone} for c in children]
    data = json.dumps({"children": records}, indent=1).encode()
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "application/json", "export.json"))))


def test_minified_json_with_unicode_escapes(scan, children):
    records = [{"n": c.name, "d": c.dob.isoformat(), "h": c.nhs, "p": c.postcode} for c in children]
    text = json.dumps(records, separators=(",", ":"))
    escaped = "".join(f"\\u{ord(ch):04x}" if ch.isalnum() else ch for ch in text)
    assert_stopped(scan(mime.with_attachment(mime.attachment(escaped.encode(), "application/json", "d.json"))))


def test_xml_export_of_children(scan, children):
    rows = "".join(f'<child nhs="{c.nhs}"><name>{escape(c.name)}</name><dob>{c.dob.isoformat()}</dob>'
                   f"<postcode>{c.postcode}</postcode><address>{escape(c.address)}</address></child>" for c in children)
    data = f'<?xml version="1.0" encoding="UTF-8"?><children>{rows}</children>'.encode()
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "application/xml", "export.xml"))))


def test_xml_export_with_character_references(scan, children):
    rows = "".join("<child><name>" + "".join(f"&#{ord(ch)};" for ch in c.name) + "</name><dob>"
                   + "".join(f"&#x{ord(ch):x};" for ch in c.dob_text) + "</dob><nhs>"
                   + "".join(f"&#{ord(ch)};" for ch in c.nhs_text) + "</nhs></child>" for c in children)
    data = f'<?xml version="1.0"?><children>{rows}</children>'.encode()
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "application/xml", "export.xml"))))


def test_markdown_note_attachment(scan, child):
    data = ("# Referral\n\n| Field | Value |\n|---|---|\n"
            + "".join(f"| {k} | {v} |\n" for k, v in [("Child", child.name), ("DOB", child.dob_text),
                                                      ("NHS", child.nhs_text), ("Address", child.address),
                                                      ("Postcode", child.postcode)])).encode()
    assert_stopped(scan(mime.with_attachment(mime.attachment(data, "text/markdown", "referral.md"))))
