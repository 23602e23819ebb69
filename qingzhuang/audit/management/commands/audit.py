from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from qingzhuang.audit.services import audit_verify
from qingzhuang.core.management.base import QzCommand


class Command(QzCommand):
    help = "审计日志：verify 校验操作记录是否被改动或删除 (verify the audit chain)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验哈希链")
        verify.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> Any:
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"审计链校验失败：{result.problem}（首个问题记录 #{result.first_bad_id}）"
            )
        return {"ok": True, "checked": result.checked}

    def print_human(self, result: Any) -> None:
        self.stdout.write(f"审计链完整：已校验 {result['checked']} 条记录。")
