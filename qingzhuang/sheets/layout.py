"""A comparable description of a form's layout, to prove that filling changed only values.

``layout_signature(a) == layout_signature(b)`` means the two files look the same to a
reader of the form: same sheets in the same order, merges, column widths, row heights,
cell styles, freeze panes, print settings and data validation (xlsx), or the same table
structure and cell/paragraph/run formatting (docx). Cell values are deliberately left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color
from openpyxl.worksheet.worksheet import Worksheet


def layout_signature(path: Path) -> dict[str, Any]:
    """Describe the layout of an .xlsx or .docx file as plain, comparable data."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_signature(path)
    if suffix == ".docx":
        return _docx_signature(path)
    raise ValueError(f"layout_signature supports .xlsx and .docx, not {suffix}")


def _xlsx_signature(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path, rich_text=True)
    sig: dict[str, Any] = {"sheet_order": list(wb.sheetnames)}
    for ws in wb.worksheets:
        sig[ws.title] = sheet_signature(ws)
    return sig


def sheet_signature(ws: Worksheet) -> dict[str, Any]:
    """Layout of one worksheet (no values)."""
    setup = ws.page_setup
    margins = ws.page_margins
    return {
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "col_widths": {
            k: (d.width, bool(d.hidden)) for k, d in ws.column_dimensions.items() if d.customWidth
        },
        "row_heights": {
            k: (d.height, bool(d.hidden))
            for k, d in ws.row_dimensions.items()
            if d.height is not None or d.hidden
        },
        "default_size": (ws.sheet_format.defaultColWidth, ws.sheet_format.defaultRowHeight),
        "freeze": ws.freeze_panes,
        "state": ws.sheet_state,
        "print": (
            ws.print_area,
            ws.print_title_rows,
            ws.print_title_cols,
            setup.orientation,
            setup.paperSize,
            setup.fitToWidth,
            setup.fitToHeight,
            setup.scale,
            (margins.left, margins.right, margins.top, margins.bottom),
        ),
        "validation": sorted(
            (str(dv.sqref), dv.type, dv.formula1) for dv in ws.data_validations.dataValidation
        ),
        "conditional": sorted(str(rng.sqref) for rng in ws.conditional_formatting),
        "styles": {
            c.coordinate: cell_style(c)
            for c in ws._cells.values()
            if isinstance(c, Cell) and c.has_style
        },
    }


def _color(c: Color | None) -> tuple[Any, ...] | None:
    if c is None:
        return None
    return (c.type, c.value, c.tint)


def cell_style(c: Any) -> tuple[Any, ...]:
    """Font, border, fill, alignment, number format and protection of a cell as a tuple."""
    f, b, fill, a, p = c.font, c.border, c.fill, c.alignment, c.protection
    font = (f.name, f.sz, f.b, f.i, f.u, f.strike, f.vertAlign, _color(f.color))
    sides = tuple(
        (s.style, _color(s.color)) if s is not None else None
        for s in (b.left, b.right, b.top, b.bottom, b.diagonal)
    )
    border = (*sides, b.diagonalUp, b.diagonalDown)
    if isinstance(fill, PatternFill):
        fill_t: tuple[Any, ...] = (fill.patternType, _color(fill.fgColor), _color(fill.bgColor))
    else:
        fill_t = (repr(fill),)
    align = (a.horizontal, a.vertical, a.wrap_text, a.shrink_to_fit, a.indent, a.textRotation)
    return (font, border, fill_t, align, c.number_format, (p.locked, p.hidden))


def _docx_signature(path: Path) -> dict[str, Any]:
    import docx
    from docx.oxml.ns import qn
    from lxml import etree

    from qingzhuang.sheets.writer_docx import effective_run_rpr

    def xml(el: Any) -> str | None:
        return None if el is None else etree.tostring(el, encoding="unicode")

    document = docx.Document(str(path))
    tables = []
    for table in document.tables:
        tbl = table._tbl
        rows = []
        for tr in tbl.tr_lst:
            cells = []
            for tc in tr.tc_lst:
                paras = []
                for p in tc.p_lst:
                    # Formatting a value will get: the first run's, else the paragraph mark's.
                    paras.append((xml(p.find(qn("w:pPr"))), xml(effective_run_rpr(p))))
                cells.append((xml(tc.tcPr), tuple(paras)))
            rows.append((xml(tr.trPr), tuple(cells)))
        tables.append({"tblPr": xml(tbl.tblPr), "grid": xml(tbl.tblGrid), "rows": rows})
    section = document.sections[0] if document.sections else None
    page = None
    if section is not None:
        page = (section.page_width, section.page_height, section.orientation)
    return {"tables": tables, "page": page, "paragraphs": len(document.paragraphs)}
