import pytest

from govreport.inference.template import detect_template, simplified_compact, template_from_labels, template_from_text


def test_labels_vote_by_exclusive_cells_only():
    shared = ["T2.granted.total", "T3.review.total", "T1.art20_6.administrative_penalty.decisions"]
    assert template_from_labels(shared) is None
    assert template_from_labels([*shared, "T1.art20_1.rules.issued"]) == "2021"
    assert template_from_labels(["T2.other_handling.total", "T2.other_handling.total", "T2.other_misc.total"]) == "2019"
    assert template_from_labels(["T2.other_handling.total", "T2.other_misc.total"]) is None   # tie: undecided


@pytest.mark.parametrize(("text", "template"), [
    ("信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数", "2021"),
    ("信息內容 | 本年製發件數 | 本年廢止件數", "2021"),
    ("本年製(zhì)發(fā)件數(shù)", "2021"),
    ("信息内容 | 本年新制作\n数量 | 本年新公开数量 | 对外公开总数量", "2019"),
    ("上一年项目数量 | 本年增／減 | 处理决定数量", "2019"),
    ("（六）其他处理 | 0 | 0 | 0 |\n（七）总计", "2019"),
    ("(六)其他处理\t／\t\n（七）总计", "2019"),
    ("  (六)其他处理\n\n  （七）总计\n\n91", "2019"),
    ("信息内容 \u3000本年制发件", "2021"),
    ("（六）其他处理 | 1.申请人", "2021"),
    ("（六）其他处理 | 1", None), ("（六）其他处理 | 1.", None),   # cut off: either template
    ("信息内容 | 本年处理决定数 |", "2021"),
    ("信息内容 | 处理决定数量 |", "2019"),
    ("（六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0", "2021"),
    ("一、总体情况 本年度公开信息100条。", None),
])
def test_header_wording(text, template):
    assert template_from_text(text) == template


def test_precedence_labels_then_text_then_year():
    text_2019 = "本年新制作数量"
    assert detect_template(text_2019, ["T1.art20_1.rules.issued"], 2020) == "2021"
    assert detect_template(text_2019, [], 2022) == "2019"
    assert detect_template("", [], 2022) == "2021"
    assert detect_template("", [], 2018) is None and detect_template("", [], None) is None


def test_simplified_compact():
    assert simplified_compact("採購 總金額\n(萬元)") == "采购总金额(万元)"
