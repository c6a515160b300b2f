"""Document readers (detectors.extract.documents *_content): every place a value can hide is read.

Each document is built here (python-docx, openpyxl, reportlab + pypdf, odfpy, and raw package XML
for what those libraries cannot write). All values are synthetic (Faker en_GB, fixed seed).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape

import docx
import openpyxl
import pytest
from faker import Faker

from detectors.extract import documents
from detectors.extract.content import DocumentContent
from detectors.extract.documents import UnreadableDocument
from detectors.extract.limits import ExtractionLimits

_fake = Faker("en_GB")
_fake.seed_instance(20250611)


def _values(*keys: str) -> dict[str, str]:
    out: dict[str, str] = {}
    while len(out) < len(keys):
        value = f"{_fake.first_name()} {_fake.last_name()}"
        if all(value not in v and v not in value for v in out.values()):
            out[keys[len(out)]] = value
    return out


V = _values(
    "body", "cell_name", "sdt_block", "sdt_run", "inserted", "deleted", "hidden", "textbox", "nested",
    "header", "footer", "footnote", "endnote", "comment", "docvar", "alt", "moved", "repeat_row", "bound",
    "custom_prop", "smartart", "chart_label",
    "sheet_visible", "sheet_hidden", "sheet_very_hidden", "xl_comment", "xl_threaded", "leftover", "literal",
    "beyond_dimension", "xl_header",
    "slide", "slide_hidden", "notes", "ppt_comment", "ppt_table",
    "pdf_text", "pdf_field", "pdf_annotation", "pdf_freetext", "pdf_xfa", "pdf_glyphs", "pdf_bookmark",
    "odt_heading", "odt_list", "odt_cell", "odt_nested", "odt_comment", "odt_note", "odt_textbox", "odt_header",
    "odt_deleted", "ods_hidden", "ods_literal", "ods_comment", "odp_slide", "odp_notes",
    "tnef_subject", "tnef_plain", "tnef_html", "tnef_rtf",
)
DOB = _fake.date_of_birth(minimum_age=3, maximum_age=15).strftime("%d/%m/%Y")
SECRETS = [*V.values(), DOB]
LIMITS = ExtractionLimits()


def _no_content_in(reasons: list[str] | str) -> None:
    for reason in [reasons] if isinstance(reasons, str) else reasons:
        for secret in SECRETS:
            assert secret not in reason, reason
            for word in secret.split():
                assert len(word) < 4 or word not in reason, reason


def _patch(data: bytes, change: dict[str, Callable[[bytes], bytes]] | None = None,
           add: dict[str, bytes] | None = None) -> bytes:
    """The same ZIP package with some members rewritten and some added."""
    change, add = change or {}, add or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    assert set(change) <= set(source.namelist()), set(change) - set(source.namelist())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info)
            if info.filename in change:
                payload = change[info.filename](payload)
            target.writestr(info.filename, payload)
        for name, payload in add.items():
            target.writestr(name, payload)
    return buf.getvalue()


def _insert_before(marker: bytes, snippet: str) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        at = xml.index(marker)
        return xml[:at] + snippet.encode() + xml[at:]
    return edit


def _run(text: str) -> str:
    return f"<w:r><w:t xml:space='preserve'>{escape(text)}</w:t></w:r>"


def _para(text: str) -> str:
    return f"<w:p>{_run(text)}</w:p>"


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


# --- Word -------------------------------------------------------------------------------------


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(f"Referral for {V['body']}")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Name", "DOB", "Family"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = V["cell_name"]
    table.rows[1].cells[1].text = DOB
    inner = table.rows[1].cells[2].add_table(rows=2, cols=3)
    for cell, text in zip(inner.rows[0].cells, ("Sibling", "School", "Year"), strict=True):
        cell.text = text
    inner.rows[1].cells[0].text = V["nested"]
    inner.rows[1].cells[1].text = "Hillside Primary"
    inner.rows[1].cells[2].text = "Year 4"
    section = document.sections[0]
    section.header.paragraphs[0].text = f"About {V['header']}"
    section.footer.paragraphs[0].text = f"Prepared for {V['footer']}"
    buf = io.BytesIO()
    document.save(buf)
    textbox = (
        "<w:p><w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing>"
        "<wp:anchor distT='0' distB='0' distL='0' distR='0' simplePos='0' relativeHeight='1' behindDoc='0'"
        " locked='0' layoutInCell='1' allowOverlap='1'><wp:simplePos x='0' y='0'/>"
        f"<wp:docPr id='5' name='Text Box 5' descr='Photo of {escape(V['alt'])}'/>"
        f"<a:graphic xmlns:a='{A_NS}'><a:graphicData uri='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'>"
        f"<wps:wsp><wps:txbx><w:txbxContent>{_para('Keyworker note: ' + V['textbox'])}</w:txbxContent></wps:txbx>"
        "</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:shape><v:textbox>"
        f"<w:txbxContent>{_para('Keyworker note: ' + V['textbox'])}</w:txbxContent>"
        "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    body = (
        "<w:sdt><w:sdtPr><w:alias w:val='Child name'/></w:sdtPr><w:sdtContent>"
        f"{_para(V['sdt_block'])}</w:sdtContent></w:sdt>"
        f"<w:p>{_run('Mother: ')}<w:sdt><w:sdtPr/><w:sdtContent>{_run(V['sdt_run'])}</w:sdtContent></w:sdt></w:p>"
        f"<w:p>{_run('Name changed to ')}<w:del w:id='1' w:author='A' w:date='2024-01-01T00:00:00Z'>"
        f"<w:r><w:delText>{escape(V['deleted'])}</w:delText></w:r></w:del>"
        f"<w:ins w:id='2' w:author='A' w:date='2024-01-01T00:00:00Z'>{_run(V['inserted'])}</w:ins></w:p>"
        f"<w:p><w:moveFrom w:id='3' w:author='A'>{_run(V['moved'])}</w:moveFrom></w:p>"
        f"<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>{escape(V['hidden'])}</w:t></w:r></w:p>"
        f"{textbox}"
        # A repeating-section content control wraps whole rows; another wraps a cell.
        "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
        "<w:tr><w:tc><w:p>" + _run("Member") + "</w:p></w:tc><w:tc><w:p>" + _run("Relationship") + "</w:p></w:tc>"
        "<w:tc><w:p>" + _run("Contact") + "</w:p></w:tc></w:tr>"
        "<w:sdt><w:sdtPr/><w:sdtContent><w:tr><w:tc><w:p>" + _run(V["repeat_row"]) + "</w:p></w:tc>"
        "<w:sdt><w:sdtPr/><w:sdtContent><w:tc><w:p>" + _run("Uncle") + "</w:p></w:tc></w:sdtContent></w:sdt>"
        "<w:tc><w:p>" + _run("Weekly") + "</w:p></w:tc></w:tr></w:sdtContent></w:sdt></w:tbl>"
        "<w:p>" + _run("Subject to a plan ") + "<w:r><w:fldChar w:fldCharType='begin'><w:ffData><w:checkBox>"
        "<w:default w:val='0'/><w:checked/></w:checkBox></w:ffData></w:fldChar></w:r>"
        "<w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType='end'/></w:r></w:p>"
        "<w:p><w:r><w:footnoteReference w:id='1'/></w:r><w:r><w:endnoteReference w:id='1'/></w:r>"
        "<w:commentRangeStart w:id='0'/><w:r><w:t>See comment</w:t></w:r><w:commentRangeEnd w:id='0'/>"
        "<w:r><w:commentReference w:id='0'/></w:r></w:p>"
    )
    notes = {
        "word/footnotes.xml": f"<w:footnotes xmlns:w='{W_NS}'><w:footnote w:type='separator' w:id='-1'><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
                              f"<w:footnote w:id='1'>{_para('Footnote: ' + V['footnote'])}</w:footnote></w:footnotes>",
        "word/endnotes.xml": f"<w:endnotes xmlns:w='{W_NS}'><w:endnote w:id='1'>{_para('Endnote: ' + V['endnote'])}</w:endnote></w:endnotes>",
        "word/comments.xml": f"<w:comments xmlns:w='{W_NS}'><w:comment w:id='0' w:author='Social Worker' w:initials='SW'>"
                             f"{_para('Check with ' + V['comment'])}</w:comment></w:comments>",
    }
    rels = "".join(
        f"<Relationship Id='rIdX{i}' Type='{REL}/{kind}' Target='{kind}.xml'/>"
        for i, kind in enumerate(("footnotes", "endnotes", "comments"))
    ) + f"<Relationship Id='rIdChunk' Type='{REL}/aFChunk' Target='afchunk.htm'/>"
    return _patch(buf.getvalue(), change={
        "word/document.xml": _insert_before(b"<w:sectPr", body),
        "word/_rels/document.xml.rels": _insert_before(b"</Relationships>", rels),
        "word/settings.xml": _insert_before(
            b"</w:settings>", f"<w:docVars><w:docVar w:name='ChildName' w:val='{escape(V['docvar'])}'/></w:docVars>"),
    }, add={
        **{name: xml.encode() for name, xml in notes.items()},
        "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
        "word/afchunk.htm": b"<html><body><p>Imported text</p></body></html>",
        # Content controls bound to custom XML keep their values there too (and may keep more).
        "customXml/item2.xml": f"<form><child><name>{escape(V['bound'])}</name></child></form>".encode(),
        "docProps/custom.xml": (
            "<Properties xmlns='http://schemas.openxmlformats.org/officeDocument/2006/custom-properties'"
            " xmlns:vt='http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes'>"
            "<property fmtid='{D5CDD505-2E9C-101B-9397-08002B2CF9AE}' pid='2' name='CaseSubject'>"
            f"<vt:lpwstr>{escape(V['custom_prop'])}</vt:lpwstr></property></Properties>").encode(),
        "word/media/image1.png": PNG,
    })


def test_docx_reads_body_controls_changes_boxes_tables_and_notes() -> None:
    content = documents.docx_content(_docx(), LIMITS)
    for key in ("body", "cell_name", "nested", "sdt_block", "sdt_run", "inserted", "deleted", "moved", "hidden",
                "textbox", "alt", "header", "footer", "footnote", "endnote", "comment", "docvar", "repeat_row",
                "bound", "custom_prop"):
        assert V[key] in content.text, key
    assert f"Member: {V['repeat_row']} | Relationship: Uncle | Contact: Weekly" in content.text
    assert "Subject to a plan \u2612" in content.text  # a ticked legacy checkbox
    assert "FORMCHECKBOX" not in content.text
    assert DOB in content.text
    assert not content.problems
    text = content.text
    # A text box is written twice (DrawingML and its VML fallback): read once.
    assert text.count(V["textbox"]) == 1
    # Headings sit next to values; the nested table stays in its cell, on its row's line.
    row = next(line for line in text.splitlines() if V["cell_name"] in line)
    assert f"Name: {V['cell_name']}" in row and f"DOB: {DOB}" in row
    assert V["nested"] in row and f"Sibling: {V['nested']}" in row
    # Tracked changes: the paragraph as it is now, and as it was (the deleted name whole, not run together).
    assert f"Name changed to {V['inserted']}" in text
    assert f"Name changed to {V['deleted']}" in text
    # Header first, as a reader sees the page.
    assert text.index(V["header"]) < text.index(V["body"]) < text.index(V["footer"])


def test_docx_embedded_files_and_pictures_go_to_the_caller() -> None:
    content = documents.docx_content(_docx(), LIMITS)
    names = [name for name, _ in content.embedded]
    assert "word/embeddings/oleObject1.bin" in names and "word/media/image1.png" in names
    assert "word/afchunk.htm" in names  # an imported chunk (w:altChunk) is shown as part of the body
    assert dict(content.embedded)["word/media/image1.png"] == PNG


def test_docx_embedded_file_over_the_size_limit_is_a_problem_not_data() -> None:
    big = _patch(_docx(), add={"word/embeddings/package2.xlsx": b"PK" + b"\x01" * 5000})
    content = documents.docx_content(big, ExtractionLimits(max_attachment_bytes=1000))
    assert "word/embeddings/package2.xlsx" not in dict(content.embedded)
    assert any("larger than 1000 bytes" in p for p in content.problems)
    _no_content_in(content.problems)


def test_docx_damaged_part_in_the_package_is_a_problem_the_rest_is_read() -> None:
    data = _patch(_docx(), change={"word/comments.xml": lambda xml: xml[:-20]})
    content = documents.docx_content(data, LIMITS)
    assert V["body"] in content.text and V["comment"] not in content.text
    assert any("damaged part" in p for p in content.problems)
    _no_content_in(content.problems)


@pytest.mark.parametrize("damage, reason", [
    (lambda d: d[: len(d) // 2], "damaged Word document"),
    (lambda d: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + d[8:], "password-protected or legacy Word document"),
    (lambda d: _patch(d, change={"word/document.xml": lambda xml: xml.replace(b"</w:body>", b"")}),
     "damaged Word document (XMLSyntaxError)"),
])
def test_damaged_docx_is_unreadable_and_the_reason_has_no_content(damage: Callable[[bytes], bytes], reason: str) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        documents.docx_content(damage(_docx()), LIMITS)
    assert reason in str(caught.value)
    _no_content_in(str(caught.value))


def test_docx_entities_are_not_expanded() -> None:
    bomb = (b"<?xml version='1.0'?><!DOCTYPE w:document [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
            b"<w:document xmlns:w='" + W_NS.encode() + b"'><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>")
    data = _patch(_docx(), change={"word/document.xml": lambda _: bomb})
    try:
        content = documents.docx_content(data, LIMITS)
    except UnreadableDocument as exc:
        _no_content_in(str(exc))
    else:
        assert "aaaaaaaaaa" not in content.text


# --- Excel ------------------------------------------------------------------------------------


def _xlsx(rows: int = 0) -> bytes:
    from openpyxl.comments import Comment

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Visible"
    sheet.append(["Name", "DOB", "Worker"])
    sheet.append([V["sheet_visible"], DOB, "Team A"])
    sheet["A2"].comment = Comment(f"Also known as {V['xl_comment']}", "Worker")
    sheet["D2"] = f'=IF(A2="","{V["literal"]}","")'
    sheet.oddHeader.center.text = f"Case of {V['xl_header']}"
    for i in range(rows):
        sheet.append([f"row {i}", i, i])
    hidden = book.create_sheet("Hidden")
    hidden.sheet_state = "hidden"
    hidden.append(["Name", "Notes"])
    hidden.append([V["sheet_hidden"], "looked after"])
    very = book.create_sheet("VeryHidden")
    very.sheet_state = "veryHidden"
    very.append(["Name"])
    very.append([V["sheet_very_hidden"]])
    very["A9"] = V["beyond_dimension"]
    buf = io.BytesIO()
    book.save(buf)
    threaded = (
        "<ThreadedComments xmlns='http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments'>"
        "<threadedComment ref='B2' dT='2024-01-01T00:00:00.00' personId='{00000000-0000-0000-0000-000000000001}'"
        f" id='{{00000000-0000-0000-0000-000000000002}}'><text>Sister is {escape(V['xl_threaded'])}</text>"
        "</threadedComment></ThreadedComments>"
    )
    threaded_rel = ("<Relationship Id='rIdT1' Type='http://schemas.microsoft.com/office/2017/10/relationships/threadedComment'"
                    " Target='../threadedComments/threadedComment1.xml'/>")

    def shrink_dimension(xml: bytes) -> bytes:
        # A wrong stored dimension hides rows from openpyxl's read-only mode.
        import re
        return re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:A2"/>', xml)

    # openpyxl writes inline strings; Excel keeps strings in a shared table, where a deleted or overwritten
    # cell's text stays behind.
    shared = ("<sst xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main' count='2' uniqueCount='2'>"
              f"<si><t>Name</t></si><si><r><t>{escape(V['leftover'].split()[0])} </t></r>"
              f"<r><t>{escape(V['leftover'].split()[1])}</t></r><rPh sb='0' eb='1'><t>ignored</t></rPh></si></sst>")
    shared_rel = (f"<Relationship Id='rIdS1' Type='{REL}/sharedStrings' Target='sharedStrings.xml'/>")
    return _patch(buf.getvalue(), change={
        "xl/_rels/workbook.xml.rels": _insert_before(b"</Relationships>", shared_rel),
        "[Content_Types].xml": _insert_before(b"</Types>", "<Override PartName='/xl/sharedStrings.xml' ContentType="
                                              "'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml'/>"),
        "xl/worksheets/_rels/sheet1.xml.rels": _insert_before(b"</Relationships>", threaded_rel),
        "xl/worksheets/sheet3.xml": shrink_dimension,
    }, add={
        "xl/sharedStrings.xml": shared.encode(),
        "xl/threadedComments/threadedComment1.xml": threaded.encode(),
        "xl/embeddings/Microsoft_Word_Document1.docx": b"PK\x03\x04" + b"\x00" * 40,
        "xl/media/image1.png": PNG,
    })


def test_xlsx_reads_hidden_sheets_comments_leftovers_and_formula_literals() -> None:
    content = documents.xlsx_content(_xlsx(), LIMITS)
    text = content.text
    for key in ("sheet_visible", "sheet_hidden", "sheet_very_hidden", "beyond_dimension", "xl_comment",
                "xl_threaded", "leftover", "literal", "xl_header"):
        assert V[key] in text, key
    assert f"Name: {V['sheet_visible']} | DOB: {DOB}" in text
    assert "Sheet: Hidden (hidden)" in text and "Sheet: VeryHidden (veryHidden)" in text
    assert f"Comment Visible!B2: Sister is {V['xl_threaded']}" in text
    assert "ignored" not in text  # phonetic runs are not part of the string
    # A string shown in a cell is not repeated from the shared strings.
    assert text.count(V["sheet_hidden"]) == 1
    assert not content.truncated and not content.problems
    assert {"xl/embeddings/Microsoft_Word_Document1.docx", "xl/media/image1.png"} <= set(dict(content.embedded))


def test_openpyxl_read_only_mode_lists_hidden_sheets() -> None:
    book = openpyxl.load_workbook(io.BytesIO(_xlsx()), read_only=True)
    assert [(s.title, s.sheet_state) for s in book.worksheets] == [
        ("Visible", "visible"), ("Hidden", "hidden"), ("VeryHidden", "veryHidden")]
    book.close()


def test_xlsx_cell_limit_truncates() -> None:
    content = documents.xlsx_content(_xlsx(rows=50), ExtractionLimits(max_sheet_cells=60))
    assert content.truncated
    assert V["sheet_visible"] in content.text


def test_xlsx_shared_strings_bomb_is_refused_before_openpyxl_reads_it() -> None:
    bomb = ("<sst xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
            + "<si><t>x</t></si>" * 200_000 + "</sst>").encode()  # 3.4 MB that compresses to a few KB
    data = _patch(_xlsx(), change={"xl/sharedStrings.xml": lambda _: bomb})
    with pytest.raises(UnreadableDocument, match="more than the total size limit"):
        documents.xlsx_content(data, ExtractionLimits(max_total_bytes=1_000_000))


def test_oversized_word_part_is_unreadable_and_oversized_extra_part_is_a_problem() -> None:
    padding = "<w:p/>" * 200_000
    big_body = _patch(_docx(), change={"word/document.xml": _insert_before(b"<w:sectPr", padding)})
    with pytest.raises(UnreadableDocument, match="more than the total size limit"):
        documents.docx_content(big_body, ExtractionLimits(max_total_bytes=1_000_000))
    big_note = _patch(_docx(), change={"word/footnotes.xml": _insert_before(b"</w:footnotes>", f"<w:footnote>{padding}</w:footnote>")})
    content = documents.docx_content(big_note, ExtractionLimits(max_total_bytes=1_000_000))
    assert V["body"] in content.text and content.truncated
    assert any("total size limit" in p for p in content.problems)


@pytest.mark.parametrize("damage", [
    lambda d: d[: len(d) // 3],
    lambda d: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + d[8:],
    lambda d: _patch(d, change={"xl/workbook.xml": lambda xml: xml[: len(xml) // 2]}),
])
def test_damaged_xlsx_is_unreadable(damage: Callable[[bytes], bytes]) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        documents.xlsx_content(damage(_xlsx()), LIMITS)
    assert "Excel" in str(caught.value)
    _no_content_in(str(caught.value))


# --- PowerPoint -------------------------------------------------------------------------------

P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _shape(text: str) -> str:
    return (f"<p:sp><p:nvSpPr><p:cNvPr id='2' name='Title'/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/>"
            f"<p:txBody><a:bodyPr/><a:p><a:r><a:t>{escape(text)}</a:t></a:r></a:p></p:txBody></p:sp>")


def _slide_xml(body: str, show: bool = True) -> bytes:
    hidden = "" if show else " show='0'"
    return (f"<p:sld xmlns:p='{P_NS}' xmlns:a='{A_NS}' xmlns:r='{REL}'{hidden}><p:cSld><p:spTree>"
            f"<p:nvGrpSpPr><p:cNvPr id='1' name=''/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>"
            f"{body}</p:spTree></p:cSld></p:sld>").encode()


def _pptx() -> bytes:
    table = (
        "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id='4' name='Table'/><p:cNvGraphicFramePr/><p:nvPr/>"
        "</p:nvGraphicFramePr><p:xfrm/><a:graphic><a:graphicData uri='http://schemas.openxmlformats.org/drawingml/2006/table'>"
        "<a:tbl><a:tr h='1'><a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>Name</a:t></a:r></a:p></a:txBody></a:tc>"
        "<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>DOB</a:t></a:r></a:p></a:txBody></a:tc>"
        "<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>Area</a:t></a:r></a:p></a:txBody></a:tc></a:tr>"
        f"<a:tr h='1'><a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>{escape(V['ppt_table'])}</a:t></a:r></a:p></a:txBody></a:tc>"
        f"<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>{DOB}</a:t></a:r></a:p></a:txBody></a:tc>"
        "<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>North</a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl>"
        "</a:graphicData></a:graphic></p:graphicFrame>"
    )
    notes = (f"<p:notes xmlns:p='{P_NS}' xmlns:a='{A_NS}'><p:cSld><p:spTree>{_shape('Speaker: ' + V['notes'])}"
             "</p:spTree></p:cSld></p:notes>").encode()
    comments = (f"<p:cmLst xmlns:p='{P_NS}'><p:cm authorId='0' idx='1'><p:pos x='0' y='0'/>"
                f"<p:text>Ask about {escape(V['ppt_comment'])}</p:text></p:cm></p:cmLst>").encode()
    types = (b"<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'>"
             b"<Default Extension='rels' ContentType='application/vnd.openxmlformats-package.relationships+xml'/>"
             b"<Default Extension='xml' ContentType='application/xml'/><Default Extension='png' ContentType='image/png'/>"
             b"<Override PartName='/ppt/presentation.xml' ContentType='application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'/>"
             b"</Types>")
    members = {
        "[Content_Types].xml": types,
        "_rels/.rels": (f"<Relationships xmlns='{PKG_REL}'><Relationship Id='rId1' Type='{REL}/officeDocument'"
                        " Target='ppt/presentation.xml'/></Relationships>").encode(),
        "ppt/presentation.xml": (f"<p:presentation xmlns:p='{P_NS}' xmlns:r='{REL}'><p:sldIdLst>"
                                 "<p:sldId id='256' r:id='rId2'/><p:sldId id='257' r:id='rId3'/></p:sldIdLst></p:presentation>").encode(),
        "ppt/_rels/presentation.xml.rels": (f"<Relationships xmlns='{PKG_REL}'>"
                                            f"<Relationship Id='rId2' Type='{REL}/slide' Target='slides/slide2.xml'/>"
                                            f"<Relationship Id='rId3' Type='{REL}/slide' Target='slides/slide1.xml'/>"
                                            "</Relationships>").encode(),
        "ppt/slides/slide1.xml": _slide_xml(_shape(V["slide_hidden"]), show=False),
        "ppt/slides/slide2.xml": _slide_xml(_shape(f"Review of {V['slide']}") + table),
        "ppt/slides/_rels/slide2.xml.rels": (f"<Relationships xmlns='{PKG_REL}'>"
                                             f"<Relationship Id='rId1' Type='{REL}/notesSlide' Target='../notesSlides/notesSlide1.xml'/>"
                                             f"<Relationship Id='rId2' Type='{REL}/comments' Target='../comments/comment1.xml'/>"
                                             f"<Relationship Id='rId3' Type='{REL}/image' Target='../media/image1.png'/>"
                                             "</Relationships>").encode(),
        "ppt/notesSlides/notesSlide1.xml": notes,
        # SmartArt keeps its text in the diagram data part, charts their labels in a cache.
        "ppt/diagrams/data1.xml": (f"<dgm:dataModel xmlns:dgm='http://schemas.openxmlformats.org/drawingml/2006/diagram'"
                                   f" xmlns:a='{A_NS}'><dgm:ptLst><dgm:pt modelId='1'><dgm:t><a:bodyPr/><a:p><a:r>"
                                   f"<a:t>{escape(V['smartart'])}</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst>"
                                   "</dgm:dataModel>").encode(),
        "ppt/charts/chart1.xml": ("<c:chartSpace xmlns:c='http://schemas.openxmlformats.org/drawingml/2006/chart'><c:chart>"
                                  "<c:plotArea><c:barChart><c:ser><c:cat><c:strRef><c:f>Sheet1!A2</c:f><c:strCache>"
                                  f"<c:ptCount val='1'/><c:pt idx='0'><c:v>{escape(V['chart_label'])}</c:v></c:pt>"
                                  "</c:strCache></c:strRef></c:cat></c:ser></c:barChart></c:plotArea></c:chart>"
                                  "</c:chartSpace>").encode(),
        "ppt/comments/comment1.xml": comments,
        "ppt/media/image1.png": PNG,
        "ppt/embeddings/Microsoft_Excel_Worksheet1.xlsx": b"PK\x03\x04" + b"\x00" * 40,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_pptx_reads_slides_in_order_hidden_slides_notes_comments_and_tables() -> None:
    content = documents.pptx_content(_pptx(), LIMITS)
    text = content.text
    for key in ("slide", "slide_hidden", "notes", "ppt_comment", "ppt_table", "smartart", "chart_label"):
        assert V[key] in text, key
    assert text.index(V["slide"]) < text.index(V["notes"]) < text.index(V["slide_hidden"])  # presentation order
    assert f"Name: {V['ppt_table']} | DOB: {DOB}" in text
    assert {"ppt/media/image1.png", "ppt/embeddings/Microsoft_Excel_Worksheet1.xlsx"} <= set(dict(content.embedded))
    assert not content.problems


def test_damaged_pptx_is_unreadable() -> None:
    data = _patch(_pptx(), change={"ppt/presentation.xml": lambda xml: xml[:30]})
    with pytest.raises(UnreadableDocument, match="damaged PowerPoint document"):
        documents.pptx_content(data, LIMITS)
    with pytest.raises(UnreadableDocument, match="not a ZIP container"):
        documents.pptx_content(b"PK\x03\x04 not really", LIMITS)


# --- PDF --------------------------------------------------------------------------------------


def _pdf(extra_pages: int = 0) -> bytes:
    """Page 1: text and a form; page 2: drawn but no text (a scan); then ``extra_pages`` pages of text."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 760, f"Assessment of {V['pdf_text']}")
    c.acroForm.textfield(name="child_name", tooltip="Child's name", value=V["pdf_field"], x=72, y=700, width=300)
    c.acroForm.textfield(name="dob", tooltip="Date of birth", value=DOB, x=72, y=660, width=300)
    c.acroForm.checkbox(name="consent", tooltip="Consent given", checked=True, x=72, y=620)
    c.showPage()
    c.rect(72, 72, 400, 600, fill=1)  # an image-only page has drawing but no text layer
    c.showPage()
    for i in range(extra_pages):
        c.drawString(72, 760, f"Page {i + 3}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _pdf_with_extras() -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import FreeText, Text
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        TextStringObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.add_annotation(0, Text(rect=(50, 550, 200, 650), text=f"Sticky note: {V['pdf_annotation']}"))
    writer.add_annotation(0, FreeText(text=f"Typed on page: {V['pdf_freetext']}", rect=(50, 400, 300, 450)))
    writer.add_attachment("care-plan.csv", f"Name,DOB\n{V['pdf_text']},{DOB}\n".encode())
    # A file-attachment annotation (a paperclip on the page) carrying its own file.
    stream = DecodedStreamObject()
    stream.set_data(b"attached notes")
    stream[NameObject("/Type")] = NameObject("/EmbeddedFile")
    spec = DictionaryObject({
        NameObject("/Type"): NameObject("/Filespec"),
        NameObject("/F"): TextStringObject("paperclip.txt"),
        NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(stream)}),
    })
    clip = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject([FloatObject(10), FloatObject(10), FloatObject(30), FloatObject(30)]),
        NameObject("/FS"): writer._add_object(spec),
    })
    writer.add_annotation(0, clip)
    # XFA form data (LiveCycle forms keep typed values there).
    datasets = DecodedStreamObject()
    datasets.set_data(
        f"<xfa:datasets xmlns:xfa='http://www.xfa.org/schema/xfa-data/1.0/'><xfa:data><form1>"
        f"<carerName>{escape(V['pdf_xfa'])}</carerName></form1></xfa:data></xfa:datasets>".encode())
    acro = writer._root_object["/AcroForm"].get_object()
    assert isinstance(acro, DictionaryObject)
    acro[NameObject("/XFA")] = ArrayObject([TextStringObject("datasets"), writer._add_object(datasets)])
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_pdf_reads_text_form_fields_annotations_attachments_and_finds_scanned_pages() -> None:
    content = documents.pdf_content(_pdf_with_extras(), LIMITS)
    text = content.text
    for key in ("pdf_text", "pdf_field", "pdf_annotation", "pdf_freetext", "pdf_xfa"):
        assert V[key] in text, key
    assert f"Child's name: {V['pdf_field']}" in text
    assert f"Date of birth: {DOB}" in text
    assert "Consent given: " in text  # a ticked box, by its export name
    assert f"carerName: {V['pdf_xfa']}" in text
    embedded = dict(content.embedded)
    assert embedded["care-plan.csv"].startswith(b"Name,DOB")
    assert embedded["paperclip.txt"] == b"attached notes"
    assert content.ocr_pages == [1]
    assert not content.problems and not content.truncated


