from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.core.management.base import QzCommand
from qingzhuang.reporting.management.commands.forms import existing_file


class Command(QzCommand):
    help = "字段比对：compare 判断两两字段是否同一数据项 (compare field pairs from a CSV)"
    needs_database = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("compare", help="读入字段对 CSV，输出加上 score 与 same 两列")
        c.add_argument("--input", required=True)
        c.add_argument("--output", required=True)
        c.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> Any:
        from qingzhuang.matching.cli_support import compare_csv

        src = existing_file(options["input"], example="pairs.csv")
        result = compare_csv(src, options["output"])
        return {
            "rows": result.rows,
            "output": options["output"],
            "renamed_columns": result.renamed,
        }

    def print_human(self, result: Any) -> None:
        self.stdout.write(
            _("已比对 %(rows)s 对字段，结果写入 %(output)s")
            % {"rows": result["rows"], "output": result["output"]}
        )
        for old, new in result["renamed_columns"].items():
            self.stdout.write(
                _("输入文件原有的 %(old)s 列改名为 %(new)s 保留；%(old)s 列是这次比对的结果")
                % {"old": old, "new": new}
            )
