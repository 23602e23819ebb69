from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.management.base import QzCommand


class Command(QzCommand):
    help = "自动填表：按原样式填好一张报表并列出未填项 (fill a form in its own layout)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要填的报表（未入库的会先入库）")
        parser.add_argument("--org", required=True, help="单位代码")
        parser.add_argument("--period", required=True, help="时期：2026、2026Q3 或 2026-09")
        parser.add_argument("--output", required=True, help="输出文件（.xls 输出为 .xlsx）")
        super().add_arguments(parser)

    def run(self, *args: Any, **options: Any) -> Any:
        from qingzhuang.datastore.filling import (
            fill_template,
            output_path_check,
            template_for_file,
        )
        from qingzhuang.datastore.management.commands.data import org_by_code
        from qingzhuang.datastore.periods import parse_period
        from qingzhuang.sheets.safety import sniff

        path = Path(options["file"])
        if not path.is_file():
            raise InvalidInput(_("找不到文件：%(path)s") % {"path": path})
        period = parse_period(options["period"])
        org = org_by_code(options["org"])
        out = Path(options["output"])
        if out.resolve() == path.resolve():
            raise InvalidInput(_("输出文件不能与原表相同，请换一个文件名"))
        # before anything is stored: a bad --output must leave no template and no fill record
        output_path_check(output=out, fmt=sniff(path, path.name))
        with transaction.atomic():
            template = template_for_file(path=path, actor="cli")
            result = fill_template(
                template=template,
                org_unit=org,
                period=period,
                output=out,
                actor="cli",
                source_path=path,
            )
        return result.as_dict()

    def print_human(self, result: Any) -> None:
        cov = result["coverage"]
        self.stdout.write(
            f"已写入 {result['output']}：填好 {cov['cells_filled']} 格，留空 {cov['cells_empty']} 格。"
        )
        for f in result["fields"]:
            if f["status"] != "filled":
                self.stdout.write(f"  未填 {f['cell']} {f['label']}：{f['reason']}")
        for warning in result.get("warnings", []):
            self.stdout.write(f"  请核对：{warning}")
