from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from qingzhuang.core.backup import backup_restore
from qingzhuang.core.management.base import QzCommand


class Command(QzCommand):
    help = "恢复：用备份文件替换当前数据库和上传文件 (restore from a backup)"
    needs_database = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path", help="qz backup 生成的 .tar.gz 文件")

    def run(self, *args: Any, **options: Any) -> Any:
        return backup_restore(path=Path(options["path"]))

    def print_human(self, result: Any) -> None:
        self.stdout.write(
            f"已从 {result['restored_from']} 恢复（备份时间 {result['created_at']}）。"
        )
