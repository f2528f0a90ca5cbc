from govreport.core.document import Span
from govreport.inference.assemble import assemble
from govreport.inference.repair import repair_spans


def test_heading_fragments_on_one_line_are_joined():
    text = "前言。\n一、总体情况\n正文"
    spans = [Span(4, 5, "H.overview"), Span(6, 10, "H.overview")]
    assert repair_spans(text, spans) == [Span(4, 10, "H.overview")]


def test_heading_named_inside_prose_is_dropped_but_inline_heading_after_a_space_is_kept():
    text = "报告主要包括：总体情况、主动公开政府信息情况。 二、主动公开政府信息情况 正文"
    spans = [Span(12, 22, "H.proactive"), Span(24, 36, "H.proactive")]
    assert repair_spans(text, spans) == [Span(24, 36, "H.proactive")]


def test_entity_fragments_join_and_single_characters_go():
    text = "乐至县回澜镇人民政府，电话：0\n镇长张三"
    spans = [Span(0, 1, "AGENCY"), Span(2, 10, "AGENCY"), Span(14, 15, "PHONE")]
    assert repair_spans(text, spans) == [Span(0, 10, "AGENCY")]


def test_fragments_are_not_joined_across_lines_or_over_a_cell():
    text = "崔桥镇\n民政局 | 7 | 民政局"
    spans = [Span(0, 3, "AGENCY"), Span(4, 7, "AGENCY"), Span(10, 11, "T2.granted.total"),
             Span(14, 17, "AGENCY")]
    out = repair_spans(text, spans)
    assert Span(10, 11, "T2.granted.total") in out
    assert Span(0, 3, "AGENCY") in out and Span(4, 7, "AGENCY") in out
    assert not any(s.label == "AGENCY" and s.start < 11 < s.end for s in out)


def test_a_name_printed_twice_with_a_space_between_is_two_mentions():
    text = "发布机构: 中埠镇人民政府 中埠镇人民政府2020年政府信息公开工作年度报告"  # two lines run into one
    a = text.index("中埠镇")
    b = text.index("中埠镇", a + 1)
    assert repair_spans(text, [Span(a, a + 7, "AGENCY"), Span(b, b + 7, "AGENCY")]) == [
        Span(a, a + 7, "AGENCY"), Span(b, b + 7, "AGENCY")]


def test_a_body_named_by_its_kind_alone_is_no_agency():
    text = "崔桥镇\n人民政府 | 7 | 五常市民意乡\n2021年政府信息公开工作年度报告\n辦公室"
    gov = text.index("政府信息")
    spans = [Span(0, 3, "AGENCY"), Span(4, 8, "AGENCY"), Span(gov, gov + 2, "AGENCY"),
             Span(text.index("辦公室"), len(text), "AGENCY")]
    assert [s for s in repair_spans(text, spans) if s.label == "AGENCY"] == [Span(0, 3, "AGENCY")]


def test_an_agency_name_begun_a_character_late_gets_it_back():
    text = ("一、总体情况\n2020年七里坪镇严格按照条例。一年以来,中村乡全面贯彻。在新城区推进。\n"
            "大连长兴岛经济技术开发区长兴岛街道2022年政府信息公开\n盐边县新九镇人民政府\n")
    def at(piece: str, cut: int) -> Span:
        i = text.index(piece)
        return Span(i + cut, i + len(piece), "AGENCY")
    spans = [at("七里坪镇", 1), at("中村乡", 1), at("新城区", 0), at("大连长兴岛经济技术开发区长兴岛街道", 11),
             at("盐边县新九镇人民政府", 2)]
    want = [at("七里坪镇", 0), at("中村乡", 0), at("大连长兴岛经济技术开发区长兴岛街道", 0),
            at("盐边县新九镇人民政府", 0)]
    # 在新城区: 在 opens the words before a name, never a name (新城区, a short form, is kept as it is)
    assert [s for s in repair_spans(text, spans) if s.label == "AGENCY"] == sorted([*want, at("新城区", 0)])


