"""Web-page and PDF debris around (and inside) a report: navigation, metadata, footers, popups, spam."""

from __future__ import annotations

from govreport.training.synth import entities, material
from govreport.training.synth.context import Ctx
from govreport.training.synth.recipe import RECIPE
from govreport.training.synth.segments import Builder, Seg


def _other_site(ctx: Ctx) -> str:
    name = entities.place_name(ctx.rng, 2) + ctx.rng.choice(("市", "区", "县")) + "人民政府"
    a = ctx.facts.agency
    return name if name not in (a.full, *a.alt_full) else a.parent


def _site_or_agency(ctx: Ctx, b: Builder) -> None:
    """A site name: the reporting body itself (tagged) or its parent government (not tagged)."""
    if ctx.rng.random() < 0.5:
        b.segs.append(ctx.any_name(0.3))
    else:
        b.add(ctx.facts.agency.parent if ctx.rng.random() < 0.5 else _other_site(ctx))


def _meta_value(ctx: Ctx, b: Builder, key: str) -> None:
    """The value of one page-metadata key: the publishing body, an index number or a fixed word."""
    rng = ctx.rng
    if key == "发布机构":
        _site_or_agency(ctx, b)
    elif key in ("索引号", "信息索取号"):
        b.add(f"{rng.randint(10000000, 999999999):09d}/{ctx.facts.published[0]}-{rng.randint(1, 99999):05d}")
    else:
        b.add(rng.choice(material.PAGE_META_VALUES.get(key, ("主动公开",))))


def _meta_block(ctx: Ctx, b: Builder) -> None:
    """A block of page metadata (索引号, 发布机构, …) ending with the page's date."""
    rng = ctx.rng
    keys = rng.sample(material.PAGE_META_KEYS, rng.randint(2, 6))
    sep = rng.choice((" ", "  ", "\n", "\t"))
    colon = rng.choice(("：", ":", ": ", " : "))
    for k in keys:
        b.add(k + colon)
        _meta_value(ctx, b, k)
        b.add(sep)
    date_key = rng.choice(("生成日期", "发布日期", "发布时间", "成文日期", "发文日期"))
    b.add(date_key + colon)
    # Every one of these page lines gives the page's date: the date is tagged, never the clock time.
    b.segs.append(ctx.published(rng.choice(("iso", "iso", "cn", "slash"))))
    if rng.random() < 0.3:
        b.add(f" {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}" + rng.choice(("", ":00")))
    b.add("\n")


def _date_line(ctx: Ctx, b: Builder) -> list[str]:
    """One line: the page's date and time, then its source (a name of the body) or a view count."""
    rng = ctx.rng
    used = ["page_metadata"]
    b.add(rng.choice(("发布时间：", "发布日期：", "发布时间:", "信息提供日期 : ")))
    b.segs.append(ctx.published("iso"))
    b.add(rng.choice((f" {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}", "")))
    key = rng.choice(("   来源：", "  来源:", "  信息来源：", "  录入：", " 浏览次数："))
    b.add(key)
    if "来源" in key:
        b.segs.append(ctx.any_name(0.6))
        used.append("page_agency_line")
    else:
        b.add(str(rng.randint(1, 9999)))
    b.add("\n")
    return used


def _page_metadata(ctx: Ctx, b: Builder) -> list[str]:
    """The page's metadata: a block, a single date line, or none; returns the switch names used."""
    if ctx.rng.random() < 0.5:
        _meta_block(ctx, b)
        return ["page_metadata"]
    if ctx.rng.random() < 0.3:
        return _date_line(ctx, b)
    return []