def test_pdf_page_limit_truncates_and_pages_past_it_are_not_read() -> None:
    content = documents.pdf_content(_pdf(extra_pages=5), ExtractionLimits(max_pdf_pages=4))
    assert content.truncated
    assert "Page 4" in content.text and "Page 5" not in content.text
    assert content.ocr_pages == [1]


def test_pdf_glyphs_placed_one_by_one_and_bookmarks_are_read() -> None:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    x = 60.0
    for ch in f"Child: {V['pdf_glyphs']}":
        c.drawString(x, 780, ch)  # each glyph on its own, as justified output or an evasion writes it
        x += c.stringWidth(ch, "Helvetica", 12) + 0.4
    c.bookmarkPage("b0")
    c.addOutlineEntry(f"Referral {V['pdf_bookmark']}", "b0", level=0)
    c.showOutline()
    c.showPage()
    c.save()
    content = documents.pdf_content(buf.getvalue(), LIMITS)
    assert f"Child: {V['pdf_glyphs']}" in content.text
    assert f"Referral {V['pdf_bookmark']}" in content.text


def test_pdf_attachment_over_the_size_limit_is_a_problem() -> None:
    content = documents.pdf_content(_pdf_with_extras(), ExtractionLimits(max_attachment_bytes=20))
    assert "care-plan.csv" not in dict(content.embedded)
    assert any("larger than 20 bytes" in p for p in content.problems)
    _no_content_in(content.problems)