def test_an_address_or_a_phrase_is_cut_from_an_agency_name():
    text = "請與深圳市龍崗區政府信息公開辦公室聯系(地址:深圳市龍崗區龍翔大道行政服務大廳)。某镇人民政府信息公开"
    gov = text.index("深圳")
    road = text.index("深圳", gov + 1)
    town = text.index("某镇")
    spans = [Span(gov, gov + 8, "AGENCY"), Span(road, road + 10, "AGENCY"), Span(town, town + 6, "AGENCY")]
    assert [s for s in repair_spans(text, spans) if s.label == "AGENCY"] == [Span(gov, gov + 6, "AGENCY"),
                                                                            Span(town, town + 6, "AGENCY")]


def test_document_numbers_urls_and_postcodes_take_their_printed_extent():
    text = "《条例》(国务院令第711号)、《通知》(国办公开办函〔2021〕30号)。网址为:www.panzhihua.gov.cn 邮编:255000,"
    order = text.index("令第")
    letter = text.index("(国办")
    url = text.index(":www")
    post = text.index("255000")
    spans = [Span(order, order + 6, "DOC_NUMBER"), Span(letter, letter + 16, "DOC_NUMBER"),
             Span(url, url + 20, "URL"), Span(post, post + 6, "ADDRESS")]
    got = {(text[s.start:s.end], s.label) for s in repair_spans(text, spans)}
    assert got == {("国务院令第711号", "DOC_NUMBER"), ("国办公开办函〔2021〕30号", "DOC_NUMBER"),
                   ("www.panzhihua.gov.cn", "URL"), ("255000", "POSTCODE")}


def test_an_agency_must_end_like_the_name_of_a_body():
    text = "今天天气很好。崔桥镇人民政府发布。"
    spans = [Span(1, 3, "AGENCY"), Span(7, 14, "AGENCY")]
    assert repair_spans(text, spans) == [Span(7, 14, "AGENCY")]


def test_date_and_year_spans_snap_to_what_is_printed():
    text = "某某镇人民政府\n2021年1月19日\n信息提供日期 : 2022-01-21 17:48\n统计期限自2020年1月1日起"
    d1 = text.index("1月19")
    d2 = text.index("2022-01-21")
    y = text.index("2020年1")
    spans = [Span(d1, d1 + 4, "PUBLISHED_DATE"),                       # 1月19 (cut)
             Span(d2, d2 + 13, "PUBLISHED_DATE"),                      # 2022-01-21 17 (clock time)
             Span(y, y + 6, "REPORT_YEAR")]                            # 2020年1
    got = {text[s.start:s.end] for s in repair_spans(text, spans)}
    assert got == {"2021年1月19日", "2022-01-21", "2020"}


def test_two_fragments_of_one_date_become_one_span():
    text = "落款 2021年1月19日"
    a = text.index("2021")
    spans = [Span(a, a + 5, "PUBLISHED_DATE"), Span(a + 7, a + 10, "PUBLISHED_DATE")]
    out = repair_spans(text, spans)
    assert [text[s.start:s.end] for s in out] == ["2021年1月19日"]


def test_a_date_or_year_span_where_none_is_printed_is_dropped():
    text = "地址:行政服务大厅231室,发布日期:本年度"
    a = text.index("231")
    spans = [Span(a, a + 3, "PUBLISHED_DATE"), Span(text.index("本年度"), len(text), "REPORT_YEAR")]
    assert repair_spans(text, spans) == []


def test_an_agency_span_keeps_only_the_name_of_the_body():
    text = "来源:川主乡\n请与柞水縣鳳凰鎮人民政府黨政辦公室联系。新九镇党政办"
    a = text.index("源")
    b = text.index("柞")
    c = text.index("新九镇")
    spans = [Span(a, a + 5, "AGENCY"), Span(b, text.index("联系"), "AGENCY"), Span(c, len(text), "AGENCY")]
    got = [text[s.start:s.end] for s in repair_spans(text, spans)]
    assert got == ["川主乡", "柞水縣鳳凰鎮人民政府", "新九镇"]


def test_a_post_without_a_named_holder_is_no_leader_title():
    text = "成立了由镇党委书记为组长的领导小组。办公室设在党政办，刘美玲兼任办公室主任。"
    t1 = text.index("镇党委书记")
    n = text.index("刘美玲")
    t2 = text.index("办公室主任")
    spans = [Span(t1, t1 + 5, "LEADER_TITLE"), Span(n, n + 3, "LEADER_NAME"), Span(t2, t2 + 5, "LEADER_TITLE")]
    assert [text[s.start:s.end] for s in repair_spans(text, spans)] == ["刘美玲", "办公室主任"]


