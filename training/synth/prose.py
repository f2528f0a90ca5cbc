"""Prose for the title, preamble, each section and the signature, with entity spans and stray numbers.

Wording is assembled from material.py fragments and the sentence templates below, so no two reports
read alike; numbers in prose (information counts, percentages, restated table figures) are never cell
spans, which teaches the model that not every number is a table cell.
"""

from __future__ import annotations

import random

from govreport.training.synth import material
from govreport.training.synth.context import Ctx
from govreport.training.synth.recipe import RECIPE
from govreport.training.synth.segments import ENT, Builder, Seg

# --- headings -------------------------------------------------------------------------------------
HEADING_NUMBERING = ("cn_comma", "cn_comma", "cn_comma", "cn_comma", "cn_dot", "arabic_dot", "arabic_comma",
                     "paren", "paren_half", "part", "none")
SECTION_ORDER = ("overview", "proactive", "requests", "review_litigation", "problems", "other")


def number_prefix(style: str, i: int) -> str:
    cn = material.CN_NUMS[i]
    return {
        "cn_comma": f"{cn}、", "cn_dot": f"{cn}.", "arabic_dot": f"{i + 1}.", "arabic_comma": f"{i + 1}、",
        "paren": f"（{cn}）", "paren_half": f"({cn})", "part": f"第{cn}部分 ", "none": "",
    }[style]


def sub_prefix(heading_style: str, i: int) -> str:
    """Sub-heading numbering that differs from the section headings' numbering."""
    cn = material.CN_NUMS[i]
    if heading_style in ("paren", "paren_half"):
        return f"{i + 1}."
    return f"（{cn}）" if heading_style != "arabic_dot" else f"({cn})"


def heading(ctx: Ctx, key: str, i: int, style: str) -> Seg:
    rng = ctx.rng
    wording = rng.choice(material.HEADING_WORDINGS[key])
    prefix = number_prefix(style, i)
    if prefix and rng.random() < 0.08:
        prefix = prefix.rstrip() + rng.choice((" ", "  ", "\u3000"))
    return Seg(prefix + wording, f"H.{key}", ENT)


# --- title and preamble ---------------------------------------------------------------------------
def title(ctx: Ctx, b: Builder) -> None:
    rng = ctx.rng
    forms = (
        "{AG}{Y}年政府信息公开工作年度报告",
        "{AG}{Y}年度政府信息公开工作年度报告",
        "{Y}年{AG}政府信息公开工作年度报告",
        "{Y}年度{AG}政府信息公开工作年度报告",
        "关于{Y}年政府信息公开工作年度报告",
        "{AG}关于{Y}年度政府信息公开工作的年度报告",
        "{Y}年政府信息公开工作年度报告",
    )
    if rng.random() < 0.12:
        # Titles often name the body by a short form (tagged: it is printed as the body's name).
        forms = ("{SHORT}{Y}年度政府信息公开工作年度报告", "{Y}年{SHORT}政府信息公开工作年度报告")
    form = rng.choice(forms)
    if rng.random() < RECIPE["title_split"]:
        # The title broken over two lines (after the body's name, or inside the words).
        form = rng.choice((form.replace("{AG}", "{AG}\n", 1).replace("{SHORT}", "{SHORT}\n", 1),
                           form.replace("政府信息公开", "政府信息公开\n", 1), form.replace("工作", "工作\n", 1)))
        ctx.switches.add("title_split")
    ctx.emit(b, form, AG=ctx.agency(), Y=ctx.year(), SHORT=ctx.short())
    b.add(rng.choice(("\n", "\n", "\n\n", "\n \n")))


