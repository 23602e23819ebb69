"""Layout analysis shared by all formats: meta lines, title, header band, column roles.

Government forms put a title, 表号/制表机关/批准文号 lines and 填报单位 above the table,
a multi-row merged header, then a 甲/乙/丙 or 1/2/3 column-number row and sometimes a
计量单位 or 汇总代码 row.  This module finds those parts so the field builders only see
the header band and the data region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .grid import Grid, clean, squash

META_KEYS = [
    "综合机关名称",
    "行政区划代码",
    "批准文号",
    "制表机关",
    "制定机关",
    "填报单位",
    "填报日期",
    "报出日期",
    "有效期至",
    "计量单位",
    "金额单位",
    "表号",
    "文号",
    "单位",
]
_META_RE = re.compile(
    "(" + "|".join(r"\s*".join(map(re.escape, k)) for k in META_KEYS) + r")\s*[：:]"
)
PLACE_WORDS = {
    "单位名称",
    "村名",
    "村名称",
    "村",
    "村居",
    "村(社区)",
    "村（社区）",
    "社区",
    "乡镇",
    "乡镇名称",
    "乡镇(街道)",
    "乡镇（街道）",
    "地区",
    "行政村",
    "姓名",
    "企业名称",
}
# Column headings that name the row: a place or person, or an indicator.
NAME_WORDS = PLACE_WORDS | {
    "指标名称",
    "指标",
    "项目",
    "名称",
    "指标名",
    "类别",
    "项目名称",
}
UNIT_WORDS = {"计量单位", "计量", "单位", "计算单位", "计量单位名称"}
CODE_WORDS = {"代码", "代", "码", "编号", "编码", "行次", "汇总代码", "代码总汇", "指标代码"}
SEQ_WORDS = {"序号", "序", "编号序号"}
MARKER_WORDS = {"甲", "乙", "丙", "丁", "戊", "己"}
FOOTER_PREFIXES = (
    "单位负责人",
    "负责人",
    "填表人",
    "填报人",
    "统计负责人",
    "审核人",
    "报出日期",
    "填报日期",
    "说明",
    "注：",
    "注:",
    "填表说明",
    "备注",
    "制表人",
    "联系电话",
)
_UNIT_BASE = (
    "人|户|个|元|亩|吨|头|只|匹|株|棵|台|辆|艘|套|眼|处|家|所|座|条|间|张|件|次|项|平方米|平方公里|"
    "公顷|公斤|千克|克|千瓦时|千瓦小时|千瓦|公里|千米|米|立方米|升|斤|担|羽|枝|盆|根|箱|床|册|份|"
    "万元|人次|年|月|天|小时|%|％|‰|kg|t|km|m2|m3|kwh|kw|ha"
)
_UNIT_RE = re.compile(rf"^(万|千|百|十|亿)?(?:{_UNIT_BASE})([/／](?:{_UNIT_BASE}|日|年))?$", re.I)
_BRACKET_UNIT_RE = re.compile(r"[（(]\s*(?:单位[：:]\s*)?([^（()）]{1,12})\s*[）)]\s*$")
_NUMBER_RE = re.compile(r"^[-+]?\d+(\.\d+)?%?$")
_LONG_RUN = 5  # consecutive column numbers no filled row plausibly holds
DASHES = {"—", "-", "－", "--", "——", "－－", "/", "×", "x", "X", "―", "…"}


def is_unit(text: str) -> bool:
    return bool(_UNIT_RE.match(squash(text)))


def split_unit(text: str) -> tuple[str, str]:
    """'乡村人口数（万人）' -> ('乡村人口数', '万人'); '(千公顷)' -> ('', '千公顷')."""
    m = _BRACKET_UNIT_RE.search(text)
    if m and is_unit(m.group(1)):
        return clean(text[: m.start()]), squash(m.group(1))
    return text, ""


def is_number(text: str) -> bool:
    return bool(_NUMBER_RE.match(squash(text)))


def is_dash(text: str) -> bool:
    t = squash(text)
    return not t or set(t) <= set("—-－―/×xX…")


def parse_meta(lines: list[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in lines:
        matches = list(_META_RE.finditer(line))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            key = squash(m.group(1))
            value = clean(line[m.end() : end])
            if value and key not in meta:
                meta[key] = value
    return meta


def row_line(grid: Grid, row: int) -> str:
    return "   ".join(t for _, t in grid.row_texts(row))


def is_meta_line(text: str) -> bool:
    return bool(_META_RE.search(text))


def find_title(grid: Grid, last_row: int) -> str:
    """The first line above the table that names the form.

    Why: users recognise a template by its title, so meta lines (表号：…), stray numbers
    and a letterhead naming only the issuing organisation (示范县民政局) are skipped.
    """
    lines = [t for r in range(1, max(last_row, 1)) for _, t in grid.row_texts(r)]
    for t in [*lines, *grid.before]:
        if not (
            is_meta_line(t) or re.fullmatch(r"[\d,.\s]+", t) or len(squash(t)) < 2 or is_org_name(t)
        ):
            return _tidy_title(t)
    return ""


def _tidy_title(text: str) -> str:
    if not re.search(r"[A-Za-z0-9]\s+[A-Za-z0-9]", text):
        return squash(text)
    return clean(text)


_ORG = r"[\u4e00-\u9fff（）()]{2,30}?(?:政府|委员会|办公室|局|委|办|厅|部|中心|站|所)"
_ORG_RE = re.compile(rf"^{_ORG}$")
_SIGNED_RE = re.compile(rf"({_ORG})(?:制|印发)\s*$")


def is_org_name(text: str) -> bool:
    """'示范县民政局': a line that only names an organisation is a letterhead, not a title."""
    return bool(_ORG_RE.match(squash(text)))


def find_issuer(meta: dict[str, str], lines: list[str], title: str = "") -> str:
    """Who sends the form down: its 制表机关, else a letterhead line above the title.

    ``lines`` are the texts above the table in reading order.  An organisation named
    below the title is usually the unit that fills the form in, so it is not used.
    """
    for key in ("制表机关", "制定机关"):
        if meta.get(key):
            return meta[key]
    return _letterhead(lines, title) or meta.get("填报单位") or _signed_by(lines)


def _signed_by(lines: list[str]) -> str:
    """'…局制' / '…局印发' at the end of a line."""
    for line in lines:
        m = _SIGNED_RE.search(line)
        if m:
            return m.group(1)
    return ""


def _letterhead(lines: list[str], title: str) -> str:
    """A line naming only an organisation, above the title (示范县民政局 / 2026年…统计表)."""
    for line in lines:
        if title and squash(title) in squash(line):
            break
        if is_org_name(line):
            return squash(line)
    return ""


def is_footer(text: str) -> bool:
    return squash(text).startswith(FOOTER_PREFIXES)


def _role_word(text: str) -> str | None:
    t = squash(text)
    if t in SEQ_WORDS:
        return "seq"
    if t in CODE_WORDS:
        return "code"
    if t in UNIT_WORDS:
        return "unit"
    if t in NAME_WORDS or t.startswith("指标名称"):
        return "name"
    return None


def find_header_row(grid: Grid, start: int = 1, limit: int = 40) -> int | None:
    for r in range(start, min(grid.nrows, start + limit) + 1):
        texts = grid.row_texts(r)
        if (
            len(texts) >= 2
            and any(_role_word(t) for _, t in texts)
            and not any(is_meta_line(t) for _, t in texts)
        ):
            return r
    return None


def marker_kind(grid: Grid, row: int, first_col: int) -> str | None:
    """'marker' for 甲/乙/1/2 rows, 'unit' for 计量单位 rows, 'code' for 汇总代码 rows.

    Why so careful: a marker row is skipped, so a data row taken for one is lost from
    harvest (the first village of a filled form has a name and numbers, like a marker).
    """
    texts = [(c, t) for c, t in grid.row_texts(row) if c >= first_col]
    if len(texts) < 2:
        return None
    label = squash(grid.text(row, first_col))
    body = [squash(t) for c, t in texts if c != first_col and not is_dash(t)]
    if not body:
        return None
    if label in MARKER_WORDS:
        return "marker"
    if all(t in MARKER_WORDS or is_number(t) for t in body):
        if label in CODE_WORDS or "代码" in label:
            return "code"  # codes need not run in order (林业表 repeats 52)
        if any(t in MARKER_WORDS for t in body) or _numbers_columns(label, body):
            return "marker"
    units = sum(1 for t in body if is_unit(t))
    if units >= max(2, 0.6 * len(body)):
        return "unit"
    return None


def _numbers_columns(label: str, body: list[str]) -> bool:
    """Whether an all-number row counts the columns (1 2 3 …) rather than holding data.

    Column numbers are whole, increasing and mostly consecutive (a continuation page
    starts at 28, a split table jumps 36 → 45).  A row label that names something
    (青山村, 本年) makes it data, unless the run is too long to be a coincidence: the
    2016 summary workbook has stray table-of-contents text in its label column.
    """
    if not all(t.isdecimal() for t in body):
        return False
    numbers = [int(t) for t in body]
    steps = [b - a for a, b in zip(numbers, numbers[1:], strict=False)]
    if any(step <= 0 for step in steps) or 2 * steps.count(1) < len(steps):
        return False
    unnamed = not label or label.isdecimal() or label in SEQ_WORDS or label in {"栏次", "列次"}
    return unnamed or len(numbers) >= _LONG_RUN


@dataclass
class Band:
    """The header band of one table segment and what follows it."""

    first: int
    last: int
    data_start: int
    label_col: int
    roles: dict[int, str] = field(default_factory=dict)  # col -> name|unit|code|seq|value
    unit_row: int | None = None
    code_row: int | None = None
    marker_row: int | None = None
    extra_unit_rows: list[int] = field(default_factory=list)


def find_band(grid: Grid, header: int) -> Band:
    cols = [
        c for r in range(header, min(grid.nrows, header + 30) + 1) for c, _ in grid.row_texts(r)
    ]
    label_col = min(cols) if cols else 1
    last = header
    changed = True
    while changed:
        changed = False
        for r1, _c1, r2, _c2 in grid.merges:
            if header <= r1 <= last and r2 > last and r2 - header < 12:
                last, changed = r2, True
    band = Band(header, last, last + 1, label_col)
    r = last + 1
    while r <= grid.nrows:
        kind = marker_kind(grid, r, label_col)
        if kind == "unit":
            band.extra_unit_rows.append(r)
        elif kind == "code":
            band.code_row = r
        elif kind == "marker":
            band.marker_row = r
            r += 1
            if marker_kind(grid, r, label_col) == "unit":
                band.extra_unit_rows.append(r)
                r += 1
            break
        elif _is_header_continuation(grid, r, label_col) and band.marker_row is None:
            band.last = r
        else:
            break
        r += 1
    band.data_start = r
    units_after = [u for u in band.extra_unit_rows if u > band.last]
    band.unit_row = units_after[-1] if units_after else None
    band.roles = column_roles(grid, band)
    return band


def _is_header_continuation(grid: Grid, row: int, label_col: int) -> bool:
    texts = grid.row_texts(row)
    if not texts:
        return False
    label = grid.text(row, label_col)
    if label and _role_word(label) != "name" and squash(label) not in {"项目"}:
        return False
    body = [t for _, t in texts if not is_dash(t)]
    return bool(body) and all(not is_number(t) for t in body)


def column_texts(grid: Grid, band: Band, col: int) -> list[tuple[str, int, int]]:
    """Distinct header texts covering ``col`` top-down, with their anchor cells."""
    out: list[tuple[str, int, int]] = []
    seen: set[tuple[int, int]] = set()
    for r in range(band.first, band.last + 1):
        if r in band.extra_unit_rows:
            continue
        ar, ac = grid.anchor(r, col)
        if (ar, ac) in seen:
            continue
        seen.add((ar, ac))
        t = grid.text(ar, ac)
        if t:
            out.append((t, ar, ac))
    return out


def _described_role(grid: Grid, band: Band, col: int) -> str:
    """The role of a column the marker row names 乙/丙/丁 rather than numbering it.

    On statistical forms only value columns are numbered (1, 2, 3 …); 甲乙丙 mark the
    columns that describe a row: its name, unit or code.  The 2016 forecast form heads its
    code column 报告期别, so the marker, not the heading, tells it is no value column.
    """
    texts = [
        squash(grid.text(r, col))
        for r in range(band.data_start, min(grid.nrows, band.data_start + 40) + 1)
    ]
    texts = [t for t in texts if t and not is_dash(t)]
    units = sum(1 for t in texts if is_unit(t))
    return "unit" if texts and units * 2 > len(texts) else "code"


def column_roles(grid: Grid, band: Band) -> dict[int, str]:
    roles: dict[int, str] = {}
    for c in range(1, grid.ncols + 1):
        texts = column_texts(grid, band, c)
        own = [t for t, _ar, ac in texts if ac == c]
        joined = squash("".join(own))
        marker = squash(grid.text(band.marker_row, c)) if band.marker_row else ""
        word = _role_word(joined) or (_role_word(own[0]) if own else None)
        if word:
            roles[c] = word
        elif marker == "甲":
            roles[c] = "name"
        elif marker in MARKER_WORDS:
            roles[c] = _described_role(grid, band, c)
        elif own:
            roles[c] = "value"
        elif c == band.label_col:
            roles[c] = "name"
        elif marker and is_number(marker):
            roles[c] = "value"
    return roles
