"""CSV helpers behind ``qz fields compare`` (the Django command only parses arguments)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator

from qingzhuang.i18n import gettext as _
from qingzhuang.i18n import join_list
from qingzhuang.matching.compare import compare
from qingzhuang.matching.model import FieldRef

REQUIRED = ("left_label", "left_unit", "left_path", "right_label", "right_unit", "right_path")


def split_path(text: str) -> tuple[str, ...]:
    """Paths arrive joined with " > "."""
    return tuple(p.strip() for p in (text or "").split(" > ") if p.strip())


def _ref(row: dict[str, str], side: str, n: int) -> FieldRef:
    return FieldRef(
        key=f"{n}:{side}",
        label=row.get(f"{side}_label") or "",
        unit=row.get(f"{side}_unit") or "",
        path=split_path(row.get(f"{side}_path") or ""),
        form=row.get(f"{side}_form") or "",
    )


def compare_rows(rows: Iterable[dict[str, str]]) -> Iterator[dict[str, str]]:
    """Add ``score`` (0–1, 4 places) and ``same`` (0/1) to each row; other columns pass through.

    Optional ``left_form``/``right_form`` columns are used when present (two cells of one form
    are never the same item; a seasonal form differs from an annual one).
    """
    for n, row in enumerate(rows):
        d = compare(_ref(row, "left", n), _ref(row, "right", n))
        out = dict(row)
        out["score"] = f"{d.score:.4f}"
        out["same"] = "1" if d.same else "0"
        yield out


def compare_csv(in_path: str | os.PathLike[str], out_path: str | os.PathLike[str]) -> int:
    """Stream IN.csv to OUT.csv with score/same added; returns the number of rows written."""
    with open(in_path, encoding="utf-8-sig", newline="") as fin:
        reader = csv.DictReader(fin)
        header = list(reader.fieldnames or [])
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ValueError(
                _("输入文件缺少必需的列：%(columns)s") % {"columns": join_list(missing)}
            )
        extra = [c for c in ("score", "same") if c not in header]
        n = 0
        with open(out_path, "w", encoding="utf-8", newline="") as fout:
            writer = csv.DictWriter(fout, fieldnames=header + extra)
            writer.writeheader()
            for row in compare_rows(reader):
                writer.writerow(row)
                n += 1
    return n