def preamble(ctx: Ctx, b: Builder) -> None:
    rng = ctx.rng
    f = ctx.facts
    doc = ctx.ent("DOC_NUMBER", f.doc_numbers)
    sentences = [
        ("根据《中华人民共和国政府信息公开条例》（以下简称《条例》）{DOCREF}规定，现公布{AG}{Y}年度政府信息公开工作年度报告。",
         {"AG": ctx.agency(), "Y": ctx.year()}),
        ("本报告依据《条例》和上级有关要求编制，由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
         "政府信息公开行政复议及行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。", {}),
        # The statistics period: the first year is the report year's mention, the second is not tagged.
        ("本报告中所列数据的统计期限自{Y}年1月1日起至{YR}年12月31日止。", {"Y": ctx.year(), "YR": str(f.year)}),
        ("按照{PARENT}统一部署，结合{SELF}实际，编制本年度报告。",
         {"PARENT": f.agency.parent, "SELF": f.agency.self_ref}),
    ]
    docref = ""
    if doc is not None:
        # The notice's title may name the report's year: never tagged inside 《 》 (the guide).
        docref = rng.choice(("和《关于做好政府信息公开工作年度报告编制发布工作的通知》（{DOC}）",
                             "和《关于做好{Y2}年政府信息公开工作年度报告发布和报送工作的通知》（{DOC}）"))
    rng.shuffle(sentences)
    chosen = sentences[: rng.randint(1, len(sentences))]
    lead = rng.choice(("", "", "  ", "\u3000\u3000"))
    b.add(lead)
    for tmpl, slots in chosen:
        tmpl = tmpl.replace("{DOCREF}", docref)
        ctx.emit(b, tmpl, DOC=doc, Y2=str(f.year), **slots)
    _contact(ctx, b, always=rng.random() < 0.4)
    b.add("\n")


def _contact(ctx: Ctx, b: Builder, always: bool = False) -> None:
    rng = ctx.rng
    f = ctx.facts
    if not always:
        return
    parts: list[tuple[str, Seg | None]] = [
        (rng.choice(("地址：", "通讯地址：", "地址:")), ctx.ent("ADDRESS", f.addresses)),
        (rng.choice(("邮编：", "邮政编码：", "邮编:")), ctx.ent("POSTCODE", f.postcodes)),
        (rng.choice(("电话：", "联系电话：", "咨询电话：", "电话:")), ctx.ent("PHONE", f.phones)),
        (rng.choice(("传真：", "传真:")), ctx.ent("PHONE", f.phones[1:])),
        (rng.choice(("电子邮箱：", "邮箱：", "电子信箱：", "E-mail:")), ctx.ent("EMAIL", f.emails)),
    ]
    present = [(k, v) for k, v in parts if v is not None]
    if not present:
        return
    office = rng.choice(("办公室", "政务公开办公室", "党政办公室", "综合科", "政府信息公开工作办公室"))
    opener = rng.choice(("如对本报告有任何疑问，请与{AG}{OFF}联系", "如有疑问，请联系{AG}{OFF}",
                         "对本报告如有疑问，请与{SHORT}{OFF}联系"))
    ctx.emit(b, opener, AG=ctx.agency(), OFF=office, SHORT=ctx.short())
    b.add(rng.choice(("（", "(", "，")))
    sep = rng.choice(("；", "，", "; ", "，"))
    for i, (key, seg) in enumerate(present):
        if i:
            b.add(sep)
        b.add(key)
        b.segs.append(seg)  # type: ignore[arg-type]
    b.add(rng.choice(("）。", ")。", "。")))
    url = ctx.ent("URL", f.urls)
    if url is not None and rng.random() < 0.7:
        ctx.emit(b, rng.choice(("本报告电子版可在{AG}门户网站（{URL}）查阅或下载。", "本报告可在{URL}下载。",
                                "公众可登录{URL}查阅本报告。")), AG=ctx.agency(), URL=url)