def test_pdf_parser_messages_quoting_the_file_stay_out_of_the_logs(caplog: pytest.LogCaptureFixture,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    data = _pdf()
    at = data.index(b"/TU (Child")
    damaged = data[:at] + b"\xbd" + data[at + 1:]  # pypdf logs the bytes around a broken object: the field value
    with caplog.at_level(logging.DEBUG):
        content = documents.pdf_content(damaged, LIMITS)
    assert V["pdf_text"] in content.text
    _no_content_in([record.getMessage() for record in caplog.records])
    _no_content_in(capsys.readouterr().err)


def test_encrypted_and_damaged_pdfs_are_unreadable() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.encrypt("a-password")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(UnreadableDocument, match="^password-protected PDF$"):
        documents.pdf_content(buf.getvalue(), LIMITS)
    for damaged in (b"%PDF-1.7\n" + b"\x00garbage" * 20, _pdf()[:200]):
        with pytest.raises(UnreadableDocument) as caught:
            documents.pdf_content(damaged, LIMITS)
        assert str(caught.value).startswith("damaged PDF (")
        _no_content_in(str(caught.value))


# --- OpenDocument -----------------------------------------------------------------------------


def _odt() -> bytes:
    from odf.draw import Frame, TextBox
    from odf.office import Annotation
    from odf.opendocument import OpenDocumentText
    from odf.style import Footer, Header, MasterPage, PageLayout
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, Note, NoteBody, NoteCitation, P

    doc = OpenDocumentText()
    layout = PageLayout(name="pl")
    doc.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    header = Header()
    header.addElement(P(text=f"Re: {V['odt_header']}"))
    master.addElement(header)
    master.addElement(Footer())
    doc.masterstyles.addElement(master)

    doc.text.addElement(H(outlinelevel=1, text=f"Plan for {V['odt_heading']}"))
    items = List()
    item = ListItem()
    item.addElement(P(text=f"Sibling {V['odt_list']}"))
    items.addElement(item)
    doc.text.addElement(items)

    para = P(text="See the note")
    note = Note(noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text=f"Footnote about {V['odt_note']}"))
    note.addElement(body)
    para.addElement(note)
    comment = Annotation()
    comment.addElement(P(text=f"Check {V['odt_comment']}"))
    para.addElement(comment)
    frame = Frame(width="5cm", height="2cm", anchortype="paragraph")
    box = TextBox()
    box.addElement(P(text=f"Box: {V['odt_textbox']}"))
    frame.addElement(box)
    para.addElement(frame)
    doc.text.addElement(para)

    def table(rows: list[list[object]]) -> Table:
        t = Table()
        t.addElement(TableColumn(numbercolumnsrepeated=len(rows[0])))
        for values in rows:
            tr = TableRow()
            for value in values:
                tc = TableCell()
                if hasattr(value, "qname"):  # odfpy elements are made by functions, not classes
                    tc.addElement(value)
                else:
                    tc.addElement(P(text=str(value)))
                tr.addElement(tc)
            t.addElement(tr)
        return t

    inner = table([["Sibling", "School", "Year"], [V["odt_nested"], "Hillside", "Year 4"]])
    doc.text.addElement(table([["Name", "DOB", "Family"], [V["odt_cell"], DOB, inner]]))
    doc.addPicture("Pictures/photo.png", "image/png", PNG)
    buf = io.BytesIO()
    doc.save(buf)
    # Tracked changes: the deleted paragraph stays in the file (odfpy writes no tracked changes itself).
    tracked = (
        "<text:tracked-changes xmlns:dc='http://purl.org/dc/elements/1.1/'><text:changed-region text:id='ct1'><text:deletion>"
        "<office:change-info><dc:creator>Worker</dc:creator><dc:date>2024-01-01T00:00:00</dc:date></office:change-info>"
        f"<text:p>Removed: {escape(V['odt_deleted'])}</text:p></text:deletion></text:changed-region></text:tracked-changes>"
    )
    return _patch(buf.getvalue(), change={"content.xml": _insert_before(b"<text:h", tracked)})


