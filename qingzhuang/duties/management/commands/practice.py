from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from qingzhuang.core.management.base import QzCommand
from qingzhuang.duties.practice import practice_reset


class Command(QzCommand):
    help = "练习模式：reset 把示范镇的练习数据恢复原样 (reset the demo township's practice data)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reset = sub.add_parser(
            "reset",
            help="删除示范镇的交办登记和减负直通车反映（及其台账标记），重新放入示例；不动清单和其他乡镇",
        )
        reset.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> Any:
        return practice_reset(actor="cli")

    def print_human(self, result: Any) -> None:
        self.stdout.write(
            f"已重置示范镇练习数据：删除交办登记 {result['deleted_tasks']} 条、反映 {result['deleted_feedback']} 条、"
            f"台账标记 {result['deleted_findings']} 条；重新放入交办 {result['seeded_tasks']} 条、"
            f"反映 {result['seeded_feedback']} 条。"
        )
