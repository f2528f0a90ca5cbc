"""Does the synthetic corpus cover what real text looks like? Side-by-side text statistics.

    python -m govreport.training.coverage --n 2000 --seed 0            # generate on the fly
    python -m govreport.training.coverage --dataset data/synth        # or read a `govreport synth` dataset

Columns: synthetic corpus, the five seeds, the twelve real excerpts (gold) and the 49 texts of the real
training pool (real-pool/t*.txt, the layouts the generator must learn). Rows: line length, numbers per
line, share of lines with `|` or a tab, share of traditional characters, document length. `covers`
says whether the synthetic range [min, max] contains the seeds' and the excerpts' range.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from govreport.paths import SHARED
from govreport.training.synth import generate

_NUMBER = re.compile(r"[0-9０-９]+(?:[.,][0-9０-９]+)*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
PCTS = (0, 5, 25, 50, 75, 95, 100)
_PY = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# Layout and entity-context features of real reports (issues 11 and 15): share of documents showing each.
FEATURES: dict[str, re.Pattern[str]] = {
    "lone | line": re.compile(r"(?m)^\|[ \t]*$"),
    "||| separator line": re.compile(r"(?m)^\|{2,}[ \t]*$"),
    "row opening with | line": re.compile(r"(?m)^\|[ \t]*\n[^|\n]+ \|$"),
    "one cell per line, blank-separated": re.compile(r"\n\n[ \t]*[0-9０-９]+[ \t]*\n\n"),
    "NBSP": re.compile("\xa0"),
    "tab": re.compile("\t"),
    "header cell broken over lines": re.compile(
        r"(?m)^(商业|商業|科研|本年新|本年)[^\n|]{0,6}\n(企业|企業|机构|機構|制作|公开)"),
    "long note in a label (>=25 chars)": re.compile(r"[\u4e00-\u9fff]\s?[(（][^()（）\n]{25,}[)）]\s*\|?"),
    "extra row 其他主动公开文件": re.compile(r"其他主动公开文件|其他主動公開文件"),
    "pinyin splice": re.compile(rf"[\u4e00-\u9fff]\([{_PY}]+\)"),
    "檔案": re.compile("檔案"),
    "编写说明 left in": re.compile("编写说明|編寫說明|填报说明|填報說明"),
    "signed change (增/减/+/--)": re.compile(r"(?<![0-9A-Za-z])(增|减|減|\+|--)[0-9]"),
    "page marker - n -": re.compile(r"(?m)^\s*[-—]\s*[0-9]+\s*[-—]\s*$"),
    "4-7 digit cell": re.compile(r"(?m)^[ \t|]*[0-9]{1,3}(,?[0-9]{3}){1,2}[ \t]*\|?[ \t]*$|\| [0-9]{4,7} \|"),
    "title split over two lines": re.compile(r"(?m)^[^\n]{2,30}\n[^\n]{0,12}年度?政府信息公开工作年度报告"),
    "opening 20xx年,": re.compile(r"(?m)^[ \t\u3000]*20[0-9]{2}年(度)?[,，]"),
    "statistics period": re.compile(r"统计期限|統計期限|统计时限"),
    "page line 发布机构/来源": re.compile(r"(发布机构|發布機構|来源|來源|信息来源)\s*[:：]"),
    "page line 发布/成文 date": re.compile(r"(发布日期|发布时间|成文日期|發布日期|發布時間|发表日期)\s*[:：]"),
    "截至 year-end": re.compile(r"截[至止]20[0-9]{2}年12月31日"),
    "spam with @": re.compile(r"[\u4e00-\u9fff]@[:：]"),
    "《…》 document title": re.compile(r"《[^》\n]{4,60}》"),
}


@lru_cache(maxsize=1)
def _t2s():  # opencc has no type hints
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=100_000)
def _is_traditional(ch: str) -> bool:
    return _t2s().convert(ch) != ch


@dataclass
class Stats:
    chars: Counter[str]
    line_len: list[int]
    numbers_per_line: list[int]
    pipe_lines: float
    tab_lines: float
    trad_share: list[float]      # per document
    doc_len: list[int]
    n_docs: int
    features: Counter[str]       # documents showing each of FEATURES


def text_stats(texts: Iterable[str]) -> Stats:
    line_len: list[int] = []
    nums: list[int] = []
    pipes = tabs = lines = 0
    trad: list[float] = []
    doc_len: list[int] = []
    chars: Counter[str] = Counter()
    features: Counter[str] = Counter()
    for text in texts:
        features.update(name for name, rx in FEATURES.items() if rx.search(text))
        doc_len.append(len(text))
        chars.update(text)
        for line in text.split("\n"):
            if not line.strip():
                continue
            lines += 1
            line_len.append(len(line))
            nums.append(len(_NUMBER.findall(line)))
            pipes += "|" in line
            tabs += "\t" in line
        cjk = _CJK.findall(text)
        trad.append(sum(_is_traditional(c) for c in cjk) / len(cjk) if cjk else 0.0)
    return Stats(chars, line_len, nums, pipes / max(lines, 1), tabs / max(lines, 1), trad, doc_len, len(doc_len),
                 features)


def percentiles(values: list[float], pcts: tuple[int, ...] = PCTS) -> list[float]:
    if not values:
        return [float("nan")] * len(pcts)
    s = sorted(values)
    return [s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] for p in pcts]


def _fmt(values: list[float], digits: int = 0) -> str:
    return "/".join(f"{v:.{digits}f}" for v in values)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def report(columns: dict[str, Stats]) -> str:
    """The side-by-side table (percentiles p0/p5/p25/p50/p75/p95/p100)."""
    names = list(columns)
    rows: list[tuple[str, list[str], str]] = []

    def add(metric: str, getter: Callable[[Stats], list], digits: int = 0) -> None:
        vals = {n: getter(columns[n]) for n in names}
        cells = [_fmt(percentiles(v), digits) for v in vals.values()]
        lo, hi = min(vals[names[0]], default=0), max(vals[names[0]], default=0)
        covers = all(min(v, default=lo) >= lo and max(v, default=hi) <= hi for v in list(vals.values())[1:])
        rows.append((metric, cells, "yes" if covers else "NO"))

    add("line length (chars)", lambda s: s.line_len)
    add("numbers per line", lambda s: s.numbers_per_line)
    add("traditional share per doc", lambda s: s.trad_share, 2)
    add("document length (chars)", lambda s: s.doc_len)
    out = [f"percentiles p{'/p'.join(str(p) for p in PCTS)}; documents: "
           + ", ".join(f"{n}={columns[n].n_docs}" for n in names)]
    width = max(len(r[0]) for r in rows) + 2
    width = max(width, *(_display_width(name) + 4 for name in FEATURES))
    colw = [max(len(n), *(len(r[1][i]) for r in rows)) + 2 for i, n in enumerate(names)]
    out.append("metric".ljust(width) + "".join(n.ljust(w) for n, w in zip(names, colw, strict=True)) + "covers")
    for metric, cells, covers in rows:
        out.append(metric.ljust(width) + "".join(c.ljust(w) for c, w in zip(cells, colw, strict=True)) + covers)
    for metric, getter in (("share of lines with |", lambda s: s.pipe_lines),
                           ("share of lines with tab", lambda s: s.tab_lines)):
        vals = [getter(columns[n]) for n in names]
        out.append(metric.ljust(width) + "".join(f"{v:.3f}".ljust(w) for v, w in zip(vals, colw, strict=True)))
    out.append("lines with >=1 number".ljust(width) + "".join(
        f"{sum(1 for x in columns[n].numbers_per_line if x) / max(len(columns[n].numbers_per_line), 1):.3f}".ljust(w)
        for n, w in zip(names, colw, strict=True)))
    out.append("share of documents with:")
    for name in FEATURES:
        shares = [columns[n].features[name] / max(columns[n].n_docs, 1) for n in names]
        label = f"  {name}"
        cells = "".join(f"{v:.3f}".ljust(w) for v, w in zip(shares, colw, strict=True))
        out.append(label + " " * (width - _display_width(label)) + cells)
    vocab = set(columns[names[0]].chars)
    for n in names[1:]:
        chars = columns[n].chars
        total = sum(chars.values()) or 1
        missing = Counter({c: k for c, k in chars.items() if c not in vocab})
        share = 1 - sum(missing.values()) / total
        top = "".join(c for c, _ in missing.most_common(30))
        out.append(f"characters of {n} seen in {names[0]}: {share:.4f} "
                   f"({len(missing)} distinct unseen; most frequent: {top!r})")
    return "\n".join(out)


def _read_dir(pattern: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(Path(SHARED).glob(pattern))]


def synthetic_texts(n: int, seed: int, dataset: str | None) -> list[str]:
    if dataset:
        import datasets

        return list(datasets.load_from_disk(dataset)["text"])
    return [d.text for d, _ in generate(n, seed)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govreport.training.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="synthetic documents to generate (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dataset", help="read the synthetic texts from a `govreport synth` dataset instead")
    args = parser.parse_args(argv)
    seeds = _read_dir("seeds/*.txt")
    real = _read_dir("real/r*.txt")
    pool = _read_dir("real-pool/t*.txt")
    if not seeds:
        print(f"no seed texts under {SHARED}/seeds", file=sys.stderr)
    columns = {"synthetic": text_stats(synthetic_texts(args.n, args.seed, args.dataset)),
               "seeds": text_stats(seeds), "real": text_stats(real),
               "real-pool": text_stats(pool)}
    print(report(columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
