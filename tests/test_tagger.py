"""Windowed tagging: BIO decoding, window cover, score averaging over overlaps, original offsets."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from govreport.core.document import Span
from govreport.core.normalize import normalize
from govreport.core.vocab import Vocab
from govreport.inference.decode import DecodeOptions, LabelGroups, decode, decode_bio
from govreport.inference.tagger import (
    Tagger,
    TaggerSettings,
    blocks,
    centre_ranges,
    spans_from_tags,
    window_starts,
)

LABELS = ["O", "B-PHONE", "I-PHONE", "B-H.overview", "I-H.overview"]


def test_decode_bio_pins_the_tricky_cases() -> None:
    tags = ["I-PHONE", "I-PHONE", "O", "B-PHONE", "B-PHONE", "I-PHONE", "I-H.overview", "I-PHONE"]
    assert decode_bio(tags) == [(0, 2, "PHONE"), (3, 6, "PHONE"), (6, 7, "H.overview"), (7, 8, "PHONE")]
    # a B- inside a number of one cell ("49" tagged B B) does not cut it in two; a gap or another
    # label still does
    assert decode_bio(["B-T2.granted.total", "B-T2.granted.total", "O", "B-T2.granted.total"]) == [
        (0, 2, "T2.granted.total"), (3, 4, "T2.granted.total")]
    assert decode_bio([]) == []
    assert decode_bio(["O", "O"]) == []
    assert decode_bio(["B-PHONE"]) == [(0, 1, "PHONE")]


def test_probabilities_pick_the_span_label_before_the_prefix() -> None:
    # columns: O, B-PHONE, I-PHONE, B-H.overview, I-H.overview
    probs = torch.tensor([
        [0.40, 0.35, 0.25, 0.00, 0.00],  # O has the plurality, PHONE the majority: a PHONE begins
        [0.40, 0.10, 0.50, 0.00, 0.00],  # continues
        [0.30, 0.00, 0.35, 0.10, 0.25],  # I-PHONE is the largest entry, but H.overview has more mass
        [0.60, 0.20, 0.20, 0.00, 0.00],  # O
    ])
    tags = decode("abcd", probs.numpy(), LabelGroups.of(dict(enumerate(LABELS))), DecodeOptions(False, False))
    assert tags == ["B-PHONE", "I-PHONE", "I-H.overview", "O"]
    assert decode_bio(tags) == [(0, 2, "PHONE"), (2, 3, "H.overview")]


def test_spans_map_back_to_original_offsets_and_are_trimmed() -> None:
    text = "電話：０７７２-７２１２２０５　\n總體情況"
    norm = normalize(text)
    assert norm.text == "电话:0772-7212205\n总体情况"
    tags = ["O"] * len(norm.text)
    s = norm.text.index("0772")
    # the model also tagged the whitespace after the number: trimmed away
    for i in range(s, s + 13):
        tags[i] = "I-PHONE"
    h = norm.text.index("总体")
    tags[h] = "B-H.overview"
    for i in range(h + 1, h + 4):
        tags[i] = "I-H.overview"
    spans = spans_from_tags(norm, tags)
    found = [(sp.label, sp.text(text)) for sp in spans]
    assert found == [("PHONE", "０７７２-７２１２２０５"), ("H.overview", "總體情況")]


def test_spans_of_only_whitespace_are_dropped() -> None:
    norm = normalize("a   b")
    assert spans_from_tags(norm, ["O", "B-PHONE", "O"]) == []


@pytest.mark.parametrize(("n", "width", "stride"), [(0, 10, 5), (7, 10, 5), (10, 10, 5), (11, 10, 5), (95, 10, 7),
                                                    (1000, 510, 256)])
def test_windows_cover_every_position_and_stay_inside(n: int, width: int, stride: int) -> None:
    starts = window_starts(n, width, stride)
    assert starts[0] == 0
    assert all(0 <= s and (s + width <= n or s == 0) for s in starts)
    covered = set()
    for s in starts:
        covered.update(range(s, min(n, s + width)))
    assert covered == set(range(n))


class DigitModel(torch.nn.Module):
    """A stub encoder: digits are PHONE (B- on the first of a run), everything else O."""

    def __init__(self, vocab: Vocab) -> None:
        super().__init__()
        self.config = SimpleNamespace(id2label=dict(enumerate(LABELS)))
        self.digit_ids = torch.tensor([vocab.index[d] for d in "0123456789"])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        is_digit = torch.isin(input_ids, self.digit_ids)
        prev_digit = torch.zeros_like(is_digit)
        prev_digit[:, 1:] = is_digit[:, :-1]
        logits = torch.full((*input_ids.shape, len(LABELS)), -10.0)
        logits[..., 0] = 0.0
        logits[..., 1] = torch.where(is_digit & ~prev_digit, 10.0, -10.0)
        logits[..., 2] = torch.where(is_digit & prev_digit, 10.0, -10.0)
        return SimpleNamespace(logits=logits)


class HalfModel(torch.nn.Module):
    """A stub whose answer depends only on the position in the window: first half label 1, second 3."""

    def __init__(self) -> None:
        super().__init__()
        self.config = SimpleNamespace(id2label=dict(enumerate(LABELS)))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        b, n = input_ids.shape
        logits = torch.full((b, n, len(LABELS)), -30.0)
        half = n // 2
        logits[:, :half, 1] = 30.0
        logits[:, half:, 3] = 30.0
        return SimpleNamespace(logits=logits)


def _vocab() -> Vocab:
    return Vocab.build(["电话号码 年报"], include_ranges=True)


def test_long_text_is_tagged_across_windows_with_original_offsets() -> None:
    vocab = _vocab()
    tagger = Tagger(DigitModel(vocab), vocab, TaggerSettings(window=34, stride=16, batch_size=3))
    filler = "电话号码　　年报，"
    text = "".join(f"{filler}{i:04d}" if i % 2 else f"{filler}{'０１２３'}" for i in range(40))
    spans = tagger.tag(text)
    expected = []
    pos = 0
    for _ in range(40):
        pos += len(filler)
        expected.append(Span(pos, pos + 4, "PHONE"))
        pos += 4
    assert spans == expected
    assert all(text[s.start:s.end].strip() == text[s.start:s.end] for s in spans)


def test_scores_are_averaged_over_overlapping_windows() -> None:
    vocab = _vocab()
    # width 8, stride 4: characters 4..7 sit in the second half of window 0 and the first half of window 1
    tagger = Tagger(HalfModel(), vocab, TaggerSettings(window=10, stride=4))
    probs = tagger.probabilities("电话号码电话号码电话号码")
    assert probs.shape == (12, len(LABELS))
    assert np.allclose(probs.sum(-1), np.ones(12), atol=1e-6)
    assert probs[5, 1].item() == pytest.approx(0.5, abs=1e-4)
    assert probs[5, 3].item() == pytest.approx(0.5, abs=1e-4)
    assert probs[0, 1].item() == pytest.approx(1.0, abs=1e-4)  # seen by one window only


def test_centre_takes_each_character_from_the_window_where_it_sits_most_central() -> None:
    vocab = _vocab()
    # width 8, windows at 0 and 4: their overlap 4..7 is cut in the middle, at 6
    tagger = Tagger(HalfModel(), vocab, TaggerSettings(window=10, stride=4, combine="centre"))
    probs = tagger.probabilities("电话号码电话号码电话号码")
    assert np.allclose(probs.sum(-1), np.ones(12), atol=1e-6)
    # window 0's second half (chars 4, 5: label 3), then window 1's first half (chars 6, 7: label 1)
    assert probs[:, 1].round().tolist() == [1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0]
    assert probs[:, 3].round().tolist() == [0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1]


def test_centre_ranges_cover_the_text_once_with_context_on_both_sides() -> None:
    n, width, stride = 2000, 510, 320
    starts = window_starts(n, width, stride)
    ranges = centre_ranges(starts, [width] * len(starts), n)
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    overlap = min(s + width - t for s, t in itertools.pairwise(starts))
    for s, (lo, hi) in zip(starts, ranges, strict=True):
        assert s <= lo <= hi <= s + width
        assert lo == 0 or lo - s >= overlap // 2
        assert hi == n or s + width - hi >= overlap // 2


def test_combine_is_saved_with_the_settings_and_old_models_average() -> None:
    settings = TaggerSettings(stride=320, combine="centre")
    assert TaggerSettings.from_dict(settings.to_dict()) == settings
    assert TaggerSettings.from_dict({"window": 512, "stride": 256}).combine == "mean"
    with pytest.raises(ValueError, match="combine"):
        TaggerSettings.from_dict({"combine": "max"})


def test_bad_input_gives_no_spans() -> None:
    vocab = _vocab()
    tagger = Tagger(DigitModel(vocab), vocab, TaggerSettings(window=34, stride=16))
    assert tagger.tag("") == []
    assert tagger.tag(None) == []  # type: ignore[arg-type]
    assert tagger.tag("   \n\t") == []


def test_from_pretrained_refuses_a_directory_without_a_model(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        Tagger.from_pretrained(tmp_path)


def test_a_long_text_is_tagged_block_by_block_with_the_same_result(monkeypatch) -> None:
    vocab = _vocab()
    tagger = Tagger(DigitModel(vocab), vocab, TaggerSettings(window=34, stride=16, batch_size=3))
    text = "\n".join(f"电话号码{i:04d}年报" for i in range(1, 300))
    whole = tagger.tag(text)
    import govreport.inference.tagger as tagger_mod

    monkeypatch.setattr(tagger_mod, "BLOCK", 100)
    assert len(blocks(text, 100)) > 10
    assert tagger.tag(text) == whole


def test_blocks_cover_the_text_and_cut_after_line_breaks() -> None:
    text = "ab\ncdef\ng\nhijkl\n" * 20
    pieces = blocks(text, 12)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    assert all(text[e - 1] == "\n" for _, e in pieces[:-1])
