"""core.fold: the folded text and its offset map, against a character-by-character oracle (the
implementation before the one-``translate`` rewrite) on spliced pinyin, full-width and traditional
characters, and on random strings of them."""

from __future__ import annotations

import random
import unicodedata
from array import array

import pytest

from govreport.core.fold import fold, fold_char, fold_with_map
from govreport.core.rules import PINYIN, traditional_table


def _oracle(text: str) -> tuple[str, list[int]]:
    spliced = {k for m in PINYIN.finditer(text) if m.start() and "\u4e00" <= text[m.start() - 1] <= "\u9fff"
               for k in range(m.start(), m.end())}
    chars, index = [], []
    for i, ch in enumerate(text):
        if i in spliced:
            continue
        nfkc = unicodedata.normalize("NFKC", ch)
        nfkc = nfkc if len(nfkc) == 1 else ch
        chars.append(traditional_table().get(nfkc, nfkc))
        index.append(i)
    return "".join(chars), [*index, len(text)]


@pytest.mark.parametrize("text", [
    "", "abc", "數(shù)據(jù)项(xiàng)", "(ab)開頭", "１２３（一）數(shù)", "a\u00bd\ufb01x①", "規(guī)範性文件(a)1(b)",
    "受理申請(qǐng)３件\n| 1 | 2 |", "(shù)(shù)數(shù)(shù)",
])
def test_fold_with_map_agrees_with_the_oracle(text: str) -> None:
    folded, index = fold_with_map(text)
    assert (folded, list(index)) == _oracle(text)
    assert isinstance(index, array) and index.typecode == "i"
    assert index[len(folded)] == len(text) and fold(text) == folded


def test_fold_with_map_agrees_with_the_oracle_on_random_text() -> None:
    rng = random.Random(14)
    alphabet = [*"數(shù)據(jù)項(xiàng)（）()ａ１２３ abc廣東省\u3000\t\n|", "\u00bd", "\ufb01", "\u2460"]
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        folded, index = fold_with_map(text)
        assert (folded, list(index)) == _oracle(text), text
        assert fold(text) == folded  # without the map


def test_a_character_folds_to_one_character() -> None:
    assert fold_char("數") == "数" and fold_char("１") == "1" and fold_char("\ufb01") == "\ufb01"
