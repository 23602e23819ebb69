"""Spreadsheet and CSV exports that cannot carry formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers stay numbers (a negative number is data, not a formula).
    """
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    # utf-8-sig so that Excel/WPS open Chinese text correctly
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title=title[:31])
        ws.append([safe_cell(h) for h in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        for idx, name in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(row=1, column=idx).column_letter].width = max(
                10, min(40, len(str(name)) * 2 + 4)
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    return download(csv_bytes(header, rows), filename, "text/csv; charset=utf-8")


def xlsx_download(
    filename: str, sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]
) -> HttpResponse:
    return download(
        xlsx_bytes(sheets),
        filename,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
