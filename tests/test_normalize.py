"""Normalisation folds width, whitespace and traditional characters and maps back to exact offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govreport.core.normalize import NormalizeOptions, normalize, normalize_char
from govreport.core.vocab import CLS, PAD, SEP, UNK, Vocab


def test_full_width_digits_fold_and_map_back() -> None:
    text = "收到申请２０２０件"
    norm = normalize(text)
    assert norm.text == "收到申请2020件"
    start = norm.text.index("2020")
    o_start, o_end = norm.to_original(start, start + 4)
    assert text[o_start:o_end] == "２０２０"


def test_whitespace_runs_collapse_to_one_char_that_covers_the_run() -> None:
    text = "一、总体情况 \u3000\r\n\n  本年度\t\t| 12 |"
    norm = normalize(text)
    assert norm.text == "一、总体情况\n本年度\t| 12 |"
    nl = norm.text.index("\n")
    assert (norm.starts[nl], norm.ends[nl]) == (6, 13)  # the whole run, spaces and line breaks
    tab = norm.text.index("\t")
    assert text[norm.starts[tab]:norm.ends[tab]] == "\t\t"
    # a span over the number maps back to the number only
    i = norm.text.index("12")
    assert text[slice(*norm.to_original(i, i + 2))] == "12"


def test_span_over_an_inner_whitespace_run_maps_back_whole() -> None:
    text = "金额 1   234 元"
    norm = normalize(text)
    i = norm.text.index("1 234")
    assert text[slice(*norm.to_original(i, i + 5))] == "1   234"


def test_traditional_characters_fold_one_to_one() -> None:
    text = "一、總體情況\n二、主動公開政府信息情況"
    norm = normalize(text)
    assert norm.text == "一、总体情况\n二、主动公开政府信息情况"
    assert list(norm.starts) == list(range(len(text)))
    kept = normalize(text, NormalizeOptions(fold_traditional=False))
    assert kept.text == text


def test_expanding_character_maps_every_output_char_to_its_source() -> None:
    text = "㈠主动公开"
    norm = normalize(text)
    assert norm.text.startswith("(一)")
    assert norm.to_original(0, 3) == (0, 1)
    assert norm.to_original(3, 5) == (1, 3)


def test_invisible_characters_are_dropped() -> None:
    text = "12\u200b34"
    norm = normalize(text)
    assert norm.text == "1234"
    assert norm.to_original(0, 4) == (0, 5)


def test_to_original_rejects_empty_or_out_of_range_spans() -> None:
    norm = normalize("abc")
    for start, end in ((1, 1), (2, 5), (-1, 2)):
        with pytest.raises(ValueError):
            norm.to_original(start, end)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0１２ａB 　\t\n\r，。總体情况㈠\u200b|-")), max_size=40))
def test_offset_map_is_monotonic_and_points_at_the_source(text: str) -> None:
    norm = normalize(text)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    assert list(norm.starts) == sorted(norm.starts)
    for i, ch in enumerate(norm.text):
        src = text[norm.starts[i]:norm.ends[i]]
        assert src, "every normalised character comes from at least one original character"
        if ch in " \t\n":
            assert src.isspace() or set(src) <= {"\u3000"}
        else:
            assert ch in normalize_char(src, NormalizeOptions())


def test_vocabulary_covers_ranges_and_corpus_and_round_trips(tmp_path) -> None:
    vocab = Vocab.build(["总体情况 ½ ☆☆"], min_count=1)
    assert vocab.tokens[:4] == [PAD, UNK, CLS, SEP]
    assert "鿿" in vocab and "a" in vocab and "\n" in vocab
    assert "☆" in vocab  # from the corpus, outside the ranges
    assert "總" not in vocab and "总" in vocab  # folded away by normalisation: no row wasted on it
    assert "２" not in vocab
    assert vocab.encode("总☃")[1] == vocab.unk_id
    vocab.save(tmp_path)
    again = Vocab.load(tmp_path)
    assert again.tokens == vocab.tokens


def test_vocabulary_min_count_drops_rare_corpus_characters() -> None:
    vocab = Vocab.build(["☆☆★"], min_count=2, include_ranges=False)
    assert "☆" in vocab and "★" not in vocab


def test_vocabulary_rejects_a_file_without_specials(tmp_path) -> None:
    with pytest.raises(ValueError):
        Vocab(["a", "b"])
    with pytest.raises(FileNotFoundError):
        Vocab.load(tmp_path)


def test_keep_cells_keeps_every_tab_and_blank_cell() -> None:
    opts = NormalizeOptions(keep_cells=True)
    text = "申请数量\t6\t3\t\u00a0\t\u00a0\t2\t1\t7"
    norm = normalize(text, opts)
    assert norm.text == "申请数量\t6\t3\t\t\t2\t1\t7"
    assert norm.text.count("\t") == text.count("\t")


def test_keep_cells_bounds_blank_lines_and_drops_spaces_at_line_edges() -> None:
    opts = NormalizeOptions(keep_cells=True)
    norm = normalize("规章\r\n\r\n 0 \n\n\n\n\n\n0  |  0 | \n", opts)
    assert norm.text == "规章\n\n0\n\n\n0 | 0 |\n"
    i = norm.text.index("0")
    assert norm.original[slice(*norm.to_original(i, i + 1))] == "0"


def test_max_newlines_keeps_the_blank_lines_of_a_cell_per_line_table() -> None:
    text = "规章\n\n\n\n\n\n0"  # five blank cells, one a line
    assert normalize(text, NormalizeOptions(keep_cells=True, max_newlines=32)).text == text
    assert NormalizeOptions.from_dict({"keep_cells": True, "max_newlines": 32}).max_newlines == 32
    assert NormalizeOptions.from_dict({"keep_cells": True}).max_newlines == 3  # models saved before


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("规章0１ \u00a0\t\r\n|體")), max_size=60))
def test_keep_cells_offsets_always_map_into_the_original(text: str) -> None:
    norm = normalize(text, NormalizeOptions(keep_cells=True))
    assert len(norm.text) == len(norm.starts) == len(norm.ends)
    assert all(0 <= s < e <= len(text) for s, e in zip(norm.starts, norm.ends, strict=True))
    assert list(norm.starts) == sorted(norm.starts)
