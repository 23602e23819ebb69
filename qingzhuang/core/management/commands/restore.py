from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from qingzhuang.core.backup import backup_restore
from qingzhuang.core.management.base import QzCommand, ensure_migrated


class Command(QzCommand):
    help = "恢复：用备份文件替换当前数据库和上传文件 (restore from a backup)"
    needs_database = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "path", help="qz backup 生成的 .tar.gz 文件（先完整检查，有损坏则不恢复）"
        )

    def run(self, *args: Any, **options: Any) -> Any:
        result = backup_restore(path=Path(options["path"]))
        # a backup made before an upgrade gets the tables and columns the program now needs
        ensure_migrated()
        return result

    def print_human(self, result: Any) -> None:
        self.stdout.write(
            f"已从 {result['restored_from']} 恢复（备份时间 {result['created_at']}）。"
        )
