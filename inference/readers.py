"""File -> text: the one place where .txt / .html / .pdf / .docx input becomes the text the model reads.

Provenance: every offset the extractor reports points into `ReadResult.text`, the exact string handed
to the model. For plain text that string is the decoded file itself (nothing normalised; only a byte
order mark is dropped), so offsets are character offsets into the file. For HTML, PDF and DOCX the
text is built here (one block per line, one table row per line with cells joined by ` | `), and
`govreport extract --offsets` writes it out beside the record so offsets can still be resolved.

Errors a user can act on (empty, binary, too large, scanned PDF, unsupported format) raise
`ReadError` with a message naming the reason; nothing here lets another exception escape for bad input.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from govreport.inference import pdf_layout

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TEXT_EXTS = frozenset({".txt", ".text"})
HTML_EXTS = frozenset({".html", ".htm", ".shtml", ".xhtml"})
SUPPORTED_EXTS = TEXT_EXTS | HTML_EXTS | {".pdf", ".docx"}

# Encodings charset-normalizer may name for Chinese text; GB-family guesses are decoded as GB18030,
# the superset, so that a GBK file with one rarer character still decodes.
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "hz", "cp936"})
_CHINESE_OK = _GB_FAMILY | {"big5", "big5hkscs", "cp950", "utf_8", "utf_16", "utf_16_le", "utf_16_be"}
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_REPORT_WORDS = re.compile("公开|公開|年度报告|年度報告|年报|年報")


class ReadError(Exception):
    """An input that cannot be turned into text; the message says why and what to do."""


@dataclass
class ReadResult:
    text: str
    format: str  # "text" | "html" | "pdf" | "docx"
    encoding: str | None = None  # the encoding used to decode bytes (text and HTML only)
    warnings: list[str] = field(default_factory=list)

    def source(self) -> dict[str, Any]:
        return {"format": self.format, "encoding": self.encoding, "chars": len(self.text),
                "warnings": list(self.warnings)}


def human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024  # type: ignore[assignment]
    raise AssertionError  # pragma: no cover


def too_large_message(size: int, limit: int) -> str:
    return (f"file is {human_bytes(size)} ({size} bytes), over the limit of {human_bytes(limit)} "
            f"({limit} bytes); raise it with --max-bytes")


def read_path(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Read one file (size-checked before its bytes are loaded)."""
    p = Path(path)
    try:
        st = p.stat()
        if not p.is_file():
            raise ReadError("not a regular file" if not p.is_dir() else "is a directory")
        if st.st_size > max_bytes:
            raise ReadError(too_large_message(st.st_size, max_bytes))
        data = p.read_bytes()
    except OSError as e:
        raise ReadError(f"cannot read: {e.strerror or e}") from e
    return read_bytes(data, p.name, max_bytes=max_bytes)


