import pytest

from govreport.core.document import Span
from govreport.inference.entities import pair_leaders, parse_date, parse_year, pick_agency, pick_year


@pytest.mark.parametrize(("text", "iso"), [
    ("2021年1月19日", "2021-01-19"), ("2021 年 1 月 19 日", "2021-01-19"), ("２０２１年１月１９日", "2021-01-19"),
    ("二〇二一年一月十九日", "2021-01-19"), ("二○二○年十二月三十一日", "2020-12-31"), ("2020-01-30", "2020-01-30"),
    ("2020/1/30", "2020-01-30"), ("2020.01.30", "2020-01-30"), ("2020－01－30", "2020-01-30"),
    ("生成日期：2020-01-30 10:22", "2020-01-30"), ("20200130", "2020-01-30"),
])
def test_dates_in_every_notation(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["2021年2月30日", "2020-13-01", "2020/1-30", "1月19日", "", "发布时间", "12345678"])
def test_invalid_or_partial_dates_are_none(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(("text", "year"), [("2020", 2020), ("２０２１", 2021), ("二〇二二", 2022), ("2020年度", 2020),
                                            ("20", None), ("0000", None), ("二十", None), ("abcd", None)])
def test_report_year(text, year):
    assert parse_year(text) == year


def test_pick_agency_and_year_tie_rules():
    assert pick_agency(["乙局", "甲市乙局", "乙局", "甲市乙局"]) == "甲市乙局"       # tie on count: longest
    assert pick_agency(["丙局", "丁局"]) == "丙局"                               # tie on both: first
    assert pick_agency([]) is None
    assert pick_year([2019, 2020, 2020, 2019]) == 2019 and pick_year([]) is None


def test_pairing_prefers_the_title_before_on_a_tie_and_reuses_titles():
    text = "副组长张三、李四；王五"
    t, n1, n2, n3 = Span(0, 3, "LEADER_TITLE"), Span(3, 5, "LEADER_NAME"), Span(6, 8, "LEADER_NAME"), \
        Span(9, 11, "LEADER_NAME")
    assert pair_leaders(text, [n1, n2, n3], [t]) == [(n1, t), (n2, t), (n3, None)]
    text = "局长甲乙主任"
    before, name, after = Span(0, 2, "LEADER_TITLE"), Span(2, 4, "LEADER_NAME"), Span(4, 6, "LEADER_TITLE")
    assert pair_leaders(text, [name], [after, before]) == [(name, before)]
