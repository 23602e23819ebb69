"""Turn one Grid into a ParsedSheet: column tables and indicator lists."""

from __future__ import annotations

import re

from .grid import Grid, squash
from .headers import (
    Band,
    column_texts,
    find_band,
    find_header_row,
    find_issuer,
    find_title,
    is_dash,
    is_footer,
    is_number,
    marker_kind,
    parse_meta,
    row_line,
    split_unit,
)
from .hierarchy import HierarchyBuilder
from .model import DataRow, ParsedField, ParsedSheet

_TOTAL_WORDS = ("合计", "小计", "总计", "全县", "全镇", "全乡", "全区")


def analyse_grid(grid: Grid) -> ParsedSheet:
    """Why: one entry for every format, so xlsx, xls, csv-like and docx tables agree."""
    header = find_header_row(grid)
    if header is None:
        header = _first_wide_row(grid)
    lines = list(grid.before) + [row_line(grid, r) for r in range(1, (header or 1))]
    tail = [row_line(grid, r) for r in range(max(1, grid.nrows - 15), grid.nrows + 1)]
    meta = parse_meta(lines + tail)
    title = find_title(grid, header or grid.nrows + 1)
    sheet = ParsedSheet(
        name=grid.name, title=title, issuer=find_issuer(meta, lines, title), meta=meta
    )
    if header is None:
        return sheet
    band = find_band(grid, header)
    sheet.header_rows = (band.first, band.last)
    table_unit = _table_unit(meta)
    if _is_indicator_list(grid, band):
        sheet.orientation = "rows"
        _indicator_fields(grid, band, sheet, table_unit)
    else:
        sheet.orientation = "columns"
        _column_fields(grid, band, sheet, table_unit)
    return sheet


def _first_wide_row(grid: Grid) -> int | None:
    for r in range(1, min(grid.nrows, 40) + 1):
        if len(grid.row_texts(r)) >= 2:
            return r
    return None


def _table_unit(meta: dict[str, str]) -> str:
    value = meta.get("计量单位") or meta.get("金额单位") or meta.get("单位") or ""
    value = squash(value)
    from .headers import is_unit

    return value if is_unit(value) else ""


def _is_indicator_list(grid: Grid, band: Band) -> bool:
    if band.unit_row is not None:
        return False
    names = [c for c, role in band.roles.items() if role == "name"]
    for c in names:
        texts = [t for t, _r, ac in column_texts(grid, band, c) if ac == c]
        if any(
            squash(t)
            in {
                "单位名称",
                "村名",
                "村名称",
                "村",
                "乡镇",
                "乡镇名称",
                "地区",
                "行政村",
                "姓名",
                "企业名称",
                "村(社区)",
                "村（社区）",
                "社区",
            }
            for t in texts
        ):
            return False
    if any(role in ("unit", "code") for role in band.roles.values()):
        return True
    values = [c for c, role in band.roles.items() if role == "value"]
    return len(values) <= 3 and band.marker_row is not None


def _unit_and_label(texts: list[str]) -> tuple[list[str], str]:
    path, unit = [], ""
    for t in texts:
        label, u = split_unit(t)
        if u:
            unit = u
        if label:
            path.append(label)
    return path, unit


def _column_fields(grid: Grid, band: Band, sheet: ParsedSheet, table_unit: str) -> None:
    label_cols = [c for c, role in band.roles.items() if role == "name"]
    sheet.label_col = label_cols[0] if label_cols else band.label_col
    seen: set[tuple[int, int]] = set()
    paths: dict[int, list[str]] = {}
    for c in sorted(band.roles):
        if band.roles[c] != "value":
            continue
        texts = column_texts(grid, band, c)
        if not texts or texts[-1][2] != c and (texts[-1][1], texts[-1][2]) in seen:
            continue
        leaf = texts[-1]
        if (leaf[1], leaf[2]) in seen:
            continue
        seen.add((leaf[1], leaf[2]))
        path, unit = _unit_and_label([t for t, _r, _c in texts])
        if not path:
            continue
        if texts[0][1] > band.first and path[0].startswith("其中") and c - 1 in paths:
            left = paths[c - 1]
            path = left[: max(1, len(left) - 1)] + path if len(left) > 1 else left + path
        paths[c] = path
        if band.unit_row is not None:
            row_unit = squash(grid.covered_text(band.unit_row, c))
            unit = row_unit if row_unit and not is_dash(row_unit) else unit
        code = squash(grid.text(band.code_row, c)) if band.code_row else ""
        sheet.fields.append(
            ParsedField(
                cell=grid.cell_name(leaf[1], leaf[2]),
                path=path,
                label=path[-1],
                unit=unit or table_unit,
                row=leaf[1],
                col=leaf[2],
                code=code,
            )
        )
    value_cols = [f.col for f in sheet.fields]
    for r in range(band.data_start, grid.nrows + 1):
        label = grid.covered_text(r, sheet.label_col) if sheet.label_col else ""
        if label and is_footer(label):
            break
        extra = [
            grid.text(r, c)
            for c in range((sheet.label_col or 1) + 1, min(value_cols or [1]))
            if band.roles.get(c) not in ("code", "seq", "unit")
        ]
        full = " ".join(t for t in [label, *extra] if t and not is_number(t))
        empty = not any(grid.text(r, c) and not is_dash(grid.text(r, c)) for c in value_cols)
        if not full and empty:
            continue
        total = any(w in squash(full) for w in _TOTAL_WORDS) or squash(label) in {"合", "计"}
        sheet.data_rows.append(DataRow(r, full, total, empty))