def read_bytes(data: bytes, name: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Bytes of one input (named `name`, used for its extension) -> text for the model."""
    if len(data) > max_bytes:
        raise ReadError(too_large_message(len(data), max_bytes))
    if not data:
        raise ReadError("empty file (0 bytes)")
    fmt = sniff_format(data, name)
    if fmt == "pdf":
        result = pdf_to_text(data)
    elif fmt == "docx":
        result = docx_to_text(data)
    elif fmt == "html":
        result = html_to_text(data)
    else:
        text, encoding, warnings = decode_text(data)
        if _looks_like_html(text):
            result = html_to_text(data)
        else:
            result = ReadResult(text, "text", encoding, warnings)
    if not result.text.strip():
        raise ReadError(f"no text in this {result.format} input (only whitespace)")
    if not _REPORT_WORDS.search(result.text):
        result.warnings.append("the text does not look like a disclosure annual report "
                               "(no 公开/年度报告 anywhere)")
    return result


_BINARY_MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
                 (b"\x7fELF", "an executable"), (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"),
                 (b"7z\xbc\xaf", "a 7z archive"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"))


def precheck(data: bytes, name: str = "") -> None:
    """The checks that cost no parsing (empty, an image or archive, a mislabelled file, NUL bytes in
    text): run before a model is loaded, so a hopeless input is refused at once."""
    if not data:
        raise ReadError("empty file (0 bytes)")
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise ReadError(f"binary data, not text ({what})")
    if sniff_format(data, name) == "text" and b"\x00" in data[:8192]:
        if not any(data.startswith(b) for b, _ in _BOMS) and _utf16_without_bom(data) is None:
            raise ReadError("binary data, not text (NUL bytes and no text encoding fits)")


# --- format -----------------------------------------------------------------------------------
def sniff_format(data: bytes, name: str = "") -> str:
    """'pdf' | 'docx' | 'html' | 'text' from the content first, the extension second."""
    ext = os.path.splitext(name)[1].lower()
    head = data[:1024]
    if head.startswith(b"%PDF-") or b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as e:
            raise ReadError(f"a damaged ZIP archive ({e}); not a readable .docx") from e
        if "word/document.xml" in names:
            return "docx"
        raise ReadError("a ZIP archive that is not a Word .docx document (unsupported)")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ReadError("a legacy Office file (.doc/.xls, OLE format): not supported; save it as .docx")
    if ext == ".pdf":
        raise ReadError(f"named .pdf but not a PDF (starts with {data[:8]!r})")
    if ext == ".docx":
        raise ReadError(f"named .docx but not a Word document (starts with {data[:8]!r})")
    if ext == ".doc":
        raise ReadError("legacy .doc files are not supported; save it as .docx")
    if ext in HTML_EXTS:
        return "html"
    return "text"


def _looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


# --- plain text -------------------------------------------------------------------------------
def _plausible_ratio(text: str) -> float:
    """Share of characters that Chinese report text is made of (CJK, punctuation, ASCII)."""
    if not text:
        return 0.0
    ok = 0
    for ch in text:
        o = ord(ch)
        if (0x20 <= o < 0x7F or ch in "\t\r\n" or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
                or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F or 0x3400 <= o <= 0x4DBF):
            ok += 1
    return ok / len(text)


def _control_ratio(text: str) -> float:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f\x0b\x1a\x1b")
    return bad / max(1, len(text))


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a byte order mark -> (text, encoding): ASCII (digits, newlines) leaves NULs on
    one side. Both byte orders are tried when the NULs do not settle it (a hanzi like 开, U+5F00, puts
    its NUL on the other side), and the one that reads as text wins."""
    if len(data) % 2 or len(data) < 4:
        return None
    sample = data[:8192]
    pairs = len(sample) // 2
    nul_even = sum(1 for i in range(0, len(sample), 2) if sample[i] == 0)
    nul_odd = sum(1 for i in range(1, len(sample), 2) if sample[i] == 0)
    # Without NULs there is no evidence: other double-byte encodings decode as plausible UTF-16 too.
    if max(nul_even, nul_odd) < max(1, pairs * 0.01):
        return None
    order = ["utf-16-le", "utf-16-be"] if nul_odd >= nul_even else ["utf-16-be", "utf-16-le"]
    best: tuple[float, str, str] | None = None
    for enc in order:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _control_ratio(text) >= 0.001:
            continue
        score = _plausible_ratio(text[:4096])
        if score >= 0.95 and (best is None or score > best[0]):
            best = (score, text, enc)
    return (best[1], best[2]) if best else None


def decode_text(data: bytes) -> tuple[str, str, list[str]]:
    """Bytes -> (text, encoding, warnings). A doubtful guess is decoded but reported in warnings."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", ""), []  # the codec drops one BOM
            except UnicodeDecodeError as e:
                raise ReadError(f"starts with a {enc} byte order mark but does not decode as {enc}: {e}") from e
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if _control_ratio(text) > 0.01 or "\x00" in text:
            found = _utf16_without_bom(data)
            if found is not None:
                return found[0], found[1], []
            raise ReadError("binary data, not text (control characters / NUL bytes)")
        return text, "utf-8", []
    found = _utf16_without_bom(data)
    if found is not None:
        return found[0], found[1], []
    if data.count(0) > len(data) * 0.01:
        raise ReadError("binary data, not text (NUL bytes and no text encoding fits)")
    return _guess_legacy(data)


def _guess_legacy(data: bytes) -> tuple[str, str, list[str]]:
    """GBK / GB18030 / Big5 and other single-guess encodings, through charset-normalizer."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    gb_text: str | None
    try:
        gb_text = data.decode("gb18030")
    except UnicodeDecodeError:
        gb_text = None
    if best is None:
        if gb_text is not None and _plausible_ratio(gb_text) > 0.9:
            return gb_text, "gb18030", ["encoding guessed as gb18030 (charset-normalizer found no fit); "
                                        "check the text"]
        raise ReadError("binary data or an unknown text encoding (no encoding fits)")
    enc = best.encoding.lower()
    warnings: list[str] = []
    if enc in _GB_FAMILY and gb_text is not None:
        text, enc = gb_text, "gb18030"
    else:
        text = str(best)
    doubtful = []
    if enc not in _CHINESE_OK:
        # A GB18030 decode that reads as clean Chinese beats a guess of a non-Chinese code page.
        # The share is taken over the non-ASCII characters: a table of digits is mostly ASCII.
        if gb_text is not None and _plausible_ratio(gb_text) >= 0.98 and _cjk_share(gb_text) > 0.9:
            text, enc = gb_text, "gb18030"
            doubtful.append(f"charset-normalizer guessed {best.encoding}")
        else:
            doubtful.append("not an encoding used for Chinese text")
    if best.chaos > 0.1:
        doubtful.append(f"{best.chaos:.0%} of the text looks garbled")
    if _control_ratio(text) > 0.01:
        raise ReadError(f"binary data, not text (decoding as {enc} gives control characters)")
    if doubtful:
        warnings.append(f"encoding guessed as {enc} (doubtful: {'; '.join(doubtful)}); check the text")
    return text, enc, warnings


def _cjk_share(text: str) -> float:
    """Share of CJK ideographs and CJK punctuation among the non-ASCII characters."""
    wide = [ch for ch in text if ord(ch) >= 0x80]
    cjk = sum(1 for ch in wide if 0x4E00 <= ord(ch) <= 0x9FFF or 0x3000 <= ord(ch) <= 0x303F
              or 0xFF00 <= ord(ch) <= 0xFFEF)
    return cjk / max(1, len(wide))


# --- shared layout helpers --------------------------------------------------------------------
_ASCII_WORD = re.compile(r"[A-Za-z]")


def join_broken(parts: list[str]) -> str:
    """Rejoin pieces of one cell or paragraph that a line break split: Chinese and digits join
    directly (a break inside 296549 or 政府信息 is layout, not a space)."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        # Latin prose wraps at spaces (the space is lost at the break); a URL or an e-mail address in
        # Chinese text wraps anywhere, so only put a space back after a line that has spaces itself.
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(part[0]) and " " in out[-30:]:
            out += " "
        out += part
    return out


def table_row_line(cells: list[str]) -> str:
    """One table row as one line, cells separated by ` | `. Blank cells inside the row stay (as empty
    strings, so later cells keep their place); blank cells at its end are dropped: a rectangular grid
    pads short rows with them, and they carry nothing (a blank cell is null either way)."""
    tidy = [re.sub(r"\s+", " ", c).strip() for c in cells]
    while tidy and not tidy[-1]:
        tidy.pop()
    return " | ".join(tidy)


def _tidy_lines(lines: list[str]) -> str:
    out = []
    for line in lines:
        line = re.sub(r"[ \t\f\v\xa0]+", " ", line).strip()
        if line:
            out.append(line)
    return "\n".join(out)


# --- HTML -------------------------------------------------------------------------------------
_HTML_DROP = ("script", "style", "noscript", "template", "svg", "iframe", "nav", "select", "button",
              "object", "embed", "canvas", "map", "input", "textarea")
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section", "summary", "ul", "tr", "table",
})
_NAV_TOKEN = re.compile(r"(^|[-_])(nav|navbar|navigation|menu|breadcrumbs?|crumbs?|skip-?link)([-_]|$)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """A page's declared charset wins when it decodes cleanly; otherwise detect as for text."""
    if not any(data.startswith(b) for b, _ in _BOMS):
        m = _META_CHARSET.search(data[:4096])
        if m:
            declared = m.group(1).decode("ascii", "replace").lower()
            enc = "gb18030" if declared.replace("-", "") in {"gb2312", "gbk", "gb18030", "cp936"} else declared
            try:
                return data.decode(enc), enc, []
            except (LookupError, UnicodeDecodeError):
                text, found, warnings = decode_text(data)
                return text, found, [f"the page declares charset {declared} but is not; decoded as {found}",
                                     *warnings]
    return decode_text(data)


def _is_nav(el: Any) -> bool:
    if el.get("role", "").lower() == "navigation":
        return True
    tokens = [*(el.get("class") or "").split(), el.get("id") or ""]
    if not any(_NAV_TOKEN.search(t) for t in tokens if t):
        return False
    # Never drop what holds the report: a table, or a lot of text.
    return el.find(".//table") is None and len(el.text_content()) < 2000


def _with_title(body: str, title: str) -> str:
    """The page's text with its <title> as the first line, unless the text already holds it."""
    title = _tidy_lines(title.split("\n")).replace("\n", " ")
    if title and title not in body:
        return f"{title}\n{body}" if body else title
    return body


def _parse_html(text: str) -> Any:
    """The page's tree, or None when libxml2 gave up on its nesting."""
    from lxml import etree
    from lxml import html as lhtml

    try:
        # huge_tree: without it libxml2 stops at 255 levels and silently drops the rest of the page
        return lhtml.document_fromstring(text, parser=lhtml.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError) as e:
        if "empty" not in str(e).lower():
            raise ReadError(f"not parseable as HTML: {e}") from e
        return None  # libxml2 gave up on the nesting: the flat reader keeps the text


def _drop_debris(root: Any) -> None:
    """Comments, scripts, styles, the head and navigation out of the tree (the text after each kept)."""
    from lxml import etree

    # drop_tree keeps the tail text that follows a dropped element
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction, *_HTML_DROP, "head")):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.getparent() is not None and _is_nav(el):
            el.drop_tree()