def test_odt_reads_headings_lists_tables_notes_comments_boxes_headers_and_deletions() -> None:
    content = documents.opendocument_content(_odt(), LIMITS)
    text = content.text
    for key in ("odt_heading", "odt_list", "odt_cell", "odt_nested", "odt_comment", "odt_note", "odt_textbox",
                "odt_header", "odt_deleted"):
        assert V[key] in text, key
    row = next(line for line in text.splitlines() if V["odt_cell"] in line)
    assert f"Name: {V['odt_cell']}" in row and f"DOB: {DOB}" in row and f"Sibling: {V['odt_nested']}" in row
    assert "Worker" not in text  # the change's author is staff, not content
    assert dict(content.embedded)["Pictures/photo.png"] == PNG
    assert not content.problems


def _ods() -> bytes:
    from odf.office import Annotation
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    hidden_style = Style(name="hiddensheet", family="table")
    hidden_style.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(hidden_style)

    def sheet(name: str, rows: list[list[str]], style: Style | None = None) -> Table:
        t = Table(name=name, stylename=style) if style else Table(name=name)
        for values in rows:
            tr = TableRow()
            for value in values:
                tc = TableCell(valuetype="string")
                tc.addElement(P(text=value))
                tr.addElement(tc)
            t.addElement(tr)
        return t

    visible = sheet("Register", [["Name", "DOB", "Flag"], ["Amy Test", DOB, ""]])
    row = visible.childNodes[-1]
    noted = row.childNodes[0]
    comment = Annotation()
    comment.addElement(P(text=f"Carer {V['ods_comment']}"))
    noted.addElement(comment)
    formula = TableCell(formula=f'of:=IF([.A2]="";"{V["ods_literal"]}";"")', valuetype="string")
    row.addElement(formula)
    # A wide run of empty repeated columns must not be expanded cell by cell.
    row.addElement(TableCell(numbercolumnsrepeated=16000))
    doc.spreadsheet.addElement(visible)
    doc.spreadsheet.addElement(sheet("Secret", [["Name"], [V["ods_hidden"]]], hidden_style))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_ods_reads_hidden_sheets_comments_and_formula_literals() -> None:
    content = documents.opendocument_content(_ods(), LIMITS)
    text = content.text
    for key in ("ods_hidden", "ods_comment", "ods_literal"):
        assert V[key] in text, key
    assert "Sheet: Secret (hidden)" in text
    assert f"Name: Amy Test | DOB: {DOB}" in text
    assert len(text) < 2000


