import copy
import json

import pytest

from govreport.annotations.validate import (
    validate_document,
    validate_path,
    validate_record_file,
)
from govreport.cli import main
from govreport.core import schema
from govreport.core.checks import run_checks
from govreport.core.document import Document, Span
from govreport.core.sections import section_texts


class _Builder:
    """Text built piece by piece; a labelled piece becomes a span at its exact offsets."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[Span] = []

    def add(self, piece: str, label: str | None = None) -> "_Builder":
        if label:
            self.spans.append(Span(len(self.text), len(self.text) + len(piece), label))
        self.text += piece
        return self


def small_report(twice_value: str | None = None) -> Document:
    """A small 2021-template report, with its record written out by hand.

    twice_value: paste the 新收 row a second time, its total printed as this value.
    """
    b = _Builder()
    b.add("花溪镇人民政府", "AGENCY").add("2022", "REPORT_YEAR").add("年政府信息公开工作年度报告\n")
    b.add("一、总体情况", "H.overview").add("\n本年度由").add("党委副书记、镇长", "LEADER_TITLE")
    b.add("张三", "LEADER_NAME").add("负责，收取").add("1.5万元", "AMOUNT").add("。电话")
    b.add("0571-1234567", "PHONE").add("。\n")
    b.add("二、主动公开政府信息情况", "H.proactive").add("\n行政许可 | ")
    b.add("5", "T1.art20_5.administrative_license.decisions").add(" |\n行政事业性收费 | ")
    b.add("3.2", "T1.art20_8.administrative_fees.amount").add(" |\n")
    b.add("三、收到和处理政府信息公开申请情况", "H.requests").add("\n新收 | ")
    b.add("2", "T2.new_received.natural_person").add(" | ").add("2", "T2.new_received.total").add(" |\n")
    b.add("四、政府信息公开行政复议、行政诉讼情况", "H.review_litigation").add("\n复议 | ")
    b.add("1", "T3.review.upheld").add(" | ").add("1", "T3.review.total").add(" |\n")
    b.add("五、存在的主要问题及改进情况", "H.problems").add("\n无。\n")
    b.add("六、其他需要报告的事项", "H.other").add("\n无。\n")
    if twice_value is not None:
        b.add("新收 | ").add("2", "T2.new_received.natural_person").add(" | ")
        b.add(twice_value, "T2.new_received.total").add(" |\n")
    b.add("花溪镇人民政府", "AGENCY").add("\n").add("2023年1月15日", "PUBLISHED_DATE")

    rec = schema.empty_record("2021")
    rec.update(report_year=2022, agency="花溪镇人民政府", published="2023-01-15",
               leaders=[{"name": "张三", "title": "党委副书记、镇长"}], phones=["0571-1234567"])
    rec["amounts"] = [
        {"text": "1.5万元", "value": 1.5, "unit": "万元", "cell": None},
        {"text": "3.2", "value": 3.2, "unit": "万元", "cell": "proactive.art20_8.administrative_fees.amount"},
    ]
    rec["proactive"]["art20_5"]["administrative_license"]["decisions"] = 5
    rec["proactive"]["art20_8"]["administrative_fees"]["amount"] = 3.2
    rec["requests"]["new_received"].update(natural_person=2, total=2)
    rec["review_litigation"]["review"].update(upheld=1, total=1)
    rec["sections"] = section_texts(b.text, b.spans)
    rec["checks"] = run_checks(rec)
    return Document("small", b.text, b.spans, rec, {"split": "gold"})


def problems(doc: Document) -> list[str]:
    return [str(p) for p in validate_document(doc)]


def _span(doc: Document, label: str, nth: int = 0) -> Span:
    return [s for s in doc.spans if s.label == label][nth]


def test_fixture_is_valid():
    assert problems(small_report()) == []


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d, s: Span(s.start, len(d.text) + 5, s.label), "out of range"),
    (lambda d, s: Span(s.start, s.start, s.label), "start >= end"),
    (lambda d, s: Span(s.start - 1, s.end, s.label), "whitespace"),
    (lambda d, s: Span(s.start, s.end, "T2.no_such_row.total"), "unknown label"),
])
def test_bad_span_is_named_with_its_reason(change, reason):
    doc = small_report()
    phone = _span(doc, "PHONE")
    doc.spans = [change(doc, phone) if s == phone else s for s in doc.spans]
    if reason == "whitespace":  # make the character before the phone a space
        doc.text = doc.text[:phone.start - 1] + " " + doc.text[phone.start:]
    found = [p for p in problems(doc) if reason in p]
    assert found and f"span {phone.start - (reason == 'whitespace')}-" in found[0]


def test_overlapping_spans_are_rejected():
    doc = small_report()
    phone = _span(doc, "PHONE")
    doc.spans.append(Span(phone.start + 2, phone.end + 1, "EMAIL"))
    assert any("overlaps span" in p and "PHONE" in p for p in problems(doc))


def test_schema_and_template_keys():
    doc = small_report()
    doc.record["requests"]["granted"]["total"] = "5"
    assert any("record.requests.granted.total" in p and "is not of type" in p for p in problems(doc))
    doc = small_report()
    doc.record["requests"]["other_handling"] = dict.fromkeys(schema.T2_COLUMNS)  # a 2019 row
    del doc.record["requests"]["other_misc"]
    found = problems(doc)
    assert any("record.requests.other_handling: not a key of this template" in p for p in found)
    assert any("record.requests.other_misc: missing" in p for p in found)


def test_cell_value_must_agree_with_its_span():
    doc = small_report()
    doc.record["requests"]["new_received"]["total"] = 3
    doc.record["checks"] = run_checks(doc.record)
    found = problems(doc)
    assert len(found) == 1
    assert "T2.new_received.total '2': reads 2 but record requests.new_received.total is 3" in found[0]


def test_non_null_cell_needs_a_span_and_a_span_needs_a_non_null_cell():
    doc = small_report()
    doc.record["requests"]["carried_over"]["natural_person"] = 0
    doc.record["review_litigation"]["review"]["upheld"] = None
    doc.record["checks"] = run_checks(doc.record)
    found = problems(doc)
    assert any("record requests.carried_over.natural_person is 0 but no span gives it" in p for p in found)
    assert any("T3.review.upheld '1': reads 1 but record review_litigation.review.upheld is None" in p
               for p in found)


def test_cell_label_of_the_other_template_is_rejected():
    doc = small_report()
    doc.record["template"] = "2019"
    doc.record = {**schema.empty_record("2019"), **{k: doc.record[k] for k in (
        "report_year", "agency", "published", "leaders", "phones", "sections")}}
    doc.record["checks"] = run_checks(doc.record)
    assert any("is not part of template 2019" in p for p in problems(doc))


def test_pasted_twice_agreeing_needs_no_conflict():
    assert problems(small_report(twice_value="2")) == []


def test_pasted_twice_disagreeing_needs_a_conflict_choosing_the_first():
    doc = small_report(twice_value="7")
    assert any("disagree [2, 7] but record.conflicts has no entry" in p for p in problems(doc))
    doc.record["conflicts"] = [{"path": "requests.new_received.total", "values": [2, 7], "chosen": 2}]
    assert problems(doc) == []
    doc.record["conflicts"][0]["chosen"] = 7
    assert any("chosen 7, the first occurrence reads 2" in p for p in problems(doc))


@pytest.mark.parametrize(("key", "value", "expect"), [
    ("phones", ["0571-1234567", "0571-1234567"], "PHONE spans give ['0571-1234567']"),
    ("agency", "花溪", "not one of the AGENCY spans"),
    ("report_year", 2021, "the REPORT_YEAR spans give [2022]"),
    ("published", "2023-01-16", "no PUBLISHED_DATE span gives it"),
    ("agency_aliases", ["某局"], "are not other AGENCY spans"),
    ("leaders", [{"name": "张三", "title": "镇长"}], "title '镇长' is not a LEADER_TITLE span"),
    ("leaders", [], "LEADER_NAME spans give ['张三']"),
    ("amounts", [], "AMOUNT spans give ['1.5万元']"),
])
def test_entity_fields_must_follow_the_spans(key, value, expect):
    doc = small_report()
    doc.record[key] = value
    assert any(expect in p for p in problems(doc))


def test_money_cell_needs_its_amount_entry():
    doc = small_report()
    doc.record["amounts"] = doc.record["amounts"][:1]
    assert any("has no entry for it" in p for p in problems(doc))


def test_agency_any_printed_form_is_accepted_the_assembler_picks_by_precedence():
    doc = small_report()
    sig = _span(doc, "AGENCY", 1)
    doc.spans = [Span(sig.start, sig.start + 3, "AGENCY") if s == sig else s for s in doc.spans]
    doc.record["agency"] = "花溪镇"
    assert problems(doc) == []


def test_checks_must_be_run_checks():
    doc = small_report()
    doc.record["checks"][-3]["ok"] = False
    found = problems(doc)
    assert len(found) == 1 and "identity 4 at review_litigation.review" in found[0]


def test_sections_must_follow_the_heading_spans():
    doc = small_report()
    doc.record["sections"]["problems"] = "别的"
    assert any("record.sections problems differ" in p for p in problems(doc))


def test_directory_cli_lists_every_problem_with_its_file(tmp_path, capsys):
    good, bad = small_report(), small_report()
    bad.id = "bad"
    bad.record["phones"] = []
    good.save(tmp_path / "small.json")
    bad.save(tmp_path / "bad.json")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert main(["annotate", "validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'bad.json'}: record.phones" in err
    assert f"{tmp_path / 'broken.json'}: cannot read JSON" in err
    assert "small.json" not in err
    (tmp_path / "bad.json").unlink()
    (tmp_path / "broken.json").unlink()
    assert main(["annotate", "validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == f"ok: 1 documents, {len(good.spans)} spans"


def test_file_name_must_match_id_and_ids_are_unique(tmp_path):
    doc = small_report()
    doc.save(tmp_path / "small.json")
    doc.save(tmp_path / "copy.json")
    reasons = [p.reason for p in validate_path(tmp_path).problems]
    assert any("file name does not match id" in r for r in reasons)
    assert any("is also used by" in r for r in reasons)


def test_missing_path_is_a_problem_not_a_crash(tmp_path):
    result = validate_path(tmp_path / "nope")
    assert not result.ok and "no such file" in str(result.problems[0])


def test_record_file_json_jsonl_and_document(tmp_path, capsys):
    rec = small_report().record
    one = tmp_path / "one.json"
    one.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    assert validate_record_file(one) == []
    bad = copy.deepcopy(rec)
    bad["review_litigation"]["review"]["total"] = -0.5  # allowed by the schema, but checks now disagree
    lines = tmp_path / "many.jsonl"
    lines.write_text(json.dumps(rec) + "\n\n" + json.dumps(bad) + "\n", encoding="utf-8")
    errors = validate_record_file(lines)
    assert len(errors) == 1 and errors[0].startswith(f"{lines}:3: record.checks differ")
    doc = tmp_path / "doc.json"
    small_report().save(doc)
    assert validate_record_file(doc) == []
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n", encoding="utf-8")
    assert validate_record_file(junk)[0].startswith(f"{junk}:1: not JSON")
    assert main(["schema", "--validate", str(lines)]) == 1
    assert "many.jsonl:3" in capsys.readouterr().err