def test_a_year_inside_a_document_title_is_no_report_year_unless_it_is_the_only_one():
    text = "2020年，我局按照《某市2020年政务公开工作要点》要求开展工作。"
    a, b = text.index("2020"), text.index("2020", 5)
    spans = [Span(a, a + 4, "REPORT_YEAR"), Span(b, b + 4, "REPORT_YEAR")]
    assert repair_spans(text, spans) == [Span(a, a + 4, "REPORT_YEAR")]
    only = "现将《某局2020年度政府信息公开工作年度报告》公布如下"
    c = only.index("2020")
    assert repair_spans(only, [Span(c, c + 4, "REPORT_YEAR")]) == [Span(c, c + 4, "REPORT_YEAR")]


def test_the_year_of_a_full_date_is_no_report_year_but_the_period_start_is():
    text = "统计期限为2021年1月1日至2021年12月31日。\n某署\n2022年1月11日"
    starts = [text.index("2021"), text.index("2021", 12), text.index("2022")]
    spans = [Span(a, a + 4, "REPORT_YEAR") for a in starts]
    assert repair_spans(text, spans) == [spans[0]]
    wide = text.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})  # full-width digits: the same
    assert repair_spans(wide, spans) == [spans[0]]


def test_a_heading_span_of_numbering_alone_is_dropped():
    text = "一、总体情况\n(一)主动公开情况\n（二）主动公开政府信息情况"
    a = text.index("(一)")
    b = text.index("（二）")
    spans = [Span(0, 6, "H.overview"), Span(a, a + 3, "H.overview"), Span(b, len(text), "H.proactive")]
    assert repair_spans(text, spans) == [spans[0], spans[2]]


def test_an_agency_span_begun_before_a_bracket_keeps_the_name_inside():
    text = "請與我們聯(lián)系(柞水縣鳳凰鎮(zhèn)人民政府黨政辦公室;電話"
    a = text.index(")系(")
    b = text.index("黨政")
    assert [text[s.start:s.end] for s in repair_spans(text, [Span(a, b, "AGENCY")])] == ["柞水縣鳳凰鎮(zhèn)人民政府"]


def test_names_posts_and_document_numbers_must_look_like_one():
    text = "办公室设立在拉堡镇党政办,刘美玲兼任办公室主任。依据国办发[2020]17号文件,了解有关情况"
    place = text.index("拉堡")
    office = text.index("镇党政办")
    name = text.index("刘美玲")
    post = text.index("办公室主任")
    doc = text.index("国办发")
    words = text.index("情况")
    spans = [Span(place, place + 2, "LEADER_NAME"), Span(office, office + 4, "LEADER_TITLE"),
             Span(name, name + 3, "LEADER_NAME"), Span(post, post + 5, "LEADER_TITLE"),
             Span(doc, doc + 11, "DOC_NUMBER"), Span(words, words + 2, "DOC_NUMBER")]  # 号 left out
    got = [(s.label, text[s.start:s.end]) for s in repair_spans(text, spans)]
    assert got == [("LEADER_NAME", "刘美玲"), ("LEADER_TITLE", "办公室主任"), ("DOC_NUMBER", "国办发[2020]17号")]


def test_an_agency_run_into_the_next_words_is_cut_back_to_the_body():
    text = "一、总体情况\n区卫健局高度重视政务公开工作。"
    assert repair_spans(text, [Span(7, 12, "AGENCY")]) == [Span(7, 11, "AGENCY")]
    assert repair_spans(text, [Span(7, 13, "AGENCY")]) == [Span(7, 11, "AGENCY")]


def test_xianjiang_is_not_part_of_the_agency_name_after_it():
    text = "現(xiàn)將龍崗區(qū)2022年政府信息公開工作年度報告進(jìn)行公布。"
    start = text.index("將")
    assert repair_spans(text, [Span(start, start + 8, "AGENCY")]) == [Span(start + 1, start + 8, "AGENCY")]


def test_a_list_of_bodies_is_no_agency():
    text = "認(rèn)真貫徹國務(wù)院辦公廳、廣東省人民政府辦公廳、廣州市人民政府辦公廳要求"
    start = text.index("院辦") - 1
    assert repair_spans(text, [Span(start, text.index("要求"), "AGENCY")]) == []


