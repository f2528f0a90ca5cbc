"""Record-field accuracy of the assembler on the hand-corrected real reports (work/corrected/tNN.json).

Assembles each document's annotated spans and compares the fields template, report_year, agency,
published, phones, emails, leader names and sections present with the annotators' stated truth:
TRUTH below (their notes, SOURCES.md and the corrections reported on issue 15) for template, year and
agency; the annotated spans themselves for the rest (every span there is a corrected one).

    python scripts/entity_fields.py [/work/annot/work/corrected]   # with govreport installed from this checkout

Prints accuracy per field and overall, for the training documents and the dev split separately,
and every wrong field. Run it against another checkout of govreport for a "before" figure.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from govreport.core.document import Span
from govreport.core.rules import parse_date
from govreport.inference.assemble import assemble

DEV = {"t03", "t05", "t09", "t13", "t18", "t23", "t26", "t34", "t41", "t44"}
FIELDS = ("template", "report_year", "agency", "published", "phones", "emails", "leaders", "sections")

# id: (template, report_year, agency): the fullest printed name of the reporting body, None if unnamed.
TRUTH: dict[str, tuple[str | None, int | None, str | None]] = {
    "t01": ("2021", 2022, None), "t02": ("2019", 2022, "螅镇"),
    "t03": ("2019", 2023, "西咸新区底张街道办事处"),
    "t04": ("2021", 2023, "绍兴市越城区东湖街道"), "t05": ("2021", 2021, "鸭南乡乡人民政府"),
    "t06": ("2019", 2019, None),
    "t07": ("2021", 2021, "五常市民意乡人民政府"), "t08": ("2019", 2020, "双塔区前进街道"),
    "t09": ("2019", 2020, None),
    "t10": ("2021", 2025, "大冶市自然资源和规划局"), "t11": ("2021", 2021, "宁强县自然资源局"),
    "t12": ("2021", 2023, "东阳市自然资源和规划局"), "t13": ("2019", 2020, "区卫健局"), "t14": ("2019", 2020, None),
    "t15": ("2019", 2020, "建平县卫生健康局"), "t16": ("2021", 2025, "中仓街道办事处"),
    "t17": ("2021", 2022, "建章路街道辦事處"), "t18": ("2021", 2022, "深圳市龍崗區(qū)"), "t19": ("2019", 2019, None),
    "t20": ("2019", 2020, "两城镇人民政府"), "t21": ("2019", 2019, "大路镇人民政府"),
    "t22": ("2019", 2019, "胡市镇人民政府"),
    "t23": ("2021", 2024, None), "t24": ("2021", 2022, "龙口镇"), "t25": ("2021", 2022, "重庆市九龙坡区二郎街道办事处"),
    "t26": ("2021", 2023, None), "t27": ("2021", None, None), "t28": ("2021", 2023, "湛江市人民政府地方志办公室"),
    "t29": ("2021", 2023, "区统计局"), "t30": ("2019", 2020, "广州市荔湾区人民政府南源街道办事处"),
    "t31": ("2021", 2021, "广州市白云区人民政府棠景街道办事处"), "t32": ("2021", 2022, "區(qū)投資促進(jìn)局"),
    "t33": ("2021", 2025, "广州市荔湾区人民政府"), "t34": ("2019", 2020, None),
    "t35": ("2021", 2022, "大连长兴岛经济技术开发区长兴岛街道"), "t36": ("2019", 2020, "七里坪镇"),
    "t37": ("2019", 2020, "中村乡"), "t38": ("2019", 2020, "中埠镇人民政府"), "t39": ("2019", 2020, "大五里镇"),
    "t40": ("2019", 2020, "抚松县松江河镇人民政府"), "t41": ("2021", 2021, "盐边县新九镇人民政府"),
    "t42": ("2021", 2021, "乐民镇"), "t43": ("2021", 2021, "牛华镇"), "t44": ("2019", 2020, "中南街道"),
    "t45": ("2019", 2019, "荷塘区桂花街道办事处"), "t46": ("2021", 2025, "扎赉特旗宝力根花苏木人民政府"),
    "t47": ("2021", 2021, "汝州市住房和城乡建设局"), "t48": ("2021", 2024, "光明区外事局"), "t49": ("2021", 2024, None),
}


def _distinct(values: list[Any]) -> list[Any]:
    return [v for i, v in enumerate(values) if v not in values[:i]]


def expected(doc: dict[str, Any]) -> dict[str, Any]:
    text, spans = doc["text"], doc["spans"]

    def texts(label: str) -> list[str]:
        return _distinct([text[s["start"]:s["end"]] for s in spans if s["label"] == label])

    template, year, agency = TRUTH[doc["id"]]
    dates = [parse_date(t) for t in texts("PUBLISHED_DATE")]
    return {"template": template, "report_year": year, "agency": agency, "published": dates[0] if dates else None,
            "phones": texts("PHONE"), "emails": texts("EMAIL"), "leaders": texts("LEADER_NAME"),
            "sections": sorted({s["label"][2:] for s in spans if s["label"].startswith("H.")})}


def got(doc: dict[str, Any]) -> dict[str, Any]:
    spans = [Span(s["start"], s["end"], s["label"]) for s in doc["spans"]]
    r = assemble(doc["text"], spans)
    return {"template": r["template"], "report_year": r["report_year"], "agency": r["agency"],
            "published": r["published"], "phones": r["phones"], "emails": r["emails"],
            "leaders": _distinct([x["name"] for x in r["leaders"]]),
            "sections": sorted(k for k, v in r["sections"].items() if v is not None)}


def main(folder: str = "/work/annot/work/corrected") -> None:
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(folder).glob("t*.json"))]
    for split in ("train", "dev"):
        chosen = [d for d in docs if (d["id"] in DEV) == (split == "dev") and d["id"] in TRUTH]
        right = dict.fromkeys(FIELDS, 0)
        wrong = []
        for d in chosen:
            want, have = expected(d), got(d)
            for f in FIELDS:
                if want[f] == have[f]:
                    right[f] += 1
                else:
                    wrong.append(f"  {d['id']} {f}: {have[f]!r} != {want[f]!r}")
        n = len(chosen)
        total = sum(right.values())
        print(f"{split}: {n} docs, fields {total}/{n * len(FIELDS)} = {total / (n * len(FIELDS)):.1%}; "
              + ", ".join(f"{f} {right[f]}/{n}" for f in FIELDS))
        print("\n".join(wrong))


if __name__ == "__main__":
    main(*sys.argv[1:])
