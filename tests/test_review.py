"""The review page: text with spans, the three tables, nulls and failed checks marked, values linked.

The fixture is a short fictional 2019-template report written here (no real report text); its table 2
deliberately breaks identity 1 (5 received, 4 handled, 0 carried forward).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from govreport.core.document import Document, Span
from govreport.inference import review
from govreport.inference.assemble import assemble

TEXT = """东川县青禾镇人民政府2020年政府信息公开工作年度报告
一、总体情况
2020年，东川县青禾镇人民政府认真落实条例要求。联系电话：0871-6612345。
二、主动公开政府信息情况
第二十条第（九）项
信息内容 | 采购项目数量 | 采购总金额
政府集中采购 | 3 | 12.5万元 |
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 | 5 | | | | | | 5 |
二、上年结转政府信息公开申请数量 | 0 | | | | | | 0 |
（一）予以公开 | 3 | | | | | | 3 |
（七）总计 | 4 | | | | | | 4 |
四、结转下年度继续办理 | 0 | | | | | | 0 |
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 1 | 0 | 0 | 0 | 1 |
五、存在的主要问题及改进情况
公开内容还不够全面 <script>alert(1)</script> & 仍需改进。
六、其他需要报告的事项
无。
东川县青禾镇人民政府
2021年1月20日
"""

# (substring, label), each searched after the previous span's end.
MARKS = [
    ("东川县青禾镇人民政府", "AGENCY"), ("2020", "REPORT_YEAR"), ("一、总体情况", "H.overview"),
    ("东川县青禾镇人民政府", "AGENCY"), ("0871-6612345", "PHONE"), ("二、主动公开政府信息情况", "H.proactive"),
    ("3", "T1.art20_9.centralized_procurement.project_count"),
    ("12.5", "T1.art20_9.centralized_procurement.total_amount"),
    ("三、收到和处理政府信息公开申请情况", "H.requests"),
    ("5", "T2.new_received.natural_person"), ("5", "T2.new_received.total"),
    ("0", "T2.carried_over.natural_person"), ("0", "T2.carried_over.total"),
    ("3", "T2.granted.natural_person"), ("3", "T2.granted.total"),
    ("4", "T2.total_processed.natural_person"), ("4", "T2.total_processed.total"),
    ("0", "T2.carried_forward.natural_person"), ("0", "T2.carried_forward.total"),
    ("四、政府信息公开行政复议、行政诉讼情况", "H.review_litigation"),
    ("1", "T3.review.upheld"), ("0", "T3.review.corrected"), ("0", "T3.review.other"),
    ("0", "T3.review.pending"), ("1", "T3.review.total"),
    ("五、存在的主要问题及改进情况", "H.problems"), ("六、其他需要报告的事项", "H.other"),
    ("东川县青禾镇人民政府", "AGENCY"), ("2021年1月20日", "PUBLISHED_DATE"),
]


def make_doc() -> Document:
    spans, pos = [], 0
    for sub, label in MARKS:
        start = TEXT.index(sub, pos)
        spans.append(Span(start, start + len(sub), label))
        pos = start + len(sub)
    return Document("qinghe-2020", TEXT, spans, None, {"split": "test"})


class _Dom(HTMLParser):
    """Elements with their attributes and the text inside #text (tags of spans excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_panel: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, inside #text, inside a span tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        in_text, in_tag = self._stack[-1][1:] if self._stack else (False, False)
        if tag in ("meta", "br", "link"):
            return
        self._stack.append((tag, in_text or a.get("id") == "text", in_tag or "tag" in a.get("class", "").split()))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1][1] and not self._stack[-1][2]:
            self.text_panel.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(
            (v in a.get(k.rstrip("_"), "").split()) if k == "class_" else a.get(k) == v for k, v in attrs.items())]


def parse(markup: str) -> _Dom:
    dom = _Dom()
    dom.feed(markup)
    return dom