def test_a_short_form_ending_in_a_place_is_kept_unless_it_is_a_cut_name():
    text = "来源:棠景街 字体\n2021年,棠景街在区委领导下,底张街道主动公开。深圳市福田区人民政府\n深圳市福田区2022年"
    short = [Span(m, m + 3, "AGENCY") for m in (text.index("棠景街"), text.rindex("棠景街"))]
    cut = Span(text.index("底张街"), text.index("底张街") + 3, "AGENCY")
    full = Span(text.index("深圳市"), text.index("人民政府") + 4, "AGENCY")
    inner = Span(text.rindex("圳市"), text.rindex("圳市") + 5, "AGENCY")  # 圳市福田区: begun inside the name
    # the cut piece takes back the printed rest of the longer name: 深圳市福田区 is a short form
    whole = Span(inner.start - 1, inner.end, "AGENCY")
    assert repair_spans(text, [*short, cut, full, inner]) == [*short, full, whole]


def test_a_piece_of_a_tagged_name_takes_the_rest_printed_around_it():
    text = "盐边县新九镇人民政府2022年度报告\n新九镇平均每星期登录后台。"
    full = Span(0, 10, "AGENCY")
    piece = Span(text.index("九镇平"), text.index("九镇平") + 2, "AGENCY")
    assert repair_spans(text, [full, piece]) == [full, Span(piece.start - 1, piece.end, "AGENCY")]


def test_spliced_pinyin_belongs_to_the_character_before_it():
    text = "2020年,中南街道認(rèn)真貫徹落實(shí)。現(xiàn)將龍崗區(qū)2022年報告"
    a = text.index("中南")
    # run into 認(rèn) and a piece of its pinyin: the name ends at 道, the pinyin alone is nothing
    run_on = [Span(a, a + 5, "AGENCY"), Span(a + 6, a + 9, "AGENCY")]
    assert repair_spans(text, run_on) == [Span(a, a + 4, "AGENCY")]
    n = text.index("n)將")  # begun inside 現(xiàn): after the splice, and 現將 is not the name
    assert repair_spans(text, [Span(n, text.index("2022"), "AGENCY")]) == [Span(n + 3, text.index("2022"), "AGENCY")]


def test_a_heading_cut_at_a_splice_runs_to_its_title_end():
    text = "情況。\n二、主動(dòng)公開(kāi)政府信息情況\n第二十條"
    h = text.index("二、")
    want = Span(h, text.index("\n第"), "H.proactive")
    assert repair_spans(text, [Span(h, h + 4, "H.proactive")]) == [want]
    assert repair_spans(text, [Span(h, h + 7, "H.proactive")]) == [want]  # cut inside the splice
    other = "情況。\n二、主動(dòng)開展工作\n"  # the rest of the line is no end of the title: left alone
    assert repair_spans(other, [Span(h, h + 4, "H.proactive")]) == [Span(h, h + 10, "H.proactive")]


def test_a_heading_before_an_earlier_sections_heading_is_a_sub_heading():
    text = ("一、总体情况\n(三)因政府信息公开申请行政复议\n二、主动公开政府信息情况\n"
            "三、收到和处理政府信息公开申请情况\n")
    spans = [Span(0, 6, "H.overview"), Span(7, 15, "H.requests"),
             Span(text.index("二、"), text.index("二、") + 12, "H.proactive"),
             Span(text.index("三、收"), text.index("三、收") + 17, "H.requests")]
    assert repair_spans(text, spans) == [spans[0], spans[2], spans[3]]
    twice = text + text  # a report pasted twice starts again: nothing dropped
    shifted = [Span(s.start + len(text), s.end + len(text), s.label) for s in (spans[0], spans[2], spans[3])]
    assert repair_spans(twice, [spans[0], spans[2], spans[3], *shifted]) == [spans[0], spans[2], spans[3], *shifted]


def _heading(text: str, words: str, label: str) -> Span:
    return Span(text.index(words), text.index(words) + len(words), label)


def test_an_unnumbered_heading_right_after_its_sections_numbered_one_is_a_sub_heading():
    text = "一、总体情况\n根据条例编制本报告。\n(一) 概述\n我镇高度重视。\n二、主动公开政府信息情况\n规章 0\n"
    top, sub = _heading(text, "一、总体情况", "H.overview"), _heading(text, "(一) 概述", "H.overview")
    proactive = _heading(text, "二、主动公开政府信息情况", "H.proactive")
    assert repair_spans(text, [top, sub, proactive]) == [top, proactive]
    # two numbered headings of one section are left to the model (第一部分 … twice, 三、 then 四、 mislabelled)
    both = "一、总体情况\n甲。\n二、总体情况\n乙。\n"
    first, second = _heading(both, "一、总体情况", "H.overview"), _heading(both, "二、总体情况", "H.overview")
    assert repair_spans(both, [first, second]) == [first, second]


