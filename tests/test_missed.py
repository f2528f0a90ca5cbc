from govreport.core.document import Span
from govreport.inference.missed import (
    agency_from_opening,
    agency_from_title,
    agency_mentions,
    document_numbers,
    labelled_dates,
    missing_headings,
    report_years,
    signature_date,
    unread_rows,
    without_cited_issuers,
)

TEXT = ("一、总体情况\n本年度工作有序。\n"
        "四、结转下年度继续办理 | 0 | 0\n"
        "五、存在的主要问題及改進情況\n人员不足。\n"
        "六、其他需要報告的事項\n无。")


def _heading(label: str, words: str) -> Span:
    start = TEXT.index(words)
    return Span(start, start + len(words), label)


def test_a_heading_line_the_tagger_missed_is_added_in_traditional_characters_too():
    found = [_heading("H.overview", "一、总体情况")]
    got = {(s.label, TEXT[s.start:s.end]) for s in missing_headings(TEXT, found)}
    assert got == {("H.problems", "五、存在的主要问題及改進情況"), ("H.other", "六、其他需要報告的事項")}


def test_a_table_row_label_numbered_like_a_heading_is_not_one():
    got = missing_headings(TEXT, [])
    assert all(s.label != "H.review_litigation" for s in got)  # 四、结转下年度继续办理 is table 2's row


def test_a_section_the_tagger_found_and_a_candidate_out_of_order_are_left_alone():
    found = [_heading("H.other", "六、其他需要報告的事項")]
    assert all(s.label != "H.other" for s in missing_headings(TEXT, found))
    late = "二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n一、总体情况"
    three = Span(late.index("三"), late.index("三") + 17, "H.requests")
    assert [s.label for s in missing_headings(late, [three])] == ["H.proactive"]


def test_a_long_prose_line_opening_like_a_heading_is_not_one():
    text = "六、其他方面,本机关全年共收到各类咨询和建议一百余条,均已按时办理并答复,群众满意度较高,工作得到上级肯定"
    assert missing_headings(text, []) == []


def test_the_title_names_the_agency_when_the_tagger_tagged_none():
    for title, name in (("深圳市龍崗區2022年政府信息公開工作年度報告", "深圳市龍崗區"),
                        ("2021年区集体经济发展服务署政府信息公开工作年度报告", "区集体经济发展服务署"),
                        ("汉桃镇人民政府２０２１年政府信息公开工作年度报告", "汉桃镇人民政府")):
        text = "首页 > 年报\n" + title + "\n一、总体情况"
        assert [text[s.start:s.end] for s in agency_from_title(text, [])] == [name]


def test_no_title_agency_beside_a_tagged_one_or_without_a_name():
    text = "某县民政局2021年政府信息公开工作年度报告\n"
    tagged = [Span(0, 5, "AGENCY")]
    assert agency_from_title(text, tagged) == []
    for title in ("关于2021年度政府信息公开工作的年度报告", "2021年度政府信息公开工作年度报告",
                  "《某局2021年政府信息公开工作年度报告》"):
        assert agency_from_title(title + "\n", []) == []


def test_a_date_alone_on_a_last_line_is_the_signature_date():
    text = "发布日期:2022-01-21\n正文。\n福田区集体经济发展服务署\n2022年1月11日\n\n"
    assert [text[s.start:s.end] for s in signature_date(text, [])] == ["2022年1月11日"]
    tagged = [Span(text.index("2022年"), text.index("2022年") + 10, "PUBLISHED_DATE")]
    assert signature_date(text, tagged) == []
    prose = "正文。\n截至2021年12月31日,共公开信息12条。\n附件:统计表"
    assert signature_date(prose, []) == []


def test_every_other_mention_of_the_chosen_agency_is_tagged_but_not_inside_a_document_title():
    text = ("柳江區拉堡鎮人民政府2020年政府信息公开工作年度报告\n拉堡鎮高度重视。转发《拉堡鎮人民政府关于…的通知》。"
            "在拉堡鎮政务大厅")
    tagged = [Span(0, 10, "AGENCY"), Span(text.index("拉堡鎮高度"), text.index("拉堡鎮高度") + 3, "AGENCY")]
    got = [(s.start, text[s.start:s.end]) for s in agency_mentions(text, tagged)]
    assert got == [(text.index("拉堡鎮政务"), "拉堡鎮")]


