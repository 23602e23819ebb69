from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from qingzhuang.core.management.base import QzCommand
from qingzhuang.duties import services


class Command(QzCommand):
    help = "村级事项准入：check 核对交办事项属于哪张清单，certificate 查村里能否开某个证明 (village duties)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        chk = sub.add_parser("check", help="核对一件交办事项（不保存）")
        chk.add_argument("text", help="交办的事项，例如 组织开展村庄环境卫生整治")
        chk.add_argument("--issuer", default="", help="交办单位")
        chk.add_argument("--json", action="store_true")
        cert = sub.add_parser("certificate", help="查村(社区)能否开具某个证明")
        cert.add_argument("text", help="证明名称，例如 无犯罪记录证明")
        cert.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> Any:
        if options["action"] == "check":
            o = services.work_item_check(options["text"], options["issuer"])
            return {
                "list": o.list,
                "flagged": o.flagged,
                "item": o.item.name if o.item else None,
                "matched_term": o.term,
                "message": o.message,
            }
        a = services.certificate_lookup(options["text"])
        return {
            "found": a.found,
            "certificate": a.certificate.name if a.certificate else None,
            "village_may_issue": a.may_issue,
            "where_instead": a.where_instead,
            "message": a.message,
        }

    def print_human(self, result: Any) -> None:
        self.stdout.write(result["message"])
