from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.burden import services
from qingzhuang.burden.csv_io import parse_demands_csv
from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.management.base import QzCommand
from qingzhuang.org.models import OrgUnit
from qingzhuang.org.selectors import unit_by_code


class Command(QzCommand):
    help = (
        "基层负担台账：check 按减负规则检查事项清单（不入账），import 导入台账 "
        "(burden ledger: check or import demands from CSV)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("check", "检查事项清单，不保存（列 kind,title,issuer,received,deadline,…）"),
            ("import", "导入事项清单到台账（全部成功或全部不导入），并输出检查结果"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("--input", required=True, help="CSV 文件路径（UTF-8，含表头）")
            p.add_argument("--org", default="", help="乡镇行政区划代码（默认：唯一的乡镇）")
            p.add_argument("--json", action="store_true", help="以 JSON 格式输出")

    def _org(self, code: str, *, required: bool) -> OrgUnit | None:
        if code:
            return unit_by_code(code)
        if not required:
            try:
                return services.default_org_unit()
            except InvalidInput:
                return None
        return services.default_org_unit()

    def run(self, *args: Any, **options: Any) -> Any:
        path = Path(options["input"])
        if not path.is_file():
            raise InvalidInput(_("找不到文件：%(path)s") % {"path": path})
        rows = parse_demands_csv(path.read_bytes())
        if options["action"] == "check":
            return services.demands_check(
                rows=rows, org_unit=self._org(options["org"], required=False)
            )
        org = self._org(options["org"], required=True)
        assert org is not None  # noqa: S101 - required=True never returns None
        return services.demands_import(rows=rows, org_unit=org, actor="cli")

    def print_human(self, result: Any) -> None:
        for skipped in result.get("skipped", []):
            self.stdout.write(skipped["message"])
        flagged = 0
        for d in result["demands"]:
            if d["findings"]:
                flagged += 1
            mark = "⚠" if d["findings"] else "✓"
            self.stdout.write(f"{mark} 第{d['row']}行 {d['title']}")
            for f in d["findings"]:
                self.stdout.write(f"    [{f['rule']}] {f['message']}")
                self.stdout.write(f"        依据：{f['source']}")
        self.stdout.write(f"共 {len(result['demands'])} 项，{flagged} 项有问题。")