def test_an_address_runs_to_its_room_number():
    text = "聯(lián)系(地址:深圳市龍崗區(qū)龍翔大道行政服務(wù)大廳231室;電話:89230187)"
    a = text.index("深圳")
    assert repair_spans(text, [Span(a, text.index("廳"), "ADDRESS")]) == [Span(a, text.index(";"), "ADDRESS")]


def test_a_phone_needs_a_phone_numbers_digits_and_a_post_does_not_open_with_its_verb():
    text = "地址:大廳231室;電話:89230187。付艳磊同志任副主任,具体负责日常工作。"
    phone = Span(text.index("231"), text.index("231") + 3, "PHONE")
    real = Span(text.index("8923"), text.index("8923") + 8, "PHONE")
    name = Span(text.index("付艳磊"), text.index("付艳磊") + 3, "LEADER_NAME")
    post = Span(text.index("任副主任"), text.index("任副主任") + 4, "LEADER_TITLE")
    assert repair_spans(text, [phone, real, name, post]) == [real, name, Span(post.start + 1, post.end, post.label)]


def test_generic_bodies_go_but_an_office_with_its_government_is_a_short_form():
    text = "紧紧围绕县委县政府中心工作。首页 > 乡镇信息公开。由镇党政办负责。区政府办公室负责。"
    spans = [Span(text.index(w), text.index(w) + len(w), "AGENCY") for w in ("县委县政府", "乡镇", "区政府办公室")]
    spans.append(Span(text.index("政办"), text.index("政办") + 2, "AGENCY"))
    assert [text[s.start:s.end] for s in repair_spans(text, spans)] == ["区政府办公室"]


def test_counts_codes_and_non_addresses_are_not_entities():
    text = "发放宣传单1.7万余张。《通知》(海府办〔2018〕64号)。电子邮箱:ZBZRMZF@163.com。[go: up one dir]"
    name = Span(text.index("余张"), text.index("余张") + 2, "LEADER_NAME")
    code = Span(text.index("海府办"), text.index("海府办") + 3, "AGENCY")
    mail = Span(text.index("@163"), text.index("@163") + 8, "EMAIL")
    junk = Span(text.index("[go"), len(text), "EMAIL")
    got = [(text[s.start:s.end], s.label) for s in repair_spans(text, [name, code, mail, junk])]
    assert got == [("ZBZRMZF@163.com", "EMAIL")]


def test_an_agency_name_is_cut_out_of_the_words_run_into_it():
    text = "特向社会公布建平县卫生健康局2020年度报告。2023年,东湖街道办事处在越城区系统上公开。县政府办的精心指导。"
    spans = [Span(text.index("社会"), text.index("2020"), "AGENCY"),
             Span(text.index("东湖"), text.index("系统"), "AGENCY"),
             Span(text.index("县政府办"), text.index("指导"), "AGENCY")]
    assert [text[s.start:s.end] for s in repair_spans(text, spans)] == ["建平县卫生健康局", "东湖街道办事处"]


def test_a_name_begun_inside_the_verb_before_it_or_cut_before_its_unit_word():
    # a shifted window (web debris above the report) made the tagger begin inside 公开/公布, or after 荷塘
    text = ("规定,现公开大冶市自然资源和规划局2025年报告。现向社会公布龙口镇2022年报告。"
            "要求,现公布荷塘区桂花街道办事处2019年")
    spans = [Span(text.index("开大冶"), text.index("2025"), "AGENCY"),
             Span(text.index("会公布"), text.index("2022"), "AGENCY"),
             Span(text.index("区桂花"), text.index("2019"), "AGENCY")]
    assert [text[s.start:s.end] for s in repair_spans(text, spans)] == [
        "大冶市自然资源和规划局", "龙口镇", "荷塘区桂花街道办事处"]
    own = "现公布我区桂花街道办事处2019年"  # 我 is no place name: left as tagged
    assert [own[s.start:s.end] for s in repair_spans(own, [Span(own.index("区"), own.index("2019"), "AGENCY")])] == [
        "区桂花街道办事处"]


