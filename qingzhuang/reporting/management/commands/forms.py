from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.management.base import QzCommand


def existing_file(path: str, *, example: str = "报表.xlsx") -> Path:
    """The input file named on the command line, or a plain sentence saying what is wrong."""
    p = Path(path)
    if p.is_dir():
        raise InvalidInput(
            _("“%(path)s”是一个文件夹，请给出其中的文件，例如 %(example)s")
            % {"path": path, "example": example}
        )
    if not p.is_file():
        raise InvalidInput(_("找不到文件：%(path)s") % {"path": path})
    return p


class Command(QzCommand):
    help = (
        "报表模板：parse 解析 / match 找重复项 / import 入库 (parse, match and import report forms)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("parse", help="解析一张报表，输出字段结构")
        p.add_argument("file")
        p.add_argument("--json", action="store_true")
        m = sub.add_parser("match", help="在多张报表之间找出重复询问的数据项")
        m.add_argument("files", nargs="+")
        m.add_argument("--json", action="store_true")
        i = sub.add_parser("import", help="把报表模板存入系统（同一文件只存一次）")
        i.add_argument("files", nargs="+")
        i.add_argument("--issuer", help="下发部门（默认从表中识别）")
        i.add_argument("--title", help="表名（默认从表中识别）")
        i.add_argument(
            "--frequency", help="报送频次 monthly/quarterly/half_yearly/yearly/once/ad_hoc"
        )
        i.add_argument("--deadline", help="截止日期 YYYY-MM-DD")
        i.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self.needs_database = options.get("action") == "import"
        super().handle(*args, **options)

    def run(self, *args: Any, **options: Any) -> Any:
        action = options["action"]
        if action == "parse":
            return self._parse(options["file"])
        if action == "match":
            return self._match(options["files"])
        return self._import(options)

    def _parse(self, file: str) -> Any:
        from qingzhuang.reporting.services import parse_template_file

        return parse_template_file(existing_file(file), Path(file).name).to_json() | {"file": file}

    def _match(self, files: list[str]) -> Any:
        from qingzhuang.matching import FieldRef, find_concepts
        from qingzhuang.reporting.services import parse_template_file

        info: dict[str, dict[str, Any]] = {}
        refs: list[FieldRef] = []
        for fi, file in enumerate(self.progress(files, desc="解析")):
            parsed = parse_template_file(existing_file(file), Path(file).name)
            for si, sheet in enumerate(parsed.sheets):
                for f in sheet.fields:
                    key = f"{fi}|{si}|{f.cell}"
                    if key in info:
                        continue
                    info[key] = {
                        "file": file,
                        "sheet": sheet.name,
                        "cell": f.cell,
                        "label": f.label,
                        "unit": f.unit,
                    }
                    refs.append(
                        FieldRef(
                            key=key,
                            label=f.label,
                            unit=f.unit,
                            path=tuple(f.path),
                            form=f"{fi}|{si}",
                            title=sheet.title or sheet.name or "",
                        )
                    )
        result = find_concepts(refs)
        return {
            "concepts": [
                {"id": c.id, "name": c.name, "fields": [info[m.key] for m in c.members]}
                for c in result.concepts
            ],
            "singletons": [info[s.key] for s in result.singletons],
        }

    def _import(self, options: dict[str, Any]) -> Any:
        from qingzhuang.reporting.services import templates_import

        deadline = None
        if options.get("deadline"):
            try:
                deadline = date.fromisoformat(options["deadline"])
            except ValueError as exc:
                raise InvalidInput(_("截止日期格式应为 YYYY-MM-DD")) from exc
        files = [(existing_file(f), f) for f in options["files"]]
        batch = templates_import(
            files=((path, path.name) for path, _file in self.progress(files, desc="入库")),
            actor="cli",
            issuer=options.get("issuer"),
            title=options.get("title"),
            frequency=options.get("frequency"),
            deadline=deadline,
        )
        out = []
        for (_path, file), res in zip(files, batch.results, strict=True):
            t = res.template
            out.append(
                {
                    "id": t.pk,
                    "file": file,
                    "title": t.title,
                    "issuer": t.issuer.name if t.issuer else "",
                    "format": t.format,
                    "created": res.created,
                    "fields": t.fields.count(),
                    "fields_mapped_to_existing": res.mapped,
                }
            )
        return {
            "templates": out,
            "ids": [t["id"] for t in out],
            "suggested_concepts": batch.analysis.concepts,
        }

    def print_human(self, result: Any) -> None:
        if "templates" in result:
            for t in result["templates"]:
                state = "新入库" if t["created"] else "已存在"
                self.stdout.write(
                    f"{t['id']}\t{state}\t{t['title']}（{t['issuer'] or '未识别部门'}，{t['fields']} 个字段）"
                )
            self.stdout.write(f"建议合并的重复数据项：{result['suggested_concepts']} 个")
            return
        super().print_human(result)