def test_the_report_years_other_statements_are_tagged_and_other_years_go():
    text = ("某某局2024年政府信息公开工作年度报告\n"
            "内容涵盖2024年1月1日至12月31日期间的工作。统计期限自20241月1日起到2024年12月31日止。\n"
            "本局2024年度收到申请4件。\n2024年,我单位回复223条。\n"
            "本年增/减(指2024年增加) | 处理决定数量(指2024年办件量)\n"
            "根据《2024年政务公开工作要点》,截至2024年12月31日。\n2025年我局将认真组织学习。")
    title = text.index("2024")
    table_cell = Span(text.index("指2024年办") + 1, text.index("指2024年办") + 5, "T1.art20_1.rules.new_made")
    spans = [Span(title, title + 4, "REPORT_YEAR"), table_cell,
             Span(text.index("2025"), text.index("2025") + 4, "REPORT_YEAR")]
    got = [(s.start, s.label) for s in report_years(text, spans)]
    expected = [m for m in range(len(text)) if text.startswith("2024", m)]
    not_stated = {text.index("《2024") + 1, text.index("截至2024") + 2, text.index("到2024") + 1}
    assert got == [(m, "REPORT_YEAR") for m in expected if m not in not_stated]


def test_no_year_mention_is_added_when_no_year_is_chosen():
    text = "2023年,我局收到申请。2024年,我局收到申请。"
    spans = [Span(0, 4, "REPORT_YEAR"), Span(13, 17, "REPORT_YEAR")]  # a tie: no year chosen
    assert report_years(text, spans) == spans


def test_a_towns_name_below_its_county_is_a_mention_of_the_body_but_a_departments_is_not():
    town = "西咸新区底张街道办事处2023年政府信息公开工作年度报告\n2023年,底张街道立足工作实际。底张街道办事处高度重视。"
    got = [town[s.start:s.end] for s in agency_mentions(town, [Span(0, 11, "AGENCY")])]
    assert got == ["底张街道", "底张街道办事处"]
    dept = "某市公安局2023年政府信息公开工作年度报告\n县公安局配合。"  # another place's 公安局: not the body
    assert agency_mentions(dept, [Span(0, 5, "AGENCY")]) == []


def test_a_clause_or_title_the_year_opens_without_a_comma_states_it_but_a_span_of_time_does_not():
    text = ("鸭南乡2021年政府信息公开工作年度报告\n一、总体情况\n2021年,我乡积极公开。"
            "目前共发布592条信息,2021年公开信息60条。2021年以来,持续推进。2021年底完成。\n2021年12月31日")
    first = text.index("2021年,")
    got = {s.start for s in report_years(text, [Span(first, first + 4, "REPORT_YEAR")])}
    assert got == {text.index("2021年政府"), first, text.index("2021年公开")}


def test_a_streets_name_after_its_district_government_is_a_mention():
    text = "广州市荔湾区人民政府南源街道办事处2021年政府信息公开工作年度报告\n以南源街道办事处名义制发的公文"
    got = [text[s.start:s.end] for s in agency_mentions(text, [Span(0, 17, "AGENCY")])]
    assert got == ["南源街道办事处"]


def test_a_labelled_phone_number_and_a_year_after_the_bodys_name_are_found():
    from govreport.inference.missed import labelled_phones

    text = "东阳市自然资源和规划局 2023年度\n地址:某路1号,电话:0537-8451001,传真 0537 8451002。电话:123"
    phones = [text[s.start:s.end] for s in labelled_phones(text, [])]
    assert phones == ["0537-8451001", "0537 8451002"]  # 123 is no phone number
    spans = [Span(0, 11, "AGENCY"), Span(text.index("2023"), text.index("2023") + 4, "REPORT_YEAR")]
    again = text + "\n东阳市自然资源和规划局2023年工作"
    got = [s.start for s in report_years(again, [*spans]) if s.label == "REPORT_YEAR"]
    assert got == [text.index("2023")]  # an untagged name is no subject: only the tagged name's year counts
    named = [*spans, Span(len(text) + 1, len(text) + 12, "AGENCY")]
    got = [s.start for s in report_years(again, named) if s.label == "REPORT_YEAR"]
    assert got == [text.index("2023"), len(text) + 12]


