"""Test fixtures made by the project itself: a synthetic report rendered to HTML, DOCX and PDF.

The report text comes from the synthetic generator `govreport.training.synth.generate` when it exists, else from
`sample_report` below: a short hand-written 2019-template report (fictional body, numbers varied by a
seed, identities kept). Real reports are never used here. PDF rendering needs a system CJK font
(`fc-list :lang=zh`; Debian: fonts-wqy-microhei); `cjk_font()` is None without one and PDF tests skip.
"""

from __future__ import annotations

import glob
import html
import io
import random
import subprocess
from functools import cache
from typing import Any

T2_ROWS_2019 = [
    "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果 | （一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开 | 1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
    "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷",
    "8.属于行政查询事项", "（四）无法提供 | 1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确", "（五）不予处理 | 1.信访举报投诉类申请", "2.重复申请",
    "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理", "（七）总计", "四、结转下年度继续办理",
]


def sample_report(seed: int = 0) -> str:
    """A complete, consistent 2019-template report with pipe tables (fictional body)."""
    rng = random.Random(seed)
    town = rng.choice(["青禾", "石桥", "云溪", "南塘", "松岭", "白沙"])
    agency = f"东川县{town}镇人民政府"
    year = rng.choice([2019, 2020])
    new = [rng.randint(0, 9), 0, 0, 0, 0, rng.randint(0, 2)]
    granted = [max(0, v - 1) for v in new]
    not_held = [v - g for v, g in zip(new, granted, strict=True)]
    rows: dict[str, list[int]] = {r: [0] * 6 for r in T2_ROWS_2019}
    rows[T2_ROWS_2019[0]] = new
    rows[T2_ROWS_2019[2]] = granted
    rows[T2_ROWS_2019[12]] = not_held
    rows["（七）总计"] = list(new)
    t2 = []
    for label in T2_ROWS_2019:
        vals = rows[label]
        t2.append(f"{label} | " + " | ".join(str(v) for v in [*vals, sum(vals)]) + " |")
    lic, pen, fee = rng.randint(0, 300), rng.randint(0, 90), rng.randint(100, 999999)
    leader = rng.choice(["王立新", "陈晓梅", "刘国强"])
    return "\n".join([
        f"{agency}{year}年政府信息公开工作年度报告",
        f"本报告根据《中华人民共和国政府信息公开条例》（国务院令第711号）编制，报告电子版可在东川县人民政府网站"
        f"（http://www.dongchuan.example.gov.cn）查阅。如有疑问请联系{agency}党政办公室，"
        f"电话：0871-{rng.randint(6000000, 6999999)}，邮箱：dcx{rng.randint(10, 99)}@163.com。",
        "一、总体情况",
        f"{year}年，{agency}成立了以镇党委副书记、镇长{leader}为组长的政务公开工作领导小组，"
        "认真贯彻落实政府信息公开条例，全年通过政府网站主动公开各类信息"
        f"{rng.randint(20, 300)}条，依申请公开工作依法规范办理。",
        "二、主动公开政府信息情况",
        "第二十条第（一）项 | | | |",
        "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |",
        "规章 | 0 | 0 | 0 |",
        f"规范性文件 | {rng.randint(0, 5)} | {rng.randint(0, 5)} | {rng.randint(5, 40)} |",
        "第二十条第（五）项 | | | |",
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |",
        f"行政许可 | {rng.randint(0, 20)} | {rng.randint(-3, 3)} | {lic} |",
        "其他对外管理服务事项 | 0 | 0 | 0 |",
        "第二十条第（六）项 | | | |",
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |",
        f"行政处罚 | {rng.randint(0, 20)} | 0 | {pen} |",
        "行政强制 | 0 | 0 | 0 |",
        "第二十条第（八）项 | | | |",
        "信息内容 | 上一年项目数量 | 本年增/减 | |",
        "行政事业性收费 | 0 | 0 | |",
        "第二十条第（九）项 | | | |",
        "信息内容 | 采购项目数量 | 采购总金额 | |",
        f"政府集中采购 | {rng.randint(1, 30)} | {fee}元 | |",
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | |",
        "自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |",
        *t2,
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议 | | | | | 行政诉讼 | | | | | | | | | |",
        "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | "
        "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |",
        " | ".join(["0"] * 15) + " |",
        "五、存在的主要问题及改进情况",
        "主要问题是信息公开的及时性有待提高。下一步将加强培训，规范发布流程。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
        agency,
        f"{year + 1}年1月{rng.randint(10, 28)}日",
    ])


def report_texts(n: int, seed: int = 0) -> list[str]:
    """n report texts: from the synthetic generator if it is there, else the hand-written sample."""
    try:
        from govreport.training.synth import generate  # type: ignore[attr-defined]
    except ImportError:
        generate = None
    if generate is not None:
        try:
            docs = list(generate(n, seed))
            texts = [_text_of(d) for d in docs]
            if len(texts) == n and all(texts):
                return texts
        except Exception:  # a generator mid-rewrite must not break fixtures
            pass
    return [sample_report(seed + i) for i in range(n)]