def _odp() -> bytes:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation
    from odf.presentation import Notes
    from odf.style import MasterPage, PageLayout
    from odf.text import P

    doc = OpenDocumentPresentation()
    layout = PageLayout(name="pl")
    doc.automaticstyles.addElement(layout)
    master = MasterPage(name="Default", pagelayoutname=layout)
    doc.masterstyles.addElement(master)
    page = Page(masterpagename=master)
    frame = Frame(width="10cm", height="2cm", x="1cm", y="1cm")
    box = TextBox()
    box.addElement(P(text=f"Case review: {V['odp_slide']}"))
    frame.addElement(box)
    page.addElement(frame)
    notes = Notes()
    notes_frame = Frame(width="10cm", height="2cm", x="1cm", y="1cm")
    notes_box = TextBox()
    notes_box.addElement(P(text=f"Say: {V['odp_notes']}"))
    notes_frame.addElement(notes_box)
    notes.addElement(notes_frame)
    page.addElement(notes)
    doc.presentation.addElement(page)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_odp_reads_slides_and_notes() -> None:
    content = documents.opendocument_content(_odp(), LIMITS)
    assert V["odp_slide"] in content.text and V["odp_notes"] in content.text


def test_damaged_opendocument_is_unreadable_and_nothing_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    broken = _patch(_odt(), change={"content.xml": lambda xml: xml[: len(xml) - 40]})
    locked = _patch(_odt(), change={"META-INF/manifest.xml": lambda xml: xml.replace(
        b"</manifest:manifest>", b"<!-- manifest:encryption-data --></manifest:manifest>")})
    for data, reason in ((broken, "damaged OpenDocument file"), (locked, "password-protected OpenDocument file"),
                         (_odt()[:100], "damaged OpenDocument file")):
        with pytest.raises(UnreadableDocument) as caught:
            documents.opendocument_content(data, LIMITS)
        assert reason in str(caught.value)
        _no_content_in(str(caught.value))
    printed = capsys.readouterr()
    _no_content_in([printed.out, printed.err])


