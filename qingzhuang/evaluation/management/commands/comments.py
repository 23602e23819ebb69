"""`qz comments sentiment`: score review/comment text with the shipped sentiment model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.management.base import QzCommand


class Command(QzCommand):
    help = "评论情感：sentiment 给 CSV 中每条评论打上正面概率和情感标签 (comment sentiment)"
    needs_database = False
    json_option = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser(
            "sentiment",
            help="读入 CSV，输出增加 positive（正面概率）和 sentiment（1 正面 / 0 负面）两列",
        )
        s.add_argument("--input", required=True, help="输入 CSV 文件")
        s.add_argument("--text-column", required=True, help="评论文本所在的列名，例如 review")
        s.add_argument("--output", required=True, help="输出 CSV 文件")
        s.add_argument("--json", action="store_true", help="以 JSON 格式输出 (machine output)")

    def run(self, *args: Any, **options: Any) -> Any:
        src = Path(options["input"])
        if not src.is_file():
            raise InvalidInput(_("找不到输入文件：%(path)s") % {"path": src})
        out = Path(options["output"])
        try:
            from qingzhuang.textclass.cli_support import sentiment_csv
        except ImportError as exc:
            raise InvalidInput(
                _("情感模型模块 qingzhuang.textclass 不可用，请先安装完整的轻装程序包")
            ) from exc
        # The shared CSV writer refuses a missing output folder or output == input, and
        # replaces the output only when every row is written.
        rows = sentiment_csv(str(src), options["text_column"], str(out))
        return {"input": str(src), "output": str(out), "rows": rows}

    def print_human(self, result: Any) -> None:
        self.stdout.write(f"已处理 {result['rows']} 条评论，结果写入 {result['output']}")