# --- sentence pools -----------------------------------------------------------------------------
def _sentence(ctx: Ctx, b: Builder) -> None:
    rng = ctx.rng
    f = ctx.facts
    a = f.agency
    kind = rng.random()
    if kind < 0.3:
        measures = "，".join(rng.sample(material.MEASURES, rng.choice((1, 1, 2, 3))))
        # The year a sentence is about is the report year's mention (tagged), as is the body's short form.
        subject: Seg | str = rng.choice((a.self_ref, a.self_ref, ctx.short()))
        ctx.emit(b, rng.choice(material.LEAD_INS).replace("{year}", "{Y}") + "{S}" +
                 rng.choice(material.ACTIONS) + "，" +
                 measures + "，" + rng.choice(material.RESULTS) + "。", Y=ctx.year(), S=subject)
    elif kind < 0.5:
        b.add(rng.choice(("一是", "同时，", "此外，", "", "进一步")) +
              rng.choice(material.MEASURES + material.MORE_MEASURES) + "。")
    elif kind < 0.7:
        total = rng.randint(10, 3000)
        kinds = rng.sample(material.INFO_KINDS, rng.randint(1, 4))
        unit = rng.choice(material.NUMBER_UNITS[:3])
        detail = "，".join(f"{k}{rng.randint(1, max(1, total // 3))}{unit}" for k in kinds)
        ctx.emit(b, rng.choice(("全年", "{Y}年", "{Y}年，{S}", "本年度", "年内")) +
                 rng.choice(("主动公开", "累计发布", "共公开")) + f"政府信息{total}{unit}，其中{detail}。",
                 Y=ctx.year(), S=rng.choice((a.self_ref, ctx.short())))
    elif kind < 0.8:
        b.add(rng.choice(material.WORK_ITEMS).format(n=rng.randint(1, 400), m=rng.randint(1, 60)) + "，" +
              rng.choice(material.RESULTS) + "。")
    elif kind < 0.9 and "rates" not in ctx.used:
        ctx.used.add("rates")
        b.add(f"网站年度访问量达{rng.randint(1000, 990000)}人次，较上年增长{rng.randint(1, 99)}%。"
              if rng.random() < 0.5 else f"回复率达{rng.choice((100, 98, 99, 95))}%，满意率{rng.randint(80, 100)}%。")
    elif kind >= 0.9 and ctx.used_count("leader") < 2:
        ctx.used.add(f"leader{ctx.used_count('leader')}")
        pair = ctx.leader_pair()
        if pair is None:
            b.add(rng.choice(("成立了由主要负责同志任组长的政务公开工作领导小组。",
                              "明确一名分管领导具体负责政务公开工作。")))
        else:
            title, name = pair
            tmpl = rng.choice(("成立了以{T}{N}为组长的政务公开工作领导小组，办公室设在综合科。",
                               "由{T}{N}同志分管政务公开工作。", "调整了政务公开领导小组，{T}{N}任组长。",
                               "{N}（{T}）负责统筹协调政府信息公开工作。", "{T}{N}多次听取政务公开工作汇报。",
                               "领导小组办公室设在综合科，由{N}兼任{T}。", "{N}同志任{T}，具体负责日常工作。"))
            ctx.emit(b, tmpl, T=title, N=name)
    else:
        topics = "、".join(rng.sample(material.TOPICS, rng.randint(2, 5)))
        b.add(rng.choice((f"围绕{topics}等重点领域，", f"重点公开了{topics}等方面信息，",
                          f"聚焦{topics}，")) + rng.choice(material.MORE_MEASURES) + "，" +
              rng.choice(material.MORE_RESULTS + material.RESULTS) + "。")


def _paragraph(ctx: Ctx, b: Builder, lo: int = 1, hi: int = 5) -> None:
    rng = ctx.rng
    indent = rng.choice(("", "", "", "  ", "\u3000\u3000", "    "))
    b.add(indent)
    for _ in range(rng.randint(lo, hi)):
        _sentence(ctx, b)
    b.add(rng.choice(("\n", "\n", "\n\n", " \n")))