# --- TNEF (winmail.dat) -----------------------------------------------------------------------


def _tnef_attribute(level: int, name: int, kind: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", checksum)


def _mapi_binary(prop_id: int, data: bytes) -> bytes:
    padded = data + b"\x00" * (-len(data) % 4)
    return struct.pack("<HHII", 0x0102, prop_id, 1, len(data)) + padded


def _tnef(rtf: bytes | None = None) -> bytes:
    from compressed_rtf import compress

    rtf = rtf if rtf is not None else ("{\\rtf1\\ansi Referral about " + V["tnef_rtf"] + "\\par}").encode()
    html = f"<html><body><p>Hello, about <b>{escape(V['tnef_html'])}</b></p></body></html>".encode()
    mapi = struct.pack("<I", 2) + _mapi_binary(0x1013, html) + _mapi_binary(0x1009, compress(rtf))
    out = struct.pack("<IH", 0x223E9F78, 1)
    out += _tnef_attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))
    out += _tnef_attribute(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))
    out += _tnef_attribute(1, 0x8004, 0x0001, f"Re: {V['tnef_subject']}\x00".encode())
    out += _tnef_attribute(1, 0x800C, 0x0002, f"Plain body about {V['tnef_plain']}".encode())
    out += _tnef_attribute(1, 0x9003, 0x0006, mapi)
    out += _tnef_attribute(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)
    out += _tnef_attribute(2, 0x8010, 0x0001, b"plan.txt\x00")
    out += _tnef_attribute(2, 0x800F, 0x0006, f"Name: {V['tnef_plain']}".encode())
    return out


