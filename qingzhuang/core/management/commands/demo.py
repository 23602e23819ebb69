from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from qingzhuang.core.demo import run_demo
from qingzhuang.core.management.base import QzCommand


class Command(QzCommand):
    help = "演示数据：生成“示范镇”（可重复运行，不会重复生成）(seed the demo township)"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--requests",
            type=int,
            default=0,
            help="把批量生成的演示诉求补足到 N 条（重复运行不会重复生成）",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="只在数据库里还没有任何单位时生成"
        )

    def run(self, *args: Any, **options: Any) -> Any:
        from qingzhuang.org.models import OrgUnit

        if options["if_empty"] and OrgUnit.objects.exists():
            return None
        ctx = run_demo(
            out=self.stderr if options["json"] else self.stdout, requests=options["requests"]
        )
        return {
            "township": ctx.township.name if ctx.township else None,
            "villages": len(ctx.villages),
            "logins": [{"username": u, "password": p, "role": r} for u, p, r in ctx.logins],
        }

    def print_human(self, result: Any) -> None:
        self.stdout.write("演示账号（用户名 / 密码 / 角色）：")
        for login in result["logins"]:
            self.stdout.write(f"  {login['username']:<10} {login['password']}  {login['role']}")