def test_a_township_named_twice_over_is_mentioned_by_its_place_name():
    text = "鸭南乡2021年政府信息公开工作年度报告\n2021年,鸭南乡乡人民政府在市委领导下。鸭南乡着力深化公开。"
    full = text.index("鸭南乡乡")
    got = [text[s.start:s.end] for s in agency_mentions(text, [Span(full, full + 8, "AGENCY")])]
    assert got == ["鸭南乡", "鸭南乡"]


def test_a_copied_mention_gets_the_head_its_line_gives_back():
    # the tagger cut the name in prose (its head is words of their own there); the signature line holds
    # the whole name, so the copy made there takes it from the line's start, as a tagged span would
    text = "今年开发区集体经济发展服务署认真落实。\n开发区集体经济发展服务署\n2022年1月10日"
    cut = text.index("集体")
    got = [(s.start, text[s.start:s.end]) for s in agency_mentions(text, [Span(cut, cut + 9, "AGENCY")])]
    assert got == [(text.index("\n开发区") + 1, "开发区集体经济发展服务署")]


def test_a_towns_short_forms_when_its_own_name_holds_a_unit_character_and_a_streets_in_prose():
    text = "胡市镇人民政府2019年政府信息公开工作年度报告\n2019年,胡市镇以制度建设为抓手。\n来源:棠景街\n"
    got = [text[s.start:s.end] for s in agency_mentions(text, [Span(0, 7, "AGENCY")])]
    assert got == ["胡市镇"]  # the 市 of 胡市镇 is the town's name, not a city before it
    street = "广州市白云区人民政府棠景街道办事处2021年报告\n来源:棠景街 字体\n2021年,棠景街道在区委领导下"
    got = [street[s.start:s.end] for s in agency_mentions(street, [Span(0, 17, "AGENCY")])]
    assert got == ["棠景街", "棠景街道"]


def test_a_cited_documents_issuer_is_kept_only_when_it_is_the_reporting_body():
    text = ("大路镇人民政府2020年政府信息公开工作年度报告\n根据《琼海市人民政府办公室关于印发要点的通知》,"
            "制定印发了《大路镇人民政府关于加强政务公开的通知》。")
    own = Span(0, 7, "AGENCY")
    foreign = Span(text.index("琼海市"), text.index("关于印发"), "AGENCY")
    cited_own = Span(text.index("大路镇人民政府关于"), text.index("大路镇人民政府关于") + 7, "AGENCY")
    assert without_cited_issuers(text, [own, foreign, cited_own]) == [own, cited_own]
    # the issuer never outvotes the reporter: with only itself cited twice, the report's title still wins
    twice = "某镇人民政府2020年报告\n《国务院办公厅关于甲的通知》《国务院办公厅关于乙的通知》"
    spans = [Span(0, 6, "AGENCY")] + [Span(m, m + 6, "AGENCY") for m in (twice.index("国务院"), twice.rindex("国务院"))]
    assert without_cited_issuers(twice, spans) == spans[:1]


def test_a_page_lines_publication_date_is_tagged_on_its_line_or_the_next():
    text = "发布日期\n  • 2022-01-27\n  • 主题分类\n成文日期:2022年1月20日\n更新日期:2021-01-20"
    got = [(text[s.start:s.end], s.label) for s in labelled_dates(text, [])]
    assert got == [("2022-01-27", "PUBLISHED_DATE"), ("2022年1月20日", "PUBLISHED_DATE")]  # 更新日期 is no label
    tagged = Span(text.index("2022-01-27"), text.index("2022-01-27") + 10, "PUBLISHED_DATE")
    assert labelled_dates(text, [tagged]) == [Span(text.index("2022年"), text.index("2022年") + 10, "PUBLISHED_DATE")]