def _page(record: dict | None = None) -> tuple[Document, dict, str]:
    doc = make_doc()
    rec = record or assemble(doc.text, doc.spans)
    return doc, rec, review.review_html(doc, rec)


def assert_page(dom: _Dom, doc: Document) -> None:
    # The text panel shows the document's characters exactly (no spaces added between tokens).
    assert "".join(dom.text_panel) == doc.text
    # Every span has an anchor at its start, and every link in the tables points at an anchor.
    anchors = {a["id"] for a in dom.find("a", class_="anchor")}
    assert {f"at{s.start}" for s in doc.spans} <= anchors
    links = [a["href"] for a in dom.find("a") if a.get("href", "").startswith("#at")]
    assert links and all(h[1:] in anchors for h in links)
    # The three tables are there with their cells; a linked cell points at its own number.
    cells = {a["data-path"]: a for a in dom.find("td", class_="cell")}
    assert "proactive.art20_9.centralized_procurement.total_amount" in cells
    assert {"requests.granted.total", "review_litigation.review.total"} <= set(cells)
    # Untagged cells are null and marked so; tagged ones are not.
    assert "null" in cells["requests.granted.commercial"]["class"].split()
    assert "null" not in cells["requests.granted.total"]["class"].split()
    # Identity 1 fails (5 + 0 != 4 + 0): the totals it compares are marked, a passing one is not.
    assert "fail" in cells["requests.total_processed.total"]["class"].split()
    assert "fail" in cells["requests.carried_forward.natural_person"]["class"].split()
    assert "fail" not in cells["requests.granted.total"]["class"].split()
    assert "fail" not in cells["review_litigation.review.total"]["class"].split()


def test_page_holds_text_spans_tables_and_marks():
    doc, _, markup = _page()
    assert_page(parse(markup), doc)
    # The text is escaped, never live markup.
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def test_each_cell_links_to_the_characters_it_came_from():
    doc, _, markup = _page()
    dom = parse(markup)
    for span in doc.spans:
        path = review.labelset.cell_path(span.label)
        if path is None:
            continue
        first = min(s.start for s in doc.spans if s.label == span.label)
        assert f'data-path="{path}"' in markup
        cell_html = re.search(rf'<td [^>]*data-path="{re.escape(path)}"[^>]*>(.*?)</td>', markup).group(1)
        assert f'href="#at{first}"' in cell_html
    assert dom.find("a", id=f"at{doc.spans[0].start}")


def test_record_provenance_is_preferred_and_gets_an_anchor():
    doc, rec, _ = _page()
    rec = json.loads(json.dumps(rec))
    # An assembler may report a place no span starts at (e.g. a number inside a longer span).
    rec["provenance"] = {"requests.granted.total": [5, 7]}
    dom = parse(review.review_html(doc, rec))
    assert dom.find("a", class_="anchor", id="at5")
    cell = [a for a in dom.find("td", class_="cell") if a["data-path"] == "requests.granted.total"]
    assert cell and "characters 5–7" in cell[0]["title"]


def test_failed_cells_maps_each_identity_to_the_printed_totals():
    checks = [{"identity": 1, "where": "requests.research", "ok": False},
              {"identity": 2, "where": "requests.total", "ok": False},
              {"identity": 3, "where": "requests.granted", "ok": False},
              {"identity": 4, "where": "review_litigation.review", "ok": False},
              {"identity": 4, "where": "review_litigation.litigation_direct", "ok": True},
              {"identity": 3, "where": "requests.denied_state_secret", "ok": None}]
    fails = review.failed_cells(checks)
    assert set(fails) == {"requests.total_processed.research", "requests.carried_forward.research",
                          "requests.total_processed.total", "requests.granted.total",
                          "review_litigation.review.total"}


