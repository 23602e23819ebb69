from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput, NotFound
from qingzhuang.core.management.base import QzCommand
from qingzhuang.i18n import join_list


class Command(QzCommand):
    help = "重复数据项：analyse 重新分析 / accept 建为数据元 (analyse and accept concepts)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        a = sub.add_parser("accept", help="把建议的重复数据项建为数据元（或并入已有数据元）")
        a.add_argument("--all-suggested", action="store_true", help="接受全部建议")
        a.add_argument("--id", type=int, action="append", help="只接受这些编号的建议")
        a.add_argument("--json", action="store_true")
        n = sub.add_parser("analyse", help="对所有已入库报表重新做重复项分析")
        n.add_argument("--json", action="store_true")
        ls = sub.add_parser("list", help="列出建议的重复数据项")
        ls.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> Any:
        from qingzhuang.datastore.services import concepts_accept
        from qingzhuang.reporting.models import Concept, ConceptStatus
        from qingzhuang.reporting.services import redundancy_analyse

        action = options["action"]
        if action == "analyse":
            r = redundancy_analyse(actor="cli")
            return {"concepts": r.concepts, "fields": r.fields, "compared": r.compared}
        if action == "list":
            return [
                {"id": c.pk, "name": c.name, "status": c.status, "fields": c.members.count()}
                for c in Concept.objects.all()
            ]
        if not options.get("all_suggested") and not options.get("id"):
            raise InvalidInput(_("请指定 --all-suggested 或 --id 编号"))
        qs = Concept.objects.filter(status=ConceptStatus.SUGGESTED)
        if options.get("id"):
            wanted = sorted(set(options["id"]))
            found = dict(Concept.objects.filter(pk__in=wanted).values_list("pk", "status"))
            missing = [str(i) for i in wanted if i not in found]
            if missing:
                raise NotFound(
                    _("找不到编号为 %(ids)s 的重复数据项建议，请用 qz concepts list 查看")
                    % {"ids": join_list(missing)}
                )
            done = [str(i) for i in wanted if found[i] != ConceptStatus.SUGGESTED]
            if done:
                raise InvalidInput(
                    _("编号 %(ids)s 的建议已经处理过，不能再接受") % {"ids": join_list(done)}
                )
            qs = qs.filter(pk__in=wanted)
        results = concepts_accept(actor="cli", concepts=list(qs))
        return {
            "accepted": len(results),
            "elements_created": sum(1 for r in results if r.element_created),
            "concepts": [r.as_dict() for r in results],
        }

    def print_human(self, result: Any) -> None:
        if isinstance(result, dict) and "accepted" in result:
            self.stdout.write(
                f"已接受 {result['accepted']} 个重复数据项，新建数据元 {result['elements_created']} 个。"
            )
            return
        super().print_human(result)
