import pytest

from govreport.core.units import header_unit, split_amount, unit_after


@pytest.mark.parametrize(("text", "expected"), [
    ("296549元 |", ("元", 7)), ("12 萬元", ("万元", 5)), ("12 | 元", None), ("12\n元", None), ("12件", None),
])
def test_unit_written_after_the_number_in_the_same_cell(text, expected):
    end = 6 if text.startswith("296549") else 2
    assert unit_after(text, end) == expected


@pytest.mark.parametrize(("header", "unit"), [
    ("本年收费金额(单位:万元)", "万元"), ("采购总金额（元）", "元"), ("採購總金額 單位：萬元", "万元"),
    ("采购总金额/万元", "万元"), ("采购总金额", None), ("收取费用380元", None),
    ("采购总金额（单位：万\n元，保留4位小数）", "万元"), ("采购总金额(万 元)", "万元"),
    ("採購總金額(單(dān)位:萬元)", "万元"), ("采购总金额(单位:万 备注\n元)", "万元"), ("单位：件数", None),
    ("：元） |  |", "元"), ("采购总金额（单位 说明\n：元，保留4位小数）", "元"), ("：元", None), ("萬元) | |", "万元"),
])
def test_header_unit(header, unit):
    assert header_unit(header + " | 1", 0, len(header)) == unit


def test_header_unit_only_looks_inside_its_window():
    text = "（万元）" + "x" * 20 + "采购总金额 | 5"
    assert header_unit(text, 4, len(text) - 1) is None
    assert header_unit(text, 0, len(text) - 1) == "万元"


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("380 元", 380, "元"), ("1.5万元", 1.5, "万元"), ("1.5萬元", 1.5, "万元"), ("２,０００元", 2000, "元"),
    ("叁佰捌拾元", 380, "元"), ("人民币380元", 380, "元"), ("500", 500, None), ("若干元", None, "元"),
])
def test_split_amount(text, value, unit):
    assert split_amount(text) == (value, unit)