def _indicator_fields(grid: Grid, band: Band, sheet: ParsedSheet, table_unit: str) -> None:
    blocks = _blocks(band.roles)
    builders = [HierarchyBuilder() for _ in blocks]
    sheet.label_col = int(blocks[0]["name"]) if blocks else band.label_col  # type: ignore[arg-type]
    vals: list[int] = list(blocks[0]["values"]) if blocks else []  # type: ignore[arg-type]
    sheet.value_col = vals[0] if len(vals) == 1 else None
    r = band.data_start
    while r <= grid.nrows:
        first = grid.text(r, band.label_col)
        if first and is_footer(first):
            break
        if squash(first).startswith("续表") and not any(
            t for c, t in grid.row_texts(r) if c != band.label_col
        ):
            r += 1
            continue
        again = find_header_row(grid, r, 1)
        if again == r and marker_kind(grid, r, band.label_col) is None:
            band = find_band(grid, r)
            new_blocks = _blocks(band.roles)
            if len(new_blocks) == len(blocks):
                blocks = new_blocks
            r = band.data_start
            continue
        for block, builder in zip(blocks, builders, strict=True):
            _indicator_row(grid, band, r, block, builder, sheet, table_unit)
        r += 1


def _blocks(roles: dict[int, str]) -> list[dict[str, list[int] | int]]:
    blocks: list[dict[str, list[int] | int]] = []
    cur: dict[str, list[int] | int] | None = None
    cols = sorted(roles)
    for i, c in enumerate(cols):
        role = roles[c]
        if role == "name":
            cur = {"name": c, "values": []}
            blocks.append(cur)
        elif role in ("unit", "code"):
            if cur is None or cur["values"]:
                prev = cols[i - 1] if i else None
                if cur is not None and prev is not None and prev in cur["values"]:  # type: ignore[operator]
                    cur["values"].remove(prev)  # type: ignore[union-attr]
                cur = {"name": prev if prev is not None else c, "values": []}
                blocks.append(cur)
            cur[role] = c
        elif role == "value" and cur is not None:
            cur["values"].append(c)  # type: ignore[union-attr]
    return [b for b in blocks if b["values"] or "code" in b or "unit" in b]


def _indicator_row(
    grid: Grid,
    band: Band,
    r: int,
    block: dict[str, list[int] | int],
    builder: HierarchyBuilder,
    sheet: ParsedSheet,
    table_unit: str,
) -> None:
    name_col = int(block["name"])  # type: ignore[arg-type]
    name = grid.text(r, name_col)
    unit = grid.text(r, int(block["unit"])) if "unit" in block else ""  # type: ignore[arg-type]
    code = grid.text(r, int(block["code"])) if "code" in block else ""  # type: ignore[arg-type]
    unit = "" if is_dash(unit) else squash(unit)
    code = "" if is_dash(code) else squash(code)
    has_roles = "unit" in block or "code" in block
    if name and (is_number(name) or squash(name) in {"甲", "乙", "丙"}):
        return
    if name:
        if squash(name).startswith(("附报", "补充资料")) and not (unit or code):
            return
        path = builder.add(name, grid.width(r, name_col), unit or split_unit(name)[1])
    elif (unit or code) and builder.stack:
        path = list(builder.stack[-1].path)
    else:
        return
    if has_roles and not (unit or code):
        return
    values: list[int] = list(block["values"])  # type: ignore[arg-type]
    table_units = _unit_list(sheet.meta)
    total = any(w in squash(name) for w in _TOTAL_WORDS)
    label_cell = grid.cell_name(r, name_col)
    if name_col == sheet.label_col:
        empty = not any(grid.text(r, v) and not is_dash(grid.text(r, v)) for v in values)
        sheet.data_rows.append(DataRow(r, path[-1], total, empty))
    if len(values) <= 1:
        v = values[0] if values else None
        sheet.fields.append(
            ParsedField(
                cell=label_cell,
                path=path,
                label=split_unit(path[-1])[0] or path[-1],
                unit=unit
                or split_unit(path[-1])[1]
                or _col_unit(grid, band, v)
                or table_unit
                or _pick_unit(table_units, [], path),
                row=r,
                col=name_col,
                code=code,
                value_cell=grid.cell_name(r, v) if v else None,
            )
        )
        return
    for v in values:
        if is_dash(grid.text(r, v)) and grid.text(r, v):
            continue
        header, col_unit = _unit_and_label([t for t, _r, _c in column_texts(grid, band, v)])
        sheet.fields.append(
            ParsedField(
                cell=grid.cell_name(r, v),
                path=[*path, " ".join(header)],
                label=split_unit(path[-1])[0] or path[-1],
                unit=col_unit or unit or table_unit or _pick_unit(table_units, header, path),
                row=r,
                col=v,
                code=code,
                value_cell=grid.cell_name(r, v),
            )
        )


def _col_unit(grid: Grid, band: Band, col: int | None) -> str:
    if col is None:
        return ""
    return _unit_and_label([t for t, _r, _c in column_texts(grid, band, col)])[1]


_AREA, _WEIGHT, _MONEY = ("公顷", "亩", "平方"), ("吨", "公斤", "千克", "斤"), ("元",)


def _unit_list(meta: dict[str, str]) -> list[str]:
    value = squash(meta.get("计量单位") or meta.get("单位") or "")
    return [u for u in re.split(r"[、,，;；/]", value) if u]


def _pick_unit(units: list[str], header: list[str], path: list[str]) -> str:
    """Pick from a sheet-level list like '千公顷、吨' by what the column or row measures."""
    if len(units) < 2:
        return ""
    text = squash("".join(header) + (path[-1] if path else ""))
    for words, kinds in (
        (("面积",), _AREA),
        (("产量", "数量", "重量"), _WEIGHT),
        (("产值", "金额", "收入", "价格", "价值"), _MONEY),
    ):
        if any(w in text for w in words):
            for u in units:
                if any(k in u for k in kinds):
                    return u
    return ""
