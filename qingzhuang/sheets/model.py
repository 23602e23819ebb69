"""Data model returned by :func:`qingzhuang.sheets.parse_file`.

Field conventions (kept stable because matching, harvest and fill build on them):

* ``path`` is the full list of header texts from the top heading down to the leaf,
  leaf included; ``label`` is always ``path[-1]`` with any unit in brackets removed.
* ``unit`` is separated from the label (``"乡村人口数（万人）"`` gives label
  ``"乡村人口数"`` and unit ``"万人"``).
* ``cell`` identifies the field: the leaf header cell for column tables (top-left of a
  merged range), the indicator-name cell for indicator lists, ``C1`` style for CSV and
  ``T<table>R<row>C<col>`` for .docx.  When an indicator list has several value columns
  (面积/产量/单产) there is one field per value column and ``cell`` is the value cell,
  because the name cell would no longer be unique; ``path`` then ends with the column
  header.
* ``hidden_sheets`` names the hidden and very hidden worksheets, which are not parsed
  (departments keep lookup lists and scratch work there); ``to_json`` gives the key only
  when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Orientation = Literal["columns", "rows"]


@dataclass
class ParsedField:
    cell: str
    path: list[str]
    label: str
    unit: str
    row: int
    col: int
    code: str = ""
    value_cell: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"cell": self.cell, "path": list(self.path), "label": self.label, "unit": self.unit}


@dataclass
class DataRow:
    row: int
    label: str
    is_total: bool
    is_empty: bool


@dataclass
class ParsedSheet:
    name: str | None
    title: str = ""
    issuer: str = ""
    orientation: Orientation = "columns"
    fields: list[ParsedField] = field(default_factory=list)
    header_rows: tuple[int, int] = (0, 0)
    label_col: int | None = None
    value_col: int | None = None
    data_rows: list[DataRow] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "orientation": self.orientation,
            "fields": [f.to_json() for f in self.fields],
        }


@dataclass
class ParsedWorkbook:
    file: str
    title: str
    issuer: str
    format: Literal["xlsx", "xls", "csv", "docx"]
    sheets: list[ParsedSheet] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": self.file,
            "title": self.title,
            "issuer": self.issuer,
            "sheets": [s.to_json() for s in self.sheets],
        }
        if self.hidden_sheets:  # only then, so the usual shape stays the documented one
            data["hidden_sheets"] = list(self.hidden_sheets)
        return data
