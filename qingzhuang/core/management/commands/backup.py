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
            "--output",
            help="备份文件路径（.tar.gz 或 .tgz，所在文件夹须已存在），"
            "默认 var/backups/qingzhuang-时间.tar.gz",
        )

    def run(self, *args: Any, **options: Any) -> Any:
        if options["output"]:
            return backup_create(output=Path(options["output"]))
        # only the default folder is created: a given --output folder must already exist
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        folder = env.DATA_DIR / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        return backup_create(output=folder / f"qingzhuang-{stamp}.tar.gz")

    def print_human(self, result: Any) -> None:
        self.stdout.write(f"备份完成：{result['output']}（{result['bytes']} 字节）")
