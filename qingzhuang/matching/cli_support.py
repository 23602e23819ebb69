"""CSV helpers behind ``qz fields compare`` (the Django command only parses arguments)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from qingzhuang.core.outputs import atomic_output, output_path_check
from qingzhuang.core.textcodec import SNIFF_BYTES, UndecodableText, sniff_encoding
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


ADDED = ("score", "same")
RENAMED_SUFFIX = "_input"


@dataclass
class CompareResult:
    rows: int
    renamed: dict[str, str] = field(default_factory=dict)
    """Input columns that had an output column's name → the name they were kept under."""


def compare_csv(in_path: str | os.PathLike[str], out_path: str | os.PathLike[str]) -> CompareResult:
    """Stream IN.csv to OUT.csv with score/same added.

    IN.csv may be UTF-8 (with or without BOM) or GBK, as WPS/Excel save it. An input column
    already called ``score`` or ``same`` (the real pairs files carry a human ``same`` label)
    keeps its values under ``score_input``/``same_input``: the output's ``same`` is always the
    decision, and no input value is lost. A bad OUT path is refused before any work.
    """
    target = output_path_check(out_path, example="out.csv", inputs=[in_path])
    with open(in_path, encoding=_encoding(in_path), newline="") as fin:
        reader = csv.DictReader(fin)
        try:
            header = list(reader.fieldnames or [])
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ValueError(
                    _("输入文件缺少必需的列：%(columns)s") % {"columns": join_list(missing)}
                )
            renamed = _renamed_columns(header)
            n = 0
            with (
                atomic_output(target) as tmp,
                open(tmp, "w", encoding="utf-8", newline="") as fout,
            ):
                fieldnames = [*(renamed.get(c, c) for c in header), *ADDED]
                writer = csv.DictWriter(fout, fieldnames=fieldnames)
                writer.writeheader()
                rows = ({renamed.get(k, k): v for k, v in row.items()} for row in reader)
                for row in compare_rows(rows):
                    writer.writerow(row)
                    n += 1
        except UnicodeDecodeError as exc:  # past the part the encoding was judged on
            raise ValueError(
                _("输入文件 %(path)s 第 %(line)s 行编码错误")
                % {"path": in_path, "line": reader.line_num}
            ) from exc
    return CompareResult(n, renamed)


def _encoding(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    try:
        return sniff_encoding(head)
    except UndecodableText as exc:
        raise ValueError(_("输入文件 %(path)s：%(error)s") % {"path": path, "error": exc}) from exc


def _renamed_columns(header: list[str]) -> dict[str, str]:
    renamed = {c: c + RENAMED_SUFFIX for c in ADDED if c in header}
    taken = [new for new in renamed.values() if new in header]
    if taken:
        raise ValueError(
            _(
                "输入文件已有 %(columns)s 列，无法保留原有的 %(originals)s 列：请把其中一列改名后再比对"
            )
            % {"columns": join_list(taken), "originals": join_list(list(renamed))}
        )
    return renamed