def test_private_use_characters_in_the_text_do_not_break_anchors():
    text = "甲\ue000乙\ue0013"
    markup = review.render_text(text, [Span(4, 5, "T3.review.total")])
    dom = parse(f'<div id="text">{markup}</div>')
    assert "".join(dom.text_panel) == "甲\ufffd乙\ufffd3"
    assert dom.find("a", class_="anchor", id="at4")


def test_write_review_from_document_json_and_from_text(tmp_path):
    doc = make_doc()
    doc_path = tmp_path / "doc.json"
    doc.save(doc_path)
    out = review.write_review(doc_path, tmp_path / "a.html")
    assert "政府集中采购" in out.read_text(encoding="utf-8")
    # A report text goes through the model; a stand-in extractor returns spans and record.
    txt = tmp_path / "report.txt"
    txt.write_text(TEXT, encoding="utf-8")
    extractor = StandInExtractor(doc.spans)
    out = review.write_review(txt, tmp_path / "b.html", extractor=extractor)
    assert extractor.seen == [(TEXT, True)]
    assert_page(parse(out.read_text(encoding="utf-8")), doc)


def test_text_input_with_the_real_extractor_and_a_fixed_tagger(tmp_path):
    extract = pytest.importorskip("govreport.inference.extract")
    doc = make_doc()

    class FixedTagger:
        def tag(self, text: str) -> list[Span]:
            return list(doc.spans)

    txt = tmp_path / "report.txt"
    txt.write_text(TEXT, encoding="utf-8")
    out = review.write_review(txt, tmp_path / "c.html", extractor=extract.Extractor(tagger=FixedTagger()))
    markup = out.read_text(encoding="utf-8")
    assert_page(parse(markup), doc)
    assert "0871-6612345" in markup and "12.5万元" in markup  # entities and the money cell's amount


class StandInExtractor:
    """What review needs of govreport.inference.extract.Extractor: extract(text, offsets) -> .record, .spans."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans, self.seen = list(spans), []

    def extract(self, text: str, offsets: bool = False):
        self.seen.append((text, offsets))
        return SimpleNamespace(record=assemble(text, self.spans), spans=self.spans)


@pytest.mark.parametrize("name, content, message", [
    ("in.json", None, "no such file"), ("in.json", b"{not json", "not a Document JSON"),
    ("in.json", b'{"text": "x"}', "not a Document JSON"), ("in.txt", b" \n", "empty|no text"),
    ("in.txt", bytes(range(256)) * 4, "in.txt: ")])
def test_bad_input_gives_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(review.ReviewError, match=message):
        review.load_for_review(path)


def test_cli_review_writes_the_page(tmp_path):
    from govreport.cli import main

    doc_path = tmp_path / "doc.json"
    make_doc().save(doc_path)
    out = tmp_path / "page.html"
    assert main(["review", str(doc_path), "--html", str(out)]) == 0
    assert 'id="text"' in out.read_text(encoding="utf-8")
    assert main(["review", str(tmp_path / "missing.json"), "--html", str(out)]) == 1


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.chromium
@pytest.mark.skipif(_chromium() is None, reason="headless Chromium not installed (apt-get install chromium)")
def test_page_in_headless_chromium(tmp_path):
    doc, _, markup = _page()
    page = tmp_path / "review.html"
    page.write_text(markup, encoding="utf-8")
    url = page.as_uri()

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
        profile.mkdir()
        return subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, text=True, timeout=120, check=False)

    dumped = run("--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert_page(parse(dumped.stdout), doc)
    shot = tmp_path / "review.png"
    taken = run(f"--screenshot={shot}", "--window-size=1600,1000")
    assert taken.returncode == 0, taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    print(f"review screenshot: {shot}")


def test_example_document_path_is_not_required(tmp_path):
    # write_review creates the output's folder.
    doc_path = tmp_path / "doc.json"
    make_doc().save(doc_path)
    out = review.write_review(doc_path, tmp_path / "deep" / "er" / "page.html")
    assert Path(out).is_file()