def _restate_proactive(ctx: Ctx, b: Builder) -> None:
    """Table 1 figures repeated in prose (not tagged)."""
    full = ctx.facts.full
    lic = full.get("proactive.art20_5.administrative_license.decisions", 0)
    pen = full.get("proactive.art20_6.administrative_penalty.decisions", 0)
    b.add(ctx.rng.choice((f"全年共作出行政许可决定{lic}件、行政处罚决定{pen}件，均已依法公开。",
                          f"本年度办理行政许可{lic}件，实施行政处罚{pen}件。")))


def _plans(ctx: Ctx, b: Builder) -> None:
    """Next year's plans: a year that is not the report year (never tagged)."""
    f = ctx.facts
    b.add(f"{f.year + 1}年，{f.agency.self_ref}将" + ctx.rng.choice(material.IMPROVEMENTS) + "，" +
          ctx.rng.choice(material.MEASURES) + "。")


def _restate_requests(ctx: Ctx, b: Builder) -> None:
    """A sentence that repeats table 2 figures in prose (never tagged: only table cells are)."""
    full = ctx.facts.full
    new = full.get("requests.new_received.total", 0)
    if not new:
        ctx.emit(b, ctx.rng.choice(("本年度未收到政府信息公开申请。", "{Y}年度共受理政府信息公开申请0件。",
                                    "全年无依申请公开事项。")), Y=ctx.year())
        return
    granted = full.get("requests.granted.total", 0)
    partial = full.get("requests.partially_granted.total", 0)
    forward = full.get("requests.carried_forward.total", 0)
    tail = f"，结转下年度继续办理{forward}件" if forward else "，均已按时答复"
    b.add(f"全年共收到政府信息公开申请{new}件，其中予以公开{granted}件，部分公开{partial}件{tail}。")


_UNDER = ("在区委、区政府的正确领导下", "在县委、县政府的领导下", "在市委、市政府的坚强领导下",
          "在上级党委、政府的领导下", "在镇党委、镇政府的领导下", "在上级主管部门的指导下")
_DOC_KINDS = ("关于进一步加强政务公开工作的通知", "政务公开工作实施方案", "政府信息公开指南",
              "关于做好政府信息公开工作的通知", "政府信息公开保密审查制度")
_PERIODS = ("统计期限为{Y}年1月1日至{YR}年12月31日。", "本报告数据统计期限自{Y}年1月1日起至{YR}年12月31日止。",
            "统计期限自{Y}年1月1日起。", "本报告中所列数据的统计期限为{Y}年1月1日到{YR}年12月31日。")


def _context_sentences(ctx: Ctx, b: Builder) -> None:
    """Where real reports name the body and the year in the overview, and the look-alikes that are not."""
    rng = ctx.rng
    f = ctx.facts
    a = f.agency
    if rng.random() < RECIPE["opening_sentence"]:
        # 2023年，在区委、区政府的领导下，…街道办事处… / 2019年，我局… (no AGENCY for 我局)
        subject: Seg | str = a.self_ref if rng.random() < RECIPE["opening_self_ref"] else ctx.any_name(0.4)
        ctx.emit(b, rng.choice(("{Y}年，{U}，{S}", "{Y}年，{S}", "{Y}年度，{S}", "{Y}年以来，{S}")) +
                 rng.choice(material.ACTIONS) + "，" + rng.choice(material.MEASURES) + "，" +
                 rng.choice(material.RESULTS) + "。",
                 Y=ctx.year(), U=rng.choice(_UNDER), S=subject)
        ctx.switches.add("opening_sentence")
    if rng.random() < RECIPE["stats_period_overview"]:
        ctx.emit(b, rng.choice(_PERIODS), Y=ctx.year(), YR=str(f.year))
    if rng.random() < RECIPE["doc_title_agency"]:
        ctx.emit(b, rng.choice(("制定印发了《{AG}{K}》，", "修订完善《{AG}{K}》，", "先后出台《{AG}{K}》等制度，")) +
                 rng.choice(material.RESULTS) + "。", AG=ctx.agency(), K=rng.choice(_DOC_KINDS))
        ctx.switches.add("agency_in_doc_title")
    if rng.random() < RECIPE["other_body"]:
        # Another body (the government above) and another document's year: neither is tagged.
        other_year = str(f.year + rng.choice((0, 0, 1, -1)))
        b.add(rng.choice((f"按照《{a.parent}办公室关于印发{other_year}年政务公开工作要点的通知》要求，",
                          f"在{a.parent}的指导下，", f"根据{a.parent}统一部署，")) +
              rng.choice(material.MEASURES) + "。")
        ctx.switches.add("other_body")
    if rng.random() < RECIPE["compiler_office"] and a.full.endswith("人民政府"):
        # The compiling office is not the agency: only the body's name inside it is tagged.
        ctx.emit(b, "本报告由{AG}办公室负责编制。", AG=ctx.agency())
        ctx.switches.add("compiler_office")
    if rng.random() < RECIPE["year_end_date"]:
        # The end of the statistics period: not the publication date.
        b.add(f"截至{f.year}年12月31日，累计主动公开政府信息{rng.randint(10, 9000)}条。")
        ctx.switches.add("year_end_date")
    if rng.random() < RECIPE["unnamed_post"]:
        post = rng.choice(("镇长", "局长", "主任", "区长", "县长", "乡长", "分管副局长", "主要负责同志"))
        b.add(f"{post}亲自部署政务公开工作，定期听取工作汇报。")
        ctx.switches.add("unnamed_post")
    b.add("\n")


