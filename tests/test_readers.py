"""govreport.inference.readers: every input format gives the report's lines back; bad input gives a clear error."""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest
from fixtures_render import cjk_font, image_only_pdf, report_texts, sample_report, to_docx, to_html, to_pdf
from hypothesis import given, settings
from hypothesis import strategies as st

from govreport.inference.readers import (
    ReadError,
    decode_text,
    html_to_text,
    join_broken,
    read_bytes,
    read_path,
    sniff_format,
)

REPORT = sample_report(7)
needs_font = pytest.mark.skipif(cjk_font() is None, reason="no CJK font (apt-get install fonts-wqy-microhei)")


def norm(line: str) -> str:
    """A text line compared across formats: cells stripped, trailing empty cells dropped."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else [line.strip()]
    while cells and not cells[-1]:
        cells.pop()
    return " | ".join(cells)


def source_lines(text: str) -> list[str]:
    return [n for n in (norm(ln) for ln in text.split("\n")) if n]


def assert_same_lines(got: str, want: str = REPORT) -> None:
    """Every line of the source comes back, whole, in the same order."""
    got_lines = source_lines(got)
    pos = 0
    for line in source_lines(want):
        assert line in got_lines[pos:], (line, got_lines[pos:pos + 3])
        pos = got_lines.index(line, pos) + 1


def char_stream(text: str) -> str:
    """The text without any whitespace or cell separators: what no layout change may alter."""
    return re.sub(r"[\s|]", "", text)


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_synthetic_reports_lose_and_reorder_no_character(fmt: str) -> None:
    if fmt == "pdf" and cjk_font() is None:
        pytest.skip("no CJK font")
    render = {"html": to_html, "docx": to_docx, "pdf": to_pdf}[fmt]
    for text in report_texts(4, seed=11):
        result = read_bytes(render(text), f"r.{fmt}")
        assert char_stream(result.text) == char_stream(text)


# --- plain text and encodings -------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_text_encodings_round_trip_exactly(encoding: str) -> None:
    result = read_bytes(REPORT.encode(encoding), "r.txt")
    assert result.format == "text"
    assert result.text == REPORT  # exact: provenance offsets index the file's own characters
    assert result.warnings == []


def test_gb18030_four_byte_character_is_kept() -> None:
    text = REPORT + "\n𠀀"
    result = read_bytes(text.encode("gb18030"), "r.txt")
    assert result.text == text and result.encoding == "gb18030"


def test_big5_traditional_report() -> None:
    import opencc

    data = opencc.OpenCC("s2t").convert(REPORT).encode("big5", "replace")
    result = read_bytes(data, "r.txt")
    assert result.text == data.decode("big5")


def test_doubtful_encoding_is_reported_not_silent() -> None:
    data = ("Café déjà vu, naïve façade, résumé. " * 10).encode("latin-1")
    _, encoding, warnings = decode_text(data)
    assert any("doubtful" in w and encoding in w for w in warnings)


def test_short_gbk_is_decoded_as_gb18030() -> None:
    text = "二、主动公开政府信息情况\n行政许可 | 3 |"
    got, encoding, _ = decode_text(text.encode("gbk"))
    assert got == text and encoding == "gb18030"


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b" \n\t\r\n ", "no text"),
    (random.Random(1).randbytes(4000), "binary"),
    (b"\x00\x01\x02\x03" * 500, "binary"),
])
def test_bad_text_inputs_give_clear_errors(data: bytes, reason: str) -> None:
    with pytest.raises(ReadError, match=reason):
        read_bytes(data, "x.txt")


def test_size_limit_names_limit_and_flag(tmp_path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: 100 MB without writing it
    with pytest.raises(ReadError) as e:
        read_path(big, max_bytes=20 * 1024 * 1024)
    msg = str(e.value)
    assert "--max-bytes" in msg and "20 MB" in msg and str(100 * 1024 * 1024) in msg


def test_unreadable_paths(tmp_path) -> None:
    with pytest.raises(ReadError, match="cannot read"):
        read_path(tmp_path / "missing.txt")
    with pytest.raises(ReadError, match="directory"):
        read_path(tmp_path)


def test_non_report_text_is_read_with_a_warning() -> None:
    result = read_bytes("今天天气很好，我们去公园散步。".encode(), "note.txt")
    assert result.text == "今天天气很好，我们去公园散步。"
    assert any("does not look like" in w for w in result.warnings)


@settings(max_examples=150, deadline=None)
@given(st.text(), st.sampled_from(["utf-8", "utf-16", "gb18030"]))
def test_any_string_through_the_text_path(s: str, encoding: str) -> None:
    """Arbitrary text either comes back exactly or is refused with ReadError; nothing else escapes."""
    try:
        data = s.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        result = read_bytes(data, "any.txt")
    except ReadError:
        return
    if result.format == "text":
        expected = s[1:] if encoding == "utf-8" and s.startswith("\ufeff") else s
        # arbitrary strings in utf-16/gb18030 without a BOM can only be detected, not known (report-like
        # text is tested unconditionally below); utf-8 must round-trip exactly
        if encoding == "utf-8" or result.encoding in (encoding, "utf-16"):
            assert result.text == expected


_REPORT_CHARS = st.sampled_from(list("政府信息公开工作年度报告申请办理行政复议诉讼主动收费人民县镇局")
                                + list("0123456789") * 3 + list(" |\n，。、：（）"))


@settings(max_examples=150, deadline=None)
@given(st.text(_REPORT_CHARS, min_size=20, max_size=400),
       st.sampled_from(["gb18030", "utf-16-le", "utf-16-be", "utf-16"]))
def test_report_like_text_round_trips_in_gb18030_and_utf16(body: str, encoding: str) -> None:
    """Unconditional: report-like text (hanzi, digits, table punctuation) comes back exactly."""
    text = "政府信息公开工作年度报告\n" + body
    result = read_bytes(text.encode(encoding), "any.txt")
    assert result.text == text
    assert result.encoding == ("gb18030" if encoding == "gb18030" else encoding if encoding != "utf-16" else "utf-16")


def _digit_table(seed: int, traditional: bool) -> str:
    rng = random.Random(seed)
    head = "某某縣人民政府政府信息公開工作年度報告" if traditional else "某某县人民政府政府信息公开工作年度报告"
    rows = [" | ".join(str(rng.randint(0, 99999)) for _ in range(7)) for _ in range(40)]
    return head + "\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "big5"])
def test_mostly_digit_reports_in_legacy_encodings_round_trip(seed: int, encoding: str) -> None:
    """A table of digits under one Chinese heading: charset-normalizer guesses cp949 for GB text like
    this; the reader must still give the exact text (and say the guess was doubtful, if it was)."""
    text = _digit_table(seed, traditional=encoding == "big5")
    assert sum(ch.isdigit() for ch in text) > len(text) / 2
    result = read_bytes(text.encode(encoding), "r.txt")
    assert result.text == text
    assert result.encoding == ("big5" if encoding == "big5" else "gb18030")


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_any_string_as_html_never_crashes(s: str) -> None:
    try:
        result = html_to_text(s)
    except ReadError:
        return
    assert "<script" not in result.text.lower() or "<script" in s.lower()


# --- HTML ---------------------------------------------------------------------------------------
def _visible(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]*>", "", html))


def test_html_459_unclosed_divs_keep_all_text() -> None:
    """libxml2 without huge_tree stops at 255 levels: this page kept 10,637 of 17,706 characters."""
    page = "<html><body>" + "".join(f"<div>第{i}段：政府信息公开工作年度报告，申请{i}件" for i in range(459))
    result = read_bytes(page.encode(), "deep.html")
    assert re.sub(r"\s+", "", result.text) == _visible(page)
    assert result.warnings == []  # the tree was kept: nothing to report


@pytest.mark.parametrize("depth", [1000, 5000])
def test_html_nested_thousands_deep_keeps_all_text_and_says_how(depth: int) -> None:
    """A 5,000-deep page was "only whitespace"; now every character comes back, tables as rows, and a
    warning names what the flat reading does not do."""
    page = ("<html><head><title>年报</title><style>p{}</style></head><body>" + "<div>" * depth
            + "<p>二、政府信息公开工作年度报告</p><table><tr><td>行政许可</td><td>3</td></tr></table>"
            + "</div>" * depth + "<p>完</p><script>var x = 1;</script></body></html>")
    result = read_bytes(page.encode(), "deep.html")
    assert result.text == "年报\n二、政府信息公开工作年度报告\n行政许可 | 3\n完"
    assert any("levels deep" in w and "all text kept" in w for w in result.warnings)


def test_html_keeps_table_rows_and_drops_page_furniture() -> None:
    result = read_bytes(to_html(REPORT), "r.html")
    assert result.format == "html"
    assert_same_lines(result.text)
    assert "document.write" not in result.text and "var nav" not in result.text
    assert "当前位置" not in result.text  # breadcrumb
    assert "首页" not in result.text  # <nav>
    assert "行政许可 | " in result.text


def test_html_in_gbk_with_meta_charset() -> None:
    result = read_bytes(to_html(REPORT, charset="gbk"), "r.htm")
    assert result.encoding == "gb18030"
    assert_same_lines(result.text)


def test_html_with_wrong_declared_charset_warns() -> None:
    page = to_html(REPORT).replace(b'charset="utf-8"', b'charset="gbk"')  # declared gbk, really UTF-8
    result = read_bytes(page, "r.html")
    assert_same_lines(result.text)
    assert result.encoding == "utf-8"
    assert any("declares charset gbk" in w for w in result.warnings)


def test_html_sniffed_from_a_txt_file() -> None:
    result = read_bytes(to_html(REPORT), "saved.txt")
    assert result.format == "html"
    assert "<td>" not in result.text


def test_html_cells_with_line_breaks_and_nested_markup() -> None:
    page = ("<html><body><div id='menu'>首页 | 机构</div><p>二、主动公开<!-- x -->政府信息情况</p>"
            "<table><tr><th>信息内容</th><th>处理<br>决定数量</th></tr>"
            "<tr><td><span>行政</span>许可</td><td>\n  12\n</td></tr></table></body></html>")
    text = html_to_text(page).text
    assert text.split("\n") == ["二、主动公开政府信息情况", "信息内容 | 处理决定数量", "行政许可 | 12"]


def test_blank_cells_keep_their_place_inside_a_row_but_not_at_its_end() -> None:
    page = ("<table><tr><td>行政许可</td><td></td><td>3</td><td> </td><td></td></tr>"
            "<tr><td></td><td>2</td></tr></table>")
    assert html_to_text(page).text.split("\n") == ["行政许可 | | 3", "| 2"]


def test_html_layout_table_around_the_report_is_not_flattened() -> None:
    """Old sites put the whole page in a table; only the innermost data table becomes pipe rows."""
    page = ("<html><body><table><tr><td>网站首页</td></tr><tr><td><div><p>一、总体情况</p>"
            "<p>2020年我镇主动公开信息。</p><table><tr><td>行政许可</td><td>3</td></tr>"
            "<tr><td>行政处罚</td><td>5</td></tr></table><p>二、主动公开政府信息情况</p></div></td></tr>"
            "</table></body></html>")
    assert html_to_text(page).text.split("\n") == [
        "网站首页", "一、总体情况", "2020年我镇主动公开信息。", "行政许可 | 3", "行政处罚 | 5",
        "二、主动公开政府信息情况"]


# --- DOCX ---------------------------------------------------------------------------------------
def test_docx_paragraphs_and_tables_in_document_order() -> None:
    result = read_bytes(to_docx(REPORT), "r.docx")
    assert result.format == "docx"
    assert_same_lines(result.text)


def test_docx_vertically_merged_cell_is_blank_below() -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "三、本年度办理结果"
    table.cell(0, 1).text = "1"
    table.cell(1, 1).text = "2"
    buf = io.BytesIO()
    document.save(buf)
    lines = read_bytes(buf.getvalue(), "m.docx").text.split("\n")
    assert lines == ["三、本年度办理结果 | 1", "| 2"]


def test_zip_that_is_not_docx() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(ReadError, match="not a Word"):
        read_bytes(buf.getvalue(), "r.docx")


@pytest.mark.parametrize("data,name,reason", [
    (b"just text", "r.docx", "not a Word document"),
    (b"just text", "r.pdf", "not a PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "r.doc", "legacy"),
    (b"%PDF-1.4\n garbage that is no PDF", "r.pdf", "PDF"),
])
def test_mislabelled_and_damaged_files(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(ReadError, match=reason):
        read_bytes(data, name)


def test_format_is_sniffed_from_content_before_extension() -> None:
    assert sniff_format(to_docx("一、总体情况"), "report.txt") == "docx"


# --- PDF ----------------------------------------------------------------------------------------
@needs_font
def test_pdf_text_and_tables_with_wrapped_cells_rejoined() -> None:
    result = read_bytes(to_pdf(REPORT), "r.pdf")
    assert result.format == "pdf"
    assert_same_lines(result.text)
    # the long row label wraps over several lines in its narrow cell and must come back whole
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形） | 0" in result.text


@needs_font
def test_pdf_paragraph_wrapped_across_lines_is_one_line() -> None:
    para = "本报告根据《中华人民共和国政府信息公开条例》编制，" * 6 + "特此报告。"
    result = read_bytes(to_pdf(f"一、总体情况\n{para}\n二、主动公开政府信息情况"), "p.pdf")
    assert result.text.split("\n") == ["一、总体情况", para, "二、主动公开政府信息情况"]


@needs_font
def test_pdf_frame_round_the_page_is_not_a_table() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", "", cjk_font())
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    pdf.rect(5, 5, 200, 287)
    for line in ("一、总体情况", "二、主动公开政府信息情况"):
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    assert read_bytes(bytes(pdf.output()), "framed.pdf").text == "一、总体情况\n二、主动公开政府信息情况"


@needs_font
def test_password_protected_pdf_says_so() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", "", cjk_font())
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    pdf.cell(0, 5, "一、总体情况")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    with pytest.raises(ReadError, match="password-protected"):
        read_bytes(bytes(pdf.output()), "locked.pdf")


@needs_font
def test_pdf_page_rotated_for_display_reads_as_displayed() -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(to_pdf("一、总体情况\n二、主动公开政府信息情况"))
    doc[0].set_rotation(90)
    buf = io.BytesIO()
    doc.save(buf)
    text = read_bytes(buf.getvalue(), "turned.pdf").text  # coordinates as displayed, lines whole
    assert "一、总体情况" in text and "二、主动公开政府信息情况" in text


def test_image_only_pdf_says_no_text_layer() -> None:
    with pytest.raises(ReadError, match="no text layer"):
        read_bytes(image_only_pdf(), "scan.pdf")


def test_join_broken_keeps_numbers_and_urls_whole() -> None:
    assert join_broken(["2965", "49元"]) == "296549元"
    assert join_broken(["http://www.exa", "mple.gov.cn"]) == "http://www.example.gov.cn"
    assert join_broken(["see the annual", "report"]) == "see the annual report"
