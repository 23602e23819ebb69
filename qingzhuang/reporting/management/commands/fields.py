from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.management.base import QzCommand


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

        src = Path(options["input"])
        if not src.is_file():
            raise InvalidInput(_("找不到文件：%(path)s") % {"path": src})
        rows = compare_csv(src, options["output"])
        return {"rows": rows, "output": options["output"]}

    def print_human(self, result: Any) -> None:
        self.stdout.write(f"已比对 {result['rows']} 对字段，结果写入 {result['output']}")
