"""`qz evaluation`: rebuild/verify request-metric counters, compute scores, check schemes, score comments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput, NotFound
from qingzhuang.core.management.base import QzCommand

if TYPE_CHECKING:
    from qingzhuang.org.models import OrgUnit


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(_("日期“%(date)s”格式不对，请写成 2026-03-01") % {"date": text}) from exc


def _township(code: str) -> OrgUnit | None:
    """The unit whose villages are scored: --org, else the only township (None when there is
    none: every village then); with several townships --org is required."""
    from qingzhuang.org.models import OrgLevel, OrgUnit
    from qingzhuang.org.selectors import unit_by_code

    if code:
        return unit_by_code(code)
    towns = list(OrgUnit.objects.filter(level=OrgLevel.TOWNSHIP, is_active=True)[:2])
    if len(towns) > 1:
        raise InvalidInput(_("系统里有多个乡镇，请用 --org 指定要评分的乡镇的行政区划代码"))
    return towns[0] if towns else None


class Command(QzCommand):
    help = "评价：metrics 重算诉求指标汇总，score 计算单位评分，check 检查考核方案，sentiment 判断回访评论情感 (evaluation)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        m = sub.add_parser(
            "metrics",
            help="从原始工单重算按日汇总的诉求指标和异常信号候选，并核对与原始数据一致",
        )
        m.add_argument("--start", help="起始日期 2026-01-01（默认：最早的工单）")
        m.add_argument("--end", help="结束日期（默认：最近的工单）")
        m.add_argument("--verify-only", action="store_true", help="只核对，不重算")
        s = sub.add_parser("score", help="按考核方案为每个村(社区)计算一个时期的评分")
        s.add_argument("--scheme", required=True, help="方案名称")
        s.add_argument("--period", required=True, help="时期：2026-09、2026Q3 或 2026")
        s.add_argument(
            "--org",
            default="",
            help="乡镇行政区划代码：只给这个乡镇的村(社区)评分（默认：唯一的乡镇）",
        )
        c = sub.add_parser("check", help="检查考核方案：留痕类指标、指标过多、考核过频、结果类占比")
        c.add_argument("--scheme", required=True, help="方案名称")
        sub.add_parser("sentiment", help="为还没有情感判断的回访评论打分（异常信号页使用）")
        for p in (m, s, c, *[sub.choices["sentiment"]]):
            p.add_argument("--json", action="store_true", help="以 JSON 格式输出 (machine output)")

    def run(self, *args: Any, **options: Any) -> Any:
        action = options["action"]
        if action == "metrics":
            return self._metrics(options)
        if action == "sentiment":
            from qingzhuang.evaluation.gaming import comment_sentiment_refresh

            return {"scored": comment_sentiment_refresh()}
        from qingzhuang.evaluation.models import EvaluationScheme

        scheme = EvaluationScheme.objects.filter(name=options["scheme"]).first()
        if scheme is None:
            raise NotFound(
                _("找不到考核方案“%(scheme)s”，请先在“考核方案”页创建")
                % {"scheme": options["scheme"]}
            )
        if action == "check":
            from qingzhuang.evaluation.schemes import scheme_check

            return scheme_check(scheme).as_dict()
        from qingzhuang.evaluation.services import scores_compute

        org = _township(options["org"])
        scores = scores_compute(scheme=scheme, period=options["period"], actor="cli", org_unit=org)
        return {
            "scheme": scheme.name,
            "period": scores[0].period if scores else options["period"],
            "org": org.code if org is not None else "",
            "units": len(scores),
            # a list with codes: names are unique only among siblings
            "scores": [
                {"code": s.org_unit.code, "name": s.org_unit.name, "total": s.total} for s in scores
            ],
        }

    def _metrics(self, options: dict[str, Any]) -> dict[str, Any]:
        from qingzhuang.evaluation.aggregates import (
            metrics_rebuild,
            metrics_refresh_pending,
            metrics_verify,
            raw_range,
        )
        from qingzhuang.evaluation.signal_store import signals_rebuild, signals_verify

        start, end = _date(options.get("start")), _date(options.get("end"))
        result: dict[str, Any] = {"pending_refreshed": metrics_refresh_pending()}
        if not options.get("verify_only"):
            result.update(metrics_rebuild(start=start, end=end))
        rng = raw_range()
        diffs = [] if rng is None else metrics_verify(start=start or rng[0], end=end or rng[1])
        if not options.get("verify_only"):
            result.update(signals_rebuild())
        signal_diffs = signals_verify()
        return {
            **result,
            "differences": len(diffs),
            "examples": diffs[:3],
            "signal_differences": len(signal_diffs),
            "signal_examples": signal_diffs[:3],
        }