def top(ctx: Ctx, b: Builder) -> list[str]:
    """Debris before the report; returns the switch names used."""
    rng = ctx.rng
    used = []
    if rng.random() < 0.15:
        b.add(f"您访问的链接即将离开“{_other_site(ctx)}”门户网站\n是否继续？\n")
        used.append("exit_popup")
    if rng.random() < 0.5:
        _site_or_agency(ctx, b)
        b.add("\n" + rng.choice(("政府信息公开", "政务公开", "信息公开专栏", "")) + "\n")
    if rng.random() < 0.6:
        nav = rng.sample(material.NAV_ITEMS, rng.randint(2, 5))
        sep = rng.choice((" > ", ">", " » ", " / ", "  "))
        b.add(rng.choice(("当前位置：", "您所在的位置：", "当前位置:", "")) + "首页" + sep + sep.join(nav) + "\n")
        used.append("breadcrumb")
    used += _page_metadata(ctx, b)
    if rng.random() < RECIPE["page_agency_line"]:
        # 发布机构: 县民政局 — the body named on the page, often by its short form.
        b.add(rng.choice(("发布机构：", "发布机构: ", "来源：", "信息来源:", "文章来源：")))
        b.segs.append(ctx.any_name(0.6))
        b.add(rng.choice(("\n", "  ", "   浏览次数：" + str(rng.randint(1, 999)) + "\n")))
        used.append("page_agency_line")
    if rng.random() < RECIPE["spam_at"]:
        # Spam before the body's name on a mirror page: no EMAIL, only the name part is AGENCY.
        b.add(rng.choice(material.SPAM_WORDS) + rng.choice(("官网@:", "@:", "官网@：", "网址@")))
        if rng.random() < 0.6:
            b.segs.append(ctx.agency())
        b.add("\n")
        used.append("spam_at")
    if rng.random() < 0.35:
        b.add(rng.choice(("字号：[ 大 中 小 ]", "【字体：大 中 小】", "字号:[ ]  [关闭] 视力保护色:",
                          "【字号：大 中 小】 【打印】")) + "\n")
        used.append("font_size_bar")
    if rng.random() < 0.05:
        b.add(rng.choice(material.SPAM_WORDS) + rng.choice(("官网", "", "首页")) + "\n")
        used.append("spam")
    return used


def bottom(ctx: Ctx, b: Builder) -> list[str]:
    rng = ctx.rng
    used = []
    if rng.random() < 0.35:
        b.add(rng.choice(("相关附件：\n", "相关解读：\n", "扫一扫在手机打开当前页面\n", "分享到：\n", "")))
    if rng.random() < 0.08:
        # A link to another year's report: that year is not this report's (never REPORT_YEAR).
        other = ctx.facts.year + rng.choice((-1, -1, -2, 1))
        b.add(rng.choice(("上一篇：", "下一篇：", "相关链接：")))
        ctx.emit(b, "{AG}{YR}年政府信息公开工作年度报告\n", AG=ctx.agency(), YR=str(other))
        used.append("other_year_link")
    if rng.random() < 0.4:
        b.add(rng.choice(("打印 关闭", "【打印本页】 【关闭窗口】", "- 字体: 【 大 中 小 】\n-\n打印\n-\n关闭",
                          "[打印] [关闭]", "打印本页  关闭窗口")) + "\n")
        used.append("print_close")
    if rng.random() < 0.35:
        used.append("footer")
        items = rng.sample(material.FOOTER_ITEMS, rng.randint(2, 5))
        b.add(" | ".join(items) + "\n")
        b.add(rng.choice(("主办：", "主办单位：")))
        _site_or_agency(ctx, b)
        b.add(rng.choice(("  承办：", " 技术支持：")) + rng.choice(("信息中心", "大数据中心", "网络科技有限公司"))
              + "\n")
        b.add(f"{rng.choice(('京', '湘', '粤', '川', '赣', '鄂'))}ICP备{rng.randint(10000000, 99999999)}号"
              f"  网站标识码：{rng.randint(1000000000, 9999999999)}\n")
    if rng.random() < 0.06:
        b.add(rng.choice(material.SPAM_WORDS) + " " + rng.choice(material.SPAM_WORDS) + "\n")
        used.append("spam")
    return used


def page_header(ctx: Ctx) -> list[Seg]:
    """Running header/footer and page number that PDF extraction leaves between lines."""
    rng = ctx.rng
    b = Builder()
    b.add("\n" if rng.random() < 0.5 else "")
    n = rng.randint(2, 9)
    b.add(rng.choice((f"— {n} —", f"- {n} -", f"第{n}页 共{n + rng.randint(0, 6)}页", f"{n}", f"{n}/{n + 3}")) + "\n")
    if rng.random() < 0.5:
        if rng.random() < 0.5:
            ctx.emit(b, "{AG}{Y}年政府信息公开工作年度报告\n", AG=ctx.agency(), Y=ctx.year())
        else:
            b.add("政府信息公开工作年度报告\n")
    return b.segs
