"""PDF page -> characters, ruling lines, text lines and ruled tables, on PDFium (pypdfium2).

PDFium (C) reads a page's text and drawing ~10x faster than pdfminer.six (pure Python), which
pdfplumber used to do it here. The layout rules are pdfplumber 0.11's, ported so that a PDF reads to
the same text as before (checked byte for byte on the project's PDF fixtures): characters get
pdfminer's boxes (left edge at the origin, the advance width wide, `size` high from the font's
descent); text lines and words use pdfplumber's clustering with x/y tolerances of 3 pt; tables are
pdfplumber's "lines" strategy (ruling edges from rectangles, lines and curves, snapped and joined
within 3 pt, cells from their intersections) and a cell's text is pdfplumber's `extract_text`.
Coordinates are pdfplumber's: points from the top-left corner of the page as displayed.
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

X_TOL = Y_TOL = 3  # pdfplumber's text tolerances
SNAP = JOIN = INTERSECT = 3  # pdfplumber's table settings
EDGE_MIN_PREFILTER, EDGE_MIN = 1, 3
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}

Obj = dict[str, Any]
BBox = tuple[float, float, float, float]


@dataclass
class PdfPage:
    width: float
    height: float
    chars: list[Obj] = field(default_factory=list)
    edges: list[Obj] = field(default_factory=list)
    images: int = 0


# --- reading a page with PDFium ----------------------------------------------------------------
def _rotation_ctm(rotation: int, box: tuple[float, float, float, float]) -> tuple[float, ...]:
    """pdfminer's page matrix for a rotated page (the page as displayed). Unrotated pages keep the
    file's own coordinates: pdfplumber adds back the media box offset that pdfminer takes off."""
    x0, y0, x1, y1 = box
    return {90: (0, -1, 1, 0, -y0, x1), 180: (-1, 0, 0, -1, x1, y1),
            270: (0, 1, -1, 0, y1, -x0)}.get(rotation, (1, 0, 0, 1, 0, 0))