def test_a_name_cut_after_the_verb_before_it_gets_its_head_back():
    text = "现公布广州市荔湾区人民政府2025年报告。要求,由建章路街道辦事處編制。请与本县林业局联系。"
    spans = [Span(text.index("湾区"), text.index("2025"), "AGENCY"),
             Span(text.index("路街道"), text.index("編制"), "AGENCY"),
             Span(text.index("县林业局"), text.index("联系"), "AGENCY")]
    assert [text[s.start:s.end] for s in repair_spans(text, spans)] == [
        "广州市荔湾区人民政府", "建章路街道辦事處", "县林业局"]  # 本 is no place name


def test_an_agency_inside_an_address_that_runs_on_is_that_address():
    text = ("聯系(地址:深圳市龍崗區龍翔大道行政服務大廳231室;電話:89230187)。地址:五常市民意乡人民政府,邮编:150207。"
            "按国务院办公厅政府信息与政务公开办公室要求")
    place = Span(text.index("深圳"), text.index("龍翔"), "AGENCY")
    own = Span(text.index("五常"), text.index(",邮编"), "AGENCY")
    office = Span(text.index("国务院"), text.index("信息与"), "AGENCY")
    got = [(text[s.start:s.end], s.label) for s in repair_spans(text, [place, own, office])]
    assert got == [("深圳市龍崗區龍翔大道行政服務大廳231室", "ADDRESS"), ("五常市民意乡人民政府", "AGENCY"),
                   ("国务院办公厅", "AGENCY")]
    # the address ends at the next label, not inside a spliced (wù)
    more = "地址:中埠镇铁山路37号邮编:255000,联系。(地址：錦浦區靖清路街道便民服務(wù)中心825室; 聯"
    spans = [Span(more.index("中埠镇"), more.index("铁山"), "AGENCY"),
             Span(more.index("錦浦區"), more.index("靖清"), "AGENCY")]
    assert [more[s.start:s.end] for s in repair_spans(more, spans)] == [
        "中埠镇铁山路37号", "錦浦區靖清路街道便民服務(wù)中心825室"]


def test_a_name_ended_inside_an_office_word():
    text = "由建章路街道辦事處編制。请与宁强县自然资源局办公室联系。"
    spans = [Span(text.index("建章"), text.index("事處"), "AGENCY"),
             Span(text.index("宁强"), text.index("公室"), "AGENCY")]
    assert [text[s.start:s.end] for s in repair_spans(text, spans)] == ["建章路街道辦事處", "宁强县自然资源局"]


def test_a_website_before_a_name_is_no_part_of_it():
    text = "在遂溪县人民政府官网乐民镇子门户网站发布。"
    run_on = Span(text.index("溪县"), text.index("子门户"), "AGENCY")
    assert [text[s.start:s.end] for s in repair_spans(text, [run_on])] == ["乐民镇"]


def test_an_address_runs_from_its_label_and_holds_no_agency_or_phone_digits():
    text = "(地址:微山县两城镇人民政府驻地府前路1号,邮编:272199,电话:0537-8451001)"
    agency = Span(text.index("微山"), text.index("驻地"), "AGENCY")
    address = Span(text.index("前路"), text.index(",邮编"), "ADDRESS")
    cut = Span(text.index("537"), text.index("537") + 3, "POSTCODE")
    got = [(text[s.start:s.end], s.label) for s in repair_spans(text, [agency, address, cut])]
    assert got == [("微山县两城镇人民政府驻地府前路1号", "ADDRESS")]


def test_a_towns_name_runs_on_over_its_government_but_not_into_its_office():
    text = "2021年以来,鸭南乡乡人民政府在市委领导下。请与某镇人民政府办公室联系。行政服务大厅231室"
    town = text.index("鸭南乡乡")
    office = text.index("某镇")
    hall = text.index("大厅")
    spans = [Span(town, town + 4, "AGENCY"), Span(office, office + 2, "AGENCY"), Span(hall, hall + 2, "AGENCY")]
    assert [text[s.start:s.end] for s in repair_spans(text, spans)] == ["鸭南乡乡人民政府", "某镇"]


