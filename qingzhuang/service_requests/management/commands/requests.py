"""`qz requests ...`: train/classify (stable CLI contracts), import, retrain, sla-scan, hotspots."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.management.base import QzCommand, ensure_migrated

NO_DB_ACTIONS = {"train", "classify", "hotspots-csv"}


class Command(QzCommand):
    help = (
        "接诉即办：train 训练分类模型，classify 批量分类，import 导入12345工单，retrain 用本镇历史重训，"
        "sla-scan 标记超时并提醒，hotspots 热点问题 (resident requests)"
    )
    needs_database = False  # decided per action in run()

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("train", help="用带标签的 CSV 训练诉求分类模型")
        p.add_argument("--input", required=True)
        p.add_argument("--text-column", default="text")
        p.add_argument("--label-column", default="label")
        p.add_argument("--model", required=True, help="模型文件输出路径")
        p.add_argument("--taxonomy", default=None, help="可选：三级分类目录 CSV（作关键词特征）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("classify", help="给 CSV 每行加上 predicted_label, confidence")
        p.add_argument("--model", required=True)
        p.add_argument("--input", required=True)
        p.add_argument("--text-column", default="text")
        p.add_argument("--output", required=True)
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("import", help="导入12345热线导出文件（CSV/XLSX），可重复运行")
        p.add_argument("--input", required=True)
        p.add_argument("--org", required=True, help="默认村(社区)或镇的行政区划代码")
        p.add_argument("--text-column", default="诉求内容")
        p.add_argument("--village-column", default="所属村社区")
        p.add_argument("--type-column", default="诉求类型")
        p.add_argument("--phone-column", default="来电号码")
        p.add_argument("--name-column", default="来电人")
        p.add_argument("--id-column", default="工单编号")
        p.add_argument("--time-column", default="来电时间")
        p.add_argument("--category-column", default="")
        p.add_argument("--location-column", default="事发地址")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser(
            "retrain", help="用本镇已分类的诉求（含人工改过的分类）重新训练，供受理时建议分类"
        )
        p.add_argument("--min-per-category", type=int, default=5)
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("sla-scan", help="标记超时工单并记录临期提醒（可每小时运行一次）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("hotspots", help="热点问题：同村同类反复出现的诉求")
        p.add_argument("--weeks", type=_weeks, default=8, help="统计最近几周（1 以上，默认 8）")
        p.add_argument("--min-count", type=int, default=3)
        p.add_argument("--json", action="store_true")
        p = sub.add_parser(
            "hotspots-csv", help="对一份留言 CSV 做近似重复聚类（不入库），找反复出现的问题"
        )
        p.add_argument("--input", required=True)
        p.add_argument("--text-column", default="text")
        p.add_argument("--subject-column", default="subject")
        p.add_argument("--time-column", default="time")
        p.add_argument("--threshold", type=float, default=0.5)
        p.add_argument("--min-count", type=int, default=3)
        p.add_argument("--top", type=int, default=20)
        p.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> Any:
        action = options["action"]
        if action not in NO_DB_ACTIONS:
            ensure_migrated()
        return getattr(self, "do_" + action.replace("-", "_"))(**options)

    def do_train(self, **o: Any) -> Any:
        from qingzhuang.textclass import check_output
        from qingzhuang.textclass.cli_support import train_from_csv

        inputs = [_exists(o["input"])]
        if o.get("taxonomy"):
            inputs.append(_exists(o["taxonomy"]))
        # before minutes of training: the same rule and sentence as every --output
        check_output(o["model"], inputs=inputs, example="request_category.model")
        return train_from_csv(
            o["input"],
            o["text_column"],
            o["label_column"],
            o["model"],
            taxonomy_path=o.get("taxonomy"),
        )

    def do_classify(self, **o: Any) -> Any:
        from qingzhuang.textclass import check_output
        from qingzhuang.textclass.cli_support import classify_csv

        check_output(o["output"], inputs=[_exists(o["input"])])  # before the model is read
        _exists(o["model"])
        rows = classify_csv(o["model"], o["input"], o["text_column"], o["output"])
        return {"rows": rows, "output": o["output"]}

    def do_import(self, **o: Any) -> Any:
        from qingzhuang.org.models import OrgLevel, OrgUnit
        from qingzhuang.org.selectors import unit_by_code
        from qingzhuang.service_requests import importer

        path = _exists(o["input"])
        unit = unit_by_code(o["org"])
        headers, rows = importer.read_table(path.name, path.read_bytes())
        units = list(
            OrgUnit.objects.under(unit).filter(level__in=[OrgLevel.VILLAGE, OrgLevel.COMMUNITY])
        )
        mapping = {
            "text": o["text_column"],
            "village": o["village_column"],
            "type": o["type_column"],
            "phone": o["phone_column"],
            "name": o["name_column"],
            "external_id": o["id_column"],
            "time": o["time_column"],
            "category": o["category_column"],
            "location": o["location_column"],
        }
        return importer.requests_import(
            rows=rows, mapping=mapping, default_unit=unit, units=units, actor="cli"
        ).as_dict()

    def do_retrain(self, **o: Any) -> Any:
        from qingzhuang.service_requests.training import retrain_from_history

        return retrain_from_history(min_per_category=o["min_per_category"])

    def do_sla_scan(self, **o: Any) -> Any:
        from qingzhuang.service_requests.selectors import (
            holiday_calendar_missing,
            holiday_calendar_warning,
        )
        from qingzhuang.service_requests.services import sla_scan

        result: dict[str, Any] = dict(sla_scan())
        result["holiday_calendar_missing"] = holiday_calendar_missing()
        warning = holiday_calendar_warning()
        if warning:
            self.stderr.write(_("提醒：%(warning)s") % {"warning": warning})
        return result

    def do_hotspots(self, **o: Any) -> Any:
        from qingzhuang.org.scope import Scope
        from qingzhuang.service_requests.selectors import hotspots

        spots = hotspots(scope=Scope.all(), weeks=o["weeks"], min_count=o["min_count"])
        return [
            {
                "category": h.category,
                "place": h.place,
                "count": h.count,
                "trend": h.trend,
                "weeks": h.weeks,
                "samples": h.samples,
            }
            for h in spots[:50]
        ]

    def do_hotspots_csv(self, **o: Any) -> Any:
        from qingzhuang.service_requests.hotspots_text import clusters_from_csv

        _exists(o["input"])
        return clusters_from_csv(
            Path(o["input"]),
            text_column=o["text_column"],
            subject_column=o["subject_column"],
            time_column=o["time_column"],
            threshold=o["threshold"],
            min_count=o["min_count"],
            top=o["top"],
        )

    def print_human(self, result: Any) -> None:
        import json

        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))


def _weeks(text: str) -> int:
    """--weeks: a whole number of weeks, at least one (argparse shows the message)."""
    try:
        weeks = int(text)
    except ValueError:
        weeks = 0
    if weeks < 1:
        raise argparse.ArgumentTypeError(_("--weeks 应为 1 以上的整数，例如 --weeks 8"))
    return weeks


def _exists(path: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(_("找不到文件：%(path)s") % {"path": p})
    return p