def _text_of(doc: Any) -> str:
    if isinstance(doc, tuple):  # generate() yields (Document, info)
        doc = doc[0]
    if isinstance(doc, str):
        return doc
    if isinstance(doc, dict):
        return str(doc.get("text", ""))
    return str(getattr(doc, "text", ""))


# --- layout: the text's lines as paragraphs and pipe tables ---------------------------------------
def blocks(text: str) -> list[tuple[str, Any]]:
    """[("p", line) | ("table", [[cell, ...], ...])], consecutive pipe lines forming one table."""
    out: list[tuple[str, Any]] = []
    for line in text.split("\n"):
        if "|" in line:
            cells = [c.strip() for c in line.strip().split("|")]
            if line.strip().startswith("|"):
                cells = cells[1:]
            if line.strip().endswith("|"):
                cells = cells[:-1]
            if out and out[-1][0] == "table":
                out[-1][1].append(cells)
            else:
                out.append(("table", [cells]))
        elif line.strip():
            out.append(("p", line.strip()))
    return out


def to_html(text: str, charset: str = "utf-8") -> bytes:
    """A government-site-like page: script, style, nav and breadcrumb around the report."""
    body = []
    parts = blocks(text)
    title = next((c for k, c in parts if k == "p"), "")
    for kind, content in parts:
        if kind == "p":
            body.append(f"<p>{html.escape(content)}</p>")
        else:
            rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n"
                           for row in content)
            body.append(f"<table border=\"1\">\n<tbody>\n{rows}</tbody></table>")
    page = (
        f"<!DOCTYPE html>\n<html><head><meta charset=\"{charset}\"><title>{html.escape(title)}</title>"
        "<style>p { margin: 0 }</style><script>var nav = '首页 > 政务公开';</script></head>\n<body>\n"
        "<nav><a href=\"/\">首页</a> <a href=\"/zwgk\">政务公开</a></nav>\n"
        "<div class=\"breadcrumb\">当前位置：首页 &gt; 政务公开 &gt; 年度报告</div>\n"
        "<div class=\"content\">\n" + "\n".join(body) + "\n</div>\n"
        "<script>document.write('广告');</script></body></html>\n"
    )
    return page.encode(charset)


def to_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for kind, content in blocks(text):
        if kind == "p":
            document.add_paragraph(content)
        else:
            width = max(len(r) for r in content)
            table = document.add_table(rows=len(content), cols=width)
            for tr, row in zip(table.rows, content, strict=True):
                cells = tr.cells  # once per row: table.cell(i, j) rescans the whole grid each call
                for j, cell in enumerate(row):
                    cells[j].text = cell
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@cache
def cjk_font() -> str | None:
    """Path of a system font with Chinese glyphs, or None."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
        paths = [ln.split(":")[0].strip() for ln in out.splitlines() if ln.strip()]
    except (OSError, subprocess.SubprocessError):
        paths = []
    paths += glob.glob("/usr/share/fonts/**/wqy-*.tt[cf]", recursive=True)
    return sorted(paths, key=lambda p: ("wqy" not in p, p))[0] if paths else None


def to_pdf(text: str) -> bytes:
    """A4 PDF with ruled tables whose narrow first column makes long row labels wrap inside the cell."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    font = cjk_font()
    if font is None:
        raise RuntimeError("no CJK font (install fonts-wqy-microhei)")
    pdf = FPDF(format="A4")
    pdf.add_font("cjk", "", font)
    pdf.set_font("cjk", size=9)
    pdf.add_page()
    for kind, content in blocks(text.replace("\t", "    ")):  # the font has no tab glyph
        width = max(len(r) for r in content) if kind == "table" else 0
        if kind == "p" or width > 16:
            # A "table" flattened onto one line (hundreds of cells) cannot be drawn as columns: fpdf2
            # loops forever on columns narrower than a character. Print such rows as text.
            lines = [content] if kind == "p" else [" | ".join(r) for r in content]
            for line in lines:
                pdf.multi_cell(0, 5, line, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
        else:
            first = 40 if width > 4 else 60
            rest = (pdf.epw - first) / max(1, width - 1)
            with pdf.table(col_widths=(first, *[rest] * (width - 1)), wrapmode=WrapMode.CHAR,
                           line_height=4.5, first_row_as_headings=False) as table:
                for row in content:
                    r = table.row()
                    for cell in [*row, *[""] * (width - len(row))]:
                        r.cell(cell)
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    """A 'scanned' PDF: one page holding only a picture, no text layer."""
    from fpdf import FPDF
    from PIL import Image

    img = Image.new("RGB", (200, 100), "white")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(buf.getvalue()), x=10, y=10, w=100)
    return bytes(pdf.output())
