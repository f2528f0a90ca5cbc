"""The character vocabulary: one id per normalised character, saved beside the model as vocab.json.

Built from the normalised training corpus plus the common CJK block and printable ASCII, so that a
character the corpus never showed still gets its own (little-trained) row instead of [UNK]. Only
characters that normalisation can output are kept (traditional forms folded away need no row).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from govreport.core.normalize import NormalizeOptions, normalize, normalize_char

PAD, UNK, CLS, SEP = "[PAD]", "[UNK]", "[CLS]", "[SEP]"
SPECIALS: tuple[str, ...] = (PAD, UNK, CLS, SEP)
VOCAB_FILE = "vocab.json"
CJK_RANGE = (0x4E00, 0x9FFF)
_BMP = 0x10000


class Vocab:
    def __init__(self, tokens: Iterable[str]) -> None:
        self.tokens: list[str] = list(tokens)
        if self.tokens[: len(SPECIALS)] != list(SPECIALS):
            raise ValueError(f"a vocabulary starts with {SPECIALS}")
        self.index: dict[str, int] = {}
        for i, tok in enumerate(self.tokens):
            if tok in self.index:
                raise ValueError(f"duplicate token {tok!r} in vocabulary")
            self.index[tok] = i
        self.pad_id, self.unk_id, self.cls_id, self.sep_id = (self.index[s] for s in SPECIALS)
        self._table: np.ndarray | None = None  # code point -> id (encode_array), built when first needed

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, ch: str) -> bool:
        return ch in self.index

    def encode(self, text: str) -> list[int]:
        """Ids of each character of an already-normalised text."""
        get, unk = self.index.get, self.unk_id
        return [get(ch, unk) for ch in text]

    def encode_array(self, text: str) -> np.ndarray:
        """``encode`` as an int64 array (what the network takes), without a Python int per character:
        the ids of the Basic Multilingual Plane by one table lookup (the dict for a text beyond it)."""
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if not len(codes) or int(codes.max()) >= _BMP:
            get, unk = self.index.get, self.unk_id
            return np.fromiter((get(ch, unk) for ch in text), dtype=np.int64, count=len(text))
        if self._table is None:
            table = np.full(_BMP, self.unk_id, dtype=np.int64)
            for tok, i in self.index.items():
                if len(tok) == 1 and ord(tok) < _BMP:
                    table[ord(tok)] = i
            self._table = table
        return self._table[codes]

    def save(self, model_dir: Path) -> Path:
        path = Path(model_dir) / VOCAB_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"tokens": self.tokens}, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, model_dir: Path) -> Vocab:
        path = Path(model_dir) / VOCAB_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no {VOCAB_FILE} in {model_dir}")
        return cls(json.loads(path.read_text(encoding="utf-8"))["tokens"])

    @classmethod
    def build(cls, texts: Iterable[str], options: NormalizeOptions | None = None, min_count: int = 1,
              include_ranges: bool = True) -> Vocab:
        """Specials, then base characters (whitespace, ASCII, CJK block), then other corpus characters
        seen at least ``min_count`` times, most frequent first."""
        options = options or NormalizeOptions()
        base: list[str] = ["\n", "\t", " "]
        if include_ranges:
            raw = [chr(c) for c in range(0x21, 0x7F)] + [chr(c) for c in range(CJK_RANGE[0], CJK_RANGE[1] + 1)]
            for ch in raw:
                base.extend(normalize_char(ch, options))
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(normalize(text, options).text)
        extra = [ch for ch, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c >= min_count]
        seen: set[str] = set(SPECIALS)
        tokens = list(SPECIALS)
        for ch in base + extra:
            if ch not in seen:
                seen.add(ch)
                tokens.append(ch)
        return cls(tokens)