def html_to_text(data: bytes | str) -> ReadResult:
    """Main text of a page: scripts, styles and navigation dropped; one block per line; each table
    row on one line with cells joined by ` | ` (one entry per <td>/<th>; colspan/rowspan not expanded)."""
    if isinstance(data, bytes):
        text, encoding, warnings = _decode_html(data)
    else:
        text, encoding, warnings = data, None, []
    text = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1)
    text = text.replace("\x00", "")
    if not text.strip():
        raise ReadError("no text in this html input (only whitespace)")
    root = _parse_html(text)
    depth = _tree_depth(root) if root is not None else HTML_MAX_DEPTH + 1
    if depth > HTML_MAX_DEPTH:
        # libxml2 cuts a tree at 2,048 levels even with huge_tree, and the walk below recurses per
        # level: a page this deep is read flat (every text node, in order) instead.
        return _flat_html_text(text, encoding, [
            *warnings, f"the page nests elements more than {HTML_MAX_DEPTH} levels deep; read without its "
            "tree (all text kept, but navigation menus are not removed and layout tables are read as tables)"])
    title = (root.findtext(".//title") or "").strip()
    _drop_debris(root)
    pieces: list[str] = []
    _walk_html(root, pieces, pre=False)
    body = _tidy_lines("".join(pieces).split("\n"))
    return ReadResult(_with_title(body, title), "html", encoding, warnings)


