"""Character-level noise applied per segment, so span boundaries survive by construction.

Inside labelled spans only value-preserving noise is used (script conversion, full-width digits,
spaces inside cell numbers); characters are lost (`?`, `�`) and pinyin is spliced only outside spans.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from govreport.training.synth import material
from govreport.training.synth.segments import KEEP, NUM, PLAIN, TMPL, UNIT, Seg

# Characters OCR confuses (applied outside spans only: inside a value span they would change it).
_OCR = {"0": "O", "1": "l", "5": "S", "8": "B", "己": "已", "未": "末", "日": "曰", "人": "入", "土": "士",
        "千": "干", "大": "太", "王": "玉", "办": "力", "理": "埋", "情": "清", "况": "沉", "。": "，"}
_FULL_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_TO_HALF = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "！": "!", "？": "?",
                          "“": '"', "”": '"'})
_TO_FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"})


# Mirror sites splice pinyin inside names too (柞水縣鳳凰鎮(zhèn)人民政府); the span keeps it.
_PINYIN_SPANS = frozenset({"AGENCY", "ADDRESS", "LEADER_TITLE"})


@dataclass
class NoiseConfig:
    traditional: bool = False
    script: str = "s2t"            # OpenCC config: s2t, s2tw, s2hk or s2twp (Taiwan phrases: 檔案 for 文件)
    pinyin: float = 0.0            # chance per eligible character (traditional text only)
    lost: float = 0.0              # chance per character of plain text to be lost
    lost_char: str = "?"
    fullwidth_digits: float = 0.0  # chance per segment that its digits are full-width
    spaced_numbers: float = 0.0    # chance per cell number of a space inside it
    punct: str = ""                # "half" or "full": punctuation width of plain text
    lost_spaces: bool = False      # runs of spaces lost as runs of '?'
    ocr: float = 0.0               # chance per confusable character of plain text to be misread
    odd_spaces: str = ""           # spaces of plain text printed as this character (\xa0, \u2002, \u3000)

    def switches(self) -> list[str]:
        out = []
        if self.traditional:
            out.append("traditional")
            out.append(f"traditional_{self.script}")
        if self.pinyin:
            out.append("pinyin")
        if self.lost:
            out.append("lost_chars_question" if self.lost_char == "?" else "lost_chars_replacement")
        if self.fullwidth_digits:
            out.append("fullwidth_digits")
        if self.spaced_numbers:
            out.append("spaces_in_numbers")
        if self.punct:
            out.append(f"punct_{self.punct}")
        if self.ocr:
            out.append("ocr_errors")
        if self.odd_spaces:
            out.append("odd_spaces")
        return out


def make_config(rng: random.Random) -> NoiseConfig:
    cfg = NoiseConfig()
    cfg.traditional = rng.random() < 0.12
    cfg.script = rng.choice(("s2t", "s2tw", "s2hk", "s2twp"))
    if cfg.traditional and rng.random() < 0.3:
        cfg.pinyin = rng.uniform(0.1, 0.6)
    if rng.random() < 0.1:
        cfg.lost = rng.uniform(0.002, 0.02)
        cfg.lost_char = rng.choice(("?", "?", "�"))
        cfg.lost_spaces = rng.random() < 0.5
    if rng.random() < 0.08:
        # Usually the whole text (a converted or typed-in report), sometimes patchy (OCR).
        cfg.fullwidth_digits = 1.0 if rng.random() < 0.7 else rng.uniform(0.2, 0.6)
    if rng.random() < 0.07:
        cfg.spaced_numbers = rng.uniform(0.05, 0.4)
    cfg.punct = rng.choice(("", "", "half", "half", "full"))
    if rng.random() < 0.06:
        cfg.ocr = rng.uniform(0.02, 0.15)
    if rng.random() < 0.08:
        cfg.odd_spaces = rng.choice(("\xa0", "\u2002", "\u3000", "\u00a0\u00a0"))
    return cfg


@lru_cache(maxsize=50_000)
def to_traditional(text: str, script: str = "s2t") -> str:
    # Converting per segment may change a segment's length (phrase tables): spans are per segment,
    # so offsets stay exact; only digits matter inside value spans and OpenCC leaves them alone.
    if text.isascii():
        return text
    return _converter(script).convert(text)


@lru_cache(maxsize=4)
def _converter(script: str):  # opencc has no type hints
    from opencc import OpenCC

    return OpenCC(script)


def _splice_pinyin(rng: random.Random, text: str, rate: float) -> str:
    if not any(ch in material.PINYIN for ch in text):
        return text
    pinyin = material.PINYIN
    return "".join(ch + f"({pinyin[ch]})" if ch in pinyin and rng.random() < rate else ch for ch in text)


def _lose(rng: random.Random, text: str, rate: float, char: str, spaces: bool) -> str:
    n = len(text)
    expected = n * rate
    k = int(expected) + (rng.random() < expected - int(expected))
    if k:
        chars = list(text)
        for _ in range(k):
            i = rng.randrange(n)
            if chars[i] == " " or not chars[i].isascii():
                chars[i] = char
        text = "".join(chars)
    if spaces and "   " in text:
        text = text.replace("   ", char * 3)
    return text


def _space_inside(rng: random.Random, text: str) -> str:
    digits = [i for i in range(1, len(text)) if text[i - 1].isdigit() and text[i].isdigit()]
    if not digits:
        return text
    i = rng.choice(digits)
    return text[:i] + rng.choice((" ", " ", "  ")) + text[i:]


def _plain_noise(rng: random.Random, text: str, cfg: NoiseConfig) -> str:
    """Noise only unlabelled prose gets: punctuation width, OCR confusions, odd spaces, lost characters."""
    if cfg.punct == "half":
        text = text.translate(_TO_HALF)
    elif cfg.punct == "full" and not text.isascii():
        text = text.translate(_TO_FULL)
    if cfg.ocr:
        text = "".join(_OCR[ch] if ch in _OCR and rng.random() < cfg.ocr else ch for ch in text)
    if cfg.odd_spaces and " " in text and rng.random() < 0.5:
        text = text.replace(" ", cfg.odd_spaces)
    if cfg.lost:
        text = _lose(rng, text, cfg.lost, cfg.lost_char, cfg.lost_spaces)
    return text


def _noisy_text(rng: random.Random, s: Seg, cfg: NoiseConfig) -> str:
    """The text of one segment with the document's noise applied."""
    text = s.text
    if cfg.traditional:
        text = to_traditional(text, cfg.script)
        if cfg.pinyin and ((s.label is None and s.kind in (PLAIN, TMPL)) or s.label in _PINYIN_SPANS):
            text = _splice_pinyin(rng, text, cfg.pinyin)
    if s.label is None and s.kind == PLAIN:
        text = _plain_noise(rng, text, cfg)
    if cfg.fullwidth_digits and s.kind in (PLAIN, NUM, TMPL, UNIT) and rng.random() < cfg.fullwidth_digits:
        if s.label not in ("EMAIL", "URL"):
            text = text.translate(_FULL_DIGITS)
    if (cfg.spaced_numbers and s.label is not None and s.label[:2] in ("T1", "T2", "T3")
            and len(text) > 1 and rng.random() < cfg.spaced_numbers):
        text = _space_inside(rng, text)
    return text


def apply(rng: random.Random, segs: list[Seg], cfg: NoiseConfig) -> list[Seg]:
    """New segments with noise applied; labels, kinds, values and references are kept."""
    out: list[Seg] = []
    for s in segs:
        if s.kind == KEEP:
            out.append(s)
            continue
        text = _noisy_text(rng, s, cfg)
        out.append(s if text == s.text else Seg(text, s.label, s.kind, s.value, s.group, s.ref, s.meta))
    return out
