from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.management.base import QzCommand
from qingzhuang.core.outputs import atomic_output, output_path_check
from qingzhuang.core.textcodec import decode_bytes

# What `qz data export` writes and `qz data import` reads, by file extension.
_EXCHANGE_FORMATS = {".json": "json", ".csv": "csv"}


def org_by_code(code: str) -> Any:
    from qingzhuang.org.selectors import unit_by_code

    return unit_by_code(code)


def element_by_code(code: str) -> Any:
    from qingzhuang.datastore.models import DataElement

    element = DataElement.objects.filter(code=code).first()
    if element is None:
        raise InvalidInput(_("找不到数据元编码 %(code)s，编码见数据元目录页面") % {"code": code})
    return element


class Command(QzCommand):
    help = (
        "数据仓：harvest 采集已填报表 / export 导出 / import 导入 / merge 合并重复数据元"
        " (harvest, export, import data; merge duplicate elements)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        h = sub.add_parser("harvest", help="把已填好的报表里的数字采集入库（冲突只提示不覆盖）")
        h.add_argument("file", help="已填好的报表文件（.xlsx、.xls、.csv 或 .docx）")
        h.add_argument("--org", required=True, help="单位代码：表中各行按名称匹配到其下属单位")
        h.add_argument("--period", required=True, help="时期：2026、2026Q3 或 2026-09")
        h.add_argument("--json", action="store_true", help="以 JSON 格式输出 (machine output)")
        e = sub.add_parser("export", help="导出整个数据仓（JSON：数据元+数值；CSV：数值）")
        e.add_argument(
            "--output", required=True, help="输出文件（.json 或 .csv，所在文件夹须已存在）"
        )
        e.add_argument(
            "--format", choices=["json", "csv"], help="默认按文件扩展名（.json 或 .csv）"
        )
        e.add_argument("--json", action="store_true", help="以 JSON 格式输出 (machine output)")
        i = sub.add_parser("import", help="导入 qz data export 的文件（全部成功或全部不导入）")
        i.add_argument("file", help="qz data export 导出的 .json 或 .csv 文件")
        i.add_argument("--format", choices=["json", "csv"], help="默认按文件扩展名")
        i.add_argument("--json", action="store_true", help="以 JSON 格式输出 (machine output)")
        m = sub.add_parser(
            "merge", help="把重复的数据元合并到另一个（数值、报表字段、规则、指标公式都改用目标）"
        )
        m.add_argument("source", help="要并掉的数据元编码，合并后删除")
        m.add_argument("target", help="留下的数据元编码")
        m.add_argument(
            "--keep-target",
            action="store_true",
            help="同一单位同一期两边的数不同时，以目标的数为准（另一个数记入修改历史）",
        )
        m.add_argument("--json", action="store_true", help="以 JSON 格式输出 (machine output)")

    def run(self, *args: Any, **options: Any) -> Any:
        from qingzhuang.datastore import services

        action = options["action"]
        if action == "merge":
            merged = services.element_merge(
                actor="cli",
                source=element_by_code(options["source"]),
                target=element_by_code(options["target"]),
                keep_target_on_conflict=options["keep_target"],
            )
            return {
                "target": merged.target.code,
                "moved": merged.moved,
                "same": merged.same,
                "conflicts_kept": merged.conflicts_kept,
                "fields": merged.fields,
                "rules": merged.rules,
                "indicators": merged.indicators,
                "concepts": merged.concepts,
            }
        if action == "harvest":
            path = Path(options["file"])
            if not path.is_file():
                raise InvalidInput(_("找不到文件：%(path)s") % {"path": path})
            result = services.harvest_file(
                path=path,
                org_unit=org_by_code(options["org"]),
                period=options["period"],
                actor="cli",
            )
            return result.as_dict()
        if action == "export":
            return self._export(Path(options["output"]), options.get("format"))
        path = Path(options["file"])
        if not path.is_file():
            raise InvalidInput(_("找不到文件：%(path)s") % {"path": path})
        fmt = options.get("format") or _EXCHANGE_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise InvalidInput(
                _(
                    "不支持的文件类型：%(name)s。qz data import 只读 qz data export 导出的"
                    " .json 或 .csv 文件"
                )
                % {"name": path.name}
            )
        text, _encoding = decode_bytes(path.read_bytes())
        return services.store_import(text=text, fmt=fmt, actor="cli")

    def _export(self, out: Path, fmt: str | None) -> dict[str, Any]:
        from qingzhuang.datastore import services

        suffixes = (f".{fmt}",) if fmt else tuple(_EXCHANGE_FORMATS)
        output_path_check(out, example=f"store{suffixes[0]}", suffixes=suffixes)
        fmt = fmt or _EXCHANGE_FORMATS[out.suffix.lower()]
        text = services.store_export(fmt=fmt)
        with atomic_output(out) as tmp:
            tmp.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        return {"output": str(out), "format": fmt, "bytes": out.stat().st_size}

    def print_human(self, result: Any) -> None:
        if "conflicts_kept" in result:
            self.stdout.write(
                f"已合并到 {result['target']}：移过来 {result['moved']} 个数值，"
                f"两边相同 {result['same']} 个，以目标为准 {result['conflicts_kept']} 个；"
                f"报表字段 {result['fields']}，校验规则 {result['rules']}，"
                f"考核指标 {result['indicators']}，相同项 {result['concepts']}。"
            )
            return
        if "loaded_count" in result:
            self.stdout.write(
                f"采集 {result['loaded_count']} 个数值，未变 {result['unchanged']}，冲突 {result['conflict_count']}（未覆盖）。"
            )
            for c in result["conflicts"]:
                self.stdout.write(
                    f"  冲突：{c['org']} {c['element']} 库中 {c['existing']}，表中 {c['value']}（{c['cell']}）"
                )
            return
        super().print_human(result)
