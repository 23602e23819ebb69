from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from config import env
from qingzhuang.core.backup import backup_create
from qingzhuang.core.management.base import QzCommand


class Command(QzCommand):
    help = "备份：把整个数据库和上传文件打包成一个文件 (back up the database and uploads)"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--output", help="备份文件路径，默认 var/backups/qingzhuang-时间.tar.gz"
        )

    def run(self, *args: Any, **options: Any) -> Any:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        default = env.DATA_DIR / "backups" / f"qingzhuang-{stamp}.tar.gz"
        return backup_create(output=Path(options["output"] or default))

    def print_human(self, result: Any) -> None:
        self.stdout.write(f"备份完成：{result['output']}（{result['bytes']} 字节）")