HTML_MAX_DEPTH = 800  # below both libxml2's huge_tree cap (2,048) and Python's recursion limit (1,000)


def _tree_depth(root: Any) -> int:
    from lxml import etree

    depth = deepest = 0
    for event, _el in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


class _FlatHtml(HTMLParser):
    """The text of a page from the parser's events: no tree, so no depth limit (see _flat_html_text)."""

    SKIP = frozenset({*_HTML_DROP, "head"} - {"nav", "select", "button", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.title: list[str] = []
        self.in_title = False

    def _sink(self) -> list[str]:
        """Where text goes: the open table cell, else the page."""
        return self.cell if self.cell is not None else self.out

    def _end_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.append(join_broken("".join(self.cell).split("\n")))
        self.cell = None

    def end_row(self) -> None:
        self._end_cell()
        if self.row is not None and any(c.strip() for c in self.row):
            self.out.append("\n" + table_row_line(self.row) + "\n")
        self.row = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skip.append(tag)
        elif tag == "title":
            self.in_title = True
        elif tag == "tr":
            self.end_row()
            self.row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:
                self.row = []
            self.cell = []
        elif tag == "br" or tag in _BLOCK_TAGS:
            self._sink().append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skip and tag == self.skip[-1]:
            self.skip.pop()
        elif tag == "title":
            self.in_title = False
        elif tag in ("tr", "table"):
            self.end_row()
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag in _BLOCK_TAGS:
            self._sink().append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self._sink().append(_html_space(data, False))


def _flat_html_text(text: str, encoding: str | None, warnings: list[str]) -> ReadResult:
    """Text of a page without building its tree (stdlib event parser: no depth limit). Block tags
    start lines, table rows become `a | b | c` lines, scripts, styles and the head are skipped."""
    parser = _FlatHtml()
    parser.feed(text)
    parser.close()
    parser.end_row()
    body = _tidy_lines("".join(parser.out).split("\n"))
    return ReadResult(_with_title(body, "".join(parser.title)), "html", encoding, warnings)


def _walk_html(el: Any, out: list[str], pre: bool) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    tag = tag.lower()
    if tag == "br":
        out.append("\n")
        return
    if tag == "table" and not _is_layout_table(el):
        out.append("\n")
        for row in _html_table_rows(el):
            out.append(row + "\n")
        return
    if tag in ("table", "td", "th"):  # a layout table: its cells are blocks of page content
        out.append("\n")
    pre = pre or tag in ("pre", "textarea")
    block = tag in _BLOCK_TAGS
    if block:
        out.append("\n")
    if el.text:
        out.append(_html_space(el.text, pre))
    for child in el:
        _walk_html(child, out, pre)
        if child.tail:
            out.append(_html_space(child.tail, pre))
    if block:
        out.append("\n")


def _html_space(s: str, pre: bool) -> str:
    s = s.replace("\xa0", " ")
    return s if pre else re.sub(r"[ \t\r\n\f]+", " ", s)


def _is_layout_table(table: Any) -> bool:
    """Old government sites lay whole pages out with tables: a table holding another table, or a cell
    holding paragraphs of text, is page structure, not one of the report's tables."""
    if table.find(".//table") is not None:
        return True
    return any(len(cell.text_content()) > 300 for cell in table.iter("td", "th"))


def _html_table_rows(table: Any) -> list[str]:
    rows: list[str] = []
    caption = table.find("caption")
    if caption is not None:
        rows.append(re.sub(r"\s+", " ", caption.text_content()).strip())
    trs = [tr for tr in table.iter("tr") if _owning_table(tr) is table]
    for tr in trs:
        cells = []
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            parts: list[str] = []
            _walk_html(cell, parts, pre=False)
            cells.append(join_broken("".join(parts).split("\n")))
        if any(c.strip() for c in cells):
            rows.append(table_row_line(cells))
    return [r for r in rows if r]


def _owning_table(tr: Any) -> Any:
    node = tr.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


# --- PDF --------------------------------------------------------------------------------------
_SENTENCE_END = tuple("。！？；：!?;:…）)」』")


def pdf_to_text(data: bytes) -> ReadResult:
    """Text layer of a PDF. Ruled tables come out one row per line (cells whose text wrapped inside the
    cell are rejoined); a paragraph line that runs to the right margin is joined to the next one.

    Read with PDFium (pypdfium2); the layout rules are pdfplumber's (see pdf_layout)."""
    import pypdfium2 as pdfium  # lazy: only a PDF needs PDFium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ReadError("the PDF is password-protected") from e
        raise ReadError(f"not a readable PDF ({type(e).__name__}: {e})") from e
    lines: list[str] = []
    n_chars = n_images = 0
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                layout = pdf_layout.read_page(page)
            finally:
                page.close()
            n_chars += len(layout.chars)
            n_images += layout.images
            if layout.chars:
                lines.extend(_pdf_page_lines(layout))
    except ReadError:
        raise
    except Exception as e:  # a damaged page stream: report it, never crash the batch
        raise ReadError(f"PDF could not be read ({type(e).__name__}: {e})") from e
    finally:
        pdf.close()
    if n_chars == 0:
        if n_images:
            raise ReadError("PDF has no text layer (scanned pages, images only): run OCR on it first")
        raise ReadError("PDF has no text")
    return ReadResult(_tidy_lines(lines), "pdf")


def _page_tables(page: Any) -> list[Any]:
    """The page's tables of two columns or more (a frame drawn round the page or a paragraph is a
    one-column "table": that stays text)."""
    try:
        tables = pdf_layout.find_tables(page)
    except Exception:  # table finding is a refinement; plain lines still work
        return []
    return [t for t in tables if max((len(r) for r in t.extract()), default=0) >= 2]


def _text_lines(page: Any, tables: list[Any]) -> list[dict[str, Any]]:
    """The page's text lines outside its tables."""
    boxes = [t.bbox for t in tables]
    if not boxes:
        return pdf_layout.text_lines(page.chars)

    def outside(ch: dict[str, Any]) -> bool:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    return pdf_layout.text_lines([ch for ch in page.chars if outside(ch)])


def _table_lines(table: Any) -> list[str]:
    """One `a | b | c` line per row holding any text."""
    out = []
    for row in table.extract():
        cells = [join_broken((c or "").split("\n")) for c in row]
        if any(cells):
            out.append(table_row_line(cells))
    return out


def _pdf_page_lines(page: Any) -> list[str]:
    tables = _page_tables(page)
    text_lines = _text_lines(page, tables)
    items: list[tuple[float, str, Any]] = [(ln["top"], "line", ln) for ln in text_lines]
    items += [(t.bbox[1], "table", t) for t in tables]
    items.sort(key=lambda it: it[0])
    right = max((ln["x1"] for ln in text_lines), default=page.width)
    out: list[str] = []
    para: list[str] = []  # lines of a paragraph wrapped at the right margin, joined when it ends
    for i, (_, kind, obj) in enumerate(items):
        if kind == "table":
            if para:
                out.append(join_broken(para))
                para = []
            out += _table_lines(obj)
            continue
        text = obj["text"].strip()
        para.append(text)
        size = max(1.0, obj["bottom"] - obj["top"])
        nxt = items[i + 1] if i + 1 < len(items) else None
        wrapped = (obj["x1"] >= right - 1.5 * size and not text.endswith(_SENTENCE_END)
                   and nxt is not None and nxt[1] == "line")
        if not wrapped:
            out.append(join_broken(para))
            para = []
    if para:
        out.append(join_broken(para))
    return out


# --- DOCX -------------------------------------------------------------------------------------
def docx_to_text(data: bytes) -> ReadResult:
    """Paragraphs and tables of a .docx in document order; each table row on one line."""
    import docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises KeyError/ValueError/PackageNotFoundError for bad files
        raise ReadError(f"not a readable .docx ({type(e).__name__}: {e})") from e
    lines: list[str] = []

    def walk(container: Any) -> None:
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                lines.append(Paragraph(child, document).text)
            elif child.tag == qn("w:tbl"):
                lines.extend(_docx_table_rows(child, document))
            elif child.tag == qn("w:sdt"):  # content controls wrap ordinary paragraphs and tables
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    walk(content)

    try:
        walk(document.element.body)
    except Exception as e:
        raise ReadError(f".docx content could not be read ({type(e).__name__}: {e})") from e
    return ReadResult(_tidy_lines(lines), "docx")


def _docx_table_rows(tbl: Any, document: Any) -> list[str]:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        cells = []
        for tc in tr.iterchildren(qn("w:tc")):
            vmerge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            if vmerge is not None and vmerge.get(qn("w:val")) in (None, "continue"):
                cells.append("")  # the lower part of a vertically merged cell: shown blank
                continue
            paras = [Paragraph(p, document).text for p in tc.iter(qn("w:p"))]
            cells.append(join_broken(paras))
        if any(c.strip() for c in cells):
            rows.append(table_row_line(cells))
    return rows
