import subprocess
import sys

import pytest

from govreport.core.document import Span
from govreport.inference.extract import Extraction, Extractor
from govreport.paths import SHARED

SEED_DIR = SHARED / "seeds"

TEXT = "花街镇人民政府2023年政府信息公开工作年度报告\n予以公开 | 1 |"


class FakeTagger:
    """Tags by substring, like a model would; records what it was asked."""

    def __init__(self, found: dict[str, str]) -> None:
        self.found, self.calls = found, []

    def tag(self, text: str) -> list[Span]:
        self.calls.append(text)
        spans = []
        for sub, label in self.found.items():
            i = text.find(sub)
            if i >= 0:
                spans.append(Span(i, i + len(sub), label))
        return [*spans, Span(0, 10_000, "AGENCY"), Span(3, 3, "PHONE"), Span(0, 2, "NO_SUCH_LABEL")]


def make(found=None) -> Extractor:
    return Extractor(tagger=FakeTagger(found or {"花街镇人民政府": "AGENCY", "2023": "REPORT_YEAR",
                                                 "1": "T2.granted.total"}))


def test_extract_assembles_the_taggers_spans_and_drops_unusable_ones():
    result = make().extract(TEXT, offsets=True)
    assert isinstance(result, Extraction)
    assert result.record["agency"] == "花街镇人民政府"
    assert result.record["report_year"] == 2023 and result.record["template"] == "2021"
    assert result.record["requests"]["granted"]["total"] == 1
    assert result.record["provenance"]["requests.granted.total"] == [TEXT.index("1 |"), TEXT.index("1 |") + 1]
    assert all(0 <= s.start < s.end <= len(TEXT) and s.label != "NO_SUCH_LABEL" for s in result.spans)
    assert result.spans == sorted(result.spans)


@pytest.mark.parametrize("text", ["", "   \n\t", "\u3000"])
def test_empty_text_gives_nulls_without_calling_the_tagger(text):
    ex = make()
    result = ex.extract(text)
    assert ex.tagger.calls == [] and result.spans == []
    assert result.record["template"] is None and result.record["agency"] is None
    assert all(v is None for v in result.record["sections"].values())


def test_non_report_text_gives_nulls():
    result = Extractor(tagger=FakeTagger({})).extract("今天天气很好，我们去公园散步。")
    record = result.record
    assert record["template"] is None and record["report_year"] is None and record["amounts"] == []
    assert record["requests"]["granted"]["total"] is None


def test_non_text_input_is_a_clear_error():
    with pytest.raises(TypeError, match="str"):
        make().extract(b"bytes")


def test_missing_model_dir_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model directory"):
        Extractor.from_pretrained(tmp_path / "absent")


def test_extracting_with_an_own_tagger_never_imports_torch():
    code = ("import sys; from govreport.inference.extract import Extractor; from govreport.core.document import Span\n"
            "class T:\n    def tag(self, text): return [Span(0, 2, 'AGENCY')]\n"
            "assert Extractor(tagger=T()).extract('某局报告').record['agency'] == '某局'\n"
            "print('torch' in sys.modules, 'govreport.inference.tagger' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.slow
def test_extractor_loads_a_model_directory_and_returns_a_valid_record(tmp_path):
    """Wiring with the real Tagger: a tiny untrained model, so only shapes and offsets are asserted."""
    pytest.importorskip("transformers")
    import jsonschema
    import torch
    from transformers import BertConfig, BertForTokenClassification

    from govreport.core import labels as labelset
    from govreport.core.schema import json_schema
    from govreport.core.vocab import Vocab
    from govreport.inference.tagger import CONFIG_KEY, TaggerSettings

    text = (SEED_DIR / "004_c3e8f04142897358.txt").read_text(encoding="utf-8")[:1500] if SEED_DIR.is_dir() \
        else TEXT * 20
    vocab = Vocab.build([text], include_ranges=False)
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, type_vocab_size=1,
                        pad_token_id=vocab.pad_id, id2label=labelset.id2label(), label2id=labelset.label2id())
    setattr(config, CONFIG_KEY, TaggerSettings(window=64, stride=40).to_dict())
    torch.manual_seed(0)
    BertForTokenClassification(config).save_pretrained(tmp_path)
    vocab.save(tmp_path)

    result = Extractor.from_pretrained(tmp_path).extract(text, offsets=True)
    jsonschema.validate(result.record, json_schema())
    assert result.spans == sorted(result.spans) and result.spans  # an untrained model tags something
    assert all(0 <= s.start < s.end <= len(text) for s in result.spans)
    assert all(0 <= a <= b <= len(text) for a, b in result.record["provenance"].values())
