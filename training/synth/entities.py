"""Random reporting bodies, leaders and contact details, each in one of several printed notations."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from govreport.training.synth import material
from govreport.training.synth.recipe import RECIPE


@dataclass
class Agency:
    full: str                 # the full name, tagged AGENCY at each occurrence
    short: str                # a short form, tagged where printed as a name: 拉堡镇, 区民政局
    self_ref: str             # 我镇 / 我局 / 本机关 (not tagged)
    level: str                # town, township, street, county, district, city, province, dept
    place: str                # the place part used for addresses and web domains
    alt_full: list[str] = field(default_factory=list)  # other full forms seen in the same report
    parent: str = ""          # the government above it (a different body: never tagged AGENCY)


def place_name(rng: random.Random, n: int = 2) -> str:
    pools = (material.PLACE_CHARS_1, material.PLACE_CHARS_2, material.PLACE_CHARS_3)
    wide = RECIPE["place_char_wide"]
    chars = [rng.choice(material.PLACE_CHARS_WIDE if rng.random() < wide else
                        pools[i % 3] if rng.random() < 0.7 else rng.choice(pools)) for i in range(n)]
    name = "".join(chars)
    return name


def _province(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.75:
        return rng.choice(material.PROVINCES) + "省"
    if r < 0.9:
        return rng.choice(material.AUTONOMOUS)
    return rng.choice(material.MUNICIPALITIES)


def _agency(full: str, short: str, self_ref: str, level: str, place: str, alts: list[str], parent: str) -> Agency:
    return Agency(full, short, self_ref, level, place, [a for a in dict.fromkeys(alts) if a != full], parent)


def make_agency(rng: random.Random) -> Agency:
    """A reporting body with its full name, other names that also designate it, a short form (all
    tagged: each holds its place or, for a department, its level: 区民政局) and a self-reference (我局:
    not tagged). A bare 镇政府 / 区政府 is generic and never one of them (annotation guide)."""
    level = rng.choices(("town", "township", "street", "county", "district", "city", "province", "dept"),
                        weights=(16, 7, 7, 10, 10, 8, 3, 39))[0]
    prov = _province(rng)
    city = place_name(rng, rng.choice((2, 2, 2, 3))) + "市"
    county = place_name(rng, 2) + rng.choice(("县", "区", "区", "县", "市"))
    town = place_name(rng, 2)
    # How much of the administrative chain the full name repeats varies a lot between reports.
    prefix_depth = rng.choice((0, 1, 1, 2))
    if level in ("town", "township", "street"):
        suffix, bodies = {"town": ("镇", material.TOWN_BODIES), "township": ("乡", material.TOWNSHIP_BODIES),
                          "street": ("", material.STREET_BODIES)}[level]
        body, self_ref = rng.choice(bodies)
        if level == "street" and rng.random() < 0.3:
            town = place_name(rng, 2) + "路"
        chain = [city, county][2 - prefix_depth:] if prefix_depth else []
        name = town + suffix
        full = "".join(chain) + name + body
        bare = name + ("街道" if level == "street" else "")
        short = bare  # a bare 镇政府 / 街道办 is generic, not a name (annotation guide)
        alts = [name + body, name + {"人民政府": "政府", "街道办事处": "街道办"}[body]]
        return _agency(full, short, self_ref, level, city + county + bare, alts, city + county + "人民政府")
    if level in ("county", "district"):
        county = place_name(rng, 2) + ("县" if level == "county" else "区")
        body, self_ref = rng.choice((("人民政府", "我县" if level == "county" else "我区"),
                                     ("人民政府办公室", "我办")))
        chain = [city] if prefix_depth else []
        full = "".join(chain) + county + body
        short = county if body == "人民政府" else county + "政府办"  # 荔湾区; a bare 区政府 is generic
        alts = [county + body, county + ("政府" if body == "人民政府" else "政府办")]
        return _agency(full, short, self_ref, level, city + county, alts, city + "人民政府")
    if level == "city":
        body, self_ref = rng.choice((("人民政府", "我市"), ("人民政府办公室", "我办"), ("政府办公室", "我办")))
        chain = [prov] if prefix_depth > 1 else []
        full = "".join(chain) + city + body
        alts = [city + body, city + ("政府" if body == "人民政府" else "政府办")]
        return _agency(full, city + body.replace("人民政府", "政府"), self_ref, level, prov + city, alts,
                       prov + "人民政府")
    if level == "province":
        body, self_ref = rng.choice(material.DEPARTMENTS_PROVINCE)
        full = prov + body
        return _agency(full, "省" + body, self_ref, level, prov, [], "中华人民共和国中央人民政府")
    dept, self_ref = rng.choice(material.DEPARTMENTS_CITY[4:])
    owner = rng.choice((city, county, county, city + county))
    full = owner + dept
    abbrev = material.DEPT_ABBREV.get(dept, dept)
    local = owner[len(city):] if owner.startswith(city) and owner != city else owner
    short = local[-1] + rng.choice((dept, abbrev))
    alts = [local + dept, local + abbrev]
    if rng.random() < 0.3:
        self_ref = rng.choice(material.SELF_REFS_GENERIC)
    return _agency(full, short, self_ref, "dept", owner, alts, owner + "人民政府")


def person_name(rng: random.Random) -> str:
    surname = rng.choice(material.SURNAMES)
    if rng.random() < 0.03:
        surname = rng.choice(("欧阳", "司马", "诸葛", "上官"))
    given = "".join(rng.choice(material.GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
    return surname + given


def leader_title(rng: random.Random, agency: Agency) -> str:
    titles = material.LEADER_TITLES.get(agency.level) or material.LEADER_TITLES["dept"]
    return rng.choice(titles)


def phone(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.22:
        prefix = rng.choice(("13", "15", "18", "17", "19"))
        num = prefix + "".join(rng.choice("0123456789") for _ in range(9))
        return num if rng.random() < 0.8 else f"{num[:3]}-{num[3:7]}-{num[7:]}"
    area = "0" + str(rng.randint(10, 999)).zfill(rng.choice((2, 3)))
    local = str(rng.randint(2, 8)) + "".join(rng.choice("0123456789") for _ in range(rng.choice((6, 7, 7))))
    sep = rng.choice(("-", "-", "-", "—", "－", " ", ""))
    if rng.random() < 0.1:
        base = f"（{area}）{local}" if rng.random() < 0.5 else f"({area}){local}"
    else:
        base = f"{area}{sep}{local}"
    if rng.random() < 0.12:
        ext = str(rng.randint(1, 9999))
        base += rng.choice(("转", "-", "转", "—")) + ext
    return base


def email(rng: random.Random, agency: Agency) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    user = "".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))
    if rng.random() < 0.5:
        user += str(rng.randint(1, 99999999))
    if rng.random() < 0.25:
        user = str(rng.randint(10000, 9999999999))
    if rng.random() < 0.3:
        domain = "".join(rng.choice(letters) for _ in range(rng.randint(2, 6))) + ".gov.cn"
    else:
        domain = rng.choice(material.MAIL_DOMAINS)
    return f"{user}@{domain}"


def url(rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    host = "".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
    tld = rng.choice((".gov.cn", ".gov.cn", ".gov.cn", ".cn", ".com"))
    scheme = rng.choice(("http://", "https://", "http://www.", "https://www.", "www.", ""))
    u = scheme + host + tld
    if rng.random() < 0.35:
        parts = [rng.choice(("zwgk", "xxgk", "ndbg", "col", "art", "html", "zfxxgk", "bmxxgk"))
                 for _ in range(rng.randint(1, 3))]
        u += "/" + "/".join(parts)
        if rng.random() < 0.5:
            u += f"/{rng.randint(100, 99999)}.{rng.choice(('html', 'shtml', 'htm'))}"
    return u


def postcode(rng: random.Random) -> str:
    return str(rng.randint(10, 86)) + "".join(rng.choice("0123456789") for _ in range(4))


def address(rng: random.Random, agency: Agency) -> str:
    road = place_name(rng, 2) + rng.choice(("路", "街", "大道")) if rng.random() < 0.5 else rng.choice(material.ROADS)
    num = f"{rng.randint(1, 999)}号"
    extra = ""
    r = rng.random()
    if r < 0.3:
        extra = rng.choice(material.BUILDINGS) + f"{rng.randint(1, 12)}楼"
    elif r < 0.5:
        extra = f"{rng.randint(1, 9)}号楼{rng.randint(101, 1208)}室"
    if rng.random() < 0.2:
        # A building without a street: 市民服务中心六号楼二楼203室
        floor = rng.randint(1, 9)
        return (agency.place + rng.choice(material.BUILDINGS) + "一二三四五六七八九"[rng.randint(0, 8)] + "号楼" +
                "一二三四五六七八九"[floor - 1] + f"楼{floor}{rng.randint(1, 30):02d}室")
    return agency.place + road + num + extra


def doc_number(rng: random.Random, year: int, agency: Agency) -> str:
    r = rng.random()
    if r < 0.12:
        return "国办公开办函〔2019〕60号" if year <= 2020 else "国办公开办函〔2021〕30号"
    if r < 0.2:
        return "国务院令第711号"
    abbr = agency.place[:1] + rng.choice(material.DOC_ABBR)
    open_, close = rng.choice((("〔", "〕"), ("〔", "〕"), ("[", "]"), ("（", "）"), ("【", "】"), ("(", ")")))
    return f"{abbr}{open_}{year + rng.choice((0, 0, 1))}{close}{rng.randint(1, 150)}号"


DATE_STYLES = ("cn", "cn", "cn", "iso", "iso", "slash", "dot", "cn_pad", "cn_num")
_CN_DIGIT = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return "一二三四五六七八九"[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else "一二三四五六七八九"[tens - 1]
    return head + "十" + ("" if ones == 0 else "一二三四五六七八九"[ones - 1])


def format_date(rng: random.Random, y: int, m: int, d: int, style: str | None = None) -> str:
    style = style or rng.choice(DATE_STYLES)
    if style == "iso":
        return f"{y}-{m:02d}-{d:02d}"
    if style == "slash":
        return f"{y}/{m}/{d}"
    if style == "dot":
        return f"{y}.{m:02d}.{d:02d}"
    if style == "cn_pad":
        return f"{y}年{m:02d}月{d:02d}日"
    if style == "cn_num":
        return "".join(_CN_DIGIT[int(c)] for c in str(y)) + f"年{_cn_number(m)}月{_cn_number(d)}日"
    return f"{y}年{m}月{d}日"