def test_bracketed_document_numbers_are_tagged_whole_and_a_cut_one_is_replaced():
    text = "《条例》(国务院令第711号)、《通知》(国办公开办函〔2021〕30号)。根据国办发〔2020〕17号文件,电话(0772)1234。"
    cut = Span(text.index("〕30号"), text.index("〕30号") + 4, "DOC_NUMBER")
    phone = Span(text.index("(0772)") + 1, text.index("1234") + 4, "PHONE")
    got = [(text[s.start:s.end], s.label) for s in document_numbers(text, [cut, phone])]
    # after 根据 no opener bounds the issuer's code: left to the tagger
    assert got == [("国务院令第711号", "DOC_NUMBER"), ("国办公开办函〔2021〕30号", "DOC_NUMBER"),
                   ("0772)1234", "PHONE")]


def test_an_opening_clause_names_the_body_when_nothing_else_does():
    text = "一、总体情况\n2020年七里坪镇严格按照《条例》要求。2021年全镇积极推进。\n"
    assert [text[s.start:s.end] for s in agency_from_opening(text, [])] == ["七里坪镇"]
    generic = "一、总体情况\n2021年全镇积极推进公开。"  # 全 opens no name
    assert agency_from_opening(generic, []) == []
    tagged = [Span(text.index("七里坪镇"), text.index("七里坪镇") + 4, "AGENCY")]
    assert agency_from_opening(text, tagged) == []  # the tagger's mention stands


def test_a_cited_documents_issuer_does_not_stop_the_opening_clause_naming_the_reporter():
    text = "依据《国务院办公厅关于印发格式的通知》编制。\n一、总体情况\n2025年,宝力根花苏木人民政府坚持依法公开。"
    issuer = Span(text.index("国务院办公厅"), text.index("国务院办公厅") + 6, "AGENCY")
    got = agency_from_opening(text, [issuer])
    assert [text[s.start:s.end] for s in got] == ["宝力根花苏木人民政府"]
    assert without_cited_issuers(text, [issuer, *got]) == got


T1 = ("二、主动公开政府信息情况\n第二十条第(一)项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n"
      "规章 0 0 5\n规范性文件(指各行政机关印发的有正式文号的文件) 2 0 83\n第二十条第(五)项\n")


def _t1(text: str) -> list[Span]:
    """The 规章 row tagged (the table is printed, the template 2021 by its cells), 规范性文件 not."""
    row = text.index("规章") + 2
    return [Span(text.index("二、"), text.index("二、") + 12, "H.proactive"),
            *(Span(row + 1 + 2 * k, row + 2 + 2 * k, f"T1.art20_1.rules.{c}")
              for k, c in enumerate(("issued", "repealed", "in_force")))]


def test_a_row_the_tagger_left_untagged_gets_its_numbers_when_they_are_exactly_its_cells():
    spans = _t1(T1)
    assert [T1[s.start:s.end] for s in spans[1:]] == ["0", "0", "5"]
    got = unread_rows(T1, spans)
    assert [(T1[s.start:s.end], s.label) for s in got] == [
        ("2", "T1.art20_1.normative_documents.issued"), ("0", "T1.art20_1.normative_documents.repealed"),
        ("83", "T1.art20_1.normative_documents.in_force")]
    wide = T1.replace(" 2 0 83", " ２ ０ ８３")
    assert [wide[s.start:s.end] for s in unread_rows(wide, _t1(wide))] == ["２", "０", "８３"]
    lines = T1.replace("(指各行政机关印发的有正式文号的文件) 2 0 83", "\n2\n0\n83")  # one cell per line
    assert [lines[s.start:s.end] for s in unread_rows(lines, _t1(lines))] == ["2", "0", "83"]


def test_a_row_with_a_blank_a_mark_a_unit_or_a_tagged_number_is_left_alone():
    for row in (" 2 83", " 2 / 83", "| 2 | | 0 | 83 |", " 2 0 83 件", " 2 0 83 1"):
        text = T1.replace("(指各行政机关印发的有正式文号的文件) 2 0 83", row)
        assert unread_rows(text, _t1(text)) == [], row
    tagged = [*_t1(T1), Span(T1.index(" 83") + 1, T1.index(" 83") + 3, "REPORT_YEAR")]
    assert unread_rows(T1, tagged) == []
    assert unread_rows(T1, _t1(T1)[:1]) == []  # no cell tagged: no table to read
