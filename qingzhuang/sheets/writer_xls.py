"""Convert old .xls forms to .xlsx with their layout, so they can be filled like .xlsx.

Many county forms still circulate as Excel 97-2003 files. Nothing in our stack writes .xls
faithfully, so a filled .xls comes back as .xlsx that looks the same: every sheet, value,
merge, column width, row height, font, border, fill, alignment and number format is
rebuilt from xlrd's formatting records. Styles are built once per XF record and copied as
openpyxl style arrays, which keeps a 29-sheet workbook well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from pathlib import Path
from typing import Any

import xlrd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.colors import Color
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from xlrd.biffh import error_text_from_code
from xlrd.sheet import Sheet as XlrdSheet

from qingzhuang.i18n import gettext as _
from qingzhuang.sheets.writer import CellWrite, WriteError
from qingzhuang.sheets.writer_xlsx import apply_writes

_BORDER_STYLES = {
    1: "thin", 2: "medium", 3: "dashed", 4: "dotted", 5: "thick", 6: "double", 7: "hair",
    8: "mediumDashed", 9: "dashDot", 10: "mediumDashDot", 11: "dashDotDot",
    12: "mediumDashDotDot", 13: "slantDashDot",
}  # fmt: skip
_FILL_PATTERNS = {
    1: "solid", 2: "mediumGray", 3: "darkGray", 4: "lightGray", 5: "darkHorizontal",
    6: "darkVertical", 7: "darkDown", 8: "darkUp", 9: "darkGrid", 10: "darkTrellis",
    11: "lightHorizontal", 12: "lightVertical", 13: "lightDown", 14: "lightUp",
    15: "lightGrid", 16: "lightTrellis", 17: "gray125", 18: "gray0625",
}  # fmt: skip
_HALIGN = {1: "left", 2: "center", 3: "right", 4: "fill", 5: "justify",
           6: "centerContinuous", 7: "distributed"}  # fmt: skip
_VALIGN = {0: "top", 1: "center", 2: "bottom", 3: "justify", 4: "distributed"}
_UNDERLINE = {1: "single", 2: "double", 0x21: "singleAccounting", 0x22: "doubleAccounting"}
_ESCAPEMENT = {1: "superscript", 2: "subscript"}


def xls_to_xlsx(src: Path, dst: Path) -> None:
    """Convert ``src`` (.xls) to ``dst`` (.xlsx), keeping the layout; no values are changed."""
    _convert(src).save(dst)


def fill_xls(
    src: Path, out: Path, writes: Sequence[CellWrite]
) -> tuple[int, list[tuple[CellWrite, str]]]:
    """Convert in memory, apply the writes with the xlsx rules, save as .xlsx."""
    wb = _convert(src)
    result = apply_writes(wb, writes)
    wb.save(out)
    return result


def _convert(src: Path) -> Workbook:
    try:
        book = xlrd.open_workbook(str(src), formatting_info=True, on_demand=False)
    except Exception as exc:  # xlrd raises XLRDError, struct.error, IndexError, ...
        raise WriteError(_("无法打开Excel 97-2003文件：%(file)s") % {"file": src.name}) from exc
    wb = Workbook()
    wb.remove(wb.active)
    if book.datemode == 1:
        wb.epoch = CALENDAR_MAC_1904
    styles = _Styles(book)
    if book.font_list:
        _set_default_font(wb, styles.font(0))
    for sheet in book.sheets():
        _copy_sheet(sheet, wb.create_sheet(sheet.name), styles)
    visible = [i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible"]
    if visible:
        wb.active = visible[0]
    return wb


def _set_default_font(wb: Workbook, font: Font) -> None:
    # Excel measures column widths in digits of the Normal style's font, so the converted
    # book must keep the .xls default font (often 宋体) or every width would drift.
    wb._fonts = IndexedList([font])
    wb._named_styles["Normal"].font = font


class _Styles:
    """openpyxl style arrays built once per xlrd XF index and copied onto cells."""

    def __init__(self, book: xlrd.book.Book) -> None:
        self.book = book
        self._fonts: dict[int, Font] = {}
        self._arrays: dict[int, StyleArray] = {}

    def color(self, index: int) -> Color | None:
        rgb = self.book.colour_map.get(index)
        if rgb is None:
            return None
        r, g, b = rgb
        return Color(rgb=f"FF{r:02X}{g:02X}{b:02X}")

    def font(self, index: int) -> Font:
        cached = self._fonts.get(index)
        if cached is None:
            f = self.book.font_list[index]
            cached = self._fonts[index] = Font(
                name=f.name,
                size=f.height / 20,
                bold=bool(f.bold) or None,
                italic=bool(f.italic) or None,
                underline=_UNDERLINE.get(f.underline_type),
                strike=bool(f.struck_out) or None,
                vertAlign=_ESCAPEMENT.get(f.escapement),
                color=self.color(f.colour_index),
                family=f.family or None,
                charset=f.character_set or None,
            )
        return cached

    def apply(self, cell: Any, xf_index: int) -> None:
        array = self._arrays.get(xf_index)
        if array is None:
            self._style_from_xf(cell, xf_index)
            array = self._arrays[xf_index] = copy(cell._style)
        cell._style = copy(array)

    def _style_from_xf(self, cell: Any, xf_index: int) -> None:
        xf = self.book.xf_list[xf_index]
        if xf.font_index < len(self.book.font_list):
            cell.font = self.font(xf.font_index)
        cell.border = self._border(xf.border)
        cell.fill = self._fill(xf.background)
        a = xf.alignment
        cell.alignment = Alignment(
            horizontal=_HALIGN.get(a.hor_align),
            vertical=_VALIGN.get(a.vert_align),
            wrap_text=bool(a.text_wrapped) or None,
            shrink_to_fit=bool(a.shrink_to_fit) or None,
            indent=a.indent_level,
            text_rotation=a.rotation if 0 <= a.rotation <= 180 or a.rotation == 255 else 0,
        )
        fmt = self.book.format_map.get(xf.format_key)
        cell.number_format = fmt.format_str if fmt and fmt.format_str else "General"
        p = xf.protection
        cell.protection = Protection(locked=bool(p.cell_locked), hidden=bool(p.formula_hidden))

    def _side(self, style: int, colour: int) -> Side:
        name = _BORDER_STYLES.get(style)
        if name is None:
            return Side()
        return Side(style=name, color=self.color(colour))

    def _border(self, b: xlrd.formatting.XFBorder) -> Border:
        diag = self._side(b.diag_line_style, b.diag_colour_index)
        has_diag = diag.style is not None
        return Border(
            left=self._side(b.left_line_style, b.left_colour_index),
            right=self._side(b.right_line_style, b.right_colour_index),
            top=self._side(b.top_line_style, b.top_colour_index),
            bottom=self._side(b.bottom_line_style, b.bottom_colour_index),
            diagonal=diag,
            diagonalUp=bool(b.diag_up) and has_diag or None,
            diagonalDown=bool(b.diag_down) and has_diag or None,
        )

    def _fill(self, bg: xlrd.formatting.XFBackground) -> PatternFill:
        pattern = _FILL_PATTERNS.get(bg.fill_pattern)
        if pattern is None:
            return PatternFill()
        fg = self.color(bg.pattern_colour_index)
        back = self.color(bg.background_colour_index)
        fill = PatternFill(fill_type=pattern)
        if fg is not None:
            fill.fgColor = fg
        if back is not None:
            fill.bgColor = back
        return fill


def _copy_sheet(sheet: XlrdSheet, ws: Worksheet, styles: _Styles) -> None:
    covered: set[tuple[int, int]] = set()
    for rlo, rhi, clo, chi in sheet.merged_cells:
        if rhi - rlo > 1 or chi - clo > 1:
            ws.merge_cells(start_row=rlo + 1, start_column=clo + 1, end_row=rhi, end_column=chi)
            covered.update((r, c) for r in range(rlo, rhi) for c in range(clo, chi))
            covered.discard((rlo, clo))
    _copy_cells(sheet, ws, styles, covered)
    _copy_dimensions(sheet, ws)
    _copy_view(sheet, ws)
    for (r, c), note in sheet.cell_note_map.items():
        if (r, c) not in covered and note.text:
            ws.cell(row=r + 1, column=c + 1).comment = Comment(note.text, note.author or "")


def _copy_cells(
    sheet: XlrdSheet, ws: Worksheet, styles: _Styles, covered: set[tuple[int, int]]
) -> None:
    for r in range(sheet.nrows):
        types = sheet.row_types(r)
        values = sheet.row_values(r)
        for c, ctype in enumerate(types):
            xf = sheet.cell_xf_index(r, c)
            if ctype == xlrd.XL_CELL_EMPTY and xf < 0:
                continue
            if (r, c) in covered:
                cell = ws._cells.get((r + 1, c + 1))
                if cell is not None and xf >= 0:
                    styles.apply(cell, xf)
                continue
            cell = ws.cell(row=r + 1, column=c + 1)
            _set_xls_value(cell, ctype, values[c])
            if xf >= 0:
                styles.apply(cell, xf)


def _set_xls_value(cell: Any, ctype: int, value: Any) -> None:
    if ctype == xlrd.XL_CELL_TEXT:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.data_type = "s"  # text such as "=说明=" is not a formula
    elif ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
        # Dates stay serial numbers; the copied date number format makes them dates again.
        num = float(value)
        cell.value = int(num) if num.is_integer() and abs(num) < 2**53 else num
    elif ctype == xlrd.XL_CELL_BOOLEAN:
        cell.value = bool(value)
    elif ctype == xlrd.XL_CELL_ERROR:
        cell.value = error_text_from_code.get(value, "#N/A")


def _copy_dimensions(sheet: XlrdSheet, ws: Worksheet) -> None:
    fmt = ws.sheet_format
    if sheet.defcolwidth is not None:
        fmt.baseColWidth = int(sheet.defcolwidth)
    if sheet.standardwidth is not None:
        fmt.defaultColWidth = sheet.standardwidth / 256
    if sheet.default_row_height is not None:
        fmt.defaultRowHeight = sheet.default_row_height / 20
    for colx, info in sheet.colinfo_map.items():
        dim = ws.column_dimensions[get_column_letter(colx + 1)]
        dim.width = info.width / 256
        if info.hidden:
            dim.hidden = True
        if info.outline_level:
            dim.outline_level = info.outline_level
    for rowx, rinfo in sheet.rowinfo_map.items():
        rdim = ws.row_dimensions[rowx + 1]
        rdim.height = rinfo.height / 20
        if rinfo.hidden:
            rdim.hidden = True
        if rinfo.outline_level:
            rdim.outline_level = rinfo.outline_level


def _copy_view(sheet: XlrdSheet, ws: Worksheet) -> None:
    ws.sheet_view.showGridLines = bool(sheet.show_grid_lines)
    if not sheet.show_zero_values:
        ws.sheet_view.showZeros = False
    zoom = sheet.cooked_normal_view_mag_factor
    if zoom and zoom != 100:
        ws.sheet_view.zoomScale = zoom
    if sheet.visibility == 1:
        ws.sheet_state = "hidden"
    elif sheet.visibility == 2:
        ws.sheet_state = "veryHidden"
    if sheet.panes_are_frozen and (sheet.horz_split_pos or sheet.vert_split_pos):
        ws.freeze_panes = f"{get_column_letter(sheet.vert_split_pos + 1)}{sheet.horz_split_pos + 1}"
    for index, _start, _end in sheet.horizontal_page_breaks:
        ws.row_breaks.append(Break(id=index))
    for index, _start, _end in sheet.vertical_page_breaks:
        ws.col_breaks.append(Break(id=index))