def _overview_body(ctx: Ctx, b: Builder, heading_style: str, verbosity: int) -> None:
    rng = ctx.rng
    _context_sentences(ctx, b)
    words = list(material.SUBHEAD_WORDS["overview"])
    rng.shuffle(words)
    if rng.random() < 0.7:
        _paragraph(ctx, b, 1, 3 + verbosity // 2)
    for i, w in enumerate(words[: rng.randint(1 if verbosity else 0, 3 + verbosity)]):
        b.add(sub_prefix(heading_style, i) + w + rng.choice(("", "。", "\n", "\n", "：")))
        if rng.random() < 0.3 and i == 1:
            _restate_requests(ctx, b)
        for _ in range(rng.randint(1, 1 + verbosity // 2)):
            _paragraph(ctx, b, 2, 3 + verbosity)
    if rng.random() < 0.3:
        _restate_requests(ctx, b)
        b.add("\n")
    if rng.random() < 0.06:
        b.add(f"\n图1 {rng.choice(('政府信息主动公开情况', '政府网站主动公开信息情况', '信息公开分类统计'))}\n")
        ctx.switches.add("image_captions")


def _proactive_body(ctx: Ctx, b: Builder, heading_style: str, verbosity: int) -> None:
    rng = ctx.rng
    if verbosity > 2 and rng.random() < 0.5:
        _paragraph(ctx, b, 1, verbosity)
    if rng.random() < 0.2:
        _restate_proactive(ctx, b)
        b.add("\n")
    if rng.random() < 0.3:
        b.add(rng.choice(("根据《条例》第二十条、第二十一条规定，主动公开政府信息情况如下：",
                          "主动公开政府信息情况统计如下：", "具体情况见下表：")) + "\n")


def _requests_body(ctx: Ctx, b: Builder, heading_style: str, verbosity: int) -> None:
    if ctx.rng.random() < 0.35:
        _restate_requests(ctx, b)
        b.add("\n")


def _review_litigation_body(ctx: Ctx, b: Builder, heading_style: str, verbosity: int) -> None:
    rng = ctx.rng
    if rng.random() < 0.2:
        b.add(rng.choice(("本年度未发生政府信息公开行政复议、行政诉讼案件。", "具体情况如下：")) + "\n")


def _problems_body(ctx: Ctx, b: Builder, heading_style: str, verbosity: int) -> None:
    rng = ctx.rng
    for i, (word, pool) in enumerate(((rng.choice(material.SUBHEAD_WORDS["problems"][:3]), material.PROBLEMS),
                                     (rng.choice(material.SUBHEAD_WORDS["problems"][3:]), material.IMPROVEMENTS))):
        if rng.random() < 0.7:
            b.add(sub_prefix(heading_style, i) + word + "\n")
        _numbered_items(rng, b, rng.sample(pool, rng.randint(1, min(len(pool), 2 + verbosity))))
    if rng.random() < 0.3:
        _plans(ctx, b)
        b.add("\n")


def _numbered_items(rng: random.Random, b: Builder, items: list[str]) -> None:
    """Items as sentences numbered 1. 2. …, 一是 二是 … (often run together) or not at all."""
    numbering = rng.choice(("arabic", "yishi", "none"))
    for j, item in enumerate(items):
        prefix = {"arabic": f"{j + 1}.", "yishi": f"{material.CN_NUMS[j]}是", "none": ""}[numbering]
        b.add(prefix + item + "。" + ("\n" if numbering != "yishi" or rng.random() < 0.3 else ""))
    b.add("\n")


def _fees(ctx: Ctx, b: Builder) -> None:
    """No cases, the fee rules, or the fees charged (with an amount)."""
    rng = ctx.rng
    r = rng.random()
    if r < 0.3:
        b.add(rng.choice(material.NO_CASES) + "\n")
    elif r < 0.6:
        b.add(rng.choice(material.FEE_TEXT) + "\n")
    else:
        ctx.emit(b, rng.choice(("本年度共收取信息处理费{A}。", "按照规定收取信息处理费{A}，已全额上缴国库。",
                                "本年度发出收费通知{K}件，收取信息处理费{A}。")),
                 A=ctx.amount(), K=ctx.n(1, 9))
        b.add("\n")


def _other_body(ctx: Ctx, b: Builder, heading_style: str, verbosity: int) -> None:
    rng = ctx.rng
    if verbosity > 3 and rng.random() < 0.4:
        _paragraph(ctx, b, 1, verbosity)
    _fees(ctx, b)
    if rng.random() < 0.5:
        _contact(ctx, b, always=True)
        b.add("\n")
    if rng.random() < 0.2:
        ctx.emit(b, rng.choice(("本年报所列数据的统计期限为{Y}年1月1日至{YR}年12月31日。",
                                "{Y}年度政府信息公开工作年度报告同步在政府网站发布。",
                                "公众可在政府网站“政府信息公开年报”栏目查阅{Y}年年报。")),
                 YR=str(ctx.facts.year), Y=ctx.year())
        b.add("\n")
    doc = ctx.ent("DOC_NUMBER", ctx.facts.doc_numbers)
    if doc is not None and rng.random() < 0.5:
        ctx.emit(b, "按照《国务院办公厅政府信息与政务公开办公室关于印发〈政府信息公开信息处理费管理办法〉的通知》"
                    "（{D}）要求执行。\n", D=doc)


# The prose of each section, by its key (a section without an entry has none of its own).
_BODIES = {"overview": _overview_body, "proactive": _proactive_body, "requests": _requests_body,
           "review_litigation": _review_litigation_body, "problems": _problems_body, "other": _other_body}


def section_body(ctx: Ctx, b: Builder, key: str, heading_style: str, verbosity: int) -> None:
    """Prose of a section (tables are added by the renderer)."""
    body = _BODIES.get(key)
    if body is not None:
        body(ctx, b, heading_style, verbosity)


def signature(ctx: Ctx, b: Builder) -> None:
    rng = ctx.rng
    pad = rng.choice(("", "", "\u3000" * rng.randint(2, 12), " " * rng.randint(4, 40), "\t\t"))
    b.add(rng.choice(("\n", "\n\n", "\n \n")))
    b.add(pad)
    b.segs.append(ctx.agency())
    b.add("\n" + pad)
    b.segs.append(ctx.published())
    b.add("\n")