def test_tnef_reads_subject_every_body_and_hands_back_attachments() -> None:
    content = documents.tnef_content(_tnef(), LIMITS)
    for key in ("tnef_subject", "tnef_plain", "tnef_html", "tnef_rtf"):
        assert V[key] in content.text, key
    assert "<b>" not in content.text and "\\rtf1" not in content.text
    assert dict(content.embedded)["plan.txt"] == f"Name: {V['tnef_plain']}".encode()
    assert not content.problems


def test_tnef_counts_larger_than_the_data_are_refused_before_tnefparse_loops_on_them() -> None:
    import time

    huge_count = struct.pack("<I", 0xFFFFFFFF) + b"\x00" * 8  # tnefparse would loop 4 billion times
    data = struct.pack("<IH", 0x223E9F78, 1) + _tnef_attribute(1, 0x9003, 0x0006, huge_count)
    started = time.monotonic()
    with pytest.raises(UnreadableDocument, match="property count larger than the data"):
        documents.tnef_content(data, LIMITS)
    nested = struct.pack("<I", 1) + struct.pack("<HHI", 0x1002, 0x0E17, 0xFFFFFF)  # a multi-value count
    with pytest.raises(UnreadableDocument, match="value count larger than the data"):
        documents.tnef_content(struct.pack("<IH", 0x223E9F78, 1) + _tnef_attribute(1, 0x9003, 0x0006, nested), LIMITS)
    assert time.monotonic() - started < 2


