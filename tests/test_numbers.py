import pytest

from govreport.core.numbers import parse_number


@pytest.mark.parametrize(("text", "value"), [
    ("0", 0), ("49", 49), ("１２３", 123), ("1,234", 1234), ("1 234", 1234), ("398.3675", 398.3675),
    ("-3", -3), ("－3", -3), ("296549元", 296549), ("十二", 12), ("二十", 20), ("一百零五", 105),
    ("两千三百", 2300),
    # Signed changes (本年增/减) as reports print them.
    ("+3", 3), ("增98", 98), ("减4", -4), ("減4", -4), ("--253", -253), ("-2", -2), ("减1,234", -1234),
])
def test_parses(text, value):
    result = parse_number(text)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize("text", ["", "  ", "/", "-", "—", "无", "abc", "1.2.3", "规章", "--", "增", "减"])
def test_not_a_number_is_none(text):
    assert parse_number(text) is None
