import subprocess
import sys

import pytest

from annotations.document import Span
from inference.extract import Extraction, Extractor

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
    code = ("import sys; from inference.extract import Extractor; from annotations.document import Span\n"
            "class T:\n    def tag(self, text): return [Span(0, 2, 'AGENCY')]\n"
            "assert Extractor(tagger=T()).extract('某局报告').record['agency'] == '某局'\n"
            "print('torch' in sys.modules, 'inference.tagger' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["False", "False"]
