from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.management.base import QzCommand
from qingzhuang.org import services


class Command(QzCommand):
    help = "组织单位：import 从 CSV 清单导入县/镇/村/网格 (import org units)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="导入单位清单（列 code,name,parent_code,level），可重复运行"
        )
        imp.add_argument("--input", required=True, help="CSV 文件路径")
        imp.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> Any:
        path = Path(options["input"])
        if not path.is_file():
            raise InvalidInput(_("找不到文件：%(path)s") % {"path": path})
        rows = services.parse_org_csv(path.read_bytes())
        result = services.org_units_import(rows=rows, actor="cli")
        return result.as_dict()

    def print_human(self, result: Any) -> None:
        self.stdout.write(
            f"导入完成：新增 {result['created']}，更新 {result['updated']}，未变 {result['unchanged']}。"
        )