def _mult(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    a1, b1, c1, d1, e1, f1 = m
    a0, b0, c0, d0, e0, f0 = n
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def read_page(page: Any) -> PdfPage:
    import pypdfium2.raw as pdfium_c  # lazy: importing this module (readers does) loads no PDFium

    rotation = page.get_rotation() % 360
    box = tuple(page.get_mediabox())
    ctm = _rotation_ctm(rotation, box)  # type: ignore[arg-type]
    w, h = box[2] - box[0], box[3] - box[1]
    if rotation in (90, 270):
        w, h = h, w
    out = PdfPage(w, h)
    textpage = page.get_textpage()
    try:
        out.chars = _page_chars(pdfium_c, textpage, ctm, h)
    finally:
        textpage.close()
    _walk_objects(pdfium_c, page, ctm, h, out)
    return out


def _page_chars(c: Any, textpage: Any, ctm: tuple[float, ...], height: float) -> list[Obj]:
    chars = []
    rect, matrix = c.FS_RECTF(), c.FS_MATRIX()
    rotated_page = ctm[1] != 0 or ctm[0] < 0
    for i in range(c.FPDFText_CountChars(textpage)):
        if c.FPDFText_IsGenerated(textpage, i):  # a space or line break PDFium inferred: not in the file
            continue
        code = c.FPDFText_GetUnicode(textpage, i)
        if not code:
            continue
        c.FPDFText_GetLooseCharBox(textpage, i, rect)
        c.FPDFText_GetMatrix(textpage, i, matrix)
        size = c.FPDFText_GetFontSize(textpage, i)
        left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
        m = (matrix.a, matrix.b, matrix.c, matrix.d)
        if m[1] == 0 and m[2] == 0 and m[0] > 0 and m[3] > 0:
            top = bottom + size * m[3]  # pdfminer: the box is the font size high, from the descent up
        if rotated_page:
            m = _mult((*m, 0, 0), ctm)[:4]
            (x0, y0), (x1, y1) = _apply(ctm, left, bottom), _apply(ctm, right, top)
            left, right, bottom, top = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
        chars.append({"text": chr(code), "x0": left, "x1": right, "top": height - top,
                      "bottom": height - bottom, "upright": 0 < m[0] * m[3] and m[1] * m[2] <= 0,
                      "size": size})
    return chars


def _walk_objects(c: Any, parent: Any, ctm: tuple[float, ...], height: float, out: PdfPage,
                  form: bool = False) -> None:
    count = c.FPDFFormObj_CountObjects(parent) if form else c.FPDFPage_CountObjects(parent)
    get = c.FPDFFormObj_GetObject if form else c.FPDFPage_GetObject
    for i in range(count):
        obj = get(parent, i)
        kind = c.FPDFPageObj_GetType(obj)
        if kind == c.FPDF_PAGEOBJ_IMAGE:
            out.images += 1
        elif kind == c.FPDF_PAGEOBJ_PATH:
            out.edges += _path_edges(c, obj, ctm, height)
        elif kind == c.FPDF_PAGEOBJ_FORM:  # a form XObject: its objects are in its own space
            _walk_objects(c, obj, _mult(_object_matrix(c, obj), ctm), height, out, form=True)


def _path_segments(c: Any, obj: Any) -> list[tuple[str, float, float]]:
    """The path as pdfminer sees it: ("m" | "l" | "c" | "h", x, y) in the object's space."""
    segs: list[tuple[str, float, float]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    pending_curve = 0
    for s in range(c.FPDFPath_CountSegments(obj)):
        seg = c.FPDFPath_GetPathSegment(obj, s)
        c.FPDFPathSegment_GetPoint(seg, x, y)
        kind = c.FPDFPathSegment_GetType(seg)
        if kind == c.FPDF_SEGMENT_BEZIERTO:  # PDFium gives a curve's two control points and end apart
            pending_curve += 1
            if pending_curve == 3:
                segs.append(("c", x.value, y.value))
                pending_curve = 0
        else:
            segs.append(("m" if kind == c.FPDF_SEGMENT_MOVETO else "l", x.value, y.value))
        if c.FPDFPathSegment_GetClose(seg):
            segs.append(("h", x.value, y.value))
    return segs


def _object_matrix(c: Any, obj: Any) -> tuple[float, ...]:
    matrix = c.FS_MATRIX()
    c.FPDFPageObj_GetMatrix(obj, matrix)
    return (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)


def _path_edges(c: Any, obj: Any, ctm: tuple[float, ...], height: float) -> list[Obj]:
    m = _mult(_object_matrix(c, obj), ctm)
    segs = _path_segments(c, obj)
    edges: list[Obj] = []
    starts = [i for i, s in enumerate(segs) if s[0] == "m"]
    for j, start in enumerate(starts):  # one subpath at a time, as pdfminer paints them
        sub = segs[start:starts[j + 1] if j + 1 < len(starts) else len(segs)]
        edges += _subpath_edges(sub, m, height)
    return edges


def _subpath_edges(sub: list[tuple[str, float, float]], m: tuple[float, ...], height: float) -> list[Obj]:
    shape = "".join(s[0] for s in sub)
    pts = [_apply(m, sub[0][1], sub[0][2]) if s[0] == "h" else _apply(m, s[1], s[2]) for s in sub]
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        return [_line_edge(pts[0], pts[1], height)]
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if pts[0] == pts[4] and square:
            return _rect_edges(pts[0], pts[2], height)
    flipped = [(x, height - y) for x, y in pts]
    return [_segment_edge(p0, p1) for p0, p1 in itertools.pairwise(flipped)]


def _line_edge(p0: tuple[float, float], p1: tuple[float, float], height: float) -> Obj:
    x0, x1 = min(p0[0], p1[0]), max(p0[0], p1[0])
    top, bottom = height - max(p0[1], p1[1]), height - min(p0[1], p1[1])
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": "h" if top == bottom else "v"}


def _rect_edges(p0: tuple[float, float], p2: tuple[float, float], height: float) -> list[Obj]:
    x0, x1 = min(p0[0], p2[0]), max(p0[0], p2[0])
    top, bottom = height - max(p0[1], p2[1]), height - min(p0[1], p2[1])
    w, h = x1 - x0, bottom - top
    return [{"x0": x0, "x1": x1, "top": top, "bottom": top, "width": w, "height": 0, "orientation": "h"},
            {"x0": x0, "x1": x1, "top": top + h, "bottom": bottom, "width": w, "height": 0, "orientation": "h"},
            {"x0": x0, "x1": x0, "top": top, "bottom": bottom, "width": 0, "height": h, "orientation": "v"},
            {"x0": x1, "x1": x1, "top": top, "bottom": bottom, "width": 0, "height": h, "orientation": "v"}]


def _segment_edge(p0: tuple[float, float], p1: tuple[float, float]) -> Obj:
    return {"x0": min(p0[0], p1[0]), "x1": max(p0[0], p1[0]), "top": min(p0[1], p1[1]),
            "bottom": max(p0[1], p1[1]), "width": abs(p0[0] - p1[0]), "height": abs(p0[1] - p1[1]),
            "orientation": "v" if p0[0] == p1[0] else ("h" if p0[1] == p1[1] else None)}


# --- clustering (pdfplumber.utils.clustering) ----------------------------------------------------
def cluster_list(xs: list[float], tolerance: float) -> list[list[float]]:
    xs = sorted(xs)
    if tolerance == 0 or len(xs) < 2:
        return [[x] for x in xs]
    groups, current, last = [], [xs[0]], xs[0]
    for x in xs[1:]:
        if x <= last + tolerance:
            current.append(x)
        else:
            groups.append(current)
            current = [x]
        last = x
    groups.append(current)
    return groups


def cluster_objects(xs: list[Any], key: Callable[[Any], float], tolerance: float,
                    preserve_order: bool = False) -> list[list[Any]]:
    ids = {v: i for i, group in enumerate(cluster_list(list(set(map(key, xs))), tolerance)) for v in group}
    tagged = [(x, ids[key(x)]) for x in xs]
    if not preserve_order:
        tagged.sort(key=itemgetter(1))
    return [[x for x, _ in grp] for _, grp in itertools.groupby(tagged, key=itemgetter(1))]


def objects_to_bbox(objs: Iterable[Obj]) -> BBox:
    objs = list(objs)
    return (min(o["x0"] for o in objs), min(o["top"] for o in objs),
            max(o["x1"] for o in objs), max(o["bottom"] for o in objs))


# --- words and text lines (pdfplumber.utils.text, layout=False) -----------------------------------
_LINE_KEY = {"ttb": itemgetter("top"), "ltr": itemgetter("x0")}
_CHAR_SORT = {"ltr": lambda ch: (ch["x0"], ch["x0"]), "ttb": lambda ch: (ch["top"], ch["bottom"])}


def _begins_new_word(prev: Obj, cur: Obj, direction: str) -> bool:
    if direction == "ltr":
        ax, bx, cx, ay, cy, x, y = prev["x0"], prev["x1"], cur["x0"], prev["top"], cur["top"], X_TOL, Y_TOL
    else:  # "ttb": text rotated a quarter turn
        ax, bx, cx, ay, cy, x, y = prev["top"], prev["bottom"], cur["top"], prev["x0"], cur["x0"], Y_TOL, X_TOL
    return cx < ax or cx > bx + x or abs(cy - ay) > y


def _line_words(line: list[Obj], direction: str) -> Iterable[list[Obj]]:
    word: list[Obj] = []
    for ch in line:
        if ch["text"].isspace():
            if word:
                yield word
            word = []
        elif word and _begins_new_word(word[-1], ch, direction):
            yield word
            word = [ch]
        else:
            word.append(ch)
    if word:
        yield word


def words(chars: list[Obj]) -> list[tuple[Obj, list[Obj]]]:
    """(word, its chars) in pdfplumber's order: runs of equal uprightness, lines, left to right."""
    out = []
    for upright, run in itertools.groupby(chars, key=itemgetter("upright")):
        line_dir, char_dir = ("ttb", "ltr") if upright else ("ltr", "ttb")
        tol = Y_TOL if line_dir == "ttb" else X_TOL
        for line in cluster_objects(list(run), _LINE_KEY[line_dir], tol):
            for wchars in _line_words(sorted(line, key=_CHAR_SORT[char_dir]), char_dir):
                x0, top, x1, bottom = objects_to_bbox(wchars)
                text = "".join(LIGATURES.get(ch["text"], ch["text"]) for ch in wchars)
                out.append(({"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom}, wchars))
    return out


def text_lines(chars: list[Obj]) -> list[Obj]:
    """pdfplumber's `extract_text_lines()`: text (words joined by a space) and bbox of each line."""
    lines = []
    for line in cluster_objects(words(chars), lambda t: t[0]["top"], Y_TOL, preserve_order=True):
        line_chars = [ch for _, wchars in line for ch in wchars]
        x0, top, x1, bottom = objects_to_bbox(line_chars)
        lines.append({"text": " ".join(w["text"] for w, _ in line), "x0": x0, "top": top, "x1": x1,
                      "bottom": bottom})
    return lines


def extract_text(chars: list[Obj]) -> str:
    """pdfplumber's `extract_text()` without layout (a table cell's text)."""
    ws = [w for w, _ in words(chars)]
    return "\n".join(" ".join(w["text"] for w in line) for line in cluster_objects(ws, itemgetter("top"), Y_TOL))


# --- ruled tables (pdfplumber.table, "lines" strategy) --------------------------------------------
def _snap(objs: list[Obj], attr: str, tolerance: float) -> list[Obj]:
    moved = []
    keys = ("x0", "x1") if attr == "x0" else ("top", "bottom")
    for cluster in cluster_objects(objs, itemgetter(attr), tolerance):
        avg = sum(o[attr] for o in cluster) / len(cluster)
        for o in cluster:
            d = avg - o[attr]
            moved.append({**o, keys[0]: o[keys[0]] + d, keys[1]: o[keys[1]] + d})
    return moved


def _join_group(edges: Iterable[Obj], orientation: str) -> list[Obj]:
    lo, hi, size = ("x0", "x1", "width") if orientation == "h" else ("top", "bottom", "height")
    ordered = sorted(edges, key=itemgetter(lo))
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if e[lo] <= last[hi] + JOIN:
            if e[hi] > last[hi]:
                joined[-1] = {**last, hi: e[hi], size: last[size] + (e[hi] - last[hi])}
        else:
            joined.append(e)
    return joined


def _table_edges(edges: list[Obj]) -> list[Obj]:
    def length(e: Obj) -> float:
        return e["height"] if e["orientation"] == "v" else e["width"]

    v = [e for e in edges if e["orientation"] == "v" and length(e) >= EDGE_MIN_PREFILTER]
    h = [e for e in edges if e["orientation"] == "h" and length(e) >= EDGE_MIN_PREFILTER]
    snapped = _snap(v, "x0", SNAP) + _snap(h, "top", SNAP)

    def group(e: Obj) -> tuple[str, float]:
        return ("h", e["top"]) if e["orientation"] == "h" else ("v", e["x0"])

    merged = [e for k, items in itertools.groupby(sorted(snapped, key=group), key=group)
              for e in _join_group(items, k[0])]
    return [e for e in merged if length(e) >= EDGE_MIN]


def _intersections(edges: list[Obj]) -> dict[tuple[float, float], dict[str, list[BBox]]]:
    v_edges = sorted((e for e in edges if e["orientation"] == "v"), key=itemgetter("x0", "top"))
    h_edges = sorted((e for e in edges if e["orientation"] == "h"), key=itemgetter("top", "x0"))
    found: dict[tuple[float, float], dict[str, list[BBox]]] = {}
    t = INTERSECT
    for v in v_edges:
        for h in h_edges:
            if v["top"] <= h["top"] + t and v["bottom"] >= h["top"] - t and h["x0"] - t <= v["x0"] <= h["x1"] + t:
                at = found.setdefault((v["x0"], h["top"]), {"v": [], "h": []})
                at["v"].append((v["x0"], v["top"], v["x1"], v["bottom"]))
                at["h"].append((h["x0"], h["top"], h["x1"], h["bottom"]))
    return found


def _cells(found: dict[tuple[float, float], dict[str, list[BBox]]]) -> list[BBox]:
    """pdfplumber's `intersections_to_cells`: for each point, the smallest cell it is the top-left of."""
    v_sets = {p: set(e["v"]) for p, e in found.items()}
    h_sets = {p: set(e["h"]) for p, e in found.items()}

    def connects(p1: tuple[float, float], p2: tuple[float, float]) -> bool:
        return ((p1[0] == p2[0] and not v_sets[p1].isdisjoint(v_sets[p2]))
                or (p1[1] == p2[1] and not h_sets[p1].isdisjoint(h_sets[p2])))

    points = sorted(found)
    below_of: dict[float, list[tuple[float, float]]] = {}
    right_of: dict[float, list[tuple[float, float]]] = {}
    for p in points:  # sorted, so each list is in the order pdfplumber scans `rest`
        below_of.setdefault(p[0], []).append(p)
        right_of.setdefault(p[1], []).append(p)
    cells = []
    for pt in points[:-1]:
        below = [q for q in below_of[pt[0]] if q > pt]
        right = [q for q in right_of[pt[1]] if q > pt]
        cell = _smallest_cell(pt, below, right, found, connects)
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(pt: tuple[float, float], below: list[tuple[float, float]], right: list[tuple[float, float]],
                   found: dict[tuple[float, float], Any], connects: Callable[..., bool]) -> BBox | None:
    right = [r for r in right if connects(pt, r)]
    for below_pt in below:
        if not connects(pt, below_pt):
            continue
        for right_pt in right:
            corner = (right_pt[0], below_pt[1])
            if corner in found and connects(corner, right_pt) and connects(corner, below_pt):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def _cells_to_tables(cells: list[BBox]) -> list[list[BBox]]:
    remaining = list(cells)
    corners: set[tuple[float, float]] = set()
    current: list[BBox] = []
    tables = []
    while remaining:
        before = len(current)
        for cell in list(remaining):
            x0, top, x1, bottom = cell
            cell_corners = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or any(c in corners for c in cell_corners):
                corners |= set(cell_corners)
                current.append(cell)
                remaining.remove(cell)
        if len(current) == before:
            tables.append(list(current))
            corners.clear()
            current.clear()
    if current:
        tables.append(list(current))
    return [t for t in sorted(tables, key=lambda t: min((c[1], c[0]) for c in t)) if len(t) > 1]


class Table:
    def __init__(self, centres: list[tuple[float, float, int, Obj]], cells: list[BBox]) -> None:
        self.centres = centres  # the page's chars as (vertical centre, horizontal centre, index, char), by v
        self.cells = cells
        self.bbox = (min(c[0] for c in cells), min(c[1] for c in cells),
                     max(c[2] for c in cells), max(c[3] for c in cells))
        self._text: list[list[str | None]] | None = None

    def rows(self) -> list[list[BBox | None]]:
        xs = sorted({c[0] for c in self.cells})
        rows = []
        for _, row_cells in itertools.groupby(sorted(self.cells, key=itemgetter(1, 0)), itemgetter(1)):
            by_x = {c[0]: c for c in row_cells}
            rows.append([by_x.get(x) for x in xs])
        return rows

    def extract(self) -> list[list[str | None]]:
        """Each row's cells' text (None where the grid has no cell): pdfplumber's `Table.extract()`, a
        char belonging to the cell its centre is in."""
        if self._text is None:
            self._text = [self._row_text(row) for row in self.rows()]
        return self._text

    def _row_text(self, row: list[BBox | None]) -> list[str | None]:
        present = [c for c in row if c is not None]
        x0, top = min(c[0] for c in present), min(c[1] for c in present)
        x1, bottom = max(c[2] for c in present), max(c[3] for c in present)
        lo = bisect.bisect_left(self.centres, top, key=itemgetter(0))
        hi = bisect.bisect_left(self.centres, bottom, key=itemgetter(0))
        row_chars = sorted((c for c in self.centres[lo:hi] if x0 <= c[1] < x1), key=itemgetter(2))
        return [None if cell is None else
                extract_text([c[3] for c in row_chars if cell[0] <= c[1] < cell[2] and cell[1] <= c[0] < cell[3]])
                for cell in row]


def find_tables(page: PdfPage) -> list[Table]:
    tables = _cells_to_tables(_cells(_intersections(_table_edges(page.edges))))
    if not tables:
        return []
    centres = sorted((((ch["top"] + ch["bottom"]) / 2, (ch["x0"] + ch["x1"]) / 2, i, ch)
                      for i, ch in enumerate(page.chars)), key=itemgetter(0))
    return [Table(centres, cells) for cells in tables]