def test_tnef_damaged_is_unreadable() -> None:
    for data in (b"\x78\x9f\x3e\x22\x01", b"not tnef at all", _tnef()[:40] + b"\xff" * 3):
        try:
            content = documents.tnef_content(data, LIMITS)
        except UnreadableDocument as exc:
            assert "TNEF" in str(exc)
            _no_content_in(str(exc))
        else:  # tnefparse read what it could: nothing it could not decode is passed off as read
            _no_content_in(content.text)
    with pytest.raises(UnreadableDocument, match="damaged TNEF"):
        documents.tnef_content(b"not tnef at all", LIMITS)


# --- All readers ------------------------------------------------------------------------------


@pytest.mark.parametrize("reader, build", [
    (documents.docx_content, _docx), (documents.xlsx_content, _xlsx), (documents.pptx_content, _pptx),
    (documents.pdf_content, _pdf_with_extras), (documents.opendocument_content, _odt),
    (documents.tnef_content, _tnef),
])
def test_text_limit_is_kept_and_flagged(reader: Callable[[bytes, ExtractionLimits], DocumentContent],
                                        build: Callable[[], bytes]) -> None:
    content = reader(build(), ExtractionLimits(max_text_chars=40))
    assert len(content.text) <= 40 and content.truncated


@pytest.mark.parametrize("reader", [
    documents.docx_content, documents.xlsx_content, documents.pptx_content, documents.pdf_content,
    documents.opendocument_content, documents.tnef_content,
])
def test_random_bytes_are_unreadable_not_a_crash(reader: Callable[[bytes, ExtractionLimits], DocumentContent]) -> None:
    import random

    rng = random.Random(7)
    for prefix in (b"PK\x03\x04", b"%PDF-1.4\n", b"\x78\x9f\x3e\x22", b""):
        data = prefix + bytes(rng.randrange(256) for _ in range(2000))
        try:
            reader(data, LIMITS)
        except UnreadableDocument as exc:
            assert str(exc)
