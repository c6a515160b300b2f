"""Class 4: office documents and PDFs whose visible body is harmless while the referral sits
in a part of the file a naive text extractor skips. Each file opens in Word/Excel/Acrobat
(or LibreOffice) and shows, or keeps one click away, the child's details."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest

from . import builders, mime
from .builders import w_paragraphs
from .checks import assert_stopped
from .synth import CSV_HEADER, children_csv

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


def _lines(child) -> list[str]:
    return child.form().rstrip("\n").split("\n")


def _send(scan, data: bytes, ctype: str, name: str):
    return scan(mime.with_attachment(mime.attachment(data, ctype, name)))


# ---------------------------------------------------------------------------- Word: raw XML


def _block_sdt(lines: list[str]) -> str:
    return ('<w:sdt><w:sdtPr><w:alias w:val="Referral details"/><w:tag w:val="referral"/><w:id w:val="101"/>'
            f"</w:sdtPr><w:sdtContent>{w_paragraphs(lines)}</w:sdtContent></w:sdt>")


def _run_level_sdt_form(child) -> str:
    fields = [("Child's name", child.name), ("Date of birth", child.dob_text), ("NHS number", child.nhs_text),
              ("Home address", f"{child.address} {child.postcode}"), ("Mother", f"{child.parent} {child.phone}")]
    out = []
    for i, (label, value) in enumerate(fields):
        out.append(f'<w:p><w:r><w:t xml:space="preserve">{label}: </w:t></w:r>'
                   f'<w:sdt><w:sdtPr><w:alias w:val="{label}"/><w:id w:val="{200 + i}"/><w:text/></w:sdtPr>'
                   f'<w:sdtContent><w:r><w:t xml:space="preserve">{escape(value)}</w:t></w:r></w:sdtContent>'
                   "</w:sdt></w:p>")
    return "".join(out)


def _tracked_insertion(lines: list[str]) -> str:
    return "".join(f'<w:p><w:ins w:id="{300 + i}" w:author="Jo Bloggs" w:date="2026-05-13T16:00:00Z"><w:r>'
                   f'<w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:ins></w:p>' for i, line in enumerate(lines))


def _tracked_deletion(lines: list[str]) -> str:
    return "".join(f'<w:p><w:del w:id="{400 + i}" w:author="Jo Bloggs" w:date="2026-05-13T16:00:00Z"><w:r>'
                   f'<w:delText xml:space="preserve">{escape(line)}</w:delText></w:r></w:del></w:p>'
                   for i, line in enumerate(lines))


def _vml_text_box(lines: list[str]) -> str:
    return ('<w:p><w:r><w:pict><v:shape id="TextBox1" type="#_x0000_t202" style="width:420pt;height:180pt">'
            f"<v:textbox><w:txbxContent>{w_paragraphs(lines)}</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>")


def _drawingml_text_box(lines: list[str]) -> str:
    return ('<w:p><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="5400000" '
            'cy="2300000"/><wp:docPr id="7" name="Text Box 7"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/'
            'drawingml/2006/main"><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="5400000" cy="2300000"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr><wps:txbx><w:txbxContent>'
            f"{w_paragraphs(lines)}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>"
            "</wp:inline></w:drawing></w:r></w:p>")


def _hidden_text(lines: list[str]) -> str:
    return w_paragraphs(lines, run_props="<w:vanish/>")


def _mail_merge_fields(child) -> str:
    fields = [("ChildName", child.name), ("DOB", child.dob_text), ("NHSNumber", child.nhs_text),
              ("Address", f"{child.address} {child.postcode}"), ("Parent", child.parent)]
    return "".join(f'<w:p><w:r><w:t xml:space="preserve">{name}: </w:t></w:r>'
                   f'<w:fldSimple w:instr=" MERGEFIELD {name} "><w:r><w:t xml:space="preserve">{escape(value)}</w:t>'
                   "</w:r></w:fldSimple></w:p>" for name, value in fields)


def _complex_field_results(child) -> str:
    # fldChar begin/separate/end with the result runs between separate and end
    out = []
    for name, value in [("ChildName", child.name), ("DOB", child.dob_text), ("NHSNumber", child.nhs_text)]:
        out.append(f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
                   f'MERGEFIELD {name} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                   f'<w:r><w:t xml:space="preserve">{escape(value)}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/>'
                   "</w:r></w:p>")
    return "".join(out)


def _smart_tags(child) -> str:
    return "".join(f'<w:p><w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="PersonName">'
                   f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:smartTag></w:p>' for line in _lines(child))


def _runs_split_mid_identifier(child) -> str:
    # Word splits runs wherever formatting, spell-check or revision ids change -- often mid-number.
    def split(label: str, value: str) -> str:
        cut1, cut2 = max(1, len(value) // 3), max(2, 2 * len(value) // 3)
        pieces = [value[:cut1], value[cut1:cut2], value[cut2:]]
        runs = "".join(f'<w:r w:rsidR="00A1B2C{i}">{"<w:rPr><w:b/></w:rPr>" if i == 1 else ""}'
                       f'<w:t xml:space="preserve">{escape(p)}</w:t></w:r>' for i, p in enumerate(pieces))
        return f'<w:p><w:r><w:t xml:space="preserve">{label}: </w:t></w:r>{runs}</w:p>'

    return "".join(split(label, value) for label, value in [
        ("Child", child.name), ("Date of birth", child.dob_text), ("NHS number", child.nhs_text),
        ("Address", f"{child.address} {child.postcode}"), ("Mother", f"{child.parent} {child.phone}")])


DOCX_XML_SHAPES = {
    "runs-split-mid-identifier": _runs_split_mid_identifier,
    "block-content-control": lambda c: _block_sdt(_lines(c)),
    "run-level-content-controls-form": _run_level_sdt_form,
    "tracked-insertion": lambda c: _tracked_insertion(_lines(c)),
    "tracked-deletion": lambda c: _tracked_deletion(_lines(c)),
    "vml-text-box": lambda c: _vml_text_box(_lines(c)),
    "drawingml-text-box": lambda c: _drawingml_text_box(_lines(c)),
    "hidden-text-vanish": lambda c: _hidden_text(_lines(c)),
    "mail-merge-simple-fields": _mail_merge_fields,
    "mail-merge-complex-fields": _complex_field_results,
    "smart-tags": _smart_tags,
}


@pytest.mark.parametrize("shape", sorted(DOCX_XML_SHAPES))
def test_docx_referral_in_xml_structure(scan, child, shape):
    data = builders.docx_with_body_xml(DOCX_XML_SHAPES[shape](child))
    assert_stopped(_send(scan, data, DOCX, "assessment.docx"))


def test_docx_referral_in_footnote(scan, child):
    assert_stopped(_send(scan, builders.docx_with_footnote(_lines(child)), DOCX, "assessment.docx"))


def test_docx_with_embedded_excel_workbook(scan, children):
    # Insert > Object > Excel worksheet: the workbook travels inside the .docx.
    def build(book) -> None:
        book.active.append(CSV_HEADER)
        for c in children:
            book.active.append(c.row())

    fragment = ('<w:p><w:r><w:t xml:space="preserve">Panel list (double-click to open):</w:t></w:r></w:p>'
                '<w:p><w:r><w:object><o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ShapeID="_x0000_i1025" '
                'DrawAspect="Icon" ObjectID="_1700000001" r:id="rIdEvasionPkg"/></w:object></w:r></w:p>')
    data = builders.docx_with_package_part(
        fragment, "word/embeddings/Microsoft_Excel_Worksheet.xlsx", builders.xlsx_workbook(build),
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package", XLSX)
    assert_stopped(_send(scan, data, DOCX, "panel.docx"))


def test_docx_with_html_alt_chunk(scan, child):
    html = ("<html><body>" + "".join(f"<p>{escape(line)}</p>" for line in _lines(child)) + "</body></html>").encode()
    data = builders.docx_with_package_part(
        '<w:altChunk r:id="rIdEvasionPkg"/>', "word/afchunk.html", html,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk", "text/html")
    assert_stopped(_send(scan, data, DOCX, "assessment.docx"))


# ---------------------------------------------------------------------------- Word: python-docx


def test_docx_referral_in_header_and_footer(scan, child):
    def build(d) -> None:
        d.add_paragraph(builders.COVER_LINE)
        section = d.sections[0]
        section.header.paragraphs[0].text = f"{child.name}  DOB {child.dob_text}  NHS {child.nhs_text}"
        section.footer.paragraphs[0].text = f"{child.address} {child.postcode} - mother {child.parent} {child.phone}"

    assert_stopped(_send(scan, builders.docx_document(build), DOCX, "assessment.docx"))


def test_docx_referral_in_nested_tables(scan, child):
    def build(d) -> None:
        d.add_paragraph(builders.COVER_LINE)
        outer = d.add_table(rows=1, cols=1)
        middle = outer.cell(0, 0).add_table(rows=1, cols=1)
        inner = middle.cell(0, 0).add_table(rows=5, cols=2)
        pairs = [("Child", child.name), ("DOB", child.dob_text), ("NHS number", child.nhs_text),
                 ("Address", f"{child.address} {child.postcode}"), ("Mother", f"{child.parent} {child.phone}")]
        for row, (label, value) in zip(inner.rows, pairs, strict=True):
            row.cells[0].text, row.cells[1].text = label, value

    assert_stopped(_send(scan, builders.docx_document(build), DOCX, "assessment.docx"))


def test_docx_referral_in_comment(scan, child):
    def build(d) -> None:
        paragraph = d.add_paragraph(builders.COVER_LINE)
        d.add_comment(paragraph.runs, text=child.form(), author="Jo Bloggs", initials="JB")

    assert_stopped(_send(scan, builders.docx_document(build), DOCX, "assessment.docx"))


def test_docx_referral_in_document_properties(scan, child):
    def build(d) -> None:
        d.add_paragraph(builders.COVER_LINE)
        props = d.core_properties
        props.title = f"Referral {child.name} DOB {child.dob_text}"
        props.subject = f"NHS {child.nhs_text}, {child.address} {child.postcode}"
        props.comments = child.form()
        props.keywords = f"{child.name}; {child.parent}; safeguarding"

    assert_stopped(_send(scan, builders.docx_document(build), DOCX, "assessment.docx"))


# ---------------------------------------------------------------------------- Excel


def _xlsx_cover(book) -> object:
    ws = book.active
    ws.title = "Summary"
    ws.append(["Panel date", "Cases"])
    ws.append(["21/05/2026", "6"])
    return ws


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_xlsx_children_on_hidden_sheet(scan, children, state):
    def build(book) -> None:
        _xlsx_cover(book)
        sheet = book.create_sheet("Data")
        sheet.append(CSV_HEADER)
        for c in children:
            sheet.append(c.row())
        sheet.sheet_state = state

    assert_stopped(_send(scan, builders.xlsx_workbook(build), XLSX, "panel.xlsx"))


def test_xlsx_referral_in_cell_comments(scan, children):
    from openpyxl.comments import Comment

    def build(book) -> None:
        ws = _xlsx_cover(book)
        for i, c in enumerate(children, start=4):
            ws.cell(row=i, column=1, value=f"Case {i - 3}").comment = Comment(
                f"{c.name} DOB {c.dob_text} NHS {c.nhs_text} {c.address} {c.postcode}", "Jo Bloggs")

    assert_stopped(_send(scan, builders.xlsx_workbook(build), XLSX, "panel.xlsx"))


def test_xlsx_referral_in_print_header_and_footer(scan, child):
    def build(book) -> None:
        ws = _xlsx_cover(book)
        ws.oddHeader.center.text = f"{child.name} DOB {child.dob_text} NHS {child.nhs_text}"
        ws.oddFooter.left.text = f"{child.address} {child.postcode} mother {child.parent}"

    assert_stopped(_send(scan, builders.xlsx_workbook(build), XLSX, "panel.xlsx"))


def test_xlsx_referral_as_formula_string_literals(scan, children):
    # ="..." formulas: Excel shows the text; the file holds no cached value, only the formula.
    def build(book) -> None:
        ws = book.active
        ws.append(CSV_HEADER)
        for c in children:
            ws.append([f'="{value}"' for value in c.row()])

    assert_stopped(_send(scan, builders.xlsx_workbook(build), XLSX, "panel.xlsx"))


def test_xlsx_children_in_hidden_columns_of_visible_sheet(scan, children):
    def build(book) -> None:
        ws = book.active
        ws.append(["Case", "Allocated", *CSV_HEADER])
        for i, c in enumerate(children, start=1):
            ws.append([f"Case {i}", "CIN team", *c.row()])
        for letter in "CDEFGHIJ":
            ws.column_dimensions[letter].hidden = True

    assert_stopped(_send(scan, builders.xlsx_workbook(build), XLSX, "panel.xlsx"))


# ---------------------------------------------------------------------------- PDF


def test_pdf_acroform_field_values(scan, child):
    fields = [("child", child.name), ("dob", child.dob_text), ("nhs", child.nhs_text),
              ("address", f"{child.address} {child.postcode}"), ("mother", f"{child.parent} {child.phone}")]

    def draw(c) -> None:
        c.drawString(60, 790, "Referral form")
        for i, (name, value) in enumerate(fields):
            c.drawString(60, 740 - 40 * i, name.title())
            c.acroForm.textfield(name=name, value=value, x=160, y=730 - 40 * i, width=360, height=22,
                                 borderStyle="inset", forceBorder=True)
        c.showPage()

    assert_stopped(_send(scan, builders.pdf_canvas(draw), "application/pdf", "referral-form.pdf"))


def test_pdf_text_annotation_contents(scan, child):
    def draw(c) -> None:
        c.drawString(60, 790, "Assessment notes - see comments.")
        c.textAnnotation(child.form(), Rect=(60, 700, 90, 730))
        c.showPage()

    assert_stopped(_send(scan, builders.pdf_canvas(draw), "application/pdf", "notes.pdf"))


def test_pdf_free_text_annotation(scan, child):
    from pypdf.annotations import FreeText

    def change(writer) -> None:
        writer.add_annotation(page_number=0, annotation=FreeText(text=child.form(), rect=(50, 400, 550, 600)))

    data = builders.pdf_rewrite(builders.pdf_text(["Assessment notes - see sticky note."]), change)
    assert_stopped(_send(scan, data, "application/pdf", "notes.pdf"))


def test_pdf_embedded_file_attachment(scan, children):
    def change(writer) -> None:
        writer.add_attachment("children.csv", children_csv(children).encode())

    data = builders.pdf_rewrite(builders.pdf_text(["Panel pack - data attached."]), change)
    assert_stopped(_send(scan, data, "application/pdf", "panel-pack.pdf"))


def test_pdf_document_metadata(scan, child):
    def change(writer) -> None:
        writer.add_metadata({"/Title": f"Referral {child.name} DOB {child.dob_text}",
                             "/Subject": f"NHS {child.nhs_text} {child.address} {child.postcode}",
                             "/Keywords": f"{child.parent} {child.phone} safeguarding"})

    data = builders.pdf_rewrite(builders.pdf_text(["Assessment notes."]), change)
    assert_stopped(_send(scan, data, "application/pdf", "notes.pdf"))


def test_pdf_outline_bookmark_titles(scan, child):
    def draw(c) -> None:
        c.drawString(60, 790, "Assessment notes.")
        for i, line in enumerate(_lines(child)):
            c.bookmarkPage(f"b{i}")  # one destination per entry: reportlab keys entries by destination
            c.addOutlineEntry(line, f"b{i}", level=0 if i == 0 else 1)
        c.showOutline()
        c.showPage()

    assert_stopped(_send(scan, builders.pdf_canvas(draw), "application/pdf", "notes.pdf"))


def test_pdf_characters_placed_one_by_one(scan, child):
    # Each glyph positioned on its own (as many generators write justified or kerned text).
    def draw(c) -> None:
        y = 780
        for line in _lines(child):
            x = 60.0
            for ch in line:
                c.drawString(x, y, ch)
                x += c.stringWidth(ch, "Helvetica", 12) + 0.4
            y -= 18
        c.showPage()

    assert_stopped(_send(scan, builders.pdf_canvas(draw), "application/pdf", "referral.pdf"))


def test_pdf_text_inside_form_xobject(scan, child):
    def draw(c) -> None:
        c.beginForm("block")
        y = 780
        for line in _lines(child):
            c.drawString(60, y, line)
            y -= 18
        c.endForm()
        c.doForm("block")
        c.showPage()

    assert_stopped(_send(scan, builders.pdf_canvas(draw), "application/pdf", "referral.pdf"))


def test_pdf_with_user_password_is_unreadable_so_stopped(scan, child):
    def change(writer) -> None:
        writer.encrypt(user_password="Halton2026", owner_password="owner-Halton2026", algorithm="AES-256")

    data = builders.pdf_rewrite(builders.pdf_text(_lines(child)), change)
    assert_stopped(_send(scan, data, "application/pdf", "referral.pdf"))


def test_pdf_with_owner_password_only_opens_for_anyone(scan, child):
    def change(writer) -> None:
        writer.encrypt(user_password="", owner_password="owner-Halton2026", algorithm="AES-128")

    data = builders.pdf_rewrite(builders.pdf_text(_lines(child)), change)
    assert_stopped(_send(scan, data, "application/pdf", "referral.pdf"))


# ---------------------------------------------------------------------------- OpenDocument, RTF


def test_odt_referral(scan, child):
    assert_stopped(_send(scan, builders.odt(_lines(child)), ODT, "referral.odt"))


def test_ods_children_table(scan, children):
    rows = [CSV_HEADER, *(c.row() for c in children)]
    assert_stopped(_send(scan, builders.ods(rows), ODS, "panel.ods"))


def test_rtf_every_character_hex_escaped(scan, child):
    assert_stopped(_send(scan, builders.rtf_all_escaped(child.form()), "application/rtf", "referral.rtf"))