def test_a_document_number_needs_its_number_and_gets_its_issuer_back():
    text = "《国务院办公厅365体育投注印发2020年要点的通知》(国办发[2020]17号)"
    spam = text.index("365")
    code = text.index("[2020]")
    spans = [Span(spam, spam + 3, "DOC_NUMBER"), Span(code, code + 9, "DOC_NUMBER")]
    assert [text[s.start:s.end] for s in repair_spans(text, spans)] == ["国办发[2020]17号"]


def test_a_year_in_a_table_header_or_printed_with_its_year_character_is_no_cell():
    text = "信息内容 | 上一年项目数量 (指2018年事项数) | 本年(2023)处理决定数量 |\n行政许可 | 2019 | 0 | 2019年 |"
    row = "T1.art20_5.administrative_license."
    count = text.index("| 2019 |") + 2
    spans = [Span(text.index("2018"), text.index("2018") + 4, row + "previous_count"),
             Span(text.index("2023"), text.index("2023") + 4, row + "decisions"),
             Span(count, count + 4, row + "previous_count"),
             Span(text.index("2019年"), text.index("2019年") + 4, row + "decisions")]
    assert repair_spans(text, spans) == [spans[2]]  # a printed count of 2019 stays a count


def test_an_update_date_is_no_publication_date_and_the_relevant_divisions_no_body():
    text = "更新日期:2021-01-20 发布日期:2021-01-19\n由专人负责协调有关处室研究答复。"
    update = Span(text.index("2021-01-20"), text.index("2021-01-20") + 10, "PUBLISHED_DATE")
    published = Span(text.index("2021-01-19"), text.index("2021-01-19") + 10, "PUBLISHED_DATE")
    divisions = Span(text.index("关处室"), text.index("关处室") + 3, "AGENCY")
    assert repair_spans(text, [update, published, divisions]) == [published]


def test_a_table_1_number_goes_to_the_row_whose_label_stands_right_before_it():
    text = "第二十条第(六)项\n信息内容\n本年处理决定数量\n行政处罚\n\n16\n\n行政强制\n\n15\n"
    first = Span(text.index("16"), text.index("16") + 2, "T1.art20_6.administrative_penalty.previous_count")
    second = Span(text.index("15"), text.index("15") + 2, "T1.art20_6.administrative_penalty.decisions")
    assert repair_spans(text, [first, second]) == [
        first, Span(second.start, second.end, "T1.art20_6.administrative_coercion.decisions")]
    across = "信息内容 | 行政处罚 | 行政强制\n16 | 15"  # a header naming two rows decides nothing
    spans = [Span(across.index("16"), across.index("16") + 2, "T1.art20_6.administrative_penalty.decisions")]
    assert repair_spans(across, spans) == spans


def test_a_table_1_number_in_a_column_its_row_lacks_takes_the_rows_one_column():
    # 2021 table: 行政处罚 prints only 本年处理决定数量; the model gave 16 the 2019 table's first column
    text = ("二、主动公开政府信息情况\n第二十条第(一)项\n规章 | 3 | 1 | 2\n第二十条第(六)项\n行政处罚 | 16\n"
            "行政强制 | 15\n行政许可 | 4 | 5\n")
    at = {w: text.index(w) for w in ("| 3", "| 1", "| 2", "16", "15", "| 4", "| 5")}
    spans = [Span(at["| 3"] + 2, at["| 3"] + 3, "T1.art20_1.rules.issued"),
             Span(at["| 1"] + 2, at["| 1"] + 3, "T1.art20_1.rules.repealed"),
             Span(at["| 2"] + 2, at["| 2"] + 3, "T1.art20_1.rules.in_force"),
             Span(at["16"], at["16"] + 2, "T1.art20_6.administrative_penalty.previous_count"),
             Span(at["15"], at["15"] + 2, "T1.art20_6.administrative_coercion.decisions"),
             Span(at["| 4"] + 2, at["| 4"] + 3, "T1.art20_5.administrative_license.previous_count"),
             Span(at["| 5"] + 2, at["| 5"] + 3, "T1.art20_5.administrative_license.decisions")]
    record = assemble(text, repair_spans(text, spans))
    assert record["template"] == "2021"
    assert record["proactive"]["art20_6"]["administrative_penalty"]["decisions"] == 16
    assert record["proactive"]["art20_6"]["administrative_coercion"]["decisions"] == 15
    assert record["proactive"]["art20_5"]["administrative_license"]["decisions"] == 5  # a number was given it
